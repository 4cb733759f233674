"""Delivered CSV files: content hash, encoding detection, and records with their line numbers.

Shared by the file-drop connectors (OPEC PSIS, DOPA, the PEO register). A file is
read as a stream, a few times at most (hash; encoding; validate; emit), never
held in memory whole: a file that fails validation must be rejected before any
of its rows reach the raw zone, so validation is a pass of its own.

Values are kept exactly as delivered (trailing spaces, Thai digits, thousands
separators, cells beginning with `=`); only blank lines are skipped, because
they are not records. Trimming and parsing are dbt staging's job.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import logging
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlparse

from edu_platform.landing.entities import Delivery, RawRow, Rejected
from edu_platform.sources.base import Batch, ExtractContext, SourceError

log = logging.getLogger(__name__)

CHUNK_BYTES = 1 << 20
# `utf-8-sig` reads UTF-8 with or without a BOM, so one codec covers both PSIS variants.
UTF8 = "utf-8-sig"
TIS620 = "cp874"  # Windows' superset of TIS-620, which PSIS actually writes

# Quarantine reason codes (docs/simulators.md); `malformed_csv` is ours: broken quoting.
BAD_ENCODING = "bad_encoding"
SCHEMA_DRIFT = "schema_drift"
MANIFEST_ROWS = "manifest_rows_mismatch"
MANIFEST_SHA = "manifest_sha256_mismatch"
MALFORMED_CSV = "malformed_csv"


class EncodingProblem(ValueError):
    """The file is neither UTF-8 nor TIS-620 (or holds a NUL byte)."""


def drop_dir(context: ExtractContext) -> Path:
    """The drop folder: a path or a `file://` URL (a file share is mounted, not fetched)."""
    value = context.setting("drop_dir")
    parsed = urlparse(value)
    if parsed.scheme == "file":
        return Path(unquote(parsed.path))
    if parsed.scheme and len(parsed.scheme) > 1:  # not a Windows drive letter
        raise SourceError(context.source_name, f"drop_dir scheme {parsed.scheme!r} is not "
                          "supported: mount the share and give its path")
    return Path(value)


def file_sha256(path: Path) -> str:
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def _decode_problem(path: Path, encoding: str) -> str | None:
    """Why `path` does not decode as `encoding` (streamed), or None when it does."""
    decoder = codecs.getincrementaldecoder(encoding)()
    offset = 0
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK_BYTES):
            if b"\x00" in chunk:  # UTF-16 and binary files; no text codec we accept has NULs
                return f"NUL byte at offset {offset + chunk.index(0)}"
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as error:
                return (f"byte 0x{error.object[error.start]:02x} at offset "
                        f"{offset + error.start} is not {encoding}")
            offset += len(chunk)
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return f"the file ends inside a {encoding} character"
    return None


def detect_encoding(path: Path) -> str:
    """UTF-8 when the file has a BOM or is valid UTF-8, else TIS-620; anything else raises.

    The order matters: a TIS-620 file is almost never valid UTF-8, while any
    UTF-8 file with Thai text decodes as (garbage) cp874.
    """
    with open(path, "rb") as handle:
        head = handle.read(4)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise EncodingProblem("UTF-16 byte order mark")
    candidates = (UTF8,) if head.startswith(codecs.BOM_UTF8) else (UTF8, TIS620)
    problems = []
    for encoding in candidates:
        problem = _decode_problem(path, encoding)
        if problem is None:
            return encoding
        problems.append(problem)
    raise EncodingProblem("; ".join(problems))


def csv_lines(path: Path, encoding: str) -> Iterator[tuple[int, list[str]]]:
    """(physical line number where the record starts, cells) of every non-blank record.

    Line 1 is the header. A quoted cell may span lines, so a record's number is
    the line after the previous record's last one (csv's `line_num`).
    """
    with open(path, encoding=encoding, newline="") as handle:
        reader = csv.reader(handle, strict=True)
        start = 1
        for cells in reader:
            if any(cell.strip() for cell in cells):
                yield start, cells
            start = reader.line_num + 1


def normalise_header(cell: str) -> str:
    return " ".join(cell.split())


def header_drift(header: list[str], expected: Mapping[str, str]) -> str | None:
    """What differs between a file's header and the expected one, or None (order is free)."""
    names = [normalise_header(cell) for cell in header]
    extra = [name for name in names if name not in expected]
    missing = [name for name in expected if name not in names]
    doubled = sorted({name for name in names if names.count(name) > 1})
    parts = [f"{label}: {', '.join(values)}" for label, values in
             (("extra columns", extra), ("missing columns", missing),
              ("repeated columns", doubled)) if values]
    return "; ".join(parts) or None


@dataclass(frozen=True)
class CsvFile:
    """One delivered CSV file and what the connector knows about it beforehand."""

    path: Path
    container: str  # path relative to the drop folder
    columns: Mapping[str, str]  # header as delivered -> raw column name, in raw order
    constants: tuple[str, ...] = ()  # values taken from the file name, appended to each row
    declared_rows: int | None = None  # from a manifest
    declared_sha256: str | None = None


@dataclass(frozen=True)
class FileProblem:
    reason: str
    detail: str
    readable_rows: int | None = None  # data rows that could be read, if any could


def _scan(file: CsvFile, encoding: str) -> tuple[int, str | None, str | None]:
    """(data rows, header drift, ragged-row problem) in one streamed pass."""
    rows, drift, ragged, width = 0, None, None, 0
    for line_no, cells in csv_lines(file.path, encoding):
        if not width:  # the first non-blank record is the header
            drift = header_drift(cells, file.columns)
            width = len(cells)
            continue
        rows += 1
        if ragged is None and len(cells) != width:
            ragged = f"line {line_no} has {len(cells)} fields, the header {width}"
    if not width:
        drift = "no header row"
    return rows, drift, ragged


def validate(file: CsvFile, sha256: str) -> tuple[str | None, FileProblem | None]:
    """(encoding, None) when the file can be loaded, else (None, why it is rejected whole).

    Order: encoding, then the manifest's row count (a file cut short also fails
    its hash, and the shorter count is the clearer message), then the hash, then
    the columns.
    """
    try:
        encoding = detect_encoding(file.path)
    except EncodingProblem as error:
        return None, FileProblem(BAD_ENCODING, str(error))
    try:
        rows, drift, ragged = _scan(file, encoding)
    except csv.Error as error:
        return None, FileProblem(MALFORMED_CSV, str(error))
    if file.declared_rows is not None and rows != file.declared_rows:
        return None, FileProblem(MANIFEST_ROWS, f"manifest declares {file.declared_rows} rows, "
                                 f"the file has {rows}", rows)
    if file.declared_sha256 is not None and sha256 != file.declared_sha256.lower():
        return None, FileProblem(MANIFEST_SHA, f"manifest sha256 {file.declared_sha256}, "
                                 f"the file's {sha256}", rows)
    if drift or ragged:
        return None, FileProblem(SCHEMA_DRIFT, "; ".join(p for p in (drift, ragged) if p), rows)
    return encoding, None


def rejected_file(container: str, problem: FileProblem, declared_rows: int | None,
                  sha256: str | None) -> Rejected:
    """A file rejected whole: the manifest's rows when it has one, else what could be read,
    else one row for the file (quality.md, gate policy)."""
    rows = declared_rows if declared_rows is not None else (problem.readable_rows or 1)
    content = f"{container} (sha256 {sha256 or 'n/a'})"
    return Rejected(container, problem.reason, content, problem.detail, rows)


def csv_items(file: CsvFile, sha256: str) -> Iterator[RawRow | Rejected]:
    """The file's records as raw rows, or one `Rejected` for the whole file.

    Lazy: `load_batch` skips iterating when the content hash is already loaded,
    so an unchanged file is never validated or parsed again.
    """
    encoding, problem = validate(file, sha256)
    if problem is not None:
        log.warning("%s rejected whole: %s (%s)", file.container, problem.reason, problem.detail)
        yield rejected_file(file.container, problem, file.declared_rows, sha256)
        return
    assert encoding is not None
    lines = csv_lines(file.path, encoding)
    header = [normalise_header(cell) for cell in next(lines)[1]]
    positions = [header.index(name) for name in file.columns]
    for line_no, cells in lines:
        values = tuple(cells[i] for i in positions)
        yield RawRow((*values, *file.constants, str(line_no)), f"line {line_no}", sha256)


def csv_batch(delivery: Delivery, file: CsvFile) -> Batch:
    """One file, one batch; its sha256 is the content hash, so an unchanged file is skipped."""
    sha256 = file_sha256(file.path)
    return Batch(delivery, csv_items(file, sha256), content_sha256=sha256)
