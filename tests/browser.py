"""Headless Chromium for the tests that look at what users see (the dbt docs
site, the HTML report): Debian's `chromium` package, installed on first use
when the tests run as root, else the test is skipped with a reason
(C360_REQUIRE_ENGINES=1, set by .ci/run, turns that skip into a failure).

Pages are served over HTTP from a local folder (the docs site fetches its
manifest with JavaScript, which file:// URLs forbid) and rendered with a
virtual time budget, so scripts finish before the DOM is read.
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
# Flags for a closed network: no background connections, no first-run UI.
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage", "--hide-scrollbars"]


def _unavailable(reason: str) -> None:
    if os.environ.get("C360_REQUIRE_ENGINES") == "1":
        pytest.fail(f"headless Chromium is required (C360_REQUIRE_ENGINES=1): {reason}")
    pytest.skip(reason)


@functools.cache
def _install() -> str | None:
    """Path of the chromium binary, installing Debian's package if needed;
    None with the reason when that is impossible."""
    found = shutil.which("chromium") or (CHROMIUM if Path(CHROMIUM).exists() else None)
    if found:
        return found
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        return None
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command in (["apt-get", "update", "-qq"],
                    ["apt-get", "install", "-y", "-qq", "--no-install-recommends", "chromium"]):
        if subprocess.run(command, env=env, capture_output=True, timeout=900).returncode != 0:
            return None
    return CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium")


def chromium() -> str:
    """The chromium binary (installed on first use), or skip/fail the test."""
    path = _install()
    if path is None:
        _unavailable("Debian's chromium package is not installed and cannot be installed "
                     "here (needs root and apt-get)")
    return path


def _run(args: list[str], timeout: int = 120) -> subprocess.CompletedProcess:
    with tempfile.TemporaryDirectory(prefix="c360-chromium-") as profile:
        return subprocess.run([chromium(), *FLAGS, f"--user-data-dir={profile}", *args],
                              capture_output=True, text=True, timeout=timeout)


def dump_dom(url: str, budget_ms: int = 15000) -> str:
    """The page's DOM after its scripts ran for ``budget_ms`` of virtual time."""
    result = _run([f"--virtual-time-budget={budget_ms}", "--dump-dom", url])
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


def screenshot(url: str, out: Path, size: str = "1400,1000", budget_ms: int = 15000) -> Path:
    """A PNG of the rendered page."""
    out.parent.mkdir(parents=True, exist_ok=True)
    result = _run([f"--virtual-time-budget={budget_ms}", f"--window-size={size}",
                   f"--screenshot={out}", url])
    assert result.returncode == 0 and out.exists(), result.stderr[-2000:]
    return out


@contextmanager
def served(folder: Path) -> Iterator[str]:
    """Serve ``folder`` on a free local port; yields the base URL."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:  # noqa: D102 - no access log in test output
        pass
