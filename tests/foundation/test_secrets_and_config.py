"""Secrets are generated once, kept private, and the environment overrides them."""

from __future__ import annotations

import stat

import pytest
import yaml

from edu_platform import local_secrets
from edu_platform.paths import REPO_ROOT
from edu_platform.province_config import load_province


def test_secrets_generated_once_private_and_overridable(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("EDU_VAR_DIR", str(tmp_path))
    for name in local_secrets.GENERATORS:
        monkeypatch.delenv(name, raising=False)
    first = local_secrets.load_secrets()
    assert all(len(value) >= 24 for value in first.values())
    assert local_secrets.load_secrets() == first
    mode = stat.S_IMODE(local_secrets.secrets_file().stat().st_mode)
    assert mode == 0o600
    monkeypatch.setenv("EDU_PSEUDONYM_KEY", "from-the-environment")
    assert local_secrets.load_secrets()["EDU_PSEUDONYM_KEY"] == "from-the-environment"


def test_no_secret_files_are_tracked() -> None:
    ignored = (REPO_ROOT / ".gitignore").read_text().split()
    assert "var/" in ignored and ".env" in ignored


def test_province_config_loads_rayong() -> None:
    rayong = load_province("rayong")
    assert rayong.code == "21"
    assert [d.code for d in rayong.districts] == [f"210{i}" for i in range(1, 9)]


def test_unknown_province_is_one_clear_error() -> None:
    with pytest.raises(FileNotFoundError, match="no configuration for province 'atlantis'"):
        load_province("atlantis")


def test_docker_compose_is_valid_and_pins_every_image() -> None:
    compose = yaml.safe_load((REPO_ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    for needed in ("postgres", "airflow-api-server", "airflow-scheduler",
                   "airflow-dag-processor", "airflow-triggerer", "airflow-worker", "redis",
                   "simulators"):
        assert needed in services, needed
    assert "celery" in services["airflow-worker"].get("profiles", [])
    for name, service in services.items():
        image = service.get("image")
        if image:
            tag = image.rsplit(":", 1)[-1] if ":" in image else ""
            assert tag and tag != "latest", f"{name}: image {image!r} is not pinned"
