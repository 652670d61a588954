"""`peerpay cost --format html`: the bargaining pack -- everything the table output has, the wage
scale and the members' statements, its sentences agreeing with the figures, printable.
"""

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
MEMBERS = ["--employee", "HL002", "--employee", "HL004"]


@pytest.fixture(scope="module")
def outputs():
    from click.testing import CliRunner

    from peerpay.cli import main

    run = lambda fmt, *extra: CliRunner().invoke(main, [str(a) for a in ARGS] + ["-f", fmt, *extra])
    return json.loads(run("json", *MEMBERS).stdout), run("html", *MEMBERS).stdout, run("html").stdout


def whole(x) -> str:
    return f"${Decimal(str(x)).quantize(Decimal(1), ROUND_HALF_UP):,}"


def cents(x) -> str:
    return f"-${-x:,.2f}" if x < 0 else f"${x:,.2f}"


def test_headline_names_each_proposal_as_it_names_itself(outputs):
    report, page, _ = outputs
    heads = re.findall(r'<p class="headline">([^<]*)</p>', page)
    union = report["proposals"][0]
    over = union["over_status_quo"]["term_cash_cost"]
    assert heads[0] == (f"Union proposal costs {whole(union['term_cash_cost'])} in cash over its 3-year term, "
                        f"{whole(over)} more than the status quo, and lifts the peer specialist median from "
                        f"${union['peer_median_before']:.2f} to ${union['peer_median_after']:.2f} an hour.")
    assert "(union)" not in page and "(management)" not in page  # no "Union proposal (union)"
    rn = next(g for g in union["gap"] if g["role"] == "rn")  # the widest gap before
    assert heads[1] == f"Under it the gap to registered nurses goes from {rn['gap_before_pct']} % to {rn['gap_after_pct']} %."


def test_the_pack_carries_everything_the_table_output_has(outputs):
    """Items with their knock-on, status quo, union - management, value of 1 %, retro (members and
    employer), on-costs, run-rate and cash -- each as the JSON has it."""
    report, page, _ = outputs
    union, mgmt = report["proposals"]
    for p in (union, mgmt):
        for it in p["items"]:
            assert it["item"] in page and cents(it["term_cash_cost"]) in page
            assert cents(it["years"][-1]["overtime_knock_on"]) in page
        for y in p["years"]:
            if y["role"] == "TOTAL":
                assert cents(y["cash_cost"]) in page and cents(y["run_rate"]) in page
        for y in p["over_status_quo"]["years"]:
            assert cents(y["cash_cost"]) in page
        for note in p["notes"]:
            assert note.replace("'", "&#x27;") in page
    sq, diff = report["status_quo"], report["difference"]
    assert "Status quo (current contract rolled forward)" in page and whole(sq["term_cash_cost"]) in page
    assert "Union proposal − Management proposal" in page and whole(diff["term_cash_cost"]) in page
    assert "Value of 1 %" in page and whole(report["value_of_1_pct"]["run_rate"]) in page
    assert cents(union["retro_pay_to_members"]) in page and cents(union["retro_pay"]) in page
    assert cents(union["retro_on_costs"]) in page
    for oc in report["on_costs"]:
        assert f"<th scope=\"row\">{oc['name']}</th>" in page
    for part in ("Proposals side by side", "The wage scale under Union proposal", "The wage scale under Management proposal",
                 "By role (the roles add up to TOTAL)", "The gap before and after", "Baseline and on-costs",
                 "Member statement: HL002", "Member statement: HL004", "Run record", "sha256 "):
        assert part in page
    assert browser.external_references(page) == []
    assert "Dana Mooring" not in page and "Eli Keel" not in page  # names never reach the pack


def test_the_wage_scale_on_the_page_is_the_reports(outputs):
    report, page, _ = outputs
    scale = report["proposals"][0]["wage_scale"]
    peer6 = next(r for r in scale["rows"] if (r["role"], r["step"]) == ("peer_specialist", 6))
    assert peer6["today"] is None and all(x is None for x in peer6["increase_pct"])  # a new step: no increase over today
    rn1 = next(r for r in scale["rows"] if (r["role"], r["step"]) == ("rn", 1))
    for rate, inc in zip(rn1["rates"], rn1["increase_pct"]):
        assert f"{cents(rate)}<span class=\"inc\">+{inc:.2f} %</span>" in page


@pytest.mark.skipif(browser.find_chromium() is None, reason=browser.SKIP_REASON)
@pytest.mark.timeout(300)
def test_the_pack_prints_on_two_pages_per_proposal_and_a_page_per_member(outputs, tmp_path):
    report, with_members, pack = outputs
    path = tmp_path / "cost.html"
    path.write_text(pack, encoding="utf-8")
    assert browser.pixel_spread(browser.screenshot(path)) > 20
    assert 1 <= browser.pdf_page_count(browser.print_pdf(path)) <= 2 * len(report["proposals"])
    path.write_text(with_members, encoding="utf-8")
    members = len(report["members"])
    assert browser.pdf_page_count(browser.print_pdf(path)) <= 2 * len(report["proposals"]) + members


@pytest.mark.skipif(browser.find_chromium() is None, reason=browser.SKIP_REASON)
@pytest.mark.timeout(300)
@pytest.mark.parametrize("proposal", ["union.toml", "union_steps.toml"])
def test_one_proposal_prints_on_two_pages(cli, tmp_path, proposal):
    out = tmp_path / "one.html"
    files = ARGS[:9]  # cost -t T -p P -r R -s S
    assert cli([*files, "--proposal", S / "proposals" / proposal, "-f", "html", "-o", out]).exit_code == 0
    assert browser.pdf_page_count(browser.print_pdf(out)) <= 2


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

    report, page, _ = outputs
    model = cost_model(report)
    roles = len(report["proposals"][0]["gap"])
    assert len(model.bars) == roles * (1 + len(report["proposals"]))  # before + one after per proposal
    first = next(g for g in report["proposals"][0]["gap"])
    assert (model.bars[0].value, model.bars[1].value) == (first["gap_before_pct"], first["gap_after_pct"])
    png, data = draw(model, "png")
    assert png[:4] == b"\x89PNG" and [b["value"] for b in data.bars] == [b.value for b in reversed(model.bars)]
    svg = chart_svg(model, "The gap before and after each proposal", "gap, % of the role median")
    assert svg in page and svg.count("<rect") == len(model.bars)  # on screen; the printed pack keeps the table
