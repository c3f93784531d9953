"""`c360 bench scoring`: churn and upsell quality, out of time, on the demo
data and on real transactions, against simple and classic baselines.

* demo data: the generated dataset built with every source; churn ROC AUC,
  Brier score against the base rate, calibration, upsell hit rate at k
  against recommending the most popular subcategories and against the
  ceiling an oracle of the generator's purchase process reaches
  (c360.scoring.ceiling);
* orders only: the CDNOW transactions (23,570 real customers of an online
  music store, 1997-98; shipped inside the `lifetimes` package) loaded as the
  commerce source with every other source switched off, built and scored
  by the same pipeline, against the BG/NBD model (probability alive and
  expected purchases, fitted with `lifetimes` on the same orders up to each
  as-of date) on the same out-of-time test examples.
"""

from __future__ import annotations

import json
import resource
import time
from datetime import timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from sklearn.metrics import average_precision_score, roc_auc_score

from c360.project import C360Error, Project
from c360.scoring import data
from c360.scoring.ceiling import upsell_ceiling
from c360.scoring.config import ScoringConfig
from c360.scoring.metrics import binary_metrics
from c360.scoring.run import resolve_as_of, score, train_churn
from c360.warehouse import read_sql

CDNOW_AS_OF = "1998-06-30"


def cdnow_transactions(sample: bool = False) -> pd.DataFrame:
    """CDNOW's transactions (customer, date, CDs, dollars) from the lifetimes package."""
    try:
        import lifetimes.datasets
    except ImportError as error:  # pragma: no cover - the bench extra is in the lock file
        raise C360Error("the orders-only benchmark needs lifetimes (pip install -e '.[bench]')") from error
    # the master file has a header; the sample has none and a second id column
    if sample:
        names, skip = ["customer", "customer_index", "date", "cds", "dollars"], 0
    else:
        names, skip = ["customer", "date", "cds", "dollars"], 1
    path = Path(lifetimes.datasets.__file__).parent / ("CDNOW_sample.txt" if sample else "CDNOW_master.txt")
    frame = pd.read_csv(path, sep=r"\s+", header=None, names=names, skiprows=skip,
                        dtype={"customer": str, "date": str})[["customer", "date", "cds", "dollars"]]
    frame["date"] = pd.to_datetime(frame["date"], format="%Y%m%d")
    return frame


def write_orders_only_dataset(transactions: pd.DataFrame, out: Path, as_of: str) -> Path:
    """Write ``transactions`` as the commerce source's raw files (the
    declared contract's columns, as strings where declared so) with a
    manifest giving the as-of date; returns the raw folder."""
    from c360.contract import source_declarations

    raw = out / "raw" / "commerce"
    raw.mkdir(parents=True, exist_ok=True)
    t = transactions.reset_index(drop=True)
    stamp = t["date"].dt.strftime("%Y-%m-%dT12:00:00Z")
    loaded = (t["date"] + timedelta(hours=13)).dt.strftime("%Y-%m-%d %H:%M:%S")
    order_id = [f"ORD-{i + 1:09d}" for i in range(len(t))]
    quantity = t["cds"].clip(lower=1).astype("int64")
    values = {
        "products": pd.DataFrame({"product_id": ["PRD-CD"], "sku": ["CD"], "product_name": ["Compact disc"],
                                  "category": ["music"], "subcategory": ["cds"], "brand": ["CDNOW"],
                                  "list_price": ["12.00"], "is_subscription": [False],
                                  "launched_at": ["1990-01-01 00:00:00"], "_loaded_at": ["1997-01-01 00:00:00"]}),
        "stores": pd.DataFrame(),
        "orders": pd.DataFrame({"order_id": order_id, "channel": "web", "web_customer_id": "CDN-" + t["customer"],
                                "ordered_at": stamp, "currency": "USD",
                                "order_total": t["dollars"].map("{:.2f}".format),
                                "status": "completed", "_loaded_at": loaded}),
        "order_lines": pd.DataFrame({"order_line_id": [f"OLN-{i + 1:010d}" for i in range(len(t))],
                                     "order_id": order_id, "product_id": "PRD-CD", "quantity": quantity,
                                     "unit_price": (t["dollars"] / quantity).map("{:.2f}".format),
                                     "discount_amount": "0.00", "_loaded_at": loaded}),
    }
    types = {"varchar": pa.string(), "bigint": pa.int64(), "double": pa.float64(), "boolean": pa.bool_()}
    commerce = next(s for s in source_declarations(Path(__file__).resolve().parents[3]) if s["name"] == "commerce")
    for table in commerce["tables"]:
        frame = values[table["name"]]
        arrays = []
        for column in table["columns"]:
            kind = types[column["data_type"]]
            present = column["name"] in frame.columns
            column_values = frame[column["name"]].tolist() if present else [None] * len(frame)
            arrays.append(pa.array(column_values, type=kind))
        names = [c["name"] for c in table["columns"]]
        pq.write_table(pa.Table.from_arrays(arrays, names=names), raw / f"{table['name']}.parquet")
    (out / "manifest.json").write_text(json.dumps({"as_of": as_of, "source": "CDNOW via lifetimes"}))
    return out / "raw"


def bgnbd_scores(project: Project, rows: pd.DataFrame, horizon_days: int) -> dict[str, np.ndarray]:
    """BG/NBD scores for (customer_id, snapshot_date) rows, each fitted on the
    completed orders up to its date: 1 - P(alive), and minus the expected
    purchases in the horizon (higher = more likely to churn)."""
    from lifetimes import BetaGeoFitter

    orders = read_sql(project, f"""
        select customer_id, cast(ordered_at as date) as ordered_date
        from {data.relation(project, 'marts', 'fct_orders')}
        where is_completed and customer_id is not null""")
    orders["ordered_date"] = pd.to_datetime(orders["ordered_date"])
    dead = np.full(len(rows), np.nan)
    fewer = np.full(len(rows), np.nan)
    for as_of, index in rows.groupby("snapshot_date").groups.items():
        cutoff = pd.Timestamp(as_of)
        days = orders[orders["ordered_date"] <= cutoff].drop_duplicates()
        grouped = days.groupby("customer_id")["ordered_date"]
        first, last, count = grouped.min(), grouped.max(), grouped.size()
        summary = pd.DataFrame({"frequency": count - 1, "recency": (last - first).dt.days,
                                "T": (cutoff - first).dt.days})
        model = BetaGeoFitter(penalizer_coef=0.001).fit(summary["frequency"], summary["recency"], summary["T"])
        alive = pd.Series(model.conditional_probability_alive(summary["frequency"], summary["recency"],
                                                              summary["T"]), index=summary.index)
        expected = pd.Series(model.conditional_expected_number_of_purchases_up_to_time(
            horizon_days, summary["frequency"], summary["recency"], summary["T"]), index=summary.index)
        customers = rows.loc[index, "customer_id"]
        positions = rows.index.get_indexer(index)
        dead[positions] = 1 - alive.reindex(customers).to_numpy()
        fewer[positions] = -expected.reindex(customers).to_numpy()
    # customers with no order by the date (subscribers, app users) get the most-alive value
    dead = np.where(np.isnan(dead), np.nanmin(dead), dead)
    fewer = np.where(np.isnan(fewer), np.nanmin(fewer), fewer)
    return {"bgnbd_not_alive": dead, "bgnbd_expected_purchases": fewer}


def ranking_metrics(y: np.ndarray, score: np.ndarray) -> dict:
    return {"roc_auc": round(float(roc_auc_score(y, score)), 4),
            "pr_auc": round(float(average_precision_score(y, score)), 4)}


def evaluate(project: Project, config: ScoringConfig, log=print) -> dict:
    """Out-of-time churn figures of the candidate, the RFM baseline and BG/NBD."""
    as_of = resolve_as_of(data.snapshot_dates(project), None)
    run, _, evaluation = train_churn(project, as_of, config, log=log)
    y = evaluation["y"]
    figures = {
        "as_of": str(as_of), "test_rows": int(len(y)), "churn_rate": round(float(y.mean()), 4),
        "candidate": binary_metrics(y, evaluation["p"], evaluation["base_rate"]),
        "rfm_baseline": binary_metrics(y, evaluation["p_baseline"], evaluation["base_rate"]),
    }
    for name, values in bgnbd_scores(project, evaluation["rows"], config.churn_horizon_days).items():
        figures[name] = ranking_metrics(y, values)
    return figures


def build(project: Project, sources: list[str] | None, log=print) -> float:
    from c360.dbt import run_dbt

    started = time.monotonic()
    run_dbt(project, "build", ["--full-refresh", "--quiet"], only_sources=sources)
    log(f"built {project.warehouse} in {time.monotonic() - started:.0f} s")
    return time.monotonic() - started


def run_benchmark(workdir: Path, customers: int, seed: int, cdnow: bool = True, demo: bool = True,
                  cdnow_sample: bool = False, throughput: int = 0, log=print) -> dict:
    """Build, score and evaluate; returns every figure (also written as JSON)."""
    from c360.generate import generate_dataset

    workdir.mkdir(parents=True, exist_ok=True)
    config = ScoringConfig.load(Project.resolve().project_dir)
    results: dict = {}
    if demo:
        folder = workdir / "demo"
        generate_dataset(customers=customers, seed=seed, out=folder, progress=False)
        project = Project.resolve(warehouse=folder / "c360.duckdb", raw_path=folder / "raw", target="duckdb")
        build_seconds = build(project, None, log)
        started = time.monotonic()
        scored = score(project, log=log)
        results["demo"] = {"customers": customers, "seed": seed, "build_seconds": round(build_seconds, 1),
                           "score_seconds": round(time.monotonic() - started, 1),
                           "churn": evaluate(project, config, log=lambda message: None),
                           "upsell": {"k": config.upsell_top_k, "hit_rate": scored.upsell_run["hit_rate_at_k"],
                                      "popular_hit_rate": scored.upsell_run["baseline_hit_rate_at_k"]}}
        hit, popular = results["demo"]["upsell"]["hit_rate"], results["demo"]["upsell"]["popular_hit_rate"]
        results["demo"]["upsell"]["ratio_to_popular"] = round(hit / popular, 3) if popular else None
        results["demo"]["upsell"]["ceiling"] = upsell_ceiling(project, folder, scored.upsell_run["as_of_date"],
                                                              config)
        if throughput:
            results["throughput"] = scoring_throughput(project, throughput, log=log)
    if cdnow:
        folder = workdir / "cdnow"
        transactions = cdnow_transactions(sample=cdnow_sample)
        raw = write_orders_only_dataset(transactions, folder, CDNOW_AS_OF)
        project = Project.resolve(warehouse=folder / "c360.duckdb", raw_path=raw, target="duckdb")
        build_seconds = build(project, ["commerce"], log)
        started = time.monotonic()
        score(project, log=log)
        results["cdnow"] = {"customers": int(transactions["customer"].nunique()),
                            "transactions": int(len(transactions)), "build_seconds": round(build_seconds, 1),
                            "score_seconds": round(time.monotonic() - started, 1),
                            "churn": evaluate(project, config, log=lambda message: None)}
    results["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    (workdir / "scoring_bench.json").write_text(json.dumps(results, indent=2, default=str))
    return results


def to_markdown(results: dict) -> str:
    """The figures as Markdown tables."""
    lines = []
    for name, title in (("demo", "demo data"), ("cdnow", "orders only: CDNOW")):
        if name not in results:
            continue
        part = results[name]
        churn = part["churn"]
        lines += [f"## Churn, {title} (as of {churn['as_of']}, {churn['test_rows']:,} out-of-time examples, "
                  f"churn rate {churn['churn_rate']:.3f}; build {part['build_seconds']} s, "
                  f"score {part['score_seconds']} s)", "",
                  "| model | ROC AUC | PR AUC | Brier | base-rate Brier | calibration error |",
                  "|---|---|---|---|---|---|"]
        for model in ("candidate", "rfm_baseline", "bgnbd_expected_purchases", "bgnbd_not_alive"):
            m = churn[model]
            lines.append(f"| {model} | {m['roc_auc']} | {m['pr_auc']} | {m.get('brier', '')} | "
                         f"{m.get('base_rate_brier', '')} | {m.get('calibration_error', '')} |")
        lines.append("")
        if "upsell" in part:
            u = part["upsell"]
            lines += [f"## Upsell, {title}", "", "| k | hit rate | most popular | ratio |", "|---|---|---|---|",
                      f"| {u['k']} | {u['hit_rate']} | {u['popular_hit_rate']} | {u['ratio_to_popular']} |", ""]
            if u.get("ceiling", {}).get("customers_evaluated"):
                c = u["ceiling"]
                lines += [f"Ceiling: an oracle that knows each person's true preferences and the generator's "
                          f"purchase process ({c['customers_evaluated']:,} customers of the same window, "
                          f"{c['draws']:,} simulated futures each) hits {c['oracle_hit_rate']} against "
                          f"{c['popular_hit_rate']} for the most popular: {c['oracle_ratio_to_popular']}x "
                          "is the most any ranking can expect on this data.", ""]
    if "throughput" in results:
        t = results["throughput"]
        lines += [f"## Scoring {t['customers']:,} customers", "",
                  f"churn (probability, band, reasons) {t['churn_seconds']} s; upsell ({t['recommendations']:,} "
                  f"recommendations with reasons) {t['upsell_seconds']} s; write {t['write_seconds']} s; "
                  f"peak memory {t['peak_rss_mb']} MB", ""]
    lines.append(f"peak memory (RSS): {results['peak_rss_mb']} MB")
    return "\n".join(lines)


def scoring_throughput(project: Project, customers: int, log=print) -> dict:
    """Time to score ``customers`` customers with the models trained on
    ``project``: its scoring population (snapshot rows, owned subcategories)
    repeated under new ids up to that size, scored for churn (probability,
    band, reasons) and upsell (every customer consents), and written to a
    scratch DuckDB file. Reading the snapshots is left out (it is one query)."""
    import duckdb

    from c360.scoring import upsell
    from c360.scoring.run import score_churn, score_upsell, train_upsell

    config = ScoringConfig.load(project.project_dir)
    as_of = resolve_as_of(data.snapshot_dates(project), None)
    quiet = lambda message: None  # noqa: E731
    _, fitted, _ = train_churn(project, as_of, config, log=quiet)
    upsell_run, model, lines, subs = train_upsell(project, as_of, config, log=quiet)
    if fitted is None or model is None:
        raise C360Error("scoring throughput: a model was not published on this dataset")
    rows = data.snapshots_at(project, [as_of], config.churn_population)
    repeat = -(-customers // len(rows))
    big = pd.concat([rows] * repeat, ignore_index=True).iloc[:customers]
    big["customer_id"] = big["customer_id"] + ":" + (big.index // len(rows)).astype(str)
    started = time.monotonic()
    churn_scores = score_churn(project, as_of, fitted, config, "bench", pd.Timestamp.now(), rows=big, log=log)
    churn_seconds = time.monotonic() - started
    k = upsell.knowledge(lines, as_of, subs)
    repeat = -(-customers // len(k.customers))
    tile = lambda a: np.concatenate([a] * repeat)[:customers]  # noqa: E731
    k.customers = np.array([f"{c}:{i // len(k.customers)}" for i, c in enumerate(tile(k.customers))])
    k.owned, k.last_order = tile(k.owned), tile(k.last_order)
    k.orders, k.days_since_last_order = tile(k.orders), tile(k.days_since_last_order)
    k.lead_of_last, k.category_share = tile(k.lead_of_last), tile(k.category_share)
    started = time.monotonic()
    recommendations = score_upsell(project, as_of, model, lines, subs, config, "bench", pd.Timestamp.now(),
                                   k=k, consented=set(k.customers), log=log)
    upsell_seconds = time.monotonic() - started
    started = time.monotonic()
    with duckdb.connect(":memory:") as connection:
        connection.register("churn_frame", churn_scores)
        connection.register("upsell_frame", recommendations)
        connection.execute("create table churn_scores as select * from churn_frame")
        connection.execute("create table upsell_recommendations as select * from upsell_frame")
    write_seconds = time.monotonic() - started
    return {"customers": customers, "churn_seconds": round(churn_seconds, 1),
            "upsell_seconds": round(upsell_seconds, 1), "write_seconds": round(write_seconds, 1),
            "recommendations": len(recommendations),
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}
