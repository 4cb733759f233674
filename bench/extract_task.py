"""One source's extraction in a process of its own, as an Airflow extract task runs it.

`python -m bench.extract_task SOURCE WAREHOUSE_URL YEAR:TERM ...` (the sources'
endpoints in the environment, as `sources.env` gives them) prints one JSON
object: rows, seconds, and the process's resident memory after its imports and
at its peak.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import psutil

from edu_platform.landing.extract import run_extraction
from edu_platform.province_config import load_province

MIB = 2**20


def peak_rss() -> int:
    """This process's peak resident memory, in bytes.

    Linux's VmHWM, not `getrusage`: `ru_maxrss` survives `execve`, so a child
    started from a big parent would report the parent's size.
    """
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError("no VmHWM in /proc/self/status (Linux only)")


def main(argv: list[str]) -> int:
    source, url, *pairs = argv
    province = load_province()
    rss_after_imports = psutil.Process().memory_info().rss
    started = time.perf_counter()
    summaries = [run_extraction(province, source, *map(int, pair.split(":")), url)
                 for pair in pairs]
    seconds = time.perf_counter() - started
    print(json.dumps({
        "rows_received": sum(s.rows_received for s in summaries),
        "rows_loaded": sum(s.rows_loaded for s in summaries),
        "rows_quarantined": sum(s.rows_quarantined for s in summaries),
        "batches": sum(len(s.batches) for s in summaries),
        "seconds": seconds,
        "rss_after_imports_mib": rss_after_imports / MIB,
        "peak_rss_mib": peak_rss() / MIB,
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
