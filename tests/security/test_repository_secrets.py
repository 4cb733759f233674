"""No secret in the repository: none of the generated ones, no well-known token format."""

from __future__ import annotations

import re
import subprocess

from edu_platform.local_secrets import load_secrets, secrets_file
from edu_platform.paths import REPO_ROOT
from tests.security.secret_scan import leaked_secrets

# Formats that are a secret wherever they appear.
SECRET_PATTERNS = {
    "private key": re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----"),
    "AWS access key": re.compile(r"\b(AKIA|ASIA)[0-9A-Z]{16}\b"),
    "GitHub token": re.compile(r"\b(gh[pousr]_[A-Za-z0-9]{36}|github_pat_[A-Za-z0-9_]{40,})"),
    "Slack token": re.compile(r"\bxox[abprs]-[A-Za-z0-9-]{10,}"),
    "Google API key": re.compile(r"\bAIza[0-9A-Za-z_-]{35}\b"),
    "JSON web token": re.compile(r"\beyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]+"),
}


def repository_files() -> list[str]:
    """Tracked files and those `git add` would take (untracked, not ignored)."""
    listing = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO_ROOT, capture_output=True, check=True, text=True).stdout
    return [name for name in listing.split("\0") if name and (REPO_ROOT / name).is_file()]


def test_no_generated_secret_and_no_token_in_the_repository() -> None:
    load_secrets()  # generated if this machine has none yet
    files = repository_files()
    assert "pyproject.toml" in files
    assert not any(name.endswith(("secrets.env", ".env")) for name in files)
    texts = {name: (REPO_ROOT / name).read_text(errors="replace") for name in files}
    leaks = {name: leaked_secrets([text]) for name, text in texts.items()}
    assert {name: found for name, found in leaks.items() if found} == {}
    tokens = {f"{name}: {kind}" for name, text in texts.items()
              for kind, pattern in SECRET_PATTERNS.items() if pattern.search(text)}
    assert tokens == set()


def test_the_secrets_file_is_ignored_by_git() -> None:
    ignored = subprocess.run(["git", "check-ignore", "-q", str(secrets_file())], cwd=REPO_ROOT)
    assert ignored.returncode == 0
