"""Location intelligence checked against the generator's ground truth.

The generator draws every person's home from the postal-area reference
(seeds/location/postal_areas.csv) and records the area, region and centre in
truth/persons; a planted share of postal codes is outside the reference or
malformed. The warehouse geocodes golden-record postal codes without seeing
the truth: these tests compare the two, recompute nearest stores with an
independent haversine, and check the regional roll-up adds up.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest

#: customers whose true home is in the reference and whose geocoded region must match it
MIN_REGION_ACCURACY = 0.95
EARTH_RADIUS_KM = 6371.0088


def haversine_km(lat1, lon1, lat2, lon2) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = (math.sin((p2 - p1) / 2) ** 2
         + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2)
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


@pytest.fixture(scope="module")
def db(warehouse):
    import duckdb

    connection = duckdb.connect(str(warehouse), read_only=True)
    yield connection
    connection.close()


def relation(db, name: str) -> str:
    (schema,) = db.execute(
        "select table_schema from information_schema.tables where table_name = ?", [name]).fetchone()
    return f'"{schema}"."{name}"'


def frame(db, sql: str) -> pd.DataFrame:
    return db.execute(sql).df()


@pytest.fixture(scope="module")
def customers_vs_truth(db, dataset) -> pd.DataFrame:
    """customer_360's location columns next to the true home of the person
    most of the customer's records belong to."""
    records = pd.read_parquet(dataset / "truth" / "record_persons.parquet")
    records = records.astype({"source_name": str, "table_name": str, "person_id": str})
    identity = frame(db, f"select source_name, table_name, record_id, customer_id "
                         f"from {relation(db, 'customer_identity_map')} where customer_id is not null")
    linked = identity.merge(records, left_on=["source_name", "table_name", "record_id"],
                            right_on=["source_name", "table_name", "record_key"])
    person = (linked.groupby(["customer_id", "person_id"]).size().rename("records").reset_index()
              .sort_values(["customer_id", "records", "person_id"], ascending=[True, False, True])
              .drop_duplicates("customer_id"))
    persons = pd.read_parquet(dataset / "truth" / "persons.parquet")
    c360 = frame(db, f"""
        select customer_id, country_code, postal_code, home_postal_area, home_region, home_country_code,
               home_latitude, home_longitude, geocode_match_level, nearest_store_id, nearest_store_km
        from {relation(db, 'customer_360')}""")
    merged = c360.merge(person, on="customer_id").merge(persons, on="person_id", suffixes=("", "_true"))
    merged["true_region"] = merged.country + "-" + merged.home_region_code
    return merged


def test_geocoded_regions_match_the_truth(customers_vs_truth):
    known = customers_vs_truth[customers_vs_truth.home_postal_area_true.notna()]
    geocoded = known[known.home_region.notna()]
    assert len(geocoded) > 500
    accuracy = (geocoded.home_region == geocoded.true_region).mean()
    settled = geocoded[geocoded.moved_at.isna()]
    settled_accuracy = (settled.home_region == settled.true_region).mean()
    print(f"region accuracy {accuracy:.2%} of {len(geocoded)} geocoded customers with a true home area "
          f"({settled_accuracy:.2%} of {len(settled)} who never moved); "
          f"{len(geocoded) / len(known):.2%} of {len(known)} such customers geocoded")
    assert accuracy >= MIN_REGION_ACCURACY
    # a mismatch is a golden record that kept the address from before a move, never a wrong lookup
    assert settled_accuracy == 1.0
    located = geocoded[geocoded.home_region == geocoded.true_region]
    # the same area, so the same centre
    assert (located.home_postal_area == located.home_postal_area_true).all()
    assert ((located.home_latitude - located.home_latitude_true).abs() < 1e-3).all()
    assert ((located.home_longitude - located.home_longitude_true).abs() < 1e-3).all()


def test_planted_unknown_and_malformed_codes_are_not_geocoded(customers_vs_truth):
    planted = customers_vs_truth[customers_vs_truth.home_postal_area_true.isna()
                                 & (customers_vs_truth.geocode_match_level != "no_postal_code")]
    assert len(planted) >= 10, "the generator plants postal codes outside the reference"
    left_out = planted.geocode_match_level.isin(["unknown_postal_area", "invalid_postal_code"])
    print(f"planted unknown or malformed postal codes left out: {left_out.mean():.2%} of {len(planted)}")
    assert left_out.mean() >= 0.9
    # the rest kept a good postal code from before a move
    assert left_out[planted.moved_at.isna()].all()


def test_match_levels_explain_missing_coordinates(customers_vs_truth):
    frame_ = customers_vs_truth
    assert frame_[frame_.geocode_match_level == "postal_area"].home_latitude.notna().all()
    assert frame_[frame_.geocode_match_level != "postal_area"].home_latitude.isna().all()
    invalid = frame_[frame_.geocode_match_level == "invalid_postal_code"]
    assert invalid.home_postal_area.isna().all()
    unknown = frame_[frame_.geocode_match_level == "unknown_postal_area"]
    assert unknown.home_postal_area.notna().all()


def test_nearest_store_is_the_closest_open_store(db, customers_vs_truth):
    as_of = db.execute(f"select max(as_of_date) from {relation(db, 'customer_360')}").fetchone()[0]
    stores = frame(db, f"""
        select store_id, latitude, longitude from {relation(db, 'stg_commerce__stores')}
        where (opened_at is null or cast(opened_at as date) <= date '{as_of}')
          and (closed_at is null or cast(closed_at as date) > date '{as_of}')""")
    located = customers_vs_truth[customers_vs_truth.home_latitude.notna()]
    assert located.nearest_store_id.notna().all()
    for row in located.head(300).itertuples():
        distances = {s.store_id: haversine_km(row.home_latitude, row.home_longitude, s.latitude, s.longitude)
                     for s in stores.itertuples()}
        best = min(distances, key=lambda k: (distances[k], k))
        assert row.nearest_store_km == pytest.approx(distances[best], abs=0.2)
        assert distances[row.nearest_store_id] == pytest.approx(distances[best], abs=0.2)
    assert customers_vs_truth[customers_vs_truth.home_latitude.isna()].nearest_store_id.isna().all()


def test_regional_summary_adds_up(db):
    c360 = relation(db, "customer_360")
    summary = frame(db, f"select * from {relation(db, 'rpt_regional_summary')}")
    per_region = frame(db, f"""
        select home_region as region_id, count(*) as customers, sum(revenue_lifetime) as revenue_lifetime
        from {c360} where is_customer and home_region is not null group by home_region""")
    merged = summary.merge(per_region, on="region_id", how="outer", suffixes=("", "_360")).fillna(0)
    assert (merged.customers == merged.customers_360).all()
    assert (merged.revenue_lifetime.astype(float) - merged.revenue_lifetime_360.astype(float)).abs().max() < 0.01
    orders = frame(db, f"""
        select count(*) as n, sum(case when o.store_id is not null then 1 else 0 end) as in_store
        from {relation(db, 'fct_orders')} as o
        inner join {relation(db, 'int_orders__geocoded')} as g on o.order_id = g.order_id
        where o.is_completed and g.region_code is not null""").iloc[0]
    assert summary.orders_completed.sum() == orders.n
    in_store = (summary.in_store_order_share.fillna(0) * summary.orders_completed).sum()
    assert in_store == pytest.approx(orders.in_store, abs=1)
    assert 0 < orders.in_store < orders.n
    assert summary.open_stores.sum() > 0
    assert summary.churn_rate.dropna().between(0, 1).all()


def test_coverage_report_matches_the_models(db, customers_vs_truth):
    coverage = frame(db, f"select * from {relation(db, 'rpt_geocode_coverage')}")
    for entity, model in (("customers", "int_customers__geocoded"), ("stores", "int_stores__geocoded"),
                          ("orders", "int_orders__geocoded")):
        counts = frame(db, f"select match_level, count(*) as n from {relation(db, model)} group by match_level")
        mine = coverage[coverage.entity == entity].set_index("match_level").row_count
        assert mine.sort_index().to_dict() == counts.set_index("match_level").n.sort_index().to_dict()
    print("geocoding coverage: " + ", ".join(
        f"{e} {coverage[coverage.entity == e].entity_coverage.iloc[0]:.2%}" for e in ("customers", "stores", "orders")))
    customers = coverage[coverage.entity == "customers"].set_index("match_level").row_count
    with_code = customers.drop(["no_postal_code", "unsupported_country"], errors="ignore")
    located = with_code.get("postal_area", 0) / with_code.sum()
    print(f"customers with a postal code geocoded: {located:.2%}")
    # planted unknown and malformed postal codes keep coverage below 100%
    assert 0.9 < located < 1.0
    assert with_code.get("unknown_postal_area", 0) > 0 and with_code.get("invalid_postal_code", 0) > 0
    assert coverage[coverage.entity == "stores"].entity_coverage.iloc[0] == 1.0


def test_benchmarks_compare_a_customer_with_segment_and_region(db):
    c360 = frame(db, f"""
        select segment, home_region, health_score, segment_avg_health_score, region_avg_health_score,
               health_score_vs_segment, health_score_vs_region, revenue_percentile_in_home_region
        from {relation(db, 'customer_360')}""")
    with_region = c360[c360.home_region.notna() & c360.health_score.notna()]
    expected = with_region.groupby("home_region").health_score.transform("mean")
    assert (with_region.region_avg_health_score - expected).abs().max() < 0.01
    gap = with_region.health_score - with_region.region_avg_health_score
    assert (gap - with_region.health_score_vs_region).abs().max() < 0.02
    assert c360[c360.home_region.isna()].revenue_percentile_in_home_region.isna().all()
    assert c360.revenue_percentile_in_home_region.dropna().between(0, 1).all()
