"""``edu-sim start --dlp-url``: the DLP tables copied into the project's PostgreSQL.

The copy goes into a throwaway schema (via ``search_path``) of the warehouse
database, so the test never touches tables a pipeline run reads.
"""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path

import sqlalchemy as sa

from edu_simulators.servers.dlp_copy import copy_dlp
from tests.simulators.test_cli import _write_dlp


def test_dlp_tables_replace_into_postgresql(runtime, tmp_path: Path) -> None:
    source = tmp_path / "itw.sqlite"
    _write_dlp(source)
    schema = f"sim_dlp_{uuid.uuid4().hex[:8]}"
    base = sa.make_url(runtime.databases.warehouse_url)
    admin = sa.create_engine(base)
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    target = base.update_query_dict({"options": f"-csearch_path={schema}"})
    url = target.render_as_string(hide_password=False)
    try:
        assert copy_dlp(source, url) == {"center": 1, "facilitator": 1, "learner": 2}
        assert copy_dlp(source, url)["learner"] == 2  # replaced, not appended
        with admin.connect() as conn:
            learner = conn.execute(sa.text(
                f'SELECT id_card, birthday, updated_at FROM "{schema}".learner '
                "ORDER BY learner_id")).all()
            active = conn.execute(sa.text(f'SELECT active FROM "{schema}".facilitator')).scalar()
        assert learner[0] == ("NULL", dt.date(2008, 2, 3), dt.datetime(2024, 6, 1, 10))
        assert learner[1][:2] == (None, None)
        assert active is True
    finally:
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
