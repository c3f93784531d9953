"""Reference data that does not depend on the number of customers.

The product catalogue (with its subcategory transition structure), the store
network and the marketing campaign calendar are drawn once per seed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from .batch import Batch
from .clock import Clock
from .pools import Pools
from .schema import NULL, TABLE_BY_NAME
from .seeding import Streams

# (category, subcategory, brands, product nouns, USD price range, product count)
SUBCATEGORIES = (
    ("kitchen", "coffee_machines", ("Pine Brew", "Barista & Co"),
     ("Espresso Machine", "Drip Coffee Maker", "Bean-to-Cup Machine", "Pour-Over Brewer"), (79, 899), 8),
    ("kitchen", "coffee", ("Pine Roasters",),
     ("House Blend 500g", "Single Origin Beans 1kg", "Decaf Blend 500g", "Espresso Roast 1kg"), (9, 34), 8),
    ("kitchen", "filters", ("Pine Brew",),
     ("Paper Filters 100pk", "Water Filter Cartridge", "Permanent Mesh Filter"), (5, 29), 6),
    ("kitchen", "cookware", ("Alder Kitchen", "Ironleaf"),
     ("Cast Iron Skillet", "Saucepan Set", "Dutch Oven", "Nonstick Frying Pan"), (29, 349), 10),
    ("kitchen", "knives", ("Ironleaf",), ("Chef's Knife", "Knife Block Set", "Paring Knife"), (19, 299), 6),
    ("kitchen", "small_appliances", ("Alder Kitchen", "Voltline"),
     ("Electric Kettle", "Toaster", "Blender", "Stand Mixer"), (25, 499), 9),
    ("home", "lighting", ("Lumen & Oak",), ("Floor Lamp", "Table Lamp", "Pendant Light", "LED Strip"), (19, 329), 9),
    ("home", "textiles", ("Hearth Loom",), ("Wool Throw", "Area Rug", "Linen Bedding Set", "Cushion Cover"),
     (15, 499), 10),
    ("home", "furniture", ("Alder Home",), ("Side Table", "Lounge Chair", "Bookshelf", "Desk"), (79, 1299), 8),
    ("home", "decor", ("Hearth Loom", "Alder Home"), ("Ceramic Vase", "Picture Frame", "Scented Candle", "Wall Mirror"),
     (9, 189), 9),
    ("home", "storage", ("Alder Home",), ("Storage Basket", "Shoe Rack", "Closet Organizer"), (12, 159), 6),
    ("outdoor", "camping", ("Trailpine",), ("2-Person Tent", "Sleeping Bag", "Camping Stove", "Headlamp"),
     (19, 449), 9),
    ("outdoor", "garden", ("Greenfold",), ("Pruning Shears", "Raised Planter", "Garden Hose", "Tool Set"),
     (12, 249), 8),
    ("outdoor", "grills", ("Emberline",), ("Charcoal Grill", "Gas Grill", "Pellet Smoker"), (149, 1199), 6),
    ("outdoor", "grill_accessories", ("Emberline",),
     ("Grill Cover", "BBQ Tool Set", "Charcoal 10kg", "Meat Thermometer"), (9, 89), 7),
    ("electronics", "audio", ("Soundfir", "Voltline"),
     ("Wireless Headphones", "Bluetooth Speaker", "Earbuds", "Soundbar"), (39, 599), 10),
    ("electronics", "smart_home", ("Voltline",), ("Smart Plug", "Smart Thermostat", "Video Doorbell", "Smart Bulb"),
     (15, 279), 8),
    ("electronics", "phone_accessories", ("Voltline",), ("USB-C Charger", "Phone Case", "Power Bank", "Cable 2m"),
     (9, 89), 8),
    ("electronics", "tv_video", ("Soundfir",), ("Streaming Stick", "Projector", "TV Wall Mount"), (29, 899), 6),
    ("apparel", "outerwear", ("Trailpine", "North Alder"), ("Rain Jacket", "Down Parka", "Fleece", "Softshell"),
     (49, 399), 10),
    ("apparel", "footwear", ("North Alder",), ("Hiking Boot", "Trail Runner", "Wool Slipper", "Rain Boot"),
     (39, 249), 8),
    ("apparel", "basics", ("North Alder",), ("Merino Tee", "Flannel Shirt", "Wool Socks 3pk", "Chino"), (15, 99), 9),
    ("apparel", "accessories", ("North Alder", "Trailpine"), ("Beanie", "Leather Belt", "Daypack", "Gloves"), (15, 129),
     8),
)
VARIANT_WORDS = ("Classic", "Pro", "Mini", "XL", "Slate", "Oak", "Sage", "Sand", "Plus", "Lite", "Max", "Duo")

# (plan name, category, subcategory, plan code, billing period, USD price per period)
PLANS = (
    ("Pine Club Membership", "membership", "pine_club", "PINECLUB-Y", "annual", 4900),
    ("Pine Club Membership Monthly", "membership", "pine_club", "PINECLUB-M", "monthly", 499),
    ("Coffee Refill Plan", "kitchen", "refill_plans", "COFFEE-M", "monthly", 2499),
    ("Filter Refill Plan", "kitchen", "refill_plans", "FILTER-M", "monthly", 899),
    ("Device Protection Plan", "electronics", "protection_plans", "PROTECT-M", "monthly", 699),
    ("Device Protection Plan Annual", "electronics", "protection_plans", "PROTECT-Y", "annual", 6900),
)
PLAN_PINE_CLUB = (0, 1)
PLAN_COFFEE, PLAN_FILTER = 2, 3
PLAN_PROTECTION = (4, 5)

# Extra weight on "next subcategory" after buying one (complements and refills).
TRANSITION_BOOSTS = {
    "coffee_machines": {"coffee": 6.0, "filters": 5.0, "small_appliances": 1.0},
    "coffee": {"coffee": 5.0, "filters": 2.0},
    "filters": {"coffee": 3.0, "filters": 2.0},
    "cookware": {"knives": 2.5, "small_appliances": 1.5},
    "grills": {"grill_accessories": 6.0},
    "grill_accessories": {"grill_accessories": 2.0},
    "camping": {"outerwear": 2.0, "footwear": 1.5, "camping": 1.5},
    "audio": {"phone_accessories": 3.0},
    "smart_home": {"lighting": 2.0, "smart_home": 2.0},
    "furniture": {"textiles": 2.0, "decor": 2.0, "lighting": 2.0},
    "outerwear": {"footwear": 2.0, "accessories": 2.0},
    "tv_video": {"audio": 2.5},
}
# Subcategories whose purchase can trigger a protection plan / a claim.
PROTECTABLE = ("coffee_machines", "small_appliances", "audio", "smart_home", "tv_video", "grills")

# (city, country index, region, postal code, latitude, longitude, timezone index)
CITIES = (
    ("New York", 0, "NY", "10001", 40.7128, -74.0060, 0), ("Brooklyn", 0, "NY", "11201", 40.6782, -73.9442, 0),
    ("Boston", 0, "MA", "02110", 42.3601, -71.0589, 0), ("Philadelphia", 0, "PA", "19103", 39.9526, -75.1652, 0),
    ("Washington", 0, "DC", "20001", 38.9072, -77.0369, 0), ("Atlanta", 0, "GA", "30303", 33.7490, -84.3880, 0),
    ("Miami", 0, "FL", "33130", 25.7617, -80.1918, 0), ("Chicago", 0, "IL", "60601", 41.8781, -87.6298, 1),
    ("Minneapolis", 0, "MN", "55401", 44.9778, -93.2650, 1), ("Dallas", 0, "TX", "75201", 32.7767, -96.7970, 1),
    ("Houston", 0, "TX", "77002", 29.7604, -95.3698, 1), ("Austin", 0, "TX", "78701", 30.2672, -97.7431, 1),
    ("Nashville", 0, "TN", "37203", 36.1627, -86.7816, 1), ("Denver", 0, "CO", "80202", 39.7392, -104.9903, 2),
    ("Salt Lake City", 0, "UT", "84101", 40.7608, -111.8910, 2), ("Seattle", 0, "WA", "98101", 47.6062, -122.3321, 3),
    ("Portland", 0, "OR", "97204", 45.5152, -122.6784, 3), ("San Francisco", 0, "CA", "94103", 37.7749, -122.4194, 3),
    ("Los Angeles", 0, "CA", "90012", 34.0522, -118.2437, 3), ("San Diego", 0, "CA", "92101", 32.7157, -117.1611, 3),
    ("London", 1, "Greater London", "W1D 1BS", 51.5074, -0.1278, 4),
    ("Manchester", 1, "North West", "M1 1AE", 53.4808, -2.2426, 4),
    ("Birmingham", 1, "West Midlands", "B2 4QA", 52.4862, -1.8904, 4),
    ("Leeds", 1, "Yorkshire", "LS1 4AP", 53.8008, -1.5491, 4),
    ("Glasgow", 1, "Scotland", "G1 3SL", 55.8642, -4.2518, 4),
    ("Edinburgh", 1, "Scotland", "EH1 1YZ", 55.9533, -3.1883, 4),
    ("Bristol", 1, "South West", "BS1 5TR", 51.4545, -2.5879, 4),
    ("Liverpool", 1, "North West", "L1 8JQ", 53.4084, -2.9916, 4),
    ("Berlin", 2, "Berlin", "10117", 52.5200, 13.4050, 5), ("Hamburg", 2, "Hamburg", "20095", 53.5511, 9.9937, 5),
    ("München", 2, "Bayern", "80331", 48.1351, 11.5820, 5),
    ("Köln", 2, "Nordrhein-Westfalen", "50667", 50.9375, 6.9603, 5),
    ("Frankfurt am Main", 2, "Hessen", "60311", 50.1109, 8.6821, 5),
    ("Stuttgart", 2, "Baden-Württemberg", "70173", 48.7758, 9.1829, 5),
    ("Düsseldorf", 2, "Nordrhein-Westfalen", "40213", 51.2277, 6.7735, 5),
    ("Leipzig", 2, "Sachsen", "04109", 51.3397, 12.3731, 5),
)
STORE_TYPES = ("flagship", "mall", "outlet", "partner")
CAMPAIGNS_PER_YEAR = 30
CAMPAIGN_CHANNELS = ("email", "sms", "push")
OBJECTIVES = ("acquisition", "retention", "upsell", "winback")
SEASONS = ("Winter", "Spring", "Summer", "Autumn")


@dataclass
class Catalog:
    """Products, stores and campaigns plus the arrays the simulation needs."""

    products: Batch
    stores: Batch
    campaigns: Batch
    subcategories: tuple[str, ...]
    transition: np.ndarray          # (S, S) row-stochastic subcategory transitions
    category_of_sub: np.ndarray     # (S,) category index per subcategory
    categories: tuple[str, ...]
    product_sub: np.ndarray         # (P,) subcategory index; -1 for plans
    product_price: np.ndarray       # (P,) USD list price in cents
    product_launch: np.ndarray      # (P,) epoch seconds
    sub_products: list[np.ndarray]  # product indices per subcategory, oldest first
    plan_product: np.ndarray        # (plans,) product index of each plan
    store_country: np.ndarray
    store_zone: np.ndarray
    store_open: np.ndarray
    store_close: np.ndarray         # NULL when still open
    campaign_channel: np.ndarray
    campaign_objective: np.ndarray
    campaign_category: np.ndarray
    campaign_launch: np.ndarray

    @property
    def protectable(self) -> np.ndarray:
        """Boolean mask over subcategories that carry a warranty or protection plan."""
        return np.isin(np.array(self.subcategories), PROTECTABLE)


def _transition_matrix(subs: tuple[str, ...], cats: np.ndarray) -> np.ndarray:
    n = len(subs)
    same_category = (cats[:, None] == cats[None, :]).astype(float)
    weights = 0.6 + 1.2 * same_category + 1.5 * np.eye(n)
    pos = {s: i for i, s in enumerate(subs)}
    for src, targets in TRANSITION_BOOSTS.items():
        for dst, boost in targets.items():
            weights[pos[src], pos[dst]] += boost * 3.0
    return weights / weights.sum(axis=1, keepdims=True)


def _products(rng: np.random.Generator, clock: Clock):
    rows = []
    for cat, sub, brands, nouns, (lo, hi), count in SUBCATEGORIES:
        seen: set[str] = set()
        while len(seen) < count:
            brand = brands[rng.integers(len(brands))]
            name = f"{brand} {nouns[rng.integers(len(nouns))]} {VARIANT_WORDS[rng.integers(len(VARIANT_WORDS))]}"
            if name in seen:
                continue
            seen.add(name)
            price = int(np.exp(rng.uniform(np.log(lo), np.log(hi)))) * 100 + 99
            rows.append((name, cat, sub, brand, price, False))
    for name, cat, sub, _code, _period, price in PLANS:
        rows.append((name, cat, sub, "Alder & Pine", price, True))
    n = len(rows)
    history_start = clock.start - 6 * 365 * 86_400
    launch = rng.integers(history_start, clock.start, n)
    recent = rng.random(n) < 0.15
    launch = np.where(recent, rng.integers(clock.start, clock.cutoff - 120 * 86_400, n), launch)
    # Plans and the first product of every subcategory exist for the whole window.
    first_of_sub = [i for i, r in enumerate(rows) if r[5] or i == 0 or rows[i - 1][2] != r[2]]
    launch[first_of_sub] = history_start
    return rows, launch


def build_catalog(streams: Streams, pools: Pools, clock: Clock) -> Catalog:
    """Draw the catalogue, store network and campaign calendar for a seed."""
    rng = streams.rng("catalog")
    subs = tuple(s[1] for s in SUBCATEGORIES)
    categories = tuple(dict.fromkeys(s[0] for s in SUBCATEGORIES))
    cat_of_sub = np.array([categories.index(s[0]) for s in SUBCATEGORIES])
    rows, launch = _products(rng, clock)
    sub_index = {s: i for i, s in enumerate(subs)}
    product_sub = np.array([sub_index.get(r[2], -1) for r in rows])
    # Within a subcategory keep the oldest product first: it is the fallback before later launches.
    sub_products = [np.flatnonzero(product_sub == s)[np.argsort(launch[product_sub == s], kind="stable")]
                    for s in range(len(subs))]
    n = len(rows)
    product_ids = np.arange(1, n + 1)
    skus = [f"{r[1][:3].upper()}-{r[2][:4].upper()}-{10_000 + 37 * i:06d}" for i, r in enumerate(rows)]
    prices = np.array([r[4] for r in rows], dtype=np.int64)
    products = Batch(TABLE_BY_NAME["commerce.products"], {
        "product_id": product_ids,
        "sku": pa.array(skus),
        "product_name": pa.array([r[0] for r in rows]),
        "category": pa.array([r[1] for r in rows]),
        "subcategory": pa.array([r[2] for r in rows]),
        "brand": pa.array([r[3] for r in rows]),
        "list_price": prices,
        "is_subscription": np.array([r[5] for r in rows]),
        "launched_at": launch,
        "_loaded_at": clock.extract_times(rng, n),
    }, person=np.full(n, -1))
    plan_product = np.array([i for i, r in enumerate(rows) if r[5]])

    stores, store_arrays = _stores(rng, pools, clock)
    campaigns, campaign_arrays = _campaigns(rng, clock, categories)
    return Catalog(
        products=products, stores=stores, campaigns=campaigns, subcategories=subs,
        transition=_transition_matrix(subs, cat_of_sub), category_of_sub=cat_of_sub, categories=categories,
        product_sub=product_sub, product_price=prices, product_launch=launch, sub_products=sub_products,
        plan_product=plan_product, **store_arrays, **campaign_arrays,
    )


def _stores(rng: np.random.Generator, pools: Pools, clock: Clock):
    city_rows = [c for c in CITIES for _ in range(1 + int(rng.random() < 0.6))]
    n = len(city_rows)
    city_country = np.array([c[1] for c in city_rows])
    first_in_city = np.array([i == 0 or city_rows[i - 1][0] != c[0] for i, c in enumerate(city_rows)])
    store_type = np.where(first_in_city, np.where(rng.random(n) < 0.5, 0, 1), rng.choice([1, 2, 3], n, p=[.4, .3, .3]))
    opened = rng.integers(clock.start - 12 * 365 * 86_400, clock.start, n)
    new = (~first_in_city) & (rng.random(n) < 0.3)
    opened = np.where(new, rng.integers(clock.start, clock.cutoff - 200 * 86_400, n), opened)
    closed = np.full(n, NULL)
    closable = np.flatnonzero(~first_in_city & ~new)
    closing = rng.choice(closable, size=min(3, len(closable)), replace=False)
    closed[closing] = rng.integers(clock.start + 200 * 86_400, clock.cutoff - 30 * 86_400, len(closing))
    streets, names = [], []
    for i, (city, country, *_rest) in enumerate(city_rows):
        base = pools.streets[country][rng.integers(len(pools.streets[country]))]
        number = rng.integers(1, 400)
        if country == 2:
            streets.append(f"{base} {number}")
        else:
            streets.append(f"{number} {base} {('Street', 'Avenue', 'Road')[rng.integers(3)]}")
        label = ("Flagship", "Mall", "Outlet", "Shop-in-Shop")[store_type[i]]
        names.append(f"Alder & Pine {city} {label}{'' if first_in_city[i] else ' North'}")
    jitter = rng.normal(0, 0.03, (n, 2))
    batch = Batch(TABLE_BY_NAME["commerce.stores"], {
        "store_id": np.arange(1, n + 1),
        "store_name": pa.array(names),
        "store_type": pa.array(np.array(STORE_TYPES)[store_type]),
        "street": pa.array(streets),
        "city": pa.array([c[0] for c in city_rows]),
        "postal_code": pa.array([c[3] for c in city_rows]),
        "country": pa.array(np.array(["US", "GB", "DE"])[city_country]),
        "region": pa.array([c[2] for c in city_rows]),
        "latitude": np.round(np.array([c[4] for c in city_rows]) + jitter[:, 0], 5),
        "longitude": np.round(np.array([c[5] for c in city_rows]) + jitter[:, 1], 5),
        "opened_at": opened,
        "closed_at": closed,
        "_loaded_at": clock.extract_times(rng, n),
    }, person=np.full(n, -1))
    arrays = dict(store_country=city_country, store_zone=np.array([c[6] for c in city_rows]),
                  store_open=opened, store_close=closed)
    return batch, arrays


def _campaigns(rng: np.random.Generator, clock: Clock, categories: tuple[str, ...]):
    years = (clock.cutoff - clock.start) / (365 * 86_400)
    n = round(CAMPAIGNS_PER_YEAR * years)
    launch = np.sort(rng.integers(clock.start, clock.cutoff - 3 * 86_400, n))
    channel = rng.choice(3, n, p=[0.6, 0.2, 0.2])
    objective = rng.choice(4, n, p=[0.3, 0.3, 0.25, 0.15])
    category = rng.integers(len(categories), size=n)
    months = launch.astype("datetime64[s]").astype("datetime64[M]").astype(np.int64)
    season = (months % 12 + 1) % 12 // 3
    year = months // 12 + 1970
    names = [
        f"{OBJECTIVES[o].title()} - {categories[c].title()} {SEASONS[s]} {y} ({CAMPAIGN_CHANNELS[ch]})"
        for o, c, s, y, ch in zip(objective, category, season, year, channel, strict=True)
    ]
    batch = Batch(TABLE_BY_NAME["marketing.campaigns"], {
        "campaign_id": np.arange(1, n + 1),
        "campaign_name": pa.array(names),
        "channel": pa.array(np.array(CAMPAIGN_CHANNELS)[channel]),
        "objective": pa.array(np.array(OBJECTIVES)[objective]),
        "product_category": pa.array(np.array(categories)[category]),
        "launched_at": launch,
        "_loaded_at": clock.extract_times(rng, n),
    }, person=np.full(n, -1))
    arrays = dict(campaign_channel=channel, campaign_objective=objective, campaign_category=category,
                  campaign_launch=launch)
    return batch, arrays
