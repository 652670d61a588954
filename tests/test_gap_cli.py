"""`peerpay gap` end to end: contract JSON, golden sample reports, XLSX read back, chart data, publishing."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest

from peerpay.io.charts import EXTERNAL_COLOR, INTERNAL_COLOR, PEER_COLOR, gap_chart, parse_reference_line
from peerpay.cli.gap import demo_section

from conftest import check_golden

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "samples"
BASE = ["gap", "-r", SAMPLES / "roster.csv", "-s", SAMPLES / "schedule.csv", "--as-of", "2025-11-30"]
PAID = ["-t", SAMPLES / "timesheet.csv", "-p", SAMPLES / "policy.toml"]
NAMES = ("Dana Mooring", "Mooring", "Wren Lighthouse", "HL001", "HL017")


@pytest.mark.parametrize("fmt,name", [("table", "gap_samples_table.txt"), ("md", "gap_samples.md")])
def test_sample_reports_match_golden_files(fmt, name, regen_golden):
    check_golden(name, demo_section(SAMPLES, fmt), regen_golden)


def test_json_is_the_contract_shape(cli):
    res = cli([*BASE, "--peer-role", "peer_specialist", "--format", "json"])
    assert res.exit_code == 0, res.output
    report = json.loads(res.stdout)
    assert (report["peer_role"], report["basis"], report["as_of"]) == ("peer_specialist", "base_rate", "2025-11-30")
    first = report["groups"][0]
    assert list(first)[:6] == ["role", "n", "mean_hourly", "median_hourly", "gap_mean_pct", "gap_median_pct"]
    assert (first["role"], first["n"], first["gap_mean_pct"], first["gap_median_pct"]) == ("peer_specialist", 7, 0.0, 0.0)
    # peers on 2025-11-30 (July rates): steps 4,3,2,5,1,2,1 -> 20.8266 19.6318 20.2189 19.6318 21.4446 19.055 19.6318 sorted median 19.6318
    assert first["median_hourly"] == 19.63
    by_role = {g["role"]: g for g in report["groups"]}
    assert by_role["rn"]["median_hourly"] == 43.09  # (42.03 + 44.15) / 2 = 43.09
    assert by_role["program_director"]["median_hourly"] == 37.5  # 78,000 / 2,080
    assert "NaN" not in res.stdout


def test_reference_rows_are_labelled_external_with_the_no_soc_note(cli):
    report = json.loads(cli([*BASE, "--reference", "bls-2025", "-f", "json"]).stdout)
    ext = [g for g in report["groups"] if g["source"] == "external"]
    assert len(ext) == 11 and all(g["role"].startswith("BLS: ") and g["n"] is None for g in ext)
    chw = next(g for g in ext if g["soc_code"] == "21-1094")
    assert (chw["median_hourly"], chw["gap_median_pct"]) == (24.93, 21.3)  # (24.93 - 19.6318) / 24.93 = 21.25 -> 21.3
    assert any("no SOC code" in n for n in report["notes"])


def test_user_reference_csv(cli, tmp_path):
    ref = tmp_path / "county.csv"
    ref.write_text("role,hourly_median,title\ncounty_peer,22.00,County peer scale\n")
    report = json.loads(cli([*BASE, "--reference", ref, "-f", "json"]).stdout)
    row = report["groups"][-1]
    assert (row["role"], row["source"], row["median_hourly"]) == ("county: county_peer", "external", 22.0)
    bad = tmp_path / "bad.csv"
    bad.write_text("role,wage\nx,1\n")
    res = cli([*BASE, "--reference", bad])
    assert res.exit_code == 1 and "hourly_median" in res.stderr


def test_earnings_and_annual_bases_from_the_timesheet(cli):
    report = json.loads(cli([*BASE, *PAID, "--basis", "earnings", "-f", "json"]).stdout)
    assert report["excluded"]["no_hours_worked"] == 1  # the salaried program director has no timesheet rows
    assert "program_director" not in {g["role"] for g in report["groups"]}
    annual = json.loads(cli([*BASE, *PAID, "--basis", "annual", "--annual-hours", "actual", "-f", "json"]).stdout)
    assert annual["unit"] == "USD per year" and annual["groups"][0]["median_annual"] > 0


@pytest.mark.parametrize("fmt", ["table", "md", "csv", "json"])
def test_publish_suppresses_small_groups_and_prints_no_names_or_ids(cli, fmt):
    res = cli([*BASE, *PAID, "--unpaid", SAMPLES / "unpaid_hours.csv", "--publish", "-f", fmt])
    assert res.exit_code == 0, res.output
    assert not any(n in res.output for n in NAMES)
    if fmt == "json":
        groups = json.loads(res.stdout)["groups"]
        # no group of 10: no exact figure anywhere; the 7 peers and 3 case managers are pay bands, the rest withheld
        assert all(g["n"] is None and g["median_hourly"] is None and g["mean_hourly"] is None for g in groups)
        assert {g["role"] for g in groups if g["banded"]} == {"peer_specialist", "case_manager"}
        assert all(g["suppressed"] for g in groups if not g["banded"])
    if fmt in ("table", "md"):
        assert "<10" in res.stdout and "withheld" in res.stdout


def test_min_group_without_publish(cli):
    report = json.loads(cli([*BASE, "--min-group", "2", "-f", "json"]).stdout)
    shown = {g["role"]: g["suppressed"] for g in report["groups"]}
    assert shown["lpn"] and not shown["rn"] and not shown["peer_specialist"]


def test_xlsx_read_back_cell_by_cell(cli, tmp_path):
    out = tmp_path / "gap.xlsx"
    res = cli([*BASE, "--reference", "bls-2025", "-f", "xlsx", "-o", out])
    assert res.exit_code == 0, res.output
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["gap by role", "pay quartiles", "decomposition", "Run", "chart", "notes"]  # Run: issue 11
    ws = book["gap by role"]
    header = [c.value for c in ws[1]]
    assert header[:4] == ["Role", "N", "Median $/h", "Mean $/h"]  # readable headers (issue 11)
    col = {h: i + 1 for i, h in enumerate(header)}
    assert ws.freeze_panes == "A2"
    assert [ws.cell(2, col[h]).value for h in ("Role", "N", "Median $/h", "Gap % (median)")] == ["peer_specialist", 7, 19.63, 0.0]
    rn = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, 1).value == "rn")
    assert ws.cell(rn, col["Median $/h"]).value == 43.09
    assert ws.cell(rn, col["Gap % (median)"]).value == pytest.approx(0.544)  # 54.4 % stored as a fraction
    assert ws.cell(rn, col["Median $/h"]).number_format == "$#,##0.00"
    assert ws.cell(rn, col["Gap % (median)"]).number_format == "0.0%"
    assert ws.cell(rn, col["EU Art.10 (≥5%)"]).value is True
    q = book["pay quartiles"]
    assert [c.value for c in q[2]][:2] == ["lower", 4]
    assert len(book["chart"]._images) == 1
    notes = [r[0].value for r in book["notes"].iter_rows()]
    assert notes[0].startswith("peerpay gap: peer_specialist") and any("no SOC code" in (n or "") for n in notes)


def test_chart_plots_the_report_data(tmp_path, cli):
    res = cli([*BASE, "--reference", "bls-2025", "-f", "json"])
    report = json.loads(res.stdout)
    png, data = gap_chart(report, "png", parse_reference_line("Living wage=24.50"))
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    bars = {b["label"]: b for b in data.bars}
    assert len(bars) == 18
    # readable role words, never raw keys; each bar carries its figure and nothing else
    assert bars["Peer specialist"]["color"] == PEER_COLOR and bars["Peer specialist"]["value"] == 19.63
    assert bars["Peer specialist"]["text"] == "$19.63"
    assert bars["Registered nurse"]["color"] == INTERNAL_COLOR and bars["Registered nurse"]["text"] == "$43.09"
    ext = bars["Registered nurse (U.S., BLS)"]
    assert (ext["color"], ext["hatch"], ext["value"]) == (EXTERNAL_COLOR, "//", 46.9)
    assert not any("gap n/a" in b["text"] or "_" in b["label"] for b in data.bars)
    values = [b["value"] for b in data.bars]
    assert values == sorted(values)  # bottom to top, ascending
    assert data.reference_line == {"label": "Living wage", "value": 24.5}
    svg_path = tmp_path / "g.svg"
    res = cli([*BASE, "--chart", svg_path, "--reference-line", "Living wage=24.50"])
    assert res.exit_code == 0 and svg_path.read_text().lstrip().startswith("<?xml")


@pytest.mark.parametrize("args,message", [
    (["--basis", "earnings"], "need --timesheet"),
    (["-t", SAMPLES / "timesheet.csv"], "go together"),
    (["-f", "xlsx"], "needs --output"),
    (["--chart", "x.pdf"], ".png or .svg"),
    (["--reference-line", "Living wage=abc"], "LABEL=AMOUNT"),
])
def test_usage_errors_exit_2(cli, args, message):
    res = cli([*BASE, *args])
    assert res.exit_code == 2 and message in res.stderr


def test_unknown_peer_role_and_missing_file_exit_1(cli):
    res = cli([*BASE, "--peer-role", "peer_navigator"])
    assert res.exit_code == 1 and "has no employees" in res.stderr and "Traceback" not in res.output
    res = cli(["gap", "-r", "nope.csv", "-s", SAMPLES / "schedule.csv"])
    assert res.exit_code == 1 and "no such file" in res.stderr


def test_rejected_roster_rows_exit_3(cli, tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text((SAMPLES / "roster.csv").read_text() + "HL099,Extra,peer_specialist,x,1.0,2025-01-01,Harbor Light,0.1,Main St\n")
    res = cli(["gap", "-r", roster, "-s", SAMPLES / "schedule.csv", "--as-of", "2025-11-30", "-f", "json"])
    assert res.exit_code == 3 and "roster.csv:18:step" in res.stderr
    assert json.loads(res.stdout)["groups"][0]["n"] == 7


def test_publish_withholds_the_reason_of_rejected_rows(cli, tmp_path):
    ts = tmp_path / "timesheet.csv"
    ts.write_text((SAMPLES / "timesheet.csv").read_text() + "HL999,2025-11-03 09:00,2025-11-03 17:00,work,,\n")
    res = cli([*BASE, "-t", ts, "-p", SAMPLES / "policy.toml", "--publish"])
    assert res.exit_code == 3
    assert "timesheet.csv:301:employee_id: rejected (details withheld with --publish)" in res.stderr
    assert "HL999" not in res.output
    res = cli([*BASE, "-t", ts, "-p", SAMPLES / "policy.toml"])
    assert "HL999" in res.stderr  # without --publish the clerk sees which id


def test_demo_prints_the_gap_section(cli):
    res = cli(["demo", "--samples", SAMPLES])
    assert res.exit_code == 0
    assert "Pay gap: peer_specialist vs other roles" in res.stdout and "BLS: community_health_worker" in res.stdout
