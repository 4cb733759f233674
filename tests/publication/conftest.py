"""A release schema built to the contract in a database of its own, and its files written once."""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from edu_platform.paths import var_dir
from edu_platform.publication import write_release_files
from tests.integration.conftest import fresh_warehouse  # noqa: F401  (module fixture)
from tests.publication.release_builder import SCHEMA, build_release_schema

PROVINCE_EN, PROVINCE_TH = "Rayong", "ระยอง"


@dataclass(frozen=True)
class Published:
    warehouse_url: str
    folder: Path
    files: list[Path]


@pytest.fixture(scope="module")
def published(fresh_warehouse: str) -> Iterator[Published]:  # noqa: F811
    build_release_schema(fresh_warehouse)
    folder = var_dir() / "test-scratch" / f"publication-{uuid.uuid4().hex[:8]}" / SCHEMA
    files = write_release_files(fresh_warehouse, SCHEMA, folder, PROVINCE_EN, PROVINCE_TH)
    yield Published(fresh_warehouse, folder, files)
    shutil.rmtree(folder.parent, ignore_errors=True)
