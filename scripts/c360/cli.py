"""The ``c360`` command line."""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path

import click

from c360 import __version__
from c360.dbt import SOURCES, run_dbt
from c360.project import C360Error, Project


def _parse_sources(value: str | None) -> list[str] | None:
    if not value:
        return None
    return [name.strip() for name in value.split(",") if name.strip()]


def _progress(quiet: bool):
    """Where progress messages go: stderr, nowhere with --quiet."""
    return (lambda message: None) if quiet else (lambda message: click.echo(message, err=True))


QUIET = click.option("--quiet", "-q", is_flag=True, help="No progress messages (they go to stderr).")
AS_JSON = click.option("--json", "as_json", is_flag=True, help="Print the result as JSON on stdout.")


SOURCES_HELP = (
    "Comma-separated sources this business has (others are switched off). "
    f"Known: {', '.join(SOURCES)}."
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="c360")
@click.option("--debug", is_flag=True, help="Show full tracebacks on errors.")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """Customer 360: generate demo data, build the warehouse, inspect it."""
    ctx.ensure_object(dict)
    ctx.obj["debug"] = debug


@cli.command()
@click.option("--customers", type=click.IntRange(min=1), default=2000, show_default=True,
              help="Number of persons who buy at least once (prospects come on top).")
@click.option("--seed", type=int, default=42, show_default=True, help="Random seed; same seed, same data.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("data/demo"),
              show_default=True, help="Output folder: raw/<source>/<table>.parquet and truth/.")
@click.option("--as-of", "as_of", type=click.DateTime(formats=["%Y-%m-%d"]), default="2026-10-31",
              show_default=True, help="The simulated 'today': no event is later.")
@click.option("--no-progress", is_flag=True, help="Do not show a progress display (as --quiet).")
@click.option("--corrupt", "corrupt_it", is_flag=True,
              help="Also append adversarial rows to every raw table (see `c360 corrupt`).")
@QUIET
@AS_JSON
def generate(customers: int, seed: int, out_dir: Path, as_of, no_progress: bool, corrupt_it: bool,
             quiet: bool, as_json: bool) -> None:
    """Generate the demo dataset with ground truth, deterministically."""
    from c360.generate import generate_dataset

    counts = generate_dataset(customers=customers, seed=seed, out=out_dir,
                              as_of=as_of.date(), progress=not (no_progress or quiet or as_json))
    raw_rows = sum(rows for name, rows in counts.items() if not name.startswith("truth"))
    if as_json:
        click.echo(json.dumps({"out": str(out_dir.resolve()), "raw_rows": raw_rows, "files": counts}, indent=2))
    else:
        click.echo(f"wrote {out_dir.resolve()} ({raw_rows:,} raw rows in {len(counts)} files)")
    if corrupt_it:
        _corrupt(out_dir, seed)


def _corrupt(dataset: Path, seed: int) -> None:
    from c360.generate.corrupt import TRUTH_FILE, corrupt_dataset

    counts = corrupt_dataset(dataset, seed=seed)
    click.echo(f"injected {sum(counts.values()):,} adversarial rows into {len(counts)} raw tables; "
               f"their expected outcomes: {(dataset / 'truth' / TRUTH_FILE).resolve()}")


@cli.command()
@click.argument("dataset", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--seed", type=int, default=0, show_default=True, help="Random seed: which rows are copied.")
def corrupt(dataset: Path, seed: int) -> None:
    """Append hostile rows to every raw table of a generated DATASET (its folder
    or its raw/ folder): null and duplicate keys, wrong types, very long
    strings, control characters, dates in 1900 and 2100, bad amounts and
    scores, Unicode, emoji and SQL-looking text. Writes what each row must
    become (quarantined by which rule, or staged) to truth/injected_rows.parquet.
    """
    if dataset.name == "raw" and not (dataset / "raw").is_dir():
        dataset = dataset.parent
    _corrupt(dataset, seed)


@cli.command(context_settings={"ignore_unknown_options": True, "allow_extra_args": True})
@click.option("--warehouse", type=click.Path(dir_okay=False), help="DuckDB file (default: $C360_WAREHOUSE).")
@click.option("--raw-path", type=click.Path(file_okay=False), help="Raw data folder (default: $C360_RAW_PATH).")
@click.option("--target", help="dbt target in profiles.yml (default: $C360_TARGET or duckdb).")
@click.option("--sources", "sources", help=SOURCES_HELP)
@click.option("--no-bi-export", is_flag=True, help="Do not export the public marts for BI tools after the build.")
@QUIET
@click.argument("dbt_args", nargs=-1, type=click.UNPROCESSED)
def build(warehouse, raw_path, target, sources, no_bi_export: bool, quiet: bool, dbt_args) -> None:
    """Run `dbt build` with the project's profile; other options go to dbt.

    A build that registers new erasure requests runs a second time, so that
    their rows leave every model (see "Erasure requests" in the README).
    On DuckDB a successful build then exports the public marts as Parquet
    for BI tools (see "BI tools" in the README). --quiet shows only errors.

    Example: c360 build --select staging --full-refresh
    """
    project = Project.resolve(warehouse=warehouse, raw_path=raw_path, target=target)
    dbt_args = ("--quiet", *dbt_args) if quiet and "--quiet" not in dbt_args and "-q" not in dbt_args else dbt_args
    run_dbt(project, "build", dbt_args, only_sources=_parse_sources(sources), finish_erasures=True,
            bi_export=not no_bi_export, log=_progress(quiet))
    if project.is_duckdb:
        click.echo(f"warehouse: {project.warehouse}")


@cli.command()
@click.option("--warehouse", type=click.Path(dir_okay=False), help="DuckDB file (default: $C360_WAREHOUSE).")
@click.option("--target", help="dbt target in profiles.yml (default: $C360_TARGET or duckdb).")
def erase(warehouse, target) -> None:
    """Delete registered erasures from history: snapshots, incremental
    staging tables, score tables and text enrichment tables.

    Every build does this at its start; run it to purge them without a build
    (dbt run-operation erase_registered_rows). On DuckDB the warehouse file
    is then rewritten, so that no free block keeps an erased row's bytes.
    """
    from c360.dbt import compact_duckdb

    project = Project.resolve(warehouse=warehouse, target=target)
    run_dbt(project, "run-operation", ["erase_registered_rows"])
    if project.is_duckdb:
        compact_duckdb(project.warehouse)
        click.echo(f"warehouse: {project.warehouse}")


@cli.command()
@click.option("--raw-path", type=click.Path(file_okay=False), help="Raw data folder (default: $C360_RAW_PATH).")
@click.option("--target", help="dbt target in profiles.yml (default: $C360_TARGET or duckdb).")
@click.option("--sources", "sources", help=SOURCES_HELP)
def load(raw_path, target, sources) -> None:
    """Load the raw Parquet files into the target's raw_<source> schemas.

    Needed on PostgreSQL, where dbt reads raw tables loaded beforehand; DuckDB
    and Spark read the files in place at the start of every run.
    """
    from c360.dbt import default_sources
    from c360.warehouse import load_raw_postgres

    project = Project.resolve(raw_path=raw_path, target=target)
    if project.adapter_type != "postgres":
        click.echo(f"nothing to load: the {project.adapter_type} target reads {project.raw_path} at run start")
        return
    chosen = _parse_sources(sources)
    if chosen:
        from c360.dbt import disabled_sources

        disabled_sources(chosen)  # rejects unknown names
    from c360.dbt import project_vars

    optional = project_vars(project.project_dir).get("c360_optional_sources") or []
    counts = load_raw_postgres(project, project.raw_path, sources=chosen or default_sources(project.project_dir),
                               optional=optional)
    click.echo(f"loaded {sum(counts.values()):,} rows into {len(counts)} raw tables")


@cli.command(name="dbt", context_settings={"ignore_unknown_options": True, "allow_extra_args": True})
@click.option("--warehouse", type=click.Path(dir_okay=False), help="DuckDB file (default: $C360_WAREHOUSE).")
@click.option("--raw-path", type=click.Path(file_okay=False), help="Raw data folder (default: $C360_RAW_PATH).")
@click.option("--target", help="dbt target in profiles.yml (default: $C360_TARGET or duckdb).")
@click.option("--sources", "sources", help=SOURCES_HELP)
@click.argument("dbt_args", nargs=-1, required=True, type=click.UNPROCESSED)
def dbt_command(warehouse, raw_path, target, sources, dbt_args) -> None:
    """Run any dbt command with the project's profile, target and raw data.

    Examples: c360 dbt source freshness | c360 dbt docs generate | c360 dbt test --select staging
    """
    project = Project.resolve(warehouse=warehouse, raw_path=raw_path, target=target)
    run_dbt(project, dbt_args[0], dbt_args[1:], only_sources=_parse_sources(sources))


@cli.command()
@click.option("--warehouse", type=click.Path(dir_okay=False), help="DuckDB file (default: $C360_WAREHOUSE).")
@click.option("--raw-path", type=click.Path(file_okay=False), help="Raw data folder (default: $C360_RAW_PATH).")
@click.option("--target", help="dbt target in profiles.yml (default: $C360_TARGET or duckdb).")
@click.option("--sources", "sources", help=SOURCES_HELP)
@click.option("--out", type=click.Path(file_okay=False, path_type=Path),
              help="Folder for the site (default: the project's target/).")
@click.option("--port", type=click.IntRange(0, 65535), default=8080, show_default=True)
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to serve on.")
@click.option("--no-serve", is_flag=True, help="Only generate the site.")
@click.option("--serve-only", is_flag=True, help="Serve a site generated before, without generating it.")
def docs(warehouse, raw_path, target, sources, out, port, host, no_serve, serve_only) -> None:
    """Generate the dbt docs site against the target's warehouse and serve it.

    Models, sources, columns, lineage from every raw table to customer_360,
    the exposures (dashboards, scripts) and the metrics, as dbt documents them.
    """
    from c360 import docs as docs_site

    if no_serve and serve_only:
        raise click.UsageError("--no-serve and --serve-only exclude each other")
    project = Project.resolve(warehouse=warehouse, raw_path=raw_path, target=target)
    site = Path(out).resolve() if out else project.project_dir / "target"
    if not serve_only:
        docs_site.generate(project, site, only_sources=_parse_sources(sources))
        click.echo(f"docs site: {site / 'index.html'}")
    if not no_serve:
        docs_site.serve(site, host=host, port=port, ready=click.echo)


@cli.command()
@click.option("--customers", type=click.IntRange(min=1), default=2000, show_default=True)
@click.option("--seed", type=int, default=42, show_default=True)
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Data folder (default: data/demo in the project).")
@click.option("--warehouse", type=click.Path(dir_okay=False), help="DuckDB file (default: $C360_WAREHOUSE).")
@click.option("--sources", "sources", help=SOURCES_HELP)
def demo(customers: int, seed: int, out_dir: Path | None, warehouse, sources) -> None:
    """Generate a small dataset, build everything, print what was built."""
    from c360.bi import bi_folder
    from c360.generate import generate_dataset

    project = Project.resolve(warehouse=warehouse)
    data_dir = (out_dir or project.project_dir / "data" / "demo").resolve()
    project = Project.resolve(warehouse=warehouse, raw_path=data_dir / "raw", target="duckdb")
    click.echo(f"generating {customers:,} customers (seed {seed}) into {data_dir}")
    generate_dataset(customers=customers, seed=seed, out=data_dir, as_of=date.today(), progress=True)
    # the data is generated anew: nothing of an earlier dataset may stay, neither rows of
    # incremental models nor erasures registered for its keys (the register outlives
    # --full-refresh), so the warehouse starts empty
    project.warehouse.unlink(missing_ok=True)
    # exported for BI tools now, and again after scoring, should scoring not publish
    run_dbt(project, "build", ["--full-refresh"], only_sources=_parse_sources(sources), finish_erasures=True,
            bi_export=True)
    _score_for_demo(project)
    _print_summary(project.warehouse)
    _print_customer_examples(project.warehouse)
    click.echo(f"\nwarehouse: {project.warehouse}")
    click.echo("open it with any DuckDB client, or: c360 summary, c360 profile <email>, c360 report")
    click.echo(f"BI tools: {bi_folder(project.project_dir, project.warehouse) / 'current'} (see the README)")


def _score_for_demo(project: Project) -> None:
    """Enrich the texts, score churn and upsell, then rebuild what shows them."""
    from c360.scoring.run import score as run_score
    from c360.text.enrich import enrich as run_enrich

    click.echo("scoring sentiment and topics of the free texts (c360 enrich)")
    enriched = run_enrich(project, log=lambda message: click.echo(f"  {message}"))
    click.echo("scoring churn and upsell (c360 score)")
    try:
        result = run_score(project, log=lambda message: click.echo(f"  {message}"))
        click.echo(f"  {result.churn_rows:,} churn scores and {result.upsell_rows:,} recommendations written")
    except C360Error as error:  # a model that loses to its baseline is not published; the demo goes on
        click.echo(f"  {error}")
    selected = ["scores", "customer_360+"] + (["enrichment+"] if enriched.total_scored else [])
    run_dbt(project, "build", ["--select", *selected], bi_export=True)


def _print_customer_examples(warehouse: Path) -> None:
    from rich.console import Console
    from rich.table import Table

    from c360.summary import customer_360_examples

    columns, rows = customer_360_examples(warehouse)
    if not rows:
        return
    table = Table(title="customer_360: the most distressed customers")
    headers = {"customer_id": "customer", "first_name": "name", "lifecycle_stage": "stage",
               "revenue_lifetime": "revenue", "health_score": "health", "health_band": "band",
               "distress_index": "distress", "distress_reason_1": "top reason", "churn_score": "churn",
               "churn_risk_band": "risk", "upsell_recommendation": "next best"}
    shown = [column for column in columns if column != "last_name"]
    for column in shown:
        table.add_column(headers.get(column, column), justify="right" if column in (
            "revenue_lifetime", "nps", "health_score", "distress_index", "churn_score") else "left")
    for row in rows:
        values = dict(zip(columns, row, strict=True))
        values["customer_id"] = str(values["customer_id"])[:8]
        values["first_name"] = " ".join(str(values[k]) for k in ("first_name", "last_name") if values[k])
        if values.get("churn_score") is not None:
            values["churn_score"] = f"{values['churn_score']:.2f}"

        def cell(value):
            if value is None:
                return ""
            return f"{value:,.1f}" if isinstance(value, int | float) or hasattr(value, "as_tuple") else str(value)

        table.add_row(*(cell(values[column]) if column != "customer_id" else values[column] for column in shown))
    Console().print(table)


def _print_summary(warehouse: Path) -> None:
    from rich.console import Console
    from rich.table import Table

    from c360.summary import LAYERS, geocode_coverage, relation_counts, source_table_counts

    counts = relation_counts(warehouse)
    console = Console()
    tables = Table(title="raw rows: staged + quarantined + erased")
    for column in ("source table", "raw", "staged", "quarantined", "erased"):
        tables.add_column(column, justify="left" if column == "source table" else "right")
    for item in source_table_counts(warehouse, counts):
        tables.add_row(f"{item.source_name}.{item.table_name}", f"{item.raw:,}",
                       f"{item.staged:,}", f"{item.quarantined:,}", f"{item.erased:,}")
    layers = Table(title="rows per layer")
    for column in ("layer", "relations", "rows"):
        layers.add_column(column, justify="left" if column == "layer" else "right")
    for layer in ("raw", *LAYERS):
        # Base views restate raw rows; the layer total counts what is materialised.
        items = [c for c in counts if c.layer == layer and (layer == "raw" or c.kind == "table")]
        if items:
            layers.add_row(layer, str(len(items)), f"{sum(c.rows for c in items):,}")
    console.print(tables)
    console.print(layers)
    coverage = geocode_coverage(warehouse)
    if coverage:
        located = Table(title="geocoding coverage (rpt_geocode_coverage)")
        for column in ("entity", "rows", "with coordinates", "share", "by match level"):
            located.add_column(column, justify="left" if column in ("entity", "by match level") else "right")
        for item in coverage:
            levels = ", ".join(f"{level} {rows:,}" for level, rows in item.levels.items())
            located.add_row(item.entity, f"{item.rows:,}", f"{item.geocoded:,}", f"{item.share:.1%}", levels)
        console.print(located)


@cli.command()
@click.option("--warehouse", type=click.Path(dir_okay=False), help="DuckDB file (default: $C360_WAREHOUSE).")
@AS_JSON
def summary(warehouse, as_json: bool) -> None:
    """Print row counts per layer of the DuckDB warehouse."""
    from dataclasses import asdict

    from c360.summary import relation_counts, source_table_counts

    project = Project.resolve(warehouse=warehouse)
    if as_json:
        counts = relation_counts(project.warehouse)
        click.echo(json.dumps({"warehouse": str(project.warehouse),
                               "relations": [asdict(item) for item in counts],
                               "source_tables": [{**asdict(item), "erased": item.erased}
                                                 for item in source_table_counts(project.warehouse, counts)]},
                              indent=2, default=str))
        return
    _print_summary(project.warehouse)
    click.echo(f"\nwarehouse: {project.warehouse}")


@cli.command()
@click.argument("key")
@click.option("--audience", help="Show the customer as this audience of the privacy policy sees them.")
@click.option("--warehouse", type=click.Path(dir_okay=False), help="DuckDB file (default: $C360_WAREHOUSE).")
@click.option("--target", help="dbt target in profiles.yml (default: $C360_TARGET or duckdb).")
@click.option("--html", "html_out", type=click.Path(dir_okay=False, path_type=Path),
              help="Also save the printed profile as an HTML page.")
@AS_JSON
def profile(key: str, audience: str | None, warehouse, target, html_out: Path | None, as_json: bool) -> None:
    """Print one customer's 360: KEY is a customer_id (or a prefix of at least
    six characters), an email address or a phone number.

    Golden record (with the source of each field), lifecycle timeline, health
    with its components and trend, distress reasons, recent touchpoints,
    scores with reasons and recommendations. With --audience, only that
    audience's views are read: columns masked as its policy says, customers
    outside its row filter not found. Exit code 1 when no customer, or more
    than one, matches KEY.
    """
    from rich.console import Console

    from c360.profile import build_profile, render

    project = Project.resolve(warehouse=warehouse, target=target)
    if project.is_duckdb and not project.warehouse.is_file():
        raise C360Error(f"no warehouse at {project.warehouse}: run `c360 build` or `make demo` first")
    found = build_profile(project, key, audience)
    if as_json:
        click.echo(json.dumps(found.to_json(), indent=2, default=str))
        return
    console = Console(record=html_out is not None)
    render(found, console)
    if html_out is not None:
        console.save_html(str(html_out))


@cli.command()
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=Path("report.html"),
              show_default=True, help="The HTML file to write.")
@click.option("--warehouse", type=click.Path(dir_okay=False), help="DuckDB file (default: $C360_WAREHOUSE).")
@click.option("--target", help="dbt target in profiles.yml (default: $C360_TARGET or duckdb).")
@AS_JSON
def report(out: Path, warehouse, target, as_json: bool) -> None:
    """Write a self-contained HTML report (opens offline): health and
    distress distributions, churn risk by segment, NPS and CSAT trends, the
    lifecycle funnel, share of voice, customers and revenue by region."""
    from c360.report import write_report

    project = Project.resolve(warehouse=warehouse, target=target)
    if project.is_duckdb and not project.warehouse.is_file():
        raise C360Error(f"no warehouse at {project.warehouse}: run `c360 build` or `make demo` first")
    written = write_report(project, out)
    if as_json:
        click.echo(json.dumps({"out": str(out.resolve()), "plots": {p.key: p.marks for p in written.plots}},
                              indent=2))
    else:
        click.echo(f"wrote {out.resolve()} ({len(written.plots)} plots)")


@cli.command()
@click.option("--check", is_flag=True, help="Fail if README.md's data contract is not up to date.")
@click.option("--write", is_flag=True, help="Rewrite README.md's data contract section.")
def contract(check: bool, write: bool) -> None:
    """Print the raw data contract (from the source declarations) as Markdown."""
    from c360.contract import readme_is_current, render_contract, write_readme

    project = Project.resolve()
    if write:
        write_readme(project.project_dir)
        click.echo("README.md data contract rewritten")
        return
    if check:
        if not readme_is_current(project.project_dir):
            raise C360Error("README.md's data contract differs from the source declarations; "
                            "run `c360 contract --write`")
        click.echo("README.md data contract is up to date")
        return
    click.echo(render_contract(project.project_dir))


@cli.command()
@click.argument("records", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=Path("identity_map.csv"),
              show_default=True, help="CSV: record_id, customer_id and the rule that placed each record.")
@click.option("--golden", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="CSV of the golden record of every customer (with provenance).")
@click.option("--map", "mappings", multiple=True, metavar="COLUMN=INPUT[+INPUT...]",
              help="Fill a people.records column from input columns (joined with a space), "
                   "e.g. --map first_name=given_name --map street=street_number+address_1. "
                   "Input columns named like the contract are used as they are.")
@click.option("--date-format", help="strftime format of birth_date in the input, e.g. %Y%m%d (default ISO).")
@click.option("--workdir", type=click.Path(file_okay=False, path_type=Path), default=Path(".resolve"),
              show_default=True, help="Folder for the prepared raw file and the DuckDB warehouse.")
def resolve(records: Path, out: Path, golden: Path | None, mappings: tuple[str, ...], date_format: str | None,
            workdir: Path) -> None:
    """Resolve a CSV or Parquet file of person records to customers.

    The file is written in the shape of the `people.records` source (see the
    README's data contract), staged, and run through the identity models alone;
    the result is exported to --out (and --golden). The warehouse in --workdir
    keeps every model: int_identity__edges holds the evidence of each link.
    """
    from c360.resolve import parse_mapping
    from c360.resolve import resolve as run_resolve

    result = run_resolve(records, workdir, parse_mapping(mappings), date_format, out, golden, echo=click.echo)
    click.echo(f"{result.records:,} records: {result.resolved:,} resolved to {result.customers:,} customers, "
               f"{result.quarantined:,} quarantined")
    for rule, count in result.rules.items():
        click.echo(f"  {rule}: {count:,}")
    click.echo(f"wrote {result.map_path}" + (f" and {result.golden_path}" if result.golden_path else ""))
    click.echo(f"warehouse: {result.warehouse}")


@cli.command()
@click.option("--as-of", "as_of", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Train and score as of this date, with only data known then (default: the latest snapshot).")
@click.option("--warehouse", type=click.Path(dir_okay=False), help="DuckDB file (default: $C360_WAREHOUSE).")
@click.option("--target", help="dbt target in profiles.yml (default: $C360_TARGET or duckdb).")
@click.option("--quiet", is_flag=True, help="Print only the result line.")
@click.option("--json", "as_json", is_flag=True, help="Print the model runs as JSON.")
def score(as_of, warehouse, target, quiet: bool, as_json: bool) -> None:
    """Score churn risk and upsell recommendations; write them back.

    Models learn from the weekly snapshots, are validated out of time against
    a baseline and published only if they beat it (otherwise the earlier
    scores stay and the exit code is 1). Rebuild (c360 build) for
    customer_360 to show the new scores.
    """
    from c360.scoring.run import score as run_score

    project = Project.resolve(warehouse=warehouse, target=target)

    result = run_score(project, as_of.date() if as_of else None, log=_progress(quiet or as_json))
    if as_json:
        click.echo(json.dumps({"as_of": result.as_of.isoformat(), "churn": result.churn_run,
                               "upsell": result.upsell_run}, default=str, indent=2))
    else:
        if result.upsell_run["status"] == "skipped":
            upsell = f"upsell skipped ({result.upsell_run['message']})"
        else:
            upsell = f"{result.upsell_rows:,} recommendations ({result.upsell_run['model_version']})"
        click.echo(f"scored as of {result.as_of}: {result.churn_rows:,} churn scores "
                   f"({result.churn_run['model_version']}), {upsell}")


@cli.command()
@click.option("--warehouse", type=click.Path(dir_okay=False), help="DuckDB file (default: $C360_WAREHOUSE).")
@click.option("--target", help="dbt target in profiles.yml (default: $C360_TARGET or duckdb).")
@click.option("--quiet", is_flag=True, help="Print only the result line.")
def enrich(warehouse, target, quiet: bool) -> None:
    """Score the sentiment and tag the topics of new free texts; write them back.

    Reads the texts of var c360_text.sources from their staged models
    (build first), scores only those whose record and content are not yet
    enriched, and appends the rows to <schema>_enrichment.text_sentiment and
    text_topics. Rebuild (c360 build) for customer_360, the health score,
    the distress index and fct_share_of_voice to show them.
    """
    from c360.text.enrich import enrich as run_enrich

    project = Project.resolve(warehouse=warehouse, target=target)
    result = run_enrich(project, log=(lambda message: None) if quiet else (lambda m: click.echo(m, err=True)))
    click.echo(f"enriched {result.total_scored:,} new texts of {sum(result.texts.values()):,} "
               f"({result.topic_rows:,} topic tags, {result.scorer_version})")


@cli.group()
def bench() -> None:
    """Benchmarks measured against the generator's ground truth."""


@bench.command(name="identity")
@click.option("--customers", type=click.IntRange(min=1), default=2000, show_default=True,
              help="Number of customers to generate.")
@click.option("--seed", type=int, default=42, show_default=True, help="Random seed of the dataset.")
@click.option("--no-splink", is_flag=True, help="Skip the Splink baseline.")
@click.option("--threshold", "thresholds", type=click.FloatRange(0, 1, min_open=True), multiple=True,
              help="Splink match probability to cluster at (repeatable); the best F1 is reported. "
                   "Default: 0.01, 0.05, 0.2, 0.5, 0.8, 0.95.")
@click.option("--keep", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Keep the dataset and warehouse in this folder (a dataset already there is reused).")
@click.option("--febrl", type=click.Choice(["1", "2", "3", "4a", "4b"]), default=None,
              help="Resolve a FEBRL labelled person dataset (external data) instead of generated data.")
@click.option("--restaurants", is_flag=True,
              help="Resolve the Fodors-Zagat restaurants (real businesses with phone numbers, external data) "
                   "instead of generated data.")
@QUIET
def bench_identity(customers: int, seed: int, no_splink: bool, thresholds: tuple[float, ...],
                   keep: Path | None, febrl: str | None, restaurants: bool, quiet: bool) -> None:
    """Precision, recall and F1 of customer_identity_map against the truth, and Splink's.

    Generates a dataset (or reuses --keep) or takes a FEBRL dataset (--febrl)
    or the Fodors-Zagat restaurants (--restaurants), builds up to the identity mart,
    times the identity models, scores the map pairwise and prints it beside a
    Splink model run on the same records.
    """
    from rich.console import Console

    from c360.identity_eval import (
        SPLINK_THRESHOLDS,
        render_report,
        run_febrl_bench,
        run_identity_bench,
        run_restaurants_bench,
    )

    try:
        import splink  # noqa: F401
    except ImportError:
        if not no_splink:
            raise C360Error("splink is not installed: pip install -e '.[bench]', or pass --no-splink") from None
    if febrl and restaurants:
        raise C360Error("--febrl and --restaurants are two datasets: pass one")
    if febrl:
        report = run_febrl_bench(febrl, splink=not no_splink, keep=keep,
                                 thresholds=thresholds or SPLINK_THRESHOLDS, echo=_progress(quiet), quiet=quiet)
    elif restaurants:
        report = run_restaurants_bench(splink=not no_splink, keep=keep,
                                       thresholds=thresholds or SPLINK_THRESHOLDS, echo=_progress(quiet),
                                       quiet=quiet)
    else:
        report = run_identity_bench(customers=customers, seed=seed, splink=not no_splink, keep=keep,
                                    thresholds=thresholds or SPLINK_THRESHOLDS, echo=_progress(quiet), quiet=quiet)
    console = Console()
    for renderable in render_report(report):
        console.print(renderable)
    if keep:
        click.echo(f"\nkept: data {report.data_dir}, warehouse {report.warehouse}")


@bench.command(name="scale")
@click.option("--sizes", default="10000,100000,1000000", show_default=True,
              help="Comma-separated numbers of customers to generate and build.")
@click.option("--seed", type=int, default=42, show_default=True, help="Random seed of the datasets.")
@click.option("--workdir", type=click.Path(file_okay=False, path_type=Path), default=Path(".bench/scale"),
              show_default=True, help="Where datasets and warehouses are built (replaced per size).")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path(".bench"),
              show_default=True, help="Folder for scale.json and scale.md.")
@QUIET
@AS_JSON
def bench_scale(sizes: str, seed: int, workdir: Path, out_dir: Path, quiet: bool, as_json: bool) -> None:
    """How build cost grows with customers.

    For each size: generation time, a full build, an incremental build of one
    more day (late rows and replays included), the floor (one DuckDB query
    reading every raw table once, one row per person key), peak memory of
    each step, rows per layer, the slowest models, and the ratios full ÷
    floor and incremental ÷ full. Set C360_DUCKDB_MEMORY_LIMIT (e.g. 6GB) to
    bound DuckDB's memory.
    """
    from c360.scale_bench import bench_size, to_json, to_markdown

    try:
        counts = [int(part) for part in sizes.split(",") if part.strip()]
    except ValueError:
        raise C360Error(f"--sizes: expected comma-separated integers, got {sizes!r}") from None
    if not counts or min(counts) < 1:
        raise C360Error("--sizes: give at least one positive number of customers")
    results = []
    out_dir.mkdir(parents=True, exist_ok=True)
    for customers in counts:
        results.append(bench_size(customers, seed, workdir.resolve(), echo=_progress(quiet or as_json)))
        # written after every size, so a long run leaves its figures behind
        (out_dir / "scale.json").write_text(json.dumps(to_json(results, seed), indent=2) + "\n")
        (out_dir / "scale.md").write_text(to_markdown(results, seed))
    if as_json:
        click.echo(json.dumps(to_json(results, seed), indent=2))
        return
    click.echo(to_markdown(results, seed))
    click.echo(f"written: {out_dir / 'scale.json'}, {out_dir / 'scale.md'}")


@bench.command(name="scoring")
@click.option("--customers", type=click.IntRange(min=100), default=2000, show_default=True,
              help="Customers in the generated demo dataset.")
@click.option("--seed", type=int, default=42, show_default=True)
@click.option("--workdir", type=click.Path(file_okay=False, path_type=Path), default=Path(".bench/scoring"),
              show_default=True, help="Where datasets and warehouses are built (replaced).")
@click.option("--no-cdnow", is_flag=True, help="Skip the orders-only CDNOW benchmark.")
@click.option("--cdnow-sample", is_flag=True, help="Use CDNOW's 1/10 sample (2,357 customers) instead of all 23,570.")
@click.option("--throughput", type=click.IntRange(min=0), default=0,
              help="Also time scoring this many customers (the demo's repeated), e.g. 1000000.")
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
@QUIET
def bench_scoring(customers: int, seed: int, workdir: Path, no_cdnow: bool, cdnow_sample: bool,
                  throughput: int, as_json: bool, quiet: bool) -> None:
    """Churn and upsell quality out of time, against baselines.

    Demo data: churn ROC AUC, PR AUC, Brier score against the base rate and
    calibration error of the model and of a recency-frequency-monetary
    logistic regression; upsell hit rate at k against the most popular
    subcategories. Orders only (CDNOW's real transactions, every other
    source switched off): the same pipeline against BG/NBD on the same
    out-of-time examples. Figures go to <workdir>/scoring_bench.json.
    """
    from c360.scoring.bench import run_benchmark, to_markdown

    log = _progress(quiet or as_json)
    results = run_benchmark(workdir.resolve(), customers, seed, cdnow=not no_cdnow, cdnow_sample=cdnow_sample,
                            throughput=throughput, log=log)
    click.echo(json.dumps(results, indent=2, default=str) if as_json else to_markdown(results))


@bench.command(name="sentiment")
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
def bench_sentiment(as_json: bool) -> None:
    """Agreement of the sentiment scorer with human ratings.

    The human-rated sentences vaderSentiment's source distribution ships
    (tweets, movie and Amazon reviews, NYT editorials; Hutto & Gilbert 2014):
    Pearson and Spearman correlation with the mean rating, and accuracy of
    the three-way label. The generator's phrases, whose tone is known: label
    accuracy, and sign accuracy on the negative and positive ones.
    """
    from dataclasses import asdict

    from c360.dbt import default_disabled_sources
    from c360.text.config import TextConfig
    from c360.text.sentiment import TextScorer
    from c360.text.validation import agreement_with_generator, agreement_with_people, polar_accuracy

    project = Project.resolve()
    scorer = TextScorer(TextConfig.load(project.project_dir, default_disabled_sources(project.project_dir)))
    people, generated = agreement_with_people(scorer), agreement_with_generator(scorer)
    polar = polar_accuracy(scorer)
    if as_json:
        click.echo(json.dumps({"people": [asdict(a) for a in people], "generator": asdict(generated),
                               "generator_sign_accuracy": polar}, indent=2))
        return
    for agreement in [*people, generated]:
        click.echo(agreement.line())
    click.echo(f"{'generator polar phrases':<22} sign accuracy {polar:.3f}")


def main() -> None:
    """Entry point: errors become one line on stderr and exit code 1."""
    debug = "--debug" in sys.argv[1:]
    try:
        cli.main(standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(130)
    except click.ClickException as error:
        error.show()
        sys.exit(error.exit_code)
    except (C360Error, ValueError, FileNotFoundError, PermissionError) as error:
        if debug:
            raise
        click.echo(f"error: {error}", err=True)
        sys.exit(1)
    except Exception as error:  # noqa: BLE001 - last line of defence for a CLI
        if debug:
            raise
        click.echo(f"error: {type(error).__name__}: {error} (rerun with --debug for details)", err=True)
        sys.exit(1)


if __name__ == "__main__":
    main()
