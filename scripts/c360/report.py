"""``c360 report``: one self-contained HTML page of plots over the marts.

The page holds its styles and its charts (inline SVG, c360.svg_charts): no
script, font or image is fetched, so it opens offline and can be mailed.
Each plot is a ``<figure class="plot" id="plot-<key>" data-marks="<n>">``
whose SVG holds n marks (bars or points), which is what the browser test
checks.

Plots and what they read (every query is plain SQL over the marts, so the
report runs on each target):
  health        customer_360.health_score, in bands of ten points
  distress      customer_360.distress_index, in bands of ten points
  churn         churn risk by segment: customers per churn_risk_band once
                `c360 score` has run; before that the observed monthly
                churn rate of the last twelve months (rpt_churn_monthly)
  nps_csat      NPS and CSAT per month (rpt_nps_monthly, all segments)
  funnel        customers who ever reached each lifecycle stage (rpt_lifecycle_funnel)
  share_of_voice  mentions per brand: fct_share_of_voice when it is built,
                else fct_social_mentions
  regions       customers and lifetime revenue per customer_360.region
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from html import escape
from pathlib import Path

from c360 import svg_charts
from c360.project import C360Error, Project

PLOTS = ("health", "distress", "churn", "nps_csat", "funnel", "share_of_voice", "regions")
#: Brands shown one by one in the share of voice; the rest are summed as "other".
TOP_BRANDS = 8
BAND_LABELS = [f"{low}-{low + 10}" for low in range(0, 100, 10)]
RISK_BANDS = ("high", "medium", "low")
#: Columns of fct_share_of_voice read as the mention count, in order of preference.
VOICE_COUNT_COLUMNS = ("mentions", "mention_count", "mentions_count")


@dataclass
class Plot:
    key: str
    title: str
    svg: str
    marks: int
    note: str = ""


@dataclass
class Report:
    title: str
    facts: dict[str, str]
    plots: list[Plot] = field(default_factory=list)


def _bands(values) -> list[int]:
    counts = [0] * 10
    for value in values:
        if value is None or value != value:  # None or NaN
            continue
        counts[min(max(int(float(value) // 10), 0), 9)] += 1
    return counts


def collect(project: Project) -> Report:
    """Query the marts and draw every plot."""
    from c360.warehouse import read_sql, relation_exists, schema_name

    marts = schema_name(project, "marts")

    def query(sql: str):
        return read_sql(project, sql)

    customers = query(f"select customer_id, segment, region, health_score, distress_index, revenue_lifetime, "
                      f"churn_risk_band, as_of_date from {marts}.customer_360")
    if customers.empty:
        raise C360Error(f"{marts}.customer_360 is empty: build the warehouse first (c360 build)")
    as_of = customers["as_of_date"].dropna()
    report = Report(title="Customer 360 report", facts={
        "customers": f"{len(customers):,}",
        "as of": str(as_of.iloc[0])[:10] if len(as_of) else "-",
        "generated": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
    })
    plots = report.plots

    health = _bands(customers["health_score"])
    plots.append(Plot("health", "Health score distribution",
                      svg_charts.bars(BAND_LABELS, {"customers": health}, label="customers per health band"),
                      len(BAND_LABELS), "Customers per ten points of health score (0 = worst, 100 = best)."))
    distress = _bands(customers["distress_index"])
    plots.append(Plot("distress", "Distress index distribution",
                      svg_charts.bars(BAND_LABELS, {"customers": distress}, label="customers per distress band"),
                      len(BAND_LABELS), "Customers per ten points of distress index (higher = more distressed)."))
    plots.append(_churn_plot(customers, query, marts))

    nps = query(f"select month_start, sum(nps_responses) as nps_responses, sum(nps_promoters) as promoters, "
                f"sum(nps_detractors) as detractors, sum(csat_responses) as csat_responses, "
                f"sum(csat_satisfied) as satisfied from {marts}.rpt_nps_monthly "
                f"group by month_start order by month_start")
    months = [str(m)[:7] for m in nps["month_start"]]
    nps_values = [None if not r else round(100 * (p - d) / r, 1)
                  for r, p, d in zip(nps["nps_responses"], nps["promoters"], nps["detractors"], strict=True)]
    csat_values = [None if not r else round(100 * s / r, 1)
                   for r, s in zip(nps["csat_responses"], nps["satisfied"], strict=True)]
    plots.append(Plot("nps_csat", "NPS and CSAT by month",
                      svg_charts.lines(months, {"NPS": nps_values, "CSAT % satisfied": csat_values},
                                       label="NPS and CSAT by month", low=0, high=100),
                      sum(v is not None for v in nps_values + csat_values),
                      "NPS: % promoters minus % detractors; CSAT: % of responses satisfied."))

    funnel = query(f"select lifecycle_stage, stage_order, customers_ever from {marts}.rpt_lifecycle_funnel "
                   f"order by stage_order")
    plots.append(Plot("funnel", "Lifecycle funnel",
                      svg_charts.bars(list(funnel["lifecycle_stage"]),
                                      {"customers ever": list(funnel["customers_ever"])},
                                      label="lifecycle funnel", horizontal=True),
                      len(funnel), "Customers who ever reached each lifecycle stage."))

    plots.append(_share_of_voice_plot(query, marts, lambda name: relation_exists(project, marts, name)))

    regions = (customers.assign(revenue=customers["revenue_lifetime"].astype(float).fillna(0),
                                region=customers["region"].fillna("unknown"))
               .groupby("region").agg(customers=("customer_id", "count"), revenue=("revenue", "sum"))
               .sort_values("customers", ascending=False))
    names = list(regions.index)
    svg = (svg_charts.bars(names, {"customers": list(regions["customers"])}, label="customers by region")
           + svg_charts.bars(names, {"lifetime revenue": list(regions["revenue"])}, label="revenue by region"))
    plots.append(Plot("regions", "Customers and revenue by region", svg, 2 * len(names),
                      "Customers (first chart) and their lifetime revenue (second) per region."))
    return report


def _churn_plot(customers, query, marts: str) -> Plot:
    scored = customers.dropna(subset=["churn_risk_band"])
    if len(scored):
        table = scored.groupby(["segment", "churn_risk_band"]).size().unstack(fill_value=0)
        segments = list(table.index)
        totals = table.sum(axis=1)
        series = {band: [round(100 * table.at[s, band] / totals[s], 1) if band in table.columns else 0.0
                         for s in segments] for band in RISK_BANDS}
        return Plot("churn", "Churn risk by segment",
                    svg_charts.bars(segments, series, label="churn risk by segment", stacked=True),
                    len(segments) * len(RISK_BANDS),
                    "Share of each segment's scored customers per churn risk band (c360 score), %.")
    monthly = query(f"select month_start, segment, sum(churned) as churned, sum(active_at_start) as active "
                    f"from {marts}.rpt_churn_monthly group by month_start, segment")
    latest = sorted(monthly["month_start"].unique())[-12:]
    rates = (monthly[monthly["month_start"].isin(latest)].groupby("segment")[["churned", "active"]].sum()
             .reset_index().sort_values("segment"))
    values = [round(100 * c / a, 2) if a else 0 for c, a in zip(rates["churned"], rates["active"], strict=True)]
    return Plot("churn", "Churn risk by segment",
                svg_charts.bars(list(rates["segment"]), {"monthly churn %": values}, label="churn by segment"),
                len(values), "Not scored yet (run c360 score): observed monthly churn rate, % of customers "
                             "active at a month's start who churned in it, over the last twelve months.")


def _share_of_voice_plot(query, marts: str, exists) -> Plot:
    counts = None
    note = "Social mentions per brand (fct_social_mentions)."
    if exists("fct_share_of_voice"):
        columns = list(query(f"select * from {marts}.fct_share_of_voice where 1 = 0").columns)
        count_column = next((c for c in VOICE_COUNT_COLUMNS if c in columns), None)
        if "brand" in columns and count_column:
            counts = query(f"select brand, sum({count_column}) as mentions from {marts}.fct_share_of_voice "
                           f"group by brand")
            note = "Mentions per brand (fct_share_of_voice)."
    if counts is None:
        counts = query(f"select brand, count(*) as mentions from {marts}.fct_social_mentions group by brand")
    counts = counts.sort_values("mentions", ascending=False)
    top = counts.head(TOP_BRANDS)
    labels, values = list(top["brand"].fillna("unknown")), [float(v) for v in top["mentions"]]
    rest = float(counts["mentions"].iloc[TOP_BRANDS:].sum())
    if rest:
        labels.append("other")
        values.append(rest)
    total = sum(values) or 1
    shares = [round(100 * v / total, 1) for v in values]
    return Plot("share_of_voice", "Share of voice",
                svg_charts.bars(labels, {"% of mentions": shares}, label="share of voice", horizontal=True),
                len(labels), note)


STYLE = """
body { font-family: sans-serif; margin: 24px auto; max-width: 1360px; color: #222; }
h1 { font-size: 22px; margin-bottom: 4px; }
.facts { color: #555; margin-bottom: 16px; }
.facts span { margin-right: 18px; }
.grid { display: grid; grid-template-columns: repeat(2, 1fr); gap: 16px; }
figure.plot { margin: 0; padding: 12px; border: 1px solid #ddd; border-radius: 6px; background: #fff; }
figure.plot h2 { font-size: 15px; margin: 0 0 6px; }
figcaption { font-size: 12px; color: #555; margin-top: 4px; }
svg { max-width: 100%; height: auto; }
#plot-regions { grid-column: span 2; }
#plot-regions svg { max-width: 49.5%; }
"""


def render_html(report: Report) -> str:
    facts = "".join(f"<span><b>{escape(k)}</b> {escape(v)}</span>" for k, v in report.facts.items())
    figures = "".join(
        f'<figure class="plot" id="plot-{plot.key}" data-marks="{plot.marks}"><h2>{escape(plot.title)}</h2>'
        f"{plot.svg}<figcaption>{escape(plot.note)}</figcaption></figure>" for plot in report.plots)
    return (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{escape(report.title)}</title>'
            f"<style>{STYLE}</style></head><body><h1>{escape(report.title)}</h1>"
            f'<div class="facts">{facts}</div><div class="grid">{figures}</div></body></html>\n')


def write_report(project: Project, out: Path) -> Report:
    report = collect(project)
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".partial")
    partial.write_text(render_html(report), encoding="utf-8")
    partial.replace(out)
    return report
