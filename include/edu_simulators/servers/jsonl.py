"""Paging over served ``.jsonl`` files without loading them.

A national file holds millions of records: the server keeps only the byte offset
of each record (one int64 a line, built once per file with a vectorised scan) and
seeks to read a page. Filtered views (``updated_since=``, ``school_code=``) stream
the file once and keep the offsets of the matching records, cached for the pages
that follow.
"""

from __future__ import annotations

import json
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from pathlib import Path

import numpy as np

CHUNK = 16 * 1024 * 1024
Predicate = Callable[[bytes], bool]  # sees a record's raw JSON line


def _line_starts(path: Path) -> np.ndarray:
    """Byte offsets of the lines that hold a record (blank lines skipped)."""
    size = path.stat().st_size
    parts = [np.zeros(1, dtype=np.int64)]
    with open(path, "rb") as fh:
        base = 0
        while chunk := fh.read(CHUNK):
            newlines = np.flatnonzero(np.frombuffer(chunk, dtype=np.uint8) == 10)
            parts.append(newlines.astype(np.int64) + base + 1)
            base += len(chunk)
    starts = np.concatenate(parts)
    starts = starts[starts < size]
    # Line length without its newline; a record is at least "{}".
    lengths = np.diff(np.append(starts, size + 1)) - 1
    return starts[lengths >= 2]


def _matching_starts(path: Path, predicate: Predicate) -> np.ndarray:
    found: list[int] = []
    offset = 0
    with open(path, "rb") as fh:
        for line in fh:
            if len(line.strip()) >= 2 and predicate(line):
                found.append(offset)
            offset += len(line)
    return np.array(found, dtype=np.int64)


def string_field(line: bytes, name: str) -> str | None:
    """A top-level string field of a JSON line, without parsing the whole record.

    Filtering a national file reads millions of records; a regex on the raw line
    is several times faster than json.loads. Null or absent fields give None.
    """
    pattern = _FIELD_PATTERNS.get(name)
    if pattern is None:
        pattern = _FIELD_PATTERNS.setdefault(
            name, re.compile(rb'"' + re.escape(name.encode()) + rb'"\s*:\s*"((?:[^"\\]|\\.)*)"'))
    match = pattern.search(line)
    if match is None:
        return None
    raw = match.group(1)
    return json.loads(b'"' + raw + b'"') if b"\\" in raw else raw.decode("utf-8")


_FIELD_PATTERNS: dict[str, re.Pattern[bytes]] = {}


class JsonlPager:
    """Page reads over jsonl files, with an LRU of offset indexes."""

    def __init__(self, max_filtered: int = 16) -> None:
        self._lock = threading.Lock()
        self._full: dict[tuple, np.ndarray] = {}
        self._filtered: OrderedDict[tuple, np.ndarray] = OrderedDict()
        self._max_filtered = max_filtered

    @staticmethod
    def _version(path: Path) -> tuple:
        # A regenerated file (new size or mtime) gets a new index.
        stat = path.stat()
        return (str(path), stat.st_mtime_ns, stat.st_size)

    def index(self, path: Path) -> np.ndarray:
        key = self._version(path)
        with self._lock:  # one build per file; concurrent pages wait for it
            if key not in self._full:
                for stale in [k for k in self._full if k[0] == key[0]]:
                    del self._full[stale]  # the file was rewritten since
                self._full[key] = _line_starts(path)
            return self._full[key]

    def filtered_index(self, path: Path, filter_key: Hashable, predicate: Predicate) -> np.ndarray:
        key = (*self._version(path), filter_key)
        with self._lock:
            if key in self._filtered:
                self._filtered.move_to_end(key)
                return self._filtered[key]
        starts = _matching_starts(path, predicate)
        with self._lock:
            self._filtered[key] = starts
            while len(self._filtered) > self._max_filtered:
                self._filtered.popitem(last=False)
        return starts

    def page(self, path: Path, starts: np.ndarray, first: int, count: int,
             contiguous: bool) -> list[bytes]:
        """Records ``first .. first+count-1`` of an index, as raw JSON bytes."""
        chosen = starts[first:first + count]
        if len(chosen) == 0:
            return []
        with open(path, "rb") as fh:
            if contiguous:  # one read for the whole page
                fh.seek(int(chosen[0]))
                stop = first + count
                end = int(starts[stop]) if stop < len(starts) else None
                block = fh.read() if end is None else fh.read(end - int(chosen[0]))
                lines = block.split(b"\n")
            else:
                lines = []
                for start in chosen:
                    fh.seek(int(start))
                    lines.append(fh.readline())
        return [line.strip() for line in lines if len(line.strip()) >= 2]

    def warm(self, paths: list[Path]) -> None:
        """Build the full indexes ahead of the first request (big files take seconds)."""
        for path in paths:
            self.index(path)

    def select(self, path: Path, first: int, count: int, filter_key: Hashable | None = None,
               predicate: Predicate | None = None) -> tuple[list[bytes], int]:
        """(records first..first+count-1, total) of a file, optionally filtered.

        A file that does not exist is a year or term the source does not hold:
        no records, total 0.
        """
        if not path.exists():
            return [], 0
        if predicate is None:
            starts, contiguous = self.index(path), True
        else:
            starts, contiguous = self.filtered_index(path, filter_key, predicate), False
        return self.page(path, starts, first, count, contiguous), len(starts)
