"""Audience views hold what the privacy policy lets each audience see.

The leak scan takes every personal value the warehouse staged (emails,
phones, names, street addresses, social handles, from every staged column
whose YAML declares that class) and searches every column of every audience
view for it: a hit is allowed only where the policy shows that class to that
audience.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from c360.leak_scan import SCANNED_CLASSES, audience_tables, leaks, load_personal_values
from c360.leak_scan import policy as project_policy

PROJECT_DIR = Path(__file__).resolve().parents[2]


def policy() -> dict:
    return project_policy(PROJECT_DIR)


@pytest.fixture(scope="module")
def db(warehouse):
    import duckdb

    connection = duckdb.connect(str(warehouse), read_only=True)
    yield connection
    connection.close()


@pytest.fixture(scope="module")
def personal_values(db):
    """A temp table (value, class_name) of every staged personal value, lower-cased."""
    return load_personal_values(db, PROJECT_DIR)


def test_every_audience_of_the_policy_has_its_views(db):
    expected = {f"{mart}__{name}" for name, spec in policy()["audiences"].items() for mart in spec["marts"]}
    assert {table for table, _ in audience_tables(db)} == expected


def test_no_personal_value_reaches_an_audience_the_policy_does_not_show_it_to(db, personal_values):
    assert all(personal_values.get(c, 0) > 100 for c in SCANNED_CLASSES), personal_values
    found, scanned = leaks(db, PROJECT_DIR)
    assert not found, f"personal data an audience may not see: {found}"
    assert scanned > 100


def test_shown_classes_are_really_shown(db, personal_values):
    # the scan can find values: support sees emails and phones as they are
    hits = db.execute("""
        select count(*) from main_audiences.customer_360__support as s
        inner join personal_values as p on lower(s.email) = p.value and p.class_name = 'email'
    """).fetchone()[0]
    assert hits > 100


def test_marketing_sees_only_customers_with_marketing_consent(db):
    outside = db.execute("""
        select count(*) from main_audiences.customer_360__marketing as m
        inner join main_marts.customer_360 as c using (customer_id)
        where c.email_marketing_consent is distinct from 'granted'
    """).fetchone()[0]
    consented = db.execute(
        "select count(*) from main_marts.customer_360 where email_marketing_consent = 'granted'").fetchone()[0]
    rows = db.execute("select count(*) from main_audiences.customer_360__marketing").fetchone()[0]
    assert outside == 0
    assert rows == consented > 0


def test_marketing_sees_only_the_touches_of_customers_with_marketing_consent(db):
    outside, rows, total = db.execute("""
        select
            count(*) filter (where c.email_marketing_consent is distinct from 'granted'),
            count(*),
            (select count(*) from main_marts.fct_marketing_touches)
        from main_audiences.fct_marketing_touches__marketing as m
        left join main_marts.customer_360 as c using (customer_id)
    """).fetchone()
    expected = db.execute("""
        select count(*) from main_marts.fct_marketing_touches as t
        inner join main_marts.customer_360 as c using (customer_id)
        where c.email_marketing_consent = 'granted'
    """).fetchone()[0]
    assert outside == 0
    assert rows == expected and 0 < rows < total


def test_fact_views_keep_every_row_and_mask_free_text(db):
    for mart, audience in (("fct_tickets", "support"), ("fct_orders", "analyst"), ("fct_touchpoints", "data_science")):
        rows = db.execute(f"select count(*) from main_audiences.{mart}__{audience}").fetchone()[0]
        assert rows == db.execute(f"select count(*) from main_marts.{mart}").fetchone()[0] > 0, mart
    texts = db.execute("""
        select count(*), count(*) filter (where mention_text = '[redacted]')
        from main_audiences.fct_social_mentions__analyst where mention_text is not null
    """).fetchone()
    assert texts[0] == texts[1] > 0
    shown = db.execute("""
        select count(*) from main_audiences.fct_claims__support as s
        inner join main_marts.fct_claims as c using (claim_id)
        where s.description = c.description
    """).fetchone()[0]
    assert shown > 0


def test_treatments_as_declared(db):
    row = db.execute("""
        select c.email, m.email as marketing_email, m.phone as marketing_phone, c.phone,
               a.email as analyst_email, d.email as data_science_email, m.birth_date as age_band, c.birth_date,
               m.postal_code as postal_prefix, c.postal_code
        from main_marts.customer_360 as c
        join main_audiences.customer_360__marketing as m using (customer_id)
        join main_audiences.customer_360__analyst as a using (customer_id)
        join main_audiences.customer_360__data_science as d using (customer_id)
        where c.email is not null and c.phone is not null and c.birth_date is not null and c.postal_code is not null
        limit 1
    """).fetchone()
    (email, m_email, m_phone, phone, a_email, d_email, band, birth_date, prefix, postal) = row
    import hashlib

    assert m_email == email
    assert m_phone == "***" + phone[-4:]
    key = __import__("os").environ["C360_MASKING_SALT"]
    assert a_email == d_email == hashlib.sha256((key + email).encode()).hexdigest()
    low, high = (int(x) for x in band.split("-"))
    assert high == low + 9 and low % 10 == 0
    assert prefix == postal[:3]
    columns = {r[0] for r in db.execute(
        "select column_name from information_schema.columns where table_name = 'customer_360__executive'").fetchall()}
    assert not columns & {"first_name", "last_name", "email", "phone", "street_line", "birth_date"}
    assert "customer_id" in columns and "health_score" in columns


def compile_audience_view(warehouse, dataset, tmp_path, model: str, extra_vars: dict | None = None,
                          key: str | None = None):
    """(success, compiled SQL or error text, printed log) of `dbt compile` of one audience view,
    on a copy of the session's warehouse, with the masking key set to `key` (unset when None)."""
    import io
    import json
    import os
    import shutil
    from contextlib import redirect_stdout

    from dbt.cli.main import dbtRunner

    from c360.dbt import dbt_arguments, environment
    from c360.project import Project

    copy = tmp_path / "compile.duckdb"
    shutil.copyfile(warehouse, copy)
    project = Project.resolve(warehouse=copy, raw_path=dataset / "raw", target="duckdb")
    extra = ["--select", model] + (["--vars", json.dumps(extra_vars)] if extra_vars else [])
    args = dbt_arguments(project, "compile", extra)
    saved = os.environ.pop("C360_MASKING_SALT", None)
    output = io.StringIO()
    try:
        with environment({"C360_WAREHOUSE": str(copy), **({"C360_MASKING_SALT": key} if key else {})}):
            with redirect_stdout(output):
                result = dbtRunner().invoke(args)
    finally:
        os.environ.pop("C360_MASKING_SALT", None)
        if saved is not None:
            os.environ["C360_MASKING_SALT"] = saved
    if result.exception is not None or not result.success:
        return False, str(result.exception or result.result), output.getvalue()
    return True, result.result.results[0].node.compiled_code, output.getvalue()


def test_hashing_without_a_masking_key_stops_with_a_clear_message(warehouse, dataset, tmp_path):
    ok, message, log = compile_audience_view(warehouse, dataset, tmp_path, "customer_360__analyst")
    assert not ok
    assert "C360_MASKING_SALT" in message + log


def test_a_class_without_a_treatment_is_dropped_with_a_warning(warehouse, dataset, tmp_path):
    settings = policy()
    treatments = dict(settings["audiences"]["support"]["treatments"])
    del treatments["email"]
    audiences = {**settings["audiences"], "support": {**settings["audiences"]["support"], "treatments": treatments}}
    ok, sql, log = compile_audience_view(warehouse, dataset, tmp_path, "customer_360__support",
                                         {"c360_privacy": {**settings, "audiences": audiences}}, key="k")
    assert ok, sql
    assert "customer_360.email" in log and "dropped" in log
    assert " as email," not in sql and " as email\n" not in sql
    assert " as phone," in sql


def test_aggregates_lose_their_small_cells(db):
    settings = policy()
    k = settings["small_cell_k"]
    for mart, count_column in settings["small_cell_counts"].items():
        shown, smallest = db.execute(
            f"select count(*), min({count_column}) from main_audiences.{mart}__executive").fetchone()
        kept, small = db.execute(f"""
            select count(case when {count_column} >= {k} then 1 end),
                   count(case when {count_column} < {k} then 1 end)
            from main_marts.{mart}""").fetchone()
        assert shown == kept > 0, mart
        assert smallest >= k, mart
        assert small > 0, f"{mart}: the test dataset should hold small cells to suppress"


def test_an_audience_can_be_limited_to_its_regions(warehouse, dataset, tmp_path):
    settings = policy()
    support = {**settings["audiences"]["support"], "regions": ["GB", "IE"]}
    ok, sql, _ = compile_audience_view(warehouse, dataset, tmp_path, "customer_360__support",
                                       {"c360_privacy": {**settings, "audiences": {**settings["audiences"],
                                                                                   "support": support}}}, key="k")
    assert ok, sql
    assert "region in ('GB', 'IE')" in sql
