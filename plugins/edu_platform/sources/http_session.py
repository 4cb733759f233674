"""HTTP plumbing the REST connectors share: retries, time budget, auth, JSON answers.

One `SourceClient` per extraction. Transient answers (429, 500, 502, 503, 504,
timeouts, dropped connections) are retried by urllib3 with exponential backoff,
honouring `Retry-After`; every request has its own timeout; and the whole
extraction has a budget (`max_total_seconds`): a wait or a call that would run
past it fails the extraction with a `SourceError` instead of hanging the task.
Credentials travel in headers only (never in URLs, messages or logs).
"""

from __future__ import annotations

import base64
import hashlib
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import ConnectTimeoutError, MaxRetryError, ReadTimeoutError
from urllib3.response import BaseHTTPResponse
from urllib3.util.retry import Retry

from edu_platform.sources.base import ExtractContext, SourceError

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
DEFAULTS = {"timeout_seconds": 60.0, "connect_timeout_seconds": 10.0, "retries": 6,
            "backoff_seconds": 1.0, "backoff_max_seconds": 60.0, "max_total_seconds": 3600.0}


class Deadline:
    """The time budget of one extraction, on a monotonic clock."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._ends = time.monotonic() + seconds

    def remaining(self) -> float:
        return self._ends - time.monotonic()


class BudgetExceeded(Exception):
    """Raised from inside urllib3 when a retry wait would outlast the budget."""

    def __init__(self, wait: float) -> None:
        super().__init__(f"a retry wait of {wait:.1f}s would exceed the time budget")
        self.wait = wait


class BoundedRetry(Retry):
    """urllib3 `Retry` whose waits (backoff or `Retry-After`) never outlast the deadline."""

    deadline: Deadline | None = None

    def new(self, **kw: Any) -> BoundedRetry:
        # urllib3 copies the Retry object on every attempt; carry the deadline along.
        retry = super().new(**kw)
        retry.deadline = self.deadline
        return retry

    def sleep(self, response: BaseHTTPResponse | None = None) -> None:
        wait = None
        if self.respect_retry_after_header and response is not None:
            wait = self.get_retry_after(response)
        if wait is None:
            wait = self.get_backoff_time()
        if self.deadline is not None and wait > self.deadline.remaining():
            raise BudgetExceeded(wait)
        super().sleep(response)


@dataclass(frozen=True)
class HttpSettings:
    timeout_seconds: float
    connect_timeout_seconds: float
    retries: int
    backoff_seconds: float
    backoff_max_seconds: float
    max_total_seconds: float

    @classmethod
    def from_context(cls, context: ExtractContext) -> HttpSettings:
        """Each knob may be set in the source's config block; else the default."""
        values: dict[str, float] = {}
        for key, default in DEFAULTS.items():
            text = context.setting(key, str(default))
            try:
                values[key] = float(text)
            except ValueError as error:
                raise SourceError(context.source_name,
                                  f"setting {key!r} is not a number: {text!r}") from error
        return cls(**{**values, "retries": int(values["retries"])})


def page_size(context: ExtractContext, maximum: int) -> int:
    """The block's `page_size`, capped at what the API accepts (more is a 400)."""
    text = context.setting("page_size", str(maximum))
    if not text.isdigit() or int(text) < 1:
        raise SourceError(context.source_name, f"setting 'page_size' is not a count: {text!r}")
    return min(int(text), maximum)


class Auth(Protocol):
    """How a client proves itself: headers for each call, and a refresh when they expire."""

    def headers(self) -> Mapping[str, str]: ...

    def refresh_on(self, response: requests.Response) -> bool:
        """True when `response` says the credentials expired and they were renewed."""
        ...


class HeaderAuth:
    """Fixed headers (an API key); nothing to refresh."""

    def __init__(self, headers: Mapping[str, str]) -> None:
        self._headers = dict(headers)

    def headers(self) -> Mapping[str, str]:
        return self._headers

    def refresh_on(self, response: requests.Response) -> bool:
        return False


class BasicAuth(HeaderAuth):
    """HTTP basic auth, as a header so that it never appears in a URL."""

    def __init__(self, user: str, password: str) -> None:
        token = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
        super().__init__({"Authorization": f"Basic {token}"})


class ClientCredentialsAuth:
    """OAuth2 client credentials: a bearer token fetched lazily, renewed on `invalid_token`."""

    def __init__(self, client: SourceClient, token_path: str, client_id: str,
                 client_secret: str) -> None:
        self._client = client
        self._token_path = token_path
        self._form = {"grant_type": "client_credentials", "client_id": client_id,
                      "client_secret": client_secret}
        self._token: str | None = None

    def headers(self) -> Mapping[str, str]:
        if self._token is None:
            self._token = self._fetch_token()
        return {"Authorization": f"Bearer {self._token}"}

    def refresh_on(self, response: requests.Response) -> bool:
        if response.status_code != 401 or error_code(response) != "invalid_token":
            return False
        self._token = self._fetch_token()
        return True

    def _fetch_token(self) -> str:
        response = self._client.send("POST", self._token_path, data=self._form)
        if response.status_code == 401 or error_code(response) == "invalid_client":
            raise self._client.error(
                f"bad credentials: the token endpoint rejected the client id/secret "
                f"({error_code(response) or 'HTTP 401'})")
        body = self._client.checked_json(response, self._token_path)
        token = body.get("access_token") if isinstance(body, dict) else None
        if not isinstance(token, str) or not token:
            raise self._client.error(f"{self._token_path}: answer has no access_token")
        return token


class StableTotal:
    """Fails a paged pull whose record count changes between pages.

    Pages are windows over an ordered list: a record added or removed mid-pull
    shifts the windows, so one record could be skipped (or read twice) without
    any error. The batch is rolled back instead and the task run again.
    """

    def __init__(self, client: SourceClient, path: str) -> None:
        self._client = client
        self._path = path
        self._first: Any = None

    def check(self, total: Any) -> None:
        if self._first is None:
            self._first = total
        elif total != self._first:
            raise self._client.error(
                f"{self._path}: the source changed during the pull (total {self._first} -> "
                f"{total}); nothing of it loaded, run again")


def error_code(response: requests.Response) -> str | None:
    """The `error` field of a JSON error body, if there is one."""
    try:
        body = response.json()
    except ValueError:
        return None
    return body.get("error") if isinstance(body, dict) else None


def describe_failure(response: requests.Response) -> str:
    """`HTTP 400: bad_request - detail` from a JSON error body; nothing else is echoed."""
    try:
        body = response.json()
    except ValueError:
        body = None
    words = ([str(body[key]) for key in ("error", "detail") if body.get(key)]
             if isinstance(body, dict) else [])
    return f"HTTP {response.status_code}" + (f": {' - '.join(words)}" if words else "")


@dataclass(frozen=True)
class JsonAnswer:
    """A successful answer: its parsed body, the body's sha256 (lineage), its headers."""

    body: Any
    sha256: str
    headers: Mapping[str, str]


class SourceClient:
    """A requests Session bound to one source, one base URL and one time budget."""

    def __init__(self, source: str, base_url: str, settings: HttpSettings) -> None:
        self.source = source
        self.base_url = base_url.rstrip("/")
        self.settings = settings
        self.deadline = Deadline(settings.max_total_seconds)
        self.auth: Auth = HeaderAuth({})
        self.session = self._session()

    @classmethod
    def from_context(cls, context: ExtractContext) -> SourceClient:
        return cls(context.source_name, context.setting("base_url"),
                   HttpSettings.from_context(context))

    def _session(self) -> requests.Session:
        retry = BoundedRetry(
            total=self.settings.retries, connect=self.settings.retries,
            read=self.settings.retries, status=self.settings.retries,
            status_forcelist=RETRY_STATUSES,
            allowed_methods=None,  # the token POST is safe to repeat too
            backoff_factor=self.settings.backoff_seconds,
            backoff_max=self.settings.backoff_max_seconds,
            respect_retry_after_header=True,
            raise_on_status=False,  # hand back the last answer: we word the failure
        )
        retry.deadline = self.deadline
        session = requests.Session()
        adapter = HTTPAdapter(max_retries=retry)
        session.mount("http://", adapter)
        session.mount("https://", adapter)
        session.headers["Accept"] = "application/json"
        return session

    def error(self, cause: str) -> SourceError:
        return SourceError(self.source, cause)

    def url(self, path: str) -> str:
        """`path` relative to the base URL (a `next` link may also be absolute)."""
        if not path.startswith(("http://", "https://")):
            return f"{self.base_url}/{path.lstrip('/')}"
        if not path.startswith(self.base_url + "/"):
            # Our credentials go with every call: never to a host a link points at.
            raise self.error(f"refusing a link outside {self.base_url}: {path}")
        return path

    def send(self, method: str, path: str, *, params: Mapping[str, Any] | None = None,
             data: Mapping[str, str] | None = None, headers: Mapping[str, str] | None = None,
             label: str | None = None) -> requests.Response:
        """One call with retries inside the budget; any answer that is not transient.

        `label` names the call in messages (e.g. `v1/students page 3`); default `path`.
        """
        label = label or path
        remaining = self.deadline.remaining()
        if remaining <= 0:
            raise self._over_budget(label)
        timeout = (min(self.settings.connect_timeout_seconds, remaining),
                   min(self.settings.timeout_seconds, remaining))
        try:
            return self.session.request(method, self.url(path), params=params, data=data,
                                        headers=headers, timeout=timeout)
        except BudgetExceeded as error:
            raise self._over_budget(label, f" ({error})") from error
        except requests.RequestException as error:
            if self.deadline.remaining() <= 0:
                raise self._over_budget(label) from error
            raise self.error(f"{label}: no answer after {self.settings.retries} retries "
                             f"({_root_cause(error, timeout[1])})") from error

    def _over_budget(self, label: str, why: str = "") -> SourceError:
        return self.error(f"{label}: extraction exceeded max_total_seconds="
                          f"{self.settings.max_total_seconds:g}{why}")

    def get(self, path: str, params: Mapping[str, Any] | None = None,
            label: str | None = None) -> requests.Response:
        """GET with auth (renewing expired credentials once): a 2xx answer, else a worded
        failure."""
        response = self.send("GET", path, params=params, headers=self.auth.headers(),
                             label=label)
        if self.auth.refresh_on(response):
            response = self.send("GET", path, params=params, headers=self.auth.headers(),
                                 label=label)
        self.check_status(response, label or path)
        return response

    def get_json(self, path: str, params: Mapping[str, Any] | None = None,
                 label: str | None = None) -> JsonAnswer:
        response = self.get(path, params, label)
        return JsonAnswer(self.checked_json(response, label or path),
                          hashlib.sha256(response.content).hexdigest(), response.headers)

    def checked_json(self, response: requests.Response, label: str) -> Any:
        """The JSON body of a 2xx answer; anything else fails the extraction, worded."""
        self.check_status(response, label)
        try:
            return response.json()
        except ValueError as error:
            raise self.not_json(response, label) from error

    def not_json(self, response: requests.Response, label: str) -> SourceError:
        # A page we cannot read at all cannot be paged past either: fail, do not guess.
        return self.error(f"{label}: answer is not JSON ({len(response.content)} bytes)")

    def check_status(self, response: requests.Response, label: str) -> None:
        if response.status_code == 401:
            raise self.error(f"{label}: bad credentials ({describe_failure(response)})")
        if response.status_code in RETRY_STATUSES:
            raise self.error(f"{label}: still failing after {self.settings.retries} retries "
                             f"({describe_failure(response)})")
        if not 200 <= response.status_code < 300:
            raise self.error(f"{label}: {describe_failure(response)}")

    def close(self) -> None:
        self.session.close()


def _root_cause(error: requests.RequestException, read_timeout: float) -> str:
    """What went wrong on the wire, in words (requests nests urllib3's reason deeply)."""
    reason: BaseException = error
    inner = error.args[0] if error.args else None
    if isinstance(inner, MaxRetryError) and inner.reason is not None:
        reason = inner.reason
    if isinstance(reason, (ReadTimeoutError, requests.ReadTimeout)):
        return f"timed out: no answer within the {read_timeout:g}s read timeout"
    if isinstance(reason, (ConnectTimeoutError, requests.ConnectTimeout)):
        return "timed out connecting"
    text = str(reason)
    return f"{type(reason).__name__}: {text if len(text) <= 200 else text[:200] + '...'}"

