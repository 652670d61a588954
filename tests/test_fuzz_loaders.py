"""Fuzzing the loaders (hypothesis, bounded for CI): any bytes, any cells -> a table or an InputError.

Invariants: reading never raises anything but :class:`InputError`; a file that can be read is
paid with a reconciliation that balances (rows in = paid + rejected [+ dropped]), whatever its
cells hold; a column map never loses a row.
"""

from __future__ import annotations

import csv
import io
import tempfile
from pathlib import Path

from conftest import examples
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from peerpay.errors import InputError
from peerpay.io.exports import apply_map, loads_map
from peerpay.io.readers import read_table
from peerpay.jobs.pay import run_pay
from peerpay.models.policy import loads_policy

FUZZ = settings(max_examples=examples(60), deadline=None, suppress_health_check=[HealthCheck.too_slow])
POLICY = loads_policy('timezone = "America/New_York"\n[overtime]\nweekly_hours = 40\ndaily_hours = 8\n'
                      '[[differential]]\nname = "night"\nstart = "23:00"\nend = "07:00"\nper_hour = 2\n')

NASTY = st.sampled_from([
    "", " ", "NaN", "inf", "-inf", "1e308", "-1", "0", "9" * 40, "=1+1", "@x", "\t", "\r", "\x00", "é", "😀",
    "2025-02-30 08:00", "2025-11-02 01:30", "2025-03-09 02:30", "11/03/2025 08:00", "2025-11-03T08:00:00",
    "2025-11-03 08:00:30", "99999-01-01 00:00", "work", "on_call", "callback", "WORK", "REG", "08:00 AM", "13:99 PM",
    # issue 21: offsets (an instant), impossible offsets, slashed dates, accounting negatives, decimal commas
    "2025-11-03T08:00:00-05:00", "2025-11-02T01:30-05:00", "2025-11-03 08:00Z", "2025-02-30T08:00-05:00", "2025-11-03T08:00:30+01:00",
    "13/03/2025 08:00", "03/04/2025", "(8.00)", "1,5", "$1,234.50", "1.23E+05",
])
DATETIME = st.builds(
    lambda d, h, m: f"2025-11-{d:02d} {h:02d}:{m:02d}", st.integers(1, 30), st.integers(0, 23), st.sampled_from([0, 15, 30, 59])
)
CELL = st.one_of(NASTY, DATETIME, st.text(max_size=12), st.decimals(-1e6, 1e6, allow_nan=False, places=2).map(str))


def _write(tmp: Path, name: str, data: bytes) -> Path:
    path = tmp / name
    path.write_bytes(data)
    return path


@FUZZ
@given(data=st.binary(max_size=400))
def test_any_bytes_are_a_table_or_an_input_error(data):
    with tempfile.TemporaryDirectory() as tmp:
        for name in ("t.csv", "t.xlsx"):
            path = _write(Path(tmp), name, data)
            try:
                read_table(path)
            except InputError:
                pass


@FUZZ
@given(rows=st.lists(st.tuples(st.sampled_from(["E1", "E2", " ", "=E3"]), CELL | DATETIME, CELL | DATETIME,
                               st.sampled_from(["work", "on_call", "callback", "", "x"]), CELL), max_size=12))
def test_any_cells_are_paid_or_rejected_and_the_run_balances(rows):
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["employee_id", "start", "end", "kind", "rate"])
    w.writerows(rows)
    with tempfile.TemporaryDirectory() as tmp:
        path = _write(Path(tmp), "t.csv", buf.getvalue().encode("utf-8"))
        try:
            run = run_pay(path, POLICY)
        except InputError:
            return
    recon = run.report["reconciliation"]
    assert recon["balanced"], recon
    assert recon["rows_paid"] + recon["rows_rejected"] == recon["rows_read"]
    assert all(p.row is None or 1 <= p.row <= len(rows) for p in run.problems)  # blank rows keep their numbers
    shifts = run.shifts  # a row paid has real times: every row whose time could not be read was rejected
    assert bool(((shifts["start_at"] >= 0) & (shifts["end_at"] > shifts["start_at"])).all())


TIMECARD_MAP = loads_map("""
[columns]
employee_id = "Employee"
rate = "Wage"
[start]
date = "Date"
time = "In"
date_format = "%m/%d/%Y"
time_format = "%I:%M %p"
[end]
hours = "Hours"
[codes]
column = "Code"
work = ["REG"]
on_call = ["OC"]
callback = ["CB"]
drop = ["VAC"]
""")
US_DATE = st.builds(lambda d: f"11/{d:02d}/2025", st.integers(1, 30)) | NASTY
CLOCK = st.builds(lambda h, m, p: f"{h:02d}:{m:02d} {p}", st.integers(1, 12), st.sampled_from([0, 30]), st.sampled_from(["AM", "PM"])) | NASTY


@FUZZ
@given(rows=st.lists(st.tuples(st.sampled_from(["E1", "E2", ""]), US_DATE, CLOCK, CELL,
                               st.sampled_from(["REG", "OC", "CB", "VAC", "PTO", ""]), st.just("20")), max_size=12))
def test_a_column_map_never_loses_a_row(rows):
    import pandas as pd

    raw = pd.DataFrame(rows, columns=["employee", "date", "in", "hours", "code", "wage"], dtype=object)
    mapped = apply_map(raw, TIMECARD_MAP, "export.csv", timezone=POLICY.timezone)
    with tempfile.TemporaryDirectory() as tmp:
        run = run_pay(Path(tmp) / "export.csv", POLICY, raw_timesheet=mapped)
    recon = run.report["reconciliation"]
    assert recon["balanced"], recon
    assert recon["rows_read"] == len(raw)
    assert all(1 <= p.row <= len(raw) for p in run.problems)
    assert all(p.column in {"Employee", "Date", "In", "Hours", "Code", "Wage"} for p in run.problems)


# ---- issue 9: the three engines read hostile cells alike, byte for byte -------------------------

HOSTILE_ID = st.sampled_from(["E1", "E1\x00", "E1\u200b", "\uff251", " E1 ", "NA", "null", "E2", "E2\ufeff"])
HOSTILE_RATE = st.sampled_from(["20", "25,50", "1,5", "$ 2 5", "1,234.50", "N/A", "#N/A", "NaN", "NA", "None", "null",
                                "", "-0", "0", "19.23455", "$21.5"])
HOSTILE_TIME = st.one_of(
    DATETIME,
    st.builds(lambda y, d, h: f"{y}-03-{d:02d} {h:02d}:00", st.sampled_from([1925, 1899, 1969, 2099, 2101, 9999]),
              st.integers(1, 28), st.integers(0, 23)),
    st.sampled_from(["2025-11-03", "08:00", "N/A", ""]),
)


@settings(max_examples=examples(25), deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.tuples(HOSTILE_ID, HOSTILE_TIME, HOSTILE_TIME, HOSTILE_RATE), min_size=1, max_size=10),
       newline=st.sampled_from(["\n", "\r\n", "\r"]))
def test_three_engines_agree_byte_for_byte_on_hostile_cells(dask_client, rows, newline):
    import json

    from peerpay.engines.chunked import run_chunked
    from peerpay.engines.dask_engine import run_dask

    buf = io.StringIO()
    csv.writer(buf, lineterminator=newline).writerows([["employee_id", "start", "end", "rate"], *rows])
    with tempfile.TemporaryDirectory() as tmp:
        path = _write(Path(tmp), "t.csv", buf.getvalue().encode("utf-8"))
        out = []
        for run in (lambda: run_pay(path, POLICY), lambda: run_chunked(path, POLICY, partitions=3),
                    lambda: run_dask(path, POLICY, scheduler=dask_client, partitions=2, progress=False)):
            try:
                out.append(json.dumps(run().report, sort_keys=True, default=str))
            except InputError as exc:
                out.append(f"InputError: {exc}")
    assert out[0] == out[1] == out[2]
    assert "reconciliation" in out[0]  # every such file is readable: rows are paid or rejected


import pytest  # noqa: E402


@pytest.fixture(scope="module")
def dask_client():
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None) as cluster:
        with distributed.Client(cluster) as client:
            yield client
