"""ONAB: the aggregate enrolment report of ``shared/sources/onab-report.md``.

HTTP basic auth; one report object per year and term, served as the generator
stored it in ``served/onab/enrolment_<Y>_<term>.json``.
"""

from __future__ import annotations

from pathlib import Path

from edu_simulators.servers.base import (
    ApiError,
    App,
    Request,
    Response,
    Route,
    int_param,
    json_response,
    same_secret,
)


class OnabReport(App):
    name = "onab"

    def __init__(self, served_dir: Path, user: str, password: str) -> None:
        super().__init__()
        self.folder = served_dir / "onab"
        self.user = user
        self.password = password
        self.routes = {"/reports/enrolment": Route("GET", self.enrolment)}

    def unauthorized(self) -> ApiError:
        return ApiError(401, "unauthorized", headers={"WWW-Authenticate": 'Basic realm="onab"'})

    def admin_authorized(self, request: Request) -> bool:
        creds = request.basic_auth()
        return (creds is not None and same_secret(creds[0], self.user)
                and same_secret(creds[1], self.password))

    def enrolment(self, request: Request) -> Response:
        year = int_param(request.query, "year")
        term = int_param(request.query, "term")
        path = self.folder / f"enrolment_{year}_{term}.json"
        if not path.exists():
            return json_response({"year": year, "term": term, "schools": []})
        return Response(200, path.read_bytes())
