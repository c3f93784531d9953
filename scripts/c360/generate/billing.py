"""Subscriptions, invoices and payment attempts of the subscription line.

Plans start after purchases that call for them (coffee machine -> coffee
refills, electronics -> protection plan) or spontaneously (Pine Club).  They
end when the person churns or cancels voluntarily.  Payment failures become
more likely as a person's latent health declines; failed attempts are retried.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .batch import Batch
from .catalog import PLAN_COFFEE, PLAN_FILTER, PLAN_PINE_CLUB, PLAN_PROTECTION, PLANS
from .commerce import OrderFacts
from .context import Chunk, group_rank, run_starts
from .formatting import DAY
from .identity import NULL_STRING, drop
from .population import scramble
from .schema import INVOICE_STATUSES, NULL, SUBSCRIPTION_STATUSES, TABLE_BY_NAME
from .vocab import CURRENCIES, FX, PAYMENT_FAILURES

RETRY_OFFSETS = np.array([0, 3, 8, 15]) * DAY
METHODS = ("card", "paypal", "direct_debit")
DUE_DAYS = 3


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def _plan_starts(rng, chunk: Chunk, facts: OrderFacts) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Person, plan index and start time of every subscription in the chunk."""
    pop, cat, clock = chunk.world.pop, chunk.world.catalog, chunk.world.clock
    subs = np.array(cat.subcategories)[facts.line_sub]
    done = facts.order_completed
    triggers = [
        (done & (subs == "coffee_machines") & (rng.random(len(subs)) < 0.35), PLAN_COFFEE, 45),
        (done & (subs == "filters") & (rng.random(len(subs)) < 0.06), PLAN_FILTER, 20),
        (done & cat.protectable[facts.line_sub] & (rng.random(len(subs)) < 0.15), -1, 0),
    ]
    person, plan, start = [], [], []
    for mask, plan_index, delay_days in triggers:
        rows = np.flatnonzero(mask)
        person.append(facts.line_person[rows])
        if plan_index < 0:
            plan.append(np.where(rng.random(len(rows)) < 0.6, PLAN_PROTECTION[0], PLAN_PROTECTION[1]))
        else:
            plan.append(np.full(len(rows), plan_index))
        start.append(facts.line_time[rows] + 300 + rng.integers(0, delay_days * DAY + 1, len(rows)))
    cust = chunk.customers
    club = cust[rng.random(len(cust)) < 0.22]
    person.append(club)
    plan.append(np.where(rng.random(len(club)) < 0.3, PLAN_PINE_CLUB[1], PLAN_PINE_CLUB[0]))
    start.append(pop.first_purchase_at[club] + rng.integers(0, 400 * DAY, len(club)))
    person, plan, start = np.concatenate(person), np.concatenate(plan), np.concatenate(start)

    ok = (start < clock.cutoff - DAY) & pop.customer_at(person, start)
    person, plan, start = person[ok], plan[ok], start[ok]
    # One subscription per person and plan family: the earliest start wins.
    family = np.select([np.isin(plan, PLAN_PINE_CLUB), np.isin(plan, PLAN_PROTECTION)], [0, 1], 2 + plan)
    order = np.lexsort((start, family, person))
    person, plan, start, family = person[order], plan[order], start[order], family[order]
    first = run_starts(person, family)
    return person[first], plan[first], start[first]


def _add_months(seconds: np.ndarray, months: np.ndarray) -> np.ndarray:
    """Calendar-month arithmetic; anchors past the 28th roll back to the 28th."""
    month = seconds.astype("datetime64[s]").astype("datetime64[M]")
    into_month = seconds - month.astype("datetime64[s]").astype(np.int64)
    into_month = np.minimum(into_month, 27 * DAY + into_month % DAY)
    return (month + months).astype("datetime64[s]").astype(np.int64) + into_month


def generate_billing(chunk: Chunk, facts: OrderFacts) -> tuple[Batch, Batch, Batch]:
    """``billing.subscriptions``, ``billing.invoices`` and ``billing.payments``."""
    world, pop, cat, render, clock = (chunk.world, chunk.world.pop, chunk.world.catalog, chunk.world.render,
                                      chunk.world.clock)
    rng = chunk.rng("billing")
    person, plan, start = _plan_starts(rng, chunk, facts)
    n = len(person)
    country = pop.country[person]
    annual = np.array([p[4] == "annual" for p in PLANS])[plan]
    period_months = np.where(annual, 12, 1)
    price = np.round(np.array([p[5] for p in PLANS])[plan] * np.array(FX)[country]).astype(np.int64)

    # End of the subscription: churn, or a voluntary cancellation.
    churned = pop.churned_at[person]
    hazard = 0.02 * np.exp(-0.6 * pop.health[person]) / 30 / DAY
    voluntary = start + DAY + rng.exponential(1 / hazard).astype(np.int64)
    churn_end = np.where((churned != NULL) & (churned > start),
                         np.maximum(churned + rng.integers(-10 * DAY, 2 * DAY, n), start + DAY), NULL)
    end = np.where(churn_end != NULL, np.minimum(churn_end, voluntary), voluntary)
    cancelled_at = np.where(end < clock.cutoff, end, NULL)

    # Invoices: one per billing period until cancellation (due dates stay before the cutoff).
    last_issue = np.where(cancelled_at != NULL, cancelled_at, clock.cutoff - DUE_DAYS * DAY)
    count = np.zeros(n, np.int64)
    k = 0
    while True:
        issued_k = _add_months(start, period_months * k)
        active = issued_k < last_issue
        if not active.any():
            break
        count += active
        k += 1
    inv_sub = np.repeat(np.arange(n), count)
    inv_k = group_rank(inv_sub)
    issued = _add_months(start[inv_sub], period_months[inv_sub] * inv_k)
    m = len(inv_sub)
    inv_person = person[inv_sub]

    # Payment attempts: first at issue, then retries while failing.
    health = pop.health_at(inv_person, issued)
    fail_p = _sigmoid(-3.6 - 1.3 * health) + 0.01
    fails = rng.random((m, len(RETRY_OFFSETS))) < np.c_[fail_p, np.repeat(0.6 * fail_p[:, None], 3, axis=1)]
    success_at = np.where(~fails.all(axis=1), np.argmin(fails, axis=1), len(RETRY_OFFSETS))
    n_attempts = np.minimum(success_at + 1, len(RETRY_OFFSETS))
    attempt_time = issued[:, None] + RETRY_OFFSETS[None, :] + rng.integers(60, 4 * 3600, (m, len(RETRY_OFFSETS)))
    n_attempts = np.minimum(n_attempts, (attempt_time < clock.cutoff).sum(axis=1))
    void = rng.random(m) < 0.01
    n_attempts = np.where(void, 0, n_attempts)
    paid = ~void & (success_at < n_attempts)
    exhausted = ~void & ~paid & (n_attempts == len(RETRY_OFFSETS))
    inv_status = np.select([void, paid, exhausted], [2, 0, 3], 1)

    pay_inv = np.repeat(np.arange(m), n_attempts)
    attempt = group_rank(pay_inv)
    attempted = attempt_time[pay_inv, attempt]
    succeeded = attempt == success_at[pay_inv]
    refunded = succeeded & (rng.random(len(pay_inv)) < 0.02)
    refunded_at = np.where(refunded, attempted + rng.integers(DAY, 30 * DAY, len(pay_inv)), NULL)
    refunded_at = np.where(refunded_at < clock.cutoff, refunded_at, NULL)
    refunded = refunded_at != NULL
    pay_status = np.where(succeeded, np.where(refunded, 2, 0), 1)
    pay_person = inv_person[pay_inv]
    # Payment method is a stable habit of the person (direct debit is common in Germany).
    habit = scramble(pay_person, 11, 1000) / 1000.0
    debit_share = np.where(pop.country[pay_person] == 2, 0.35, 0.08)
    method = np.where(habit < debit_share, 2, np.where(habit < debit_share + 0.2, 1, 0))

    failed_any = np.bincount(pay_inv, weights=pay_status == 1, minlength=m) > 0
    # Index m is a sentinel for subscriptions without any invoice yet.
    last_invoice = np.where(count > 0, np.cumsum(count) - 1, m)
    past_due = np.isin(np.append(inv_status, 0)[last_invoice], (1, 3)) & np.append(failed_any, False)[last_invoice]
    sub_status = np.where(cancelled_at != NULL, 1, np.where(past_due, 2, 0))

    billing_customer = scramble(person, 2)
    currency = pa.array(np.array(CURRENCIES)[country])
    mrr = np.where(annual, np.round(price / 12), price).astype(np.int64)
    email = drop(rng, render.emails(rng, person, work_share=0.1), 0.03)
    subscriptions = Batch(TABLE_BY_NAME["billing.subscriptions"], {
        "subscription_id": world.ids.take("subscription", n),
        "billing_customer_id": billing_customer,
        "customer_email": email,
        "customer_name": render.full_names(rng, person),
        "product_id": cat.plan_product[plan] + 1,
        "plan_code": pa.array(np.array([p[3] for p in PLANS])[plan]),
        "billing_period": pa.array(np.where(annual, "annual", "monthly")),
        "status": pa.array(np.array(SUBSCRIPTION_STATUSES)[sub_status]),
        "started_at": start,
        "cancelled_at": cancelled_at,
        "mrr": mrr,
        "currency": currency,
        "_loaded_at": clock.extract_times(rng, n),
    }, person=person)
    sub_ids = subscriptions.data["subscription_id"]

    last_payment = np.full(m, NULL)
    np.maximum.at(last_payment, pay_inv, np.maximum(attempted, refunded_at))
    inv_ids = world.ids.take("invoice", m)
    invoices = Batch(TABLE_BY_NAME["billing.invoices"], {
        "invoice_id": inv_ids,
        "subscription_id": sub_ids[inv_sub],
        "billing_customer_id": billing_customer[inv_sub],
        "issued_at": issued,
        "due_at": issued + DUE_DAYS * DAY,
        "amount": price[inv_sub],
        "currency": currency.take(pa.array(inv_sub)),
        "status": pa.array(np.array(INVOICE_STATUSES)[inv_status]),
        "_loaded_at": clock.load_times(rng, np.maximum(issued + DUE_DAYS * DAY, last_payment)),
    }, person=inv_person)
    reason = np.array(PAYMENT_FAILURES)[rng.choice(4, len(pay_inv), p=[0.5, 0.2, 0.25, 0.05])]
    payments = Batch(TABLE_BY_NAME["billing.payments"], {
        "payment_id": world.ids.take("payment", len(pay_inv)),
        "invoice_id": inv_ids[pay_inv],
        "billing_customer_id": billing_customer[inv_sub][pay_inv],
        "attempted_at": attempted,
        "amount": price[inv_sub][pay_inv],
        "currency": currency.take(pa.array(inv_sub[pay_inv])),
        "method": pa.array(np.array(METHODS)[method]),
        "status": pa.array(np.array(("succeeded", "failed", "refunded"))[pay_status]),
        "failure_reason": pc.if_else(pa.array(pay_status == 1), pa.array(reason), NULL_STRING),
        "refunded_at": refunded_at,
        "_loaded_at": clock.load_times(rng, np.maximum(attempted, refunded_at)),
    }, person=pay_person)
    return subscriptions, invoices, payments
