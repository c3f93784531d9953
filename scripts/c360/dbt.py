"""Running dbt with the project's profile and target.

``c360 build`` passes dbt's own options through unchanged and adds the
project, profile, target and the vars that locate raw data. On DuckDB the
build runs against a copy of the warehouse file that replaces the published
file only when every model and test succeeded, so a failed or killed build
never leaves a half-updated warehouse behind (see c360.locks for how runs
that share the file are kept apart).

Before dbt starts, the raw tables of every enabled source are looked for: a
source listed in `c360_optional_sources` that has none is switched off for
the run (and said so), any other missing raw table stops the run with its
name. Missing or retyped columns are dbt's to check (`check_raw_columns`).
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import sys
from collections.abc import Callable, Sequence
from contextlib import ExitStack, contextmanager
from pathlib import Path

import yaml

from c360 import locks
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
#: dbt commands that run the on-run-start hooks, which register the raw tables.
RAW_READING_COMMANDS = {*WRITING_COMMANDS, "test", "compile", "docs", "show", "source"}

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


def project_vars(project_dir: Path) -> dict:
    """The `vars` of dbt_project.yml."""
    settings = yaml.safe_load((Path(project_dir) / "dbt_project.yml").read_text())
    return settings.get("vars") or {}


def default_disabled_sources(project_dir: Path) -> set[str]:
    """Sources switched off in dbt_project.yml's own vars (`people` unless changed)."""
    return set(project_vars(project_dir).get("c360_disabled_sources") or [])


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


def effective_disabled_sources(project_dir: Path, only_sources: Sequence[str] | None, user_vars: dict) -> list[str]:
    """The sources a run switches off: --vars, else --sources, else dbt_project.yml."""
    if "c360_disabled_sources" in user_vars:
        return list(user_vars["c360_disabled_sources"] or [])
    if only_sources:
        return disabled_sources(only_sources)
    return [name for name in SOURCES if name in default_disabled_sources(project_dir)]


def dbt_arguments(
    project: Project,
    command: str,
    extra: Sequence[str] = (),
    only_sources: Sequence[str] | None = None,
    also_disabled: Sequence[str] = (),
) -> list[str]:
    """The full dbt argument list for ``command``; ``also_disabled`` sources
    are switched off on top of the others (absent optional sources)."""
    extra_args, user_vars = _split_vars(list(extra))
    run_vars = {"c360_raw_path": str(project.raw_path)}
    as_of = dataset_as_of(project.raw_path)
    if as_of:
        # a generated dataset is built as of its own date, not today
        run_vars["c360_as_of_date"] = as_of
    disabled = disabled_sources(only_sources)
    if disabled:
        run_vars["c360_disabled_sources"] = disabled
    run_vars.update(user_vars)
    if also_disabled:
        disabled = effective_disabled_sources(project.project_dir, only_sources, user_vars)
        run_vars["c360_disabled_sources"] = [*disabled, *(s for s in also_disabled if s not in disabled)]
    args = [command, *extra_args]
    if "--project-dir" not in extra_args:
        args += ["--project-dir", str(project.project_dir)]
    if "--profiles-dir" not in extra_args:
        args += ["--profiles-dir", str(project.profiles_dir)]
    if "--target" not in extra_args and "-t" not in extra_args:
        args += ["--target", project.target]
    args += ["--vars", yaml.safe_dump(run_vars, default_flow_style=True).strip()]
    return args


def _present_raw_tables(project: Project, user_vars: dict, registry: dict) -> tuple[dict[str, set[str]], str] | None:
    """(source -> raw tables present, where they were looked for), or None
    when that cannot be told before dbt runs (raw tables inside the DuckDB
    file, an unreachable database)."""
    adapter = project.adapter_type
    if adapter in ("duckdb", "spark"):
        raw_path = user_vars.get("c360_raw_path", str(project.raw_path))
        if not raw_path:
            return None
        root = Path(raw_path)
        return ({source: {t for t in tables if (root / source / f"{t}.parquet").is_file()}
                 for source, tables in registry.items()}, f"{root}/<source>/<table>.parquet")
    if adapter == "postgres":
        prefix = user_vars.get("c360_raw_schema_prefix",
                               project_vars(project.project_dir).get("c360_raw_schema_prefix", "raw_"))
        try:
            from c360.warehouse import postgres_connection

            with postgres_connection(project) as connection, connection.cursor() as cursor:
                cursor.execute("select table_schema, table_name from information_schema.tables "
                               "where table_schema like %s", (prefix.replace("_", "\\_") + "%",))
                found = set(cursor.fetchall())
        except Exception:  # noqa: BLE001 - dbt reports connection problems itself
            return None
        return ({source: {t for t in tables if (f"{prefix}{source}", t) in found}
                 for source, tables in registry.items()}, f"schemas {prefix}<source>")
    return None


def check_raw_tables(
    project: Project,
    command: str,
    extra: Sequence[str] = (),
    only_sources: Sequence[str] | None = None,
    log=lambda message: print(message, file=sys.stderr),
) -> list[str]:
    """Look for the raw tables of every enabled source before dbt runs.
    Returns the optional sources (`c360_optional_sources`) that have no raw
    table at all, to switch off; raises C360Error for any other missing table."""
    if command not in RAW_READING_COMMANDS:
        return []
    _, user_vars = _split_vars(list(extra))
    settings = project_vars(project.project_dir)
    registry = user_vars.get("c360_staged_tables") or settings.get("c360_staged_tables") or {}
    optional = set(user_vars.get("c360_optional_sources", settings.get("c360_optional_sources")) or [])
    disabled = set(effective_disabled_sources(project.project_dir, only_sources, user_vars))
    enabled = {source: tables for source, tables in registry.items() if source not in disabled}
    present = _present_raw_tables(project, user_vars, enabled)
    if present is None:
        return []
    found, where = present
    skipped = []
    for source, tables in enabled.items():
        missing = [t for t in tables if t not in found[source]]
        if not missing:
            continue
        if len(missing) == len(tables) and source in optional:
            log(f"source {source}: no raw tables ({where}); skipped for this run, as c360_optional_sources allows")
            skipped.append(source)
        elif len(missing) == len(tables):
            raise C360Error(
                f"source {source}: no raw tables ({where}; expected {', '.join(tables)}). Provide them, switch "
                f"the source off (c360 build --sources ..., or var c360_disabled_sources), or list it in "
                f"c360_optional_sources to build without it whenever it is absent")
        else:
            raise C360Error(
                f"raw table{'s' if len(missing) > 1 else ''} {', '.join(f'{source}.{t}' for t in missing)} "
                f"missing ({where}) while the source's other tables are there. Provide "
                f"{'them' if len(missing) > 1 else 'it'}, or switch the source off (var c360_disabled_sources)")
    return skipped


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


def _one_line(text: str) -> str:
    """dbt's message on one line, without its "> in macro" call trail (and,
    for schema drift, without the name of the hook that found it)."""
    line = " ".join(" ".join(part for part in str(text).splitlines() if not part.strip().startswith(">")).split())
    return line[line.index("schema drift: "):] if "schema drift: " in line else line


def _invoke(args: list[str], env: dict[str, str]):
    """Run dbt in-process; return (None on success, else why it failed; dbt's result)."""
    from dbt.cli.main import dbtRunner

    with environment(env):
        result = dbtRunner().invoke(args)
    if result.exception is not None:
        return _one_line(result.exception), result
    if not result.success:
        failed = [r for r in getattr(result.result, "results", None) or []
                  if str(getattr(r, "status", "")).lower() in ("error", "fail", "runtime error")]
        named = "; ".join(f"{r.node.name}: {_one_line(r.message or '')[:200]}" for r in failed[:3])
        more = f" and {len(failed) - 3} more" if len(failed) > 3 else ""
        return (f"{len(failed)} failed ({named}{more}; see the log above)" if failed
                else "some models or tests failed (see the log above)"), result
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
    bi_export: bool = False,
    log: Callable[[str], None] = lambda message: print(message, file=sys.stderr),
) -> None:
    """Run a dbt command; raise C360Error when it does not succeed.

    With ``finish_erasures`` (what ``c360 build`` does), a build that
    registers new erasure requests is run a second time: the first
    registers them at its end, the second leaves their rows out of every
    model. On DuckDB the warehouse file is then rewritten, so that no freed
    page keeps the bytes of an erased row. With ``bi_export`` a successful
    DuckDB build then exports the public marts for BI tools (c360.bi), unless
    var c360_bi_export.enabled is false.
    """
    atomic = project.is_duckdb and command in WRITING_COMMANDS
    try:
        skipped = check_raw_tables(project, command, extra, only_sources)
    except C360Error as error:
        if atomic:
            raise C360Error(f"{error}; the published warehouse {project.warehouse} was left unchanged") from None
        raise
    args = dbt_arguments(project, command, extra, only_sources, also_disabled=skipped)
    env = {"C360_TARGET": project.target, "C360_RAW_PATH": str(project.raw_path), **masking_key_env(project)}
    if atomic:
        _run_duckdb_atomically(project, args, env, finish_erasures)
        if bi_export and command == "build":
            _export_bi(project, log)
        return
    if project.is_duckdb:
        locks.ensure_writable(project.warehouse, f"dbt {command}")
        env["C360_WAREHOUSE"] = str(project.warehouse)
    try:
        failure, _ = _invoke_build(args, env, finish_erasures)
    finally:
        if project.is_duckdb:
            _release_duckdb()  # the warehouse file is free for the scripts that read or write it next
    if failure:
        raise C360Error(f"dbt {command} failed: {failure}")


def _export_bi(project: Project, log: Callable[[str], None]) -> None:
    """Export the published warehouse's public marts for BI tools (after the
    build lock is released: the export reads the published file only)."""
    from c360.bi import export_bi, settings

    if not settings(project.project_dir)["enabled"]:
        return
    try:
        result = export_bi(project.project_dir, project.warehouse)
    except Exception as error:  # noqa: BLE001 - the build itself succeeded and is published
        raise C360Error(f"the build succeeded and {project.warehouse} is published, but the BI export "
                        f"failed (the previous export stays current): {error}") from error
    log(f"bi export: {len(result.tables)} public marts in {result.current} -> {result.folder.name}")


def _run_duckdb_atomically(project: Project, args: list[str], env: dict[str, str],
                           finish_erasures: bool = False) -> None:
    """Build into a copy of the warehouse and publish it only on success.

    A copy left by a build that was killed is discarded. The published file
    is held with a shared lock from the copy to the publication: readers
    carry on (they keep the old file until they reconnect), writers cannot
    change it meanwhile. A write-ahead log left beside it by a killed writer
    is folded in first, so the copy holds everything that was committed."""
    published = project.warehouse
    published.parent.mkdir(parents=True, exist_ok=True)
    candidate = published.with_name(published.name + ".building")
    unchanged = f"the published warehouse {published} was left unchanged"
    try:
        with locks.build_lock(published), ExitStack() as stack:
            for stale in (candidate, Path(str(candidate) + ".wal")):
                stale.unlink(missing_ok=True)
            if Path(str(published) + ".wal").exists():
                _checkpoint(published, "folding the write-ahead log a stopped run left behind")
            if published.exists():
                source = stack.enter_context(locks.held_for_reading(published))
                with open(candidate, "wb") as copy:
                    shutil.copyfileobj(source, copy, 16 * 1024 * 1024)
            failure, rebuilt = _build_candidate(candidate, args, env, finish_erasures)
            if failure:
                candidate.unlink(missing_ok=True)
                raise C360Error(f"dbt {args[0]} failed: {failure}")
            if rebuilt:
                compact_duckdb(candidate)
            os.replace(candidate, published)
    except C360Error as error:
        raise C360Error(f"{error}; {unchanged}") from None


def _build_candidate(candidate: Path, args: list[str], env: dict[str, str],
                     finish_erasures: bool) -> tuple[str | None, bool]:
    """Run dbt against ``candidate`` (twice when it registers erasures, see
    _invoke_build); leave it checkpointed (no write-ahead log)."""
    try:
        return _invoke_build(args, {**env, "C360_WAREHOUSE": str(candidate)}, finish_erasures,
                             between=_release_duckdb)
    finally:
        _release_duckdb()
        wal = Path(str(candidate) + ".wal")
        if wal.exists() and candidate.exists():
            _checkpoint(candidate)


def _release_duckdb() -> None:
    """Close the database dbt-duckdb keeps open between invocations in one
    process: the next build into the same candidate path must open the new
    file, not the one just published under another name."""
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager

    with DuckDBConnectionManager._LOCK:
        if DuckDBConnectionManager._ENV is not None:
            DuckDBConnectionManager._ENV.close()
        DuckDBConnectionManager._ENV = None


def _checkpoint(path: Path, action: str = "c360 build") -> None:
    """Fold a leftover write-ahead log into the database file."""
    import duckdb

    try:
        with duckdb.connect(str(path)) as connection:
            connection.execute("checkpoint")
    except duckdb.IOException as error:
        raise locks.explain_duckdb_error(error, path, action) from error


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
