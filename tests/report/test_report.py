"""`c360 report`: a self-contained HTML page, rendered in headless Chromium;
every plot is there, with the data of the marts."""

from __future__ import annotations

import re
import shutil
from html.parser import HTMLParser

import duckdb
import pandas as pd
import pytest
from click.testing import CliRunner

from browser import dump_dom, screenshot, served
from c360.cli import cli
from c360.report import PLOTS, _churn_plot

ARTIFACTS = "test-artifacts"


class Figures(HTMLParser):
    """The plot figures of a page: id -> {marks: declared, values: [data-value of each mark]}."""

    def __init__(self):
        super().__init__()
        self.figures: dict[str, dict] = {}
        self.current: str | None = None
        self.depth = 0
        self.tags: set[str] = set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.add(tag)
        if tag == "figure" and "plot" in (attrs.get("class") or "").split():
            self.current = attrs["id"]
            self.figures[self.current] = {"marks": int(attrs["data-marks"]), "values": [], "svgs": 0}
            self.depth = 0
        elif self.current:
            if tag == "figure":
                self.depth += 1
            if tag == "svg":
                self.figures[self.current]["svgs"] += 1
            if "mark" in (attrs.get("class") or "").split():
                self.figures[self.current]["values"].append(float(attrs["data-value"]))

    def handle_endtag(self, tag):
        if tag == "figure" and self.current:
            if self.depth:
                self.depth -= 1
            else:
                self.current = None


@pytest.fixture(scope="module")
def report(warehouse, tmp_path_factory, project_dir):
    folder = tmp_path_factory.mktemp("report")
    result = CliRunner().invoke(cli, ["report", "--warehouse", str(warehouse), "--out", str(folder / "report.html")],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return folder / "report.html"


def test_the_report_is_self_contained(report):
    html = report.read_text()
    assert "<script" not in html and "<link" not in html and "<img" not in html
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html)
    assert "url(" not in html and "@import" not in html


def test_every_plot_renders_in_chromium_with_the_marts_data(report, warehouse, project_dir):
    with served(report.parent) as base:
        dom = dump_dom(f"{base}/report.html", budget_ms=3000)
        artefact = screenshot(f"{base}/report.html", project_dir / ARTIFACTS / "report.png", size="1400,2000",
                              budget_ms=3000)
    shutil.copyfile(report, project_dir / ARTIFACTS / "report.html")
    assert artefact.stat().st_size > 10_000
    parser = Figures()
    parser.feed(dom)
    assert set(parser.figures) == {f"plot-{key}" for key in PLOTS}
    for key, figure in parser.figures.items():
        assert figure["svgs"] >= 1, key
        assert figure["marks"] > 0 and len(figure["values"]) == figure["marks"], key
        assert any(value > 0 for value in figure["values"]), key
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        scored = connection.execute("select count(health_score), count(distress_index), count(*) "
                                    "from main_marts.customer_360").fetchone()
        funnel = [row[0] for row in connection.execute(
            "select customers_ever from main_marts.rpt_lifecycle_funnel order by stage_order").fetchall()]
        regions = connection.execute("select count(distinct coalesce(region, 'unknown')) "
                                     "from main_marts.customer_360").fetchone()[0]
        revenue = connection.execute("select sum(revenue_lifetime) from main_marts.customer_360").fetchone()[0]
        brands = connection.execute("select count(distinct brand) from main_marts.fct_social_mentions").fetchone()[0]
    figures = parser.figures
    assert sum(figures["plot-health"]["values"]) == scored[0]
    assert sum(figures["plot-distress"]["values"]) == scored[1]
    assert figures["plot-funnel"]["values"] == funnel
    assert figures["plot-regions"]["marks"] == 2 * regions
    assert sum(figures["plot-regions"]["values"][:regions]) == scored[2]
    assert sum(figures["plot-regions"]["values"][regions:]) == pytest.approx(float(revenue), rel=1e-9)
    assert sum(figures["plot-share_of_voice"]["values"]) == pytest.approx(100, abs=0.5)
    assert figures["plot-share_of_voice"]["marks"] == min(brands, 9)
    # NPS between -100 and 100, CSAT a percentage
    assert all(-100 <= v <= 100 for v in figures["plot-nps_csat"]["values"])


def test_churn_risk_by_segment_uses_the_scores_once_there():
    customers = pd.DataFrame({"segment": ["consumer", "consumer", "corporate", "corporate", "corporate"],
                              "churn_risk_band": ["high", "low", "medium", "low", "low"]})
    plot = _churn_plot(customers, query=None, marts="unused")
    assert plot.marks == 6 and "c360 score" in plot.note
    values = [float(v) for v in re.findall(r'class="mark" data-value="([0-9.]+)"', plot.svg)]
    # % per band, high, medium, low: consumer 1, 0, 1 of 2; corporate 0, 1, 2 of 3
    assert values == [50, 0, 50, 0, 33.3, 66.7]
