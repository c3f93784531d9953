"""`c360 enrich`: sentiment and topic tags for the free texts not yet enriched.

Texts are read from their staged models through the project's profile and
target (var c360_text.sources). A text is known by its table, record id and
the MD5 of its content: one already in `text_sentiment` is skipped, so a run
scores only new or changed texts, and a second run scores none. Rows are
appended with the scorer's name and version and the time of the run; models
join them back on the same three keys, so a changed text shows its new
scores once enriched. Texts of erased records are never written (erased
rows are not staged), and their rows are deleted by the build's erasure step.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pandas as pd

from c360 import locks
from c360.dbt import default_disabled_sources, run_dbt
from c360.project import Project
from c360.scoring.store import append_rows
from c360.text.config import TextConfig, TextSource
from c360.text.sentiment import SCORER, TextScorer, scorer_version
from c360.warehouse import read_sql, relation_exists, schema_name

TABLES = ("text_sentiment", "text_topics")
KEYS = ["source_table", "record_id", "content_hash"]


@dataclass
class EnrichResult:
    #: texts read per source table
    texts: dict[str, int] = field(default_factory=dict)
    #: texts scored now per source table (the rest were enriched before)
    scored: dict[str, int] = field(default_factory=dict)
    topic_rows: int = 0
    scorer_version: str = ""

    @property
    def total_scored(self) -> int:
        return sum(self.scored.values())


def content_hash(text: str) -> str:
    """MD5 (hex) of the text's UTF-8 bytes: what dbt.hash computes in SQL."""
    return hashlib.md5(text.encode("utf-8")).hexdigest()


def enrichment_schema(project: Project) -> str:
    return schema_name(project, "enrichment")


def ensure_tables(project: Project) -> None:
    """Create the enrichment tables unless they exist (every dbt run creates them)."""
    schema = enrichment_schema(project)
    if not all(relation_exists(project, schema, table) for table in TABLES):
        run_dbt(project, "run-operation", ["create_enrichment_tables", "--quiet"])


def read_texts(project: Project, source: TextSource) -> pd.DataFrame:
    """(source_table, record_id, text, content_hash) of the staged texts of
    ``source`` that are not empty; none when its model was not built."""
    staging = schema_name(project, "staging")
    if not relation_exists(project, staging, source.model):
        return pd.DataFrame(columns=["source_table", "record_id", "text", "content_hash"])
    where = f"and ({source.where})" if source.where else ""
    frame = read_sql(project, f"""
        select cast({source.record_id} as {_text_type(project)}) as record_id, {source.text} as text
        from {staging}.{source.model}
        where {source.record_id} is not null and {source.text} is not null {where}
    """)
    frame = frame[frame["text"].str.strip() != ""]
    return frame.assign(source_table=source.key,
                        content_hash=[content_hash(text) for text in frame["text"]])[
        ["source_table", "record_id", "text", "content_hash"]].reset_index(drop=True)


def _text_type(project: Project) -> str:
    return "string" if project.adapter_type == "spark" else "varchar"


def enriched_keys(project: Project) -> pd.DataFrame:
    frame = read_sql(project, f"select distinct {', '.join(KEYS)} from {enrichment_schema(project)}.text_sentiment")
    return frame.astype(str)


def score_texts(texts: pd.DataFrame, scorer: TextScorer, version: str, enriched_at: datetime):
    """(sentiment rows, topic rows) of ``texts``."""
    scores = [scorer.sentiment(text) for text in texts["text"]]
    sentiment = texts[KEYS].assign(
        sentiment_score=[round(score, 4) for score in scores],
        sentiment_label=[scorer.label(score) for score in scores],
        scorer=SCORER, scorer_version=version, enriched_at=enriched_at)
    topics = [(*keys, match.topic, match.keyword)
              for keys, text in zip(texts[KEYS].itertuples(index=False), texts["text"], strict=True)
              for match in scorer.topics(text)]
    topic_rows = pd.DataFrame(topics, columns=[*KEYS, "topic", "matched_keyword"]).assign(enriched_at=enriched_at)
    return sentiment, topic_rows


def enrich(project: Project, config: TextConfig | None = None, log=print) -> EnrichResult:
    """Score the texts not yet enriched and append their rows."""
    config = config or TextConfig.load(project.project_dir, default_disabled_sources(project.project_dir))
    if project.is_duckdb:
        locks.ensure_writable(project.warehouse, "c360 enrich")
    started = time.monotonic()
    ensure_tables(project)
    known = enriched_keys(project)
    known_keys = set(known.itertuples(index=False, name=None))
    scorer, version = TextScorer(config), scorer_version()
    enriched_at = datetime.now(UTC).replace(microsecond=0, tzinfo=None)
    result = EnrichResult(scorer_version=version)
    new_frames = []
    for source in config.sources:
        texts = read_texts(project, source)
        fresh = texts[[key not in known_keys for key in texts[KEYS].itertuples(index=False, name=None)]]
        fresh = fresh.drop_duplicates(KEYS)
        result.texts[source.key], result.scored[source.key] = len(texts), len(fresh)
        log(f"{source.key}: {len(texts):,} texts, {len(fresh):,} not enriched yet")
        new_frames.append(fresh)
    fresh = pd.concat(new_frames, ignore_index=True) if new_frames else pd.DataFrame(columns=[*KEYS, "text"])
    if fresh.empty:
        log("nothing to enrich")
        return result
    sentiment, topics = score_texts(fresh, scorer, version, enriched_at)
    frames = {"text_sentiment": sentiment}
    if not topics.empty:
        frames["text_topics"] = topics
    append_rows(project, enrichment_schema(project), frames, "c360 enrich")
    result.topic_rows = len(topics)
    log(f"enriched {len(sentiment):,} texts ({len(topics):,} topic tags) with {version} "
        f"in {time.monotonic() - started:.1f} s")
    return result
