"""Run the three HTTP sources together, and talk to them from outside.

``running_servers`` is the Python API for tests: servers in background threads
on free ports of 127.0.0.1, stopped on exit. ``Endpoints`` carries their URLs and
credentials, converts to and from the ``sources.env`` variables of
``docs/simulators.md``, and switches faults through the admin endpoint, so a
test in another process can do the same with nothing but ``sources.env``.
"""

from __future__ import annotations

import base64
import json
import secrets
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from edu_simulators.servers.base import SimServer
from edu_simulators.servers.faults import SYSTEMS, Faults, FaultState
from edu_simulators.servers.jsonl import JsonlPager
from edu_simulators.servers.obec_dmc import BASE_PATH, ObecDmc
from edu_simulators.servers.onab_report import OnabReport
from edu_simulators.servers.ovec_vec import OvecVec

# The variables of docs/simulators.md, in its order.
ENV_VARS = (
    "SOURCE_DROP_DIR",
    "OBEC_DMC_URL", "OBEC_DMC_API_KEY",
    "OVEC_VEC_URL", "OVEC_VEC_CLIENT_ID", "OVEC_VEC_CLIENT_SECRET",
    "ONAB_REPORT_URL", "ONAB_REPORT_USER", "ONAB_REPORT_PASSWORD",
    "DLP_ITW_URL",
)
FaultsSpec = Faults | Mapping[str, Faults | Mapping[str, Any]] | None


@dataclass(frozen=True)
class Credentials:
    obec_api_key: str
    ovec_client_id: str
    ovec_client_secret: str
    onab_user: str
    onab_password: str

    @classmethod
    def random(cls) -> Credentials:
        """Fresh credentials: every start gets its own, none is ever committed."""
        return cls(
            obec_api_key=secrets.token_urlsafe(24),
            ovec_client_id=f"edu-{secrets.token_hex(4)}",
            ovec_client_secret=secrets.token_urlsafe(24),
            onab_user=f"edu-{secrets.token_hex(4)}",
            onab_password=secrets.token_urlsafe(18),
        )

    def to_dict(self) -> dict[str, str]:
        return asdict(self)


@dataclass(frozen=True)
class Endpoints:
    obec_url: str  # includes the /api base path, as the pipeline is given it
    ovec_url: str
    onab_url: str
    credentials: Credentials

    def env(self, drop_dir: Path, dlp_url: str) -> dict[str, str]:
        c = self.credentials
        values = [str(drop_dir), self.obec_url, c.obec_api_key, self.ovec_url,
                  c.ovec_client_id, c.ovec_client_secret, self.onab_url, c.onab_user,
                  c.onab_password, dlp_url]
        return dict(zip(ENV_VARS, values, strict=True))

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Endpoints:
        return cls(
            obec_url=env["OBEC_DMC_URL"], ovec_url=env["OVEC_VEC_URL"],
            onab_url=env["ONAB_REPORT_URL"],
            credentials=Credentials(
                obec_api_key=env["OBEC_DMC_API_KEY"],
                ovec_client_id=env["OVEC_VEC_CLIENT_ID"],
                ovec_client_secret=env["OVEC_VEC_CLIENT_SECRET"],
                onab_user=env["ONAB_REPORT_USER"], onab_password=env["ONAB_REPORT_PASSWORD"],
            ),
        )

    def root(self, system: str) -> str:
        """The server's root URL (the admin endpoints live there)."""
        if system == "obec":
            return self.obec_url.removesuffix(BASE_PATH)
        return {"ovec": self.ovec_url, "onab": self.onab_url}[system]

    def admin_headers(self, system: str) -> dict[str, str]:
        c = self.credentials
        if system == "obec":
            return {"X-API-Key": c.obec_api_key}
        user, password = ((c.ovec_client_id, c.ovec_client_secret) if system == "ovec"
                          else (c.onab_user, c.onab_password))
        token = base64.b64encode(f"{user}:{password}".encode()).decode()
        return {"Authorization": f"Basic {token}"}

    def faults(self, system: str, changes: Mapping[str, Any] | None = None,
               timeout: float = 5.0) -> dict[str, Any]:
        """GET (or, with changes, POST) ``/_sim/faults`` of one server; its faults now."""
        body = None if changes is None else json.dumps(dict(changes)).encode()
        request = urllib.request.Request(
            f"{self.root(system)}/_sim/faults", data=body, method="GET" if body is None else "POST",
            headers={**self.admin_headers(system), "Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=timeout) as answer:
                return json.loads(answer.read())
        except urllib.error.HTTPError as exc:
            detail = exc.read().decode("utf-8", "replace")
            raise RuntimeError(f"{system} refused the fault switch: {exc.code} {detail}") from None

    def set_faults(self, system: str = "all", **changes: Any) -> dict[str, dict[str, Any]]:
        """Switch faults on a running server (``system="all"``: the three)."""
        targets = SYSTEMS if system == "all" else (system,)
        return {name: self.faults(name, changes) for name in targets}

    def healthy(self, timeout: float = 2.0) -> bool:
        """All three answer the admin endpoint with these credentials."""
        try:
            for system in SYSTEMS:
                self.faults(system, timeout=timeout)
        except (OSError, RuntimeError, ValueError):
            return False
        return True


def faults_for(spec: FaultsSpec, system: str) -> Faults:
    """One server's faults from a spec: one Faults for all, or per system."""
    if spec is None:
        return Faults()
    if isinstance(spec, Faults):
        return spec
    chosen = spec.get(system) or {}
    return chosen if isinstance(chosen, Faults) else Faults.from_mapping(chosen)


def build_servers(sim_dir: Path, credentials: Credentials, faults: FaultsSpec = None,
                  host: str = "127.0.0.1", ports: Mapping[str, int] | None = None
                  ) -> dict[str, SimServer]:
    """The three servers, bound (port 0 = a free port) but not yet serving."""
    served = Path(sim_dir) / "served"
    pager = JsonlPager()  # one index cache for both paged sources
    state = {system: FaultState(faults_for(faults, system)) for system in SYSTEMS}
    c = credentials
    apps = {
        "obec": ObecDmc(served, c.obec_api_key, pager),
        "ovec": OvecVec(served, c.ovec_client_id, c.ovec_client_secret, state["ovec"], pager),
        "onab": OnabReport(served, c.onab_user, c.onab_password),
    }
    ports = ports or {}
    return {name: SimServer((host, ports.get(name, 0)), app, state[name])
            for name, app in apps.items()}


def endpoints_of(servers: Mapping[str, SimServer], credentials: Credentials) -> Endpoints:
    return Endpoints(obec_url=servers["obec"].root_url + BASE_PATH,
                     ovec_url=servers["ovec"].root_url, onab_url=servers["onab"].root_url,
                     credentials=credentials)


def warm_indexes(sim_dir: Path, servers: Mapping[str, SimServer]) -> None:
    """Index every served jsonl now, so the first page of a big file is not slow."""
    obec = servers["obec"].app
    assert isinstance(obec, ObecDmc)
    obec.pager.warm(sorted((Path(sim_dir) / "served").glob("*/*.jsonl")))


@contextmanager
def running_servers(sim_dir: Path, faults: FaultsSpec = None,
                    credentials: Credentials | None = None, host: str = "127.0.0.1",
                    ports: Mapping[str, int] | None = None) -> Iterator[Endpoints]:
    """Serve ``sim_dir/served`` over HTTP while the block runs.

    ``faults``: one ``Faults`` for the three servers, or a mapping
    ``{"obec"|"ovec"|"onab": Faults or {name: value}}``. Credentials are random
    unless given.
    """
    credentials = credentials or Credentials.random()
    servers = build_servers(sim_dir, credentials, faults, host, ports)
    for server in servers.values():
        server.start_thread()
    try:
        yield endpoints_of(servers, credentials)
    finally:
        stop_servers(servers)


def stop_servers(servers: Mapping[str, SimServer]) -> None:
    """Shut the servers down together (each waits up to a poll interval)."""
    threads = [threading.Thread(target=server.shutdown) for server in servers.values()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for server in servers.values():
        server.server_close()
