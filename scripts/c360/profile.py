"""One customer's 360 (``c360 profile``): golden record, lifecycle timeline,
health and its components, distress, recent touchpoints, scores and
recommendations, read from the warehouse through the project's target.

A customer is looked up by customer_id (or a unique prefix of at least six
characters), by email or by phone: the email and phone are normalised as the
staging macros normalise them (macros/normalise/contact_points.sql) and
resolved through every person record that carries them
(int_identity__records) to the customer those records belong to
(customer_identity_map).

With an audience (var c360_privacy.audiences) only that audience's views
are read: masked columns appear as the view masks them, dropped columns and
sections built from relations the audience has no view of are absent, and a
customer outside the audience's row filter is not found.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from c360.project import C360Error, Project

EMAIL_PATTERN = re.compile(r"^[a-z0-9._%+-]+@[a-z0-9-]+([.][a-z0-9-]+)*[.][a-z]{2,}$")
#: A customer_id prefix shorter than this is not looked up.
MIN_PREFIX = 6
GOLDEN_COLUMNS = ("first_name", "last_name", "email", "phone", "birth_date", "street_line", "postal_code",
                  "city", "country_code", "region", "segment", "account_type", "industry", "record_count",
                  "source_count", "first_seen_at", "last_seen_at")
LIFECYCLE_COLUMNS = ("lifecycle_stage", "lifecycle_stage_entered_at", "first_purchase_at", "tenure_days",
                     "times_churned", "times_reactivated", "last_churned_at")
HEALTH_COMPONENTS = ("usage", "support", "sentiment", "billing", "engagement", "tenure")
SCORE_COLUMNS = ("churn_score", "churn_risk_band", "churn_top_reasons", "churn_model_version", "upsell_score",
                 "upsell_recommendation", "upsell_reason", "scored_at", "rfm_segment", "revenue_lifetime",
                 "orders_lifetime", "mrr", "nps", "csat")
TOUCHPOINTS_SHOWN = 10
TREND_WEEKS = 12


def normalise_email(value: str) -> str | None:
    """As the staging macro clean_email: trimmed, lower case, valid or None."""
    cleaned = value.strip().lower()
    return cleaned if EMAIL_PATTERN.match(cleaned) else None


def normalise_phone(value: str, calling_code: str = "1") -> str | None:
    """As the staging macro clean_phone: E.164, or None."""
    stripped = re.sub(r"[^0-9+]", "", value.strip().replace("(0)", ""))
    digits = re.sub(r"[^0-9]", "", stripped)
    if not 8 <= len(digits) <= 15:
        return None
    if stripped.startswith("+"):
        return "+" + digits
    if digits.startswith("00"):
        return "+" + digits[2:]
    if len(digits) == 11 and digits.startswith("1"):
        return "+" + digits
    if len(digits) == 10:
        return f"+{calling_code}{digits}"
    return None


def _literal(value: str) -> str:
    return "'" + str(value).replace("'", "''") + "'"


@dataclass
class Profile:
    customer_id: str
    audience: str | None
    golden: dict[str, Any]
    provenance: dict[str, str] = field(default_factory=dict)
    lifecycle: dict[str, Any] = field(default_factory=dict)
    timeline: list[dict[str, Any]] | None = None
    health: dict[str, Any] = field(default_factory=dict)
    health_trend: list[dict[str, Any]] | None = None
    distress: dict[str, Any] = field(default_factory=dict)
    touchpoints: list[dict[str, Any]] | None = None
    scores: dict[str, Any] = field(default_factory=dict)
    recommendations: list[dict[str, Any]] | None = None
    omitted: list[str] = field(default_factory=list)  # sections the audience has no view for

    def to_json(self) -> dict:
        return {name: getattr(self, name) for name in self.__dataclass_fields__}


class Reader:
    """Queries on the project's target, relations named by layer."""

    def __init__(self, project: Project):
        from c360.warehouse import schema_name

        self.project = project
        self.schemas = {layer: schema_name(project, layer)
                        for layer in ("marts", "audiences", "intermediate", "staging")}

    def rows(self, sql: str) -> list[dict[str, Any]]:
        from c360.warehouse import read_sql

        frame = read_sql(self.project, sql)
        frame = frame.astype(object).where(frame.notna(), None)
        return [{key: _plain(value) for key, value in record.items()} for record in frame.to_dict("records")]

    def exists(self, layer: str, name: str) -> bool:
        from c360.warehouse import relation_exists

        return relation_exists(self.project, self.schemas[layer], name)

    def relation(self, layer: str, name: str) -> str:
        return f"{self.schemas[layer]}.{name}"


def _plain(value):
    """JSON-friendly scalars: timestamps and dates as ISO text, numpy numbers as Python's."""
    if value is None:
        return None
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "item"):
        return value.item()
    if hasattr(value, "as_tuple"):  # Decimal
        return float(value)
    return value


def audiences(project: Project) -> dict:
    from c360.dbt import project_vars

    return (project_vars(project.project_dir).get("c360_privacy") or {}).get("audiences") or {}


def find_customer(reader: Reader, key: str) -> str:
    """The customer_id that ``key`` (customer_id or prefix, email, phone)
    names; C360Error when none or several."""
    from c360.dbt import project_vars

    key = key.strip()
    identity = reader.relation("intermediate", "int_identity__records")
    mapping = reader.relation("marts", "customer_identity_map")
    if "@" in key:
        email = normalise_email(key)
        if email is None:
            raise C360Error(f"{key!r} is not a valid email address")
        what, sql = f"email {email}", (f"select distinct m.customer_id from {identity} r join {mapping} m "
                                       f"on m.record_key = r.record_key where r.email = {_literal(email)}")
    elif re.fullmatch(r"[0-9a-fA-F]+", key) and len(key) >= MIN_PREFIX:
        what = f"customer_id {key}"
        sql = (f"select customer_id from {reader.relation('marts', 'customer_360')} "
               f"where customer_id like {_literal(key.lower() + '%')}")
    elif re.fullmatch(r"[0-9+()./\s-]+", key) and re.search(r"[0-9]", key):
        calling = str(project_vars(reader.project.project_dir).get("c360_default_calling_code", "1"))
        phone = normalise_phone(key, calling)
        if phone is None:
            raise C360Error(f"{key!r} is not a phone number (8 to 15 digits)")
        what, sql = f"phone {phone}", (f"select distinct m.customer_id from {identity} r join {mapping} m "
                                       f"on m.record_key = r.record_key where r.phone = {_literal(phone)}")
    else:
        raise C360Error(f"{key!r} is neither a customer_id (at least {MIN_PREFIX} hex characters), "
                        "an email address nor a phone number")
    found = sorted({row["customer_id"] for row in reader.rows(sql)})
    if not found:
        raise C360Error(f"no customer with {what}")
    if len(found) > 1:
        listed = ", ".join(found[:5]) + (" ..." if len(found) > 5 else "")
        raise C360Error(f"{what} matches {len(found)} customers ({listed}); give the customer_id")
    return found[0]


def build_profile(project: Project, key: str, audience: str | None = None) -> Profile:
    reader = Reader(project)
    customer_id = find_customer(reader, key)
    if audience is not None:
        known = audiences(project)
        if audience not in known:
            raise C360Error(f"unknown audience {audience!r}; known: {', '.join(known)}")
        view = f"customer_360__{audience}"
        if not reader.exists("audiences", view):
            raise C360Error(f"audience {audience} has no view of customer_360 (model {view} is not built)")
        source = reader.relation("audiences", view)
    else:
        source = reader.relation("marts", "customer_360")
    rows = reader.rows(f"select * from {source} where customer_id = {_literal(customer_id)}")
    if not rows:
        raise C360Error(f"customer {customer_id} is not visible to audience {audience} "
                        "(outside its row filter)")
    row = rows[0]
    profile = Profile(
        customer_id=customer_id, audience=audience,
        golden={c: row[c] for c in GOLDEN_COLUMNS if c in row},
        lifecycle={c: row[c] for c in LIFECYCLE_COLUMNS if c in row},
        health={"health_score": row.get("health_score"), "health_band": row.get("health_band"),
                "health_score_before": row.get("health_score_before"), "health_trend": row.get("health_trend"),
                "components": {c: row.get(f"health_{c}_points") for c in HEALTH_COMPONENTS}},
        distress={"distress_index": row.get("distress_index"),
                  "reasons": [row[f"distress_reason_{i}"] for i in (1, 2, 3) if row.get(f"distress_reason_{i}")]},
        scores={c: row[c] for c in SCORE_COLUMNS if c in row},
    )
    if audience is None:
        _add_internal_sections(reader, profile)
    else:
        _add_audience_sections(reader, profile, audience)
    return profile


def _add_internal_sections(reader: Reader, profile: Profile) -> None:
    """Sections read from the unmasked models (no audience)."""
    literal = _literal(profile.customer_id)
    golden = reader.rows(f"select * from {reader.relation('intermediate', 'int_identity__golden_records')} "
                         f"where customer_id = {literal}")
    if golden:
        profile.provenance = {name.removesuffix("_source_table"): value for name, value in golden[0].items()
                              if name.endswith("_source_table") and value}
    profile.timeline = reader.rows(
        "select stage_number, lifecycle_stage, previous_stage, entered_at, exited_at, is_current "
        f"from {reader.relation('intermediate', 'int_customers__lifecycle_stages')} "
        f"where customer_id = {literal} order by stage_number")
    profile.health_trend = list(reversed(reader.rows(
        "select snapshot_date, health_score, health_band "
        f"from {reader.relation('intermediate', 'int_customers__health_scores')} "
        f"where customer_id = {literal} order by snapshot_date desc limit {TREND_WEEKS}")))
    profile.touchpoints = reader.rows(
        "select occurred_at, channel, touchpoint_type, source_name, status, value_amount, score "
        f"from {reader.relation('marts', 'fct_touchpoints')} where customer_id = {literal} "
        f"order by occurred_at desc limit {TOUCHPOINTS_SHOWN}")
    if reader.exists("staging", "stg_scores__upsell_recommendations"):
        profile.recommendations = reader.rows(
            "select recommendation_rank, category, subcategory, propensity, reason "
            f"from {reader.relation('staging', 'stg_scores__upsell_recommendations')} "
            f"where customer_id = {literal} order by recommendation_rank")


def _add_audience_sections(reader: Reader, profile: Profile, audience: str) -> None:
    """Only what the audience's views hold: touchpoints from its view of
    fct_touchpoints, if it has one; the rest is listed as omitted."""
    profile.omitted = ["identity provenance", "lifecycle timeline", "weekly health trend",
                       "recommendation list"]
    view = f"fct_touchpoints__{audience}"
    if reader.exists("audiences", view):
        profile.touchpoints = reader.rows(
            f"select * from {reader.relation('audiences', view)} "
            f"where customer_id = {_literal(profile.customer_id)} "
            f"order by occurred_at desc limit {TOUCHPOINTS_SHOWN}")
    else:
        profile.omitted.append("touchpoints")


#: Golden record column -> the survivorship group whose source table it shows.
PROVENANCE_GROUPS = {"first_name": "name", "last_name": "name", "street_line": "address", "postal_code": "address",
                     "city": "address", "country_code": "address"}


def _text(value) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:,.2f}"
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?", value):
        return value.removesuffix("T00:00:00").replace("T", " ")  # ISO timestamps as they read
    return str(value)


def render(profile: Profile, console) -> None:
    """Print ``profile`` on a rich console, one panel per section."""
    from rich.panel import Panel
    from rich.table import Table

    def pairs(title: str, values: dict, extra: dict | None = None) -> Table:
        table = Table(title=title, show_header=False, title_justify="left", box=None, padding=(0, 1))
        table.add_column(style="bold")
        table.add_column()
        if extra is not None:
            table.add_column(style="dim")
        for name, value in values.items():
            source = extra.get(PROVENANCE_GROUPS.get(name, name), "") if extra is not None else None
            table.add_row(name, _text(value), *([source] if extra is not None else []))
        return table

    def rows(title: str, items: list[dict]) -> Table:
        table = Table(title=title, title_justify="left")
        for column in items[0] if items else ["(none)"]:
            table.add_column(column)
        for item in items:
            table.add_row(*(_text(value) for value in item.values()))
        return table

    who = " ".join(str(v) for v in (profile.golden.get("first_name"), profile.golden.get("last_name")) if v)
    heading = f"customer {profile.customer_id}" + (f"  {who}" if who else "")
    heading += f"  (as audience {profile.audience} sees it)" if profile.audience else ""
    console.print(Panel(pairs("golden record", profile.golden, profile.provenance if profile.provenance else None),
                        title=heading, title_align="left"))
    console.print(pairs("lifecycle", profile.lifecycle))
    if profile.timeline is not None:
        console.print(rows("lifecycle timeline", profile.timeline))
    health = {k: v for k, v in profile.health.items() if k != "components"}
    health.update({f"  {name} points": points for name, points in profile.health["components"].items()})
    console.print(pairs("health", health))
    if profile.health_trend:
        scores = [item["health_score"] for item in profile.health_trend if item["health_score"] is not None]
        console.print("health, last weeks: " + "  ".join(f"{score:.0f}" for score in scores))
    console.print(pairs("distress", {"distress_index": profile.distress["distress_index"],
                                     **{f"reason {i}": r for i, r in enumerate(profile.distress["reasons"], 1)}}))
    if profile.touchpoints is not None:
        console.print(rows("recent touchpoints", profile.touchpoints))
    console.print(pairs("scores", profile.scores))
    if profile.recommendations is not None:
        console.print(rows("recommendations", profile.recommendations) if profile.recommendations
                      else "recommendations: none (run c360 score)")
    if profile.omitted:
        console.print(f"[dim]not in audience {profile.audience}'s views: {', '.join(profile.omitted)}[/dim]")
