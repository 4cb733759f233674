"""Any province by configuration: Sukhothai (64) end to end beside Rayong, no code change.

One embedded cluster of the test's own (`EDU_VAR_DIR` under var/test-scratch)
holds both provinces' warehouse databases, as the project's cluster would:
Rayong's (`tiny`, into `warehouse`) is published first, then
`edu run --province sukhothai --preset sukhothai` publishes Sukhothai's into
`warehouse_sukhothai` and leaves Rayong's as it was. The documented national
roll-up (docs/national_rollup.sql) then reads both through postgres_fdw.
"""

from __future__ import annotations

import csv
import os
import secrets
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest

from edu_platform.databases import database_name, resolve_databases
from edu_platform.embedded_postgres import EmbeddedPostgres
from edu_platform.paths import REPO_ROOT, var_dir
from edu_platform.province_config import load_province
from tests.conftest import free_port

ROLLUP_SQL = REPO_ROOT / "docs" / "national_rollup.sql"
ROLLED_UP = ("GER", "NER", "ANER")


@dataclass(frozen=True)
class TwoProvinces:
    cluster: EmbeddedPostgres
    var: Path
    analyst_password: str
    rayong_catalog_before: list[tuple]
    sukhothai_run: subprocess.CompletedProcess[str]


def _edu_run(env: dict[str, str], province: str, preset: str
             ) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "edu_platform.cli", "run", "--province", province,
         "--preset", preset, "--stages", "extract,build"],
        env=env, cwd=REPO_ROOT, capture_output=True, text=True, timeout=1500,
    )


def _rows(url: str, query: str, params: tuple = ()) -> list[tuple]:
    with psycopg.connect(url) as conn:
        return conn.execute(query, params).fetchall()


def test_each_province_names_its_warehouse_database(monkeypatch) -> None:
    """On the embedded cluster the province's file names the database; a given
    WAREHOUSE_URL is used as it is."""
    monkeypatch.delenv("WAREHOUSE_URL", raising=False)
    names = {}
    for slug in ("rayong", "sukhothai"):
        monkeypatch.setenv("EDU_PROVINCE", slug)
        names[slug] = database_name(resolve_databases().warehouse_url)
    assert names == {"rayong": "warehouse", "sukhothai": "warehouse_sukhothai"}
    monkeypatch.setenv("WAREHOUSE_URL", "postgresql://someone@db.example:5432/elsewhere")
    assert database_name(resolve_databases().warehouse_url) == "elsewhere"


@pytest.fixture(scope="module")
def two_provinces() -> Iterator[TwoProvinces]:
    scratch = var_dir() / "test-scratch" / uuid.uuid4().hex[:10]
    scratch.mkdir(parents=True)
    scratch.chmod(0o755)  # PostgreSQL's system user must reach the cluster under it
    own_var = scratch / "var"
    port = free_port()
    superuser_password, analyst_password = secrets.token_urlsafe(16), secrets.token_urlsafe(16)
    env = {
        **{k: v for k, v in os.environ.items()
           if not k.startswith(("AIRFLOW", "EDU_", "WAREHOUSE_"))},
        "EDU_VAR_DIR": str(own_var),
        "EDU_PG_PORT": str(port),
        "EDU_PG_SUPERUSER_PASSWORD": superuser_password,
        "EDU_PG_ANALYST_PASSWORD": analyst_password,
    }
    cluster = EmbeddedPostgres(own_var / "pg" / "data", port, superuser_password)
    try:
        rayong = _edu_run(env, "rayong", "tiny")
        assert rayong.returncode == 0, rayong.stdout + rayong.stderr[-5000:]
        catalog = _rows(cluster.url("warehouse"), "SELECT * FROM releases.catalog")
        yield TwoProvinces(cluster, own_var, analyst_password, catalog,
                           _edu_run(env, "sukhothai", "sukhothai"))
    finally:
        for preset in ("tiny", "sukhothai"):
            subprocess.run([sys.executable, "-m", "edu_simulators.cli", "stop", "--out",
                            str(own_var / "sim" / preset)], env=os.environ)
        cluster.stop()
        shutil.rmtree(scratch, ignore_errors=True)


@pytest.mark.slow
def test_sukhothai_publishes_its_release_in_its_own_database(two_provinces) -> None:
    run = two_provinces.sukhothai_run
    assert run.returncode == 0, run.stdout + run.stderr[-5000:]
    assert "Sukhothai (64)" in run.stdout
    sukhothai = load_province("sukhothai")
    url = two_provinces.cluster.url(sukhothai.warehouse_database)

    catalog = _rows(url, "SELECT release_number, province_code, province_slug, files_dir "
                         "FROM releases.catalog")
    assert [row[:3] for row in catalog] == [(1, "64", "sukhothai")]
    files = Path(catalog[0][3])
    assert files.is_relative_to(two_provinces.var / "releases" / "sukhothai")
    assert (files / "report.html").stat().st_size > 0

    assert _rows(url, "SELECT DISTINCT province_code FROM current.indicators") == [("64",)]
    areas = _rows(url, "SELECT area_level, area_code FROM current.dim_area ORDER BY 1, 2")
    assert areas == ([("district", d.code) for d in sukhothai.districts]
                     + [("province", "64")])
    indicator_areas = {code for (code,) in _rows(
        url, "SELECT DISTINCT area_code FROM current.indicators")}
    assert indicator_areas <= {code for _, code in areas}

    rayong_url = two_provinces.cluster.url(load_province("rayong").warehouse_database)
    assert _rows(rayong_url, "SELECT * FROM releases.catalog") == \
        two_provinces.rayong_catalog_before
    assert _rows(rayong_url, "SELECT DISTINCT province_code FROM current.indicators") == \
        [("21",)]


def _run_rollup(two_provinces: TwoProvinces) -> list[dict[str, str]]:
    cluster = two_provinces.cluster
    result = subprocess.run(
        ["psql", "-X", "-q", "--csv", "-v", "ON_ERROR_STOP=1",
         "-v", "host=127.0.0.1", "-v", f"port={cluster.port}",
         "-v", f"analyst_password={two_provinces.analyst_password}",
         "-h", "127.0.0.1", "-p", str(cluster.port), "-U", cluster.superuser,
         "-d", "national", "-f", str(ROLLUP_SQL)],
        env={**os.environ, "PGPASSWORD": cluster.password},
        capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return list(csv.DictReader(result.stdout.splitlines()))


def _expected_rollup(two_provinces: TwoProvinces) -> dict[tuple, tuple]:
    """Each province's own enrolment-ratio cells, read from its warehouse and pooled here."""
    pooled: dict[tuple, list] = {}
    for province in map(load_province, ("rayong", "sukhothai")):
        url = two_provinces.cluster.url(province.warehouse_database)
        for *key, numerator, denominator, withheld in _rows(
                url, "SELECT indicator, academic_year, level, sex, numerator, denominator, "
                     "withheld FROM current.indicators WHERE affiliation = 'ALL' "
                     "AND area_code = province_code AND indicator = ANY(%s)",
                (list(ROLLED_UP),)):
            cell = pooled.setdefault(tuple(map(str, key)), [0, 0.0, 0.0, []])
            if withheld:
                cell[3].append(province.code)
            else:
                cell[0] += 1
                cell[1] += float(numerator)
                cell[2] += float(denominator)
    return {key: (provinces, numerator, denominator, ",".join(sorted(withheld_in)))
            for key, (provinces, numerator, denominator, withheld_in) in pooled.items()}


@pytest.mark.slow
def test_national_rollup_reads_every_province_through_postgres_fdw(two_provinces) -> None:
    assert two_provinces.sukhothai_run.returncode == 0
    two_provinces.cluster.ensure_database("national")
    first = _run_rollup(two_provinces)
    assert _run_rollup(two_provinces) == first, "the roll-up cannot be run again"

    expected = _expected_rollup(two_provinces)
    got = {(r["indicator"], r["academic_year"], r["level"], r["sex"]): r for r in first}
    assert got.keys() == expected.keys()
    for key, (provinces, numerator, denominator, withheld_in) in expected.items():
        row = got[key]
        assert int(row["provinces"]) == provinces, key
        assert row["withheld_in"] == withheld_in, key
        if provinces:
            assert float(row["numerator"]) == pytest.approx(numerator), key
            assert float(row["denominator"]) == pytest.approx(denominator), key
            assert float(row["value"]) == pytest.approx(100 * numerator / denominator,
                                                        abs=0.005), key
    assert any(int(row["provinces"]) == 2 for row in first), "no cell pooled both provinces"

    per_province = {code: count for code, count in _rows(
        two_provinces.cluster.url("national"),
        "SELECT province_code, count(*) FROM national_indicators GROUP BY 1")}
    assert per_province == {
        province.code: _rows(two_provinces.cluster.url(province.warehouse_database),
                             "SELECT count(*) FROM current.indicators")[0][0]
        for province in map(load_province, ("rayong", "sukhothai"))}
