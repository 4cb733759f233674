"""Debian packages the project needs on a machine: installed by apt-get when run as root.

Used for PostgreSQL's server (embedded_postgres) and, from the Makefile's test
path, for the Chromium and Thai fonts that the report's browser test drives:
`python -m edu_platform.debian_packages chromium fonts-thai-tlwg`.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
from collections.abc import Sequence

log = logging.getLogger(__name__)


def install_command(packages: Sequence[str]) -> str:
    return f"apt-get update && apt-get install -y {' '.join(packages)}"


def can_install() -> bool:
    return os.geteuid() == 0 and shutil.which("apt-get") is not None


def install(packages: Sequence[str]) -> None:
    log.warning("installing Debian packages: %s", " ".join(packages))
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run(["apt-get", "install", "-y", "-qq", *packages], check=True, env=env)


def main(argv: Sequence[str] | None = None) -> int:
    packages = list(sys.argv[1:] if argv is None else argv)
    if not can_install():
        print(f"Missing Debian packages {', '.join(packages)}: run as root "
              f"`{install_command(packages)}`", file=sys.stderr)
        return 1
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    install(packages)
    return 0


if __name__ == "__main__":
    sys.exit(main())
