"""manifest.json: every file of a release folder with its size and SHA-256.

Feedback workbooks are marked for their affiliation only: they may hold clear
IDs in the sources' record keys and must not be published with the rest.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

MANIFEST_NAME = "manifest.json"
FEEDBACK_FOLDER = "feedback"
CHUNK = 1 << 20


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as content:
        while chunk := content.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _audience(relative: Path) -> str:
    if relative.parts[0] == FEEDBACK_FOLDER:
        return f"affiliation:{relative.stem}"
    return "public"


def write_manifest(folder: Path, files: list[Path], release: dict[str, object]) -> Path:
    entries = []
    for path in files:
        relative = path.relative_to(folder)
        entries.append({"path": relative.as_posix(), "bytes": path.stat().st_size,
                        "sha256": sha256_of(path), "audience": _audience(relative)})
    manifest = folder / MANIFEST_NAME
    manifest.write_text(json.dumps({"release": release, "files": entries}, ensure_ascii=False,
                                   indent=2) + "\n", encoding="utf-8")
    return manifest
