"""The servers as one detached background process, as ``edu-sim start`` runs them.

Files in the simulation folder: ``servers.pid`` (the process), ``servers.log``
(its output), ``servers.json`` (its ports, written by the child once listening)
and ``sources.env`` (mode 0600: URLs and this start's random credentials).
Credentials reach the child through its environment, never its command line.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import shlex
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from edu_simulators.servers.faults import SYSTEMS
from edu_simulators.servers.runner import (
    ENV_VARS,
    Credentials,
    Endpoints,
    FaultsSpec,
    build_servers,
    endpoints_of,
    faults_for,
    stop_servers,
    warm_indexes,
)

PID_FILE = "servers.pid"
LOG_FILE = "servers.log"
STATE_FILE = "servers.json"
ENV_FILE = "sources.env"
CREDENTIALS_VAR = "EDU_SIM_CREDENTIALS"
MODULE = "edu_simulators.servers"


class SimProcessError(RuntimeError):
    """A failure to start or stop the servers, worded for the user."""


@dataclass(frozen=True)
class ServerStatus:
    sim_dir: Path
    pid: int | None
    running: bool  # the process is alive
    healthy: bool  # and answers with the credentials in sources.env
    env: dict[str, str]


# ---- the files ------------------------------------------------------------

def write_env(path: Path, env: dict[str, str]) -> str:
    """Write ``sources.env`` readable by the owner only; returns its text."""
    text = "".join(f"{name}={shlex.quote(env[name])}\n" for name in ENV_VARS)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
    os.chmod(path, 0o600)  # an older file keeps its mode through O_TRUNC
    return text


def read_env(path: Path) -> dict[str, str]:
    env: dict[str, str] = {}
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            name, sep, value = line.partition("=")
            if sep and not line.lstrip().startswith("#"):
                env[name.strip()] = (shlex.split(value) or [""])[0]
    return env


def _read_pid(sim_dir: Path) -> int | None:
    try:
        return int((sim_dir / PID_FILE).read_text().strip())
    except (OSError, ValueError):
        return None


def _is_our_process(pid: int) -> bool:
    """Alive and running our module: a recycled pid must never be signalled."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return False
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return True  # no /proc (macOS): trust the pid file
    return MODULE.encode() in cmdline


def _clean(sim_dir: Path) -> None:
    for name in (PID_FILE, STATE_FILE, ENV_FILE):
        (sim_dir / name).unlink(missing_ok=True)


# ---- parent side ----------------------------------------------------------

def status(sim_dir: Path) -> ServerStatus:
    pid = _read_pid(sim_dir)
    running = pid is not None and _is_our_process(pid)
    env = read_env(sim_dir / ENV_FILE)
    healthy = False
    if running and all(name in env for name in ENV_VARS):
        healthy = Endpoints.from_env(env).healthy()
    return ServerStatus(sim_dir, pid, running, healthy, env)


def start_detached(sim_dir: Path, dlp_url: str, faults: FaultsSpec = None,
                   timeout: float = 60.0) -> dict[str, str]:
    """Start the servers in the background; returns the ``sources.env`` values.

    Waits until the three servers answer with the new credentials.
    """
    sim_dir = sim_dir.resolve()
    current = status(sim_dir)
    if current.running:
        raise SimProcessError(f"servers already running (pid {current.pid}) for {sim_dir}")
    _clean(sim_dir)
    credentials = Credentials.random()
    faults_json = json.dumps({s: faults_for(faults, s).to_dict() for s in SYSTEMS})
    child_env = {**os.environ, CREDENTIALS_VAR: json.dumps(credentials.to_dict())}
    with open(sim_dir / LOG_FILE, "ab") as log:
        child = subprocess.Popen(
            [sys.executable, "-m", MODULE, "--sim-dir", str(sim_dir), "--faults", faults_json],
            stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
            env=child_env, start_new_session=True, close_fds=True)
    (sim_dir / PID_FILE).write_text(f"{child.pid}\n")

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if child.poll() is not None:
            _clean(sim_dir)
            raise SimProcessError(f"the servers exited at start (code {child.returncode}); "
                                  f"see {sim_dir / LOG_FILE}")
        state = _read_state(sim_dir)
        if state is not None:
            endpoints = Endpoints(state["obec_url"], state["ovec_url"], state["onab_url"],
                                  credentials)
            if endpoints.healthy():
                env = endpoints.env(sim_dir / "drop", dlp_url)
                write_env(sim_dir / ENV_FILE, env)
                return env
        time.sleep(0.1)
    stop(sim_dir)
    raise SimProcessError(f"the servers did not answer within {timeout:.0f} s; "
                          f"see {sim_dir / LOG_FILE}")


def _read_state(sim_dir: Path) -> dict | None:
    try:
        return json.loads((sim_dir / STATE_FILE).read_text())
    except (OSError, ValueError):
        return None


def stop(sim_dir: Path, timeout: float = 10.0) -> bool:
    """Stop the servers of a folder; False if none were running."""
    pid = _read_pid(sim_dir)
    if pid is None or not _is_our_process(pid):
        _clean(sim_dir)
        return False
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while _is_our_process(pid) and time.monotonic() < deadline:
        _reap(pid)
        time.sleep(0.05)
    if _is_our_process(pid):
        os.kill(pid, signal.SIGKILL)
    _reap(pid)
    _clean(sim_dir)
    return True


def _reap(pid: int) -> None:
    # When the caller itself started the child (tests), collect the zombie.
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)


# ---- child side -----------------------------------------------------------

def child_main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog=f"python -m {MODULE}")
    parser.add_argument("--sim-dir", type=Path, required=True)
    parser.add_argument("--faults", default="{}", help="JSON {system: {fault: value}}")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, stream=sys.stdout,
                        format="%(asctime)s %(levelname)s %(message)s")
    log = logging.getLogger(MODULE)

    credentials = Credentials(**json.loads(os.environ.pop(CREDENTIALS_VAR)))
    servers = build_servers(args.sim_dir, credentials, json.loads(args.faults))
    for server in servers.values():
        server.start_thread()
    endpoints = endpoints_of(servers, credentials)
    state = {"pid": os.getpid(), "obec_url": endpoints.obec_url,
             "ovec_url": endpoints.ovec_url, "onab_url": endpoints.onab_url}
    tmp = args.sim_dir / f".{STATE_FILE}.tmp"
    tmp.write_text(json.dumps(state))
    tmp.replace(args.sim_dir / STATE_FILE)  # atomic: the parent never reads half a file
    log.info("serving %s: %s", args.sim_dir, state)

    stopping = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stopping.set())
    threading.Thread(target=warm_indexes, args=(args.sim_dir, servers), daemon=True).start()
    while not stopping.wait(0.5):  # a timed wait keeps the signal handlers responsive
        pass
    log.info("stopping")
    stop_servers(servers)
