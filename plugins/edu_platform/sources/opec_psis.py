"""OPEC PSIS: CSV files in a drop folder, complete only once `_MANIFEST.csv` is there.

Layout (shared/sources/opec-psis.md): `<drop>/psis/<year B.E.>/<term>/` holds
`schools.csv`, `students_<school>.csv`, `teachers_<school>.csv` and the
manifest `file,rows,sha256,exported_at`, written last.

Entities and raw columns (Thai header -> raw column; values as delivered, text;
`line_no` = the record's physical line, header = line 1, so that OPEC's key is
`file_school_code` + `line_no`, indicators.md §1.2):

- `opec_psis__schools`: รหัสโรงเรียน school_code, ชื่อโรงเรียน school_name,
  ประเภท school_type, รหัสตำบล tambon_code, สถานะ status; line_no.
- `opec_psis__students`: เลขประจำตัวประชาชน citizen_id, คำนำหน้า prefix, ชื่อ first_name,
  นามสกุล last_name, เพศ sex, วันเดือนปีเกิด birth_date, ระดับชั้น grade,
  ห้อง classroom, สัญชาติ nationality, สถานะ status, ซ้ำชั้น repeating,
  รหัสโรงเรียน school_code; file_school_code (from the file name); line_no.
- `opec_psis__teachers`: เลขประจำตัวประชาชน citizen_id, เพศ sex, วันเดือนปีเกิด birth_date,
  ตำแหน่ง position, วุฒิการศึกษา degree, ใบอนุญาตประกอบวิชาชีพ licensed,
  ระดับที่สอน levels_taught, รหัสโรงเรียน school_code; file_school_code; line_no.

One batch per file (container = path relative to the drop folder), mode
REPLACE, content hash = the file's sha256 (when the manifest's sha256 disagrees:
a hash of the file's and the manifest's, see `batch_key`): a re-delivered
identical file changes nothing; a corrected file, or a corrected manifest entry,
replaces its batch. Files not listed in the manifest are not loaded (logged).
A file that fails its manifest (rows, sha256), is in another encoding or has
drifted columns is rejected whole: one quarantine item counting the manifest's
declared rows. A file the manifest lists but the folder lacks is rejected the
same way (`manifest_rows_mismatch`, "not in the drop folder").
"""

from __future__ import annotations

import csv
import hashlib
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from edu_platform.landing.code_checks import CodeCheck, grade_and_status
from edu_platform.landing.entities import Delivery, Entity, Mode, Rejected
from edu_platform.sources.base import Batch, ExtractContext, SourceError
from edu_platform.sources.text_files import (
    MANIFEST_ROWS,
    CsvFile,
    FileProblem,
    csv_items,
    drop_dir,
    file_sha256,
    rejected_file,
)

log = logging.getLogger(__name__)

SOURCE = "opec_psis"
MANIFEST = "_MANIFEST.csv"

SCHOOL_COLUMNS = {"รหัสโรงเรียน": "school_code", "ชื่อโรงเรียน": "school_name",
                  "ประเภท": "school_type", "รหัสตำบล": "tambon_code", "สถานะ": "status"}
STUDENT_COLUMNS = {"เลขประจำตัวประชาชน": "citizen_id", "คำนำหน้า": "prefix", "ชื่อ": "first_name",
                   "นามสกุล": "last_name", "เพศ": "sex", "วันเดือนปีเกิด": "birth_date",
                   "ระดับชั้น": "grade", "ห้อง": "classroom", "สัญชาติ": "nationality",
                   "สถานะ": "status", "ซ้ำชั้น": "repeating", "รหัสโรงเรียน": "school_code"}
TEACHER_COLUMNS = {"เลขประจำตัวประชาชน": "citizen_id", "เพศ": "sex", "วันเดือนปีเกิด": "birth_date",
                   "ตำแหน่ง": "position", "วุฒิการศึกษา": "degree",
                   "ใบอนุญาตประกอบวิชาชีพ": "licensed", "ระดับที่สอน": "levels_taught",
                   "รหัสโรงเรียน": "school_code"}


@dataclass(frozen=True)
class FileKind:
    entity: Entity
    columns: dict[str, str]
    per_school: bool  # students_<code>.csv: the school code comes from the name


def _kind(name: str, columns: dict[str, str], per_school: bool,
          checks: tuple[CodeCheck, ...] = ()) -> FileKind:
    constants = ("file_school_code",) if per_school else ()
    entity_columns = (*columns.values(), *constants, "line_no")
    key = ("file_school_code", "line_no") if per_school else ("line_no",)
    entity = Entity(SOURCE, name, entity_columns, key_columns=key, checks=checks)
    return FileKind(entity, columns, per_school)


SCHOOLS = _kind("schools", SCHOOL_COLUMNS, per_school=False)
STUDENTS = _kind("students", STUDENT_COLUMNS, per_school=True,
                 checks=grade_and_status("OPEC", ("grade",)))
TEACHERS = _kind("teachers", TEACHER_COLUMNS, per_school=True)
ENTITIES = (SCHOOLS.entity, STUDENTS.entity, TEACHERS.entity)
FILE_NAME = re.compile(r"^(?:(?P<kind>students|teachers)_(?P<school>[^/]+)|schools)\.csv$")


@dataclass(frozen=True)
class ManifestEntry:
    file: str
    rows: int
    sha256: str
    exported_at: str


def read_manifest(path: Path, source_name: str) -> list[ManifestEntry]:
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            return [ManifestEntry(row["file"].strip(), int(row["rows"]), row["sha256"].strip(),
                                  row["exported_at"].strip())
                    for row in csv.DictReader(handle)]
    except (KeyError, ValueError, TypeError, csv.Error, UnicodeDecodeError) as error:
        # The manifest is the delivery's contract: without it nothing can be checked.
        raise SourceError(source_name, f"unreadable manifest {path}: {error}") from error


def file_kind(name: str) -> tuple[FileKind, tuple[str, ...]] | None:
    """(kind, constants) of a file name the manifest lists, None for a name PSIS never writes."""
    match = FILE_NAME.match(name)
    if not match:
        return None
    if match["kind"] is None:
        return SCHOOLS, ()
    return (STUDENTS if match["kind"] == "students" else TEACHERS), (match["school"],)


def _absent_file(container: str, entry: ManifestEntry) -> Iterator[Rejected]:
    problem = FileProblem(MANIFEST_ROWS, "listed in the manifest but not in the drop folder")
    yield rejected_file(container, problem, entry.rows, None)


def _batch(context: ExtractContext, root: Path, folder: Path, entry: ManifestEntry) -> Batch | None:
    found = file_kind(entry.file)
    if found is None:
        log.warning("%s: manifest lists %s, which is no PSIS file: skipped", folder, entry.file)
        return None
    kind, constants = found
    path = folder / entry.file
    container = path.relative_to(root).as_posix()
    delivery = Delivery(kind.entity, context.academic_year, context.term, container,
                        Mode.REPLACE, source_timestamp=entry.exported_at)
    if not path.is_file():
        # No content hash: the rejection's own content identifies it, so the file
        # arriving later (another hash) replaces this batch.
        return Batch(delivery, _absent_file(container, entry))
    sha256 = file_sha256(path)
    file = CsvFile(path, container, kind.columns, constants, entry.rows, entry.sha256)
    return Batch(delivery, csv_items(file, sha256), content_sha256=batch_key(sha256, entry))


def batch_key(sha256: str, entry: ManifestEntry) -> str:
    """The batch's content hash: the file's sha256 when the manifest vouches for the file.

    When the manifest disagrees, the verdict depends on the manifest too, so the
    key does: a corrected manifest (same file) then replaces the rejection
    instead of being skipped as already loaded.
    """
    if sha256 == entry.sha256.lower():
        return sha256
    return hashlib.sha256(f"{sha256}|manifest {entry.sha256} {entry.rows}".encode()).hexdigest()


def extract(context: ExtractContext) -> Iterator[Batch]:
    root = drop_dir(context)
    folder = root / "psis" / str(context.academic_year) / str(context.term)
    manifest = folder / MANIFEST
    if not manifest.is_file():
        message = f"manifest not yet delivered ({manifest})"
        if context.setting("require_manifest", "false").lower() == "true":
            raise SourceError(context.source_name, message)
        log.info("%s %s/%s: %s: nothing loaded", context.source_name, context.term,
                 context.academic_year, message)
        return
    entries = sorted(read_manifest(manifest, context.source_name), key=lambda e: e.file)
    listed = {entry.file for entry in entries}
    for path in sorted(folder.glob("*.csv")):
        if path.name not in listed and path.name != MANIFEST:
            log.warning("%s is not in the manifest (delivered after it?): not loaded", path)
    for entry in entries:
        batch = _batch(context, root, folder, entry)
        if batch is not None:
            yield batch
