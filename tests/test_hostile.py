"""Hostile and broken inputs (tests/hostile/): each ends with a clear message and the right exit code.

Never a traceback: the ``cli`` fixture runs with ``catch_exceptions=False``, so any exception
other than the CLI's own exit fails the test. Exit codes (docs/formats.md §4): 1 unusable file,
2 usage, 3 rows rejected, 0 clean.
"""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import pytest

from conftest import SAMPLES

HOSTILE = Path(__file__).resolve().parent / "hostile"
POLICY = HOSTILE / "policy.toml"

# file, exit code, text that must be in stderr
CASES = [
    ("empty.csv", 1, "the file is empty (expected a header row)"),
    ("header_only.csv", 0, "0 rows read = 0 paid + 0 rejected"),
    ("semicolon.csv", 1, "separated by semicolons, not commas"),
    ("bom.csv", 0, "1 rows read = 1 paid + 0 rejected"),
    ("latin1.csv", 1, "is not UTF-8 text: row 1, column note"),
    ("utf16.csv", 1, "is UTF-16 text: save the CSV as UTF-8"),
    ("mixed_dates.csv", 3, "mixed_dates.csv:2:start: not a date-time '11/04/2025 08:00'"),
    ("impossible_dates.csv", 3, "impossible_dates.csv:1:start: no such date or time '2025-02-30 08:00'"),
    ("bad_lengths.csv", 3, "bad_lengths.csv:3:end: shift is longer than 24 hours"),
    ("overlap.csv", 3, "overlap.csv:2:start: overlaps row 1 of the same employee"),
    ("duplicate_rows.csv", 3, "duplicate_rows.csv:2:start: overlaps row 1 of the same employee"),
    ("huge_numbers.csv", 3, "huge_numbers.csv:1:rate: rate is implausibly large"),
    ("nan_inf.csv", 3, "nan_inf.csv:2:rate: rate is not a finite number"),
    ("dst_gap.csv", 3, "dst_gap.csv:1:start: start does not exist in America/New_York"),
    ("bad_kind.csv", 3, "kind must be work, on_call or callback, not 'overtime'"),
    ("duplicate_columns.csv", 1, "column(s) employee_id appear more than once"),
    ("missing_columns.csv", 1, "missing required column(s) employee_id, start, end"),
    ("ragged.csv", 1, "cannot be read as CSV"),
    ("formula_injection.csv", 0, "5 rows read = 5 paid"),
    ("not_a_zip.xlsx", 1, "is not an Excel workbook"),
]


def pay(cli, path, *extra):
    return cli(["pay", "-t", path, "-p", POLICY, "-f", "json", *extra])


@pytest.mark.parametrize("name, code, message", CASES, ids=[c[0] for c in CASES])
def test_hostile_file(cli, name, code, message):
    result = pay(cli, HOSTILE / name)
    assert result.exit_code == code, result.stderr
    assert message in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    if code == 1:
        assert result.stdout == ""  # no report for an unusable file
    if code in (0, 3):
        assert '"balanced": true' in result.stdout


def test_the_corpus_is_all_tested():
    tested = {c[0] for c in CASES} | {"policy.toml"}
    assert {p.name for p in HOSTILE.iterdir()} == tested


def test_hostile_files_are_also_clear_to_validate(cli):
    for name, _code, _ in CASES:
        result = cli(["validate", "-t", HOSTILE / name, "-p", POLICY])
        assert result.exit_code in (0, 1, 3), name
        assert result.exit_code == 0 or result.stdout.startswith("error:"), (name, result.stdout)


def test_duplicate_rows_are_warned_about_by_validate(cli):
    result = cli(["validate", "-t", HOSTILE / "duplicate_rows.csv", "-p", POLICY])
    assert "warning: duplicate_rows.csv:2: same as row 1" in result.stdout


def test_a_200_mb_file_is_refused_clearly_without_reading_it(cli, tmp_path):
    big = tmp_path / "big.csv"
    row = b"E000001,2025-11-03 08:00,2025-11-03 16:00,work,,20.00\n"
    block = row * (1 << 16)  # 3.5 MB
    with open(big, "wb") as fh:
        fh.write(b"employee_id,start,end,kind,role,rate\n")
        while fh.tell() < 200 * 1024**2:
            fh.write(block)
    result = pay(cli, big)
    assert result.exit_code == 1
    assert "MB is more than the local engine reads at once" in result.stderr
    assert "PEERPAY_MAX_INPUT_MB" in result.stderr


def test_the_input_limit_can_be_raised_and_a_bad_limit_is_a_clear_error(cli, monkeypatch):
    monkeypatch.setenv("PEERPAY_MAX_INPUT_MB", "0.0001")
    assert "more than the local engine" in pay(cli, SAMPLES / "timesheet.csv").stderr
    monkeypatch.setenv("PEERPAY_MAX_INPUT_MB", "lots")
    result = pay(cli, SAMPLES / "timesheet.csv")
    assert result.exit_code == 1 and "is not a number of megabytes" in result.stderr


def _workbook(parts: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    return buf.getvalue()


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
<!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">]>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>
<row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row></sheetData></worksheet>"""


def test_an_xml_bomb_is_refused(cli, tmp_path):
    bomb = tmp_path / "bomb.xlsx"
    bomb.write_bytes(_workbook({"[Content_Types].xml": b"<Types/>", "xl/worksheets/sheet1.xml": BILLION_LAUGHS}))
    result = pay(cli, bomb)
    assert result.exit_code == 1
    assert "declares XML entities (an 'XML bomb'): refused" in result.stderr


def test_a_zip_bomb_is_refused(cli, tmp_path):
    bomb = tmp_path / "zipbomb.xlsx"
    bomb.write_bytes(_workbook({"xl/worksheets/sheet1.xml": b" " * (120 * 1024**2)}))
    assert bomb.stat().st_size < 2 * 1024**2
    result = pay(cli, bomb)
    assert result.exit_code == 1 and "unpacks to 120 MB: refused" in result.stderr


def test_a_damaged_workbook_and_a_missing_sheet_are_clear(cli, tmp_path):
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(_workbook({"hello.txt": b"not a workbook"}))
    result = pay(cli, broken)
    assert result.exit_code == 1 and "Excel workbook" in result.stderr
    result = pay(cli, SAMPLES / "exports" / "paychex_flex.xlsx", "--sheet", "Nope")
    assert result.exit_code == 1 and "no sheet named 'Nope' (sheets: Cover, Hours)" in result.stderr


def test_formulas_in_cells_are_data_and_are_neutralised_on_the_way_out(cli, tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["employee_id", "start", "end", "rate"])
    ws.append(["=HYPERLINK(\"http://evil.example\",\"x\")", "2025-11-03 08:00", "2025-11-03 16:00", "=1+19"])
    ws.append(["@SUM(A1)", "2025-11-04 08:00", "2025-11-04 16:00", 20])
    src = tmp_path / "formulas.xlsx"
    wb.save(src)
    out = tmp_path / "out.csv"
    result = cli(["pay", "-t", src, "-p", POLICY, "-f", "csv", "-o", out])
    # a formula is never evaluated: without a cached value its cell is empty, so row 1 is rejected
    assert result.exit_code == 3, result.stderr
    assert "formulas.xlsx:1:employee_id: employee_id is empty" in result.stderr
    text = out.read_text()
    assert "'@SUM(A1)" in text
    for line in text.splitlines()[1:]:
        assert not line.startswith(("=", "+", "-", "@", "\t", "\r"))
    xlsx = tmp_path / "out.xlsx"
    assert cli(["pay", "-t", src, "-p", POLICY, "-f", "xlsx", "-o", xlsx]).exit_code == 3
    from openpyxl import load_workbook

    cells = [c.value for row in load_workbook(xlsx)["pay lines"].iter_rows() for c in row]
    assert "'@SUM(A1)" in cells and not any(isinstance(v, str) and v.startswith("=") for v in cells)


def test_csv_formula_injection_is_neutralised_in_every_written_format(cli, tmp_path):
    src = HOSTILE / "formula_injection.csv"
    out = tmp_path / "lines.csv"
    assert cli(["pay", "-t", src, "-p", POLICY, "-f", "csv", "-o", out]).exit_code == 0
    ids = [row[0] for row in list(csv.reader(io.StringIO(out.read_text())))[1:]]
    assert all(i.startswith("'") or i == "TAB" for i in ids), ids
    rejects = tmp_path / "rejects.csv"
    cli(["pay", "-t", HOSTILE / "overlap.csv", "-p", POLICY, "--rejects", rejects, "-f", "json"])
    assert rejects.read_text().splitlines()[0] == "file,row,column,reason"


def test_an_existing_report_is_never_overwritten_without_force(cli, tmp_path):
    out = tmp_path / "report.json"
    out.write_text("yesterday's report")
    result = pay(cli, SAMPLES / "timesheet.csv", "-o", out)
    assert result.exit_code == 2 and "--force" in result.stderr
    assert out.read_text() == "yesterday's report"
    assert pay(cli, SAMPLES / "timesheet.csv", "-o", out, "--force").exit_code == 3  # no roster: no rates
    assert out.read_text().startswith("{")


def test_a_failed_run_leaves_no_file_behind(cli, tmp_path):
    out = tmp_path / "report.json"
    result = pay(cli, HOSTILE / "empty.csv", "-o", out)
    assert result.exit_code == 1
    assert list(tmp_path.iterdir()) == []


def test_an_interrupted_write_leaves_the_old_file_and_no_temp_file(tmp_path, monkeypatch):
    from peerpay.io import outputs, writers

    out = tmp_path / "report.json"
    out.write_text("old")

    def boom(fd):
        raise KeyboardInterrupt

    monkeypatch.setattr(outputs.os, "fsync", boom)
    with pytest.raises(KeyboardInterrupt):
        writers.atomic_write(out, "new")
    assert out.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]


def test_names_never_reach_logs_or_reports(cli, tmp_path):
    """The Paychex export and the roster carry names; no output of pay or validate contains one."""
    import csv

    names = [r["name"] for r in csv.DictReader(open(SAMPLES / "roster.csv", encoding="utf-8"))]
    exports = SAMPLES / "exports"
    common = ["-p", SAMPLES / "policy.toml", "-r", SAMPLES / "roster.csv", "-s", SAMPLES / "schedule.csv"]
    seen = []
    for fmt in ("json", "csv", "table", "md"):
        r = cli(["pay", "-t", exports / "paychex_flex.csv", "--map", exports / "paychex_flex.toml", *common, "-f", fmt, "--detail"])
        seen.append(r.stdout + r.stderr)
    r = cli(["pay", "-t", exports / "ukg_punches.csv", "--map", exports / "ukg_punches.toml", *common, "-f", "json"])
    seen.append(r.stdout + r.stderr)
    r = cli(["validate", "-t", exports / "paychex_flex.csv", "--map", exports / "paychex_flex.toml", *common])
    seen.append(r.stdout + r.stderr)
    blob = "\n".join(seen)
    assert [n for n in names if n in blob] == []
