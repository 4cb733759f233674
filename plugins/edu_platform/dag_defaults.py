"""Defaults every DAG of the project shares, so DAG files only wire tasks."""

from __future__ import annotations

import os
from datetime import timedelta
from typing import Any

from edu_platform.notifications import FailureNotifier


def default_args(owner: str, execution_timeout: timedelta = timedelta(hours=1)) -> dict[str, Any]:
    return {
        "owner": owner,
        # EDU_TASK_RETRIES: fewer retries where waiting is pointless (tests, debugging).
        "retries": int(os.environ.get("EDU_TASK_RETRIES", "2")),
        "retry_delay": timedelta(minutes=1),
        "retry_exponential_backoff": True,
        "max_retry_delay": timedelta(minutes=15),
        "execution_timeout": execution_timeout,
        "on_failure_callback": [FailureNotifier()],
    }
