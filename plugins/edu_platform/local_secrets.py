"""Secrets generated on first use and kept in an ignored file, never in the repository.

A value set in the environment always wins, so a deployment can bring its own
secrets manager; otherwise the project generates one, stores it in
`var/secrets.env` (mode 0600) and reuses it on every later run.
"""

from __future__ import annotations

import base64
import os
import secrets
from collections.abc import Callable
from pathlib import Path

from edu_platform.paths import var_dir


def _token() -> str:
    return secrets.token_urlsafe(24)


def _fernet_key() -> str:
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()


GENERATORS: dict[str, Callable[[], str]] = {
    "EDU_PG_SUPERUSER_PASSWORD": _token,
    "EDU_PSEUDONYM_KEY": lambda: secrets.token_hex(32),
    "AIRFLOW__API_AUTH__JWT_SECRET": _token,
    "AIRFLOW__CORE__FERNET_KEY": _fernet_key,
}


def secrets_file() -> Path:
    return var_dir() / "secrets.env"


def _read(path: Path) -> dict[str, str]:
    if not path.exists():
        return {}
    pairs = (line.split("=", 1) for line in path.read_text().splitlines() if "=" in line)
    return {key.strip(): value.strip() for key, value in pairs}


def load_secrets() -> dict[str, str]:
    """Every project secret: from the environment, else the file, else newly generated."""
    path = secrets_file()
    stored = _read(path)
    missing = [name for name in GENERATORS if name not in stored and name not in os.environ]
    if missing:
        stored.update({name: GENERATORS[name]() for name in missing})
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600, exist_ok=True)
        path.write_text("".join(f"{key}={value}\n" for key, value in sorted(stored.items())))
        path.chmod(0o600)
    return {name: os.environ.get(name, stored.get(name, "")) for name in GENERATORS}
