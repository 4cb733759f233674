"""The HTTP simulators against the source contracts, over real HTTP on 127.0.0.1.

Each test serves a small hand-written ``served/`` folder (``build_served``), so
the suite needs neither the generator nor any network beyond loopback.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from edu_simulators.servers import Credentials, Endpoints, Faults, running_servers

CREDS = Credentials(obec_api_key="key-1", ovec_client_id="client-1",
                    ovec_client_secret="secret-1", onab_user="onab", onab_password="pw-1")
# The instant 2024-06-10T03:00:00Z written both ways: a filter must treat them alike.
STUDENT_TIMES = [
    "2024-06-01T09:00:00+07:00", "2024-06-10T10:00:00+07:00", "2024-06-10T03:30:00Z",
    "2024-06-10T03:30:00Z", "2024-06-11T08:00:00+07:00", "2024-06-09T23:59:59Z",
    "2024-06-12T00:00:00Z",
]
STUDENT_KEYS = ["S001", "S002", "S003", "S003", "S004", "S005", "S006"]  # S003 re-submitted
OVEC_ROWS = 11


def _jsonl(path: Path, records: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records),
                    encoding="utf-8")


def build_served(root: Path) -> Path:
    """A tiny simulation folder: a few records per source, as the generator writes them."""
    served = root / "served"
    (served / "obec").mkdir(parents=True)
    schools = [
        {"school_code": "1021010001", "smis_code": "21010001", "name_th": "โรงเรียนบ้านหนึ่ง",
         "area_office": "สพป.ระยอง เขต 1", "tambon_code": "210101", "status": "เปิด",
         "merged_into": None, "latitude": 12.68, "longitude": 101.27},
        {"school_code": "1021010002", "smis_code": "21010002", "name_th": "โรงเรียนบ้านสอง",
         "area_office": "สพป.ระยอง เขต 1", "tambon_code": "210102", "status": "ยุบรวม",
         "merged_into": "1021010001", "latitude": 12.7, "longitude": 101.3},
        {"school_code": "1022010001", "smis_code": "22010001", "name_th": "โรงเรียนจันทบุรี",
         "area_office": "สพป.จันทบุรี เขต 1", "tambon_code": "220101", "status": "เปิด",
         "merged_into": None, "latitude": 12.6, "longitude": 102.1},
    ]
    (served / "obec" / "schools.json").write_text(json.dumps(schools, ensure_ascii=False),
                                                  encoding="utf-8")
    students = [
        {"student_key": key, "citizen_id": "1-1037-02071-83-1", "previous_id": None,
         "prefix": "ด.ช.", "first_name": "สมชาย", "last_name": "ใจดี", "sex": "1",
         "birth_date": "2555-05-00", "grade": "ป.6", "classroom": "1",
         "school_code": "1021010001" if i % 2 == 0 else "1021010002",
         "nationality": "ไทย", "disadvantaged": False, "status": "กำลังศึกษา",
         "is_repeater": False, "updated_at": ts}
        for i, (key, ts) in enumerate(zip(STUDENT_KEYS, STUDENT_TIMES, strict=True))
    ]
    _jsonl(served / "obec" / "students_2567_1.jsonl", students)
    _jsonl(served / "obec" / "teachers_2567_1.jsonl", [
        {"teacher_key": f"T{i}", "citizen_id": "", "sex": "2", "birth_date": "2520-01-01",
         "position": "ครู", "highest_degree": "ปริญญาตรี", "has_teaching_license": True,
         "levels_taught": ["ประถม"], "fte": 1.0, "school_code": "1021010001",
         "updated_at": "2024-06-01T09:00:00+07:00"} for i in range(2)])
    (served / "ovec").mkdir()
    (served / "ovec" / "colleges.json").write_text(json.dumps([
        {"collegeId": "2121010001", "nameTh": "วิทยาลัยเทคนิคระยอง",
         "nameEn": "Rayong Technical College", "tambonCode": "210101",
         "collegeType": "วิทยาลัยเทคนิค"}], ensure_ascii=False), encoding="utf-8")
    _jsonl(served / "ovec" / "enrollments_2024_1.jsonl", [
        {"studentId": f"V{i:03d}", "nationalId": "1-2345-67890-12-1", "firstNameTh": "ก",
         "lastNameTh": "ข", "gender": "M", "dateOfBirth": "2008-01-01", "programLevel": "ปวช.",
         "yearOfStudy": 1, "programCode": "20101", "programName": "ช่างยนต์",
         "studyMode": "ปกติ", "collegeId": "2121010001", "status": "studying",
         "repeating": False, "lastModified": "2024-06-01T02:00:00Z"} for i in range(OVEC_ROWS)])
    _jsonl(served / "ovec" / "teachers_2024_1.jsonl", [
        {"staffId": "ST1", "nationalId": None, "gender": "F", "dateOfBirth": "1980-02-02",
         "employmentType": "contract", "qualification": "master", "certified": True,
         "levels": ["ปวช."], "fte": 0.5, "collegeId": "2121010001"}])
    (served / "onab").mkdir()
    report = {"year": 2567, "term": 1, "generated_at": "2024-06-20T09:12:00+07:00",
              "schools": [{"school_code": "P2101001", "school_name": "โรงเรียนพระปริยัติธรรม",
                           "tambon_code": "210103",
                           "enrolment": [{"grade": "ม.1", "age": 12, "sex": "ชาย",
                                          "count": 14, "repeaters": 0}],
                           "teachers": {"total": 2, "with_bachelor": 2, "with_license": 1,
                                        "levels": {"มัธยมต้น": 2}}}]}
    (served / "onab" / "enrolment_2567_1.json").write_text(
        json.dumps(report, ensure_ascii=False), encoding="utf-8")
    (root / "generation.json").write_text(json.dumps({"preset": "fixture", "seed": 0}))
    return root


@pytest.fixture(scope="module")
def sim_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_served(tmp_path_factory.mktemp("sim"))


@pytest.fixture
def ep(sim_dir: Path) -> Iterator[Endpoints]:
    with running_servers(sim_dir, credentials=CREDS) as endpoints:
        yield endpoints


def obec_get(ep: Endpoints, path: str, key: str | None = CREDS.obec_api_key,
             **params: object) -> requests.Response:
    headers = {"X-API-Key": key} if key else {}
    return requests.get(ep.obec_url + path, params=params, headers=headers, timeout=5)


def ovec_token(ep: Endpoints) -> str:
    answer = requests.post(f"{ep.ovec_url}/oauth/token", timeout=5, data={
        "grant_type": "client_credentials", "client_id": CREDS.ovec_client_id,
        "client_secret": CREDS.ovec_client_secret})
    assert answer.status_code == 200
    body = answer.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] >= 0
    return body["access_token"]


def ovec_get(ep: Endpoints, path: str, token: str, **params: object) -> requests.Response:
    return requests.get(f"{ep.ovec_url}{path}", params=params, timeout=5,
                        headers={"Authorization": f"Bearer {token}"})


def onab_get(ep: Endpoints, auth: tuple[str, str], **params: object) -> requests.Response:
    return requests.get(f"{ep.onab_url}/reports/enrolment", params=params, auth=auth, timeout=5)


# ---- OBEC -----------------------------------------------------------------

@pytest.mark.parametrize("key", [None, "wrong"])
def test_obec_rejects_missing_or_wrong_key(ep: Endpoints, key: str | None) -> None:
    answer = obec_get(ep, "/v1/students", key=key, academic_year=2567, term=1)
    assert answer.status_code == 401
    assert answer.json() == {"error": "unauthorized"}


def test_obec_schools_by_province(ep: Endpoints) -> None:
    answer = obec_get(ep, "/v1/schools", province=21)
    assert answer.status_code == 200
    codes = [s["school_code"] for s in answer.json()["data"]]
    assert codes == ["1021010001", "1021010002"]


def test_obec_pages_follow_next_links_in_file_order(ep: Endpoints) -> None:
    seen, pages = [], []
    answer = obec_get(ep, "/v1/students", academic_year=2567, term=1, page=1, page_size=3)
    while True:
        body = answer.json()
        assert body["total"] == len(STUDENT_KEYS) and body["page_size"] == 3
        pages.append(body["page"])
        seen += [r["student_key"] for r in body["data"]]
        if body["next"] is None:
            break
        assert body["next"].startswith("/v1/students?")
        answer = requests.get(ep.obec_url + body["next"], timeout=5,
                              headers={"X-API-Key": CREDS.obec_api_key})
    assert pages == [1, 2, 3]
    assert seen == STUDENT_KEYS  # re-submitted copies adjacent, nothing lost


def test_obec_page_size_cap(ep: Endpoints) -> None:
    assert obec_get(ep, "/v1/students", academic_year=2567, term=1,
                    page_size=5000).status_code == 200
    answer = obec_get(ep, "/v1/students", academic_year=2567, term=1, page_size=5001)
    assert answer.status_code == 400
    assert answer.json()["error"] == "bad_request" and "5000" in answer.json()["detail"]


def test_obec_missing_year_is_bad_request(ep: Endpoints) -> None:
    answer = obec_get(ep, "/v1/students", term=1)
    assert answer.status_code == 400 and answer.json()["error"] == "bad_request"


@pytest.mark.parametrize("since", ["2024-06-10T03:00:00Z", "2024-06-10T10:00:00+07:00"])
def test_obec_updated_since_compares_instants(ep: Endpoints, since: str) -> None:
    answer = obec_get(ep, "/v1/students", academic_year=2567, term=1, page_size=2,
                      updated_since=since)
    body = answer.json()
    # After 03:00Z: both copies of S003 (03:30Z), S004 (01:00Z on the 11th), S006.
    # Not S002 (exactly 03:00Z) nor S005 (the 9th).
    assert body["total"] == 4
    assert [r["student_key"] for r in body["data"]] == ["S003", "S003"]
    assert "updated_since=" in body["next"]
    second = requests.get(ep.obec_url + body["next"], timeout=5,
                          headers={"X-API-Key": CREDS.obec_api_key}).json()
    assert [r["student_key"] for r in second["data"]] == ["S004", "S006"]
    assert second["next"] is None


def test_obec_updated_since_needs_an_offset(ep: Endpoints) -> None:
    answer = obec_get(ep, "/v1/students", academic_year=2567, term=1,
                      updated_since="2024-06-10T03:00:00")
    assert answer.status_code == 400


def test_obec_school_code_filter(ep: Endpoints) -> None:
    body = obec_get(ep, "/v1/students", academic_year=2567, term=1,
                    school_code="1021010002").json()
    assert [r["student_key"] for r in body["data"]] == ["S002", "S003", "S005"]


def test_obec_year_not_held_is_empty(ep: Endpoints) -> None:
    answer = obec_get(ep, "/v1/teachers", academic_year=2550, term=1)
    assert answer.status_code == 200
    assert answer.json() == {"data": [], "page": 1, "page_size": 1000, "total": 0, "next": None}


def test_answers_are_deterministic(ep: Endpoints, sim_dir: Path) -> None:
    params = {"academic_year": 2567, "term": 1, "page": 2, "page_size": 2}
    first = obec_get(ep, "/v1/students", **params).content
    assert obec_get(ep, "/v1/students", **params).content == first
    with running_servers(sim_dir, credentials=CREDS) as other:  # a fresh server too
        assert obec_get(other, "/v1/students", **params).content == first


# ---- OVEC -----------------------------------------------------------------

def test_ovec_rejects_bad_client_and_bad_token(ep: Endpoints) -> None:
    answer = requests.post(f"{ep.ovec_url}/oauth/token", timeout=5, data={
        "grant_type": "client_credentials", "client_id": CREDS.ovec_client_id,
        "client_secret": "nope"})
    assert answer.status_code == 401 and answer.json() == {"error": "invalid_client"}
    answer = ovec_get(ep, "/api/colleges", "not-a-token")
    assert answer.status_code == 401 and answer.json() == {"error": "invalid_token"}
    assert answer.headers["X-Api-Version"] == "2"


def test_ovec_colleges_list(ep: Endpoints) -> None:
    answer = ovec_get(ep, "/api/colleges", ovec_token(ep))
    assert answer.status_code == 200 and answer.headers["X-Api-Version"] == "2"
    assert [c["collegeId"] for c in answer.json()] == ["2121010001"]


def _ovec_pull(ep: Endpoints, token: str, limit: int) -> tuple[list[str], list[int]]:
    ids, sizes, offset = [], [], 0
    while True:
        body = ovec_get(ep, "/api/enrollments", token, year=2024, semester=1, offset=offset,
                        limit=limit).json()
        assert body["offset"] == offset and body["limit"] == limit
        ids += [r["studentId"] for r in body["items"]]
        sizes.append(len(body["items"]))
        offset += len(body["items"])
        if offset >= body["total"]:
            return ids, sizes


def test_ovec_offset_paging(ep: Endpoints) -> None:
    ids, sizes = _ovec_pull(ep, ovec_token(ep), limit=4)
    assert ids == [f"V{i:03d}" for i in range(OVEC_ROWS)]
    assert sizes == [4, 4, 3]


def test_ovec_short_pages_before_the_end(ep: Endpoints) -> None:
    ep.set_faults("ovec", short_page_every=1)
    ids, sizes = _ovec_pull(ep, ovec_token(ep), limit=4)
    assert ids == [f"V{i:03d}" for i in range(OVEC_ROWS)]  # offset+len(items) loses nothing
    assert sizes[0] == 2 and max(sizes) < 4  # shorter than limit, yet not the end


def test_ovec_limit_cap(ep: Endpoints) -> None:
    token = ovec_token(ep)
    assert ovec_get(ep, "/api/teachers", token, year=2024, semester=1,
                    limit=2000).status_code == 200
    answer = ovec_get(ep, "/api/teachers", token, year=2024, semester=1, limit=2001)
    assert answer.status_code == 400 and answer.json()["error"] == "bad_request"


def test_ovec_year_not_held_is_empty(ep: Endpoints) -> None:
    body = ovec_get(ep, "/api/enrollments", ovec_token(ep), year=2010, semester=1).json()
    assert body == {"items": [], "offset": 0, "limit": 2000, "total": 0}


def test_ovec_token_expires_after_uses_then_a_new_one_works(sim_dir: Path) -> None:
    with running_servers(sim_dir, credentials=CREDS,
                         faults={"ovec": Faults(token_max_uses=2)}) as ep:
        token = ovec_token(ep)
        assert ovec_get(ep, "/api/colleges", token).status_code == 200
        assert ovec_get(ep, "/api/colleges", token).status_code == 200
        expired = ovec_get(ep, "/api/colleges", token)
        assert expired.status_code == 401 and expired.json() == {"error": "invalid_token"}
        assert ovec_get(ep, "/api/colleges", ovec_token(ep)).status_code == 200


def test_ovec_tokens_expire_by_lifetime_and_on_switch(ep: Endpoints) -> None:
    token = ovec_token(ep)
    ep.set_faults("ovec", expire_tokens=True)  # mid-run expiry, from outside
    assert ovec_get(ep, "/api/colleges", token).status_code == 401
    ep.set_faults("ovec", token_lifetime=0)
    short = ovec_token(ep)
    assert ovec_get(ep, "/api/colleges", short).json() == {"error": "invalid_token"}


def test_ovec_api_version_switch(ep: Endpoints) -> None:
    token = ovec_token(ep)
    assert ep.set_faults("ovec", api_version="3")["ovec"]["api_version"] == "3"
    answer = ovec_get(ep, "/api/colleges", token)
    assert answer.status_code == 200 and answer.headers["X-Api-Version"] == "3"


# ---- ONAB -----------------------------------------------------------------

def test_onab_basic_auth(ep: Endpoints) -> None:
    answer = onab_get(ep, ("onab", "wrong"), year=2567, term=1)
    assert answer.status_code == 401
    assert answer.headers["WWW-Authenticate"] == 'Basic realm="onab"'
    assert answer.json() == {"error": "unauthorized"}
    assert requests.get(f"{ep.onab_url}/reports/enrolment?year=2567&term=1",
                        timeout=5).status_code == 401


def test_onab_report_and_year_not_held(ep: Endpoints) -> None:
    auth = (CREDS.onab_user, CREDS.onab_password)
    report = onab_get(ep, auth, year=2567, term=1).json()
    assert report["schools"][0]["school_code"] == "P2101001"
    empty = onab_get(ep, auth, year=2550, term=2)
    assert empty.status_code == 200
    assert empty.json() == {"year": 2550, "term": 2, "schools": []}


# ---- faults ---------------------------------------------------------------

def test_rate_limit_has_retry_after(sim_dir: Path) -> None:
    faults = Faults(rate_limit_every=2, retry_after=7)
    with running_servers(sim_dir, credentials=CREDS, faults=faults) as ep:
        auth = (CREDS.onab_user, CREDS.onab_password)
        codes = [onab_get(ep, auth, year=2567, term=1) for _ in range(4)]
        assert [a.status_code for a in codes] == [200, 429, 200, 429]
        assert codes[1].headers["Retry-After"] == "7"
        assert codes[1].json() == {"error": "rate_limited"}


def test_unavailable_body(ep: Endpoints) -> None:
    ep.set_faults("obec", unavailable_every=1)
    answer = obec_get(ep, "/v1/schools", province=21)
    assert answer.status_code == 503 and answer.json() == {"error": "unavailable"}
    ep.set_faults("obec", unavailable_every=0)
    assert obec_get(ep, "/v1/schools", province=21).status_code == 200


def test_slow_responses(ep: Endpoints) -> None:
    ep.set_faults("onab", slow_every=2, slow_seconds=0.4)
    auth = (CREDS.onab_user, CREDS.onab_password)
    durations = []
    for _ in range(2):
        started = time.monotonic()
        assert onab_get(ep, auth, year=2567, term=1).status_code == 200
        durations.append(time.monotonic() - started)
    assert durations[0] < 0.3 <= 0.4 <= durations[1]


def test_admin_needs_the_source_credentials(ep: Endpoints) -> None:
    for system in ("obec", "ovec", "onab"):
        answer = requests.post(f"{ep.root(system)}/_sim/faults", json={"slow_every": 1},
                               timeout=5)
        assert answer.status_code == 401
    bad = requests.post(f"{ep.root('obec')}/_sim/faults", json={"no_such_fault": 1},
                        headers={"X-API-Key": CREDS.obec_api_key}, timeout=5)
    assert bad.status_code == 400 and "no_such_fault" in bad.json()["detail"]
    assert ep.faults("obec")["slow_every"] == 0


def test_faults_switch_from_a_rebuilt_endpoints(ep: Endpoints, tmp_path: Path) -> None:
    # Another process only has sources.env: rebuild Endpoints from its variables.
    outside = Endpoints.from_env(ep.env(tmp_path / "drop", "sqlite://"))
    outside.set_faults("all", unavailable_every=1)
    assert obec_get(ep, "/v1/schools").status_code == 503
    assert onab_get(ep, (CREDS.onab_user, CREDS.onab_password), year=2567,
                    term=1).status_code == 503


def test_jsonl_pager_skips_blank_lines_and_reads_a_last_line_without_newline(
        tmp_path: Path) -> None:
    from edu_simulators.servers.jsonl import JsonlPager

    path = tmp_path / "records.jsonl"
    path.write_bytes(b'{"k": 1}\n\n{"k": 2}\r\n{"k": 3}\n{"k": 4}')
    pager = JsonlPager()
    pages = [pager.select(path, first, 2)[0] for first in (0, 2, 4)]
    assert pages == [[b'{"k": 1}', b'{"k": 2}'], [b'{"k": 3}', b'{"k": 4}'], []]
    even, total = pager.select(path, 0, 10, "even", lambda line: json.loads(line)["k"] % 2 == 0)
    assert (even, total) == ([b'{"k": 2}', b'{"k": 4}'], 2)


def test_string_field_reads_raw_lines() -> None:
    from edu_simulators.servers.jsonl import string_field

    line = '{"a": 1, "school_code" : "10\\"21", "updated_at": null, "x": "ไทย"}'.encode()
    assert string_field(line, "school_code") == '10"21'
    assert string_field(line, "updated_at") is None and string_field(line, "nope") is None
    assert string_field(line, "x") == "ไทย"
