"""Byte-level helpers: deterministic CSV, JSON lines and zip archives."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile
from pathlib import Path

FIXED_ZIP_TIME = (2024, 1, 1, 0, 0, 0)


def csv_text(header: list[str], rows: list[list], lineterminator: str = "\r\n") -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator=lineterminator, quoting=csv.QUOTE_MINIMAL)
    writer.writerow(header)
    writer.writerows(rows)
    return buf.getvalue()


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def json_line(obj: object) -> str:
    return _JSON.encode(obj) + "\n"


def write_json(path: Path, obj: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(obj, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


class JsonlAppender:
    """Files opened on first use and appended to, so that a national run can
    write province after province without holding a year in memory."""

    def __init__(self) -> None:
        self.handles: dict[Path, io.TextIOWrapper] = {}

    def write(self, path: Path, lines: list[str]) -> None:
        fh = self.handles.get(path)
        if fh is None:
            path.parent.mkdir(parents=True, exist_ok=True)
            # Append: a national run writes each province from a new child
            # process; generate() clears the output folder before it starts.
            fh = self.handles[path] = open(path, "a", encoding="utf-8", newline="\n")  # noqa: SIM115
        fh.writelines(lines)

    def close(self) -> None:
        for fh in self.handles.values():
            fh.close()
        self.handles.clear()


class FixedTimeZip(zipfile.ZipFile):
    """A ZipFile whose members all carry one fixed timestamp (for byte-identical xlsx)."""

    def writestr(self, zinfo_or_arcname, data, compress_type=None, compresslevel=None):
        if isinstance(zinfo_or_arcname, str):
            zinfo_or_arcname = zipfile.ZipInfo(zinfo_or_arcname, date_time=FIXED_ZIP_TIME)
            zinfo_or_arcname.compress_type = zipfile.ZIP_DEFLATED
            zinfo_or_arcname.external_attr = 0o600 << 16
        return super().writestr(zinfo_or_arcname, data, compress_type, compresslevel)

    def write(self, filename, arcname=None, compress_type=None, compresslevel=None):
        with open(filename, "rb") as fh:
            data = fh.read()
        return self.writestr(arcname or Path(filename).name, data)
