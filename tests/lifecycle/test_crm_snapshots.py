"""The CRM snapshots keep history (SCD type 2).

A copy of the test dataset's CRM files is staged and snapshotted; then one
contact is changed in the raw data the way the CRM sends a change (a new
version of the row with a later updated_at and a later load), staging is
rebuilt and the snapshot taken again. The contact must then have two
versions: the old one closed at the new version's updated_at, the new one
current; every other contact and account keeps its single version.
"""

from __future__ import annotations

import re
import shutil
from datetime import datetime, timedelta

import pytest

from c360.dbt import run_dbt
from c360.project import Project

CONTACTS = "main_snapshots.snap_crm__contacts"
ACCOUNTS = "main_snapshots.snap_crm__accounts"
NEW_JOB_TITLE = "Head of Snapshot Testing"
TIMESTAMP = "%Y-%m-%d %H:%M:%S"


def stage_and_snapshot(project: Project) -> None:
    run_dbt(project, "run", ["--select", "+stg_crm__contacts", "+stg_crm__accounts"], only_sources=["crm"])
    run_dbt(project, "snapshot", only_sources=["crm"])


def is_clean(row) -> bool:
    """A row staging keeps: a plain key and readable timestamps (the raw data
    also holds planted defects, which staging quarantines)."""
    try:
        datetime.strptime(row["_loaded_at"], TIMESTAMP)
        datetime.strptime(row["updated_at"], TIMESTAMP)
    except (TypeError, ValueError):
        return False
    return bool(re.fullmatch(r"[A-Za-z0-9_-]+", row["contact_id"] or ""))


def changed_version(raw_contacts):
    """A new version of one contact sent once by the CRM: another job title,
    updated and loaded a day after the contact's row was loaded."""
    import pyarrow as pa
    import pyarrow.compute as pc

    ids = raw_contacts.column("contact_id")
    counts = {row["values"]: row["counts"] for row in pc.value_counts(ids).to_pylist()}
    rows = raw_contacts.to_pylist()
    row = next(r for r in sorted(rows, key=lambda r: r["contact_id"] or "")
               if is_clean(r) and counts[r["contact_id"]] == 1
               and r["job_title"] != NEW_JOB_TITLE
               and r["updated_at"] < r["_loaded_at"])
    loaded = datetime.strptime(row["_loaded_at"], TIMESTAMP) + timedelta(days=1)
    updated = loaded - timedelta(hours=1)
    new = {**row, "job_title": NEW_JOB_TITLE, "updated_at": updated.strftime(TIMESTAMP),
           "_loaded_at": loaded.strftime(TIMESTAMP)}
    table = pa.concat_tables([raw_contacts, pa.Table.from_pylist([new], schema=raw_contacts.schema)])
    return table, row, updated


@pytest.fixture(scope="module")
def snapshots(dataset, tmp_path_factory):
    """(versions of the changed contact, row counts) after the first and the second snapshot."""
    import duckdb
    import pyarrow.parquet as pq

    root = tmp_path_factory.mktemp("crm_snapshots")
    copy = root / "dataset"
    shutil.copytree(dataset / "raw" / "crm", copy / "raw" / "crm")
    shutil.copy(dataset / "manifest.json", copy / "manifest.json")
    project = Project.resolve(warehouse=root / "c360.duckdb", raw_path=copy / "raw", target="duckdb")

    def read(contact_id):
        with duckdb.connect(str(project.warehouse), read_only=True) as db:
            versions = db.execute(
                f"select job_title, dbt_valid_from, dbt_valid_to from {CONTACTS}"
                " where contact_id = ? order by dbt_valid_from", [contact_id]).fetchall()
            counts = db.execute(f"""
                select
                    (select count(*) from {CONTACTS}),
                    (select count(*) from main_staging.stg_crm__contacts),
                    (select count(*) from (select contact_id from {CONTACTS}
                                           group by contact_id having count(*) > 1)),
                    (select count(*) from {ACCOUNTS}),
                    (select count(*) from main_staging.stg_crm__accounts)
            """).fetchone()
        return versions, counts

    stage_and_snapshot(project)
    path = copy / "raw" / "crm" / "contacts.parquet"
    table, row, updated = changed_version(pq.read_table(path))
    before = read(row["contact_id"])
    pq.write_table(table, path)
    stage_and_snapshot(project)
    after = read(row["contact_id"])
    return row, updated, before, after


@pytest.mark.dbt
def test_first_snapshot_holds_one_current_version_per_contact(snapshots):
    _, _, (versions, counts), _ = snapshots
    snapshot_rows, staged, contacts_with_history, account_rows, accounts = counts
    assert len(versions) == 1 and versions[0][2] is None
    assert snapshot_rows == staged > 0 and contacts_with_history == 0
    assert account_rows == accounts > 0


@pytest.mark.dbt
def test_changed_contact_gets_a_new_version_and_the_old_one_is_closed(snapshots):
    row, updated, (before, _), (after, _) = snapshots
    assert len(after) == 2
    (old_title, old_from, old_to), (new_title, new_from, new_to) = after
    # the old version is kept as it was, closed when the new one began
    assert (old_title, old_from) == before[0][:2]
    assert old_title != NEW_JOB_TITLE
    assert old_to == updated
    # the new version is current, valid from its updated_at
    assert new_title == NEW_JOB_TITLE
    assert new_from == updated and new_to is None


@pytest.mark.dbt
def test_unchanged_contacts_and_accounts_keep_one_version(snapshots):
    _, _, (_, first), (_, second) = snapshots
    snapshot_rows, staged, contacts_with_history, account_rows, accounts = second
    assert staged == first[1]  # the new version replaced the old in staging
    assert snapshot_rows == staged + 1
    assert contacts_with_history == 1
    assert account_rows == accounts == first[3]
