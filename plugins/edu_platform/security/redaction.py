"""Connection URLs that keep their password out of reprs (tracebacks, test reports)."""

from __future__ import annotations

from urllib.parse import urlsplit


class RedactedUrl(str):
    """A URL string like any other, whose repr shows `***` for the password.

    Failure reports print the repr of values (pytest shows a failing test's fixtures,
    dataclasses show their fields): these would otherwise carry the password.
    """

    def __repr__(self) -> str:
        parts = urlsplit(self)
        if not parts.password:
            return super().__repr__()
        host = parts.netloc.rsplit("@", 1)[-1]
        return repr(parts._replace(netloc=f"{parts.username}:***@{host}").geturl())
