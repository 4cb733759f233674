"""Looking for the project's generated secrets in text: logs, task output, dbt's files."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from urllib.parse import quote

from edu_platform.local_secrets import load_secrets


def _forms(value: str) -> set[str]:
    """The value as is and as it appears inside a URL."""
    return {value, quote(value, safe="")}


def leaked_secrets(texts: Iterable[str]) -> list[str]:
    """Names of the project's secrets whose value occurs in any of `texts`."""
    secrets = load_secrets()
    leaked = set()
    for text in texts:
        leaked |= {name for name, value in secrets.items()
                   if any(form in text for form in _forms(value))}
    return sorted(leaked)


def files_text(*folders: Path) -> Iterable[str]:
    """The text of every file under `folders` (binary files read leniently)."""
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                yield path.read_text(errors="replace")
