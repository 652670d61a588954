"""The fact sheet as a reader sees it, in headless Chromium: desktop (1200 px), phone (400 px and
320 px), and printed (PDF). Sizes and positions are measured in the DOM (tests/browser.py
``measure``), blank bands in the screenshot's pixels.

Checked on the published small-organisation page (pay bands, pooled group, BLS rows, three
comparison lines) and on the samples' internal page (exact figures, an axis with numbers):

* the chart's text is at least 12 px on a phone, and the phone gets its own chart layout;
* nothing scrolls sideways at 400 px: the headline with the key figure, and every table cell
  (the table becomes one card per group), are inside the viewport;
* no chart label overlaps another or is crossed by a line, on the page as drawn;
* no blank band (a run of empty rows taller than 48 px) on a phone or on a desktop;
* the page prints on at most 2 pages.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import browser

REPO = Path(__file__).resolve().parents[1]
ORG = REPO / "samples" / "small_org"
SAMPLES = REPO / "samples"
LINES = ["--reference-line", "poverty-2025", "--reference-line", "housing-wage:baltimore-md", "--reference-line", "minimum-wage:US-MD"]
PAGES = {
    "small_org_published": ["gap", "-r", ORG / "roster.csv", "-s", ORG / "schedule.csv", "--as-of", "2025-11-30", "--reference", "bls-2025",
                            "--publish", "--group", "clinical=rn,lpn,case_manager", *LINES],
    "samples_internal": ["gap", "-r", SAMPLES / "roster.csv", "-s", SAMPLES / "schedule.csv", "--as-of", "2025-11-30",
                         "--reference", "bls-2025", *LINES],
    "samples_annual_published": ["gap", "-r", SAMPLES / "roster.csv", "-s", SAMPLES / "schedule.csv", "--as-of", "2025-11-30",
                                 "--reference", "bls-2025", "--basis", "annual", "--publish", *LINES],
}
pytestmark = [pytest.mark.skipif(browser.find_chromium() is None, reason=browser.SKIP_REASON), pytest.mark.timeout(300)]
BLANK_BAND_PX = 48


@pytest.fixture(scope="module", params=list(PAGES))
def page(request, tmp_path_factory):
    from click.testing import CliRunner

    from peerpay.cli import main

    path = tmp_path_factory.mktemp("pages") / f"{request.param}.html"
    res = CliRunner().invoke(main, [str(a) for a in [*PAGES[request.param], "-f", "html", "-o", path]])
    assert res.exit_code == 0, res.output
    return path


def overlaps(a, b, slack=0.5) -> bool:
    return a[0] < b[2] - slack and b[0] < a[2] - slack and a[1] < b[3] - slack and b[1] < a[3] - slack


def check_chart(chart: dict) -> None:
    texts = [t for t in chart["texts"] if t["text"].strip()]
    for i, a in enumerate(texts):
        for b in texts[i + 1:]:
            assert not overlaps(a["box"], b["box"]), f"{a['text']!r} overlaps {b['text']!r}"
        for line in chart["lines"]:
            assert not overlaps(a["box"], line["box"], slack=0.1), f"a {line['cls']} line crosses {a['text']!r}"
        x0, y0, x1, y1 = chart["box"]
        assert x0 - 0.5 <= a["box"][0] and a["box"][2] <= x1 + 0.5, f"{a['text']!r} leaves the chart"


def test_desktop(page):
    m = browser.measure(page, 1200)
    assert m["scrollWidth"] <= m["width"] == 1200
    (chart,) = m["charts"]
    assert chart["cls"] == "chart-wide" and chart["rects"] >= 3
    check_chart(chart)
    assert min(t["px"] for t in chart["texts"]) >= 12
    ticks = [t for t in chart["texts"] if t["cls"] == "tick"]
    assert len(ticks) <= 7  # an annual axis too: a handful of numbers, never thousands
    if "published" in page.name:
        assert ticks == []  # a published chart labels each bar and has no axis numbers


@pytest.mark.parametrize("width", [400, 320])
def test_phone(page, width):
    m = browser.measure(page, width, 900)
    assert m["width"] == width and m["scrollWidth"] <= width, "the page scrolls sideways"
    (chart,) = m["charts"]
    assert chart["cls"] == "chart-narrow"
    check_chart(chart)
    small = [(t["text"], round(t["px"], 1)) for t in chart["texts"] if t["px"] < 12]
    assert small == [], f"chart text under 12 px at {width} px: {small[:5]}"
    heads = [c for c in m["cells"] if c["cls"] == "headline"]
    assert heads and all(0 <= h["box"][0] and h["box"][2] <= width for h in heads)
    assert "cents" in heads[0]["text"] and heads[0]["box"][3] < 900  # the key figure, first and on the first screen
    for cell in m["cells"]:
        assert cell["box"][2] <= width + 0.5, f"{cell['text']!r} is off screen"
    cents = [c for c in m["cells"] if c["label"].startswith("Cents on the dollar")]
    assert cents and all(c["box"][2] <= width for c in cents)


@pytest.mark.parametrize("width,height", [(400, 3200), (1200, 2400)])
def test_no_blank_band(page, width, height):
    png = browser.screenshot(page, width=width, height=height)
    assert browser.pixel_spread(png) > 20
    height_used = min(height, int(browser.measure(page, width)["pageHeight"]))
    assert browser.longest_blank_band(png, 0, height_used - 10) <= BLANK_BAND_PX


def test_prints_on_two_pages(page):
    pdf = browser.print_pdf(page)
    assert pdf[:5] == b"%PDF-" and 1 <= browser.pdf_page_count(pdf) <= 2


def test_measure_sees_a_broken_layout(tmp_path):
    """The measurements are not blind: a page wider than the phone, with tiny chart text, fails them."""
    bad = tmp_path / "bad.html"
    bad.write_text('<!DOCTYPE html><html><head><meta name="viewport" content="width=device-width"></head><body><main>'
                   '<figure><svg viewBox="0 0 800 100" style="width:100%"><text x="10" y="20" font-size="11">$19.40</text>'
                   '<text x="12" y="22" font-size="11">$20.10</text></svg></figure>'
                   '<table><tr><td style="white-space:nowrap">' + "wide " * 60 + "</td></tr></table></main></body></html>")
    m = browser.measure(bad, 400)
    assert m["scrollWidth"] > 400
    chart = m["charts"][0]
    assert min(t["px"] for t in chart["texts"]) < 12
    with pytest.raises(AssertionError, match="overlaps"):
        check_chart(chart)
    assert json.dumps(m)
