"""The upsell statistics on a few hand-written order lines: what each
customer owns, their last order, days since it, and what they bought new in
the window after the as-of date, with dates given either as Python dates or
as datetime64 (what the warehouse reader returns)."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from c360.scoring import upsell

LINES = [
    # customer, order, line, date, category, subcategory
    ("c1", "o1", "l1", date(2026, 1, 5), "home", "lamps"),
    ("c1", "o1", "l2", date(2026, 1, 5), "home", "rugs"),
    ("c1", "o2", "l3", date(2026, 2, 10), "garden", "seeds"),
    ("c2", "o3", "l4", date(2026, 1, 20), "home", "rugs"),
    ("c1", "o4", "l5", date(2026, 3, 15), "garden", "tools"),   # after the as-of date: new to c1
    ("c1", "o4", "l6", date(2026, 3, 15), "home", "lamps"),     # owned already
    ("c2", "o5", "l7", date(2026, 6, 30), "home", "lamps"),     # after the 90-day window
]
AS_OF = date(2026, 2, 28)


def frame(as_datetime: bool) -> pd.DataFrame:
    lines = pd.DataFrame(LINES, columns=["customer_id", "order_id", "order_line_id", "ordered_date",
                                         "category", "subcategory"])
    if as_datetime:
        lines["ordered_date"] = pd.to_datetime(lines["ordered_date"])
    return lines


@pytest.mark.parametrize("as_datetime", [False, True], ids=["date", "datetime64"])
def test_knowledge_and_the_window_after(as_datetime):
    lines = frame(as_datetime)
    subs = sorted(lines["subcategory"].unique())   # lamps, rugs, seeds, tools
    k = upsell.knowledge(lines, AS_OF, subs)
    assert list(k.customers) == ["c1", "c2"]
    assert k.owned.tolist() == [[True, True, True, False], [False, True, False, False]]
    assert k.last_order.tolist() == [[False, False, True, False], [False, True, False, False]]
    assert k.orders.tolist() == [2, 1]
    assert k.days_since_last_order.tolist() == [18.0, 39.0]
    assert k.lead_of_last.tolist() == [subs.index("seeds"), subs.index("rugs")]
    bought, first_new = upsell.bought_after(lines, k, horizon_days=90)
    assert first_new == {0: subs.index("tools")}
    assert np.flatnonzero(bought[0]).tolist() == [subs.index("tools")] and not bought[1].any()


def test_a_window_without_purchases_gives_no_labels():
    lines = frame(True)
    k = upsell.knowledge(lines, date(2026, 7, 31), sorted(lines["subcategory"].unique()))
    bought, first_new = upsell.bought_after(lines, k, horizon_days=90)
    assert first_new == {} and not bought.any()
