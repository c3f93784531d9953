"""Ground truth is consistent with the raw data."""

from __future__ import annotations

import pandas as pd
import pytest

from c360.generate.schema import QUARANTINE_RULES, TABLES

PERSON_TABLES = [t for t in TABLES if t.person_level]


@pytest.mark.parametrize("table", PERSON_TABLES, ids=lambda t: t.qualified)
def test_record_persons_cover_every_keyed_row(generated, table):
    raw = generated.raw(table.qualified)
    rp = generated.record_persons
    rp = rp[(rp.source_name == table.source) & (rp.table_name == table.name)]
    assert rp.record_key.is_unique
    keys = raw[table.key.name]
    keyed = set(keys[keys.notna() & (keys.str.strip() != "")])
    assert set(rp.record_key) == keyed
    assert rp.person_id.isin(generated.persons.index).all()


def test_non_person_tables_have_no_record_persons(generated):
    names = set(generated.record_persons.table_name)
    assert not names & {"products", "stores", "campaigns"}


@pytest.mark.parametrize("table", TABLES, ids=lambda t: t.qualified)
def test_every_table_has_planted_rows(generated, table):
    bad = generated.malformed[(generated.malformed.source_name == table.source)
                            & (generated.malformed.table_name == table.name)]
    quarantined = bad[bad.expected_outcome == "quarantine"]
    assert len(quarantined) >= 2
    assert set(quarantined.defect) <= set(table.defects)
    assert (quarantined.expected_rule == quarantined.defect).all()
    assert bad[bad.expected_outcome == "null_field"].expected_rule.isna().all()
    if table.email_columns:
        assert (bad.defect == "invalid_email").sum() >= 1
    # One defect per row: apart from null keys, a key appears at most once in the truth.
    assert bad.record_key.dropna().is_unique


@pytest.mark.parametrize("table", TABLES, ids=lambda t: t.qualified)
def test_malformed_rows_match_raw(generated, table):
    raw = generated.raw(table.qualified)
    key = table.key.name
    bad = generated.malformed[(generated.malformed.source_name == table.source)
                            & (generated.malformed.table_name == table.name)]
    blank_keys = raw[key].isna() | (raw[key].fillna("x").str.strip() == "")
    assert blank_keys.sum() == (bad.defect == "null_key").sum()
    assert bad[bad.defect == "null_key"].record_key.isna().all()
    counts = raw[key][~blank_keys].value_counts()
    assert counts.max() <= 2
    duplicated = set(counts[counts == 2].index)
    planted_dups = set(bad.record_key[bad.defect.isin(["exact_duplicate", "conflicting_duplicate"])])
    assert duplicated == planted_dups
    for row in bad[bad.defect == "exact_duplicate"].itertuples():
        copies = raw[raw[key] == row.record_key]
        assert len(copies) == 2 and len(copies.drop_duplicates()) == 1
    for row in bad[bad.defect == "conflicting_duplicate"].itertuples():
        copies = raw[raw[key] == row.record_key].sort_values("_loaded_at")
        assert len(copies) == 2 and copies._loaded_at.is_unique
        assert copies.iloc[0][row.column_name] != copies.iloc[1][row.column_name]
        differing = [c for c in raw.columns if not copies[c].iloc[[0]].equals(copies[c].iloc[[1]].set_axis(
            copies.index[[0]]))]
        assert set(differing) <= {row.column_name, "_loaded_at"}
    by_key = raw.drop_duplicates(key).set_index(key)
    for row in bad[bad.defect == "unparseable_timestamp"].itertuples():
        value = by_key.loc[row.record_key, row.column_name]
        assert value.strip() and pd.isna(pd.to_datetime(value, errors="coerce", format="ISO8601"))
    for row in bad[bad.defect == "future_timestamp"].itertuples():
        stamp = pd.to_datetime(by_key.loc[row.record_key, row.column_name], utc=True, format="ISO8601")
        loaded = pd.to_datetime(by_key.loc[row.record_key, "_loaded_at"], utc=True)
        assert stamp > loaded + pd.Timedelta(days=1)
    for row in bad[bad.defect == "non_numeric_amount"].itertuples():
        assert pd.isna(pd.to_numeric(by_key.loc[row.record_key, row.column_name], errors="coerce"))
    for row in bad[bad.defect == "negative_amount"].itertuples():
        assert float(by_key.loc[row.record_key, row.column_name]) < 0
    for row in bad[bad.defect == "out_of_range_score"].itertuples():
        record = by_key.loc[row.record_key]
        low, high = (0, 10) if record.survey_type == "nps" else (1, 5)
        assert not low <= int(record.score) <= high
    for row in bad[bad.defect == "invalid_email"].itertuples():
        value = by_key.loc[row.record_key, row.column_name].strip()
        assert not pd.Series([value]).str.match(r"^[^@\s]+@[^@\s]+\.[A-Za-z]+$").iloc[0], value


def test_defect_kinds_cover_all_rules(generated):
    assert set(generated.malformed.defect) == set(QUARANTINE_RULES) | {"invalid_email"}


def test_persons_truth(generated):
    persons = generated.persons
    assert persons.index.is_unique
    assert persons.email_home.is_unique
    assert persons.phone.is_unique
    assert persons.phone.str.match(r"^\+(1\d{10}|44\d{9,10}|49\d{9,10})$").all()
    assert persons.social_handle.dropna().is_unique
    customers = persons[persons.is_customer]
    assert customers.first_purchase_at.notna().all()
    assert persons[~persons.is_customer].first_purchase_at.isna().all()
    converted = customers[customers.became_lead_at.notna()]
    assert (converted.became_lead_at <= converted.first_purchase_at).all()
    share = persons.country.value_counts(normalize=True)
    assert 0.5 < share["US"] < 0.7 and 0.17 < share["GB"] < 0.33 and 0.08 < share["DE"] < 0.22
    shared = persons.household_id.duplicated(keep=False).mean()
    assert 0.12 < shared < 0.3
    households = persons[persons.household_id.duplicated(keep=False)].groupby("household_id")
    assert (households.last_name.nunique() == 1).all()


def test_lifecycle_matches_persons(generated):
    lifecycle = generated.truth("lifecycle")
    persons = generated.persons
    for event, column in (("became_lead", "became_lead_at"), ("first_purchase", "first_purchase_at"),
                          ("churned", "churned_at"), ("reactivated", "reactivated_at")):
        rows = lifecycle[lifecycle.event == event].set_index("person_id").event_at
        expected = persons[column].dropna()
        assert len(rows) == len(expected)
        assert (rows.sort_index() == expected.sort_index()).all()


def test_consent_violations_are_late_sends(generated):
    violations = generated.truth("consent_violations")
    touches = generated.raw("marketing.touches").set_index("touch_id")
    assert violations.touch_id.isin(touches.index).all()
    assert (touches.loc[violations.touch_id, "event_type"] == "send").all()
    assert violations.reason.isin(["after_withdrawal", "after_unsubscribe"]).all()
