"""The advocate's fact sheet (peerpay/io/html.py): content, agreement, escaping, no leaks,
and a real headless-Chromium render (PNG not blank, PDF on <= 2 pages, offline)."""

from __future__ import annotations

import copy
import csv
import hashlib
import html
import json
import re
from decimal import ROUND_HALF_UP, Decimal
from html.parser import HTMLParser
from pathlib import Path

import browser
import pytest
from click.testing import CliRunner

from peerpay.cli import main
from peerpay.io import html as factsheet
from peerpay.io.resources import reference_lines

ROOT = Path(__file__).resolve().parents[1]
LINES = ["poverty-2025", "housing-wage:baltimore-md", "Living wage (MIT, Baltimore, 1 adult)=24.50"]


def gap_json(*extra) -> dict:
    args = ["gap", "--roster", str(ROOT / "samples/roster.csv"), "--schedule", str(ROOT / "samples/schedule.csv"),
            "--peer-role", "peer_specialist", "--as-of", "2025-11-30", "--format", "json", *extra]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


@pytest.fixture(scope="module")
def report():
    return gap_json("--reference", "bls-2025")


@pytest.fixture(scope="module")
def record():
    inputs = {n: (ROOT / "samples" / n).read_bytes() for n in ("roster.csv", "schedule.csv")}
    return factsheet.run_record("0.1.0", inputs, {"peer-role": "peer_specialist", "reference-line": LINES})


@pytest.fixture(scope="module")
def page(report, record):
    return factsheet.gap_fact_sheet(report, reference_lines(LINES), record)


class Rows(HTMLParser):
    """Table rows keyed by data-key -> list of cell texts."""

    def __init__(self):
        super().__init__()
        self.rows, self.key, self.cell = {}, None, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "tr" and "data-key" in a:
            self.key = a["data-key"]
            self.rows[self.key] = []
        elif tag in ("td", "th") and self.key is not None:
            self.cell = ""

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self.key is not None and self.cell is not None:
            self.rows[self.key].append(self.cell.strip())
            self.cell = None
        elif tag == "tr":
            self.key = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell += data


def table_rows(page: str) -> dict[str, list[str]]:
    parser = Rows()
    parser.feed(page)
    return parser.rows


def headlines(page: str) -> list[str]:
    return [html.unescape(h) for h in re.findall(r'<p class="headline">(.*?)</p>', page)]


def half_up(text: str) -> int:
    return int(Decimal(text.replace(",", "")).quantize(Decimal(1), rounding=ROUND_HALF_UP))


# --------------------------------------------------------------------------- content


def test_headline_agrees_with_the_table(page):
    rows = table_rows(page)
    cols = [c for c, _ in factsheet.GAP_COLUMNS]
    cents_col, hours_col = cols.index("Cents on the dollar"), cols.index("Hours to earn the role's 40")
    heads = headlines(page)
    # the best-paid comparable role here is the RN: 45.6 cents -> 46; 87.8 hours -> 88
    m = re.fullmatch(r"For every dollar a registered nurse earns, a peer specialist here earns (\d+) cents\.", heads[0])
    assert m and int(m.group(1)) == half_up(rows["rn"][cents_col]) == 46
    m = re.fullmatch(r"A peer specialist works (\d+) hours to earn what a registered nurse earns in 40\.", heads[1])
    assert m and int(m.group(1)) == half_up(rows["rn"][hours_col]) == 88
    # the national RN median (BLS): 41.9 cents -> 42
    m = re.search(r"national median for registered nurses \(BLS\), a peer specialist here earns (\d+) cents", heads[2])
    assert m and int(m.group(1)) == half_up(rows["BLS: registered_nurse"][cents_col]) == 42
    # the peer median in the sentence is the table's, and both lines named are above it
    m = re.search(r"median, \$([\d.]+) an hour, is below 2 of the 3 comparison lines", heads[3])
    assert m and f"${m.group(1)}" == rows["peer_specialist"][cols.index("Median pay")]
    lines = table_rows(page)
    assert lines["housing-wage:baltimore-md"][1] == "$37.37" and "$37.37" in heads[3]


def test_headline_can_name_an_external_comparator(report):
    heads = factsheet.gap_headline(report, comparator="BLS: registered_nurse")
    assert heads[0] == "For every dollar a registered nurse earns nationally (BLS median), a peer specialist here earns 42 cents."
    assert heads[1].startswith("A peer specialist works 96 hours")  # 95.56 -> 96


def test_page_has_the_parts_an_advocate_needs(page):
    for text in ("<meta name=\"viewport\"", "@media print", "<svg", "registered nurse", "licensed practical nurse",
                 "USD per hour", "$/hour", "BLS Occupational Employment and Wage Statistics (OEWS)", "2025-11-30",
                 "What each figure means", "Run record", "sha256 ", "Poverty line 2025 (1 person)", "$7.52",
                 "Living wage (MIT, Baltimore, 1 adult)", "no SOC code"):
        assert text in page, text
    assert ">rn<" not in page and "registered_nurse<" not in page  # human role labels, not keys


def test_chart_highlights_the_peer_and_draws_every_line(page, report):
    wide = page[page.index('<svg'): page.index("</svg>")]
    assert 'class="chart-wide"' in wide
    shown = [g for g in report["groups"] if not g["suppressed"]]
    assert wide.count("<rect") == len(shown)
    assert f'fill="{factsheet.PEER_COLOR}"><title>Peer specialist: $19.63' in wide
    assert wide.count('<text class="line"') == 3  # each comparison line labelled once, above the bars
    for label in ("Poverty line 2025 (1 person) $7.52", "Housing wage, 2-bedroom (Baltimore, MD, FY2024) $37.37"):
        assert label in wide
    assert ">Rn<" not in wide and "registered_nurse" not in wide and "Registered nurse (U.S., BLS)" in wide
    narrow = page[page.index('class="chart-narrow"'):]
    narrow = narrow[: narrow.index("</svg>")]
    assert narrow.count("<rect") == len(shown) and narrow.count('<text class="key"') >= 3  # on a phone: a key


def test_run_record_hashes_the_inputs(record):
    roster = (ROOT / "samples/roster.csv").read_bytes()
    assert record["inputs"][0] == {"file": "roster.csv", "sha256": hashlib.sha256(roster).hexdigest(), "bytes": len(roster)}


# --------------------------------------------------------------------------- safety


def test_no_names_or_employee_ids(page):
    with open(ROOT / "samples/roster.csv", newline="") as fh:
        people = list(csv.DictReader(fh))
    for p in people:
        assert p["employee_id"] not in page
        if p.get("name"):
            assert p["name"] not in page


def test_every_value_is_escaped(report):
    evil = copy.deepcopy(report)
    evil["groups"][1]["role"] = "<script>alert('x')</script>"
    evil["notes"] = ["<img src=x onerror=alert(1)>"]
    page = factsheet.gap_fact_sheet(evil, [{"key": "k", "label": "<b>Line</b>", "hourly": 20, "kind": "user", "source": "\"><script>"}])
    assert "<script>" not in page and "<img" not in page and "<b>Line" not in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page


def test_no_external_resources(page):
    assert browser.external_references(page) == []
    assert "http:" not in page and "https:" not in page  # sources are shown as text without a scheme
    assert "<script" not in page and "<link" not in page and "@font-face" not in page


def test_published_page_states_the_finding_first_then_its_caveats():
    published = gap_json("--publish")
    page = factsheet.gap_fact_sheet(published)
    heads = headlines(page)
    # the 7 peers ($18–20) and the 3 case managers ($22–25) are pay bands; the finding comes first
    assert heads[0] == "Peer specialists here earn 72–91 cents for every dollar a case manager earns."
    caveats = [html.unescape(c) for c in re.findall(r'<p class="caveat">(.*?)</p>', page)]
    assert caveats[0].startswith("Ranges, not exact figures: 2 groups with fewer than 10 employees")
    assert caveats[1].startswith("Not shown: community health worker, licensed practical nurse, peer supervisor, program director, "
                                 "registered nurse")
    assert page.index('class="headline"') < page.index('class="caveat"')
    # the note names what is withheld, and only that: a banded group is not "suppressed"
    note = html.unescape(page[page.index("Withheld:"):].split("</p>")[0])
    assert "program director" in note and "Shown as pay bands: peer specialist, case manager" in note
    assert "suppressed" not in note
    # definitions only for what is shown: no quartiles, no decomposition, no gap in dollars an hour
    defs = page[page.index("What each figure means"):page.index("Data sources and notes")]
    assert "quartiles" not in defs and "decomposition" not in defs and "gap $ (median)" not in defs and "pay band" in defs


def test_no_column_is_blank_on_every_row():
    published = gap_json("--publish", "--reference", "bls-2025")
    rows, keep, _ = factsheet.gap_table_rows(published)
    for j in range(1, len(keep)):
        assert any(r[j] for r in rows), factsheet.GAP_COLUMNS[int(keep[j])]
    assert "Gap" in [factsheet.GAP_COLUMNS[int(j)][0] for j in keep]  # the gap % range is shown
    assert ("Gap", "$/hour") not in [factsheet.GAP_COLUMNS[int(j)] for j in keep]  # no $/hour gap range: not shown at all


def test_html_table_units_and_alignment():
    table = factsheet.html_table("Cost by year", ["Year", "Cost"], [["2026", "$1,234.50"], ["<2027>", "n/a"]], ["", "$/year"])
    assert "<caption>Cost by year</caption>" in table and '<span class="unit">$/year</span>' in table
    assert '<td class="num">$1,234.50</td>' in table and "&lt;2027&gt;" in table


# --------------------------------------------------------------------------- a real browser

needs_chromium = pytest.mark.skipif(browser.find_chromium() is None, reason=browser.SKIP_REASON)


@pytest.fixture(scope="module")
def page_file(page, tmp_path_factory):
    path = tmp_path_factory.mktemp("factsheet") / "gap.html"
    path.write_text(page, encoding="utf-8")
    return path


@needs_chromium
@pytest.mark.timeout(180)
def test_renders_in_chromium_not_blank(page_file):
    png = browser.screenshot(page_file, width=1000, height=1400)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert browser.pixel_spread(png) > 20  # a blank page is ~0
    phone = browser.screenshot(page_file, width=390, height=900)
    assert browser.pixel_spread(phone) > 20


@needs_chromium
@pytest.mark.timeout(180)
def test_prints_on_at_most_two_pages(page_file):
    pdf = browser.print_pdf(page_file)
    assert pdf[:5] == b"%PDF-"
    assert 1 <= browser.pdf_page_count(pdf) <= 2


def test_docs_fact_sheet_is_current(page, report):
    """docs/factsheet/samples_gap.html is what scripts/build_factsheet_docs.py makes today."""
    import importlib.util
    spec = importlib.util.spec_from_file_location("build_factsheet_docs", ROOT / "scripts/build_factsheet_docs.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    assert (ROOT / "docs/factsheet/samples_gap.html").read_text(encoding="utf-8") == mod.samples_page()
