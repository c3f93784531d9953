"""The dbt docs site: generated against the configured target, served locally.

``dbt docs generate`` writes index.html, manifest.json and catalog.json into
a folder (the project's target/ unless told otherwise); the site is a
single-page application that reads the two JSON files over HTTP, so it is
served from that folder rather than opened as a file.
"""

from __future__ import annotations

import functools
import http.server
from collections.abc import Callable
from pathlib import Path

from c360.dbt import run_dbt
from c360.project import C360Error, Project

#: What a generated site must hold.
SITE_FILES = ("index.html", "manifest.json", "catalog.json")


def generate(project: Project, out: Path | None = None, only_sources: list[str] | None = None) -> Path:
    """Run ``dbt docs generate`` against the project's target; return the
    folder holding the site (``out``, else the project's target/)."""
    site = Path(out).resolve() if out else project.project_dir / "target"
    run_dbt(project, "docs", ["generate", "--target-path", str(site)], only_sources=only_sources)
    missing = [name for name in SITE_FILES if not (site / name).is_file()]
    if missing:
        raise C360Error(f"dbt docs generate left no {', '.join(missing)} in {site}")
    return site


class _Handler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:  # no access log on the terminal
        pass


def serve(site: Path, host: str = "127.0.0.1", port: int = 8080,
          ready: Callable[[str], None] = print) -> None:
    """Serve a generated site until interrupted (Ctrl-C)."""
    missing = [name for name in SITE_FILES if not (Path(site) / name).is_file()]
    if missing:
        raise C360Error(f"{site} holds no generated docs site (missing {', '.join(missing)}); "
                        "run c360 docs without --serve-only first")
    handler = functools.partial(_Handler, directory=str(site))
    try:
        server = http.server.ThreadingHTTPServer((host, port), handler)
    except OSError as error:
        raise C360Error(f"cannot serve the docs on {host}:{port}: {error.strerror}; "
                        "choose another --port") from None
    with server:
        ready(f"serving the dbt docs from {site} at http://{host}:{server.server_address[1]} (Ctrl-C stops)")
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
