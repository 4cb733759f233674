"""Integration fixtures: a fresh warehouse database per module, a generated province."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from edu_platform.databases import with_database
from edu_platform.landing.extract import run_extraction
from edu_platform.province_config import load_province
from edu_platform.pseudonym_key import ensure_pseudonym_function
from edu_platform.security.apply import apply_security
from tests.conftest import scratch_database


@pytest.fixture(scope="module")
def fresh_warehouse(runtime) -> Iterator[str]:
    """A database of its own on the project's server: integration runs never mix state."""
    admin = with_database(runtime.databases.warehouse_url, "postgres")
    with scratch_database(admin, "it") as name:
        url = with_database(runtime.databases.warehouse_url, name)  # repr without password
        # as set-up does for the project's warehouse: roles are the server's, grants per database
        apply_security(url)
        ensure_pseudonym_function(url)
        yield url


def land_simulated_province(sim_dir: Path, warehouse_url: str,
                            skipped: frozenset[tuple[str, int]] = frozenset()) -> None:
    """Every source, every configured year and term, from running simulators into raw;
    except the `skipped` (source, year) pairs, whose extraction "failed"."""
    from edu_simulators.servers import running_servers

    province = load_province("rayong")
    monkey = pytest.MonkeyPatch()
    with running_servers(sim_dir) as endpoints:
        env = endpoints.env(drop_dir=sim_dir / "drop",
                            dlp_url=f"sqlite:///{sim_dir / 'dlp' / 'itw.sqlite'}")
        for key, value in env.items():
            monkey.setenv(key, str(value))
        for source in province.sources:
            for year in province.academic_years:
                if (source, year) in skipped:
                    continue
                for term in (1, 2):
                    run_extraction(province, source, year, term, warehouse_url)
    monkey.undo()
