"""Failure notices for operators: to the task log, to a file, and optionally to a webhook.

`EDU_ALERTS_FILE` (default var/alerts.log) receives one JSON line per failure;
`EDU_ALERT_WEBHOOK_URL`, when set, receives the same JSON by HTTP POST (a chat
incoming-webhook URL, say). For e-mail, put Airflow's SMTP provider notifier beside it
(README "Failure notices").
"""

from __future__ import annotations

import json
import logging
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from airflow.sdk import BaseNotifier

from edu_platform.paths import var_dir

log = logging.getLogger(__name__)


def alerts_file() -> Path:
    return Path(os.environ.get("EDU_ALERTS_FILE", var_dir() / "alerts.log"))


def failure_notice(context: dict[str, Any]) -> dict[str, Any]:
    ti = context.get("task_instance") or context.get("ti")
    exception = context.get("exception")
    return {
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "dag_id": getattr(ti, "dag_id", None),
        "task_id": getattr(ti, "task_id", None),
        "run_id": getattr(ti, "run_id", None),
        "try_number": getattr(ti, "try_number", None),
        "error": str(exception) if exception else None,
    }


class FailureNotifier(BaseNotifier):
    """on_failure_callback: what failed, where, and why, in one JSON line."""

    def notify(self, context: Any) -> None:
        notice = failure_notice(context)
        log.error("FAILED %s.%s (run %s): %s", notice["dag_id"], notice["task_id"],
                  notice["run_id"], notice["error"])
        path = alerts_file()
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(notice, ensure_ascii=False) + "\n")
        webhook = os.environ.get("EDU_ALERT_WEBHOOK_URL")
        if webhook:
            import requests

            requests.post(webhook, json=notice, timeout=10)
