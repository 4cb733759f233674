"""The dbt macros, generic tests and seeds, run by real dbt against the real warehouse.

Each dbt invocation costs seconds, so the cases are batched: one `dbt show --inline`
evaluates every macro case as a row (case number, result as text) and the tests compare
the rows with what the domain rules say. These runs write to a scratch target and log
folder, so that they never race another run over `dbt_project/target/`; only the
key-leak check also runs once with the default folders, which it then searches.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import json
import random
import shutil
import subprocess
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from edu_platform.dbt_runner import run_dbt
from edu_platform.paths import dbt_project_dir, var_dir
from edu_platform.pseudonym_key import install_pseudonym_function

KEY_A = "test-key-a-" + uuid.uuid4().hex
KEY_B = "test-key-b-" + uuid.uuid4().hex


# -- helpers ------------------------------------------------------------------------------

def check_digit(first12: str) -> int:
    """The citizen-ID rule, written here independently of the macro."""
    return (11 - sum(int(d) * (13 - i) for i, d in enumerate(first12)) % 11) % 10


def citizen_id(first12: str) -> str:
    return first12 + str(check_digit(first12))


def wrong_check_digit(cid: str) -> str:
    return cid[:12] + str((int(cid[12]) + 1) % 10)


def _ids_with_check_digit(wanted: int, rng: random.Random) -> str:
    while True:
        body = "".join(rng.choice("0123456789") for _ in range(12))
        if check_digit(body) == wanted:
            return body + str(wanted)


RNG = random.Random(2567)
# Valid IDs for every possible check digit, so that (11 - s mod 11) mod 10 is hit at 0 and 1.
VALID_IDS = [_ids_with_check_digit(d, RNG) for d in range(10)]
THAI = str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙")


def lit(value: str | None) -> str:
    """An SQL literal, as a Jinja string literal (the argument a macro takes)."""
    text = "null" if value is None else "'" + value.replace("'", "''") + "'"
    return json.dumps(text, ensure_ascii=False)


def pseudonym(key: str, value: str) -> str:
    return hmac.new(key.encode(), value.encode(), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Dbt:
    warehouse_url: str
    target_path: Path
    log_path: Path

    def run(self, args: Sequence[str], *, vars: dict | None = None, default_paths: bool = False,
            env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        extra = [] if default_paths else ["--target-path", str(self.target_path),
                                          "--log-path", str(self.log_path)]
        if vars:
            extra += ["--vars", json.dumps(vars)]
        return run_dbt([*args, *extra], self.warehouse_url, extra_env=env)

    def show(self, query: str, **kwargs) -> list[dict]:
        result = self.run(["show", "--inline", query, "--output", "json", "--limit", "-1",
                           "--quiet"], **kwargs)
        assert result.returncode == 0, result.stdout + result.stderr
        return json.loads(result.stdout)["show"]


def cases_query(cases: dict[str, str]) -> str:
    """One row per case: (its number, the rendered expression's value as text)."""
    return "\nunion all\n".join(
        f"select {number} as case_no, cast(({expr}) as text) as actual"
        for number, expr in enumerate(cases.values()))


def show_cases(dbt: Dbt, cases: dict[str, str], setup: str = "",
               **kwargs) -> dict[str, str | None]:
    rows = dbt.show(setup + cases_query(cases), **kwargs)
    names = list(cases)
    return {names[row["case_no"]]: row["actual"] for row in rows}


def mismatches(actual: dict[str, str | None], expected: dict[str, str | None]) -> dict:
    return {case: (actual.get(case), want) for case, want in expected.items()
            if actual.get(case) != want}


# -- the cases ----------------------------------------------------------------------------

def identifier_cases() -> tuple[dict[str, str], dict[str, str | None]]:
    cases: dict[str, str] = {}
    expected: dict[str, str | None] = {}

    def add(case: str, expr: str, want: str | None) -> None:
        cases[case], expected[case] = expr, want

    valid = VALID_IDS[3]
    dashed = f"{valid[0]}-{valid[1:5]}-{valid[5:10]}-{valid[10:12]}-{valid[12]}"
    for typed, want in [
        (dashed, valid), (f" {valid} ", valid), (f"{valid[:1]} {valid[1:5]} {valid[5:]}", valid),
        (valid.translate(THAI), valid), (dashed.translate(THAI), valid),
        (valid.replace("1", "1."), valid),
        ("g" + valid[:12], "G" + valid[:12]), ("NULL", None), ("null", None), (" Null ", None),
        ("", None), ("   ", None), ("-", None), (None, None), ("12-34", "1234"),
    ]:
        add(f"normalize {typed!r}", f"{{{{ normalize_person_id({lit(typed)}) }}}}", want)
    for i, cid in enumerate(VALID_IDS):
        add(f"class valid {i}", f"{{{{ person_id_class({lit(cid)}) }}}}", "citizen_valid")
        add(f"class invalid {i}", f"{{{{ person_id_class({lit(wrong_check_digit(cid))}) }}}}",
            "citizen_invalid")
    for typed, want in [
        ("G" + "0" * 11 + "1", "gcode"), ("G12345678901", "malformed"),
        ("G1234567890123", "malformed"), (valid[:12], "malformed"), (valid + "0", "malformed"),
        ("ABC", "malformed"), (valid.translate(THAI), "malformed"), (None, "none"),
    ]:
        add(f"class {typed!r}", f"{{{{ person_id_class({lit(typed)}) }}}}", want)
    for typed, want in [(dashed.translate(THAI), "citizen_valid"), ("NULL", "none"),
                        (" g" + "1" * 12, "gcode"), ("1-2345", "malformed")]:
        add(f"class of normalized {typed!r}",
            f"{{{{ person_id_class(normalize_person_id({lit(typed)})) }}}}", want)
    add("thai digits", f"{{{{ thai_digits_to_ascii({lit('๐๑๒๓๔๕๖๗๘๙ ป.๑')}) }}}}", "0123456789 ป.1")
    for typed, want in [(" ป.  ๑ ", "ป. 1"), ("อนุบาล\u00a01", "อนุบาล 1"), ("ม.\u200b1", "ม.1"),
                        ("  ", None), (None, None)]:
        add(f"lookup key {typed!r}", f"{{{{ code_lookup_key({lit(typed)}) }}}}", want)
    return cases, expected


def date_cases() -> tuple[dict[str, str], dict[str, str | None]]:
    cases: dict[str, str] = {}
    expected: dict[str, str | None] = {}
    be = [
        ("2560-05-12", "2017-05-12"), ("2560-05-00", "2017-05-15"), ("2560-00-00", "2017-07-01"),
        ("2560-00-12", "2017-07-01"), ("2560-02-31", None), ("2560-13-01", None),
        ("2560-04-31", None), ("2559-02-29", "2016-02-29"), ("2560-02-29", None),
        ("12/05/2560", "2017-05-12"), ("๑๒/๐๕/๒๕๖๐", "2017-05-12"), ("1/5/2560", "2017-05-01"),
        ("00/05/2560", "2017-05-15"), ("00/00/2560", "2017-07-01"), ("31/02/2560", None),
        (" 12/05/2560 ", "2017-05-12"), ("2560-05-12 00:00:00", "2017-05-12"),
        ("๒๕๖๐-๐๕-๑๒", "2017-05-12"), ("", None), ("  ", None), ("abc", None),
        ("12/05/60", None), ("0543-01-01", None), (None, None),
    ]
    ce = [
        ("2017-05-12", "2017-05-12"), ("2560-05-12", "2017-05-12"), ("2399-01-01", "2399-01-01"),
        ("2017-02-30", None), ("2017-05-00", "2017-05-15"), ("12/05/2017", "2017-05-12"),
    ]
    for era, pairs in (("BE", be), ("CE", ce)):
        for typed, want in pairs:
            case = f"date {era} {typed!r}"
            cases[case] = f"{{{{ parse_thai_date({lit(typed)}, '{era}') }}}}"
            expected[case] = want
    cases["date CE from a date value"] = "{{ parse_thai_date(\"date '2010-03-04'\", 'CE') }}"
    expected["date CE from a date value"] = "2010-03-04"
    for parts, era, want in [
        ((2560, 5, 12), "BE", "2017-05-12"), ((2559, 2, 29), "BE", "2016-02-29"),
        ((2560, 2, 29), "BE", None), ((2560, 0, 5), "BE", "2017-07-01"),
        ((2560, 5, 0), "BE", "2017-05-15"), ((2560, 5, 32), "BE", None),
        (("null", 5, 1), "BE", None), ((543, 1, 1), "BE", None),
        ((2017, 1, 31), "CE", "2017-01-31"),
        (("'2560'", "'05'", "'12'"), "BE", "2017-05-12"),
    ]:
        case = f"parts {parts} {era}"
        args = ", ".join(json.dumps(str(p)) for p in parts)
        cases[case] = f"{{{{ be_date_from_parts({args}, '{era}') }}}}"
        expected[case] = want
    return cases, expected


def age_cases() -> tuple[dict[str, str], dict[str, str | None]]:
    cases: dict[str, str] = {}
    expected: dict[str, str | None] = {}
    # Academic year 2567: reference day 16 May 2024, term-1 census 10 June 2024.
    for born, want in [
        ("2017-05-16", "7"), ("2017-05-17", "6"), ("2017-05-15", "7"), ("2016-02-29", "8"),
        ("2022-05-16", "2"), ("2022-05-17", None), ("1925-05-16", "99"), ("1924-05-17", "99"),
        ("1924-05-16", None), ("2024-06-10", None), ("2024-06-11", None), ("2030-01-01", None),
        (None, None),
    ]:
        born_sql = "null" if born is None else f"date '{born}'"
        case = f"age born {born}"
        cases[case] = f"{{{{ age_on_reference({json.dumps(born_sql)}, 2567) }}}}"
        expected[case] = want
    cases["age, academic year as text"] = (
        "{{ age_on_reference(\"date '2017-05-16'\", \"'2567'\") }}")
    expected["age, academic year as text"] = "7"
    cases["age of a B.E. text date, month 00"] = (
        "{{ age_on_reference(parse_thai_date(\"'00/00/2560'\"), 2567) }}")
    expected["age of a B.E. text date, month 00"] = "6"
    for typed, want in [(1, None), (2, "2"), (99, "99"), (100, None), ("null", None)]:
        cases[f"bounded age {typed}"] = f"{{{{ bounded_age({json.dumps(str(typed))}) }}}}"
        expected[f"bounded age {typed}"] = want
    return cases, expected


def count_cases() -> tuple[dict[str, str], dict[str, str | None]]:
    cases: dict[str, str] = {}
    expected: dict[str, str | None] = {}
    for typed, want in [
        ("1,234", "1234"), ("๑,๒๓๔", "1234"), (" 12 ", "12"), ("1 234", "1234"),
        ("1,234,567", "1234567"), ("0", "0"), ("", None), ("-", None), ("abc", None),
        ("12.5", None), ("-5", None), (None, None),
    ]:
        cases[f"count {typed!r}"] = f"{{{{ thai_count({lit(typed)}) }}}}"
        expected[f"count {typed!r}"] = want
    for typed, want in [
        ("0", "0"), ("7", "7"), ("99", "99"), ("100 ปีขึ้นไป", "100"), ("๑๐๐ ปีขึ้นไป", "100"),
        ("100ปีขึ้นไป", "100"), ("100+", "100"), (" 42 ", "42"), ("abc", None), ("", None),
        ("ไม่ทราบ", None), (None, None),
    ]:
        cases[f"dopa age {typed!r}"] = f"{{{{ dopa_age({lit(typed)}) }}}}"
        expected[f"dopa age {typed!r}"] = want
    return cases, expected


PSEUDONYM_INPUTS = {
    "pseudonym dashed": ("1-2345-67890-12-1", "1234567890121"),
    "pseudonym plain": ("1234567890121", "1234567890121"),
    "pseudonym thai digits": ("๑๒๓๔๕๖๗๘๙๐๑๒๑", "1234567890121"),
    "pseudonym gcode": ("g 1234 5678 9012", "G123456789012"),
    "pseudonym null": ("NULL", None),
}


def pseudonym_cases() -> dict[str, str]:
    return {case: f"{{{{ pseudonymize(normalize_person_id({lit(typed)})) }}}}"
            for case, (typed, _) in PSEUDONYM_INPUTS.items()}


def expected_pseudonyms(key: str) -> dict[str, str | None]:
    return {case: None if norm is None else pseudonym(key, norm)
            for case, (_, norm) in PSEUDONYM_INPUTS.items()}


# Generic tests run on a scratch table; expected: rows failing, as each test counts them.
GENERIC_TABLE_ROWS = [
    # id_norm, sex, grp, numerator, age, note
    (VALID_IDS[0], "T", "a", 10, 5, "pseudonym " + "ab" * 32),
    (VALID_IDS[1], "M", "a", 4, 2, "0123456789abcdef" * 4),
    (wrong_check_digit(VALID_IDS[2]), "F", "a", 5, 99, "ป.1 ด.ช.สมชาย"),
    ("G123456789012", "U", "a", 1, 100, f"id {VALID_IDS[4].translate(THAI)} in text"),
    ("12345", "T", "b", 7, 1, f"student  {wrong_check_digit(VALID_IDS[5])}"),
    (None, "M", "b", 3, None, "G123456789012"),
    (None, "F", "b", 3, None, "x" + VALID_IDS[6]),
    (None, "T", "c", 0, None, None),
    (None, "T", "c", 0, None, None),
]
GENERIC_EXPECTED = {
    "valid_thai_citizen_id": "3",  # citizen_invalid, gcode, malformed; nulls pass
    "within_bounds 2-99": "2",  # ages 1 and 100
    "within_bounds min only": "1",
    # a: T 10 = 4 + 5 + 1; b: T 7 != 3 + 3; c: T 0 and no parts (0 = 0)
    "totals_equal_sum_of_parts": "1",
    "totals_equal_sum_of_parts, tolerance 1": "0",
    # the valid ID (in Thai digits) inside a text and the G-code; hex strings, a wrong
    # check digit and an ID glued to a word pass
    "no_clear_identifiers": "2",
    "no_clear_identifiers, any 13 digits": "3",
    "no_clear_identifiers on pseudonyms": "0",
    "accepted_codes_from_seed": "2",  # T and U are not in sex_crosswalk.sex
    "unique_combination_of_columns": "1",  # (c, T) twice
    "is_lookup_key": "2",  # the double space, the Thai digits
}


def generic_cases(schema: str) -> tuple[str, dict[str, str]]:
    """(Jinja set-up naming the scratch relations, case -> failing-row count query)."""
    setup = "".join(
        f"{{% set {name} = api.Relation.create(database=target.database, schema='{schema}', "
        f"identifier='{table}') %}}"
        for name, table in (("rel", "generic_cases"), ("pseudo", "pseudonyms")))

    def failures(call: str, fail_calc: str = "count(*)") -> str:
        return f"select {fail_calc} from ({call}) as failures"

    ids_sum, values_sum = "coalesce(sum(failing_rows), 0)", "coalesce(sum(failing_values), 0)"
    return setup, {
        "valid_thai_citizen_id": failures(
            "{{ test_valid_thai_citizen_id(rel, 'id_norm') }}", ids_sum),
        "within_bounds 2-99": failures("{{ test_within_bounds(rel, 'age', 2, 99) }}"),
        "within_bounds min only": failures("{{ test_within_bounds(rel, 'age', min_value=2) }}"),
        "totals_equal_sum_of_parts": failures(
            "{{ test_totals_equal_sum_of_parts(rel, total_filter=\"sex = 'T'\", "
            "parts_filter=\"sex in ('M', 'F', 'U')\", group_by=['grp'], measure='numerator') }}"),
        "totals_equal_sum_of_parts, tolerance 1": failures(
            "{{ test_totals_equal_sum_of_parts(rel, total_filter=\"sex = 'T'\", "
            "parts_filter=\"sex <> 'T'\", group_by='grp', column_name='numerator', "
            "tolerance=1) }}"),
        "no_clear_identifiers": failures(
            "{{ test_no_clear_identifiers(rel, 'note') }}", values_sum),
        "no_clear_identifiers, any 13 digits": failures(
            "{{ test_no_clear_identifiers(rel, 'note', any_13_digits=true) }}", values_sum),
        "no_clear_identifiers on pseudonyms": failures(
            "{{ test_no_clear_identifiers(pseudo, 'value') }}", values_sum),
        "accepted_codes_from_seed": failures(
            "{{ test_accepted_codes_from_seed(rel, 'sex', 'sex_crosswalk', 'sex') }}"),
        "unique_combination_of_columns": failures(
            "{{ test_unique_combination_of_columns(rel, ['grp', 'sex']) }}"),
        "is_lookup_key": failures("{{ test_is_lookup_key(rel, 'note') }}"),
    }


# -- fixtures -----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def dbt(runtime) -> Iterator[Dbt]:
    """dbt with its own target and log folders (under var/, removed afterwards)."""
    folder = var_dir() / "test-scratch" / f"dbt-{uuid.uuid4().hex[:10]}"
    folder.mkdir(parents=True)
    yield Dbt(runtime.databases.warehouse_url, folder / "target", folder / "logs")
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="module")
def scratch_schema(runtime) -> Iterator[str]:
    """A schema with the generic tests' table and a pseudonym function keyed with KEY_A."""
    name = f"edu_test_{uuid.uuid4().hex[:10]}"
    url = runtime.databases.warehouse_url
    schema = sql.Identifier(name)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(sql.SQL("create schema {}").format(schema))
        conn.execute(sql.SQL("create table {}.generic_cases (id_norm text, sex text, grp text,"
                             " numerator integer, age integer, note text)").format(schema))
        with conn.cursor() as cur:
            cur.executemany(sql.SQL("insert into {}.generic_cases values (%s, %s, %s, %s, %s, %s)")
                            .format(schema), GENERIC_TABLE_ROWS)
            hexes = [pseudonym(KEY_A, citizen_id(f"{n:012d}")) for n in range(0, 10**12, 10**9)]
            hexes.append("ab" + VALID_IDS[7] + "cd" * 24)  # a valid ID inside a hex word
            conn.execute(sql.SQL("create table {}.pseudonyms (value text)").format(schema))
            cur.executemany(sql.SQL("insert into {}.pseudonyms values (%s)").format(schema),
                            [(h,) for h in hexes])
        install_pseudonym_function(conn, KEY_A, schema_name=name)
    yield name
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(sql.SQL("drop schema {} cascade").format(schema))


def function_vars(schema: str) -> dict[str, str]:
    return {"pseudonym_function": f"{schema}.pseudonym"}


@pytest.fixture(scope="module")
def seeded(dbt: Dbt) -> subprocess.CompletedProcess[str]:
    result = dbt.run(["seed"])
    assert result.returncode == 0, result.stdout + result.stderr
    return result


ALL_CASES = [identifier_cases, date_cases, age_cases, count_cases]


@pytest.fixture(scope="module")
def macro_results(dbt: Dbt, seeded, scratch_schema: str) -> dict[str, str | None]:
    """Every case of every macro and generic test, from one `dbt show`."""
    cases: dict[str, str] = {}
    for make in ALL_CASES:
        cases.update(make()[0])
    cases.update(pseudonym_cases())
    setup, generic = generic_cases(scratch_schema)
    cases.update(generic)
    return show_cases(dbt, cases, setup, vars=function_vars(scratch_schema))


# -- macros -------------------------------------------------------------------------------

@pytest.mark.parametrize("make", ALL_CASES, ids=lambda make: make.__name__)
def test_macro_cases(macro_results, make) -> None:
    assert mismatches(macro_results, make()[1]) == {}


def test_generic_tests_count_the_failing_rows(macro_results) -> None:
    assert mismatches(macro_results, GENERIC_EXPECTED) == {}


def test_settings_change_the_rules(dbt: Dbt) -> None:
    cases = {
        "age on 1 June": "{{ age_on_reference(\"date '2017-05-20'\", 2567) }}",
        "C.E. field read as typed": "{{ parse_thai_date(\"'2560-05-12'\", 'CE') }}",
        "bound": "{{ bounded_age('1') }}",
    }
    actual = show_cases(dbt, cases, vars={
        "age_reference_month_day": "06-01", "ce_field_be_year_threshold": None,
        "age_min_plausible": 1})
    assert actual == {"age on 1 June": "7", "C.E. field read as typed": "2560-05-12",
                             "bound": "1"}


def test_a_bad_setting_fails_the_compilation_clearly(dbt: Dbt) -> None:
    result = dbt.run(["show", "--inline", "select {{ age_on_reference('null', 2567) }}"],
                     vars={"age_reference_month_day": "16-05"})
    assert result.returncode != 0
    assert "age_reference_month_day" in result.stdout + result.stderr


# -- pseudonyms ---------------------------------------------------------------------------

def test_pseudonyms_are_the_keyed_hmac_of_the_normalized_id(macro_results) -> None:
    assert mismatches(macro_results, expected_pseudonyms(KEY_A)) == {}
    assert macro_results["pseudonym dashed"] == macro_results["pseudonym thai digits"]


def test_pseudonyms_change_with_the_key_and_are_stable_otherwise(
        runtime, dbt: Dbt, scratch_schema: str, macro_results) -> None:
    cases = pseudonym_cases()
    with psycopg.connect(runtime.databases.warehouse_url, autocommit=True) as conn:
        assert install_pseudonym_function(conn, KEY_B, schema_name=scratch_schema) is True
        assert install_pseudonym_function(conn, KEY_B, schema_name=scratch_schema) is False
        with_b = show_cases(dbt, cases, vars=function_vars(scratch_schema))
        install_pseudonym_function(conn, KEY_A, schema_name=scratch_schema)
    again_a = show_cases(dbt, cases, vars=function_vars(scratch_schema))
    assert mismatches(with_b, expected_pseudonyms(KEY_B)) == {}
    assert with_b["pseudonym plain"] != macro_results["pseudonym plain"]
    assert again_a == {case: macro_results[case] for case in PSEUDONYM_INPUTS}


def test_the_key_table_is_readable_only_through_the_function(runtime, scratch_schema) -> None:
    role = f"edu_test_role_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(runtime.databases.warehouse_url, autocommit=True) as conn:
        conn.execute(sql.SQL("create role {}").format(sql.Identifier(role)))
        try:
            install_pseudonym_function(conn, KEY_A, grant_to=[role], schema_name=scratch_schema)
            with conn.transaction():
                conn.execute(sql.SQL("set local role {}").format(sql.Identifier(role)))
                value = conn.execute(sql.SQL("select {}.pseudonym('x')").format(
                    sql.Identifier(scratch_schema))).fetchone()[0]
                assert value == pseudonym(KEY_A, "x")
                with pytest.raises(psycopg.errors.InsufficientPrivilege):
                    conn.execute(sql.SQL("select key from {}.pseudonym_key").format(
                        sql.Identifier(scratch_schema)))
                raise psycopg.Rollback()
        finally:
            conn.execute(sql.SQL("drop owned by {}").format(sql.Identifier(role)))
            conn.execute(sql.SQL("drop role {}").format(sql.Identifier(role)))
    with pytest.raises(ValueError):
        install_pseudonym_function(conn, "")


def test_no_key_lands_in_dbt_artifacts(dbt: Dbt, scratch_schema: str, runtime) -> None:
    """A run with the default target and log folders, the key even in dbt's environment."""
    with psycopg.connect(runtime.databases.warehouse_url, autocommit=True) as conn:
        install_pseudonym_function(conn, KEY_B, schema_name=scratch_schema)
    result = dbt.run(["show", "--inline", cases_query(pseudonym_cases()), "--output", "json"],
                     vars=function_vars(scratch_schema), default_paths=True,
                     env={"EDU_PSEUDONYM_KEY": KEY_B})
    assert result.returncode == 0, result.stdout + result.stderr
    assert pseudonym(KEY_B, "1234567890121") in result.stdout
    project = dbt_project_dir()
    searched = [project / "target", project / "logs", dbt.target_path, dbt.log_path]
    files = [path for folder in searched if folder.exists()
             for path in folder.rglob("*") if path.is_file()]
    assert any(path.is_relative_to(project / "target") for path in files)
    leaks = [str(path) for path in files
             if KEY_A.encode() in path.read_bytes() or KEY_B.encode() in path.read_bytes()]
    assert leaks == []


# -- seeds --------------------------------------------------------------------------------

def seed_files() -> list[Path]:
    return sorted((dbt_project_dir() / "seeds").glob("*.csv"))


def read_seed(name: str) -> list[dict[str, str]]:
    with (dbt_project_dir() / "seeds" / f"{name}.csv").open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_dbt_seed_loads_every_seed(runtime, seeded) -> None:
    names = [path.stem for path in seed_files()]
    assert len(names) >= 15
    with psycopg.connect(runtime.databases.warehouse_url) as conn:
        for name in names:
            assert f"seeds.{name} " in seeded.stdout, name
            loaded = conn.execute(sql.SQL("select count(*) from seeds.{}").format(
                sql.Identifier(name))).fetchone()[0]
            assert loaded == len(read_seed(name)), name


def test_seed_tests_pass(dbt: Dbt, seeded) -> None:
    # cautious: only the seeds' own tests, not tests of models that also read a seed
    result = dbt.run(["test", "--select", "resource_type:seed", "--indirect-selection", "cautious"])
    assert result.returncode == 0, result.stdout + result.stderr
    assert " ERROR=0 " in result.stdout and " WARN=0 " in result.stdout


def test_crosswalks_know_every_spelling_the_simulators_write() -> None:
    """The simulators' vocabulary is the sources' contract in code; unknown words stay out."""
    vocab = pytest.importorskip("edu_simulators.generator.vocab")
    units = pytest.importorskip("edu_simulators.generator.units")
    grades = {(r["source"], r["spelling"]): r["grade"] for r in read_seed("grade_crosswalk")}
    for affiliation, _type, _weight, offered in units.KIND_INFO.values():
        if affiliation in ("OBEC", "OPEC", "DLA", "ONAB"):
            for grade in offered:
                for spelling in [vocab.canonical(grade, affiliation), *vocab.variants(grade)]:
                    assert grades.get((affiliation, spelling)) == grade, (affiliation, spelling)
    assert not {spelling for _, spelling in grades} & set(vocab.UNKNOWN_GRADES)
    statuses = {(r["source"], r["spelling"]): r["status"] for r in read_seed("status_crosswalk")}
    for source, words in vocab.STATUS.items():
        for status, word in words.items():
            assert statuses[(source, word)] == status
    assert not {spelling for _, spelling in statuses} & set(vocab.UNKNOWN_STATUSES)
    prefixes = {r["prefix"]: r["sex"] for r in read_seed("name_prefix_sex")}
    assert all(prefixes[p] == "M" for p in vocab.MALE_PREFIXES)
    assert all(prefixes[p] == "F" for p in vocab.FEMALE_PREFIXES)
    degrees = {r["spelling"]: r["degree"] for r in read_seed("degree_crosswalk")}
    assert all(degrees[word] == code for code, word in vocab.DEGREE_TH.items())
    assert all(degrees[code] == code for code in vocab.DEGREES)
    levels = {r["spelling"]: r["level"] for r in read_seed("level_taught_crosswalk")}
    for words in (vocab.LEVEL_WORD, vocab.VOC_LEVEL_WORD):
        assert all(levels[word] == code for code, word in words.items())
