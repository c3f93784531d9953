"""The latent signals that models will learn are really in the data."""

from __future__ import annotations

import numpy as np
import pandas as pd


def _utc(values: pd.Series) -> pd.Series:
    return pd.to_datetime(values, utc=True, format="ISO8601")


def test_churn_shares_and_health(generated):
    customers = generated.persons[generated.persons.is_customer]
    churned = customers.churned_at.notna()
    assert 0.2 <= churned.mean() <= 0.3
    back = customers.reactivated_at.notna()[churned].mean()
    assert 0.15 <= back <= 0.35
    assert customers.latent_health[churned].mean() < customers.latent_health[~churned].mean() - 0.3


def test_no_orders_while_churned(generated):
    orders = generated.with_person("commerce.orders")
    orders = orders.join(generated.persons[["churned_at", "reactivated_at", "first_purchase_at"]], on="person_id")
    t = _utc(orders.ordered_at)
    gone = orders.churned_at.notna() & (t >= orders.churned_at) & (
        orders.reactivated_at.isna() | (t < orders.reactivated_at))
    assert not gone.any()
    assert (t >= orders.first_purchase_at).all()


def test_usage_declines_before_churn(generated):
    sessions = generated.with_person("usage.sessions")
    sessions = sessions.join(generated.persons[["churned_at", "first_purchase_at"]], on="person_id")
    sessions = sessions[sessions.churned_at.notna()]
    before = (sessions.churned_at - _utc(sessions.started_at)).dt.days
    last_month = ((before >= 0) & (before < 30)).sum()
    earlier = ((before >= 90) & (before < 120)).sum()
    assert earlier > 50
    assert last_month < 0.7 * earlier


def test_nps_follows_health(generated):
    surveys = generated.with_person("feedback.survey_responses")
    nps = surveys[surveys.survey_type == "nps"]
    health = generated.persons.latent_health.reindex(nps.person_id).to_numpy()
    assert np.corrcoef(nps.score.astype(int), health)[0, 1] > 0.3
    csat = surveys[surveys.survey_type == "csat"]
    assert csat.ticket_id.notna().all() and nps.ticket_id.isna().all()


def test_tickets_concentrate_on_unhealthy_customers(generated):
    tickets = generated.with_person("support.tickets")
    health = generated.persons.latent_health
    per_person = tickets.person_id.value_counts().reindex(health.index[generated.persons.is_customer], fill_value=0)
    low = per_person[health.reindex(per_person.index) < -1].mean()
    high = per_person[health.reindex(per_person.index) > 1].mean()
    assert low > 1.5 * high
    escalated = tickets.is_escalated.groupby(health.reindex(tickets.person_id).to_numpy() < 0).mean()
    assert escalated[True] > escalated[False]


def test_channels_and_identifiers(generated):
    orders = generated.clean("commerce.orders")
    assert set(orders.channel) == {"web", "app", "pos", "phone", "partner"}
    pos = orders[orders.channel == "pos"]
    assert pos.customer_email.isna().mean() > 0.6
    assert 0.35 < pos.loyalty_number.notna().mean() < 0.65
    assert pos.store_id.notna().all() and orders[orders.channel != "pos"].store_id.isna().all()
    assert orders[orders.channel == "partner"].partner_name.notna().all()
    web = orders[orders.channel.isin(["web", "app"])]
    assert web.web_customer_id.notna().all()
    tickets = generated.clean("support.tickets")
    assert set(tickets.channel) == {"email", "chat", "phone", "in_person"}
    assert tickets[tickets.channel == "in_person"].store_id.notna().all()


def test_leads_convert_and_prospects_never_buy(generated):
    leads = generated.with_person("crm.leads")
    customer = generated.persons.is_customer.reindex(leads.person_id).to_numpy()
    assert (leads.status[customer] == "converted").all()
    assert (leads.status[~customer] != "converted").all()
    assert (~customer).sum() > 50 and customer.sum() > 50
    contacts = set(generated.clean("crm.contacts").contact_id)
    assert leads.converted_contact_id.dropna().isin(contacts).mean() > 0.95
    buyers = set(generated.with_person("commerce.orders").person_id)
    assert not buyers & set(generated.persons.index[~generated.persons.is_customer])


def test_phone_formats(generated):
    phones = generated.with_person("commerce.orders")[["customer_phone", "person_id"]].dropna()
    phones = phones[~phones.customer_phone.isin(["0000000000", "1234567890", "555-555-5555", "9999999999",
                                                 "+1 000 000 0000"])]
    country = generated.persons.country.reindex(phones.person_id).to_numpy()
    eu = phones.customer_phone[country != "US"]
    assert eu.str.match(r"^(\+44|0044|\+49|0049) ").all()
    us = phones.customer_phone[country == "US"]
    patterns = [r"^\(\d{3}\) \d{3}-\d{4}$", r"^\d{3}\.\d{3}\.\d{4}$", r"^\d{3}-\d{3}-\d{4}$",
                r"^\+1 \d{3} \d{3} \d{4}$", r"^1-\d{3}-\d{3}-\d{4}$", r"^\d{10}$"]
    for pattern in patterns:
        assert us.str.match(pattern).any(), pattern
    digits = phones.customer_phone.str.replace(r"\D", "", regex=True)
    canonical = generated.persons.phone.reindex(phones.person_id).str.replace("+", "").to_numpy()
    normalised = digits.str.replace(r"^00", "", regex=True).str.replace(r"^(44|49)0", r"\1", regex=True)
    us_local = (country == "US") & (normalised.str.len() == 10)
    normalised = normalised.where(~us_local, "1" + normalised)
    assert (normalised.to_numpy() == canonical).all()


def test_identity_noise_is_present(generated):
    orders = generated.with_person("commerce.orders")
    truth = generated.persons.first_name.reindex(orders.person_id).to_numpy()
    differs = orders.customer_first_name.to_numpy() != truth
    assert 0.05 < differs.mean() < 0.4
    emails = generated.clean("crm.contacts").email.dropna()
    assert (emails != emails.str.strip()).any()
    assert (emails.str.strip() != emails.str.strip().str.lower()).any()
    countries = set(generated.clean("commerce.orders").ship_country.dropna())
    assert {"US", "USA", "United States", "GB", "UK"} <= countries
    junk = generated.clean("commerce.orders").customer_email.isin(["noemail@example.com", "none@none.com",
                                                                  "test@test.com", "no@email.com", "na@na.com"])
    assert junk.any()
    moved = generated.persons.moved_at.notna().mean()
    assert 0.05 < moved < 0.15


def test_anonymous_devices_log_in_later(generated):
    events = generated.clean("usage.events")
    by_device = events.groupby("device_id").user_id.agg(lambda s: (s.isna().any(), s.notna().any()))
    both = by_device.map(lambda x: x[0] and x[1]).sum()
    never = by_device.map(lambda x: x[0] and not x[1]).sum()
    assert both > 20 and never > 20
    first_seen = events.sort_values("occurred_at").groupby("device_id").first()
    logged_first = first_seen.user_id.notna()
    assert (first_seen.event_type[logged_first].isin(["login", "screen_view", "page_view", "search",
                                                      "add_to_cart", "feature_use"])).all()
