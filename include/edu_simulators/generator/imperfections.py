"""Which defects to inject and how often; the defect codes written to the ledger."""

from __future__ import annotations

import random
from dataclasses import asdict, dataclass, fields


@dataclass(frozen=True)
class Imperfections:
    """Rates of every imperfection the source specifications say to expect.

    Record rates are per record; ``*_file`` rates per file (at least one file gets
    each file defect when its rate is above 0, so every run exercises them).
    """

    # identifiers
    id_checksum: float = 0.004
    id_blank: float = 0.003
    id_null_text: float = 0.02  # DLP only ('NULL' text vs SQL NULL)
    id_dashes: float = 0.02  # OVEC: x10, its IDs are "often" dashed
    id_spaces: float = 0.004
    id_thai_digits: float = 0.004
    id_malformed: float = 0.002
    # birth dates and ages
    birth_be_ce: float = 0.004
    birth_day_00: float = 0.004
    birth_month_00: float = 0.002
    birth_impossible: float = 0.002
    birth_blank: float = 0.003
    birth_implausible_grade: float = 0.002
    birth_text: float = 0.05  # DLA text dates instead of Excel dates
    birth_thai_digits: float = 0.02
    age_disagrees: float = 0.03  # DLA typed age
    # sex
    sex_blank: float = 0.01
    sex_unknown: float = 0.002
    # codes
    grade_spelling: float = 0.05
    unknown_grade: float = 0.0008
    unknown_status: float = 0.0008
    missing_key: float = 0.0008
    # text
    trailing_space: float = 0.01
    formula_name: float = 0.002
    # duplicates and timestamps
    obec_resubmit_school: float = 0.03
    ovec_resubmit: float = 0.005
    ts_z: float = 0.15
    # layout
    dla_merged_cell: float = 0.05  # per unit block in a workbook
    dla_blank_row: float = 0.01
    opec_blank_line: float = 0.01
    # whole files / units
    opec_cut_short_file: float = 0.01
    opec_sha_mismatch_file: float = 0.01
    opec_bad_encoding_file: float = 0.01
    opec_schema_drift_file: float = 0.01
    dla_bad_workbook_file: float = 0.003
    dla_renamed_sheet_file: float = 0.003
    onab_missing_school: float = 0.01
    onab_unknown_age: float = 0.02
    dopa_total_mismatch: float = 0.004
    # A population register that misses this share of residents (migrants not registered,
    # say). Off by default: at 0.1 or more the province's NER exceeds 105, which is an
    # error gate (quality.md), so tests switch it up to see a release blocked.
    dopa_undercount: float = 0.0

    @classmethod
    def none(cls) -> Imperfections:
        return cls(**{f.name: 0.0 for f in fields(cls)})

    def as_dict(self) -> dict[str, float]:
        return asdict(self)


class Dice:
    """A seeded coin per defect: draws only when the rate is above 0, so that
    ``Imperfections.none()`` consumes no randomness a defect would have used."""

    def __init__(self, rates: Imperfections, rng: random.Random) -> None:
        self.rates = rates
        self.rng = rng
        self._rate = rates.as_dict()
        self._random = rng.random

    def __call__(self, name: str, factor: float = 1.0) -> bool:
        rate = self._rate[name] * factor
        return rate > 0 and self._random() < rate

    def pick_files(self, name: str, candidates: list, rng: random.Random) -> list:
        rate = getattr(self.rates, name)
        if rate <= 0 or not candidates:
            return []
        n = max(1, round(rate * len(candidates)))
        return rng.sample(candidates, min(n, len(candidates)))


# Quarantine reason codes shared with the pipeline (docs/simulators.md).
MANIFEST_ROWS = "manifest_rows_mismatch"
MANIFEST_SHA = "manifest_sha256_mismatch"
BAD_ENCODING = "bad_encoding"
SCHEMA_DRIFT = "schema_drift"
BAD_WORKBOOK = "bad_workbook"
RENAMED_SHEET = "renamed_sheet"
MISSING_KEY = "missing_key"
UNKNOWN_GRADE = "unknown_grade"
UNKNOWN_STATUS = "unknown_status"
