"""OBEC DMC: the REST API of ``shared/sources/obec-dmc.md``.

API key in ``X-API-Key``; ``page``/``page_size`` paging with a ``next`` link
relative to the base URL (``http://host:port/api``); records in the order of
``served/obec/<entity>_<Y>_<term>.jsonl`` (student_key order).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from urllib.parse import urlencode

from edu_simulators.servers.base import (
    App,
    Request,
    Response,
    Route,
    bad_request,
    int_param,
    json_response,
    load_list,
    raw_list_response,
    same_secret,
)
from edu_simulators.servers.jsonl import JsonlPager, string_field

BASE_PATH = "/api"
MAX_PAGE_SIZE = 5000
DEFAULT_PAGE_SIZE = 1000


def parse_instant(value: str) -> datetime | None:
    """An ISO 8601 timestamp with an offset (``Z`` or ``+07:00``); None otherwise."""
    try:
        moment = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return None
    return moment if moment.tzinfo is not None else None


class ObecDmc(App):
    name = "obec"

    def __init__(self, served_dir: Path, api_key: str, pager: JsonlPager | None = None) -> None:
        super().__init__()
        self.folder = served_dir / "obec"
        self.api_key = api_key
        self.pager = pager or JsonlPager()
        self.routes = {
            f"{BASE_PATH}/v1/schools": Route("GET", self.schools),
            f"{BASE_PATH}/v1/students": Route("GET", lambda r: self.records("students", r)),
            f"{BASE_PATH}/v1/teachers": Route("GET", lambda r: self.records("teachers", r)),
        }

    def admin_authorized(self, request: Request) -> bool:
        return same_secret(request.headers.get("X-API-Key"), self.api_key)

    def schools(self, request: Request) -> Response:
        schools = load_list(self.folder / "schools.json")
        province = request.query.get("province")
        if province:  # a school's province is the first two digits of its tambon
            schools = [s for s in schools if str(s.get("tambon_code", "")).startswith(province)]
        return json_response({"data": schools})

    def records(self, entity: str, request: Request) -> Response:
        q = request.query
        year = int_param(q, "academic_year")
        term = int_param(q, "term")
        page = int_param(q, "page", default=1, minimum=1)
        size = int_param(q, "page_size", default=DEFAULT_PAGE_SIZE, minimum=1,
                         maximum=MAX_PAGE_SIZE)
        school = q.get("school_code") or None
        since_text = q.get("updated_since") or None
        since = None
        if since_text is not None:
            since = parse_instant(since_text)
            if since is None:
                raise bad_request("updated_since must be an ISO 8601 timestamp with an offset")

        predicate = None
        if school is not None or since is not None:
            def predicate(line: bytes) -> bool:
                if school is not None and string_field(line, "school_code") != school:
                    return False
                if since is None:
                    return True
                changed = parse_instant(string_field(line, "updated_at") or "")
                # An unreadable timestamp is served rather than hidden from increments.
                return changed is None or changed > since

        path = self.folder / f"{entity}_{year}_{term}.jsonl"
        filter_key = (school, since.timestamp() if since else None)
        data, total = self.pager.select(path, (page - 1) * size, size, filter_key, predicate)
        next_link = None
        if page * size < total:
            params = {"academic_year": year, "term": term, "page": page + 1, "page_size": size}
            params |= {k: v for k, v in (("school_code", school),
                                         ("updated_since", since_text)) if v is not None}
            next_link = f"/v1/{entity}?{urlencode(params)}"
        meta = {"page": page, "page_size": size, "total": total, "next": next_link}
        return raw_list_response("data", data, meta)
