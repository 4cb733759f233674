"""dbt's documentation site (models, columns in English and Thai, lineage) for analysts."""

from __future__ import annotations

import functools
import http.server
import shutil
from pathlib import Path

from edu_platform.dbt_runner import parse_state_args, run_dbt_as_transformer
from edu_platform.paths import dbt_project_dir, var_dir


def docs_dir() -> Path:
    return var_dir() / "dbt-docs"


PARTIAL_PARSE_FILE = "partial_parse.msgpack"


def generate_docs(warehouse_url: str) -> Path:
    """`dbt docs generate --static`: one self-contained page that opens offline.

    As the transformer, with the province's vars, like set-up's `dbt parse`, whose saved
    parse state it starts from: dbt then re-parses only what changed since.
    """
    target = docs_dir()
    target.mkdir(parents=True, exist_ok=True)
    parsed = dbt_project_dir() / "target" / PARTIAL_PARSE_FILE
    if parsed.exists():
        shutil.copyfile(parsed, target / PARTIAL_PARSE_FILE)
    result = run_dbt_as_transformer(
        ["docs", "generate", "--static", "--target-path", str(target),
         *parse_state_args()], warehouse_url)
    if result.returncode != 0:
        raise RuntimeError("dbt docs generate failed: "
                           + (result.stdout + result.stderr).strip().splitlines()[-1])
    return target / "static_index.html"


def serve_docs(folder: Path, port: int) -> None:
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(folder))
    with http.server.ThreadingHTTPServer(("127.0.0.1", port), handler) as server:
        print(f"serving http://127.0.0.1:{port}/static_index.html (Ctrl-C to stop)")
        server.serve_forever()
