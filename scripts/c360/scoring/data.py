"""Reading what the models learn from, through the project's profile and target.

Every query is plain SQL that DuckDB, PostgreSQL and Spark all run: dates are
literals computed here, so no engine's date arithmetic is needed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import date, timedelta

import pandas as pd

from c360.project import C360Error, Project
from c360.warehouse import read_sql, relation_exists, schema_name

SNAPSHOTS = "int_customers__weekly_snapshots"
#: snapshot columns that are keys or dates, never features
NOT_FEATURES = {"customer_snapshot_id", "customer_id", "snapshot_date", "weeks_back", "first_snapshot_date",
                "lifecycle_stage", "last_active_date", "last_order_date", "first_purchase_date"}


def _dates(values: Sequence[date]) -> str:
    return ", ".join(f"cast('{d.isoformat()}' as date)" for d in values)


def relation(project: Project, layer: str, name: str) -> str:
    return f"{schema_name(project, layer)}.{name}"


def without_erased(project: Project, frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` without the rows of customers an erasure request erased
    (the erasure register holds the SHA-256 of their customer ids): their
    scores and recommendations are not written, even before the build that
    removes them from every model (and from what the models learn from)."""
    schema = schema_name(project, "privacy")
    if frame.empty or not relation_exists(project, schema, "erasure_register"):
        return frame
    hashes = set(read_sql(project, f"select distinct customer_id_hash from {schema}.erasure_register "
                                   "where customer_id_hash is not null")["customer_id_hash"])
    if not hashes:
        return frame
    erased = {customer for customer in frame["customer_id"].dropna().unique()
              if hashlib.sha256(str(customer).encode()).hexdigest() in hashes}
    if not erased:
        return frame
    return frame[~frame["customer_id"].isin(erased)].reset_index(drop=True)


def snapshot_dates(project: Project) -> list[date]:
    """Every snapshot date the warehouse holds, oldest first."""
    frame = read_sql(project, f"select distinct snapshot_date from {relation(project, 'intermediate', SNAPSHOTS)}")
    if frame.empty:
        raise C360Error("the weekly snapshots are empty: run `c360 build` first")
    return sorted(pd.to_datetime(frame["snapshot_date"]).dt.date)


def snapshots_at(project: Project, dates: Sequence[date], stages: Sequence[str] | None = None,
                 max_per_date: int | None = None) -> pd.DataFrame:
    """Snapshot rows at ``dates`` (optionally only customers in ``stages``),
    each with the model's ``first_snapshot_date`` (the customer's first
    snapshot, never after the row's date). ``max_per_date`` keeps a
    deterministic sample of customers per date (by the customer id's order
    after hashing)."""
    stage_filter = ""
    if stages:
        stage_filter = "and lifecycle_stage in (" + ", ".join(f"'{s}'" for s in stages) + ")"
    frame = read_sql(project, f"""
        select * from {relation(project, 'intermediate', SNAPSHOTS)}
        where snapshot_date in ({_dates(dates)}) {stage_filter}
    """)
    frame["snapshot_date"] = pd.to_datetime(frame["snapshot_date"]).dt.date
    frame["first_snapshot_date"] = pd.to_datetime(frame["first_snapshot_date"]).dt.date
    if max_per_date:
        order = pd.util.hash_pandas_object(frame["customer_id"], index=False)
        frame = (frame.assign(_order=order.values).sort_values(["snapshot_date", "_order"])
                 .groupby("snapshot_date", group_keys=False).head(max_per_date).drop(columns="_order"))
    return frame.sort_values(["snapshot_date", "customer_id"]).reset_index(drop=True)


def churn_labels(project: Project, dates: Sequence[date], horizon_days: int) -> pd.DataFrame:
    """(customer_id, snapshot_date, churned) for snapshot dates ``dates``:
    churned = no activity in the ``horizon_days`` after the date and no
    active subscription at its end, read from the snapshot ``horizon_days``
    later."""
    table = relation(project, "intermediate", SNAPSHOTS)
    later = [d + timedelta(days=horizon_days) for d in dates]
    frame = read_sql(project, f"""
        select customer_id, snapshot_date, last_active_date, active_subscriptions
        from {table} where snapshot_date in ({_dates(later)})
    """)
    frame["snapshot_date"] = pd.to_datetime(frame["snapshot_date"]).dt.date - timedelta(days=horizon_days)
    last_active = pd.to_datetime(frame["last_active_date"]).dt.date
    no_activity = last_active.isna() | (last_active <= frame["snapshot_date"])
    frame["churned"] = (no_activity & (frame["active_subscriptions"].fillna(0) == 0)).astype(int)
    return frame[["customer_id", "snapshot_date", "churned"]]


def has_order_lines(project: Project) -> bool:
    """Whether fct_order_lines was built (it is not when the commerce source is off)."""
    return relation_exists(project, schema_name(project, "marts"), "fct_order_lines")


def order_lines(project: Project, before: date) -> pd.DataFrame:
    """Completed order lines up to ``before`` (inclusive): customer, order,
    line, date, category and subcategory."""
    frame = read_sql(project, f"""
        select customer_id, order_id, order_line_id, cast(ordered_at as date) as ordered_date, category, subcategory
        from {relation(project, 'marts', 'fct_order_lines')}
        where customer_id is not null and subcategory is not null and order_status = 'completed'
          and cast(ordered_at as date) <= cast('{before.isoformat()}' as date)
    """)
    frame["ordered_date"] = pd.to_datetime(frame["ordered_date"])
    return frame


def marketing_consent(project: Project) -> set[str]:
    """Customers whose latest email-marketing consent is granted."""
    frame = read_sql(project, f"""
        select customer_id from {relation(project, 'marts', 'customer_360')}
        where email_marketing_consent = 'granted'
    """)
    return set(frame["customer_id"])
