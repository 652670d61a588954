"""Issue 16, the output side: the fast writers give the very bytes the slow, obvious ones give.

* CSV is built column by column with arrow compute; the oracle is pyarrow's own CSV writer
  (``quoting_style="needed"``), which wrote every CSV before.
* A JSON report written from a :class:`~peerpay.core.report.LineTable` (no dicts) is the JSON of
  the list of dicts.
* ``peerpay --help`` loads neither pandas nor the writers; a workbook too big for Excel still
  exits 2 (its error class is imported only when it is raised).
"""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import SAMPLES, examples
from peerpay.core.report import LineTable, lines_table, pay_lines_records
from peerpay.io import writers
from peerpay.io.writers import _concatenated, safe_frame, to_csv, to_json


def arrow_writer_csv(frame: pd.DataFrame) -> str:
    """The CSV peerpay wrote before issue 16: pyarrow's writer over decimal-cast money columns."""
    import pyarrow.csv as pacsv

    safe = safe_frame(frame)
    columns = {}
    for c in safe.columns:
        col = safe[c]
        if pd.api.types.is_float_dtype(col):
            x = col.to_numpy(dtype="float64")
            places = writers._fixed_places(x)
            columns[str(c)] = pa.array(x).cast(pa.decimal128(18, places)) if places else pa.array(x)
        elif pd.api.types.is_bool_dtype(col) or pd.api.types.is_integer_dtype(col):
            columns[str(c)] = pa.array(col.to_numpy())
        else:
            columns[str(c)] = pa.array(col.astype("string").to_numpy(dtype=object, na_value=None), type=pa.string())
    header = io.StringIO()
    csv.writer(header, lineterminator="\n").writerow(list(columns))
    buf = io.BytesIO()
    pacsv.write_csv(pa.table(columns), buf, pacsv.WriteOptions(include_header=False, quoting_style="needed"))
    return header.getvalue() + buf.getvalue().decode("utf-8").replace("\r\n", "\n")


def test_csv_of_awkward_cells_is_what_the_arrow_writer_wrote():
    frame = pd.DataFrame({
        "text": ["x", None, 'say "hi"', "two\r\nlines", "=1+2", "-5", "é", "", "a,b", "\r"],
        "ragged": [1.5, np.nan, -0.05, 2.0, 1e20, 0.1, -0.0, 3.25, 7.0, 8.0],  # not all whole cents: as arrow writes floats
        "cents": [1.0, 2.5, -0.01, 0.0, 1.25, 3.33, 4.0, 5.0, 6.0, -7.77],  # whole cents: "-0.01", "3.33", "4.00"
        "count": range(10),
        "flag": [True, False] * 5,
        "mixed": [1, "a", None, 2.5, "x", "y", "z", "w", "v", "u"],
        "day": pd.date_range("2025-01-01", periods=10),
        "arrow_text": pd.array(["p", None, "q", "r", "s", "t", "u", "v", "w", '"'], dtype="str"),
    })
    assert to_csv(frame) == arrow_writer_csv(frame)
    assert "\n\"'=1+2\",1e+20,1.25,4,true," in to_csv(frame)  # the formula neutralised; numbers bare


def test_csv_of_empty_and_four_place_frames():
    for frame in (pd.DataFrame(), pd.DataFrame({"a": pd.Series([], dtype=object), "b": pd.Series([], dtype=float)}),
                  pd.DataFrame({"hours": [0.0333, 1.25, -4.0001], "big": [1e12, 2.0, 3.0]})):
        assert to_csv(frame) == arrow_writer_csv(frame)
    # 1.25 in a column of 4-place hours is written to 4 places, as the decimal cast wrote it
    assert to_csv(pd.DataFrame({"hours": [0.0333, 1.25]})) == "hours\n0.0333\n1.2500\n"


cells = st.one_of(st.none(), st.text(alphabet=st.sampled_from(list('ab,"=+-@ \t\r\né|')), max_size=6))
amounts = st.integers(-10**9, 10**9)


@settings(max_examples=examples(40))
@given(st.lists(st.tuples(cells, amounts, amounts, st.integers(-5, 5), st.booleans()), min_size=1, max_size=30))
def test_csv_is_what_the_arrow_writer_wrote(rows):
    text, cents, ten_thousandths, count, flag = zip(*rows)
    frame = pd.DataFrame({"text": list(text), "money": np.array(cents) / 100, "rate": np.array(ten_thousandths) / 10_000,
                          "count": list(count), "flag": list(flag)})
    assert to_csv(frame) == arrow_writer_csv(frame)


def test_concatenated_reads_arrow_buffers_exactly():
    assert _concatenated(pa.array(["ab", "cé", "d"]).slice(1), trim=1) == "cé"  # a slice starts mid-buffer
    assert _concatenated(pa.array(["ab", "c"], type=pa.large_string())) == "abc"
    assert _concatenated(pa.array([], type=pa.string())) == ""
    assert _concatenated(pa.array(["", ""])) == ""


def test_safe_frame_copies_only_when_a_cell_is_risky():
    calm = pd.DataFrame({"employee_id": ["E1", "E2"], "gross_pay": [1.0, 2.0]})
    assert safe_frame(calm) is calm  # nothing to neutralise: no copy of a year of lines
    risky = pd.DataFrame({"employee_id": ["E1", "=cmd"], "gross_pay": [1.0, 2.0]})
    out = safe_frame(risky)
    assert list(out["employee_id"]) == ["E1", "'=cmd"] and list(risky["employee_id"]) == ["E1", "=cmd"]
    headed = pd.DataFrame({"=x": [1]})
    assert list(safe_frame(headed).columns) == ["'=x"] and list(headed.columns) == ["=x"]


def _long_run(files, n=1100):
    rows = ["employee_id,start,end,rate"] + [f"E{i},2025-02-03 07:00,2025-02-03 15:{i % 60:02d},21.5{i % 7}" for i in range(n)]
    return files.pay("\n".join(rows) + "\n", "[[differential]]\nname = \"late\"\nstart = \"15:00\"\nend = \"23:00\"\nper_hour = 1.25\n")


@pytest.mark.parametrize("n", [3, 1100])  # a short report is indented in full, a long one a line per record
def test_json_from_the_line_table_is_the_json_of_the_dicts(files, n):
    run = _long_run(files, n)
    table_backed = run.json_report()
    assert isinstance(table_backed["lines"], LineTable) and run._report is None  # no dicts were made
    plain = {**table_backed, "lines": list(table_backed["lines"])}
    assert plain["lines"] == pay_lines_records(run.result)
    assert to_json(table_backed) == to_json(plain)
    if n <= 1000:
        assert to_json(plain) == json.dumps(plain, indent=2, ensure_ascii=False) + "\n"


def test_json_report_is_the_edited_report_once_it_exists(files):
    run = _long_run(files, 1100)
    run.report["lines"][0]["partial_week"] = True  # what --from/--to adds
    assert run.json_report() is run.report
    assert '"partial_week": true' in to_json(run.json_report())


def test_line_table_reads_like_a_list_of_dicts(files):
    run = files.pay("employee_id,start,end,rate\nB,2025-02-03 07:00,2025-02-03 15:00,20\nA,2025-02-03 07:00,2025-02-03 09:30,20\n")
    lines = LineTable(lines_table(run.result))
    # A: 2.5 h x $20 = $50.00; B: 8 h x $20 = $160.00 (sorted by employee)
    assert len(lines) == 2 and lines[0]["employee_id"] == "A" and lines[0]["base_pay"] == 50.0
    assert lines[-1]["gross_pay"] == 160.0 and lines[0:1] == [lines[0]] and list(lines) == run.report["lines"]
    assert lines[0]["differential_pay"] == {}


def test_run_record_period_and_holidays_come_from_the_lines(cli, tmp_path):
    out = tmp_path / "pay.json"
    args = ["pay", "-t", SAMPLES / "timesheet.csv", "-p", SAMPLES / "policy.toml", "-r", SAMPLES / "roster.csv",
            "-s", SAMPLES / "schedule.csv", "-f", "json", "-o", out]
    assert cli(args).exit_code == 0
    report = json.loads(out.read_text())
    weeks = sorted({line["week_start"] for line in report["lines"]})
    assert report["meta"]["period"].endswith(f"; workweeks starting {weeks[0]} to {weeks[-1]}")  # after the pay period (issue 25)
    # Maryland's November holidays inside the weeks paid (the extra 2025-12-26 falls after the last week)
    assert report["meta"]["holidays"].startswith("2025-11-11, 2025-11-27, 2025-11-28 (holidays ")


def test_help_loads_no_pandas_and_no_writer():
    code = "import sys; from peerpay.cli import main\ntry: main(['--help'])\nexcept SystemExit: pass\n" \
           "print(sorted(m for m in ('pandas', 'numpy', 'tabulate', 'peerpay.io.writers') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip().endswith("[]")


def test_workbook_too_big_for_excel_is_still_a_usage_error(cli, tmp_path, monkeypatch):
    monkeypatch.setattr(writers, "EXCEL_MAX_ROWS", 3)
    out = tmp_path / "pay.xlsx"
    result = cli(["pay", "-t", SAMPLES / "timesheet.csv", "-p", SAMPLES / "policy.toml", "-r", SAMPLES / "roster.csv",
                  "-s", SAMPLES / "schedule.csv", "-o", out])
    assert result.exit_code == 2 and "more than Excel's 3 (header included)" in result.stderr and not out.exists()


def test_a_policy_loads_only_its_own_country_calendar():
    # Maryland 2025 per the holidays package: the 11 federal days plus American Indian Heritage Day (11-28)
    code = ("import sys; from peerpay.models.policy import loads_policy\n"
            "loads_policy('[holiday]\\ncountry = \"US\"\\nsubdivision = \"MD\"\\n')\n"
            "import holidays; h = holidays.country_holidays('US', subdiv='MD', years=2025)\n"
            "print(sorted(m for m in sys.modules if m.startswith('holidays.countries')), len(h), '2025-11-28' in [str(d) for d in h])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "['holidays.countries.united_states'] 12 True"


def test_an_unknown_country_is_still_refused_with_the_package_message():
    from peerpay.models.policy import loads_policy

    with pytest.raises(ValueError, match="Country XX not available"):
        loads_policy('[holiday]\ncountry = "XX"\n')
