"""Structural invariants of the reference indicators on the generator's `tiny` preset.

Skipped until the generator and its CLI (`edu-sim generate`) exist.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

pytest.importorskip("edu_simulators.generator")
pytest.importorskip("edu_simulators.cli")

from edu_simulators.reference import compute_reference  # noqa: E402

KEYS = ["indicator", "academic_year", "area_code", "affiliation", "level", "grade",
        "age_group", "sex"]
FLAGS = {"capped", "dirty", "incomplete", "low_n", "out_of_range", "unit_gap"}


@pytest.fixture(scope="module")
def ref(tmp_path_factory: pytest.TempPathFactory) -> pd.DataFrame:
    out = tmp_path_factory.mktemp("tiny")
    # The documented command line (docs/simulators.md), whatever main()'s signature.
    run = [sys.executable, "-c", "import sys; from edu_simulators.cli import main; "
           "sys.exit(main())", "generate", "--preset", "tiny", "--seed", "7", "--out", str(out)]
    subprocess.run(run, check=True, timeout=600)
    return compute_reference(Path(out))


def test_every_indicator_is_produced(ref: pd.DataFrame) -> None:
    produced = set(ref["indicator"])
    for indicator in ["GER", "NER", "ANER", "OOSR", "GPI_GER", "GPIA_GER", "PTR", "QUAL_TCH",
                      "CERT_TCH", "OVERAGE", "GIR_LAST", "REP", "PROM", "DROP", "TRANS",
                      "REP_COHORT", "PROM_COHORT", "DROP_COHORT", "TRANS_COHORT", "NFE_ENR"]:
        assert indicator in produced, indicator


def test_keys_unique_flags_known_values_present(ref: pd.DataFrame) -> None:
    assert not ref.duplicated(KEYS).any()
    assert ref["value"].notna().all()
    used = {flag for flags in ref["flags"] if flags for flag in flags.split(",")}
    assert used <= FLAGS
    rated = ref[ref["indicator"] != "NFE_ENR"]
    assert (rated["denominator"] != 0).all()


def numerators(ref: pd.DataFrame, indicator: str, pivot: str) -> pd.DataFrame:
    cells = ref[ref["indicator"] == indicator]
    others = [k for k in KEYS if k != pivot]
    return cells.pivot_table(index=others, columns=pivot, values="numerator", aggfunc="sum")


def test_sex_total_is_at_least_males_plus_females(ref: pd.DataFrame) -> None:
    # T = M + F + unknown sex: equal for population denominators, >= for counts.
    for indicator in ["GER", "NFE_ENR", "OVERAGE"]:
        table = numerators(ref, indicator, "sex").fillna(0)
        assert (table["T"] + 1e-9 >= table.get("M", 0) + table.get("F", 0)).all(), indicator
    ger = ref[ref["indicator"] == "GER"].pivot_table(
        index=["academic_year", "area_code", "affiliation", "level"], columns="sex",
        values="denominator")
    assert ger["T"].to_numpy() == pytest.approx((ger["M"] + ger["F"]).to_numpy())


def test_province_is_the_sum_of_its_districts_for_ger(ref: pd.DataFrame) -> None:
    ger = ref[ref["indicator"] == "GER"].copy()
    province = ger["area_code"].str.len().min()
    ger["is_province"] = ger["area_code"].str.len() == province
    keys = ["academic_year", "affiliation", "level", "sex"]
    whole = ger[ger["is_province"]].set_index(keys)[["numerator", "denominator"]]
    parts = ger[~ger["is_province"]].groupby(keys)[["numerator", "denominator"]].sum()
    assert whole.to_numpy() == pytest.approx(parts.reindex(whole.index).fillna(0).to_numpy())


def test_all_is_the_sum_of_the_affiliations_for_ger(ref: pd.DataFrame) -> None:
    table = numerators(ref, "GER", "affiliation").fillna(0)
    parts = table.drop(columns="ALL").sum(axis=1)
    assert table["ALL"].to_numpy() == pytest.approx(parts.to_numpy())


def test_oosr_mirrors_aner(ref: pd.DataFrame) -> None:
    keys = [k for k in KEYS if k != "indicator"]
    aner = ref[ref["indicator"] == "ANER"].set_index(keys)
    oosr = ref[ref["indicator"] == "OOSR"].set_index(keys)
    joined = oosr.join(aner, how="inner", suffixes=("", "_aner"))
    assert len(joined) == len(oosr)
    assert (joined["value"] + joined["value_aner"]).to_numpy() == pytest.approx(100)
    assert (joined["flags"] == joined["flags_aner"]).all()
