"""The generator's truth joined to the warehouse: each person's customer, and
measures of the lifecycle and health models against what really happened."""

from __future__ import annotations

from pathlib import Path


def attach_truth(connection, dataset: Path) -> None:
    """Views `person_customers` (each person's main customer: the one holding
    most of the person's records) and `truth_persons` on a DuckDB connection."""
    truth = dataset / "truth"
    connection.execute(f"""
        create or replace temp view truth_persons as
        select * from read_parquet('{truth / "persons.parquet"}')
    """)
    connection.execute(f"""
        create or replace temp view person_customers as
        with truth as (
            select source_name, table_name, record_key as record_id, person_id
            from read_parquet('{truth / "record_persons.parquet"}')
        ),
        counted as (
            select truth.person_id, m.customer_id, count(*) as records
            from truth
            join main_marts.customer_identity_map as m using (source_name, table_name, record_id)
            group by all
        )
        select person_id, customer_id, records
        from counted
        qualify row_number() over (partition by person_id order by records desc, customer_id) = 1
    """)


def churn_agreement(connection, as_of: str, churn_after_days: int, before_days: int, after_days: int):
    """(agreement rate, persons evaluated): truly churned persons who churned
    early enough to be seen churned by the as-of date (churn_after_days
    before it) and did not come back, whose customer has a churned stage
    after activity that ended within [true churn - before_days, true churn
    + after_days]."""
    row = connection.execute(f"""
        with churners as (
            select p.person_id, pc.customer_id, cast(p.churned_at as timestamp) as churned_at
            from truth_persons as p
            join person_customers as pc using (person_id)
            where p.churned_at is not null
              and p.reactivated_at is null
              and cast(p.churned_at as timestamp) < date '{as_of}' - interval {churn_after_days} day
        ),
        found as (
            select c.person_id,
                   bool_or(s.lifecycle_stage = 'churned'
                       and s.churned_after_activity_at
                           between c.churned_at - interval {before_days} day
                               and c.churned_at + interval {after_days} day) as agrees
            from churners as c
            left join main_intermediate.int_customers__lifecycle_stages as s using (customer_id)
            group by all
        )
        select avg(case when agrees then 1.0 else 0.0 end), count(*) from found
    """).fetchone()
    return float(row[0] or 0.0), int(row[1])


def roc_auc(scores, labels) -> float:
    """Area under the ROC curve of ``scores`` for binary ``labels`` (ties count half)."""
    import pandas as pd

    frame = pd.DataFrame({"score": scores, "label": labels}).dropna()
    positives = int(frame["label"].sum())
    negatives = len(frame) - positives
    if positives == 0 or negatives == 0:
        raise ValueError("need both classes")
    ranks = frame["score"].rank(method="average")
    return float((ranks[frame["label"] == 1].sum() - positives * (positives + 1) / 2) / (positives * negatives))


def health_separation(connection, weeks_back: int, horizon_days: int):
    """(ROC AUC of low health for later churn, churners, stayers): persons who
    are customers and not churned on the snapshot `weeks_back` weeks before
    the as-of date, scored by their customer's health on that snapshot;
    positive when they truly churn within `horizon_days` after it."""
    frame = connection.execute(f"""
        select h.health_score,
               case when p.churned_at is not null
                         and cast(p.churned_at as timestamp) > h.snapshot_date + interval 1 day
                         and cast(p.churned_at as timestamp) <= h.snapshot_date + interval {horizon_days} day
                    then 1 else 0 end as churned_later
        from truth_persons as p
        join person_customers as pc using (person_id)
        join main_intermediate.int_customers__health_scores as h
          on h.customer_id = pc.customer_id and h.weeks_back = {weeks_back}
        where p.is_customer
          and cast(p.first_purchase_at as timestamp) < h.snapshot_date
          and (p.churned_at is null or cast(p.churned_at as timestamp) > h.snapshot_date + interval 1 day
               or (p.reactivated_at is not null and cast(p.reactivated_at as timestamp) < h.snapshot_date))
          and h.health_score is not null
    """).df()
    auc = roc_auc(-frame["health_score"], frame["churned_later"])
    return auc, int(frame["churned_later"].sum()), int((frame["churned_later"] == 0).sum())
