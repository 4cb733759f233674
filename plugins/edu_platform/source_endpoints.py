"""Where the sources are: the built-in simulators by default, or the environment.

The pipeline never imports the simulators: it starts them with their own
command (`edu-sim start`) and reads the endpoints and credentials that command
writes (`var/sim/<preset>/sources.env`).
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from edu_platform.paths import var_dir, venv_bin


class SimulatorsFailed(RuntimeError):
    pass


def read_env_file(path: Path) -> dict[str, str]:
    pairs = (line.split("=", 1) for line in path.read_text().splitlines()
             if "=" in line and not line.lstrip().startswith("#"))
    return {key.strip().removeprefix("export "): value.strip().strip("'\"")
            for key, value in pairs}


def start_simulators(preset: str, dlp_url: str | None) -> dict[str, str]:
    """Start (or reuse) the simulators for a preset; returns the sources' settings."""
    out = var_dir() / "sim" / preset
    command = [str(venv_bin() / "edu-sim"), "start", "--preset", preset, "--out", str(out)]
    if dlp_url:
        command += ["--dlp-url", dlp_url]
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        raise SimulatorsFailed(
            f"the source simulators did not start: {(result.stderr or result.stdout).strip()}"
        )
    return read_env_file(out / "sources.env")
