"""Secrets generated on first use and kept in an ignored file, never in the repository.

A value set in the environment always wins, so a deployment can bring its own
secrets manager; otherwise the project generates one, stores it in
`var/secrets.env` (mode 0600) and reuses it on every later run. Concurrent
first runs agree on one value: generation happens under a file lock.
"""

from __future__ import annotations

import base64
import fcntl
import os
import secrets
from collections.abc import Callable
from pathlib import Path

from edu_platform.paths import var_dir
from edu_platform.security.roles import LOGIN_PASSWORD_SECRETS


def _token() -> str:
    return secrets.token_urlsafe(24)


def _fernet_key() -> str:
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()


GENERATORS: dict[str, Callable[[], str]] = {
    "EDU_PG_SUPERUSER_PASSWORD": _token,
    "EDU_PSEUDONYM_KEY": lambda: secrets.token_hex(32),
    "AIRFLOW__API_AUTH__JWT_SECRET": _token,
    "AIRFLOW__CORE__FERNET_KEY": _fernet_key,
    # the warehouse's login roles (edu_platform.security)
    **{name: _token for name in LOGIN_PASSWORD_SECRETS},
}


def secrets_file() -> Path:
    return var_dir() / "secrets.env"


def _read(path: Path) -> dict[str, str]:
    if not path.exists():
        return {}
    pairs = (line.split("=", 1) for line in path.read_text().splitlines() if "=" in line)
    return {key.strip(): value.strip() for key, value in pairs}


def _missing(stored: dict[str, str]) -> list[str]:
    return [name for name in GENERATORS if name not in stored and name not in os.environ]


def _generate_missing(path: Path) -> dict[str, str]:
    """Add the missing secrets to the file, one process at a time (all must agree)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    lock = path.with_name(f"{path.name}.lock")
    with lock.open("a") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        stored = _read(path)  # another process may have just written them
        stored.update({name: GENERATORS[name]() for name in _missing(stored)})
        staged = path.with_name(f"{path.name}.new")
        staged.touch(mode=0o600)
        staged.chmod(0o600)
        staged.write_text("".join(f"{key}={value}\n" for key, value in sorted(stored.items())))
        staged.replace(path)
    return stored


def load_secrets() -> dict[str, str]:
    """Every project secret: from the environment, else the file, else newly generated."""
    path = secrets_file()
    stored = _read(path)
    if _missing(stored):
        stored = _generate_missing(path)
    return {name: os.environ.get(name, stored.get(name, "")) for name in GENERATORS}
