"""Model metrics: discrimination, calibration and the base-rate comparison."""

from __future__ import annotations

import numpy as np
from sklearn.metrics import average_precision_score, brier_score_loss, roc_auc_score


def calibration_table(y: np.ndarray, p: np.ndarray, bins: int = 10) -> list[dict]:
    """Reliability by equal-width probability bins: mean predicted vs observed rate."""
    edges = np.linspace(0, 1, bins + 1)
    index = np.clip(np.digitize(p, edges[1:-1]), 0, bins - 1)
    table = []
    for b in range(bins):
        mask = index == b
        if mask.any():
            table.append({"bin": f"{edges[b]:.1f}-{edges[b + 1]:.1f}", "rows": int(mask.sum()),
                          "predicted": round(float(p[mask].mean()), 4), "observed": round(float(y[mask].mean()), 4)})
    return table


def expected_calibration_error(y: np.ndarray, p: np.ndarray, bins: int = 10) -> float:
    table = calibration_table(y, p, bins)
    return float(sum(row["rows"] * abs(row["predicted"] - row["observed"]) for row in table) / max(len(y), 1))


def binary_metrics(y: np.ndarray, p: np.ndarray, base_rate: float) -> dict:
    """ROC AUC, PR AUC, Brier score, the Brier score of always predicting the
    training base rate, and the expected calibration error."""
    y = np.asarray(y, dtype=int)
    p = np.asarray(p, dtype=float)
    both = len(np.unique(y)) == 2
    return {
        "rows": int(len(y)),
        "positive_rate": round(float(y.mean()), 4) if len(y) else None,
        "roc_auc": round(float(roc_auc_score(y, p)), 4) if both else None,
        "pr_auc": round(float(average_precision_score(y, p)), 4) if both else None,
        "brier": round(float(brier_score_loss(y, p)), 5),
        "base_rate_brier": round(float(brier_score_loss(y, np.full(len(y), base_rate))), 5),
        "calibration_error": round(expected_calibration_error(y, p), 4),
    }
