"""The other engines: a throwaway PostgreSQL server and a local Spark session.

Each engine's fixture skips its tests with a one-line reason when the engine
cannot run on this machine (no PostgreSQL binaries, no Java, adapter not
installed), unless C360_REQUIRE_ENGINES=1 (set by .ci/run), which turns the
skip into a failure so CI always covers every engine.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import pytest

from c360.dbt import default_sources, environment, run_dbt
from c360.project import Project


def unavailable(reason: str):
    """Skip, or fail when every engine is required."""
    if os.environ.get("C360_REQUIRE_ENGINES") == "1":
        pytest.fail(f"required engine unavailable: {reason}", pytrace=False)
    pytest.skip(reason)


def postgres_bin_dir() -> Path | None:
    """Folder of initdb/pg_ctl: C360_PG_BIN, the PATH, or the Debian layout."""
    configured = os.environ.get("C360_PG_BIN")
    candidates = [configured] if configured else []
    on_path = shutil.which("initdb")
    if on_path:
        candidates.append(str(Path(on_path).parent))
    candidates += sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)
    for candidate in candidates:
        if candidate and all((Path(candidate) / name).is_file() for name in ("initdb", "pg_ctl", "createdb")):
            return Path(candidate)
    return None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def server_runner() -> list[str]:
    """Command prefix that runs the server binaries: PostgreSQL refuses to run
    as root, so as root they run as the `postgres` (or C360_PG_OS_USER) user."""
    if os.geteuid() != 0:
        return []
    import pwd

    name = os.environ.get("C360_PG_OS_USER", "postgres")
    try:
        pwd.getpwnam(name)
    except KeyError:
        unavailable(f"running as root and there is no '{name}' user to run the PostgreSQL server as")
    if shutil.which("runuser") is None:
        unavailable("running as root and runuser is not available")
    return ["runuser", "-u", name, "--"]


@pytest.fixture(scope="session")
def postgres_env():
    """A PostgreSQL server of its own on a free local port, removed afterwards;
    yields the C360_PG_* environment that points the `postgres` target at it."""
    try:
        import dbt.adapters.postgres  # noqa: F401
    except ImportError:
        unavailable("dbt-postgres is not installed (pip install -e '.[postgres]')")
    bin_dir = postgres_bin_dir()
    if bin_dir is None:
        unavailable("no PostgreSQL server binaries (initdb, pg_ctl) found")
    runner = server_runner()
    # A folder of its own under the system temp dir, owned by the server's user.
    root = Path(tempfile.mkdtemp(prefix="c360-postgres-"))
    data, sockets = root / "data", root / "sockets"
    sockets.mkdir()
    if runner:
        subprocess.run(["chown", "-R", runner[2], root], check=True)
    port = free_port()
    user = "c360"

    def run(*command):
        result = subprocess.run([*runner, *map(str, command)], capture_output=True, text=True)
        if result.returncode != 0:
            log = (root / "server.log").read_text() if (root / "server.log").exists() else ""
            pytest.fail(f"{command[0]} failed: {result.stderr or result.stdout}{log[-2000:]}", pytrace=False)

    run(bin_dir / "initdb", "-D", data, "-U", user, "-A", "trust", "-E", "UTF8", "--no-sync")
    options = (f"-p {port} -k {sockets} -c listen_addresses=127.0.0.1 -c fsync=off "
               "-c synchronous_commit=off -c full_page_writes=off -c timezone=UTC")
    run(bin_dir / "pg_ctl", "-D", data, "-o", options, "-l", root / "server.log", "-w", "start")
    try:
        run(bin_dir / "createdb", "-h", "127.0.0.1", "-p", port, "-U", user, "c360")
        yield {"C360_PG_HOST": "127.0.0.1", "C360_PG_PORT": str(port), "C360_PG_USER": user,
               "C360_PG_PASSWORD": "", "C360_PG_DATABASE": "c360", "C360_PG_SCHEMA": "c360"}
    finally:
        subprocess.run([*runner, str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
                       capture_output=True)
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres_project(postgres_env, dataset):
    """The test dataset loaded into PostgreSQL and built with `dbt build`."""
    from c360.warehouse import load_raw_postgres

    with environment(postgres_env):
        project = Project.resolve(raw_path=dataset / "raw", target="postgres")
        load_raw_postgres(project, dataset / "raw", sources=default_sources(project.project_dir))
        run_dbt(project, "build")
    return project


@pytest.fixture(scope="session")
def spark_env(tmp_path_factory):
    """A local Spark session's warehouse and metastore in a folder of their own;
    yields the C360_SPARK_* environment that points the `spark` target there."""
    try:
        import dbt.adapters.spark  # noqa: F401
        import pyspark  # noqa: F401
    except ImportError:
        unavailable("dbt-spark or pyspark is not installed (pip install -e '.[spark]')")
    java_home = os.environ.get("JAVA_HOME")
    if shutil.which("java") is None and not (java_home and (Path(java_home) / "bin" / "java").is_file()):
        unavailable("no Java runtime (java on PATH or JAVA_HOME) for Spark")
    root = tmp_path_factory.mktemp("spark")
    yield {"C360_SPARK_WAREHOUSE": str(root / "warehouse"), "C360_SPARK_SCHEMA": "c360"}


@pytest.fixture(scope="session")
def spark_project(spark_env, dataset):
    """The test dataset's raw files registered as Spark tables and built with
    `dbt build` in a local Spark session."""
    with environment(spark_env):
        project = Project.resolve(raw_path=dataset / "raw", target="spark")
        run_dbt(project, "build")
    return project


@pytest.fixture(scope="module", params=["postgres", "spark"])
def engine(request):
    """(project, environment) of each engine in turn: PostgreSQL, then Spark."""
    env = request.getfixturevalue(f"{request.param}_env")
    return request.getfixturevalue(f"{request.param}_project"), env
