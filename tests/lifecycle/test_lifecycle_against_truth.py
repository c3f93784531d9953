"""Lifecycle, snapshots, customer_360 and health held to the generator's truth.

The session's warehouse is built as of the dataset's own date (its
manifest.json). Measured rates are printed (pytest -s shows them) and held to
floors that fail when the logic breaks: a churn detector or a health score
that does no better than chance falls well below them.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from lifecycle_truth import attach_truth, churn_agreement, health_separation, roc_auc

PROJECT_DIR = Path(__file__).resolve().parents[2]


def settings() -> dict:
    return yaml.safe_load((PROJECT_DIR / "dbt_project.yml").read_text())["vars"]


@pytest.fixture(scope="module")
def db(warehouse, dataset):
    import duckdb

    connection = duckdb.connect(str(warehouse), read_only=True)
    attach_truth(connection, dataset)
    yield connection
    connection.close()


@pytest.fixture(scope="module")
def as_of(dataset) -> str:
    import json

    return json.loads((dataset / "manifest.json").read_text())["as_of"]


@pytest.mark.dbt
def test_customer_360_has_every_customer_once(db):
    rows, distinct = db.execute(
        "select count(*), count(distinct customer_id) from main_marts.customer_360").fetchone()
    customers = db.execute("select count(*) from main_intermediate.int_identity__customers").fetchone()[0]
    assert rows == distinct == customers > 0


@pytest.mark.dbt
def test_every_persons_records_reach_customer_360(db):
    missing = db.execute("""
        select count(*) from (
            select distinct m.customer_id
            from main_marts.customer_identity_map as m
            left join main_marts.customer_360 as c using (customer_id)
            where m.customer_id is not null and c.customer_id is null  -- anonymous records have no customer
        )
    """).fetchone()[0]
    assert missing == 0
    # every true customer's records land on a customer who bought
    people, reached = db.execute("""
        select count(*), count(case when c.is_customer then 1 end)
        from truth_persons as p
        join person_customers as pc using (person_id)
        join main_marts.customer_360 as c using (customer_id)
        where p.is_customer
    """).fetchone()
    true_customers = db.execute("select count(*) from truth_persons where is_customer").fetchone()[0]
    print(f"\ntrue customers reaching customer_360: {people}/{true_customers}, as buyers: {reached}")
    assert people == true_customers
    assert reached / people > 0.97


@pytest.mark.dbt
def test_churned_customers_are_found_churned_near_their_true_churn(db, as_of):
    lifecycle = settings()["c360_lifecycle"]
    # activity fades before a churn: the last activity falls up to ~6 months before it
    rate, evaluated = churn_agreement(db, as_of, lifecycle["churn_after_days"], before_days=180, after_days=30)
    print(f"\nchurn agreement (churned after activity ending within [-180, +30] days of true churn): "
          f"{rate:.3f} of {evaluated} churned persons")
    assert evaluated >= 50
    assert rate >= 0.7


@pytest.mark.dbt
def test_customers_who_never_churned_are_mostly_not_churned(db):
    share = db.execute("""
        select avg(case when c.lifecycle_stage = 'churned' then 1.0 else 0.0 end)
        from truth_persons as p
        join person_customers as pc using (person_id)
        join main_marts.customer_360 as c using (customer_id)
        where p.is_customer and p.churned_at is null
    """).fetchone()[0]
    print(f"\nnever-churned customers shown churned: {share:.3f}")
    assert share < 0.2


@pytest.mark.dbt
def test_health_separates_later_churners_from_stayers(db):
    auc, churners, stayers = health_separation(db, weeks_back=26, horizon_days=180)
    print(f"\nhealth ROC AUC (26 weeks before the as-of date, churn within 180 days): {auc:.3f} "
          f"({churners} churners, {stayers} stayers)")
    assert churners >= 30
    assert auc >= 0.62


@pytest.mark.dbt
def test_sentiment_component_carries_the_strongest_signal(db):
    frame = db.execute("""
        select h.health_sentiment_score as score,
               case when p.churned_at is not null
                         and cast(p.churned_at as timestamp) > h.snapshot_date + interval 1 day
                         and cast(p.churned_at as timestamp) <= h.snapshot_date + interval 180 day
                    then 1 else 0 end as churned_later
        from truth_persons as p
        join person_customers as pc using (person_id)
        join main_intermediate.int_customers__health_scores as h
          on h.customer_id = pc.customer_id and h.weeks_back = 26
        where p.is_customer and cast(p.first_purchase_at as timestamp) < h.snapshot_date
          and (p.churned_at is null or cast(p.churned_at as timestamp) > h.snapshot_date + interval 1 day)
          and h.health_sentiment_score is not null
    """).df()
    auc = roc_auc(-frame["score"], frame["churned_later"])
    print(f"\nsentiment component ROC AUC: {auc:.3f}")
    assert auc >= 0.65


@pytest.mark.dbt
def test_health_points_sum_to_the_score(db):
    worst = db.execute("""
        select max(abs(health_score - (coalesce(health_usage_points, 0) + coalesce(health_support_points, 0)
                   + coalesce(health_sentiment_points, 0) + coalesce(health_billing_points, 0)
                   + coalesce(health_engagement_points, 0) + coalesce(health_tenure_points, 0)
                   + coalesce(health_voice_points, 0))))
        from main_marts.customer_360 where health_score is not null
    """).fetchone()[0]
    assert worst <= 0.05


@pytest.mark.dbt
def test_snapshots_hold_only_what_was_known_by_their_date(db):
    # lifetime counts on every snapshot equal the touchpoints up to its date
    mismatches = db.execute("""
        with counted as (
            select s.customer_snapshot_id, s.orders_lifetime, s.tickets_lifetime,
                   count(case when t.touchpoint_type = 'order' and t.status = 'completed' then 1 end) as orders,
                   count(case when t.touchpoint_type = 'support_ticket' then 1 end) as tickets
            from main_intermediate.int_customers__weekly_snapshots as s
            left join main_intermediate.int_touchpoints__unioned as t
              on t.customer_id = s.customer_id and t.occurred_date <= s.snapshot_date
            where s.weeks_back in (0, 13, 52, 104)
            group by all
        )
        select count(*) from counted where orders <> orders_lifetime or tickets <> tickets_lifetime
    """).fetchone()[0]
    assert mismatches == 0
    # open tickets: opened by the date and resolved after it
    mismatches = db.execute("""
        with counted as (
            select s.customer_snapshot_id, s.open_tickets,
                   count(t.touchpoint_id) as open_then
            from main_intermediate.int_customers__weekly_snapshots as s
            left join main_intermediate.int_touchpoints__unioned as t
              on t.customer_id = s.customer_id and t.touchpoint_type = 'support_ticket'
             and t.occurred_date <= s.snapshot_date
             and (t.ended_at is null or cast(t.ended_at as date) > s.snapshot_date)
            where s.weeks_back in (0, 26)
            group by all
        )
        select count(*) from counted where open_then <> open_tickets
    """).fetchone()[0]
    assert mismatches == 0


@pytest.mark.dbt
def test_stage_history_is_contiguous_with_one_current_stage(db):
    gaps = db.execute("""
        select count(*) from (
            select exited_at, lead(entered_at) over (partition by customer_id order by stage_number) as next_entered
            from main_intermediate.int_customers__lifecycle_stages
        ) where next_entered is not null and exited_at <> next_entered
    """).fetchone()[0]
    assert gaps == 0
    several = db.execute("""
        select count(*) from (
            select customer_id from main_intermediate.int_customers__lifecycle_stages
            group by customer_id having count(case when is_current then 1 end) <> 1
        )
    """).fetchone()[0]
    assert several == 0


@pytest.mark.dbt
def test_touchpoints_reach_customers_from_every_source(db):
    sources = {row[0] for row in db.execute(
        "select distinct source_name from main_marts.fct_touchpoints").fetchall()}
    assert sources == {"commerce", "billing", "usage", "support", "feedback", "social", "marketing", "crm"}


LIFECYCLE_DIRS = ["models/intermediate/lifecycle", "models/intermediate/health", "models/marts/core",
                  "models/marts/customer", "models/marts/reporting"]


@pytest.mark.dbt
def test_every_new_model_and_column_is_documented(db):
    documented = {}
    for folder in LIFECYCLE_DIRS:
        for path in (PROJECT_DIR / folder).glob("_*__models.yml"):
            for model in yaml.safe_load(path.read_text()).get("models", []):
                assert model.get("description"), model["name"]
                documented[model["name"]] = {c["name"]: c.get("description") for c in model.get("columns", [])}
    built = {path.stem for folder in LIFECYCLE_DIRS for path in (PROJECT_DIR / folder).glob("*.sql")}
    assert built == set(documented)
    for name, columns in documented.items():
        actual = [row[0] for row in db.execute(
            "select column_name from information_schema.columns where table_name = ? order by ordinal_position",
            [name]).fetchall()]
        assert actual == list(columns), name
        assert all(columns.values()), name
