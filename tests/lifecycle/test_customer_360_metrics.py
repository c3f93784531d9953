"""customer_360's per-customer NPS and CSAT equal the standard definitions
computed independently from fct_survey_responses up to the as-of date:
NPS = % promoters (9-10) - % detractors (0-6); CSAT = % of answers 4-5 on 1-5."""

from __future__ import annotations

import json

import duckdb
import pytest

pytestmark = pytest.mark.dbt


@pytest.fixture(scope="module")
def db(warehouse):
    connection = duckdb.connect(str(warehouse), read_only=True)
    yield connection
    connection.close()


@pytest.fixture(scope="module")
def as_of(dataset) -> str:
    return json.loads((dataset / "manifest.json").read_text())["as_of"]


def test_nps_per_customer_follows_the_standard_definition(db, as_of):
    rows = db.execute(f"""
        with answers as (
            select customer_id,
                   count(*) as responses,
                   100.0 * (count(*) filter (where score >= 9) - count(*) filter (where score <= 6)) / count(*) as nps
            from main_marts.fct_survey_responses
            where survey_type = 'nps' and customer_id is not null and responded_date <= date '{as_of}'
            group by customer_id
        )
        select count(*) as customers,
               count(*) filter (where abs(c.nps - a.nps) > 0.01 or c.nps_responses <> a.responses) as differing
        from answers as a inner join main_marts.customer_360 as c using (customer_id)
    """).fetchone()
    customers, differing = rows
    assert customers > 100 and differing == 0
    without = db.execute(f"""
        select count(*) from main_marts.customer_360 as c
        where c.nps is not null and not exists (
            select 1 from main_marts.fct_survey_responses as s
            where s.customer_id = c.customer_id and s.survey_type = 'nps' and s.responded_date <= date '{as_of}')
    """).fetchone()[0]
    assert without == 0, "no NPS without an answer"


def test_csat_per_customer_follows_the_standard_definition(db, as_of):
    customers, differing = db.execute(f"""
        with answers as (
            select customer_id, count(*) as responses,
                   100.0 * count(*) filter (where score >= 4) / count(*) as csat
            from main_marts.fct_survey_responses
            where survey_type = 'csat' and customer_id is not null and responded_date <= date '{as_of}'
            group by customer_id
        )
        select count(*),
               count(*) filter (where abs(c.csat - a.csat) > 0.01 or c.csat_responses <> a.responses)
        from answers as a inner join main_marts.customer_360 as c using (customer_id)
    """).fetchone()
    assert customers > 50 and differing == 0


def test_latest_nps_category_matches_the_latest_score(db):
    wrong = db.execute("""
        select count(*) from main_marts.customer_360
        where latest_nps_score is not null and latest_nps_category <> case
            when latest_nps_score >= 9 then 'promoter' when latest_nps_score >= 7 then 'passive' else 'detractor' end
    """).fetchone()[0]
    assert wrong == 0


def test_consent_per_purpose_is_the_latest_decision(db):
    purposes = [row[0] for row in db.execute(
        "select distinct purpose from main_marts.fct_consent_events order by 1").fetchall()]
    assert len(purposes) == 5
    for purpose in purposes:
        differing, customers = db.execute(f"""
            with latest as (
                select customer_id, arg_max(decision, recorded_at) as decision
                from main_marts.fct_consent_events
                where purpose = '{purpose}' and customer_id is not null
                group by customer_id
            )
            select count(*) filter (where c.{purpose}_consent is distinct from l.decision), count(*)
            from main_marts.customer_360 as c left join latest as l using (customer_id)
        """).fetchone()
        assert differing == 0, purpose
        withdrawn = db.execute(
            f"select count(*) from main_marts.customer_360 where {purpose}_consent = 'withdrawn'").fetchone()[0]
        assert withdrawn > 0, purpose
