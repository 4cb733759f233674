"""Connection URLs of the login roles: the set-up URL's server and database, their credentials."""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import quote, urlsplit, urlunsplit

from edu_platform.security.redaction import RedactedUrl
from edu_platform.security.roles import login_role, password_secret


def login_url(warehouse_url: str, group: str, secrets: Mapping[str, str] | None = None) -> str:
    """The libpq URL with which `group`'s login role reaches the same database."""
    if secrets is None:
        from edu_platform.local_secrets import load_secrets

        secrets = load_secrets()
    parts = urlsplit(warehouse_url)
    host = parts.netloc.rsplit("@", 1)[-1]
    user = quote(login_role(group), safe="")
    password = quote(secrets[password_secret(group)], safe="")
    return RedactedUrl(urlunsplit(parts._replace(netloc=f"{user}:{password}@{host}")))
