"""Running dbt with the project's profile and target.

``c360 build`` passes dbt's own options through unchanged and adds the
project, profile, target and the vars that locate raw data. On DuckDB the
build runs against a copy of the warehouse file that replaces the published
file only when every model and test succeeded, so a failed build never leaves
a half-updated warehouse behind.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import sys
from collections.abc import Callable, Sequence
from contextlib import contextmanager
from pathlib import Path

import yaml

from c360.project import C360Error, Project

SOURCES = (
    "crm",
    "commerce",
    "billing",
    "usage",
    "support",
    "feedback",
    "social",
    "marketing",
    "privacy",
    "people",
)

#: dbt commands that write to the warehouse.
WRITING_COMMANDS = {"build", "run", "seed", "snapshot"}

#: The data test (tests/dbt/privacy) that counts rows of erasure requests
#: registered by a build and still held by staging or the quarantine: the
#: next build leaves them out of every model.
ERASURE_PENDING_TEST = "erased_rows_still_staged__run_the_build_again"


def _split_vars(args: list[str]) -> tuple[list[str], dict]:
    """Remove ``--vars`` from dbt arguments and return it parsed."""
    remaining: list[str] = []
    user_vars: dict = {}
    iterator = iter(args)
    for arg in iterator:
        if arg == "--vars" or arg.startswith("--vars="):
            text = arg.split("=", 1)[1] if "=" in arg else next(iterator, None)
            if text is None:
                raise C360Error("--vars needs a YAML dictionary")
            parsed = yaml.safe_load(text)
            if not isinstance(parsed, dict):
                raise C360Error(f"--vars must be a YAML dictionary, got: {text}")
            user_vars.update(parsed)
        else:
            remaining.append(arg)
    return remaining, user_vars


def default_disabled_sources(project_dir: Path) -> set[str]:
    """Sources switched off in dbt_project.yml's own vars (`people` unless changed)."""
    settings = yaml.safe_load((Path(project_dir) / "dbt_project.yml").read_text())
    return set((settings.get("vars") or {}).get("c360_disabled_sources") or [])


def default_sources(project_dir: Path) -> list[str]:
    """Sources a build without --sources stages, in registry order."""
    disabled = default_disabled_sources(project_dir)
    return [source for source in SOURCES if source not in disabled]


def disabled_sources(enabled: Sequence[str] | None) -> list[str]:
    """Sources to switch off when only ``enabled`` ones exist."""
    if not enabled:
        return []
    unknown = sorted(set(enabled) - set(SOURCES))
    if unknown:
        raise C360Error(f"unknown source(s): {', '.join(unknown)}; known: {', '.join(SOURCES)}")
    return [name for name in SOURCES if name not in enabled]


def dataset_as_of(raw_path: Path) -> str | None:
    """The `as_of` date of a generated dataset whose raw folder is ``raw_path``
    (its ``manifest.json`` sits beside it), or None."""
    manifest = Path(raw_path).parent / "manifest.json"
    if not manifest.is_file():
        return None
    try:
        value = json.loads(manifest.read_text()).get("as_of")
    except (OSError, ValueError, AttributeError):
        return None
    return str(value) if value else None


def dbt_arguments(
    project: Project,
    command: str,
    extra: Sequence[str] = (),
    only_sources: Sequence[str] | None = None,
) -> list[str]:
    """The full dbt argument list for ``command``."""
    extra_args, user_vars = _split_vars(list(extra))
    project_vars = {"c360_raw_path": str(project.raw_path)}
    as_of = dataset_as_of(project.raw_path)
    if as_of:
        # a generated dataset is built as of its own date, not today
        project_vars["c360_as_of_date"] = as_of
    disabled = disabled_sources(only_sources)
    if disabled:
        project_vars["c360_disabled_sources"] = disabled
    project_vars.update(user_vars)
    args = [command, *extra_args]
    if "--project-dir" not in extra_args:
        args += ["--project-dir", str(project.project_dir)]
    if "--profiles-dir" not in extra_args:
        args += ["--profiles-dir", str(project.profiles_dir)]
    if "--target" not in extra_args and "-t" not in extra_args:
        args += ["--target", project.target]
    args += ["--vars", yaml.safe_dump(project_vars, default_flow_style=True).strip()]
    return args


@contextmanager
def environment(values: dict[str, str]):
    """Set environment variables for the duration of a block."""
    previous = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in previous.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _invoke(args: list[str], env: dict[str, str]):
    """Run dbt in-process; return (None on success, else why it failed; dbt's result)."""
    from dbt.cli.main import dbtRunner

    with environment(env):
        result = dbtRunner().invoke(args)
    if result.exception is not None:
        return " ".join(str(result.exception).split()), result
    if not result.success:
        return "some models or tests failed (see the log above)", result
    return None, result


def pending_erasure_rows(result) -> int:
    """Rows of erasures a build registered that staging still holds, from
    the warning of ERASURE_PENDING_TEST in dbt's result (0 when none)."""
    for item in getattr(getattr(result, "result", None), "results", None) or []:
        node = getattr(item, "node", None)
        if getattr(node, "name", None) == ERASURE_PENDING_TEST and str(item.status) == "warn":
            return int(item.failures or 0)
    return 0


def _invoke_build(args: list[str], env: dict[str, str], finish_erasures: bool,
                  between: Callable[[], None] | None = None) -> tuple[str | None, bool]:
    """Run a dbt command: (None on success, else why it failed; whether it
    ran twice). A build that registered erasure requests runs once more when
    ``finish_erasures``, so that every model leaves their rows out;
    ``between`` runs between the two builds."""
    failure, result = _invoke(args, env)
    pending = pending_erasure_rows(result) if finish_erasures and args[0] == "build" and not failure else 0
    if not pending:
        return failure, False
    print(f"erasure: this build registered erasure requests and {pending:,} of their rows are still staged; "
          "building again so that every model leaves them out", file=sys.stderr)
    if between is not None:
        between()
    failure, _ = _invoke(args, env)
    return failure, True


def masking_key_env(project: Project) -> dict[str, str]:
    """The privacy policy's masking key for dbt (var c360_privacy.salt_env_var).

    Taken from the environment when set there. Otherwise a random key is kept
    in ``.c360/masking_key`` of this checkout (created on first use, readable
    by its owner only, ignored by git), so hashed values stay the same from
    one build to the next on this machine.
    """
    settings = yaml.safe_load((project.project_dir / "dbt_project.yml").read_text())
    name = (settings.get("vars", {}).get("c360_privacy") or {}).get("salt_env_var", "C360_MASKING_SALT")
    if os.environ.get(name):
        return {}
    path = project.project_dir / ".c360" / "masking_key"
    if not path.is_file():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32) + "\n")
        path.chmod(0o600)
        print(f"{name} is not set: created a masking key in {path} (keep it secret; set {name} to use your own)",
              file=sys.stderr)
    return {name: path.read_text().strip()}


def run_dbt(
    project: Project,
    command: str,
    extra: Sequence[str] = (),
    only_sources: Sequence[str] | None = None,
    finish_erasures: bool = False,
) -> None:
    """Run a dbt command; raise C360Error when it does not succeed.

    With ``finish_erasures`` (what ``c360 build`` does), a build that
    registers new erasure requests is run a second time: the first
    registers them at its end, the second leaves their rows out of every
    model. On DuckDB the warehouse file is then rewritten, so that no freed
    page keeps the bytes of an erased row.
    """
    args = dbt_arguments(project, command, extra, only_sources)
    env = {"C360_TARGET": project.target, "C360_RAW_PATH": str(project.raw_path), **masking_key_env(project)}
    if project.is_duckdb and command in WRITING_COMMANDS:
        _run_duckdb_atomically(project, args, env, finish_erasures)
        return
    if project.is_duckdb:
        env["C360_WAREHOUSE"] = str(project.warehouse)
    try:
        failure, _ = _invoke_build(args, env, finish_erasures)
    finally:
        if project.is_duckdb:
            _release_duckdb()  # the warehouse file is free for the scripts that read or write it next
    if failure:
        raise C360Error(f"dbt {command} failed: {failure}")


def _run_duckdb_atomically(project: Project, args: list[str], env: dict[str, str],
                           finish_erasures: bool = False) -> None:
    """Build into a copy of the warehouse and publish it only on success."""
    published = project.warehouse
    published.parent.mkdir(parents=True, exist_ok=True)
    candidate = published.with_name(published.name + ".building")
    for stale in (candidate, Path(str(candidate) + ".wal")):
        stale.unlink(missing_ok=True)
    if published.exists():
        shutil.copyfile(published, candidate)
    env = {**env, "C360_WAREHOUSE": str(candidate)}
    try:
        failure, rebuilt = _invoke_build(args, env, finish_erasures, between=_release_duckdb)
    finally:
        _release_duckdb()
        wal = Path(str(candidate) + ".wal")
        if wal.exists() and candidate.exists():
            _checkpoint(candidate)
    if failure:
        candidate.unlink(missing_ok=True)
        raise C360Error(
            f"dbt {args[0]} failed: {failure}; the published warehouse {published} was left unchanged"
        )
    if rebuilt:
        compact_duckdb(candidate)
    os.replace(candidate, published)


def _release_duckdb() -> None:
    """Close the database dbt-duckdb keeps open between invocations in one
    process: the next build into the same candidate path must open the new
    file, not the one just published under another name."""
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager

    with DuckDBConnectionManager._LOCK:
        if DuckDBConnectionManager._ENV is not None:
            DuckDBConnectionManager._ENV.close()
        DuckDBConnectionManager._ENV = None


def _checkpoint(path: Path) -> None:
    """Fold a leftover write-ahead log into the database file."""
    import duckdb

    with duckdb.connect(str(path)) as connection:
        connection.execute("checkpoint")


def compact_duckdb(path: Path) -> None:
    """Rewrite a DuckDB file into a fresh one: deleted rows and dropped
    tables leave their bytes in free blocks of the file until reused; a copy
    holds only what its relations hold."""
    import duckdb

    path = Path(path)
    fresh = path.with_name(path.name + ".compact")
    for stale in (fresh, Path(str(fresh) + ".wal")):
        stale.unlink(missing_ok=True)
    with duckdb.connect(str(path)) as connection:
        name = connection.execute("select current_database()").fetchone()[0]
        connection.execute("attach '" + str(fresh).replace("'", "''") + "' as c360_compact")
        connection.execute(f'copy from database "{name}" to c360_compact')
        connection.execute("detach c360_compact")
    os.replace(fresh, path)
