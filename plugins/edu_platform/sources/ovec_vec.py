"""OVEC VEC data center REST API (shared/sources/ovec-vec.md): colleges, enrollments, teachers.

- Auth: OAuth2 client credentials; an `invalid_token` mid-run gets a new token
  and the call is repeated (http_session.ClientCredentialsAuth).
- Every answer must carry `X-Api-Version: 2`; any other version is schema drift:
  the extraction fails before a row of that answer is loaded (the colleges call
  comes first, so a drifted API loads nothing at all).
- Years: the API counts C.E.; the batches are labelled with the B.E. year.
- Paging: offset/limit, advancing by the items actually served (pages may be
  short), until offset >= total.
- All three entities are full pulls, REPLACE: identical content is "unchanged".
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from edu_platform.landing.code_checks import grade_and_status
from edu_platform.landing.entities import Delivery, Entity, Mode
from edu_platform.sources.base import Batch, ExtractContext
from edu_platform.sources.http_session import (
    ClientCredentialsAuth,
    JsonAnswer,
    SourceClient,
    StableTotal,
    page_size,
)
from edu_platform.sources.json_records import Page, RecordShape, rows_from_pages

SOURCE = "ovec_vec"
API_VERSION = "2"
BE_TO_CE = 543
MAX_LIMIT = 2000
COLLEGES = RecordShape(
    columns=("collegeId", "nameTh", "nameEn", "tambonCode", "collegeType"),
    key=("collegeId",))
ENROLLMENTS = RecordShape(
    columns=("studentId", "nationalId", "firstNameTh", "lastNameTh", "gender", "dateOfBirth",
             "programLevel", "yearOfStudy", "programCode", "programName", "studyMode",
             "collegeId", "status", "repeating", "lastModified"),
    key=("studentId", "collegeId"))
TEACHERS = RecordShape(
    columns=("staffId", "nationalId", "gender", "dateOfBirth", "employmentType",
             "qualification", "certified", "levels", "fte", "collegeId"),
    key=("staffId", "collegeId"), containers=frozenset({"levels"}))
ENTITIES = {name: Entity(SOURCE, name, shape.columns, key_columns=shape.key)
            for name, shape in (("colleges", COLLEGES), ("teachers", TEACHERS))}
# The grade is the programme level and the year of study together (ปวช. + 1).
ENTITIES["enrollments"] = Entity(
    SOURCE, "enrollments", ENROLLMENTS.columns, key_columns=ENROLLMENTS.key,
    checks=grade_and_status("OVEC", ("programLevel", "yearOfStudy")))


class VersionedClient(SourceClient):
    """A SourceClient that refuses any answer of an API version it was not written for."""

    def get_json(self, path: str, params: Mapping[str, Any] | None = None,
                 label: str | None = None) -> JsonAnswer:
        answer = super().get_json(path, params, label)
        version = answer.headers.get("X-Api-Version")
        if version != API_VERSION:
            raise self.error(
                f"schema drift: {path} answered X-Api-Version {version!r}, this connector "
                f"reads version {API_VERSION!r}; not reading it")
        return answer


def extract(context: ExtractContext) -> Iterator[Batch]:
    client = VersionedClient.from_context(context)
    client.auth = ClientCredentialsAuth(client, "oauth/token", context.setting("client_id"),
                                        context.setting("client_secret"))
    try:
        # Fetched here, before the first batch is handed over: a bad token or a
        # drifted API version fails the run before anything is loaded.
        colleges = client.get_json("api/colleges")
        yield _colleges(client, colleges)
        yield _paged_batch(client, context, "enrollments", ENROLLMENTS)
        yield _paged_batch(client, context, "teachers", TEACHERS)
    finally:
        client.close()


def _colleges(client: SourceClient, answer: JsonAnswer) -> Batch:
    if not isinstance(answer.body, list):
        raise client.error("api/colleges: answer is not a JSON list (schema drift?)")
    delivery = Delivery(ENTITIES["colleges"], None, None, "api/colleges", Mode.REPLACE)
    return Batch(delivery, rows_from_pages([Page(answer.body, "list", answer.sha256)],
                                           COLLEGES))


def _paged_batch(client: SourceClient, context: ExtractContext, name: str,
                 shape: RecordShape) -> Batch:
    path = f"api/{name}"
    params = {"year": context.academic_year - BE_TO_CE, "semester": context.term,
              "limit": page_size(context, MAX_LIMIT)}
    delivery = Delivery(ENTITIES[name], context.academic_year, context.term, path,
                        Mode.REPLACE)
    return Batch(delivery, rows_from_pages(_pages(client, path, params), shape))


def _pages(client: SourceClient, path: str, params: dict[str, Any]) -> Iterator[Page]:
    """offset/limit paging that trusts only what was served: a short page is not the end."""
    offset = 0
    totals = StableTotal(client, path)
    while True:
        answer = client.get_json(path, {**params, "offset": offset},
                                 label=f"{path} offset={offset}")
        body = answer.body
        items = body.get("items") if isinstance(body, dict) else None
        total = body.get("total") if isinstance(body, dict) else None
        if not isinstance(items, list) or not isinstance(total, int):
            raise client.error(f"{path}: answer lacks 'items' or 'total' (schema drift?)")
        totals.check(total)
        yield Page(items, f"offset={offset}", answer.sha256)
        offset += len(items)
        if offset >= total:
            return
        if not items:  # would ask for the same page for ever
            raise client.error(f"{path}: empty page at offset {offset} before total {total}")
