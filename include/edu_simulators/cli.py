"""``edu-sim``: generate a synthetic province, serve it, compute its reference.

    edu-sim generate  --preset P [--seed S] [--out DIR] [--clean]
    edu-sim start     --preset P [--out DIR] [--dlp-url URL] [--fault NAME=VALUE ...]
    edu-sim stop      [--preset P | --out DIR]     (neither: every folder under var/sim)
    edu-sim status    [--preset P | --out DIR]
    edu-sim reference DIR

The folder defaults to ``<repo>/var/sim/<preset>``. ``start`` prints the
``sources.env`` variables on stdout (messages go to stderr), so
``edu-sim start > /dev/null && set -a && . var/sim/rayong/sources.env`` works.
Errors are one sentence; ``--verbose`` shows the traceback.
"""

from __future__ import annotations

import argparse
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rich.console import Console

from edu_simulators.presets import PRESETS

# include/edu_simulators/cli.py -> the repository root, wherever the shell is.
REPO_ROOT = Path(__file__).resolve().parents[2]
SIM_ROOT = REPO_ROOT / "var" / "sim"
DEFAULT_PRESET = "rayong"
DEFAULT_SEED = 21

err = Console(stderr=True, highlight=False)


def default_dir(preset: str) -> Path:
    return SIM_ROOT / preset


def _sim_dir(args: argparse.Namespace) -> Path:
    return Path(args.out).resolve() if args.out else default_dir(args.preset)


def _progress(update: Callable[[str], None]) -> Callable[..., None]:
    """A progress callback that accepts whatever the generator reports."""

    def report(*args: Any, **kwargs: Any) -> None:
        text = " ".join(str(a) for a in (*args, *kwargs.values()))
        if text:
            update(text)

    return report


# ---- commands -------------------------------------------------------------

def cmd_generate(args: argparse.Namespace) -> int:
    _generate(args.preset, args.seed, _sim_dir(args), args.clean)
    return 0


def _generate(preset: str, seed: int, sim_dir: Path, clean: bool) -> Path:
    from edu_simulators.generator import Imperfections, generate  # heavy: only when needed

    imperfections = Imperfections.none() if clean else None
    with err.status(f"generating preset {preset} (seed {seed}) in {sim_dir}") as spinner:
        report = _progress(lambda text: spinner.update(f"generating {preset}: {text}"))
        path = generate(preset=preset, seed=seed, out=sim_dir, imperfections=imperfections,
                        progress=report)
    err.print(f"generated {preset} (seed {seed}) in {path}")
    return Path(path)


def cmd_start(args: argparse.Namespace) -> int:
    from edu_simulators.servers import process
    from edu_simulators.servers.faults import parse_assignments

    sim_dir = _sim_dir(args)
    faults = parse_assignments(args.fault or [])
    current = process.status(sim_dir)
    if current.healthy:
        err.print(f"servers already running for {sim_dir} (pid {current.pid})")
        env = current.env
        if args.dlp_url:
            env = {**env, "DLP_ITW_URL": _copy_dlp(sim_dir, args.dlp_url)}
            process.write_env(sim_dir / process.ENV_FILE, env)
    else:
        if current.running:
            err.print(f"servers for {sim_dir} (pid {current.pid}) do not answer: restarting")
            process.stop(sim_dir)
        sim_dir.mkdir(parents=True, exist_ok=True)
        if not (sim_dir / "generation.json").exists():
            _generate(args.preset, args.seed, sim_dir, clean=False)
        dlp_url = (_copy_dlp(sim_dir, args.dlp_url) if args.dlp_url
                   else f"sqlite:///{sim_dir / 'dlp' / 'itw.sqlite'}")
        with err.status("starting the OBEC, OVEC and ONAB servers"):
            env = process.start_detached(sim_dir, dlp_url, faults, timeout=args.timeout)
        pid = (sim_dir / process.PID_FILE).read_text().strip()
        err.print(f"servers started (pid {pid}); log {sim_dir / process.LOG_FILE}")
    err.print(f"wrote {sim_dir / process.ENV_FILE}:")
    sys.stdout.write((sim_dir / process.ENV_FILE).read_text(encoding="utf-8"))
    return 0


def _copy_dlp(sim_dir: Path, url: str) -> str:
    from edu_simulators.servers.dlp_copy import copy_dlp

    with err.status("copying the DLP tables") as spinner:
        copied = copy_dlp(sim_dir / "dlp" / "itw.sqlite", url,
                          progress=lambda table, n: spinner.update(f"copying {table}: {n:,} rows"))
    err.print("copied DLP tables: " + ", ".join(f"{t} {n:,}" for t, n in copied.items()))
    return url


def _selected_dirs(args: argparse.Namespace) -> list[Path]:
    if args.out or args.preset:
        return [_sim_dir(args)]
    return sorted(p for p in SIM_ROOT.glob("*") if p.is_dir()) if SIM_ROOT.exists() else []


def cmd_stop(args: argparse.Namespace) -> int:
    from edu_simulators.servers import process

    dirs = _selected_dirs(args)
    stopped = [d for d in dirs if process.stop(d)]
    for sim_dir in stopped:
        err.print(f"stopped the servers of {sim_dir}")
    if not stopped:
        err.print("no servers were running")
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    from edu_simulators.servers import process

    out = Console(highlight=False)
    dirs = _selected_dirs(args)
    if not dirs:
        out.print(f"no simulation folders under {SIM_ROOT}")
    for sim_dir in dirs:
        state = process.status(sim_dir)
        generated = "generated" if (sim_dir / "generation.json").exists() else "not generated"
        if state.healthy:
            servers = f"[green]running[/] (pid {state.pid})"
        elif state.running:
            servers = f"[yellow]not answering[/] (pid {state.pid})"
        else:
            servers = "stopped"
        out.print(f"[bold]{sim_dir}[/]: {generated}, servers {servers}")
        if state.running:
            for label, name in (("OBEC", "OBEC_DMC_URL"), ("OVEC", "OVEC_VEC_URL"),
                                ("ONAB", "ONAB_REPORT_URL"), ("env ", None)):
                value = state.env.get(name, "") if name else sim_dir / process.ENV_FILE
                out.print(f"  {label} {value}", markup=False)
    return 0


def cmd_reference(args: argparse.Namespace) -> int:
    from edu_simulators.reference import write_reference

    sim_dir = Path(args.dir).resolve()
    if not (sim_dir / "ledger").is_dir():
        raise FileNotFoundError(f"{sim_dir} has no ledger/: generate it first")
    with err.status(f"computing the reference indicators of {sim_dir}"):
        path = write_reference(sim_dir)
    err.print(f"wrote {path}")
    return 0


# ---- parsing --------------------------------------------------------------

def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("-v", "--verbose", action="store_true", default=argparse.SUPPRESS,
                        help="show tracebacks on errors")
    parser = argparse.ArgumentParser(prog="edu-sim", parents=[common],
                                     description="Source simulators of the education platform.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def folder_options(p: argparse.ArgumentParser, preset_default: str | None) -> None:
        p.add_argument("--preset", default=preset_default,
                       help=f"{', '.join(PRESETS)} (default {preset_default or 'all'})")
        p.add_argument("--out", help="simulation folder (default <repo>/var/sim/<preset>)")

    gen = sub.add_parser("generate", parents=[common], help="write a synthetic province")
    folder_options(gen, DEFAULT_PRESET)
    gen.add_argument("--seed", type=int, default=DEFAULT_SEED)
    gen.add_argument("--clean", "--no-imperfections", dest="clean", action="store_true",
                     help="no injected imperfections")
    gen.set_defaults(func=cmd_generate)

    start = sub.add_parser("start", parents=[common],
                           help="generate if needed, start the servers, write sources.env")
    folder_options(start, DEFAULT_PRESET)
    start.add_argument("--seed", type=int, default=DEFAULT_SEED,
                       help="seed when generating")
    start.add_argument("--dlp-url", help="SQLAlchemy URL to copy the DLP tables into")
    start.add_argument("--fault", action="append", metavar="[SYSTEM.]NAME=VALUE",
                       help="a fault from the start, e.g. rate_limit_every=5 or "
                            "ovec.api_version=3 (repeatable)")
    start.add_argument("--timeout", type=float, default=60.0,
                       help="seconds to wait for the servers to answer")
    start.set_defaults(func=cmd_start)

    for name, func, text in (("stop", cmd_stop, "stop the servers"),
                             ("status", cmd_status, "show the simulation folders")):
        p = sub.add_parser(name, parents=[common], help=text)
        group = p.add_mutually_exclusive_group()
        group.add_argument("--preset")
        group.add_argument("--out")
        p.set_defaults(func=func)

    ref = sub.add_parser("reference", parents=[common],
                         help="compute the reference indicators from the ledger")
    ref.add_argument("dir", help="a generated simulation folder")
    ref.set_defaults(func=cmd_reference)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except KeyboardInterrupt:
        err.print("interrupted")
        return 130
    except Exception as exc:  # one clear sentence for the user, the trace on request
        if getattr(args, "verbose", False):
            traceback.print_exc()
        message = str(exc) or type(exc).__name__
        err.print(f"edu-sim {args.command}: error: {message}", markup=False)
        return 1


if __name__ == "__main__":
    sys.exit(main())
