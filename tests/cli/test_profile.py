"""`c360 profile`: looking a customer up by id, email or phone against the
generator's truth, masking by audience, JSON output and exit codes."""

from __future__ import annotations

import json
import sys

import duckdb
import pandas as pd
import pytest
from click.testing import CliRunner

from c360.cli import cli, main
from c360.profile import normalise_email, normalise_phone


def run(warehouse, *args):
    return CliRunner().invoke(cli, ["profile", "--warehouse", str(warehouse), *args], catch_exceptions=False)


def exit_code(monkeypatch, capsys, *args) -> tuple[int, str]:
    """Exit code and stderr of the entry point, as a user sees them."""
    monkeypatch.setattr(sys, "argv", ["c360", *args])
    with pytest.raises(SystemExit) as stopped:
        main()
    return stopped.value.code, capsys.readouterr().err


@pytest.fixture(scope="module")
def truth_person(dataset, warehouse):
    """A US customer of the truth with a home email and a phone, and the
    customer_id that most of their records resolve to."""
    persons = pd.read_parquet(dataset / "truth" / "persons.parquet")
    records = pd.read_parquet(dataset / "truth" / "record_persons.parquet")
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        mapping = connection.execute("select source_name, table_name, record_id as record_key, customer_id "
                                     "from main_marts.customer_identity_map").fetchdf()
        emails = connection.execute("select email, count(distinct m.customer_id) as n "
                                    "from main_intermediate.int_identity__records r "
                                    "join main_marts.customer_identity_map m using (record_key) "
                                    "where email is not null group by email").fetchdf()
    unique_emails = set(emails.loc[emails["n"] == 1, "email"])
    candidates = persons[persons["is_customer"] & (persons["country"] == "US") & persons["phone"].notna()
                         & persons["email_home"].isin(unique_emails)]
    person = candidates.iloc[0]
    keys = records.loc[records["person_id"] == person["person_id"], ["source_name", "table_name", "record_key"]]
    resolved = mapping.merge(keys, on=["source_name", "table_name", "record_key"])["customer_id"].value_counts()
    return person, resolved.index[0]


def test_normalisation_matches_the_staging_macros():
    assert normalise_email("  Jane.Doe@Example.COM ") == "jane.doe@example.com"
    assert normalise_email("not-an-email") is None
    assert normalise_phone("+44 (0)20 7946 0958") == "+442079460958"
    assert normalise_phone("0044 20 7946 0958") == "+442079460958"
    assert normalise_phone("1-212-555-0142") == "+12125550142"
    assert normalise_phone("(212) 555-0142") == "+12125550142"
    assert normalise_phone("555-0142") is None


def test_a_known_persons_email_and_phone_resolve_to_their_customer(warehouse, truth_person):
    person, customer_id = truth_person
    for key in (person["email_home"], f"  {person['email_home'].upper()} "):
        result = run(warehouse, key, "--json")
        assert result.exit_code == 0, result.output
        assert json.loads(result.output)["customer_id"] == customer_id
    digits = person["phone"].removeprefix("+1")
    national = f"({digits[:3]}) {digits[3:6]}-{digits[6:]}"
    found = json.loads(run(warehouse, national, "--json").output)
    assert found["customer_id"] == customer_id
    by_prefix = json.loads(run(warehouse, customer_id[:10], "--json").output)
    assert by_prefix["customer_id"] == customer_id


def test_the_profile_has_every_section(warehouse, truth_person):
    person, customer_id = truth_person
    found = json.loads(run(warehouse, customer_id, "--json").output)
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        expected = connection.execute("select email, health_score, distress_index, lifecycle_stage "
                                      "from main_marts.customer_360 where customer_id = ?", [customer_id]).fetchone()
        touchpoints = connection.execute("select count(*) from main_marts.fct_touchpoints where customer_id = ?",
                                         [customer_id]).fetchone()[0]
        stages = connection.execute("select count(*) from main_intermediate.int_customers__lifecycle_stages "
                                    "where customer_id = ?", [customer_id]).fetchone()[0]
    assert found["golden"]["email"] == expected[0]
    assert found["golden"]["last_name"] == person["last_name"]
    assert found["health"]["health_score"] == pytest.approx(float(expected[1]))
    assert set(found["health"]["components"]) == {"usage", "support", "sentiment", "billing", "engagement", "tenure"}
    assert found["distress"]["distress_index"] == pytest.approx(float(expected[2]))
    assert found["lifecycle"]["lifecycle_stage"] == expected[3]
    assert len(found["timeline"]) == stages and found["timeline"][-1]["is_current"]
    assert len(found["touchpoints"]) == min(touchpoints, 10)
    assert found["health_trend"] and "scores" in found and found["provenance"]
    text = run(warehouse, customer_id).output
    for heading in ("golden record", "lifecycle timeline", "health", "distress", "recent touchpoints", "scores"):
        assert heading in text


def test_audiences_see_the_customer_masked_by_policy(warehouse):
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        customer_id, email, phone = connection.execute(
            "select c.customer_id, c.email, c.phone from main_marts.customer_360 c "
            "join main_audiences.customer_360__marketing m using (customer_id) "
            "where c.email is not null and c.phone is not null order by 1 limit 1").fetchone()
    analyst = json.loads(run(warehouse, email, "--audience", "analyst", "--json").output)
    assert analyst["customer_id"] == customer_id
    assert analyst["golden"]["email"] not in (None, email) and len(analyst["golden"]["email"]) == 64  # keyed hash
    assert "first_name" not in analyst["golden"] and "phone" not in analyst["golden"]
    assert analyst["timeline"] is None and "lifecycle timeline" in analyst["omitted"]
    marketing = json.loads(run(warehouse, customer_id, "--audience", "marketing", "--json").output)
    assert marketing["golden"]["phone"] != phone and marketing["golden"]["phone"].endswith(phone[-4:])
    assert "street_line" not in marketing["golden"]
    text = run(warehouse, customer_id, "--audience", "analyst").output
    assert email not in text and phone not in text


def test_exit_codes(warehouse, monkeypatch, capsys):
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        outside = connection.execute(
            "select customer_id from main_marts.customer_360 where customer_id not in "
            "(select customer_id from main_audiences.customer_360__marketing) order by 1 limit 1").fetchone()[0]
    base = ["profile", "--warehouse", str(warehouse)]
    code, err = exit_code(monkeypatch, capsys, *base, "nobody@nowhere.example")
    assert code == 1 and "no customer with email nobody@nowhere.example" in err
    code, err = exit_code(monkeypatch, capsys, *base, outside, "--audience", "marketing")
    assert code == 1 and "not visible to audience marketing" in err
    code, err = exit_code(monkeypatch, capsys, *base, outside, "--audience", "nobody")
    assert code == 1 and "unknown audience" in err
    code, err = exit_code(monkeypatch, capsys, *base, "hello")
    assert code == 1 and "neither a customer_id" in err
    code, err = exit_code(monkeypatch, capsys, *base)  # KEY missing: a usage error
    assert code == 2
