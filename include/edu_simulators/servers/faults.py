"""Switchable faults of the simulated sources, deterministic by request count.

Real sources answer 429 and 503 at times, are slow, expire tokens and change
their API version. The simulators reproduce that on demand; every decision
depends only on a per-server request counter (reset whenever the faults are
switched) or on the request itself, never on wall-clock randomness, so a test
that sends the same requests sees the same answers.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields, replace
from typing import Any

SYSTEMS = ("obec", "ovec", "onab")
_KINDS = {"int": (int, "an integer"), "float": (float, "a number"), "str": (str, "a string")}


@dataclass(frozen=True)
class Faults:
    """Which faults a server injects. 0 switches an ``*_every`` fault off.

    Request n (1-based, counted per server since the faults were last set, admin
    calls excluded) gets the fault when ``n % every == 0``; 503 wins over 429.
    """

    rate_limit_every: int = 0  # 429 {"error": "rate_limited"}
    retry_after: int = 1  # seconds in the 429's Retry-After header
    unavailable_every: int = 0  # 503 {"error": "unavailable"}
    slow_every: int = 0  # delay the answer by slow_seconds
    slow_seconds: float = 2.0
    # OVEC only
    token_lifetime: int = 3600  # seconds; also the token's expires_in
    token_max_uses: int = 0  # a token dies after this many API calls (0 = never)
    api_version: str = "2"  # X-Api-Version header; anything else is schema drift
    short_page_every: int = 0  # every k-th page window (offset // limit) comes back short

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any], base: Faults | None = None) -> Faults:
        """Faults from JSON or CLI values (strings are converted); unknown names raise."""
        types = {f.name: f.type for f in fields(cls)}
        changes: dict[str, Any] = {}
        for name, raw in values.items():
            if name not in types:
                raise ValueError(f"unknown fault {name!r} (known: {', '.join(types)})")
            kind, wanted = _KINDS[str(types[name])]
            try:
                value = kind(raw)
            except (TypeError, ValueError):
                raise ValueError(f"fault {name!r} needs {wanted}, not {raw!r}") from None
            if kind is not str and value < 0:
                raise ValueError(f"fault {name!r} must not be negative")
            changes[name] = value
        return replace(base or cls(), **changes)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def parse_assignments(items: list[str]) -> dict[str, dict[str, str]]:
    """CLI ``name=value`` or ``system.name=value`` pairs -> {system: {name: value}}.

    A name without a system applies to all three servers.
    """
    per_system: dict[str, dict[str, str]] = {system: {} for system in SYSTEMS}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep:
            raise ValueError(f"fault {item!r} is not of the form name=value")
        system, dot, name = key.strip().rpartition(".")
        targets = SYSTEMS if not dot else (system,)
        if dot and system not in SYSTEMS:
            known = ", ".join(SYSTEMS)
            raise ValueError(f"fault {item!r} names an unknown system (known: {known})")
        for target in targets:
            per_system[target][name] = value.strip()
    for values in per_system.values():
        Faults.from_mapping(values)  # validate now, not in the background process
    return per_system


@dataclass(frozen=True)
class FaultAction:
    status: int | None  # 429 or 503, or None to serve normally
    delay: float


class FaultState:
    """The live faults of one server and its request counter (thread-safe)."""

    def __init__(self, faults: Faults | None = None) -> None:
        self._lock = threading.Lock()
        self._faults = faults or Faults()
        self._count = 0

    @property
    def faults(self) -> Faults:
        with self._lock:
            return self._faults

    def update(self, values: Mapping[str, Any]) -> Faults:
        with self._lock:
            self._faults = Faults.from_mapping(values, self._faults)
            # A fresh count makes what follows a switch reproducible.
            self._count = 0
            return self._faults

    def next_action(self) -> FaultAction:
        with self._lock:
            self._count += 1
            n, f = self._count, self._faults

        def hits(every: int) -> bool:
            return every > 0 and n % every == 0

        status = 503 if hits(f.unavailable_every) else 429 if hits(f.rate_limit_every) else None
        return FaultAction(status=status, delay=f.slow_seconds if hits(f.slow_every) else 0.0)
