"""The project's own PostgreSQL cluster, used when no database URL is configured.

`initdb` into an ignored project folder, a non-default port on 127.0.0.1,
password authentication. PostgreSQL refuses to run as root, so as root every
server command runs as the `postgres` system user.
"""

from __future__ import annotations

import logging
import os
import pwd
import shutil
import stat
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
from psycopg import sql

from edu_platform import debian_packages
from edu_platform.security.redaction import RedactedUrl

log = logging.getLogger(__name__)

DEFAULT_PORT = 55432
SERVER_USER = "postgres"
INSTALL_HINT = (
    "PostgreSQL server binaries (initdb, pg_ctl) were not found. Install Debian's "
    f"package with `{debian_packages.install_command(['postgresql'])}`, or set "
    "EDU_PG_BINDIR to the folder that holds them, or set WAREHOUSE_URL to use an "
    "existing server."
)
# Tuned for a single-machine warehouse that bulk-loads nightly; the rest stays default.
SERVER_SETTINGS = {
    "listen_addresses": "'127.0.0.1'",
    "max_connections": "200",
    "shared_buffers": "'512MB'",
    "work_mem": "'64MB'",
    "maintenance_work_mem": "'512MB'",
    "max_wal_size": "'4GB'",
    "synchronous_commit": "off",
    "timezone": "'Asia/Bangkok'",
}


class PostgresUnavailable(RuntimeError):
    """The embedded cluster cannot be installed, initialized or started."""


def _candidate_bindirs() -> list[Path]:
    configured = os.environ.get("EDU_PG_BINDIR")
    if configured:
        return [Path(configured)]
    debian = sorted(
        Path("/usr/lib/postgresql").glob("*/bin"),
        key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0,
        reverse=True,
    )
    on_path = shutil.which("initdb")
    return debian + ([Path(on_path).parent] if on_path else [])


def find_bindir(install: bool = True) -> Path:
    """The folder with initdb and pg_ctl; installs Debian's package when root and allowed."""
    for bindir in _candidate_bindirs():
        if (bindir / "initdb").exists() and (bindir / "pg_ctl").exists():
            return bindir
    if install and debian_packages.can_install():
        log.warning("PostgreSQL server binaries missing: installing Debian's postgresql package")
        debian_packages.install(["postgresql"])
        return find_bindir(install=False)
    raise PostgresUnavailable(INSTALL_HINT)


@dataclass(frozen=True)
class EmbeddedPostgres:
    data_dir: Path
    port: int
    password: str = field(repr=False)
    superuser: str = "postgres"

    @property
    def log_file(self) -> Path:
        return self.data_dir.parent / f"{self.data_dir.name}.log"

    def url(self, database: str, driver: str = "postgresql") -> str:
        return RedactedUrl(
            f"{driver}://{self.superuser}:{self.password}@127.0.0.1:{self.port}/{database}")

    # -- running server commands as the right user ------------------------------------

    def _run(self, args: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
        command = [str(find_bindir() / args[0]), *args[1:]]
        if os.geteuid() == 0:
            command = ["runuser", "-u", SERVER_USER, "--", *command]
        return subprocess.run(command, text=True, capture_output=True, **kwargs)  # type: ignore[call-overload]

    def _make_reachable(self) -> None:
        """Let the server user walk down to the data folder (a clone may sit in a 0700 dir)."""
        if os.geteuid() != 0:
            return
        for folder in reversed(self.data_dir.parent.resolve().parents):
            mode = folder.stat().st_mode
            if not mode & stat.S_IXOTH:
                log.warning("granting search permission (o+x) on %s for the %s user",
                            folder, SERVER_USER)
                folder.chmod(mode | stat.S_IXOTH)
        self.data_dir.parent.chmod(self.data_dir.parent.stat().st_mode | stat.S_IXOTH)

    def _hand_to_server_user(self, path: Path) -> None:
        if os.geteuid() == 0:
            server = pwd.getpwnam(SERVER_USER)
            os.chown(path, server.pw_uid, server.pw_gid)

    # -- lifecycle ------------------------------------------------------------------------

    @property
    def initialized(self) -> bool:
        return (self.data_dir / "PG_VERSION").exists()

    def init(self) -> None:
        if self.initialized:
            return
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self._make_reachable()
        self.data_dir.chmod(0o700)
        self._hand_to_server_user(self.data_dir)
        with tempfile.NamedTemporaryFile("w", delete=False, dir=self.data_dir.parent) as pwfile:
            pwfile.write(self.password)
        try:
            self._hand_to_server_user(Path(pwfile.name))
            # Collation "C": the same order as C.UTF-8 (code points), but PostgreSQL sorts
            # and indexes it by bytes with abbreviated keys, 2-3x faster on the 64-character
            # pseudonyms the models sort (bench/, dbt build); character classes stay UTF-8.
            result = self._run(
                [
                    "initdb", "-D", str(self.data_dir), "-U", self.superuser,
                    f"--pwfile={pwfile.name}", "--auth-host=scram-sha-256",
                    "--auth-local=scram-sha-256", "--encoding=UTF8", "--locale=C.UTF-8",
                    "--lc-collate=C",
                ]
            )
        finally:
            os.unlink(pwfile.name)
        if result.returncode != 0:
            raise PostgresUnavailable(f"initdb failed: {result.stderr.strip()}")
        settings = "".join(f"{key} = {value}\n" for key, value in SERVER_SETTINGS.items())
        with (self.data_dir / "postgresql.conf").open("a") as conf:
            conf.write(f"\n# edu-platform\nport = {self.port}\n{settings}")
            conf.write(f"unix_socket_directories = '{self.data_dir}'\n")

    def is_running(self) -> bool:
        if not self.initialized:
            return False
        return self._run(["pg_ctl", "status", "-D", str(self.data_dir)]).returncode == 0

    def start(self, timeout: float = 60) -> None:
        """Initialize if needed and start; a running cluster is left as it is."""
        self.init()
        if not self.is_running():
            self.log_file.touch(exist_ok=True)
            self._hand_to_server_user(self.log_file)
            result = self._run(
                ["pg_ctl", "start", "-D", str(self.data_dir), "-l", str(self.log_file),
                 "-w", "-t", str(int(timeout))]
            )
            if result.returncode != 0:
                tail = self.log_file.read_text()[-2000:] if self.log_file.exists() else ""
                raise PostgresUnavailable(f"PostgreSQL did not start: {result.stderr}\n{tail}")
        self.wait_ready(timeout)

    def stop(self) -> None:
        if self.is_running():
            self._run(["pg_ctl", "stop", "-D", str(self.data_dir), "-m", "fast", "-w"])

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while True:
            try:
                with psycopg.connect(self.url("postgres"), connect_timeout=2):
                    return
            except psycopg.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)

    def ensure_database(self, name: str) -> None:
        ensure_database(self.url("postgres"), name)


def ensure_database(maintenance_url: str, name: str) -> None:
    """Create database `name` on the server of `maintenance_url` unless it exists."""
    with psycopg.connect(maintenance_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
