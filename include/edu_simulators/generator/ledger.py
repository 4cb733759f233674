"""The ground-truth ledger (docs/simulators.md): streamed to Parquet in batches."""

from __future__ import annotations

import csv
from datetime import date, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from . import rules
from .vocab import ISCED

LEARNER_SCHEMA = pa.schema([
    ("source", pa.string()), ("academic_year", pa.int32()), ("term", pa.int32()),
    ("record_key", pa.string()), ("container", pa.string()), ("person_uid", pa.int64()),
    ("defects", pa.string()), ("readable", pa.bool_()), ("quarantine_reason", pa.string()),
    ("unit_code", pa.string()), ("tambon_code", pa.string()), ("id_norm", pa.string()),
    ("id_class", pa.string()), ("previous_id_norm", pa.string()), ("sex", pa.string()),
    ("birth_date", pa.date32()), ("age", pa.int32()), ("grade", pa.string()),
    ("isced", pa.string()), ("status", pa.string()), ("is_repeater", pa.bool_()),
    ("source_ts", pa.timestamp("us", tz="UTC")), ("dlp_learner_id", pa.int64()),
])
TEACHER_SCHEMA = pa.schema([
    ("source", pa.string()), ("academic_year", pa.int32()), ("term", pa.int32()),
    ("record_key", pa.string()), ("container", pa.string()), ("person_uid", pa.int64()),
    ("defects", pa.string()), ("readable", pa.bool_()), ("quarantine_reason", pa.string()),
    ("unit_code", pa.string()), ("id_norm", pa.string()), ("id_class", pa.string()),
    ("sex", pa.string()), ("is_director", pa.bool_()), ("degree", pa.string()),
    ("licensed", pa.bool_()), ("levels", pa.list_(pa.string())), ("fte", pa.float64()),
])
POPULATION_SCHEMA = pa.schema([
    ("district_code", pa.string()), ("ce_year", pa.int32()), ("age", pa.int32()),
    ("sex", pa.string()), ("count", pa.int64()),
])
FILES_HEADER = ["source", "academic_year", "term", "container", "defect", "declared_rows",
                "quarantine_reason"]
UNREADABLE_DEFECTS = {"missing_key": "missing_key", "unknown_grade": "unknown_grade",
                      "unknown_status": "unknown_status"}


class _Stream:
    """Rows kept as tuples in schema order, turned into columns at each flush."""

    def __init__(self, path: Path, schema: pa.Schema, batch_rows: int = 200_000) -> None:
        self.path, self.schema, self.batch_rows = path, schema, batch_rows
        self.rows: list[tuple] = []
        self.writer: pq.ParquetWriter | None = None
        self.count = 0

    def append(self, row: dict) -> None:
        self.add(tuple(row.get(name) for name in self.schema.names))

    def add(self, row: tuple) -> None:
        self.rows.append(row)
        self.count += 1
        if len(self.rows) >= self.batch_rows:
            self.flush()

    def flush(self) -> None:
        if not self.rows and self.writer is not None:
            return
        columns = list(zip(*self.rows, strict=True)) or [[] for _ in self.schema.names]
        table = pa.Table.from_arrays(
            [pa.array(col, type=f.type) for col, f in zip(columns, self.schema, strict=True)],
            schema=self.schema)
        if self.writer is None:
            self.writer = pq.ParquetWriter(self.path, self.schema, compression="zstd")
        self.writer.write_table(table)
        self.rows = []

    def write_table(self, table: pa.Table) -> None:
        self.flush()
        if self.writer is None:
            self.writer = pq.ParquetWriter(self.path, self.schema, compression="zstd")
        self.writer.write_table(table)
        self.count += table.num_rows

    def close(self) -> None:
        self.flush()
        if self.writer is not None:
            self.writer.close()


class Ledger:
    def __init__(self, out: Path) -> None:
        out.mkdir(parents=True, exist_ok=True)
        self.learners = _Stream(out / "learner_records.parquet", LEARNER_SCHEMA)
        self.teachers = _Stream(out / "teacher_records.parquet", TEACHER_SCHEMA)
        self.population = _Stream(out / "population.parquet", POPULATION_SCHEMA)
        self.files_path = out / "files.csv"
        self.files: list[list] = []
        self.defect_counts: dict[str, int] = {}

    def _count(self, defects: list[str]) -> None:
        for d in defects:
            self.defect_counts[d] = self.defect_counts.get(d, 0) + 1

    @staticmethod
    def reason(defects: list[str], file_reason: str | None) -> str | None:
        if file_reason:
            return file_reason
        # One reason per record, in the order a reader meets them: the key, then the codes.
        return next((UNREADABLE_DEFECTS[d] for d in UNREADABLE_DEFECTS if d in defects), None)

    def learner(self, *, source: str, year: int, term: int, key: str, container: str | None,
                uid: int, defects: list[str], file_reason: str | None, unit_code: str | None,
                tambon: str | None, id_text: str | None, previous_id: str | None,
                sex: str | None, birth: date | None, grade: str | None, status: str | None,
                repeater: bool | None, ts_utc: datetime, typed_age: int | None = None,
                dlp_learner_id: int | None = None) -> None:
        """Values are as delivered (sex already read from code or prefix,
        ``birth`` already parsed from the source's format); the age rules apply here."""
        reason = self.reason(defects, file_reason)
        id_norm = rules.normalize_id(id_text)
        birth_read, age = rules.read_birth(birth, year, term, typed_age)
        self._count(defects)
        unit = unit_code.strip() if unit_code else None
        # In LEARNER_SCHEMA order.
        self.learners.add((
            source, year, term, key, container, uid, ";".join(defects), reason is None, reason,
            unit or None, tambon, id_norm, rules.classify_id(id_norm),
            rules.normalize_id(previous_id), sex, birth_read, age, grade,
            ISCED.get(grade) if grade else None, status, repeater, ts_utc, dlp_learner_id))

    def teacher(self, *, source: str, year: int | None, term: int | None, key: str,
                container: str | None, uid: int, defects: list[str], file_reason: str | None,
                unit_code: str | None, id_text: str | None, sex: str | None, is_director: bool,
                degree: str, licensed: bool, levels: list[str], fte: float) -> None:
        self._count(defects)
        id_norm = rules.normalize_id(id_text)
        unit = unit_code.strip() if unit_code else None
        self.teachers.append({
            "source": source, "academic_year": year, "term": term, "record_key": key,
            "container": container, "person_uid": uid, "defects": ";".join(defects),
            "readable": file_reason is None, "quarantine_reason": file_reason,
            "unit_code": unit or None, "id_norm": id_norm, "id_class": rules.classify_id(id_norm),
            "sex": sex, "is_director": is_director, "degree": degree, "licensed": licensed,
            "levels": levels, "fte": fte,
        })

    def rejected_file(self, source: str, year: int, term: int, container: str, defect: str,
                      declared_rows: int, reason: str) -> None:
        self.files.append([source, year, term, container, defect, declared_rows, reason])
        self._count([defect])

    def merge_part(self, part: Path, files: list[list], defects: dict[str, int]) -> None:
        """Append a ledger part written by another process (see parallel.py)."""
        for stream in (self.learners, self.teachers):
            path = part / stream.path.name
            if path.exists():
                stream.write_table(pq.read_table(path, schema=stream.schema))
        self.files.extend(files)
        for name, n in defects.items():
            self.defect_counts[name] = self.defect_counts.get(name, 0) + n

    def close(self) -> None:
        self.learners.close()
        self.teachers.close()
        self.population.close()
        with open(self.files_path, "w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh, lineterminator="\n")
            writer.writerow(FILES_HEADER)
            writer.writerows(self.files)
