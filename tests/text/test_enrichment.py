"""`c360 enrich` on the test dataset: every text scored once, only new or
changed texts scored again, rows of erased records deleted, and the text
columns of customer_360, the health score and share of voice after a rebuild.

Enrichment writes to a copy of the session's warehouse, so other tests keep
reading the first build (enrichment tables present and empty).
"""

from __future__ import annotations

import shutil

import duckdb
import pandas as pd
import pytest

from c360.dbt import run_dbt
from c360.project import Project
from c360.text.enrich import content_hash, enrich

pytestmark = pytest.mark.dbt

PLANTED = "Cancelled my Alder & Pine membership today, switching to Brightmart. Terrible service."


def quiet(message: str) -> None:
    pass


def frame(path, sql) -> pd.DataFrame:
    with duckdb.connect(str(path), read_only=True) as connection:
        return connection.execute(sql).fetchdf()


def execute(path, *statements) -> None:
    with duckdb.connect(str(path)) as connection:
        for statement in statements:
            connection.execute(statement)


STAGED_TEXTS = """
    select 'support.ticket_messages' as source_table, message_id as record_id, body as text
    from main_staging.stg_support__ticket_messages where author_type = 'customer'
    union all select 'feedback.survey_responses', response_id, comment from main_staging.stg_feedback__survey_responses
    union all select 'feedback.claims', claim_id, description from main_staging.stg_feedback__claims
    union all select 'social.mentions', mention_id, text from main_staging.stg_social__mentions
"""


@pytest.fixture(scope="module")
def enriched(warehouse, dataset, tmp_path_factory):
    """A copy of the warehouse enriched twice, then once more after a new
    mention and a changed survey comment were staged, then rebuilt."""
    path = tmp_path_factory.mktemp("enriched") / "c360.duckdb"
    shutil.copyfile(warehouse, path)
    project = Project.resolve(warehouse=path, raw_path=dataset / "raw", target="duckdb")
    first = enrich(project, log=quiet)
    second = enrich(project, log=quiet)
    changed = frame(path, "select response_id, comment from main_staging.stg_feedback__survey_responses "
                          "where comment is not null order by response_id limit 1").iloc[0]
    # a customer's new message, yesterday, on the ticket of a customer who showed no cancellation intent
    ticket = frame(path, """
        select ticket_id, customer_id, cast(as_of_date - 1 as timestamp) as sent_at
        from main_marts.fct_tickets inner join main_marts.customer_360 using (customer_id)
        where not has_cancellation_intent and sha256('support.tickets:' || ticket_id) not in (
            select record_key_hash from main_privacy.erasure_register)
        order by ticket_id limit 1
    """).iloc[0]
    execute(path,
            "insert into main_staging.stg_support__ticket_messages (message_id, ticket_id, author_type, body, "
            f"sent_at) values ('planted-1', '{ticket.ticket_id}', 'customer', '{PLANTED}', "
            f"timestamp '{ticket.sent_at}')",
            "update main_staging.stg_feedback__survey_responses set comment = comment || ' Never again.' "
            f"where response_id = '{changed.response_id}'")
    third = enrich(project, log=quiet)
    return project, first, second, third, changed, erased_rows(path), ticket.customer_id


ERASED = """
    select count(*) as n from main_enrichment.{table} as t
    where sha256(t.source_table || ':' || t.record_id) in (select record_key_hash from main_privacy.erasure_register)
"""


def erased_rows(path) -> dict[str, int]:
    return {table: int(frame(path, ERASED.format(table=table))["n"][0]) for table in ("text_sentiment", "text_topics")}


def test_a_build_before_enrichment_has_empty_tables_and_columns(warehouse):
    for table in ("text_sentiment", "text_topics"):
        assert frame(warehouse, f"select count(*) as n from main_enrichment.{table}")["n"][0] == 0
    c360 = frame(warehouse, "select count(sentiment_recent) as s, sum(texts_recent) as t, count(*) as n "
                            "from main_marts.customer_360").iloc[0]
    assert (c360.s, c360.t) == (0, 0) and c360.n > 0


def test_every_staged_text_is_scored_once(enriched):
    project, first, *_ = enriched
    staged = frame(project.warehouse, f"select * from ({STAGED_TEXTS}) where trim(text) <> '' "
                                      "and record_id <> 'planted-1'")
    assert first.scored == staged.groupby("source_table").size().to_dict()
    assert all(count > 0 for count in first.scored.values())
    rows = frame(project.warehouse, "select * from main_enrichment.text_sentiment")
    # the planted message and the changed comment came later
    assert len(rows) == first.total_scored + 2
    assert rows["sentiment_score"].between(-1, 1).all()
    assert set(rows["scorer_version"]) == {first.scorer_version}
    assert rows["scorer_version"].iloc[0].startswith("vaderSentiment-")


def test_a_second_run_scores_nothing_and_new_or_changed_texts_only_are_scored(enriched):
    project, first, second, third, changed, *_ = enriched
    assert second.total_scored == 0
    assert second.texts == first.texts
    assert third.total_scored == 2
    assert third.scored["support.ticket_messages"] == 1 and third.scored["feedback.survey_responses"] == 1
    comment_rows = frame(project.warehouse, "select content_hash from main_enrichment.text_sentiment "
                                            f"where record_id = '{changed.response_id}'")
    assert set(comment_rows["content_hash"]) == {content_hash(changed.comment),
                                                 content_hash(changed.comment + " Never again.")}


def test_the_planted_message_is_negative_with_cancellation_intent_and_a_competitor(enriched):
    project = enriched[0]
    sentiment = frame(project.warehouse, "select * from main_enrichment.text_sentiment where record_id = 'planted-1'")
    assert sentiment["sentiment_label"].tolist() == ["negative"]
    topics = frame(project.warehouse, "select topic, matched_keyword from main_enrichment.text_topics "
                                      "where record_id = 'planted-1' order by topic")
    assert topics.to_dict("records") == [{"topic": "cancellation_intent", "matched_keyword": "cancel*"},
                                         {"topic": "competitor_mention", "matched_keyword": "brightmart"}]


def test_the_sql_content_hash_matches_the_one_enrichment_wrote(enriched):
    """dbt.hash of the staged text equals the MD5 `c360 enrich` keyed it by,
    so the models join every enriched text back (on DuckDB; tests/engines
    checks PostgreSQL and Spark)."""
    project = enriched[0]
    mismatched = frame(project.warehouse, f"""
        select count(*) as n from ({STAGED_TEXTS}) as staged
        inner join main_enrichment.text_sentiment as enriched
            on staged.source_table = enriched.source_table and staged.record_id = enriched.record_id
        where md5(staged.text) <> enriched.content_hash
          and not (staged.record_id = '{enriched[4].response_id}')
    """)
    assert mismatched["n"][0] == 0


@pytest.fixture(scope="module")
def rebuilt(enriched):
    project = enriched[0]
    run_dbt(project, "build", ["--select", "enrichment+", "--exclude", "resource_type:unit_test"])
    return project


def test_customer_360_carries_recent_sentiment_topics_and_intent(enriched, rebuilt):
    path = rebuilt.warehouse
    planted_customer = enriched[6]
    planted = frame(path, "select has_cancellation_intent, cancellation_intent_recent, negative_texts_recent "
                          f"from main_marts.customer_360 where customer_id = '{planted_customer}'").iloc[0]
    assert planted.has_cancellation_intent and planted.cancellation_intent_recent >= 1
    assert planted.negative_texts_recent >= 1
    texts = frame(path, "select * from main_intermediate.int_texts__enriched")
    # every staged text known as of the build is enriched, except the erased records
    # a table-materialised staging model keeps until it is rebuilt (their rows were
    # deleted from the enrichment tables)
    not_enriched = frame(path, """
        select count(*) as n from main_intermediate.int_texts__enriched
        where not is_enriched and sha256(text_id) not in (select record_key_hash from main_privacy.erasure_register)
    """)
    assert not_enriched["n"][0] == 0
    assert texts["is_enriched"].mean() > 0.9
    texts = texts[texts["is_enriched"]]
    c360 = frame(path, "select customer_id, texts_recent, sentiment_recent, sentiment_trend, negative_texts_recent, "
                       "cancellation_intent_recent, has_cancellation_intent, top_topics, health_voice_points, "
                       "latest_nps_score from main_marts.customer_360")
    as_of = frame(path, "select max(as_of_date) as d from main_marts.customer_360")["d"][0]
    recent = texts[(texts["customer_id"].notna())
                   & (pd.to_datetime(texts["written_date"]) > pd.Timestamp(as_of) - pd.Timedelta(days=91))]
    expected = recent.groupby("customer_id").agg(n=("text_id", "size"), mean=("sentiment_score", "mean"),
                                                 negative=("sentiment_label", lambda s: int((s == "negative").sum())),
                                                 cancel=("has_cancellation_intent", "sum"))
    merged = c360.set_index("customer_id").join(expected, how="left")
    assert (merged["texts_recent"] == merged["n"].fillna(0)).all()
    assert (merged["negative_texts_recent"] == merged["negative"].fillna(0)).all()
    assert (merged["cancellation_intent_recent"] == merged["cancel"].fillna(0)).all()
    with_texts = merged[merged["n"].notna()]
    assert len(with_texts) > 50
    assert (with_texts["sentiment_recent"] - with_texts["mean"]).abs().max() < 1e-3
    assert (merged["has_cancellation_intent"] == (merged["cancellation_intent_recent"] > 0)).all()
    assert merged["top_topics"].notna().sum() > 50
    assert merged.loc[merged["n"].isna(), "health_voice_points"].isna().all()
    assert with_texts["health_voice_points"].notna().all()
    # the generator writes text in the tone of the customer's latent health, as it
    # draws NPS answers: customers who write more positively answer NPS higher
    answered = merged[merged["latest_nps_score"].notna() & merged["sentiment_recent"].notna()]
    assert answered["sentiment_recent"].corr(answered["latest_nps_score"].astype(float)) > 0.1


def test_share_of_voice_covers_every_mention_and_sums_to_one(rebuilt):
    path = rebuilt.warehouse
    sov = frame(path, "select * from main_marts.fct_share_of_voice")
    mentions = frame(path, "select count(*) as n from main_marts.fct_social_mentions")["n"][0]
    assert sov["mentions"].sum() >= mentions
    sums = sov.groupby(["month_start", "platform", "region"])["share_of_voice"].sum()
    assert ((sums - 1).abs() < 1e-4).all()
    brands = set(sov["brand"])
    assert {"Alder & Pine", "Brightmart", "Coastline Goods"} <= brands
    assert (sov["positive_mentions"] + sov["negative_mentions"] <= sov["enriched_mentions"]).all()


def test_enrichment_rows_of_erased_records_are_deleted(enriched, rebuilt):
    # the session's build registered the erasures and still staged their rows (until
    # the next build), so they were enriched; the rebuild's first step deleted them
    before = enriched[5]
    assert before["text_sentiment"] > 0 and before["text_topics"] > 0
    assert erased_rows(rebuilt.warehouse) == {"text_sentiment": 0, "text_topics": 0}
