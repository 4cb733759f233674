"""Headless Chromium from Debian's package, driven by Playwright (no browser download)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import Browser, sync_playwright

from edu_platform.debian_packages import install_command

CHROMIUM = Path("/usr/bin/chromium")  # the Makefile's test path installs it
BROWSER_PACKAGES = ("chromium", "fonts-thai-tlwg")


@contextmanager
def chromium() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs it, or run "
                    f"`{install_command(BROWSER_PACKAGES)}`")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM))
        try:
            yield browser
        finally:
            browser.close()
