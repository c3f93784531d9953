"""`c360 resolve`: identity resolution on a plain file of person records.

The file preparation is checked on small frames; a hand-made file with the
usual spellings of a few people is resolved end to end; and the public FEBRL
person datasets (typos, missing and swapped values, no email) are resolved
and scored against their labels: external data, not the generator's.
"""

from __future__ import annotations

import csv

import duckdb
import pandas as pd
import pytest

from c360 import identity_eval as ie
from c360.project import C360Error
from c360.resolve import parse_mapping, people_columns, prepare_people_file, resolve

PEOPLE = """record_id,given,family,email,phone,dob,house,street,town,zip
A1,Katherine,Whitfield,k.whitfield@fastmail.com,(206) 555-0134,1984-03-12,12,Lake Road,Seattle,98101
A2,Kathy,Whitfield,,,1984-03-12,12,Lake Rd,Seattle,98101
A3,Katherine,Whitfeld,K.Whitfield@FastMail.com,,,,,,
A4,Ronald,Whitfield,,,1950-07-01,12,Lake Road,Seattle,98101
B1,Tomasz,Nowicki,,+1 206 555 0199,1990-11-30,7,Pine Street,Tacoma,98402
B2,Tomasz,Nowicki,,206.555.0199,,,,,
C1,,,,,,,,,
,Orphan,Row,,,,,,,
D1,Ana,Lima,,,1977-13-45,3,Oak Avenue,Everett,98201
"""
MAPPING = ["first_name=given", "last_name=family", "birth_date=dob", "street=house+street",
           "city=town", "postal_code=zip"]


@pytest.fixture(scope="module")
def contract_columns(project_dir) -> list[str]:
    return people_columns(project_dir)


def test_mapping_options_parse_and_reject_malformed_ones():
    assert parse_mapping(["street=house+street", "city = town"]) == {"street": ["house", "street"],
                                                                      "city": ["town"]}
    for bad in ("street", "=town", "city="):
        with pytest.raises(C360Error, match="COLUMN=INPUT"):
            parse_mapping([bad])


def test_prepared_file_has_exactly_the_contract_columns(tmp_path, contract_columns):
    frame = pd.DataFrame({"id": ["1", "2"], "first_name": ["Ann", None], "house": ["4", None],
                          "road": ["Elm St", "Oak Rd"], "dob": ["19800102", "not a date"], "extra": ["x", "y"]},
                         dtype="string")
    prepared = prepare_people_file(frame, tmp_path, contract_columns,
                                   {"record_id": ["id"], "street": ["house", "road"], "birth_date": ["dob"]},
                                   date_format="%Y%m%d")
    table = pd.read_parquet(prepared.path)
    assert list(table.columns) == contract_columns
    assert table["street"].tolist() == ["4 Elm St", "Oak Rd"]
    # a date in the given format becomes ISO; one that does not parse is kept as typed
    assert table["birth_date"].tolist() == ["1980-01-02", "not a date"]
    assert table["first_name"].isna().tolist() == [False, True]
    assert table["email"].isna().all() and table["_loaded_at"].notna().all()
    assert prepared.ignored == ["extra"]


def test_preparation_explains_missing_columns(tmp_path, contract_columns):
    frame = pd.DataFrame({"name": ["Ann"]}, dtype="string")
    with pytest.raises(C360Error, match="record_id"):
        prepare_people_file(frame, tmp_path, contract_columns)
    with pytest.raises(C360Error, match="not in the file: surname"):
        prepare_people_file(frame, tmp_path, contract_columns, {"record_id": ["name"], "last_name": ["surname"]})
    with pytest.raises(C360Error, match="unknown column"):
        prepare_people_file(frame, tmp_path, contract_columns, {"nickname": ["name"]})


@pytest.fixture(scope="module")
def resolved(tmp_path_factory):
    work = tmp_path_factory.mktemp("resolve")
    source = work / "people.csv"
    source.write_text(PEOPLE)
    result = resolve(source, work / "run", parse_mapping(MAPPING), out=work / "map.csv",
                     golden_out=work / "golden.csv", echo=lambda _: None)
    rows = list(csv.DictReader((work / "map.csv").open()))
    return result, {row["record_id"]: row for row in rows}, rows, work


@pytest.mark.dbt
def test_resolve_links_spellings_of_one_person_and_keeps_namesakes_apart(resolved):
    result, by_id, _, _ = resolved
    customer = {key: row["customer_id"] for key, row in by_id.items()}
    # nickname at the same address and birth date; the same email in another case
    assert customer["A1"] == customer["A2"] == customer["A3"]
    # same surname and address, another first name and birth date: another person
    assert customer["A4"] != customer["A1"]
    # one phone number in two layouts
    assert customer["B1"] == customer["B2"]
    assert customer["B1"] != customer["A1"]
    assert result.customers == len({c for c in customer.values() if c})


@pytest.mark.dbt
def test_resolve_accounts_for_every_input_row(resolved):
    result, by_id, rows, _ = resolved
    assert result.records == len(rows) == PEOPLE.count("\n") - 1
    # a row without a key is quarantined with its reason, not dropped
    missing_key = [row for row in rows if not row["record_id"]]
    assert [row["match_rule"] for row in missing_key] == ["quarantined: null_key"]
    assert result.quarantined == 1
    # a record with nothing to match on is anonymous, with no customer; an impossible birth date is
    # emptied, the record kept
    assert by_id["C1"]["match_rule"] == "anonymous" and not by_id["C1"]["customer_id"]
    assert by_id["D1"]["match_rule"] == "singleton" and by_id["D1"]["customer_id"]


@pytest.mark.dbt
def test_golden_record_export_has_provenance(resolved):
    _, by_id, _, work = resolved
    golden = {row["customer_id"]: row for row in csv.DictReader((work / "golden.csv").open())}
    katherine = golden[by_id["A1"]["customer_id"]]
    assert (katherine["first_name"], katherine["last_name"]) == ("Katherine", "Whitfield")
    assert katherine["email"] == "k.whitfield@fastmail.com"
    assert katherine["birth_date"] == "1984-03-12"
    assert katherine["name_source_table"] == "people.records"
    assert katherine["name_record_key"].startswith("people.records:A")


#: Least precision and recall of `c360 resolve` on FEBRL dataset 1 (1,000
#: records, 500 people with one corrupted duplicate each).
FEBRL_PRECISION = 0.99
FEBRL_RECALL = 0.85


@pytest.mark.dbt
def test_febrl_people_are_resolved_accurately(tmp_path):
    source = ie.febrl_file("1")  # installed by make (requirements/data.txt)
    result = resolve(source, tmp_path, ie.FEBRL_MAPPING, ie.FEBRL_DATE_FORMAT, out=tmp_path / "map.csv",
                     echo=lambda _: None)
    connection = duckdb.connect()
    try:
        connection.execute(f"attach '{result.warehouse}' as {ie.WAREHOUSE_ALIAS} (read_only)")
        ie.register_febrl_truth(connection, source)
        evaluation = ie.evaluate_identity_map(result.warehouse, tmp_path, connection)
    finally:
        connection.close()
    assert evaluation.evaluated_records == 1000
    assert evaluation.precision >= FEBRL_PRECISION, evaluation.pairs
    assert evaluation.recall >= FEBRL_RECALL, evaluation.pairs


#: Least precision and recall of `c360 resolve` on the Fodors-Zagat restaurants
#: (864 records of real businesses, 112 restaurants in both guides). Some
#: restaurants of one hotel share its switchboard number: the phone must
#: not merge them when their names conflict.
RESTAURANTS_PRECISION = 0.93
RESTAURANTS_RECALL = 0.95


@pytest.mark.dbt
def test_restaurants_are_resolved_accurately(tmp_path):
    source = ie.restaurants_file(tmp_path / "input")
    result = resolve(source, tmp_path, ie.RESTAURANTS_MAPPING, out=tmp_path / "map.csv", echo=lambda _: None)
    connection = duckdb.connect()
    try:
        connection.execute(f"attach '{result.warehouse}' as {ie.WAREHOUSE_ALIAS} (read_only)")
        assert ie.register_restaurant_truth(connection, source) == 864
        evaluation = ie.evaluate_identity_map(result.warehouse, tmp_path, connection)
        by_name = dict(connection.execute(f"""
            select input.name, identity_map.customer_id
            from read_csv('{source}', header = true, all_varchar = true) as input
            inner join read_csv('{tmp_path / "map.csv"}', header = true, all_varchar = true) as identity_map
                on input.record_id = identity_map.record_id
            where input.guide = 'fodors' and input.phone = '702/731-7547'
        """).fetchall())
    finally:
        connection.close()
    assert evaluation.evaluated_records == 864
    assert evaluation.precision >= RESTAURANTS_PRECISION, evaluation.pairs
    assert evaluation.recall >= RESTAURANTS_RECALL, evaluation.pairs
    # two restaurants of one casino, one switchboard number, two customers
    assert set(by_name) == {"palace court", "cafe roma"}
    assert by_name["palace court"] != by_name["cafe roma"]


def test_resolve_command_is_registered():
    from click.testing import CliRunner

    from c360.cli import cli

    result = CliRunner().invoke(cli, ["resolve", "--help"])
    assert result.exit_code == 0
    for option in ("--map", "--date-format", "--golden", "--out", "--workdir"):
        assert option in result.output


STABLE_FIRST = """record_id,first_name,last_name,email,recorded_at
S1,Maren,Olafsen,maren.olafsen@fastmail.com,2024-01-01 09:00:00
S2,Maren,Olafsen,maren.olafsen@fastmail.com,2024-06-01 09:00:00
S3,Idris,Bakare,idris.bakare@fastmail.com,2024-02-01 09:00:00
"""
#: Later arrivals: another record of Maren whose key sorts first, and a new person.
STABLE_MORE = """A0,Maren,Olafsen,maren.olafsen@fastmail.com,2025-03-01 09:00:00
S5,Wen,Zhao,wen.zhao@fastmail.com,2025-03-02 09:00:00
"""


@pytest.mark.dbt
def test_customer_ids_are_stable_across_runs_and_new_records(tmp_path):
    def run(name: str, text: str) -> dict[str, str]:
        source = tmp_path / f"{name}.csv"
        source.write_text(text)
        resolve(source, tmp_path / name, out=tmp_path / f"{name}_map.csv", echo=lambda _: None)
        return {row["record_id"]: row["customer_id"] for row in csv.DictReader((tmp_path / f"{name}_map.csv").open())}

    first = run("first", STABLE_FIRST)
    again = run("again", STABLE_FIRST)
    grown = run("grown", STABLE_FIRST + STABLE_MORE)
    assert first == again
    assert first["S1"] == first["S2"] != first["S3"]
    # existing customers keep their ids; a later record joins its customer, a new person gets a new id
    assert {key: grown[key] for key in first} == first
    assert grown["A0"] == first["S1"]
    assert grown["S5"] not in first.values()
