"""The machine the figures were measured on, and how busy it was meanwhile."""

from __future__ import annotations

import os
import platform
import subprocess
from pathlib import Path
from typing import Any

import psutil
import psycopg

from edu_platform.paths import REPO_ROOT


def _cpu_model() -> str:
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def _git_commit() -> str:
    result = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO_ROOT,
                            capture_output=True, text=True)
    dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"],
                           cwd=REPO_ROOT, capture_output=True, text=True).stdout.strip()
    commit = result.stdout.strip() or "unknown"
    return f"{commit} (with uncommitted changes)" if dirty else commit


def describe_machine(warehouse_url: str) -> dict[str, Any]:
    with psycopg.connect(warehouse_url) as conn:
        server = conn.execute("SHOW server_version").fetchone()[0]
    return {
        "cpu_model": _cpu_model(),
        "cores": os.cpu_count(),
        "ram_gib": round(psutil.virtual_memory().total / 2**30, 1),
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "postgresql": server,
        "git_commit": _git_commit(),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
        "shared": "the cores are shared with other work (other sessions' tests and builds); "
                  "figures compared as ratios were measured in the same run",
    }


class BusyMeter:
    """Average utilisation of all cores between two calls (everyone's, not only ours)."""

    def __init__(self) -> None:
        psutil.cpu_percent(interval=None)

    def read(self) -> float:
        return round(psutil.cpu_percent(interval=None), 1)
