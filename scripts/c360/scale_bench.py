"""How build cost grows with customers: `c360 bench scale`.

For each size the benchmark generates a dataset, splits off its last day
(c360.generate.next_day), builds the earlier state in full, then the next day
incrementally, and times a floor: one DuckDB query that reads every raw table
once and writes one row per person key. Every step runs in a child process,
so its time and peak memory (maximum resident set size) are its own. After
the incremental build it scores churn and upsell (`c360 score`) on the built
warehouse. Results are printed and written as JSON and Markdown.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .project import C360Error

#: Columns that name a person in raw tables, most specific first: the floor
#: groups each table's rows by the first one the table has.
PERSON_COLUMNS = (
    "email", "customer_email", "respondent_email", "requester_email", "claimant_email", "recipient_email",
    "contact_id", "customer_id", "billing_customer_id", "web_customer_id", "user_id", "device_id",
    "author_handle", "handle",
)


@dataclass
class Step:
    seconds: float
    peak_memory_mb: float
    #: non-zero only where the caller accepted it (scoring: a model the baseline gate refused)
    exit_code: int = 0


@dataclass
class SizeResult:
    customers: int
    generate: Step
    full_build: Step
    incremental_build: Step
    floor: Step
    raw_rows: int
    next_day_rows: int
    rows_per_layer: dict[str, int]
    #: `c360 score` on the incrementally built warehouse (training, scoring, write-back)
    scoring: Step | None = None
    #: dbt execution time of the models alone (tests and parsing left out)
    model_seconds_full: float = 0.0
    model_seconds_incremental: float = 0.0
    slowest_full: list[tuple[str, float]] = field(default_factory=list)
    slowest_incremental: list[tuple[str, float]] = field(default_factory=list)
    #: wall seconds of each dbt invocation of a build (two when the first registered erasure requests)
    dbt_passes_full: list[float] = field(default_factory=list)
    dbt_passes_incremental: list[float] = field(default_factory=list)
    #: execution seconds by node kind (model, test, unit_test, snapshot, ...) of the last dbt invocation
    kinds_full: dict[str, float] = field(default_factory=dict)
    kinds_incremental: dict[str, float] = field(default_factory=dict)

    @property
    def full_over_floor(self) -> float:
        return self.full_build.seconds / self.floor.seconds

    @property
    def incremental_over_full(self) -> float:
        return self.incremental_build.seconds / self.full_build.seconds


def run_step(command: list[str], log: Path, env: dict[str, str] | None = None, ok: tuple[int, ...] = (0,)) -> Step:
    """Run ``command`` as a child process; its wall time and peak RSS.

    An exit code outside ``ok`` is an error carrying the log's last lines.
    """
    started = time.perf_counter()
    with log.open("w") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env={**os.environ, **(env or {})})
        _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode not in ok:
        tail = "\n".join(log.read_text().splitlines()[-20:])
        raise C360Error(f"{' '.join(command[:4])} ... failed (exit {process.returncode}); see {log}:\n{tail}")
    # ru_maxrss is in kilobytes on Linux, bytes on macOS
    scale = 1024 * 1024 if sys.platform == "darwin" else 1024
    return Step(seconds=round(seconds, 2), peak_memory_mb=round(usage.ru_maxrss / scale, 1),
                exit_code=process.returncode)


def floor_sql(raw: Path, database: Path) -> str:
    """The floor query: every raw table read once, one row per person key."""
    import duckdb

    parts = []
    with duckdb.connect() as connection:
        for file in sorted(raw.glob("*/*.parquet")):
            quoted = "'" + str(file).replace("'", "''") + "'"
            described = connection.execute(f"describe select * from read_parquet({quoted})").fetchall()
            columns = [row[0] for row in described]
            key = next((c for c in PERSON_COLUMNS if c in columns), columns[0])
            parts.append(f"select lower(trim(\"{key}\")) as person_key, count(*) as row_count "
                         f"from read_parquet({quoted}) group by 1")
    union = "\n union all ".join(parts)
    return (f"attach '{database}' as floor_db; "
            f"create or replace table floor_db.people as select person_key, sum(row_count) as row_count "
            f"from ({union}) as tables group by person_key;")


def rows_per_layer(warehouse: Path) -> dict[str, int]:
    import duckdb

    layers: dict[str, int] = {}
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        tables = connection.execute(
            "select table_schema, table_name from information_schema.tables where table_type = 'BASE TABLE'"
        ).fetchall()
        for schema, name in tables:
            layer = schema.removeprefix("main_")
            count = connection.execute(f'select count(*) from "{schema}"."{name}"').fetchone()[0]
            layers[layer] = layers.get(layer, 0) + count
    return dict(sorted(layers.items()))


def model_times(target_path: Path) -> list[tuple[str, float]]:
    """(model, execution seconds) from dbt's run results, slowest first."""
    results = json.loads((target_path / "run_results.json").read_text())["results"]
    models = [(r["unique_id"].split(".")[-1], round(r["execution_time"], 1))
              for r in results if r["unique_id"].startswith("model.")]
    return sorted(models, key=lambda item: -item[1])


SECOND_PASS = " (the second leaves out the rows of erasure requests the first registered)"


def dbt_passes(log: Path) -> list[float]:
    """Wall seconds of each dbt invocation in a `c360 build` log."""
    return [float(m) for m in re.findall(r"Finished running .*\((\d+(?:\.\d+)?)s\)", log.read_text())]


def kind_times(target_path: Path) -> dict[str, float]:
    """Execution seconds per node kind from dbt's run results, largest first."""
    totals: dict[str, float] = {}
    for result in json.loads((target_path / "run_results.json").read_text())["results"]:
        kind = result["unique_id"].split(".")[0]
        totals[kind] = totals.get(kind, 0.0) + result["execution_time"]
    return {k: round(v, 1) for k, v in sorted(totals.items(), key=lambda item: -item[1])}


def bench_size(customers: int, seed: int, workdir: Path, echo=print) -> SizeResult:
    from .generate.next_day import split_days

    python = sys.executable
    cli = [python, "-m", "c360.cli"]
    folder = workdir / f"{customers}"
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    data, logs = folder / "data", folder / "logs"
    logs.mkdir()

    echo(f"[{customers:,}] generating")
    generate = run_step([*cli, "generate", "--customers", str(customers), "--seed", str(seed),
                         "--out", str(data), "--no-progress"], logs / "generate.log")
    days = split_days(data / "raw", folder / "before", folder / "after")

    echo(f"[{customers:,}] floor query")
    floor_db = folder / "floor.duckdb"
    sql = floor_sql(folder / "before", floor_db)
    floor = run_step([python, "-c", "import duckdb, sys; duckdb.connect().execute(sys.argv[1])", sql],
                     logs / "floor.log")

    warehouse = folder / "warehouse.duckdb"
    echo(f"[{customers:,}] full build")
    # --no-bi-export: the figures are of the dbt build, comparable with earlier runs
    full = run_step([*cli, "build", "--no-bi-export", "--warehouse", str(warehouse),
                     "--raw-path", str(folder / "before"), "--target", "duckdb",
                     "--target-path", str(folder / "target-full")], logs / "full_build.log")
    echo(f"[{customers:,}] incremental build of the next day")
    incremental = run_step([*cli, "build", "--no-bi-export", "--warehouse", str(warehouse),
                            "--raw-path", str(folder / "after"),
                            "--target", "duckdb", "--target-path", str(folder / "target-incremental")],
                           logs / "incremental_build.log")
    echo(f"[{customers:,}] scoring churn and upsell")
    scoring = run_step([*cli, "score", "--warehouse", str(warehouse), "--target", "duckdb", "--quiet"],
                       logs / "score.log", ok=(0, 1))  # 1: a model refused by the baseline gate
    return SizeResult(
        scoring=scoring,
        customers=customers, generate=generate, full_build=full, incremental_build=incremental, floor=floor,
        raw_rows=sum(days.rows_before.values()),
        next_day_rows=sum(days.rows_after.values()) - sum(days.rows_before.values()),
        rows_per_layer={"raw": sum(days.rows_after.values()), **rows_per_layer(warehouse)},
        model_seconds_full=round(sum(s for _, s in model_times(folder / "target-full")), 1),
        model_seconds_incremental=round(sum(s for _, s in model_times(folder / "target-incremental")), 1),
        slowest_full=model_times(folder / "target-full")[:5],
        slowest_incremental=model_times(folder / "target-incremental")[:5],
        dbt_passes_full=dbt_passes(logs / "full_build.log"),
        dbt_passes_incremental=dbt_passes(logs / "incremental_build.log"),
        kinds_full=kind_times(folder / "target-full"),
        kinds_incremental=kind_times(folder / "target-incremental"),
    )


def machine() -> dict[str, object]:
    import platform

    pages = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    return {"cpus": os.cpu_count(), "memory_gb": round(pages / 1024**3, 1), "python": platform.python_version(),
            "platform": platform.platform(), "duckdb_memory_limit": os.environ.get("C360_DUCKDB_MEMORY_LIMIT", "80%")}


def to_json(results: list[SizeResult], seed: int) -> dict:
    return {
        "measured_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "seed": seed,
        "machine": machine(),
        "sizes": [{**asdict(r), "full_over_floor": round(r.full_over_floor, 2),
                   "incremental_over_full": round(r.incremental_over_full, 3)} for r in results],
    }


def to_markdown(results: list[SizeResult], seed: int) -> str:
    info = machine()
    lines = [
        "# Scale benchmark",
        "",
        f"{info['cpus']} CPUs, {info['memory_gb']} GB RAM, Python {info['python']}, seed {seed}, "
        f"DuckDB memory limit {info['duckdb_memory_limit']}.",
        "",
        "| customers | raw rows | generate s | floor s | full build s | incremental day s | "
        "scoring s | full ÷ floor | incremental ÷ full | peak memory MB (full / incremental / scoring) |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        lines.append(
            f"| {r.customers:,} | {r.raw_rows:,} | {r.generate.seconds:.1f} | {r.floor.seconds:.2f} | "
            f"{r.full_build.seconds:.1f} | {r.incremental_build.seconds:.1f} | "
            f"{f'{r.scoring.seconds:.1f}' if r.scoring else '–'} | {r.full_over_floor:.1f} | "
            f"{r.incremental_over_full:.3f} | {r.full_build.peak_memory_mb:,.0f} / "
            f"{r.incremental_build.peak_memory_mb:,.0f} / "
            f"{f'{r.scoring.peak_memory_mb:,.0f}' if r.scoring else '–'} |"
        )
    for r in results:
        lines += ["", f"## {r.customers:,} customers", "",
                  "Rows per layer: " + ", ".join(f"{k} {v:,}" for k, v in r.rows_per_layer.items()) + ".",
                  f"Next day: {r.next_day_rows:,} raw rows.",
                  f"Model execution time (dbt run results, tests and parsing left out): full "
                  f"{r.model_seconds_full} s, incremental {r.model_seconds_incremental} s.",
                  *[f"dbt invocations of the {name} build (s): {', '.join(f'{p:.1f}' for p in passes)}"
                    f"{SECOND_PASS if len(passes) > 1 else ''}; "
                    f"execution time of its last by node kind: {', '.join(f'{k} {v} s' for k, v in kinds.items())}."
                    for name, passes, kinds in (("full", r.dbt_passes_full, r.kinds_full),
                                                ("incremental", r.dbt_passes_incremental, r.kinds_incremental))
                    if passes],
                  *([f"Scoring exited {r.scoring.exit_code}: a model was refused (see logs/score.log)."]
                    if r.scoring and r.scoring.exit_code else []), "",
                  "Slowest models, full build: " + ", ".join(f"{m} {s} s" for m, s in r.slowest_full) + ".",
                  "Slowest models, incremental build: "
                  + ", ".join(f"{m} {s} s" for m, s in r.slowest_incremental) + "."]
    return "\n".join(lines) + "\n"
