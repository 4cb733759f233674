"""The dbt `indicators` table equals the simulators' independent pandas reference.

The `rayong` province with its imperfections on (the acceptance check of the warehouse;
set EDU_INDICATORS_PRESET=tiny for a quick run) is generated, served by the simulator
servers, landed through the real extraction into a fresh warehouse database, built with
real dbt (`dbt build`: every model and gate), and every
cell of `indicators` is compared with `compute_reference(sim_dir)`: the same set of cell
keys, |value difference| <= 0.01, numerator and denominator likewise, the same flags.

Also runnable by hand against an existing warehouse database:
    python -m tests.dbt.test_indicators_match_reference WAREHOUSE_URL SIM_DIR
prints the matching and mismatching cells per indicator.
"""

from __future__ import annotations

import os
import secrets
import sys
from pathlib import Path

import pandas as pd
import psycopg
import pytest

from edu_platform.dbt_runner import run_dbt_as_transformer
from edu_platform.province_config import load_province
from edu_platform.pseudonym_key import install_pseudonym_function
from edu_platform.security.logins import login_url
from edu_platform.security.roles import LOADER
from tests.integration.conftest import (  # noqa: F401  (module fixture)
    fresh_warehouse,
    land_simulated_province,
)

pytest.importorskip("edu_simulators.servers")
from edu_simulators.generator import generate  # noqa: E402
from edu_simulators.reference import compute_reference  # noqa: E402

pytestmark = pytest.mark.slow

PRESET = os.environ.get("EDU_INDICATORS_PRESET", "rayong")
SEED = 21
KEYS = ["indicator", "academic_year", "area_code", "affiliation", "level", "grade",
        "age_group", "sex"]
TOLERANCE = 0.01


# -- comparison ---------------------------------------------------------------------------

def normalized(frame: pd.DataFrame) -> pd.DataFrame:
    """Cells keyed as text ('' for not applicable), numbers as floats, flags as text."""
    frame = frame.copy()
    for column in [*KEYS, "unit", "flags"]:
        frame[column] = frame[column].fillna("").astype(str)
    frame["academic_year"] = frame["academic_year"].str.replace(r"\.0$", "", regex=True)
    for column in ("value", "numerator", "denominator"):
        frame[column] = pd.to_numeric(frame[column], errors="coerce").astype(float)
    return frame


def close(left: pd.Series, right: pd.Series) -> pd.Series:
    both_missing = left.isna() & right.isna()
    return both_missing | ((left - right).abs() <= TOLERANCE)


def compare(reference: pd.DataFrame, actual: pd.DataFrame) -> pd.DataFrame:
    """One row per cell of either side, with what differs (empty `problem`: a match)."""
    merged = normalized(reference).merge(normalized(actual), on=KEYS, how="outer",
                                         suffixes=("_ref", "_dbt"), indicator=True)
    problems = pd.Series("", index=merged.index)
    problems[merged["_merge"] == "left_only"] = "missing in dbt"
    problems[merged["_merge"] == "right_only"] = "not in reference"
    both = merged["_merge"] == "both"
    for column in ("value", "numerator", "denominator"):
        bad = both & ~close(merged[f"{column}_ref"], merged[f"{column}_dbt"])
        problems[bad] = problems[bad] + column + " "
    bad_flags = both & (merged["flags_ref"] != merged["flags_dbt"])
    problems[bad_flags] = problems[bad_flags] + "flags "
    for column in ("unit",):
        bad = both & (merged[f"{column}_ref"] != merged[f"{column}_dbt"])
        problems[bad] = problems[bad] + column + " "
    return merged.assign(problem=problems.str.strip())


def summary(compared: pd.DataFrame) -> pd.DataFrame:
    """Matching and mismatching cells per indicator, and by kind of mismatch."""
    kinds = compared.assign(match=compared["problem"] == "")
    table = kinds.groupby("indicator").agg(cells=("match", "size"), matching=("match", "sum"))
    table["mismatching"] = table["cells"] - table["matching"]
    by_kind = (kinds[~kinds["match"]].groupby(["indicator", "problem"]).size()
               .unstack(fill_value=0))
    return table.join(by_kind).fillna(0)


def read_indicators(warehouse_url: str) -> pd.DataFrame:
    with psycopg.connect(warehouse_url) as conn:
        schema = conn.execute(
            "select table_schema from information_schema.tables where table_name = "
            "'indicators' order by table_schema = 'audit' desc limit 1").fetchone()[0]
        cursor = conn.execute(f'select * from "{schema}".indicators')
        columns = [c.name for c in cursor.description]
        return pd.DataFrame(cursor.fetchall(), columns=columns)


# -- fixtures -----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def sim(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate(PRESET, seed=SEED, out=tmp_path_factory.mktemp(PRESET))


def land_and_build(sim: Path, warehouse_url: str, scratch: Path,
                   skipped: frozenset[tuple[str, int]] = frozenset(),
                   dbt_vars: str | None = None) -> str:
    """Every source, year and term extracted (except the `skipped` (source, year) pairs,
    whose extraction "failed"), then `dbt build`; returns dbt's log."""
    with psycopg.connect(warehouse_url) as conn:
        install_pseudonym_function(conn, "test-" + secrets.token_hex(16))
        conn.commit()
    # as the pipeline does it: the loader lands, the transformer builds
    land_simulated_province(sim, login_url(warehouse_url, LOADER), skipped)
    args = ["build", "--target-path", str(scratch / "target"), "--log-path", str(scratch / "logs")]
    result = run_dbt_as_transformer([*args, *(["--vars", dbt_vars] if dbt_vars else [])],
                                    warehouse_url)
    return result.stdout + result.stderr


@pytest.fixture(scope="module")
def built(sim: Path, fresh_warehouse: str,  # noqa: F811
          tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    """Every source landed into a fresh warehouse, then `dbt build --select +indicators`."""
    return fresh_warehouse, land_and_build(sim, fresh_warehouse, tmp_path_factory.mktemp("dbt"))


@pytest.fixture(scope="module")
def compared(sim: Path, built: tuple[str, str]) -> pd.DataFrame:
    return compared_with_reference(sim, built, compute_reference(sim))


def compared_with_reference(sim: Path, built: tuple[str, str],
                            reference: pd.DataFrame) -> pd.DataFrame:
    warehouse_url, log = built
    try:
        actual = read_indicators(warehouse_url)
    except TypeError:  # no indicators table: the build failed before it
        pytest.fail("dbt built no `indicators` table:\n" + log[-5000:])
    result = compare(reference, actual)
    print(f"\n{PRESET} seed {SEED} ({sim.name}): cells per indicator\n"
          + summary(result).to_string())
    return result


# -- tests --------------------------------------------------------------------------------

def test_dbt_build_passes(built: tuple[str, str]) -> None:
    _, log = built
    assert "Completed successfully" in log or "ERROR=0" in log, log[-5000:]


def test_same_cells_as_reference(compared: pd.DataFrame) -> None:
    missing = compared[compared["problem"].isin(["missing in dbt", "not in reference"])]
    assert missing.empty, (summary(compared).to_string() + "\n"
                           + missing[[*KEYS, "problem"]].head(30).to_string())


def test_values_and_flags_equal_reference(compared: pd.DataFrame) -> None:
    differing = compared[(compared["problem"] != "")
                         & ~compared["problem"].isin(["missing in dbt", "not in reference"])]
    shown = [*KEYS, "value_ref", "value_dbt", "numerator_ref", "numerator_dbt",
             "denominator_ref", "denominator_dbt", "flags_ref", "flags_dbt", "problem"]
    assert differing.empty, (summary(compared).to_string() + "\n"
                             + differing[shown].head(30).to_string())


if __name__ == "__main__":  # python -m tests.dbt.test_indicators_match_reference URL SIM_DIR
    url, sim_dir = sys.argv[1], Path(sys.argv[2])
    reference_csv = sim_dir / "reference" / "indicators.csv"
    reference = (pd.read_csv(reference_csv, dtype={"area_code": str, "academic_year": str},
                             keep_default_na=False, na_values={"value": [""],
                                                               "numerator": [""],
                                                               "denominator": [""]})
                 if reference_csv.exists() else compute_reference(sim_dir))
    result = compare(reference, read_indicators(url))
    pd.set_option("display.width", 250)
    pd.set_option("display.max_columns", 30)
    print(summary(result).to_string())
    result.to_csv("/tmp/indicators_comparison.csv", index=False)


# -- the warn gates and the injected defects ---------------------------------------------

# warn-severity gates (by name fragment) and the generator's defects that make them warn
WARNINGS_FROM_DEFECTS = {
    "_sex": ("sex_blank", "sex_unknown"),
    "id_class__citizen_valid__gcode": ("id_checksum", "id_blank", "id_malformed"),
    "age_plausible": ("birth_implausible_grade", "birth_be_ce", "birth_impossible"),
}
# warnings the methods themselves produce (quality.md: district cells above 105 where
# children study across district lines; reconstructed flows outside 0-100; PTR bounds)
METHOD_WARNINGS = ("ner_aner_dirty", "flow_rates_out_of_range", "ptr_within_configured_bounds")


def gate_statuses(warehouse_url: str) -> dict[str, tuple[str, int]]:
    with psycopg.connect(warehouse_url) as conn:
        rows = conn.execute(
            "select unique_id, status, coalesce(failures, 0) from audit.gate_results "
            "where invocation_id = (select invocation_id from audit.gate_results "
            "order by recorded_at desc limit 1)").fetchall()
    return {unique_id: (status, failures) for unique_id, status, failures in rows}


def injected_defects(sim: Path) -> dict[str, int]:
    import json

    generation = json.loads((sim / "generation.json").read_text(encoding="utf-8"))
    return {**generation["defects"],
            **{key: len(items) for key, items in generation["notes"].items()}}


def test_no_error_gate_fails(built: tuple[str, str]) -> None:
    failed = {uid: status for uid, (status, _) in gate_statuses(built[0]).items()
              if status not in ("pass", "warn")}
    assert not failed


def test_warnings_match_the_injected_defects(sim: Path, built: tuple[str, str]) -> None:
    """Every warning is explained by a defect the generator injected (or is one the
    methods produce), and every injected defect a warn gate watches made it warn."""
    defects = injected_defects(sim)
    warned = {uid: failures for uid, (status, failures) in gate_statuses(built[0]).items()
              if status == "warn"}
    assert warned
    for uid in warned:
        if any(fragment in uid for fragment in METHOD_WARNINGS):
            continue
        causes = [keys for fragment, keys in WARNINGS_FROM_DEFECTS.items() if fragment in uid]
        assert causes, f"warning {uid} matches no injected defect"
        assert any(defects.get(key, 0) for key in causes[0]), (uid, causes[0])
    for fragment, keys in WARNINGS_FROM_DEFECTS.items():
        if any(defects.get(key, 0) for key in keys):
            assert any(fragment in uid for uid in warned), f"{keys} injected, no warning"


# -- publication of the province --------------------------------------------------------

def test_publishes_release_1_then_2_without_revisions(
        built: tuple[str, str], tmp_path_factory: pytest.TempPathFactory) -> None:
    """The whole province is published with every file; a second clean publication of the
    same build is release 2 with an empty revision list."""
    from edu_platform.release.publish import publish_release
    from edu_platform.security.roles import PUBLISHER

    files_root = tmp_path_factory.mktemp("releases")
    as_publisher = login_url(built[0], PUBLISHER)
    first = publish_release(as_publisher, load_province("rayong"), files_root)
    second = publish_release(as_publisher, load_province("rayong"), files_root)
    assert (first.number, second.number, second.revision_count) == (1, 2, 0)
    for release in (first, second):
        names = {path.relative_to(release.files_dir).as_posix()
                 for path in release.files_dir.rglob("*") if path.is_file()}
        assert {"indicators.csv", "indicators.xlsx", "indicators.json", "indicators_sdmx.csv",
                "report.html", "manifest.json"} <= names
        assert any(name.startswith("feedback/") for name in names)
