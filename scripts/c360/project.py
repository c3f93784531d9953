"""Where things live: the dbt project, its profile, the warehouse and raw data.

Every path can be overridden by an environment variable, so the same commands
work from a clone, in CI and on a user's machine:

=====================  ===============================  ==========================
variable               meaning                          default
=====================  ===============================  ==========================
``C360_PROJECT_DIR``   the dbt project (this repository)  the folder of this clone
``C360_WAREHOUSE``     the DuckDB file                  ``.warehouse/c360.duckdb``
``C360_RAW_PATH``      raw Parquet files, by source     ``data/demo/raw``
``C360_TARGET``        the dbt target in the profile    ``duckdb``
=====================  ===============================  ==========================
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import yaml


class C360Error(Exception):
    """An error the user can act on; printed as one line by the CLI."""


def _find_project_dir() -> Path:
    configured = os.environ.get("C360_PROJECT_DIR")
    if configured:
        path = Path(configured).expanduser().resolve()
        if not (path / "dbt_project.yml").is_file():
            raise C360Error(f"C360_PROJECT_DIR={configured} does not contain dbt_project.yml")
        return path
    for candidate in (Path.cwd(), *Path.cwd().parents, Path(__file__).resolve().parents[2]):
        if (candidate / "dbt_project.yml").is_file() and (candidate / "models").is_dir():
            return candidate
    raise C360Error(
        "cannot find the c360 dbt project: run from inside the repository or set C360_PROJECT_DIR"
    )


@dataclass(frozen=True)
class Project:
    """Resolved locations for one invocation."""

    project_dir: Path
    warehouse: Path
    raw_path: Path
    target: str

    @classmethod
    def resolve(
        cls,
        warehouse: str | os.PathLike | None = None,
        raw_path: str | os.PathLike | None = None,
        target: str | None = None,
    ) -> Project:
        project_dir = _find_project_dir()

        def absolute(value: str | os.PathLike | None, env: str, default: str) -> Path:
            chosen = value or os.environ.get(env) or default
            path = Path(chosen).expanduser()
            return (path if path.is_absolute() else project_dir / path).resolve()

        return cls(
            project_dir=project_dir,
            warehouse=absolute(warehouse, "C360_WAREHOUSE", ".warehouse/c360.duckdb"),
            raw_path=absolute(raw_path, "C360_RAW_PATH", "data/demo/raw"),
            target=target or os.environ.get("C360_TARGET", "duckdb"),
        )

    @property
    def profiles_dir(self) -> Path:
        """The folder holding profiles.yml: DBT_PROFILES_DIR, else the project."""
        configured = os.environ.get("DBT_PROFILES_DIR")
        return Path(configured).expanduser().resolve() if configured else self.project_dir

    @property
    def adapter_type(self) -> str:
        """The engine of the selected target, read from profiles.yml."""
        profiles = self.profiles_dir / "profiles.yml"
        if not profiles.is_file():
            raise C360Error(f"no profiles.yml in {self.profiles_dir}")
        document = yaml.safe_load(profiles.read_text()) or {}
        outputs = (document.get("c360") or {}).get("outputs") or {}
        if self.target not in outputs:
            known = ", ".join(sorted(outputs)) or "none"
            raise C360Error(f"target '{self.target}' is not in {profiles} (targets: {known})")
        return str(outputs[self.target].get("type", "")).strip()

    @property
    def is_duckdb(self) -> bool:
        return self.adapter_type == "duckdb"
