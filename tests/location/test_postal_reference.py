"""The postal-area reference seed and the generator's use of it."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pandas as pd
import pytest

from c360.generate.pools import COUNTRY_CODES, MALFORMED_CODES
from c360.postal_reference import COLUMNS, build_reference, read_reference

PROJECT_DIR = Path(__file__).resolve().parents[2]


def test_seed_has_the_three_markets_with_plausible_centres():
    seed = pd.DataFrame(read_reference(PROJECT_DIR))
    assert list(seed.columns) == list(COLUMNS)
    assert set(seed.country_code) == set(COUNTRY_CODES)
    assert not seed.duplicated(["country_code", "postal_area"]).any()
    lat, lon = seed.latitude.astype(float), seed.longitude.astype(float)
    boxes = {"US": ((18, 72), (-180, -64)), "GB": ((49, 61), (-9, 2)), "DE": ((47, 55.5), (5.5, 15.5))}
    for country, ((lat_lo, lat_hi), (lon_lo, lon_hi)) in boxes.items():
        mine = seed.country_code == country
        assert lat[mine].between(lat_lo, lat_hi).all() and lon[mine].between(lon_lo, lon_hi).all(), country
    # well-known areas in the right region
    key = seed.set_index(["country_code", "postal_area"])
    assert key.loc[("US", "100")].region_code == "NY"
    assert key.loc[("GB", "EH")].region_name == "Edinburgh"
    assert key.loc[("DE", "80")].region_code == "BY"


@pytest.mark.skipif(importlib.util.find_spec("countrystatecity_postal_codes") is None
                    or importlib.util.find_spec("countrystatecity_countries") is None,
                    reason="the reference's source packages (requirements/data.txt) are not installed")
def test_seed_is_what_the_builder_makes():
    built = build_reference()
    committed = read_reference(PROJECT_DIR)
    assert built == committed


def test_generated_addresses_fall_in_their_true_area(dataset):
    persons = pd.read_parquet(dataset / "truth" / "persons.parquet")
    contacts = pd.read_parquet(dataset / "raw" / "crm" / "contacts.parquet")
    records = pd.read_parquet(dataset / "truth" / "record_persons.parquet")
    records = records[records.table_name.astype(str) == "contacts"].astype({"person_id": str})
    joined = (contacts.merge(records, left_on="contact_id", right_on="record_key")
              .merge(persons, on="person_id"))
    unmoved = joined[joined.moved_at.isna() & joined.home_postal_area.notna() & joined.postal_code.notna()]
    compact = unmoved.postal_code.str.upper().str.replace(r"[^A-Z0-9]", "", regex=True)
    assert len(unmoved) > 300
    assert compact.combine(unmoved.home_postal_area, lambda code, area: code.startswith(area)).mean() > 0.97
    planted = persons.home_postal_area.isna().mean()
    assert 0.015 < planted < 0.07, planted
    malformed = contacts.postal_code.str.strip().isin(MALFORMED_CODES).mean()
    assert 0.003 < malformed < 0.04, malformed
