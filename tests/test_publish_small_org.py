"""Publishing for a small team (issue 15): pooling, the threshold rules, the banded peer figure,
the Oaxaca-Blinder caution, and no names or ids in any published output of samples/small_org."""

from __future__ import annotations

import csv
import io
import json
from fractions import Fraction
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

import browser
from peerpay.core import gap as core
from peerpay.core.disclosure import candidate_bands
from peerpay.io.charts import gap_chart

REPO = Path(__file__).resolve().parents[1]
ORG = REPO / "samples" / "small_org"
GOLDEN = Path(__file__).resolve().parent / "golden"
BASE = ["gap", "-r", ORG / "roster.csv", "-s", ORG / "schedule.csv", "--as-of", "2025-11-30", "--reference", "bls-2025"]
PUBLISHED = [*BASE, "--publish", "--group", "clinical=rn,lpn,case_manager",
             "--reference-line", "poverty-2025", "--reference-line", "housing-wage:baltimore-md",
             "--reference-line", "minimum-wage:US-MD"]
needs_chromium = pytest.mark.skipif(browser.find_chromium() is None, reason=browser.SKIP_REASON)


def roster_secrets() -> list[str]:
    with open(ORG / "roster.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    names = [r["name"] for r in rows]
    return [r["employee_id"] for r in rows] + names + [n.split()[-1] for n in names]


# --------------------------------------------------------------------------- pooling (hand-worked)


def test_parse_groups():
    assert core.parse_groups(["clinical=rn, lpn", "admin=office"]) == {"clinical": ["rn", "lpn"], "admin": ["office"]}
    for bad, why in [(["clinical"], "NAME=ROLE"), (["=rn"], "NAME=ROLE"), (["a=rn", "b=rn"], "in both"), (["a=rn", "a=lpn"], "twice")]:
        with pytest.raises(ValueError, match=why):
            core.parse_groups(bad)


def test_pooled_group_is_one_group_with_the_pooled_median():
    workers = pd.DataFrame({"employee_id": list("abcdef"), "role": ["peer", "peer", "peer", "rn", "rn", "lpn"],
                            "hourly_units": [190000, 195000, 200000, 400000, 420000, 300000]})
    pooled, peer = core.pool_roles(workers, {"clinical": ["rn", "lpn"]}, "peer")
    assert peer == "peer" and sorted(pooled["role"]) == ["clinical"] * 3 + ["peer"] * 3
    # clinical rates 30.00, 40.00, 42.00 -> median 40.00 (the RNs' own median would be 41.00)
    assert core._median(sorted(pooled.loc[pooled["role"] == "clinical", "hourly_units"])) == 400000
    # pooling the peer role makes the pooled group the peer group
    _, peer = core.pool_roles(workers, {"support": ["peer", "lpn"]}, "peer")
    assert peer == "support"


# --------------------------------------------------------------------------- the band


@pytest.mark.parametrize("value,band", [
    ("19.40", (18, 20)), ("19.99", (18, 20)), ("20", (20, 22)), ("29.90", (28, 32)), ("12.60", (12.5, 14)),
    ("9.99", (9, 10)), ("40352", (40_000, 45_000)), ("81000", (80_000, 90_000)),
])
def test_a_band_is_the_ladder_step_holding_the_median(value, band):
    # the R'20 ladder: 1, 1.1, 1.25, 1.4, 1.6, 1.8, 2, 2.2, 2.5, 2.8, 3.2, 3.6, 4, 4.5, 5, 5.6, 6.3, 7.1, 8, 9 (x 10^k)
    first = candidate_bands(Fraction(value))[0]
    assert (first.low, first.high) == tuple(Fraction(b) for b in band)
    assert first.low <= Fraction(value) < first.high


def test_small_org_published_report_bands_every_small_group(cli):
    res = cli([*PUBLISHED, "-f", "json"])
    assert res.exit_code == 0, res.output
    report = json.loads(res.stdout)
    groups = {g["role"]: g for g in report["groups"]}
    peer, clinical = groups["peer_specialist"], groups["clinical"]
    # peers 18.75, 19.40, 19.40, 20.10 -> median 19.40 -> ladder step $18–20; the exact figure is nowhere
    assert peer["banded"] and not peer["suppressed"] and peer["median_hourly_band"] == [18, 20] and peer["median_hourly"] is None
    assert "19.4" not in res.stdout
    # clinical = rn 40.25, 42.80 + lpn 29.90 + case managers 23.90, 25.20 -> n 5, median 29.90 (the LPN's
    # own rate, which issue 24 found published) -> band $28–32; no n, mean or percentile
    assert clinical["banded"] and clinical["median_hourly_band"] == [28, 32]
    assert (clinical["n"], clinical["median_hourly"], clinical["mean_hourly"], clinical["p25_hourly"]) == (None,) * 4
    assert "29.9" not in res.stdout and "25.2" not in res.stdout and "40.25" not in res.stdout
    # cents on the dollar between two bands, outwards: 100 x 18 / 32 = 56.25 -> 56; 100 x 20 / 28 = 71.4 -> 72
    assert clinical["cents_on_the_dollar_band"] == [56, 72] and clinical["gap_median_pct_band"] == [28, 44]
    # hours for a clinician's 40: 40 x 28 / 20 = 56; 40 x 32 / 18 = 71.1 -> 72; yearly gap (28 - 20) x 2,080 = 16,640
    # -> 16,600 and (32 - 18) x 2,080 = 29,120 -> 29,200 (outwards to $100)
    assert clinical["peer_hours_for_40_band"] == [56, 72] and clinical["annual_gap_per_worker_band"] == [16_600, 29_200]
    # BLS registered nurse 46.90 (public, exact): 100 x 18 / 46.90 = 38.4 -> 38; 100 x 20 / 46.90 = 42.6 -> 43
    assert groups["BLS: registered_nurse"]["cents_on_the_dollar_band"] == [38, 43]
    assert groups["BLS: registered_nurse"]["median_hourly"] == 46.90
    # the program director (1) is withheld; a banded group is not "suppressed"
    director = groups["program_director"]
    assert director["suppressed"] and director["median_hourly"] is None and "median_hourly_band" not in director
    assert report["comparison_groups"] == {"clinical": ["rn", "lpn", "case_manager"]}
    assert any(n.startswith("Withheld (fewer than 3 employees): program_director") for n in report["notes"])
    assert (report["min_group"], report["band_min_group"]) == (10, 3)


def test_peer_group_under_the_floor_gets_no_band(cli, tmp_path):
    roster = tmp_path / "r.csv"
    roster.write_text("employee_id,role,step\nP1,peer,1\nP2,peer,1\nR1,rn,1\nR2,rn,1\nR3,rn,1\n")
    schedule = tmp_path / "s.csv"
    schedule.write_text("role,step,hourly_rate\npeer,1,19.50\nrn,1,40\n")
    res = cli(["gap", "-r", roster, "-s", schedule, "--peer-role", "peer", "--as-of", "2025-11-30", "--publish", "-f", "json"])
    report = json.loads(res.stdout)
    peer = report["groups"][0]
    assert peer["suppressed"] and "median_hourly_band" not in peer and "19" not in json.dumps(peer)
    # the RNs (3, all on $40) are a band, but no comparison with a withheld peer group is made
    rn = report["groups"][1]
    assert rn["banded"] and "cents_on_the_dollar_band" not in rn
    assert any("withheld, so no comparison" in n for n in report["notes"])


# --------------------------------------------------------------------------- the threshold


@pytest.mark.parametrize("n", ["1", "2"])
def test_published_threshold_never_under_three(cli, n):
    res = cli([*BASE, "--publish", "--min-group", n])
    assert res.exit_code == 2 and "never smaller than 3" in res.stderr


def test_min_group_under_ten_cannot_lower_the_exact_threshold(cli):
    """--min-group 5 used to publish a pooled group of 5 exactly (its median was the LPN's rate)."""
    default = cli([*PUBLISHED, "-f", "json"])
    five = cli([*PUBLISHED, "--min-group", "5", "-f", "json"])
    assert five.exit_code == 0 and "cannot lower it" in five.stderr
    drop = ("meta",)
    assert {k: v for k, v in json.loads(five.stdout).items() if k not in drop} == \
        {k: v for k, v in json.loads(default.stdout).items() if k not in drop}


def test_min_group_raises_the_exact_threshold(cli, tmp_path):
    roster = tmp_path / "r.csv"
    roster.write_text("employee_id,role,step\n" + "".join(f"P{i},peer,{1 + i % 3}\n" for i in range(11)))
    schedule = tmp_path / "s.csv"
    schedule.write_text("role,step,hourly_rate\npeer,1,19.13\npeer,2,19.71\npeer,3,20.37\n")
    args = ["gap", "-r", roster, "-s", schedule, "--peer-role", "peer", "--as-of", "2025-11-30", "--publish", "-f", "json"]
    eleven = json.loads(cli(args).stdout)["groups"][0]
    assert eleven["n"] == 11 and eleven["median_hourly"] == 19.71  # 11 peers: exact
    twelve = json.loads(cli([*args, "--min-group", "12"]).stdout)["groups"][0]
    assert twelve["banded"] and twelve["median_hourly"] is None and twelve["median_hourly_band"] == [18, 20]


def test_no_warning_at_ten(cli):
    res = cli([*BASE, "--publish", "--min-group", "10", "-f", "json"])
    assert res.exit_code == 0 and "warning" not in res.stderr


def test_reference_only(cli):
    assert cli([*BASE[:-2], "--reference-only"]).exit_code == 2  # needs --reference
    report = json.loads(cli([*PUBLISHED, "--reference-only", "-f", "json"]).stdout)
    assert [g["source"] for g in report["groups"]][1:] == ["external"] * (len(report["groups"]) - 1)
    assert report["groups"][0]["role"] == "peer_specialist" and report["quartiles"] == []
    assert report["decomposition"]["status"].startswith("not computed")


def test_group_naming_an_unknown_role_is_refused(cli):
    res = cli([*BASE, "--group", "clinical=rn,dentist"])
    assert res.exit_code != 0 and "dentist" in res.stderr


def test_reference_line_names_and_the_old_form(cli, tmp_path):
    res = cli([*BASE, "--reference-line", "poverty-2030"])
    assert res.exit_code == 2 and "2030" in res.stderr
    res = cli([*BASE, "--reference-line", "housing-wages:baltimore-md"])
    assert res.exit_code == 2 and "available" in res.stderr
    report = json.loads(cli([*BASE, "-f", "json"]).stdout)
    _, data = gap_chart(report, "png", ("Living wage", 24.5))  # the old single pair still draws
    assert data.reference_line == {"label": "Living wage", "value": 24.5}
    svg = tmp_path / "c.svg"
    assert cli([*BASE, "--chart", svg, "--reference-line", "poverty-2025", "--reference-line", "Living wage=24.50"]).exit_code == 0
    text = svg.read_text()
    assert "Living wage $24.50" in text and "Poverty line 2025" in text


# --------------------------------------------------------------------------- Oaxaca-Blinder on small groups


def test_oaxaca_refused_under_five_and_cautioned_under_thirty():
    ok = {"status": "ok", "method": "m", "covariates": ["fte"], "n_peer": 4, "n_other": 40, "gap": 1.0}
    assert core.oaxaca_caution(ok)["status"].startswith("not computed: fewer than 5")
    small = core.oaxaca_caution({**ok, "n_peer": 12})
    assert small["status"] == "ok" and "12 peers vs 40 others" in small["caution"] and "unstable" in small["caution"]
    assert "12" not in core.oaxaca_caution({**ok, "n_peer": 12}, publish=True)["caution"]  # counts are not published
    assert "caution" not in core.oaxaca_caution({**ok, "n_peer": 30})


# --------------------------------------------------------------------------- no names or ids, any format


@pytest.mark.parametrize("fmt", ["table", "md", "csv", "json", "html", "xlsx"])
def test_published_outputs_never_leak_names_or_ids(cli, tmp_path, fmt):
    out = tmp_path / f"report.{fmt}"
    chart = tmp_path / "chart.svg"
    res = cli([*PUBLISHED, "-f", fmt, "-o", out, "--chart", chart])
    assert res.exit_code == 0, res.output
    if fmt == "xlsx":
        book = openpyxl.load_workbook(out)
        text = "\n".join(str(c.value) for ws in book.worksheets for row in ws.iter_rows() for c in row if c.value is not None)
    else:
        text = out.read_text(encoding="utf-8")
    text += chart.read_text(encoding="utf-8") + res.stdout + res.stderr
    leaks = [s for s in roster_secrets() if s.lower() in text.lower()]
    assert leaks == []


# --------------------------------------------------------------------------- golden files and the browser


@pytest.mark.parametrize("fmt,name", [("md", "gap_small_org_published.md"), ("json", "gap_small_org_published.json")])
def test_small_org_published_golden(cli, fmt, name, regen_golden):
    text = cli([*PUBLISHED, "-f", fmt]).stdout
    path = GOLDEN / name
    if regen_golden:
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8"), f"{name} changed: rerun with --regen-golden and review the diff"


def test_docs_small_org_fact_sheet_is_current():
    import importlib.util

    spec = importlib.util.spec_from_file_location("build_factsheet_docs", REPO / "scripts/build_factsheet_docs.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    assert (REPO / "docs/factsheet/small_org_gap.html").read_text(encoding="utf-8") == mod.small_org_page()


@needs_chromium
@pytest.mark.timeout(180)
def test_small_org_fact_sheet_in_chromium(cli, tmp_path):
    page = tmp_path / "small_org.html"
    assert cli([*PUBLISHED, "-f", "html", "-o", page]).exit_code == 0
    html = page.read_text(encoding="utf-8")
    assert browser.external_references(html) == []  # nothing to fetch
    assert browser.pixel_spread(browser.screenshot(page, width=1000, height=1400)) > 20  # not blank
    pdf = browser.print_pdf(page)
    assert 1 <= browser.pdf_page_count(pdf) <= 2
    assert "$18–20" in html and "clinical (pooled" in html


def test_workbook_and_csv_keep_bands_as_text(cli, tmp_path):
    book_path = tmp_path / "gap.xlsx"
    assert cli([*PUBLISHED, "-f", "xlsx", "-o", book_path]).exit_code == 0
    ws = openpyxl.load_workbook(book_path)["gap by role"]
    header = [c.value for c in ws[1]]
    rows = {r[0].value: {h: c.value for h, c in zip(header, r)} for r in ws.iter_rows(min_row=2)}
    peer, clinical = rows["peer_specialist"], rows["clinical"]
    assert peer["Median $/h"] == "18–20" and clinical["Median $/h"] == "28–32" and clinical["N"] == "<10"
    assert (clinical["¢ on the $"], clinical["Annual gap/worker"]) == ("56–72", "16,600–29,200")
    assert rows["program_director"]["N"] == "<3"
    assert not any(str(v) == "nan" for r in rows.values() for v in r.values())
    assert all(any(r[h] is not None for r in rows.values()) for h in header)  # no column empty on every row
    text = cli([*PUBLISHED, "-f", "csv"]).stdout
    table = list(csv.DictReader(io.StringIO(text)))
    by_role = {r["role"]: r for r in table}
    assert by_role["peer_specialist"]["median_hourly"] == "18–20" and by_role["clinical"]["cents_on_the_dollar"] == "56–72"
    assert by_role["clinical"]["annual_gap_per_worker"] == "16600–29200"
    assert "nan" not in text.lower().replace("nanc", "") and by_role["program_director"]["median_hourly"] == ""


def test_published_outputs_carry_no_hash_of_an_input(cli, tmp_path):
    for fmt in ("json", "md", "table", "html"):
        out = cli([*PUBLISHED, "-f", fmt]).stdout
        assert "sha256" not in out and "bytes)" not in out, fmt
        assert "roster.csv" in out  # named, not hashed
    internal = cli([*BASE, "-f", "md"]).stdout
    assert "sha256" in internal  # an internal report keeps its run record whole
