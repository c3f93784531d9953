"""Identity resolution on a plain file of person records.

``c360 resolve`` takes a CSV or Parquet file of person records in any column
layout, writes it in the shape of the ``people.records`` source (see
``models/staging/people/_people__sources.yml``), builds the staging and
identity models for that source alone into a DuckDB warehouse and exports
which customer each record belongs to, by which rule, and the golden record
of every customer.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from c360.project import C360Error, Project

SOURCE = "people"
TABLE = "records"
#: Selected when resolving: the identity map and golden records with everything upstream.
SELECTOR = "+customer_identity_map +int_identity__golden_records"


def people_columns(project_dir: Path) -> list[str]:
    """Declared raw columns of ``people.records``, in order."""
    from c360.contract import source_declarations

    for source in source_declarations(project_dir):
        if source["name"] == SOURCE:
            for table in source["tables"]:
                if table["name"] == TABLE:
                    return [column["name"] for column in table["columns"]]
    raise C360Error(f"source {SOURCE}.{TABLE} is not declared in {project_dir}")


def parse_mapping(pairs: Sequence[str]) -> dict[str, list[str]]:
    """``target=col1+col2`` options into {target: [col1, col2]}."""
    mapping: dict[str, list[str]] = {}
    for pair in pairs:
        target, sep, columns = pair.partition("=")
        parts = [c.strip() for c in columns.split("+") if c.strip()]
        if not sep or not target.strip() or not parts:
            raise C360Error(f"--map takes COLUMN=INPUT[+INPUT...], got {pair!r}")
        mapping[target.strip()] = parts
    return mapping


def read_records(path: Path):
    """The input file as a pandas DataFrame of text (empty cells as null)."""
    import pandas as pd

    if not path.is_file():
        raise C360Error(f"no such file: {path}")
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        frame = pd.read_parquet(path)
        return frame.astype("string")
    if suffix in {".csv", ".txt", ".tsv"}:
        return pd.read_csv(path, dtype="string", keep_default_na=False, na_values=[""],
                           sep="\t" if suffix == ".tsv" else ",", skipinitialspace=True)
    raise C360Error(f"{path}: expected a .csv, .tsv or .parquet file")


@dataclass(frozen=True)
class PreparedFile:
    path: Path
    rows: int
    #: target column -> input columns it was filled from
    filled: dict[str, list[str]]
    ignored: list[str]


def prepare_people_file(
    frame,
    out: Path,
    columns: Sequence[str],
    mapping: Mapping[str, Sequence[str]] | None = None,
    date_format: str | None = None,
    loaded_at: dt.datetime | None = None,
) -> PreparedFile:
    """Write ``frame`` as ``<out>/people/records.parquet`` with exactly ``columns``.

    A target column is filled from the input columns ``mapping`` names (joined
    with a space, skipping empty ones), else from an input column of the same
    name; the rest stay empty. ``birth_date`` is rewritten from
    ``date_format`` to ISO; a value that does not parse is kept as typed, so
    the build quarantines the row with the reason instead of losing it.
    """
    import pandas as pd
    import pyarrow as pa
    import pyarrow.parquet as pq

    mapping = {k: list(v) for k, v in (mapping or {}).items()}
    unknown_targets = sorted(set(mapping) - set(columns))
    if unknown_targets:
        raise C360Error(f"--map names unknown column(s) {', '.join(unknown_targets)}; "
                        f"the columns are: {', '.join(c for c in columns if not c.startswith('_'))}")
    missing_inputs = sorted({c for parts in mapping.values() for c in parts} - set(frame.columns))
    if missing_inputs:
        raise C360Error(f"--map names input column(s) not in the file: {', '.join(missing_inputs)}; "
                        f"the file has: {', '.join(map(str, frame.columns))}")
    filled: dict[str, list[str]] = {}
    for column in columns:
        if column in mapping:
            filled[column] = mapping[column]
        elif column in frame.columns:
            filled[column] = [column]
    if "record_id" not in filled:
        raise C360Error("the file needs a record_id column, or --map record_id=<column>")
    out_frame = pd.DataFrame(index=frame.index)
    for column in columns:
        parts = filled.get(column)
        if not parts:
            out_frame[column] = pd.Series(pd.NA, index=frame.index, dtype="string")
            continue
        values = frame[parts].apply(lambda col: col.str.strip()).replace("", pd.NA)
        if len(parts) == 1:
            out_frame[column] = values[parts[0]]
        else:
            out_frame[column] = values.apply(
                lambda row: " ".join(v for v in row if isinstance(v, str)) or pd.NA, axis=1).astype("string")
    if date_format and "birth_date" in filled:
        raw = out_frame["birth_date"]
        parsed = pd.to_datetime(raw, format=date_format, errors="coerce")
        out_frame["birth_date"] = parsed.dt.strftime("%Y-%m-%d").astype("string").where(parsed.notna(), raw)
    if "_loaded_at" in columns and "_loaded_at" not in filled:
        stamp = (loaded_at or dt.datetime.now(dt.UTC)).strftime("%Y-%m-%d %H:%M:%S")
        out_frame["_loaded_at"] = pd.Series(stamp, index=frame.index, dtype="string")
    used = {c for parts in filled.values() for c in parts}
    ignored = [str(c) for c in frame.columns if c not in used]
    target = out / SOURCE / f"{TABLE}.parquet"
    target.parent.mkdir(parents=True, exist_ok=True)
    table = pa.Table.from_pandas(out_frame[list(columns)], preserve_index=False,
                                 schema=pa.schema([(c, pa.string()) for c in columns]))
    pq.write_table(table, target)
    return PreparedFile(target, len(out_frame), filled, ignored)


@dataclass(frozen=True)
class ResolveResult:
    warehouse: Path
    records: int
    resolved: int
    customers: int
    quarantined: int
    rules: dict[str, int]
    map_path: Path | None
    golden_path: Path | None


def resolve(
    input_path: Path,
    workdir: Path,
    mapping: Mapping[str, Sequence[str]] | None = None,
    date_format: str | None = None,
    out: Path | None = None,
    golden_out: Path | None = None,
    dbt_vars: Mapping | None = None,
    dbt_args: Sequence[str] = (),
    echo: Callable[[str], None] = print,
) -> ResolveResult:
    """Prepare ``input_path``, build identity for it alone, export the result.

    ``out`` receives one row per input record (record_id, customer_id,
    match_rule; quarantined records with their rule and no customer),
    ``golden_out`` one row per customer.
    """
    import yaml

    from c360.dbt import run_dbt

    workdir = Path(workdir).resolve()
    raw = workdir / "raw"
    project = Project.resolve(warehouse=workdir / "c360.duckdb", raw_path=raw, target="duckdb")
    frame = read_records(Path(input_path))
    prepared = prepare_people_file(frame, raw, people_columns(project.project_dir), mapping, date_format)
    echo(f"{prepared.rows:,} records written to {prepared.path}")
    if prepared.ignored:
        echo(f"input columns not used: {', '.join(prepared.ignored)}")
    extra = ["--select", SELECTOR, "--indirect-selection", "buildable", *dbt_args]
    if dbt_vars:
        extra += ["--vars", yaml.safe_dump(dict(dbt_vars), default_flow_style=True).strip()]
    run_dbt(project, "build", extra, only_sources=[SOURCE])
    return export_result(project.warehouse, prepared.rows, out, golden_out)


def export_result(warehouse: Path, records: int, out: Path | None, golden_out: Path | None) -> ResolveResult:
    import duckdb

    with duckdb.connect(str(warehouse), read_only=True) as connection:
        connection.execute(f"""
            create temp view resolved as
            select
                b.record_id,
                m.customer_id,
                coalesce(m.match_rule, 'quarantined: ' || b.dq_rule) as match_rule
            from main_staging.base_people__records as b
            left join main_marts.customer_identity_map as m
                on m.source_name = '{SOURCE}' and m.table_name = '{TABLE}' and m.record_id = b.record_id
                and b.dq_rule is null
        """)
        resolved = connection.execute("select count(*) from resolved where customer_id is not null").fetchone()[0]
        customers = connection.execute("select count(distinct customer_id) from resolved").fetchone()[0]
        quarantined = connection.execute(
            "select count(*) from main_staging.base_people__records where dq_rule is not null").fetchone()[0]
        rules = dict(connection.execute(
            "select match_rule, count(*) from resolved group by match_rule order by 2 desc").fetchall())
        if out:
            Path(out).parent.mkdir(parents=True, exist_ok=True)
            connection.execute(f"copy (select * from resolved order by customer_id, record_id) "
                               f"to '{_sql_path(out)}' (header)")
        if golden_out:
            Path(golden_out).parent.mkdir(parents=True, exist_ok=True)
            connection.execute(f"copy (select * from main_intermediate.int_identity__golden_records "
                               f"order by customer_id) to '{_sql_path(golden_out)}' (header)")
    return ResolveResult(Path(warehouse), records, resolved, customers, quarantined, rules,
                         Path(out) if out else None, Path(golden_out) if golden_out else None)


def _sql_path(path: Path | str) -> str:
    return str(Path(path).resolve()).replace("'", "''")
