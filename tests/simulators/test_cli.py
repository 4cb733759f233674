"""``edu-sim start/status/stop`` as a user runs them: separate processes, real ports."""

from __future__ import annotations

import socket
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests
import sqlalchemy as sa

from edu_simulators.cli import build_parser, default_dir
from edu_simulators.servers import ENV_VARS, Endpoints
from edu_simulators.servers.faults import parse_assignments
from edu_simulators.servers.process import read_env
from tests.simulators.test_servers import build_served


def edu_sim(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "edu_simulators.cli", *args],
                          capture_output=True, text=True, timeout=timeout, check=False)


def _write_dlp(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(path) as db:
        db.executescript("""
            CREATE TABLE center (center_id VARCHAR(10) PRIMARY KEY, center_name VARCHAR,
                                 center_type VARCHAR, tambon_code CHAR(6));
            CREATE TABLE learner (learner_id INTEGER PRIMARY KEY, id_card VARCHAR(13),
                                  gender CHAR(1), birthday DATE, updated_at TIMESTAMP);
            CREATE TABLE facilitator (fac_id INTEGER PRIMARY KEY, center_id VARCHAR(10),
                                      active BOOLEAN);
            INSERT INTO center VALUES ('C1', 'กศน.ตำบล', 'ศกร.ตำบล', '210101');
            INSERT INTO learner VALUES (1, 'NULL', '1', '2008-02-03', '2024-06-01 10:00:00'),
                                       (2, NULL, '2', NULL, '2024-06-02 10:00:00');
            INSERT INTO facilitator VALUES (1, 'C1', 1);
        """)


def _port_open(url: str) -> bool:
    parts = urlsplit(url)
    with socket.socket() as sock:
        sock.settimeout(1)
        return sock.connect_ex((parts.hostname, parts.port)) == 0


def test_start_status_stop_in_a_separate_process(tmp_path: Path) -> None:
    sim_dir = build_served(tmp_path / "sim")
    _write_dlp(sim_dir / "dlp" / "itw.sqlite")
    dlp_url = f"sqlite:///{tmp_path / 'dlp_copy.db'}"

    started = edu_sim("start", "--out", str(sim_dir), "--dlp-url", dlp_url,
                      "--fault", "ovec.api_version=3")
    try:
        assert started.returncode == 0, started.stderr
        printed = dict(line.split("=", 1) for line in started.stdout.splitlines())
        assert list(printed) == list(ENV_VARS)
        env_file = sim_dir / "sources.env"
        assert stat.S_IMODE(env_file.stat().st_mode) == 0o600
        assert read_env(env_file) == printed
        assert printed["SOURCE_DROP_DIR"] == str(sim_dir.resolve() / "drop")
        assert printed["DLP_ITW_URL"] == dlp_url
        assert (sim_dir / "servers.pid").exists()

        answer = requests.get(printed["OBEC_DMC_URL"] + "/v1/students", timeout=5,
                              params={"academic_year": 2567, "term": 1},
                              headers={"X-API-Key": printed["OBEC_DMC_API_KEY"]})
        assert answer.status_code == 200 and answer.json()["total"] == 7
        colleges = requests.get(printed["OVEC_VEC_URL"] + "/api/colleges", timeout=5)
        assert colleges.headers["X-Api-Version"] == "3"  # the --fault took effect

        with sa.create_engine(dlp_url).connect() as db:
            assert db.execute(sa.text("SELECT count(*) FROM learner")).scalar() == 2
            assert db.execute(sa.text("SELECT count(*) FROM center")).scalar() == 1

        again = edu_sim("start", "--out", str(sim_dir))  # idempotent
        assert again.returncode == 0, again.stderr
        assert "already running" in again.stderr
        assert again.stdout == started.stdout

        shown = edu_sim("status", "--out", str(sim_dir))
        assert "running" in shown.stdout
    finally:
        stopped = edu_sim("stop", "--out", str(sim_dir))
    assert stopped.returncode == 0 and "stopped" in stopped.stderr
    assert not (sim_dir / "servers.pid").exists() and not env_file.exists()
    endpoints = Endpoints.from_env(printed)
    assert not any(_port_open(endpoints.root(s)) for s in ("obec", "ovec", "onab"))
    assert "no servers were running" in edu_sim("stop", "--out", str(sim_dir)).stderr


def test_errors_are_one_sentence(tmp_path: Path) -> None:
    sim_dir = build_served(tmp_path / "sim")
    failed = edu_sim("start", "--out", str(sim_dir), "--fault", "no_such_fault=1")
    assert failed.returncode == 1
    assert "unknown fault 'no_such_fault'" in failed.stderr
    assert "Traceback" not in failed.stderr and not (sim_dir / "servers.pid").exists()


def test_fault_assignments() -> None:
    parsed = parse_assignments(["rate_limit_every=3", "ovec.api_version=3"])
    assert parsed["obec"] == {"rate_limit_every": "3"}
    assert parsed["ovec"] == {"rate_limit_every": "3", "api_version": "3"}
    with pytest.raises(ValueError, match="unknown system"):
        parse_assignments(["dmc.slow_every=1"])
    with pytest.raises(ValueError, match="needs an integer"):
        parse_assignments(["slow_every=often"])


def test_default_folder_is_under_the_repository_not_the_cwd() -> None:
    repo = Path(__file__).resolve().parents[2]
    assert default_dir("tiny") == repo / "var" / "sim" / "tiny"
    args = build_parser().parse_args(["start"])
    assert (args.preset, args.out, args.dlp_url) == ("rayong", None, None)
