"""Section 1 of indicators.md: which records are learners, where, and who is the same person."""

from __future__ import annotations

import pandas as pd

from .codes import (
    FORMAL_AFFILIATIONS,
    ISCED_RANK,
    ONAB_SEX,
    census_date,
    grade_level,
    onab_grade,
    per_value,
)
from .inputs import Inputs

USABLE_ID_CLASSES = ["citizen_valid", "gcode"]
WHOLE_FILE_SOURCES = ["OPEC", "DLA"]
KEY = ["source", "academic_year", "term", "record_key"]
ENROLMENT_COLUMNS = ["academic_year", "affiliation", "district", "grade", "level", "isced",
                     "age", "sex", "is_repeater", "weight", "label"]


def latest_per_key(records: pd.DataFrame) -> pd.DataFrame:
    """§1.1-1.2: readable records; newest delivery of each OPEC/DLA file; latest per source key."""
    records = records[records["readable"].fillna(False).astype(bool)]
    if "source_ts" not in records:  # teacher ledgers may carry no timestamps: keep the last copy
        return records.drop_duplicates(KEY, keep="last")
    whole_file = records["source"].isin(WHOLE_FILE_SOURCES) & records["container"].notna()
    newest = records.groupby(["source", "academic_year", "term", "container"],
                             dropna=False)["source_ts"].transform("max")
    records = records[~whole_file | (records["source_ts"] == newest)]
    records = records.sort_values("source_ts", kind="stable", na_position="first")
    return records.drop_duplicates(KEY, keep="last").sort_index()


def has_usable_id(records: pd.DataFrame) -> pd.Series:
    return records["id_class"].isin(USABLE_ID_CLASSES) & records["id_norm"].notna()


def person_labels(records: pd.DataFrame) -> pd.Series:
    """§1.5-1.6: connected components of 'same ID' and 'previous_id equals the other's ID'.

    The label is the smallest ID of the component; a record without a usable ID is its
    own person, labelled by its source key.
    """
    usable = has_usable_id(records)
    own = records.loc[usable, "id_norm"].tolist()
    previous = records.loc[usable, "previous_id_norm"].tolist()
    parent = {i: i for i in own}

    def find(node: str) -> str:
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    for a, b in zip(own, previous, strict=True):
        if b in parent:  # only a link to an ID some record carries joins two persons
            ra, rb = sorted((find(a), find(b)))
            parent[rb] = ra
    labels = "key:" + records["source"] + "|" + records["record_key"].astype(str)
    labels[usable] = [find(i) for i in own]
    return labels


def keep_one_per_person(records: pd.DataFrame) -> pd.DataFrame:
    """§1.5 tie-breaks: latest source_ts, higher ISCED, smallest (affiliation, unit, key)."""
    ranked = records.assign(isced_rank=records["isced"].map(ISCED_RANK).fillna(-1))
    ranked = ranked.sort_values(
        ["academic_year", "label", "source_ts", "isced_rank", "source", "unit_code", "record_key"],
        ascending=[True, True, False, False, True, True, True],
        na_position="last",
        kind="stable",
    )
    return ranked.drop_duplicates(["academic_year", "label"], keep="first").drop(
        columns="isced_rank")


def census_records(records: pd.DataFrame, years: list[int] | None = None) -> pd.DataFrame:
    """§1.3-1.4: formal records of term 1 whose status is studying (after latest_per_key)."""
    census = records[(records["term"] == 1) & (records["status"] == "studying")
                     & records["source"].isin(FORMAL_AFFILIATIONS) & records["grade"].notna()]
    return census if years is None else census[census["academic_year"].isin(years)]


def failed(records: pd.DataFrame, inputs: Inputs) -> pd.Series:
    """Records of an affiliation whose extraction failed (parameter `failed_affiliations`)."""
    if not inputs.failed:
        return pd.Series(False, index=records.index)
    pairs = zip(records["source"], records["academic_year"], strict=True)
    return pd.Series([inputs.failed_in(s, int(y)) for s, y in pairs], index=records.index,
                     dtype=bool)


def placed(records: pd.DataFrame, inputs: Inputs) -> pd.Series:
    """District of each record: register, closed-unit mapping, else the source's tambon."""
    districts = pd.Series(index=records.index, dtype="object")
    for year, rows in records.groupby("academic_year"):
        districts[rows.index] = inputs.placer.place(rows, census_date(int(year), 1))
    return districts


def learner_enrolment(records: pd.DataFrame, inputs: Inputs, year: int) -> pd.DataFrame:
    """Unit-record learners counted in year Y: one kept record per person."""
    census = census_records(records, [year])
    census = census[~failed(census, inputs)]
    kept = keep_one_per_person(census.assign(label=person_labels(census)))
    return pd.DataFrame({
        "academic_year": year,
        "affiliation": kept["source"],
        "district": placed(kept, inputs),
        "grade": kept["grade"],
        "level": per_value(kept["grade"], grade_level),
        "isced": kept["isced"],
        "age": pd.to_numeric(kept["age"]).astype("float64"),
        "sex": kept["sex"].where(kept["sex"].isin(["M", "F"]), None),
        # DLA has no repeater column: its learners count as non-repeaters where R is needed.
        "is_repeater": kept["is_repeater"].fillna(False).astype(bool),
        "weight": 1,
        "label": kept["label"],
    })


def onab_enrolment(inputs: Inputs, year: int) -> pd.DataFrame:
    """§1.7: ONAB's aggregate counts as they are, split into repeaters and non-repeaters."""
    report = inputs.onab.get((year, 1), {"schools": []})
    if inputs.failed_in("ONAB", year):
        report = {"schools": []}
    rows = []
    on = census_date(year, 1)
    for school in report.get("schools", []):
        district = inputs.placer.district("ONAB", school["school_code"],
                                          school.get("tambon_code"), on)
        for cell in school.get("enrolment", []):
            grade = onab_grade(cell["grade"])
            if grade is None:  # a grade no crosswalk knows is unreadable (quality.md)
                continue
            age = cell["age"] if isinstance(cell["age"], int) else float("nan")
            repeaters = int(cell.get("repeaters") or 0)
            for is_repeater, weight in ((True, repeaters), (False, int(cell["count"]) - repeaters)):
                rows.append({
                    "academic_year": year, "affiliation": "ONAB", "district": district,
                    "grade": grade, "level": grade_level(grade),
                    "isced": "24" if grade_level(grade) == "lower_secondary" else "34",
                    "age": float(age), "sex": ONAB_SEX.get(str(cell["sex"]).strip()),
                    "is_repeater": is_repeater, "weight": weight, "label": None,
                })
    return pd.DataFrame(rows, columns=ENROLMENT_COLUMNS)


def enrolment(records: pd.DataFrame, inputs: Inputs, year: int) -> pd.DataFrame:
    """Every formal learner of year Y (ONAB cells weighted by their counts), in the province."""
    frame = pd.concat([learner_enrolment(records, inputs, year), onab_enrolment(inputs, year)],
                      ignore_index=True)
    # An empty part would leave object columns behind: fix the types the indicators rely on.
    frame = frame.astype({"is_repeater": bool, "age": "float64", "weight": "int64"})
    return frame[frame["district"].str.startswith(inputs.province, na=False)
                 & (frame["weight"] > 0)].reset_index(drop=True)


def unit_gaps(records: pd.DataFrame, inputs: Inputs, year: int) -> set[tuple[str, str]]:
    """(district, affiliation) of every unit open on the term-1 census date that delivered
    no readable learner records (ONAB: absent from the report). Failed affiliations are
    left to the `incomplete` flag."""
    on = census_date(year, 1)
    delivered_rows = records[(records["academic_year"] == year) & (records["term"] == 1)]
    delivered = set()
    for source, code in delivered_rows[["source", "unit_code"]].drop_duplicates().itertuples(
            index=False):
        delivered |= {(source, code), (source, inputs.placer.reporting_code(source, code, on))}
    report = inputs.onab.get((year, 1), {"schools": []})
    delivered |= {("ONAB", school["school_code"]) for school in report.get("schools", [])}

    registry = inputs.registry
    expected = registry[(registry["opened_on"] <= on)
                        & ~(registry["closed_on"].notna() & (registry["closed_on"] <= on))]
    return {
        (unit.tambon_code[:4], unit.affiliation)
        for unit in expected.itertuples(index=False)
        if (unit.affiliation, unit.source_code) not in delivered
        and not inputs.failed_in(unit.affiliation, year)
    }
