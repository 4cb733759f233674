"""OVEC VEC data center: the REST API of ``shared/sources/ovec-vec.md``.

OAuth2 client credentials at ``/oauth/token``; bearer tokens that expire (by
lifetime, by number of uses, or on an admin switch); ``offset``/``limit`` paging
where the client stops at ``offset + len(items) >= total``; years in C.E.
"""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from edu_simulators.servers.base import (
    ApiError,
    App,
    Request,
    Response,
    Route,
    int_param,
    json_response,
    load_list,
    raw_list_response,
    same_secret,
)
from edu_simulators.servers.faults import FaultState
from edu_simulators.servers.jsonl import JsonlPager

MAX_LIMIT = 2000


@dataclass
class _Token:
    issued: float  # time.monotonic()
    uses: int = 0


class OvecVec(App):
    name = "ovec"

    def __init__(self, served_dir: Path, client_id: str, client_secret: str,
                 faults: FaultState, pager: JsonlPager | None = None) -> None:
        super().__init__()
        self.folder = served_dir / "ovec"
        self.client_id = client_id
        self.client_secret = client_secret
        # Token lifetime, version and short pages are faults, switchable live.
        self.faults = faults
        self.pager = pager or JsonlPager()
        self._tokens: dict[str, _Token] = {}
        self._lock = threading.Lock()
        self.routes = {
            "/oauth/token": Route("POST", self.token, public=True),
            "/api/colleges": Route("GET", self.colleges),
            "/api/enrollments": Route("GET", lambda r: self.records("enrollments", r)),
            "/api/teachers": Route("GET", lambda r: self.records("teachers", r)),
        }

    def response_headers(self) -> dict[str, str]:
        return {"X-Api-Version": self.faults.faults.api_version}

    def unauthorized(self) -> ApiError:
        return ApiError(401, "invalid_token")

    def _client_ok(self, client_id: str | None, client_secret: str | None) -> bool:
        return (same_secret(client_id, self.client_id)
                and same_secret(client_secret, self.client_secret))

    def admin_authorized(self, request: Request) -> bool:
        creds = request.basic_auth()
        return creds is not None and self._client_ok(*creds)

    def admin_action(self, name: str, value: Any) -> bool:
        if name != "expire_tokens":
            return False
        if value:  # every token issued so far is now expired
            with self._lock:
                self._tokens.clear()
        return True

    def token(self, request: Request) -> Response:
        form = request.form()
        if form.get("grant_type") != "client_credentials":
            raise ApiError(400, "unsupported_grant_type",
                           "grant_type must be client_credentials")
        if not self._client_ok(form.get("client_id"), form.get("client_secret")):
            raise ApiError(401, "invalid_client")
        token = secrets.token_urlsafe(24)
        with self._lock:
            self._tokens[token] = _Token(issued=time.monotonic())
        lifetime = self.faults.faults.token_lifetime
        return json_response({"access_token": token, "token_type": "Bearer",
                              "expires_in": lifetime})

    def authenticate(self, request: Request) -> None:
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        faults = self.faults.faults
        with self._lock:
            state = self._tokens.get(token) if scheme.lower() == "bearer" else None
            if state is not None:
                state.uses += 1
                expired = time.monotonic() - state.issued >= faults.token_lifetime
                used_up = 0 < faults.token_max_uses < state.uses
                if expired or used_up:
                    del self._tokens[token]
                    state = None
        if state is None:
            raise self.unauthorized()

    def colleges(self, request: Request) -> Response:
        return json_response(load_list(self.folder / "colleges.json"))

    def records(self, entity: str, request: Request) -> Response:
        q = request.query
        year = int_param(q, "year")
        semester = int_param(q, "semester")
        offset = int_param(q, "offset", default=0, minimum=0)
        limit = int_param(q, "limit", default=MAX_LIMIT, minimum=1, maximum=MAX_LIMIT)
        path = self.folder / f"{entity}_{year}_{semester}.jsonl"
        items, total = self.pager.select(path, offset, limit)
        every = self.faults.faults.short_page_every
        # Short pages depend on the request alone (its window), never on timing,
        # and never on the last page: the end rule must still hold.
        if every and offset + limit < total and (offset // limit) % every == every - 1:
            items = items[: max(1, limit // 2)]
        return raw_list_response("items", items,
                                 {"offset": offset, "limit": limit, "total": total})
