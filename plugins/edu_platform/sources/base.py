"""What every connector provides, and the error it raises when its source fails."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import psycopg

from edu_platform.landing.entities import Delivery, RawRow, Rejected


class SourceError(RuntimeError):
    """A source could not be extracted. The message names the source and the cause."""

    def __init__(self, source: str, cause: str) -> None:
        super().__init__(f"{source}: {cause}")
        self.source = source
        self.cause = cause


@dataclass(frozen=True)
class Batch:
    """One delivery and its items; `content_sha256` when known before reading (files)."""

    delivery: Delivery
    items: Iterable[RawRow | Rejected]
    content_sha256: str | None = None
    # For incremental pulls: called after the batch committed, returns the new
    # watermark (saved only then, so a failed load is pulled again next time).
    next_watermark: Callable[[], str | None] | None = None


@dataclass(frozen=True)
class ExtractContext:
    """What a connector gets: its config block, the year and term, the warehouse (state)."""

    source_name: str
    config: Mapping[str, Any]
    academic_year: int
    term: int
    warehouse: psycopg.Connection  # for watermarks; batches are written by the caller
    province_code: str = ""

    def setting(self, key: str, default: str | None = None) -> str:
        """A config value; `env:NAME` reads the environment variable NAME."""
        value = self.config.get(key, default)
        if isinstance(value, str) and value.startswith("env:"):
            name = value[4:]
            if name not in os.environ:
                raise SourceError(self.source_name, f"environment variable {name} is not set")
            return os.environ[name]
        if value is None:
            raise SourceError(self.source_name, f"setting {key!r} is missing in the config")
        return str(value)


class Connector(Protocol):
    """Yields the batches of one source for one academic year and term."""

    def __call__(self, context: ExtractContext) -> Iterator[Batch]: ...
