"""CRM accounts, contacts and leads.

Customers become contacts at their first purchase (or when their lead
converts).  Household members share one household account; business buyers
get a business account named after their company.  Prospects appear only as
leads that never convert.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .batch import Batch
from .context import Chunk
from .formatting import DAY
from .identity import NULL_STRING, drop, with_junk
from .population import SEGMENTS
from .schema import NULL, TABLE_BY_NAME
from .vocab import INDUSTRIES, LEAD_SOURCES

SECOND_CONTACT_RATE = 0.05
JUNK_RATE = 0.007


def _updated(rng, created: np.ndarray, cutoff: int) -> np.ndarray:
    return created + (rng.random(len(created)) * (cutoff - 1 - created)).astype(np.int64)


def generate_crm(chunk: Chunk) -> tuple[Batch, Batch, Batch]:
    """``crm.accounts``, ``crm.contacts`` and ``crm.leads`` for the chunk."""
    world, pop, render, clock = chunk.world, chunk.world.pop, chunk.world.render, chunk.world.clock
    rng = chunk.rng("crm")
    cust = chunk.customers
    fp = pop.first_purchase_at[cust]

    # Accounts: one per household with a consumer customer, one per business buyer.
    business = pop.business[cust]
    consumer = cust[~business]
    households, first_member = np.unique(pop.household[consumer], return_index=True)
    hh_created = np.full(len(households), np.iinfo(np.int64).max)
    np.minimum.at(hh_created, np.searchsorted(households, pop.household[consumer]), fp[~business])
    owners = np.concatenate([consumer[first_member], cust[business]])
    acc_created = np.concatenate([hh_created, fp[business]]) - rng.integers(0, 2 * 3600, len(owners))
    n_acc = len(owners)
    account_ids = world.ids.take("account", n_acc)
    is_business = np.r_[np.zeros(len(households), bool), np.ones(business.sum(), bool)]
    last = render.names(rng, owners, nickname=0.0, typo=0.01, swap=0.0)[1]
    household_name = pc.binary_join_element_wise(last, pa.array(np.where(rng.random(n_acc) < 0.5, " Household",
                                                                         " Family")), "")
    company = pop.company.take(pa.array(owners))
    accounts = Batch(TABLE_BY_NAME["crm.accounts"], {
        "account_id": account_ids,
        "account_name": pc.if_else(pa.array(is_business), company, household_name),
        "account_type": pa.array(np.where(is_business, "business", "household")),
        "segment": pa.array(np.array(SEGMENTS)[np.where(is_business, pop.segment[owners], 0)]),
        "industry": pc.if_else(pa.array(is_business), pa.array(np.array(INDUSTRIES)[pop.industry[owners]]),
                               NULL_STRING),
        "country": render.countries(rng, owners, (0.9, 0.04, 0.04, 0.02)),
        "created_at": acc_created,
        "updated_at": _updated(rng, acc_created, clock.cutoff),
        "_loaded_at": clock.extract_times(rng, n_acc),
    }, person=owners)
    account_of = np.empty(len(cust), np.int64)
    account_of[~business] = account_ids[np.searchsorted(households, pop.household[consumer])]
    account_of[business] = account_ids[len(households):]

    # Contacts: one per customer, a second record for some.
    second = rng.random(len(cust)) < SECOND_CONTACT_RATE
    person = np.concatenate([cust, cust[second]])
    account = np.concatenate([account_of, account_of[second]])
    created = np.concatenate([fp, fp[second] + (rng.random(second.sum()) * (clock.cutoff - 1 - fp[second])).astype(
        np.int64)])
    is_second = np.r_[np.zeros(len(cust), bool), np.ones(second.sum(), bool)]
    n = len(person)
    updated = _updated(rng, created, clock.cutoff)
    first, last = render.names(rng, person, nickname=0.08)
    work_share = np.where(is_second, 0.9, np.where(pop.business[person], 0.8, 0.0))
    street, city, postal = render.addresses(rng, person, updated, noise=0.15)
    handle = pc.if_else(pa.array(rng.random(n) < 0.7), render.handles(rng, person), NULL_STRING)
    birth = np.where(rng.random(n) < 0.7, pop.birth_day[person], NULL)
    contact_ids = world.ids.take("contact", n)
    contacts = Batch(TABLE_BY_NAME["crm.contacts"], {
        "contact_id": contact_ids,
        "account_id": account,
        "first_name": first,
        "last_name": last,
        "email": drop(rng, render.emails(rng, person, work_share=work_share), 0.04),
        "phone": drop(rng, render.phones(rng, person), 0.1),
        "street": street,
        "city": city,
        "postal_code": postal,
        "country": render.countries(rng, person, (0.85, 0.05, 0.07, 0.03)),
        "birth_date": birth,
        "job_title": pc.if_else(pa.array(pop.business[person]), render.job_titles(person), NULL_STRING),
        "social_handle": handle,
        "created_at": created,
        "updated_at": updated,
        "_loaded_at": clock.extract_times(rng, n),
    }, person=person)
    leads = _leads(rng, chunk, cust, contact_ids[: len(cust)])
    return accounts, contacts, leads


def _leads(rng, chunk: Chunk, cust: np.ndarray, primary_contact: np.ndarray) -> Batch:
    """Leads of converted customers (pointing at their contact) and of prospects."""
    world, pop, render, clock = chunk.world, chunk.world.pop, chunk.world.render, chunk.world.clock
    person = chunk.persons[pop.became_lead_at[chunk.persons] != NULL]
    n = len(person)
    created = pop.became_lead_at[person]
    converted = pop.is_customer[person]
    age_days = (clock.cutoff - created) / DAY
    open_status = np.where(age_days < 60, np.where(rng.random(n) < 0.6, 0, 1),
                           np.where(rng.random(n) < 0.7, 3, 1))
    status = np.where(converted, 2, open_status)
    email = render.emails(rng, person, work_share=np.where(pop.business[person], 0.9, 0.2))
    email = with_junk(rng, drop(rng, email, 0.05), render.junk_emails(rng, person), JUNK_RATE)
    phone = with_junk(rng, drop(rng, render.phones(rng, person), 0.4), render.junk_phones(rng, n), JUNK_RATE)
    first, last = render.names(rng, person, nickname=0.2)
    has_company = pop.business[person] | (rng.random(n) < 0.1)
    contact = np.append(primary_contact, NULL)[np.searchsorted(cust, person)]
    return Batch(TABLE_BY_NAME["crm.leads"], {
        "lead_id": world.ids.take("lead", n),
        "first_name": first,
        "last_name": last,
        "email": email,
        "phone": phone,
        "company": pc.if_else(pa.array(has_company), pop.company.take(pa.array(person)), NULL_STRING),
        "lead_source": pa.array(np.array(LEAD_SOURCES)[rng.choice(5, n, p=[0.4, 0.15, 0.15, 0.1, 0.2])]),
        "status": pa.array(np.array(("open", "qualified", "converted", "disqualified"))[status]),
        "created_at": created,
        "converted_at": np.where(converted, pop.first_purchase_at[person], NULL),
        "converted_contact_id": np.where(converted, contact, NULL),
        "_loaded_at": clock.extract_times(rng, n),
    }, person=person)
