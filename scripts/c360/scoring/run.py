"""`c360 score`: train, validate, gate, explain and write back, as of a date."""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import numpy as np
import pandas as pd

from c360 import locks
from c360.project import C360Error, Project
from c360.scoring import churn, data, store, upsell
from c360.scoring.config import ScoringConfig
from c360.scoring.metrics import binary_metrics, calibration_table


@dataclass
class ScoreResult:
    as_of: date
    churn_run: dict
    upsell_run: dict
    churn_rows: int = 0
    upsell_rows: int = 0
    published: list[str] = field(default_factory=list)


def _version(kind: str, as_of: date, payload: dict) -> str:
    digest = hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()[:10]
    return f"{kind}-{as_of.isoformat()}-{digest}"


def resolve_as_of(dates: list[date], as_of: date | None) -> date:
    """The latest snapshot date on or before ``as_of`` (default: the latest)."""
    if as_of is None:
        return dates[-1]
    eligible = [d for d in dates if d <= as_of]
    if not eligible:
        raise C360Error(f"no snapshot on or before {as_of}: the snapshots start on {dates[0]}")
    return eligible[-1]


def churn_examples(project: Project, dates: list[date], config: ScoringConfig,
                   transform: Callable[[pd.DataFrame], pd.DataFrame] | None = None):
    """(features, labels, snapshot rows) for as-of ``dates``. ``transform``
    may add columns to the snapshot rows before features are taken (how a
    user's own feature, or a test's planted one, enters)."""
    rows = data.snapshots_at(project, dates, config.churn_population, config.max_examples_per_date)
    labels = data.churn_labels(project, dates, config.churn_horizon_days)
    rows = rows.merge(labels, on=["customer_id", "snapshot_date"], how="inner")
    if transform is not None:
        rows = transform(rows)
    return churn.feature_frame(rows), rows["churned"].to_numpy(), rows


def train_churn(project: Project, as_of: date, config: ScoringConfig, transform=None, log=print):
    """Validate out of time, gate against the baseline, refit on the latest
    labelled dates. Returns (run record, fitted model or None if rejected,
    the out-of-time evaluation: test rows, labels and both predictions)."""
    train_dates, calib_dates, test_dates = churn.date_plan(as_of, config)
    first = data.snapshot_dates(project)[0]
    if train_dates[0] < first:
        raise C360Error(f"churn: not enough history before {as_of}: training needs snapshots from "
                        f"{train_dates[0]} (the first is {first}); use fewer c360_scoring.training_dates")
    log(f"churn: examples at {len(train_dates)} training, {len(calib_dates)} calibration and "
        f"{len(test_dates)} out-of-time test dates ({train_dates[0]} .. {test_dates[-1]})")
    x_train, y_train, _ = churn_examples(project, train_dates, config, transform)
    x_calib, y_calib, _ = churn_examples(project, calib_dates, config, transform)
    x_test, y_test, rows_test = churn_examples(project, test_dates, config, transform)
    single = churn.check_leakage(x_train, y_train, config.leakage_max_auc)
    evaluated = churn.fit(x_train, y_train, x_calib, y_calib, config)
    p_test, p_baseline = churn.predict(evaluated, x_test), churn.predict_baseline(evaluated, x_test)
    candidate = binary_metrics(y_test, p_test, evaluated.base_rate)
    baseline = binary_metrics(y_test, p_baseline, evaluated.base_rate)
    log(f"churn: {evaluated.algorithm} chosen on the calibration dates; out of time ROC AUC {candidate['roc_auc']} "
        f"(baseline {baseline['roc_auc']}), "
        f"Brier {candidate['brier']} (base rate {candidate['base_rate_brier']})")
    problems = []
    if candidate["roc_auc"] is None or baseline["roc_auc"] is None:
        problems.append("the out-of-time test window holds only one class")
    else:
        if candidate["roc_auc"] < baseline["roc_auc"]:
            problems.append(f"ROC AUC {candidate['roc_auc']} is below the baseline's {baseline['roc_auc']}")
        if candidate["brier"] > baseline["brier"]:
            problems.append(f"Brier score {candidate['brier']} is worse than the baseline's {baseline['brier']}")
    # publish: refit on the latest labelled dates (calibrated on the newest)
    x_all = pd.concat([x_train, x_calib], ignore_index=True)
    y_all = np.concatenate([y_train, y_calib])
    fitted = None if problems else churn.fit(x_all, y_all, x_test, y_test, config)
    features = list((fitted or evaluated).importance)
    run = {
        "model_kind": "churn", "as_of_date": as_of, "horizon_days": config.churn_horizon_days,
        "training_start": train_dates[0], "training_end": calib_dates[-1],
        "test_start": test_dates[0], "test_end": test_dates[-1],
        "features": json.dumps(features), "training_rows": int(len(y_train)), "test_rows": int(len(y_test)),
        "roc_auc": candidate["roc_auc"], "pr_auc": candidate["pr_auc"], "brier": candidate["brier"],
        "base_rate_brier": candidate["base_rate_brier"], "calibration_error": candidate["calibration_error"],
        "baseline_roc_auc": baseline["roc_auc"], "baseline_pr_auc": baseline["pr_auc"],
        "baseline_brier": baseline["brier"], "hit_rate_at_k": None, "baseline_hit_rate_at_k": None,
        "status": "rejected" if problems else "published",
        "message": ("; ".join(problems) if problems else None),
        "metrics": json.dumps({"candidate": candidate, "baseline": baseline,
                               "calibration": calibration_table(y_test, p_test),
                               "single_feature_roc_auc": single, "importance": (fitted or evaluated).importance,
                               "algorithm": (fitted or evaluated).algorithm,
                               "calibration_log_loss": (fitted or evaluated).calibration_log_loss,
                               "config": vars(config)}, default=str),
    }
    run["model_version"] = _version("churn", as_of, {"run": {k: run[k] for k in (
        "training_start", "training_end", "features", "training_rows", "roc_auc", "brier")},
        "labels": int(y_all.sum()), "config": vars(config)})
    evaluation = {"rows": rows_test[["customer_id", "snapshot_date"]], "y": y_test, "p": p_test,
                  "p_baseline": p_baseline, "base_rate": evaluated.base_rate}
    return run, fitted, evaluation


def score_churn(project: Project, as_of: date, fitted: churn.FittedChurn, config: ScoringConfig,
                version: str, scored_at: datetime, transform=None, rows: pd.DataFrame | None = None,
                log=print) -> pd.DataFrame:
    if rows is None:
        rows = data.snapshots_at(project, [as_of], config.churn_population)
    if transform is not None:
        rows = transform(rows.assign(churned=0)).drop(columns="churned")
    x = churn.feature_frame(rows)
    frames = []
    chunk = 100_000
    for start in range(0, len(x), chunk):
        part = x.iloc[start:start + chunk]
        p = churn.predict(fitted, part)
        why = churn.reasons(fitted, part, config.reasons)
        padded = [w + [None] * (3 - len(w)) for w in why]
        frames.append(pd.DataFrame({
            "customer_id": rows["customer_id"].iloc[start:start + chunk].to_numpy(),
            "churn_probability": np.round(p, 6),
            "risk_band": churn.risk_band(p, config),
            "top_reasons": ["; ".join(w) if w else None for w in why],
            "reason_1": [w[0] for w in padded], "reason_2": [w[1] for w in padded],
            "reason_3": [w[2] for w in padded],
        }))
        if len(x) > chunk:
            log(f"churn: scored {min(start + chunk, len(x)):,} of {len(x):,} customers")
    scores = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(
        columns=["customer_id", "churn_probability", "risk_band", "top_reasons", "reason_1", "reason_2", "reason_3"])
    return scores.assign(as_of_date=as_of, scored_at=scored_at, model_version=version)


def upsell_plan(as_of: date, config: ScoringConfig) -> tuple[list[date], date]:
    horizon = timedelta(days=config.upsell_horizon_days)
    test = as_of - horizon
    train = sorted(test - horizon - timedelta(days=config.training_step_days) * k
                   for k in range(config.training_dates))
    return train, test


def skipped_upsell_run(as_of: date, config: ScoringConfig, reason: str) -> dict:
    """The model_runs record of an upsell model that was not trained: status
    `skipped`, ``reason`` as its message, no metrics."""
    run = {
        "model_kind": "upsell", "as_of_date": as_of, "horizon_days": config.upsell_horizon_days,
        "training_start": None, "training_end": None, "test_start": None, "test_end": None,
        "features": json.dumps([]), "training_rows": 0, "test_rows": 0,
        "roc_auc": None, "pr_auc": None, "brier": None, "base_rate_brier": None, "calibration_error": None,
        "baseline_roc_auc": None, "baseline_pr_auc": None, "baseline_brier": None,
        "hit_rate_at_k": None, "baseline_hit_rate_at_k": None,
        "status": "skipped", "message": reason, "metrics": json.dumps({"skipped": reason}),
    }
    run["model_version"] = _version("upsell", as_of, {"skipped": reason, "config": vars(config)})
    return run


def train_upsell(project: Project, as_of: date, config: ScoringConfig, log=print):
    """(run record, fitted model or None if rejected or skipped, order lines,
    subcategories). Upsell is skipped (a run with status `skipped`) when there
    is nothing to recommend: no order lines (the commerce source is off) or
    fewer than two subcategories ever bought."""
    if not data.has_order_lines(project):
        reason = "no order lines, the commerce source is off"
        log(f"upsell: skipped, {reason}")
        return skipped_upsell_run(as_of, config, reason), None, None, []
    lines = data.order_lines(project, as_of)
    subs = sorted(lines["subcategory"].unique())
    if len(subs) < 2:
        reason = f"{len(subs)} subcategory bought so far: nothing to cross-sell"
        log(f"upsell: skipped, {reason}")
        return skipped_upsell_run(as_of, config, reason), None, lines, subs
    train_dates, test_date = upsell_plan(as_of, config)
    log(f"upsell: {len(subs)} subcategories, training at {len(train_dates)} dates, out-of-time test at {test_date}")
    x, y = upsell.training_set(lines, train_dates, config, subs)
    if len(np.unique(y)) < 2:
        raise C360Error("upsell: the training window holds no later purchase of a new subcategory")
    evaluated = upsell.model(config.random_state).fit(x, y)
    k_test = upsell.knowledge(lines, test_date, subs)
    xt, pos, cand = upsell.pair_features(k_test)
    _, first_new = upsell.bought_after(lines, k_test, config.upsell_horizon_days)
    hit = upsell.hit_rate(upsell.rank(evaluated.predict_proba(xt)[:, 1], pos, cand, config.upsell_top_k), first_new)
    popular = upsell.hit_rate(upsell.popular_ranking(k_test, config.upsell_top_k), first_new)
    log(f"upsell: out of time hit rate at {config.upsell_top_k} {hit and round(hit, 4)} "
        f"(most popular: {popular and round(popular, 4)}; {len(first_new)} customers bought something new)")
    problems = []
    if hit is None:
        problems.append("no customer bought a new subcategory in the out-of-time window")
    elif hit < popular:
        problems.append(f"hit rate {hit:.4f} is below recommending the most popular ({popular:.4f})")
    publish_dates = sorted(d + timedelta(days=config.upsell_horizon_days) for d in train_dates)
    fitted = None
    if not problems:
        xp, yp = upsell.training_set(lines, publish_dates, config, subs)
        fitted = upsell.model(config.random_state).fit(xp, yp)
    run = {
        "model_kind": "upsell", "as_of_date": as_of, "horizon_days": config.upsell_horizon_days,
        "training_start": publish_dates[0], "training_end": publish_dates[-1],
        "test_start": test_date, "test_end": test_date, "features": json.dumps(list(upsell.PAIR_FEATURES)),
        "training_rows": int(len(y)), "test_rows": int(len(xt)),
        "roc_auc": None, "pr_auc": None, "brier": None, "base_rate_brier": None, "calibration_error": None,
        "baseline_roc_auc": None, "baseline_pr_auc": None, "baseline_brier": None,
        "hit_rate_at_k": None if hit is None else round(hit, 4),
        "baseline_hit_rate_at_k": None if popular is None else round(popular, 4),
        "status": "rejected" if problems else "published", "message": "; ".join(problems) or None,
        "metrics": json.dumps({"k": config.upsell_top_k, "hit_rate": hit, "popular_hit_rate": popular,
                               "customers_evaluated": len(first_new), "subcategories": subs}),
    }
    run["model_version"] = _version("upsell", as_of, {"run": {k: run[k] for k in (
        "training_start", "training_end", "training_rows", "hit_rate_at_k")}, "config": vars(config)})
    return run, fitted, lines, subs


def score_upsell(project: Project, as_of: date, model, lines: pd.DataFrame, subs: list[str],
                 config: ScoringConfig, version: str, scored_at: datetime,
                 k: upsell.Knowledge | None = None, consented: set[str] | None = None, log=print) -> pd.DataFrame:
    """Top-k recommendations for customers with marketing consent; never a
    subcategory they own."""
    k = k or upsell.knowledge(lines, as_of, subs)
    consented = data.marketing_consent(project) if consented is None else consented
    # a hash lookup: np.isin compares object arrays pairwise (customers × consented)
    rows = np.flatnonzero(pd.Index(k.customers).isin(list(consented)))
    frames = []
    for start in range(0, len(rows), 50_000):
        part = rows[start:start + 50_000]
        x, pos, cand = upsell.pair_features(k, part)
        if x.empty:
            continue
        ranked = upsell.rank(model.predict_proba(x)[:, 1], pos, cand, config.upsell_top_k)
        frames.append(pd.DataFrame({
            "customer_id": k.customers[ranked["pos"].to_numpy()],
            "recommendation_rank": ranked["recommendation_rank"].to_numpy(),
            "subcategory": [subs[c] for c in ranked["cand"]],
            "category": [k.category_of.get(subs[c]) for c in ranked["cand"]],
            "propensity": np.round(ranked["propensity"].to_numpy(), 6),
            "reason": [upsell.reason(k, p, c) for p, c in zip(ranked["pos"], ranked["cand"], strict=True)],
        }))
        if len(rows) > 50_000:
            log(f"upsell: ranked {min(start + 50_000, len(rows)):,} of {len(rows):,} customers")
    out = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(
        columns=["customer_id", "recommendation_rank", "subcategory", "category", "propensity", "reason"])
    return out.assign(as_of_date=as_of, scored_at=scored_at, model_version=version)


def score(project: Project, as_of: date | None = None, config: ScoringConfig | None = None,
          transform=None, log=print) -> ScoreResult:
    """Train, validate and write back churn and upsell scores as of ``as_of``
    (default: the latest snapshot). A model that does worse than its baseline
    is recorded as rejected and its earlier scores stay; BaselineGateError is
    raised after the other model's scores are written."""
    config = config or ScoringConfig.load(project.project_dir)
    if project.is_duckdb:
        # fail before training, not after: the write-back needs the file to itself
        locks.ensure_writable(project.warehouse, "c360 score")
    started = time.monotonic()
    dates = data.snapshot_dates(project)
    as_of = resolve_as_of(dates, as_of)
    log(f"scoring as of {as_of} (data known by the end of that day)")
    scored_at = datetime.now(UTC).replace(microsecond=0, tzinfo=None)
    churn_run, churn_model, _ = train_churn(project, as_of, config, transform, log)
    upsell_run, upsell_model, lines, subs = train_upsell(project, as_of, config, log)
    frames: dict[str, pd.DataFrame] = {}
    result = ScoreResult(as_of, churn_run, upsell_run)
    if churn_model is not None:
        # a customer an erasure request erased is never scored (before the build that
        # removes them from the snapshots, they are still there)
        frames["churn_scores"] = data.without_erased(project, score_churn(
            project, as_of, churn_model, config, churn_run["model_version"], scored_at, transform, log=log))
        churn_run["scored_rows"] = len(frames["churn_scores"])
        result.churn_rows = len(frames["churn_scores"])
        result.published.append("churn")
        log(f"churn: scored {result.churn_rows:,} customers")
    if upsell_model is not None:
        frames["upsell_recommendations"] = data.without_erased(project, score_upsell(
            project, as_of, upsell_model, lines, subs, config, upsell_run["model_version"], scored_at, log=log))
        upsell_run["scored_rows"] = len(frames["upsell_recommendations"])
        result.upsell_rows = len(frames["upsell_recommendations"])
        result.published.append("upsell")
        log(f"upsell: {result.upsell_rows:,} recommendations for customers with marketing consent")
    runs = pd.DataFrame([{**run, "trained_at": scored_at, "scored_rows": run.get("scored_rows", 0)}
                         for run in (churn_run, upsell_run)])
    frames["model_runs"] = runs
    store.ensure_tables(project)
    store.replace_as_of(project, as_of, frames)
    log(f"wrote {', '.join(frames)} in {time.monotonic() - started:.1f} s")
    rejected = [run for run in (churn_run, upsell_run) if run["status"] == "rejected"]
    if rejected:
        raise churn.BaselineGateError(
            "; ".join(f"{run['model_kind']} model not published: {run['message']}" for run in rejected)
            + "; the previously published scores stay")
    return result
