"""Scoring settings: the ``c360_scoring`` var of dbt_project.yml (one documented place)."""

from __future__ import annotations

from dataclasses import dataclass, fields
from pathlib import Path

import yaml

from c360.project import C360Error


@dataclass(frozen=True)
class ScoringConfig:
    #: churn = no activity (orders, sessions) and no active subscription in
    #: this many days after the as-of date; a multiple of 7 (snapshots are weekly)
    churn_horizon_days: int = 91
    #: lifecycle stages scored for churn (customers who can still churn)
    churn_population: tuple[str, ...] = ("new_customer", "active", "at_risk", "reactivated")
    #: as-of dates of training examples: this many, this many days apart
    training_dates: int = 8
    training_step_days: int = 28
    #: out-of-time test dates (the latest labelled ones) and calibration dates
    test_dates: int = 2
    calibration_dates: int = 2
    #: examples read per as-of date at most (a deterministic sample by customer)
    max_examples_per_date: int = 200_000
    #: risk bands by calibrated churn probability: at least `high` -> high, ...
    risk_band_high: float = 0.5
    risk_band_medium: float = 0.2
    #: a feature that alone separates the training labels better than this
    #: ROC AUC leaks the future: the run stops and names it
    leakage_max_auc: float = 0.97
    #: reasons kept per customer
    reasons: int = 3
    #: upsell: the window after the as-of date in which a purchase counts
    upsell_horizon_days: int = 182
    #: recommendations kept per customer
    upsell_top_k: int = 3
    #: upsell training: customers (with all their unowned subcategories) per as-of date at most,
    #: a deterministic sample by customer; each brings about one pair per subcategory
    upsell_max_customers_per_date: int = 20_000
    random_state: int = 0

    @classmethod
    def load(cls, project_dir: Path, overrides: dict | None = None) -> ScoringConfig:
        document = yaml.safe_load((Path(project_dir) / "dbt_project.yml").read_text()) or {}
        values = dict((document.get("vars") or {}).get("c360_scoring") or {})
        values.update(overrides or {})
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise C360Error(f"c360_scoring: unknown setting(s) {', '.join(unknown)}")
        if "churn_population" in values:
            values["churn_population"] = tuple(values["churn_population"])
        config = cls(**values)
        for name in ("churn_horizon_days", "training_step_days", "upsell_horizon_days"):
            if getattr(config, name) <= 0 or getattr(config, name) % 7:
                raise C360Error(f"c360_scoring.{name} must be a positive multiple of 7 (snapshots are weekly)")
        for name in ("max_examples_per_date", "upsell_max_customers_per_date"):
            if getattr(config, name) < 1:
                raise C360Error(f"c360_scoring.{name} must be at least 1")
        if not 0 < config.risk_band_medium < config.risk_band_high < 1:
            raise C360Error("c360_scoring: need 0 < risk_band_medium < risk_band_high < 1")
        return config
