"""A source whose extraction failed: `incomplete` cells, as the reference flags them.

OPEC's extraction of 2567 is skipped (as if PSIS had been down for both terms) and dbt is
told so through the var `failed_affiliations`; the reference is computed with the same
failure (`compute_reference(..., failed_affiliations=[("OPEC", 2567)])`, which leaves
OPEC's 2567 data out). Every cell must still match: OPEC's own 2567 cells and the ALL
cells of every formal indicator of 2567 and of the flows labelled 2566 are `incomplete`,
and OPEC's units are not reported as gaps.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from tests.dbt.test_indicators_match_reference import (
    KEYS,
    compared_with_reference,
    land_and_build,
)
from tests.integration.conftest import fresh_warehouse  # noqa: F401  (module fixture)

pytest.importorskip("edu_simulators.servers")
from edu_simulators.generator import generate  # noqa: E402
from edu_simulators.reference import compute_reference  # noqa: E402

pytestmark = pytest.mark.slow

FAILED = [("OPEC", 2567)]
DBT_VARS = '{failed_affiliations: [{affiliation: OPEC, academic_year: 2567}]}'


@pytest.fixture(scope="module")
def sim(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small province: what is checked is the flagging, not the scale."""
    return generate("tiny", seed=21, out=tmp_path_factory.mktemp("tiny"))


@pytest.fixture(scope="module")
def built(sim: Path, fresh_warehouse: str,  # noqa: F811
          tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    log = land_and_build(sim, fresh_warehouse, tmp_path_factory.mktemp("dbt"),
                         skipped={("opec_psis", 2567)}, dbt_vars=DBT_VARS)
    return fresh_warehouse, log


@pytest.fixture(scope="module")
def compared(sim: Path, built: tuple[str, str]) -> pd.DataFrame:  # noqa: F811
    return compared_with_reference(sim, built,
                                   compute_reference(sim, failed_affiliations=FAILED))


def test_incomplete_cells_exist(compared: pd.DataFrame) -> None:
    flagged = compared[compared["flags_dbt"].fillna("").str.contains("incomplete")]
    assert set(flagged["affiliation"]) >= {"ALL", "OPEC"}
    assert set(flagged["academic_year"]) == {"2566", "2567"}


def test_every_cell_matches_reference(compared: pd.DataFrame) -> None:
    differing = compared[compared["problem"] != ""]
    assert differing.empty, differing[[*KEYS, "value_ref", "value_dbt", "flags_ref",
                                       "flags_dbt", "problem"]].head(30).to_string()
