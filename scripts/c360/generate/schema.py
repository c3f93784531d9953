"""The raw-data contract: every table, its columns, their order and types.

Each column carries a *role* that tells the formatter how the generator's
internal representation becomes the contract's string/number value:

``key`` / ``ref``
    integer-coded identifiers rendered as ``<prefix><zero padded number>``
    (``key`` is the table's record key, ``ref`` points at another table).
``text``
    already a string (a ``pyarrow`` string array).
``ts``
    UTC epoch seconds, rendered in the table's timestamp style.
``loaded``
    the ``_loaded_at`` column: UTC epoch seconds, always ``YYYY-MM-DD HH:MM:SS``.
``date``
    days since 1970-01-01, rendered ``YYYY-MM-DD``.
``money``
    integer cents, rendered as a two-decimal string.
``score``
    integer rendered as a string.
``int`` / ``float`` / ``bool``
    numeric contract types ``I`` / ``D`` / ``B``.

Integer-coded roles use :data:`NULL` as the missing value.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa

NULL = np.iinfo(np.int64).min

ARROW_TYPES = {"S": pa.string(), "I": pa.int64(), "D": pa.float64(), "B": pa.bool_()}


@dataclass(frozen=True)
class Column:
    """One contract column."""

    name: str
    dtype: str
    role: str
    prefix: str = ""
    width: int = 0
    email: bool = False


@dataclass(frozen=True)
class Conflict:
    """How a conflicting duplicate alters a row: which column and how.

    ``kind`` is ``vocab`` (switch to another value of ``values``), ``upper``
    (different spelling of a text value), ``money`` (another amount) or
    ``int`` (another count).
    """

    column: str
    kind: str
    values: tuple[str, ...] = ()


@dataclass(frozen=True)
class Table:
    """One raw table of the contract."""

    source: str
    name: str
    columns: tuple[Column, ...]
    conflict: Conflict
    main_ts: str
    ts_style: str = "utc"
    person_level: bool = True
    defects: tuple[str, ...] = field(default=())

    @property
    def qualified(self) -> str:
        return f"{self.source}.{self.name}"

    @property
    def key(self) -> Column:
        return self.columns[0]

    def names(self, role: str) -> list[str]:
        return [c.name for c in self.columns if c.role == role]

    @property
    def email_columns(self) -> list[str]:
        return [c.name for c in self.columns if c.email]

    @property
    def arrow_schema(self) -> pa.Schema:
        return pa.schema([pa.field(c.name, ARROW_TYPES[c.dtype]) for c in self.columns])


def S(name: str) -> Column:  # noqa: N802 - mirrors the contract's type letters
    return Column(name, "S", "text")


def ts(name: str) -> Column:
    return Column(name, "S", "ts")


def money(name: str) -> Column:
    return Column(name, "S", "money")


def email(name: str) -> Column:
    return Column(name, "S", "text", email=True)


LOADED = Column("_loaded_at", "S", "loaded")

PREFIX = {
    "account": ("ACC-", 7),
    "contact": ("CON-", 7),
    "lead": ("LEA-", 7),
    "product": ("PRD-", 4),
    "store": ("STO-", 3),
    "order": ("ORD-", 9),
    "order_line": ("OLN-", 10),
    "web_customer": ("WC-", 8),
    "loyalty": ("AP", 10),
    "subscription": ("SUB-", 8),
    "billing_customer": ("BCU-", 8),
    "invoice": ("INV-", 9),
    "payment": ("PAY-", 9),
    "user": ("USR-", 8),
    "device": ("DEV-", 8),
    "session": ("SES-", 10),
    "event": ("EVT-", 11),
    "ticket": ("TCK-", 8),
    "message": ("MSG-", 9),
    "response": ("SRV-", 8),
    "claim": ("CLM-", 7),
    "mention": ("MEN-", 8),
    "campaign": ("CMP-", 4),
    "touch": ("TCH-", 10),
    "consent": ("CNS-", 9),
    "erasure": ("ERQ-", 6),
}


def K(name: str, kind: str) -> Column:  # noqa: N802
    """The record key column, an identifier of ``kind``."""
    return Column(name, "S", "key", *PREFIX[kind])


def R(name: str, kind: str) -> Column:  # noqa: N802
    """A reference to an identifier of ``kind``."""
    return Column(name, "S", "ref", *PREFIX[kind])


ORDER_STATUSES = ("completed", "cancelled", "returned")
SUBSCRIPTION_STATUSES = ("active", "cancelled", "past_due")
INVOICE_STATUSES = ("paid", "open", "void", "uncollectible")
TICKET_STATUSES = ("new", "open", "pending", "solved", "closed")
LEAD_STATUSES = ("open", "qualified", "converted", "disqualified")
CLAIM_STATUSES = ("submitted", "approved", "rejected", "paid")
EVENT_TYPES = ("page_view", "screen_view", "search", "add_to_cart", "feature_use", "login", "logout")
TOUCH_TYPES = ("send", "open", "click", "unsubscribe", "bounce")

QUARANTINE_RULES = (
    "null_key",
    "unparseable_timestamp",
    "future_timestamp",
    "non_numeric_amount",
    "negative_amount",
    "out_of_range_score",
    "exact_duplicate",
    "conflicting_duplicate",
)
FIELD_DEFECTS = ("invalid_email",)

_GENERIC = ("null_key", "unparseable_timestamp", "future_timestamp", "exact_duplicate", "conflicting_duplicate")
_MONEY = (*_GENERIC, "non_numeric_amount", "negative_amount")
# Catalogue dates (launches, store openings) and rows without a business
# timestamp (order lines) may legitimately lie ahead: no future-timestamp rule.
_UNDATED = tuple(d for d in _GENERIC if d != "future_timestamp")
_UNDATED_MONEY = tuple(d for d in _MONEY if d != "future_timestamp")


def _t(source, name, columns, conflict, main_ts, *, ts_style="utc", person_level=True, defects=_GENERIC):
    return Table(source, name, (*columns, LOADED), conflict, main_ts, ts_style, person_level, defects)


TABLES: tuple[Table, ...] = (
    _t("crm", "accounts", [
        K("account_id", "account"), S("account_name"), S("account_type"), S("segment"), S("industry"),
        S("country"), ts("created_at"), ts("updated_at"),
    ], Conflict("segment", "vocab", ("consumer", "small_business", "corporate")), "created_at"),
    _t("crm", "contacts", [
        K("contact_id", "contact"), R("account_id", "account"), S("first_name"), S("last_name"), email("email"),
        S("phone"), S("street"), S("city"), S("postal_code"), S("country"), Column("birth_date", "S", "date"),
        S("job_title"), S("social_handle"), ts("created_at"), ts("updated_at"),
    ], Conflict("last_name", "upper"), "created_at"),
    _t("crm", "leads", [
        K("lead_id", "lead"), S("first_name"), S("last_name"), email("email"), S("phone"), S("company"),
        S("lead_source"), S("status"), ts("created_at"), ts("converted_at"), R("converted_contact_id", "contact"),
    ], Conflict("status", "vocab", LEAD_STATUSES), "created_at"),
    _t("commerce", "products", [
        K("product_id", "product"), S("sku"), S("product_name"), S("category"), S("subcategory"), S("brand"),
        money("list_price"), Column("is_subscription", "B", "bool"), ts("launched_at"),
    ], Conflict("list_price", "money"), "launched_at", person_level=False, defects=_UNDATED_MONEY),
    _t("commerce", "stores", [
        K("store_id", "store"), S("store_name"), S("store_type"), S("street"), S("city"), S("postal_code"),
        S("country"), S("region"), Column("latitude", "D", "float"), Column("longitude", "D", "float"),
        ts("opened_at"), ts("closed_at"),
    ], Conflict("store_type", "vocab", ("flagship", "mall", "outlet", "partner")), "opened_at", person_level=False,
        defects=_UNDATED),
    _t("commerce", "orders", [
        K("order_id", "order"), S("channel"), R("store_id", "store"), S("partner_name"),
        R("web_customer_id", "web_customer"), R("loyalty_number", "loyalty"), email("customer_email"),
        S("customer_phone"), S("customer_first_name"), S("customer_last_name"), S("ship_street"), S("ship_city"),
        S("ship_postal_code"), S("ship_country"), ts("ordered_at"), S("currency"), money("order_total"), S("status"),
    ], Conflict("status", "vocab", ORDER_STATUSES), "ordered_at", ts_style="offset", defects=_MONEY),
    _t("commerce", "order_lines", [
        K("order_line_id", "order_line"), R("order_id", "order"), R("product_id", "product"),
        Column("quantity", "I", "int"), money("unit_price"), money("discount_amount"),
    ], Conflict("quantity", "int"), "_loaded_at",
        defects=_UNDATED_MONEY),
    _t("billing", "subscriptions", [
        K("subscription_id", "subscription"), R("billing_customer_id", "billing_customer"),
        email("customer_email"), S("customer_name"), R("product_id", "product"), S("plan_code"),
        S("billing_period"), S("status"), ts("started_at"), ts("cancelled_at"), money("mrr"), S("currency"),
    ], Conflict("status", "vocab", SUBSCRIPTION_STATUSES), "started_at", ts_style="zulu", defects=_MONEY),
    _t("billing", "invoices", [
        K("invoice_id", "invoice"), R("subscription_id", "subscription"), R("billing_customer_id", "billing_customer"),
        ts("issued_at"), ts("due_at"), money("amount"), S("currency"), S("status"),
    ], Conflict("status", "vocab", INVOICE_STATUSES), "issued_at", ts_style="zulu", defects=_MONEY),
    _t("billing", "payments", [
        K("payment_id", "payment"), R("invoice_id", "invoice"), R("billing_customer_id", "billing_customer"),
        ts("attempted_at"), money("amount"), S("currency"), S("method"), S("status"), S("failure_reason"),
        ts("refunded_at"),
    ], Conflict("amount", "money"), "attempted_at", ts_style="zulu", defects=_MONEY),
    _t("usage", "app_users", [
        K("user_id", "user"), email("email"), S("display_name"), S("signup_platform"), ts("created_at"),
    ], Conflict("display_name", "upper"), "created_at"),
    _t("usage", "sessions", [
        K("session_id", "session"), R("device_id", "device"), R("user_id", "user"), S("platform"),
        ts("started_at"), ts("ended_at"), S("landing_page"), S("utm_source"), S("utm_medium"),
        Column("page_views", "I", "int"),
    ], Conflict("page_views", "int"), "started_at"),
    _t("usage", "events", [
        K("event_id", "event"), R("session_id", "session"), R("device_id", "device"), R("user_id", "user"),
        S("platform"), S("event_type"), S("event_name"), ts("occurred_at"),
    ], Conflict("event_type", "vocab", EVENT_TYPES), "occurred_at"),
    _t("support", "tickets", [
        K("ticket_id", "ticket"), email("requester_email"), S("requester_phone"), S("requester_name"), S("channel"),
        R("store_id", "store"), S("priority"), S("status"), S("category"), S("subject"),
        Column("is_escalated", "B", "bool"), ts("opened_at"), ts("first_response_at"), ts("resolved_at"),
    ], Conflict("status", "vocab", TICKET_STATUSES), "opened_at", ts_style="offset"),
    _t("support", "ticket_messages", [
        K("message_id", "message"), R("ticket_id", "ticket"), S("author_type"), S("body"), ts("sent_at"),
    ], Conflict("body", "upper"), "sent_at"),
    _t("feedback", "survey_responses", [
        K("response_id", "response"), S("survey_type"), S("survey_channel"), email("respondent_email"),
        S("respondent_phone"), R("ticket_id", "ticket"), Column("score", "S", "score"), S("comment"),
        ts("responded_at"),
    ], Conflict("survey_channel", "vocab", ("email", "in_app", "sms")), "responded_at",
        defects=(*_GENERIC, "out_of_range_score")),
    _t("feedback", "claims", [
        K("claim_id", "claim"), S("claim_type"), S("claimant_first_name"), S("claimant_last_name"),
        S("claimant_phone"), Column("claimant_birth_date", "S", "date"), S("claimant_street"), S("claimant_city"),
        S("claimant_postal_code"), S("claimant_country"), R("product_id", "product"), R("order_id", "order"),
        S("description"), money("amount_claimed"), S("status"), ts("filed_at"), ts("decided_at"),
    ], Conflict("status", "vocab", CLAIM_STATUSES), "filed_at", defects=_MONEY),
    _t("social", "mentions", [
        K("mention_id", "mention"), S("platform"), S("author_handle"), S("author_display_name"), S("brand"),
        S("text"), ts("posted_at"), Column("like_count", "I", "int"),
    ], Conflict("like_count", "int"), "posted_at"),
    _t("marketing", "campaigns", [
        K("campaign_id", "campaign"), S("campaign_name"), S("channel"), S("objective"), S("product_category"),
        ts("launched_at"),
    ], Conflict("campaign_name", "upper"), "launched_at", person_level=False),
    _t("marketing", "touches", [
        K("touch_id", "touch"), R("campaign_id", "campaign"), email("recipient_email"), S("recipient_phone"),
        S("event_type"), ts("occurred_at"), S("link_url"),
    ], Conflict("event_type", "vocab", TOUCH_TYPES), "occurred_at"),
    _t("privacy", "consents", [
        K("consent_id", "consent"), email("subject_email"), S("subject_phone"), S("purpose"), S("status"),
        S("source_system"), ts("recorded_at"),
    ], Conflict("status", "vocab", ("granted", "withdrawn")), "recorded_at"),
    _t("privacy", "erasure_requests", [
        K("request_id", "erasure"), email("subject_email"), S("subject_phone"), S("subject_name"),
        S("received_via"), ts("requested_at"), S("status"), ts("completed_at"),
    ], Conflict("status", "vocab", ("received", "completed", "rejected")), "requested_at"),
)

TABLE_BY_NAME: dict[str, Table] = {t.qualified: t for t in TABLES}

TRUTH_SCHEMAS: dict[str, pa.Schema] = {
    "persons": pa.schema([
        ("person_id", pa.string()), ("is_customer", pa.bool_()), ("is_prospect_only", pa.bool_()),
        ("first_name", pa.string()), ("last_name", pa.string()), ("birth_date", pa.date32()),
        ("country", pa.string()), ("household_id", pa.string()), ("email_home", pa.string()),
        ("email_work", pa.string()), ("phone", pa.string()), ("social_handle", pa.string()),
        ("segment", pa.string()), ("latent_health", pa.float64()),
        ("became_lead_at", pa.timestamp("s", tz="UTC")), ("first_purchase_at", pa.timestamp("s", tz="UTC")),
        ("churned_at", pa.timestamp("s", tz="UTC")), ("reactivated_at", pa.timestamp("s", tz="UTC")),
        ("moved_at", pa.timestamp("s", tz="UTC")),
        # Home postal area (seeds/location/postal_areas.csv) and its region and centre; null when the
        # person's postal code was planted outside the reference or malformed.
        ("home_postal_area", pa.string()), ("home_region_code", pa.string()),
        ("home_latitude", pa.float64()), ("home_longitude", pa.float64()),
    ]),
    "record_persons": pa.schema([
        ("source_name", pa.dictionary(pa.int8(), pa.string())),
        ("table_name", pa.dictionary(pa.int8(), pa.string())),
        ("record_key", pa.string()),
        ("person_id", pa.dictionary(pa.int32(), pa.string())),
    ]),
    "malformed_rows": pa.schema([
        ("source_name", pa.string()), ("table_name", pa.string()), ("record_key", pa.string()),
        ("defect", pa.string()), ("column_name", pa.string()), ("expected_outcome", pa.string()),
        ("expected_rule", pa.string()),
    ]),
    "lifecycle": pa.schema([
        ("person_id", pa.string()), ("event", pa.string()), ("event_at", pa.timestamp("s", tz="UTC")),
    ]),
    "consent_violations": pa.schema([
        ("touch_id", pa.string()), ("person_id", pa.string()), ("reason", pa.string()),
    ]),
}
