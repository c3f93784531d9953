"""Upsell and cross-sell: the next subcategories a customer is likely to buy.

For an as-of date every customer with a purchase by then is paired with each
subcategory they do not own yet. A pair is described by what was known then:
the subcategory's popularity, its co-purchase lift with what the customer
owns, how often it follows the lead item of the customer's last order, the
customer's share of purchases in its category and their buying rhythm. A
gradient-boosted classifier learns, from the window after earlier as-of
dates, which new subcategory a customer bought first; its ranking is compared
with recommending the most popular subcategories.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd
from sklearn.ensemble import HistGradientBoostingClassifier

from c360.scoring.config import ScoringConfig

PAIR_FEATURES = ("candidate", "popularity", "lift_max", "lift_mean", "follows_last_order", "category_share",
                 "same_category_owned",
                 "owned_count", "orders", "days_since_last_order")


@dataclass
class Knowledge:
    """What the order lines up to an as-of date say."""

    as_of: date
    subcategories: list[str]
    category_of: dict[str, str]
    customers: np.ndarray          # customer ids with a purchase by as_of
    owned: np.ndarray              # (customers, S) bool
    last_order: np.ndarray         # (customers, S) bool: subcategories of the latest order
    orders: np.ndarray             # distinct order days per customer
    days_since_last_order: np.ndarray
    popularity: np.ndarray         # (S,) share of buyers in the 364 days to as_of
    lift: np.ndarray               # (S, S) P(own b | own a) / P(own b)
    follows: np.ndarray            # (S, S) P(next order holds b | an order's lead item was a)
    lead_of_last: np.ndarray       # (customers,) subcategory of the last order's lead item
    category_share: np.ndarray     # (customers, categories) share of lines per category
    category_index: np.ndarray     # (S,) category position per subcategory


def with_datetimes(lines: pd.DataFrame) -> pd.DataFrame:
    """``lines`` with ``ordered_date`` as datetime64, which pandas compares,
    groups and takes maxima of in compiled code (Python ``date`` objects it
    handles one by one)."""
    if pd.api.types.is_datetime64_any_dtype(lines["ordered_date"]):
        return lines
    return lines.assign(ordered_date=pd.to_datetime(lines["ordered_date"]))


def knowledge(lines: pd.DataFrame, as_of: date, subcategories: list[str] | None = None) -> Knowledge:
    """Build the co-purchase statistics and per-customer state from ``lines``
    (customer_id, order_id, order_line_id, ordered_date, category,
    subcategory) up to ``as_of``. An order's lead item is its first line."""
    lines = with_datetimes(lines)
    cutoff = pd.Timestamp(as_of)
    lines = lines[lines["ordered_date"] <= cutoff]
    subs = subcategories or sorted(lines["subcategory"].unique())
    index = {s: i for i, s in enumerate(subs)}
    lines = lines[lines["subcategory"].isin(index)]
    category_of = dict(lines.drop_duplicates("subcategory").set_index("subcategory")["category"])
    daily = lines[["customer_id", "ordered_date", "subcategory"]].drop_duplicates()
    customers, cust_index = np.unique(daily["customer_id"].to_numpy(), return_inverse=True)
    sub_index = daily["subcategory"].map(index).to_numpy()
    n, s = len(customers), len(subs)
    owned = np.zeros((n, s), dtype=bool)
    owned[cust_index, sub_index] = True

    days = daily[["customer_id", "ordered_date"]].drop_duplicates()
    last_day = days.groupby("customer_id")["ordered_date"].max()
    last_day_of = last_day.reindex(customers).to_numpy()
    is_last = daily["ordered_date"].to_numpy() == last_day_of[cust_index]
    last_order = np.zeros((n, s), dtype=bool)
    last_order[cust_index[is_last], sub_index[is_last]] = True
    orders = days.groupby("customer_id").size().reindex(customers).to_numpy()
    since = ((cutoff.to_datetime64() - last_day_of) // np.timedelta64(1, "D")).astype(float)

    recent = daily[daily["ordered_date"] > cutoff - timedelta(days=364)]
    popularity = np.zeros(s)
    counts = recent.drop_duplicates(["customer_id", "subcategory"])["subcategory"].map(index).value_counts()
    popularity[counts.index.to_numpy()] = counts.to_numpy() / max(recent["customer_id"].nunique(), 1)

    own_f = owned.astype(np.float32)
    co = own_f.T @ own_f                                    # (S, S) co-owners
    owners = np.diag(co).copy()
    p_b = (owners + 1) / (n + s)
    lift = ((co + 1) / (owners[:, None] + s)) / p_b[None, :]

    # consecutive orders of a customer: the lead item of order k -> what order k + 1 holds
    lead = (lines.sort_values("order_line_id").drop_duplicates("order_id")
            [["customer_id", "order_id", "ordered_date", "subcategory"]])
    lead = lead.sort_values(["customer_id", "ordered_date", "order_id"])
    lead["k"] = lead.groupby("customer_id").cumcount()
    held = lines[["order_id", "subcategory"]].drop_duplicates()
    nxt = lead[["customer_id", "k", "order_id"]].assign(k=lead["k"] - 1)
    pairs = (lead[["customer_id", "k", "subcategory"]]
             .merge(nxt, on=["customer_id", "k"]).merge(held, on="order_id", suffixes=("_a", "_b")))
    follows_counts = np.zeros((s, s))
    np.add.at(follows_counts, (pairs["subcategory_a"].map(index).to_numpy(),
                               pairs["subcategory_b"].map(index).to_numpy()), 1)
    follows = (follows_counts + 1) / (follows_counts.sum(axis=1, keepdims=True) + s)
    last_lead = lead.drop_duplicates("customer_id", keep="last").set_index("customer_id")["subcategory"]
    lead_of_last = last_lead.reindex(customers).map(index).to_numpy()

    categories = sorted(set(category_of.values()))
    category_index = np.array([categories.index(category_of.get(sub, categories[0])) for sub in subs])
    per_category = (lines.assign(c=category_index[lines["subcategory"].map(index).to_numpy()])
                    .groupby(["customer_id", "c"]).size().unstack(fill_value=0)
                    .reindex(index=customers, columns=range(len(categories)), fill_value=0).to_numpy(float))
    category_share = per_category / np.maximum(per_category.sum(axis=1, keepdims=True), 1)
    return Knowledge(as_of, subs, category_of, customers, owned, last_order, orders, since, popularity,
                     lift, follows, lead_of_last, category_share, category_index)


def pair_features(k: Knowledge, rows: np.ndarray | None = None) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """Features of every (customer, not-owned subcategory) pair for customer
    positions ``rows`` (default all): (features, customer position, subcategory index)."""
    rows = np.arange(len(k.customers)) if rows is None else rows
    owned = k.owned[rows]
    customer_pos, candidate = np.nonzero(~owned)
    own_f = owned.astype(np.float32)
    owned_count = own_f.sum(axis=1)
    lift_mean = (own_f @ k.lift) / np.maximum(owned_count, 1)[:, None]
    lift_max = np.zeros_like(lift_mean)
    for a in range(len(k.subcategories)):
        np.maximum(lift_max, np.where(owned[:, a:a + 1], k.lift[a][None, :], 0.0), out=lift_max)
    follows_last = k.follows[k.lead_of_last[rows]]
    category_share = k.category_share[rows][:, k.category_index]
    cats = np.array([k.category_of.get(sub, "") for sub in k.subcategories])
    same_cat = np.stack([owned[:, cats == c].sum(axis=1) for c in cats], axis=1)
    frame = pd.DataFrame({
        "candidate": candidate.astype(np.float32),
        "popularity": k.popularity[candidate].astype(np.float32),
        "lift_max": lift_max[customer_pos, candidate].astype(np.float32),
        "lift_mean": lift_mean[customer_pos, candidate].astype(np.float32),
        "follows_last_order": follows_last[customer_pos, candidate].astype(np.float32),
        "category_share": category_share[customer_pos, candidate].astype(np.float32),
        "same_category_owned": same_cat[customer_pos, candidate].astype(np.float32),
        "owned_count": owned_count[customer_pos].astype(np.float32),
        "orders": k.orders[rows][customer_pos].astype(np.float32),
        "days_since_last_order": k.days_since_last_order[rows][customer_pos].astype(np.float32),
    })
    return frame, rows[customer_pos], candidate


def bought_after(lines: pd.DataFrame, k: Knowledge, horizon_days: int) -> tuple[np.ndarray, dict[int, int]]:
    """(bought, first_new): bought[(customer, subcategory)] in the window after
    the as-of date as a (customers, S) bool matrix, and each customer's first
    newly bought subcategory (position -> index) in that window."""
    lines = with_datetimes(lines)
    start = pd.Timestamp(k.as_of)
    window = lines[(lines["ordered_date"] > start) & (lines["ordered_date"] <= start + timedelta(days=horizon_days))]
    position = pd.Series(np.arange(len(k.customers)), index=k.customers)
    index = {s: i for i, s in enumerate(k.subcategories)}
    window = window[window["customer_id"].isin(position.index) & window["subcategory"].isin(index)]
    pos = position[window["customer_id"]].to_numpy(dtype=np.int64)
    sub = window["subcategory"].map(index).to_numpy(dtype=np.int64)
    bought = np.zeros_like(k.owned)
    bought[pos, sub] = True
    bought &= ~k.owned
    first_new: dict[int, int] = {}
    fresh = ~k.owned[pos, sub]
    ordered = window.assign(pos=pos, sub=sub)[fresh].sort_values(["ordered_date", "subcategory"])
    for p, s in zip(ordered["pos"].to_numpy(), ordered["sub"].to_numpy(), strict=True):
        first_new.setdefault(int(p), int(s))
    return bought, first_new


def model(random_state: int):
    return HistGradientBoostingClassifier(max_iter=200, learning_rate=0.05, max_leaf_nodes=15, min_samples_leaf=100,
                                          categorical_features=[0], early_stopping=True, random_state=random_state)


def training_set(lines: pd.DataFrame, dates: list[date], config: ScoringConfig, subs: list[str]):
    """Pairs of the customers who bought a subcategory new to them in the
    window after each date, labelled 1 for the first such subcategory: the
    model learns which not-yet-owned subcategory comes next."""
    frames, labels = [], []
    for as_of in dates:
        k = knowledge(lines, as_of, subs)
        _, first_new = bought_after(lines, k, config.upsell_horizon_days)
        rows = np.array(sorted(first_new), dtype=int)
        limit = min(config.max_examples_per_date, config.upsell_max_customers_per_date)
        if len(rows) > limit:
            order = np.argsort(pd.util.hash_pandas_object(pd.Series(k.customers[rows]), index=False).to_numpy())
            rows = np.sort(rows[order[:limit]])
        if rows.size == 0:
            continue
        x, pos, cand = pair_features(k, rows)
        frames.append(x)
        labels.append(np.array([first_new[int(p)] == c for p, c in zip(pos, cand, strict=True)], dtype=int))
    if not frames:
        return pd.DataFrame(columns=list(PAIR_FEATURES)), np.array([], dtype=int)
    return pd.concat(frames, ignore_index=True), np.concatenate(labels)


def rank(propensity: np.ndarray, pos: np.ndarray, cand: np.ndarray, top: int) -> pd.DataFrame:
    """The ``top`` candidates per customer position by propensity."""
    frame = pd.DataFrame({"pos": pos, "cand": cand, "propensity": propensity})
    frame = frame.sort_values(["pos", "propensity", "cand"], ascending=[True, False, True])
    frame["recommendation_rank"] = frame.groupby("pos").cumcount() + 1
    return frame[frame["recommendation_rank"] <= top]


def hit_rate(ranked: pd.DataFrame, first_new: dict[int, int]) -> float | None:
    """Share of customers whose first newly bought subcategory is among their recommendations."""
    if not first_new:
        return None
    picks = ranked.groupby("pos")["cand"].apply(set).to_dict()
    hits = sum(1 for p, s in first_new.items() if s in picks.get(p, ()))
    return hits / len(first_new)


def popular_ranking(k: Knowledge, top: int) -> pd.DataFrame:
    """The baseline: the most popular subcategories the customer does not own."""
    x, pos, cand = pair_features(k)
    return rank(x["popularity"].to_numpy() + 1e-9 * -cand, pos, cand, top)


def reason(k: Knowledge, position: int, candidate: int) -> str:
    """Why a subcategory is recommended: the strongest co-purchase lift with
    something the customer owns, else what follows their last order, else
    popularity."""
    owned = np.nonzero(k.owned[position])[0]
    name = k.subcategories[candidate]
    if owned.size:
        best = owned[np.argmax(k.lift[owned, candidate])]
        if k.lift[best, candidate] > 1.2:
            return (f"owners of {k.subcategories[best]} buy {name} "
                    f"{k.lift[best, candidate]:.1f}x as often as customers overall")
    lead = k.subcategories[k.lead_of_last[position]]
    if k.follows[k.lead_of_last[position], candidate] > 1.2 * k.popularity[candidate] / max(len(k.subcategories), 1):
        return f"often bought in the order after one led by {lead}"
    return f"popular: {k.popularity[candidate]:.0%} of recent buyers bought {name}"
