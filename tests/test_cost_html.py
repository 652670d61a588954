"""`peerpay cost --format html`: the bargaining summary on the fact sheet's page, sentences agreeing with the figures."""

from __future__ import annotations

import json
import re
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest

import browser

REPO = Path(__file__).resolve().parents[1]
S = REPO / "samples"
ARGS = ["cost", "-t", S / "timesheet.csv", "-p", S / "policy.toml", "-r", S / "roster.csv", "-s", S / "schedule.csv",
        "--proposal", S / "proposals/union.toml", "--proposal", S / "proposals/management.toml",
        "--on-costs", S / "proposals/oncosts.toml"]


@pytest.fixture(scope="module")
def outputs():
    from click.testing import CliRunner

    from peerpay.cli import main

    run = lambda fmt: CliRunner().invoke(main, [str(a) for a in ARGS] + ["-f", fmt])
    return json.loads(run("json").stdout), run("html").stdout


def test_headline_agrees_with_the_report(outputs):
    report, page = outputs
    heads = re.findall(r'<p class="headline">([^<]*)</p>', page)
    union = report["proposals"][0]
    whole = Decimal(str(union["term_cash_cost"])).quantize(Decimal(1), ROUND_HALF_UP)
    assert heads[0] == (f"Union proposal (union) costs ${whole:,} in cash over its 3-year term and lifts the peer specialist "
                        f"median from ${union['peer_median_before']:.2f} to ${union['peer_median_after']:.2f} an hour.")
    rn = next(g for g in union["gap"] if g["role"] == "rn")  # the widest gap before
    assert heads[1] == f"Under it the gap to registered nurses goes from {rn['gap_before_pct']} % to {rn['gap_after_pct']} %."
    assert heads[3] == "Under it the gap to registered nurses stays at 54.4 %."  # management: 54.4 -> 54.4


def test_page_parts_and_no_outside_resources(outputs):
    _, page = outputs
    for part in ("Cost by year", "The gap before and after", "What each figure means", "Data sources and notes", "Run record",
                 "sha256 "):
        assert part in page
    assert browser.external_references(page) == []


@pytest.mark.skipif(browser.find_chromium() is None, reason=browser.SKIP_REASON)
@pytest.mark.timeout(180)
def test_cost_summary_in_chromium(outputs, tmp_path):
    path = tmp_path / "cost.html"
    path.write_text(outputs[1], encoding="utf-8")
    assert browser.pixel_spread(browser.screenshot(path)) > 20
    assert 1 <= browser.pdf_page_count(browser.print_pdf(path)) <= 2


def test_backpay_html_through_the_same_pipeline():
    from click.testing import CliRunner

    from peerpay.cli import main

    args = ["backpay", "-t", S / "timesheet.csv", "-u", S / "unpaid_work.csv", "-p", S / "policy.toml",
            "-r", S / "roster.csv", "-s", S / "schedule.csv", "-f", "html"]
    page = CliRunner().invoke(main, [str(a) for a in args]).stdout
    assert page.startswith("<!DOCTYPE html>") and "Back wages for unpaid work" in page and "Run record" in page
    assert browser.external_references(page) == [] and "Dana Mooring" not in page


def test_one_chart_model_for_gap_cost_and_the_fact_sheet(outputs):
    """The gap PNG, the fact sheet's SVG and the cost chart are all drawn from io.charts.ChartModel."""
    from peerpay.cli.cost import gap_chart_model as cost_model
    from peerpay.io.charts import draw
    from peerpay.io.html import chart_svg

    report, page = outputs
    model = cost_model(report)
    roles = len(report["proposals"][0]["gap"])
    assert len(model.bars) == roles * (1 + len(report["proposals"]))  # before + one after per proposal
    first = next(g for g in report["proposals"][0]["gap"])
    assert (model.bars[0].value, model.bars[1].value) == (first["gap_before_pct"], first["gap_after_pct"])
    png, data = draw(model, "png")
    assert png[:4] == b"\x89PNG" and [b["value"] for b in data.bars] == [b.value for b in reversed(model.bars)]
    svg = chart_svg(model, "The gap before and after each proposal", "gap, % of the role median")
    assert svg in page and svg.count("<rect") == len(model.bars)
