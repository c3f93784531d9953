"""Erasure requests remove a person from every relation of the warehouse.

The session's warehouse is the first build: it still holds everyone, and
at its end it registered the dataset's honoured erasure requests. A copy of
it is built again the way `c360 build` builds (c360.dbt.run_dbt with
finish_erasures), from a copy of the raw data with one more request, a
rejected one, for a customer who stays. Then:

- no personal value of an erased person (emails, phones, names, street
  lines, social handles, device ids, account and customer numbers that no
  other person has, from the first build's staging and the generator's
  truth) is left in any text column of any relation but the raw landing
  views: staging, the quarantine, identity, lifecycle, marts, audience
  views, snapshots, scores, the register and the evidence;
- the erased customers' scores are gone, every honoured request has its
  evidence and the rejected one none, and every other customer and staged
  row is still there.

Run `pytest -s` to see the figures.
"""

from __future__ import annotations

import json
import shutil
import time
from datetime import date

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from erasure_scan import PROJECT_DIR, honoured_statuses, personal_values, primary_keys
from erasure_scan import scan as scan_columns

from c360.dbt import default_disabled_sources, run_dbt
from c360.project import Project

pytestmark = pytest.mark.dbt

REJECTED_REQUEST = "ERQ-9000001"
TEST_MODEL_VERSION = "erasure-test"


def erased_persons(db, dataset) -> dict[str, str]:
    """person_id -> request_id of the honoured requests staged by the first build."""
    statuses = honoured_statuses()
    rows = db.execute(f"""
        select t.person_id, r.request_id
        from main_staging.stg_privacy__erasure_requests as r
        inner join read_parquet('{dataset / "truth" / "record_persons.parquet"}') as t
            on t.table_name = 'erasure_requests' and t.record_key = r.request_id
        where r.status in ({", ".join("?" for _ in statuses)})
    """, statuses).fetchall()
    return dict(rows)


def staged_reader(db):
    def staged(model: str, columns: list[str]) -> pd.DataFrame:
        return db.execute(f"select {', '.join(dict.fromkeys(columns))} from main_staging.{model}").fetchdf()
    return staged


def scan(db, values: pd.DataFrame, schemas=None) -> list[tuple]:
    """(schema, relation, column, class, value) of every personal value found in a text
    column of a relation of a scanned schema (of ``schemas`` when given)."""
    db.register("erased_values_frame", values)
    db.execute("create or replace temp table erased_values as select * from erased_values_frame")
    columns = db.execute("""
        select table_schema, table_name, column_name
        from information_schema.columns
        where table_catalog = current_database()
          and (data_type like '%VARCHAR%' or data_type like 'JSON%' or data_type like 'STRUCT%')
        order by 1, 2, 3
    """).fetchall()
    columns = [column for column in columns if not schemas or column[0] in schemas]
    return scan_columns(columns, lambda sql: db.execute(sql).fetchall(), "contains(x.v, p.value)")


def rejected_request(db, dataset, erased: set[str]) -> tuple[dict, str]:
    """A rejected erasure request from a customer who asked nothing else: the raw row and
    the person."""
    contact_id, email, first, last, person = db.execute(f"""
        select c.contact_id, c.email, c.first_name, c.last_name, t.person_id
        from main_staging.stg_crm__contacts as c
        inner join read_parquet('{dataset / "truth" / "record_persons.parquet"}') as t
            on t.table_name = 'contacts' and t.record_key = c.contact_id
        where c.email is not null and c.first_name is not null and c.last_name is not null
          and t.person_id not in (select unnest(?))
        order by c.contact_id
        limit 1
    """, [sorted(erased)]).fetchone()
    row = {"request_id": REJECTED_REQUEST, "subject_email": email, "subject_phone": None,
           "subject_name": f"{first} {last}", "received_via": "email", "requested_at": "2026-10-29 09:30:00",
           "status": "rejected", "completed_at": None, "_loaded_at": "2026-10-29 10:00:00"}
    return row, person


def plant_scores(db, customers: list[str], as_of: str) -> None:
    """Score rows for ``customers`` as `c360 score` writes them."""
    db.execute("insert into main_scores.model_runs (model_version, model_kind, as_of_date, trained_at, status) "
               f"values ('{TEST_MODEL_VERSION}', 'churn', date '{as_of}', current_timestamp, 'published')")
    for customer in customers:
        db.execute("insert into main_scores.churn_scores (customer_id, as_of_date, scored_at, churn_probability, "
                   "risk_band, model_version) values (?, ?, current_timestamp, 0.5, 'medium', ?)",
                   [customer, as_of, TEST_MODEL_VERSION])
        db.execute("insert into main_scores.upsell_recommendations (customer_id, as_of_date, scored_at, "
                   "recommendation_rank, category, subcategory, propensity, model_version) "
                   "values (?, ?, current_timestamp, 1, 'home', 'lamps', 0.2, ?)",
                   [customer, as_of, TEST_MODEL_VERSION])


def customer_ids(db) -> set[str]:
    return {row[0] for row in db.execute("select customer_id from main_marts.customer_360").fetchall()}


def customer_of(db, source_table: str, record_id: str) -> str | None:
    source_name, table_name = source_table.split(".")
    row = db.execute("select customer_id from main_marts.customer_identity_map "
                     "where source_name = ? and table_name = ? and record_id = ?",
                     [source_name, table_name, record_id]).fetchone()
    return row[0] if row else None


@pytest.fixture(scope="module")
def erasure(warehouse, dataset, tmp_path_factory):
    """Everything the tests compare: the first build's figures, then the second build's."""
    root = tmp_path_factory.mktemp("erasure")
    disabled = default_disabled_sources(PROJECT_DIR)
    with duckdb.connect(str(warehouse), read_only=True) as first:
        persons = erased_persons(first, dataset)
        erased = set(persons)
        requests = dict(first.execute("select request_id, status from main_staging.stg_privacy__erasure_requests")
                        .fetchall())
        customers = {customer_of(first, "privacy.erasure_requests", request) for request in persons.values()}
        anonymous_devices = {row[0] for row in first.execute(
            "select record_id from main_marts.customer_identity_map "
            "where table_name = 'devices' and customer_id is null").fetchall()}
        values = personal_values(dataset, staged_reader(first), erased, disabled, left_out=anonymous_devices)
        hits_before = scan(first, values, schemas={"main_staging", "main_marts"})
        left_out_sessions = sessions_left_out(first, dataset, erased, anonymous_devices)
        rejected_row, rejected_person = rejected_request(first, dataset, erased)
        first_customers = customer_ids(first)
        first_keys = staged_keys(first)
        kept_customer = sorted(first_customers - customers)[0]

    # the copy: the first build's warehouse, the raw data with a rejected request more
    raw = root / "raw"
    shutil.copytree(dataset / "raw", raw)
    shutil.copy(dataset / "manifest.json", root / "manifest.json")
    path = raw / "privacy" / "erasure_requests.parquet"
    table = pq.read_table(path)
    pq.write_table(pa.concat_tables([table, pa.Table.from_pylist([rejected_row], schema=table.schema)]), path)
    copy = root / "c360.duckdb"
    shutil.copyfile(warehouse, copy)
    as_of = date.fromisoformat(json.loads((root / "manifest.json").read_text())["as_of"])
    with duckdb.connect(str(copy)) as db:
        plant_scores(db, sorted(customers) + [kept_customer], as_of.isoformat())

    project = Project.resolve(warehouse=copy, raw_path=raw, target="duckdb")
    started = time.perf_counter()
    run_dbt(project, "build", finish_erasures=True)
    seconds = time.perf_counter() - started

    with duckdb.connect(str(copy), read_only=True) as second:
        started = time.perf_counter()
        hits = scan(second, values)
        scan_seconds = time.perf_counter() - started
        result = {
            "persons": persons, "requests": requests, "customers": customers, "values": values,
            "hits_before": hits_before, "hits": hits, "left_out_sessions": left_out_sessions,
            "rejected_person": rejected_person, "kept_customer": kept_customer,
            "first_customers": first_customers, "first_keys": first_keys, "dataset": dataset,
            "seconds": seconds, "scan_seconds": scan_seconds,
            "second_customers": customer_ids(second),
            "second_keys": staged_keys(second),
            "rejected_customer": customer_of(second, "privacy.erasure_requests", REJECTED_REQUEST),
            "evidence": second.execute("select * from main_privacy.erasure_evidence").fetchdf(),
            "register": second.execute("select * from main_privacy.erasure_register").fetchdf(),
            "scores": second.execute("select customer_id from main_scores.churn_scores "
                                     "union all select customer_id from main_scores.upsell_recommendations")
                            .fetchdf(),
            "snapshot_contacts": second.execute("select count(*) from main_snapshots.snap_crm__contacts "
                                                "where contact_id not in (select contact_id "
                                                "from main_staging.stg_crm__contacts)").fetchone()[0],
        }
    return result


def sessions_left_out(db, dataset, erased: set[str], anonymous_devices: set[str]) -> int:
    """Sessions of erased persons on devices that never logged in (no method ties them to anyone)."""
    if not anonymous_devices:
        return 0
    return db.execute(f"""
        select count(*)
        from main_staging.stg_usage__sessions as s
        inner join read_parquet('{dataset / "truth" / "record_persons.parquet"}') as t
            on t.table_name = 'sessions' and t.record_key = s.session_id
        where t.person_id in (select unnest(?)) and s.device_id in (select unnest(?))
    """, [sorted(erased), sorted(anonymous_devices)]).fetchone()[0]


def staged_keys(db) -> dict[tuple[str, str], set[str]]:
    """(source, table) -> staged record keys, for every staging table."""
    keys = {}
    for model, key in primary_keys().items():
        exists = db.execute("select count(*) from information_schema.tables "
                            "where table_schema = 'main_staging' and table_name = ?", [model]).fetchone()[0]
        if exists:
            source_name, table_name = model[4:].split("__")
            keys[(source_name, table_name)] = {row[0] for row in db.execute(
                f"select {key} from main_staging.{model}").fetchall()}
    return keys


def test_the_first_build_still_holds_the_erased_persons(erasure):
    assert len(erasure["persons"]) >= 5
    values = erasure["values"]
    counts = values.class_name.value_counts().to_dict()
    statuses = sorted(set(erasure["requests"].values()))
    print(f"\n{len(erasure['persons'])} persons with honoured requests (staged statuses {statuses}); "
          f"{len(values)} values only they hold: {counts}")
    for class_name in ("email", "phone", "name", "device_id", "account_number"):
        assert counts.get(class_name, 0) > 0, class_name
    # the scan finds them before the erasure, in staging and in the marts
    found = {value for *_, value in erasure["hits_before"]}
    assert found, "the scan must find the values in the first build"
    assert {"main_staging", "main_marts"} <= {schema for schema, *_ in erasure["hits_before"]}


def test_no_value_of_an_erased_person_is_left_in_any_relation(erasure):
    print(f"\nsecond build (c360 build path): {erasure['seconds']:.0f} s; scan of every relation: "
          f"{erasure['scan_seconds']:.1f} s; sessions on never-logged-in devices left: {erasure['left_out_sessions']}")
    assert erasure["hits"] == []


def test_erased_customers_leave_customer_360_and_no_one_else_does(erasure):
    erased = erasure["customers"]
    assert None not in erased and len(erased) == len(set(erasure["persons"].values()))
    assert erased <= erasure["first_customers"]
    assert erasure["second_customers"] == erasure["first_customers"] - erased


def test_only_erased_persons_rows_leave_staging(erasure):
    truth = pd.read_parquet(erasure["dataset"] / "truth" / "record_persons.parquet")
    owner = {(str(r.source_name), str(r.table_name), r.record_key): str(r.person_id) for r in truth.itertuples()}
    erased = set(erasure["persons"])
    removed = {}
    for table, keys in erasure["first_keys"].items():
        gone = keys - erasure["second_keys"][table]
        assert erasure["second_keys"][table] - {REJECTED_REQUEST} <= keys, table
        others = {key for key in gone if owner.get((*table, key)) not in erased}
        assert not others, f"{table}: rows of persons who did not ask: {sorted(others)[:5]}"
        if gone:
            removed[".".join(table)] = len(gone)
    print(f"\nstaged rows removed: {sum(removed.values())} {removed}")
    assert removed.get("crm.contacts") and removed.get("commerce.order_lines") and removed.get("usage.events")


def test_scores_of_erased_customers_are_deleted_and_others_kept(erasure):
    scored = set(erasure["scores"].customer_id)
    assert not scored & erasure["customers"]
    assert erasure["kept_customer"] in scored


def test_evidence_for_every_honoured_request_and_none_for_the_rejected_one(erasure):
    evidence, register = erasure["evidence"], erasure["register"]
    honoured = set(erasure["persons"].values())
    assert set(evidence.request_id) == honoured
    assert REJECTED_REQUEST not in set(register.request_id)
    assert (evidence.records_erased > 0).all() and (evidence.customers_erased == 1).all()
    assert set(evidence.request_status) <= set(honoured_statuses())
    assert evidence.records_erased.sum() == len(register)
    assert register.record_key_hash.str.fullmatch("[0-9a-f]{64}").all()
    print(f"\nregister: {len(register)} rows; by rule {register.erasure_rule.value_counts().to_dict()}")


def test_a_rejected_request_erases_no_one(erasure):
    customer = erasure["rejected_customer"]
    assert customer is not None and customer in erasure["second_customers"]
    assert customer not in erasure["customers"]


def test_snapshots_keep_no_erased_contact(erasure):
    assert erasure["snapshot_contacts"] == 0
