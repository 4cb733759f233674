"""`edu`: the command line for what data engineers and operators do by hand.

Errors are one clear sentence; `--verbose` shows the traceback.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Callable, Sequence
from urllib.parse import unquote, urlsplit, urlunsplit

from rich.console import Console
from rich.table import Table

from edu_platform import airflow_runner, status
from edu_platform.airflow_env import airflow_environment
from edu_platform.databases import resolve_databases
from edu_platform.nightly import NightlySummary, run_nightly
from edu_platform.province_config import load_province
from edu_platform.setup_runtime import Runtime, prepare_runtime
from edu_platform.source_endpoints import start_simulators

DLP_SIMULATOR_DB = "dlp_itw"

console = Console(stderr=True)


def _progress(message: str) -> None:
    console.print(f"[bold cyan]»[/] {message}")


def _redacted(url: str) -> str:
    parts = urlsplit(url)
    if parts.password:
        parts = parts._replace(netloc=parts.netloc.replace(f":{parts.password}@", ":***@"))
    return parts.geturl()


# -- commands --------------------------------------------------------------------------

def cmd_db(args: argparse.Namespace) -> int:
    databases = resolve_databases()
    if databases.embedded is None:
        console.print(f"WAREHOUSE_URL is set: using {_redacted(databases.warehouse_url)}; "
                      "the embedded cluster is not used.")
        return 0
    cluster = databases.embedded
    if args.action == "start":
        databases.prepare()
        console.print(f"PostgreSQL running on 127.0.0.1:{cluster.port} ({cluster.data_dir})")
    elif args.action == "stop":
        cluster.stop()
        console.print("PostgreSQL stopped")
    else:
        state = "running" if cluster.is_running() else "stopped"
        console.print(f"PostgreSQL {state} on 127.0.0.1:{cluster.port} ({cluster.data_dir})")
    return 0


def cmd_setup(args: argparse.Namespace) -> int:
    prepare_runtime(_progress)
    console.print("[green]ready[/]")
    return 0


def cmd_env(args: argparse.Namespace) -> int:
    """Shell exports for running `airflow` or `dbt` by hand: eval "$(edu env)"."""
    env = airflow_environment(resolve_databases())
    for key, value in sorted(env.items()):
        print(f"export {key}='{value}'")
    return 0


def _print_summary(summary: NightlySummary, warehouse_url: str) -> None:
    runs = Table(title=f"Nightly pipeline: {summary.province.name_en} "
                       f"({summary.province.code})")
    for column in ("DAG", "result", "seconds", "log"):
        runs.add_column(column)
    for outcome in summary.outcomes:
        result = "[green]success[/]" if outcome.succeeded else "[red]failed[/]"
        runs.add_row(outcome.dag_id, result, f"{outcome.seconds:.1f}", str(outcome.log_file))
    tables = Table(title=f"Warehouse {_redacted(warehouse_url)}")
    for column in ("schema", "table", "rows"):
        tables.add_column(column)
    for schema, table, rows in summary.tables:
        tables.add_row(schema, table, f"{rows:,}")
    landed = Table(title="Raw zone: rows per source (received = loaded + quarantined)")
    for column in ("source", "received", "loaded", "quarantined"):
        landed.add_column(column)
    for source, received, loaded, quarantined in summary.landed:
        landed.add_row(source, f"{received:,}", f"{loaded:,}", f"{quarantined:,}")
    out = Console()
    out.print(runs)
    out.print(landed)
    out.print(tables)
    release = summary.release
    if release is None:
        out.print("No release is published yet.")
    else:
        out.print(f"Current release: [bold]{release.release_number}[/] ({release.schema_name}, "
                  f"published {release.published_at:%Y-%m-%d %H:%M %Z}): "
                  f"{release.gates_passed} gates passed, {release.warnings} warned, "
                  f"{release.revision_count} revisions, {release.withheld_cells} cells "
                  f"withheld; files in {release.files_dir}")


def _simulators_env(preset: str, runtime: Runtime) -> dict[str, str]:
    _progress(f"starting the source simulators (preset {preset})")
    cluster = runtime.databases.embedded
    dlp_url = None
    if cluster is not None:
        cluster.ensure_database(DLP_SIMULATOR_DB)
        dlp_url = cluster.url(DLP_SIMULATOR_DB, driver="postgresql+psycopg")
    return start_simulators(preset, dlp_url)


def _sources_env(args: argparse.Namespace, runtime: Runtime) -> dict[str, str]:
    if args.sources == "environment":
        _progress("sources: endpoints and credentials from the environment")
        return {}
    return _simulators_env(args.preset, runtime)


def cmd_run(args: argparse.Namespace) -> int:
    province = load_province(args.province)
    # Set-up (the province's warehouse database, its grants) and the DAGs read the
    # province from the environment, as a scheduler's services do.
    os.environ["EDU_PROVINCE"] = province.slug
    runtime = prepare_runtime(_progress)
    summary = run_nightly(runtime, province, _sources_env(args, runtime), _progress,
                          stages=tuple(args.stages.split(",")))
    _print_summary(summary, runtime.databases.warehouse_url)
    if not summary.succeeded:
        failed = ", ".join(o.dag_id for o in summary.outcomes if not o.succeeded)
        console.print(f"[red]The nightly run failed in: {failed}[/] (see the logs above)")
        return 1
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    databases = resolve_databases()
    databases.prepare()
    runs = Table(title="Latest DAG runs")
    for column in ("DAG", "run", "state", "started", "ended"):
        runs.add_column(column)
    for row in status.latest_dag_runs(databases.airflow_url, args.limit):
        colour = {"success": "green", "failed": "red"}.get(row.state, "yellow")
        runs.add_row(row.dag_id, row.run_id, f"[{colour}]{row.state}[/]",
                     f"{row.started:%Y-%m-%d %H:%M}" if row.started else "",
                     f"{row.ended:%Y-%m-%d %H:%M}" if row.ended else "")
    releases = Table(title="Releases (newest first; `current` is the first)")
    for column in ("release", "published", "gates passed", "warned", "revisions",
                   "withheld", "files"):
        releases.add_column(column)
    for row in status.releases(databases.warehouse_url, args.limit):
        releases.add_row(str(row.number), f"{row.published_at:%Y-%m-%d %H:%M}",
                         str(row.gates_passed), str(row.warnings), str(row.revisions),
                         str(row.withheld), row.files_dir or "")
    out = Console()
    out.print(runs)
    out.print(releases)
    return 0


def cmd_quarantine(args: argparse.Namespace) -> int:
    databases = resolve_databases()
    databases.prepare()
    rows = status.quarantine(databases.warehouse_url, args.source, args.limit)
    table = Table(title=f"Quarantine of {args.source} (newest first, at most {args.limit})")
    for column in ("year", "term", "file or page", "record key", "reason", "detail", "rows"):
        table.add_column(column)
    for row in rows:
        table.add_row(str(row.academic_year or ""), str(row.term or ""), row.container,
                      row.record_key or "", row.reason, (row.detail or "")[:80],
                      str(row.rows_counted))
    Console().print(table if rows else f"nothing quarantined for {args.source}")
    return 0


def cmd_gates(args: argparse.Namespace) -> int:
    from rich.markup import escape

    from edu_platform.release.run_summary import summarize_latest_build

    databases = resolve_databases()
    databases.prepare()
    summary = summarize_latest_build(databases.warehouse_url)
    out = Console()
    out.out(summary.as_text(), end="")  # rendered already: no markup, no re-wrapping
    if not summary.problems:
        return 0
    table = Table(title="Gates that failed or warned in the latest build "
                        "(failing rows: audit_failures.<gate>)")
    for column in ("gate", "severity", "status", "failing rows", "message"):
        table.add_column(column)
    for problem in summary.problems:
        colour = "yellow" if problem.status == "warn" else "red"
        table.add_row(problem.name, problem.severity or "", f"[{colour}]{problem.status}[/]",
                      str(problem.failures or 0), escape((problem.message or "")[:120]))
    out.print(table)
    return 0


def cmd_sim(args: argparse.Namespace) -> int:
    """The simulators are a separate package: driven through their own command."""
    import subprocess

    from edu_platform.paths import venv_bin

    command = [str(venv_bin() / "edu-sim"), args.action, "--preset", args.preset]
    return subprocess.run(command, check=False).returncode


def cmd_docs(args: argparse.Namespace) -> int:
    from edu_platform.dbt_docs import generate_docs, serve_docs

    runtime = prepare_runtime(_progress)
    _progress("generating the dbt documentation (models, columns, lineage)")
    page = generate_docs(runtime.databases.warehouse_url)
    console.print(f"dbt docs: {page}")
    if args.serve:
        serve_docs(page.parent, args.port)
    return 0


def cmd_sql(args: argparse.Namespace) -> int:
    """psql as one of the pipeline's roles (default: the analyst), password not on the
    command line."""
    from edu_platform.security.logins import login_url

    databases = resolve_databases()
    databases.prepare()
    parts = urlsplit(login_url(databases.warehouse_url, args.role))
    user, host = parts.netloc.rsplit("@", 1)
    login, _, password = user.partition(":")
    url = urlunsplit(parts._replace(netloc=f"{login}@{host}"))
    os.environ["PGPASSWORD"] = unquote(password)
    command = ["psql", url, *(["-c", args.command] if args.command else [])]
    os.execvp("psql", command)


def cmd_up(args: argparse.Namespace) -> int:
    runtime = prepare_runtime(_progress)
    sources = _simulators_env(args.preset, runtime) if args.preset else {}
    _progress("starting the Airflow services (api-server, scheduler, dag-processor, triggerer)")
    started = airflow_runner.start_services({**runtime.airflow_env, **sources})
    console.print(f"Airflow UI: {airflow_runner.ui_url()}"
                  + (f" (started: {', '.join(started)})" if started else " (already running)"))
    credentials = airflow_runner.ui_credentials()
    if credentials and started:
        user, password = credentials
        console.print(f"Login: user [bold]{user}[/], password [bold]{password}[/] "
                      f"(kept in {airflow_runner.passwords_file()})")
    else:
        console.print(f"Login: see {airflow_runner.passwords_file()}")
    return 0


def cmd_down(args: argparse.Namespace) -> int:
    stopped = airflow_runner.stop_services()
    console.print(f"stopped: {', '.join(stopped)}" if stopped else "no Airflow service was running")
    return 0


# -- wiring ----------------------------------------------------------------------------

def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="edu", description=__doc__)
    parser.add_argument("--verbose", action="store_true", help="show tracebacks and debug logs")
    sub = parser.add_subparsers(dest="command", required=True)

    db = sub.add_parser("db", help="the embedded PostgreSQL cluster")
    db.add_argument("action", choices=["start", "stop", "status"])
    db.set_defaults(func=cmd_db)

    sub.add_parser("setup", help="prepare databases, Airflow metadata and the dbt manifest"
                   ).set_defaults(func=cmd_setup)
    sub.add_parser("env", help="print shell exports for running airflow/dbt by hand"
                   ).set_defaults(func=cmd_env)

    run = sub.add_parser("run", help="run the nightly pipeline end to end")
    run.add_argument("--province", default=None,
                     help="province configuration (include/provinces/<name>.yaml)")
    run.add_argument("--sources", choices=["simulators", "environment"], default="simulators",
                     help="the built-in simulators (default) or endpoints from the environment")
    run.add_argument("--preset", default="rayong", help="simulator preset (tiny, rayong, ...)")
    run.add_argument("--stages", default="extract,build,docs",
                     help="comma-separated stages to run: extract, build (with publication), "
                          "docs (default: all three)")
    run.set_defaults(func=cmd_run)

    status_cmd = sub.add_parser("status", help="the latest DAG runs and releases")
    status_cmd.add_argument("--limit", type=int, default=10)
    status_cmd.set_defaults(func=cmd_status)

    sub.add_parser("gates", help="the latest build's quality gates: which failed or warned, "
                   "rows landed, release").set_defaults(func=cmd_gates)

    quarantine = sub.add_parser("quarantine", help="list a source's quarantined records")
    quarantine.add_argument("source", help="source name, e.g. opec_psis")
    quarantine.add_argument("--limit", type=int, default=50)
    quarantine.set_defaults(func=cmd_quarantine)

    sim = sub.add_parser("sim", help="start, stop or check the source simulators")
    sim.add_argument("action", choices=["start", "stop", "status"])
    sim.add_argument("--preset", default="rayong")
    sim.set_defaults(func=cmd_sim)

    docs = sub.add_parser("docs", help="generate (and serve) the dbt documentation")
    docs.add_argument("--serve", action="store_true", help="serve it on http://127.0.0.1:PORT")
    docs.add_argument("--port", type=int, default=8081)
    docs.set_defaults(func=cmd_docs)

    sql_cmd = sub.add_parser("sql", help="psql into the warehouse as a role (default analyst)")
    sql_cmd.add_argument("--role", default="analyst",
                         choices=["analyst", "loader", "transformer", "publisher"])
    sql_cmd.add_argument("-c", "--command", help="run one SQL statement and exit")
    sql_cmd.set_defaults(func=cmd_sql)

    up = sub.add_parser("up", help="start the Airflow UI and scheduler")
    up.add_argument("--preset", default=None,
                    help="also start the source simulators of this preset (tiny, rayong, ...) "
                         "and give the services their endpoints; default: the sources' "
                         "endpoints and credentials from the environment")
    up.set_defaults(func=cmd_up)
    sub.add_parser("down", help="stop the Airflow services").set_defaults(func=cmd_down)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.WARNING)
    func: Callable[[argparse.Namespace], int] = args.func
    try:
        return func(args)
    except KeyboardInterrupt:
        console.print("interrupted")
        return 130
    except Exception as error:  # one clear sentence for people; details behind --verbose
        if args.verbose or os.environ.get("EDU_VERBOSE"):
            raise
        console.print(f"[red]error:[/] {error}")
        return 1


if __name__ == "__main__":
    sys.exit(main())
