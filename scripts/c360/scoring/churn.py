"""Churn risk: examples from the snapshots, a leakage guard, candidates
against a recency-frequency-monetary baseline, calibration and per-customer
reasons."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd
from sklearn.calibration import CalibratedClassifierCV
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import log_loss, roc_auc_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer, StandardScaler

from c360.project import C360Error
from c360.scoring.config import ScoringConfig
from c360.scoring.data import NOT_FEATURES

STAGES = ("new_customer", "active", "at_risk", "reactivated")
#: the baseline's inputs: recency, frequency and monetary value
BASELINE_FEATURES = ("days_since_last_activity", "orders_364d", "revenue_364d")


class LeakageError(C360Error):
    """A feature carries the label: it must come from after its as-of date."""


class BaselineGateError(C360Error):
    """The candidate does worse than the baseline: nothing is published."""


def feature_frame(snapshots: pd.DataFrame) -> pd.DataFrame:
    """Numeric features of snapshot rows, each computed as of the row's own
    snapshot date: the snapshot's measures, tenure, and the stage one-hot."""
    numeric = [c for c in snapshots.columns if c not in NOT_FEATURES | {"churned"}]
    features = snapshots[numeric].apply(pd.to_numeric, errors="coerce").astype(float)
    tenure = pd.to_datetime(snapshots["snapshot_date"]) - pd.to_datetime(snapshots["first_snapshot_date"])
    features["tenure_days"] = tenure.dt.days.astype(float)
    # rhythm: how the latest gap compares with the customer's own usual gap
    # (the intuition of buy-till-you-die models), and short-term trends
    usual_order_gap = features["tenure_days"] / features["orders_lifetime"].clip(lower=1)
    usual_active_gap = features["tenure_days"] / features["active_days_lifetime"].clip(lower=1)
    features["order_recency_vs_usual_gap"] = features["days_since_last_order"] / (usual_order_gap + 7)
    features["activity_recency_vs_usual_gap"] = features["days_since_last_activity"] / (usual_active_gap + 7)
    features["active_days_28d_vs_91d"] = features["active_days_28d"] / (features["active_days_91d"] / 3.25 + 1)
    features["orders_91d_vs_364d"] = features["orders_91d"] / (features["orders_364d"] / 4 + 1)
    features["revenue_91d_vs_364d"] = features["revenue_91d"] / (features["revenue_364d"] / 4 + 1)
    for stage in STAGES:
        features[f"stage_{stage}"] = (snapshots["lifecycle_stage"] == stage).astype(float)
    return features


def check_leakage(features: pd.DataFrame, y: np.ndarray, max_auc: float) -> dict[str, float]:
    """Single-feature ROC AUC on the training labels (either direction).
    Raises LeakageError naming every feature above ``max_auc``: no honest
    point-in-time measure predicts churn that well alone."""
    scores = {}
    for column in features.columns:
        values = features[column].to_numpy()
        filled = np.where(np.isnan(values), np.nanmedian(values) if np.isfinite(values).any() else 0.0, values)
        if np.unique(filled).size < 2:
            continue
        auc = roc_auc_score(y, filled)
        scores[column] = round(float(max(auc, 1 - auc)), 4)
    leaking = {name: auc for name, auc in scores.items() if auc > max_auc}
    if leaking:
        listed = ", ".join(f"{name} (ROC AUC {auc:.3f} alone)" for name, auc in sorted(leaking.items()))
        raise LeakageError(
            f"feature(s) leak the label: {listed}. A feature must be known at its as-of date; "
            f"remove it or fix how it is computed (threshold c360_scoring.leakage_max_auc = {max_auc})")
    return scores


def baseline_model():
    """Logistic regression on log recency, frequency and monetary value."""
    return make_pipeline(FunctionTransformer(lambda x: np.log1p(np.clip(np.nan_to_num(x, nan=0.0), 0, None))),
                         StandardScaler(), LogisticRegression(max_iter=1000))


def _log_scaled(x):
    x = np.nan_to_num(np.asarray(x, dtype=float), nan=0.0)
    return np.sign(x) * np.log1p(np.abs(x))


def candidate_models(random_state: int) -> dict:
    """The candidates; the one with the best log loss on the calibration
    dates (never the test dates) is kept."""
    return {"gradient_boosting": candidate_model(random_state),
            "logistic_regression": make_pipeline(FunctionTransformer(_log_scaled), StandardScaler(),
                                                 LogisticRegression(max_iter=2000, C=0.5))}


def candidate_model(random_state: int):
    return HistGradientBoostingClassifier(max_iter=300, learning_rate=0.05, max_leaf_nodes=7,
                                          min_samples_leaf=200, l2_regularization=3.0,
                                          early_stopping=True, validation_fraction=0.15,
                                          random_state=random_state)


@dataclass
class FittedChurn:
    model: object               # calibrated candidate
    raw_model: object           # uncalibrated candidate (for reasons)
    baseline: object
    features: list[str]
    reference: pd.Series        # per-feature training median (the "typical customer")
    base_rate: float
    importance: dict[str, float]
    algorithm: str = ""
    calibration_log_loss: dict | None = None


def fit(train_x: pd.DataFrame, train_y: np.ndarray, calib_x: pd.DataFrame, calib_y: np.ndarray,
        config: ScoringConfig) -> FittedChurn:
    if len(np.unique(train_y)) < 2 or len(np.unique(calib_y)) < 2:
        raise C360Error("churn: the training window holds only one class; nothing to learn "
                        "(more history, or a longer c360_scoring.churn_horizon_days)")
    # a measure the business does not have (no tickets, no surveys) is empty or constant: leave it out
    informative = [c for c in train_x.columns if train_x[c].nunique(dropna=True) > 1]
    baseline_input = train_x[list(BASELINE_FEATURES)].to_numpy()
    train_x, calib_x = train_x[informative], calib_x[informative]
    fitted_candidates = {name: model.fit(train_x, train_y)
                         for name, model in candidate_models(config.random_state).items()}
    losses = {name: log_loss(calib_y, model.predict_proba(calib_x)[:, 1], labels=[0, 1])
              for name, model in fitted_candidates.items()}
    chosen = min(losses, key=losses.get)
    raw = fitted_candidates[chosen]
    method = "isotonic" if len(calib_y) >= 5000 else "sigmoid"
    calibrated = CalibratedClassifierCV(FrozenEstimator(raw), method=method).fit(calib_x, calib_y)
    baseline = baseline_model().fit(baseline_input, train_y)
    reference = train_x.median(numeric_only=True)
    fitted = FittedChurn(calibrated, raw, baseline, list(train_x.columns), reference,
                         float(np.mean(train_y)), {}, chosen, {k: round(float(v), 5) for k, v in losses.items()})
    sample = calib_x.sample(min(len(calib_x), 2000), random_state=config.random_state)
    contributions = contributions_of(fitted, sample, list(train_x.columns))
    fitted.importance = (contributions.abs().mean().sort_values(ascending=False).round(4)).to_dict()
    return fitted


def predict(fitted: FittedChurn, x: pd.DataFrame) -> np.ndarray:
    return fitted.model.predict_proba(x[fitted.features])[:, 1]


def predict_baseline(fitted: FittedChurn, x: pd.DataFrame) -> np.ndarray:
    return fitted.baseline.predict_proba(x[list(BASELINE_FEATURES)].to_numpy())[:, 1]


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, 1e-6, 1 - 1e-6)
    return np.log(p / (1 - p))


def contributions_of(fitted: FittedChurn, x: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Per-customer contribution of each feature in ``columns``: the change in
    the model's log-odds when that feature is set from the typical training
    value to the customer's own (positive = raises churn risk)."""
    base = _logit(fitted.raw_model.predict_proba(x[fitted.features])[:, 1])
    out = {}
    for column in columns:
        moved = x[fitted.features].copy()
        moved[column] = fitted.reference[column]
        out[column] = base - _logit(fitted.raw_model.predict_proba(moved)[:, 1])
    return pd.DataFrame(out, index=x.index)


def reasons(fitted: FittedChurn, x: pd.DataFrame, top: int, explained: int = 12) -> list[list[str]]:
    """The ``top`` features that raise each customer's risk most, as
    ``name=value (+log-odds)``, among the ``explained`` most important."""
    columns = list(fitted.importance)[:explained]
    contributions = contributions_of(fitted, x, columns)
    values = [x[column].to_numpy() for column in columns]  # per column: each keeps its own type
    order = np.argsort(-contributions.to_numpy(), axis=1)[:, :top]
    matrix = contributions.to_numpy()
    result = []
    for row, picks in enumerate(order):
        items = []
        for pick in picks:
            if matrix[row, pick] <= 0:
                break
            value = values[pick][row]
            shown = "missing" if pd.isna(value) else (f"{value:g}" if isinstance(value, float) else str(value))
            items.append(f"{columns[pick]}={shown} (+{matrix[row, pick]:.2f})")
        result.append(items)
    return result


def risk_band(p: np.ndarray, config: ScoringConfig) -> np.ndarray:
    return np.where(p >= config.risk_band_high, "high", np.where(p >= config.risk_band_medium, "medium", "low"))


def date_plan(latest: date, config: ScoringConfig, shift_weeks: int = 0) -> tuple[list[date], list[date], list[date]]:
    """(train, calibration, test) as-of dates ending at ``latest`` − horizon
    (the last date whose label window has passed), oldest first. Groups are
    separated by a horizon so no training label window overlaps a later
    group's as-of dates: validation is strictly out of time."""
    horizon = timedelta(days=config.churn_horizon_days)
    step = timedelta(days=config.training_step_days)
    end = latest - horizon - timedelta(weeks=shift_weeks)
    test = [end - step * k for k in range(config.test_dates)]
    calib_end = min(test) - horizon
    calib = [calib_end - step * k for k in range(config.calibration_dates)]
    train_end = min(calib) - horizon
    train = [train_end - step * k for k in range(config.training_dates)]
    return sorted(train), sorted(calib), sorted(test)
