"""The public marts as Parquet files for BI tools (``<warehouse folder>/bi``).

A dashboard that opened the DuckDB warehouse itself would hold a lock on the
file a build replaces, and on PostgreSQL or Spark would read tables while dbt
rebuilds them. After every successful ``c360 build`` the public marts (those
whose contract is enforced, and every audience view) are written instead to
a new version folder beside the warehouse file (``bi/<warehouse file name
without .duckdb>/``, so that two warehouses in one folder keep apart)::

    bi/c360/versions/<UTC time>-<random>/<mart>.parquet
    bi/c360/versions/<...>/c360_bi.duckdb   views over those files, for BI tools
    bi/c360/current -> versions/<...>       swapped in with one rename

``current`` is replaced by renaming a new symbolic link over it, which is
atomic: a reader sees the previous export or the new one, never a mix, and
one that opened the previous version keeps reading it (the newest
``keep_versions`` versions stay on disk). An export that fails leaves
``current`` as it was and removes its own folder.

Settings: var ``c360_bi_export`` in dbt_project.yml (``enabled``, ``folder``,
``keep_versions``, ``exclude``).
"""

from __future__ import annotations

import fcntl
import os
import secrets
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import yaml

from c360.project import C360Error

#: Folder of the audience views (every one of them is public).
AUDIENCE_FOLDER = "audiences"
#: The database file of views over the Parquet files, inside each version.
VIEWS_FILE = "c360_bi.duckdb"
DEFAULTS = {"enabled": True, "folder": "bi", "keep_versions": 2, "exclude": []}


@dataclass
class BiExport:
    folder: Path  # the version folder that `current` now points to
    current: Path
    tables: dict[str, int] = field(default_factory=dict)  # mart -> rows
    skipped: list[str] = field(default_factory=list)  # public marts not in the warehouse


def settings(project_dir: Path) -> dict:
    from c360.dbt import project_vars

    configured = project_vars(project_dir).get("c360_bi_export") or {}
    return {**DEFAULTS, **configured}


def bi_folder(project_dir: Path, warehouse: Path) -> Path:
    """Where the export of ``warehouse`` goes: var c360_bi_export.folder,
    relative to the warehouse's folder, then the warehouse's name."""
    path = Path(warehouse).resolve()
    return path.parent / settings(project_dir)["folder"] / path.stem


def public_marts(project_dir: Path) -> list[str]:
    """Models under models/marts whose contract is enforced, and every audience
    view, minus c360_bi_export.exclude; sorted."""
    exclude = set(settings(project_dir)["exclude"] or [])
    names = set()
    for path in sorted((Path(project_dir) / "models" / "marts").rglob("_*__models.yml")):
        document = yaml.safe_load(path.read_text()) or {}
        in_audiences = AUDIENCE_FOLDER in path.relative_to(Path(project_dir) / "models" / "marts").parts
        for model in document.get("models") or []:
            contract = ((model.get("config") or {}).get("contract") or {}).get("enforced") is True
            if (contract or in_audiences) and model["name"] not in exclude:
                names.add(model["name"])
    return sorted(names)


def _quote(text: str) -> str:
    return "'" + str(text).replace("'", "''") + "'"


def export_bi(project_dir: Path, warehouse: Path, folder: Path | None = None,
              log: Callable[[str], None] = lambda message: None) -> BiExport:
    """Export the public marts of the DuckDB ``warehouse`` into a new version
    of ``folder`` (default: bi_folder) and make it ``current``."""
    import duckdb

    root = Path(folder) if folder else bi_folder(project_dir, warehouse)
    versions = root / "versions"
    versions.mkdir(parents=True, exist_ok=True)
    keep = max(int(settings(project_dir)["keep_versions"]), 1)
    with open(root / ".export.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one export of this folder at a time
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
        version = versions / f"{stamp}-{secrets.token_hex(3)}"
        building = versions / f".{version.name}.building"
        building.mkdir()
        result = BiExport(folder=version, current=root / "current")
        try:
            with duckdb.connect(str(warehouse), read_only=True) as connection:
                found = dict(connection.execute(
                    "select table_name, table_schema from information_schema.tables").fetchall())
                for mart in public_marts(project_dir):
                    if mart not in found:
                        result.skipped.append(mart)
                        continue
                    target = building / f"{mart}.parquet"
                    connection.execute(f'copy (select * from "{found[mart]}"."{mart}") '
                                       f"to {_quote(target)} (format parquet)")
                    result.tables[mart] = connection.execute(
                        f"select count(*) from read_parquet({_quote(target)})").fetchone()[0]
                    log(f"bi export: {mart} ({result.tables[mart]:,} rows)")
            if not result.tables:
                raise C360Error(f"no public mart found in {warehouse}")
            os.replace(building, version)
            _write_views(version, result.tables)
            link = root / f".current.{secrets.token_hex(3)}"
            link.symlink_to(Path("versions") / version.name, target_is_directory=True)
            os.replace(link, result.current)
        except BaseException:
            shutil.rmtree(building, ignore_errors=True)
            shutil.rmtree(version, ignore_errors=True)
            raise
        _prune(versions, keep)
    return result


def _write_views(version: Path, tables: dict[str, int]) -> None:
    """``c360_bi.duckdb`` in ``version``: one view per Parquet file of that
    version (absolute paths, so the views keep to the version they were made
    with), for BI tools that connect to a DuckDB database."""
    import duckdb

    with duckdb.connect(str(version / VIEWS_FILE)) as connection:
        for mart in tables:
            connection.execute(f'create view "{mart}" as select * from '
                               f"read_parquet({_quote((version / f'{mart}.parquet').resolve())})")
        connection.execute("checkpoint")


def _prune(versions: Path, keep: int) -> None:
    """Remove all but the newest ``keep`` versions, and the folders of
    exports that were killed."""
    done = sorted((p for p in versions.iterdir() if p.is_dir() and not p.name.startswith(".")), reverse=True)
    for old in done[keep:]:
        shutil.rmtree(old, ignore_errors=True)
    for stale in versions.glob(".*.building"):
        # called under the export lock: no other export is writing one
        shutil.rmtree(stale, ignore_errors=True)
