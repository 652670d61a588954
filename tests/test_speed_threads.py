"""Issue 16, round 3: the steps that run on two threads, and the timesheet read while peerpay loads.

Two threads (:mod:`peerpay.core.threads`) read the start and end columns side by side and format
a large report's columns and rows; :func:`peerpay.io.csvtext.prefetch` reads a large CSV
timesheet while pandas loads. None of it may change a byte: each is checked against the one-thread
(or ordinary) path on data with bad rows.
"""

from __future__ import annotations

import os
import time

import pandas as pd
import pytest
from click.testing import CliRunner

from conftest import SAMPLES, generated_timesheets
from peerpay.cli import early_read, main
from peerpay.core import threads
from peerpay.core.inputs import prepare_timesheet
from peerpay.errors import InputError
from peerpay.io import csvtext
from peerpay.io import early as early_work
from peerpay.io.readers import read_policy, read_table
from peerpay.io.writers import joined, to_csv_chunks, to_json_chunks
from peerpay.jobs.pay import run_pay
from peerpay.core.report import lines_table, pay_report


@pytest.fixture
def one_thread(monkeypatch):
    def set_threads(threaded: bool) -> None:
        monkeypatch.setattr(threads, "THREADED_ROWS", 0 if threaded else 10**12)
    return set_threads


def test_each_keeps_the_items_order_whoever_finishes_first(monkeypatch):
    monkeypatch.setattr(threads, "THREADED_ROWS", 0)

    def slow_first(x: int) -> int:
        time.sleep(0.05 if x == 0 else 0)
        return x * 10

    assert threads.each(slow_first, [0, 1, 2, 3], rows=1) == [0, 10, 20, 30]
    assert threads.each(slow_first, [], rows=1) == []


def test_each_raises_the_first_error_like_a_loop(monkeypatch):
    monkeypatch.setattr(threads, "THREADED_ROWS", 0)

    def boom(x: int) -> int:
        if x == 1:
            raise ValueError("row 1")
        return x

    with pytest.raises(ValueError, match="row 1"):
        threads.each(boom, [0, 1, 2], rows=1)


@pytest.fixture(scope="module")
def spoiled(tmp_path_factory):
    """3,000 generated shifts, 400 of them spoiled (bad dates, rates, kinds, overlaps...)."""
    d = tmp_path_factory.mktemp("spoiled")
    generated_timesheets(d, 3_000, 400, seed=17, parts=1)
    return d


def test_start_and_end_read_side_by_side_reject_the_same_rows_with_the_same_reasons(spoiled, one_thread):
    raw, policy = read_table(spoiled / "ts.csv"), read_policy(spoiled / "policy.toml")
    out = {}
    for threaded in (False, True):
        one_thread(threaded)
        out[threaded] = prepare_timesheet(raw, "ts.csv", policy)
    (s1, p1, h1), (s2, p2, h2) = out[False], out[True]
    assert len(p1) > 100  # the spoiled rows are there to be rejected
    assert p1 == p2
    pd.testing.assert_frame_equal(s1, s2)
    pd.testing.assert_frame_equal(h1, h2)
    assert s1.attrs == s2.attrs


def test_a_row_bad_in_start_and_end_names_start_either_way(tmp_path, one_thread):
    # row 1: both unreadable -> start (the earlier column); row 2: start has seconds, end unreadable;
    # row 3: start fine, end empty; row 4: end before start (needs both: after the side-by-side read)
    (tmp_path / "ts.csv").write_text(
        "employee_id,start,end,rate\n"
        "E1,soon,later,20\n"
        "E1,2025-03-03 08:00:30,nope,20\n"
        "E2,2025-03-03 08:00,,20\n"
        "E3,2025-03-03 08:00,2025-03-03 07:00,20\n"
        "E4,2025-03-03 08:00,2025-03-03 16:00,20\n")
    raw, policy = read_table(tmp_path / "ts.csv"), read_policy(SAMPLES / "policy.toml")
    found = []
    for threaded in (False, True):
        one_thread(threaded)
        found.append([(p.row, p.column, p.reason) for p in prepare_timesheet(raw, "ts.csv", policy)[1]])
    assert found[0] == found[1]
    assert [(r, c) for r, c, _ in found[0]] == [(1, "start"), (2, "start"), (3, "end"), (4, "end")]


def test_a_report_formatted_on_two_threads_is_the_same_text(spoiled, one_thread):
    run = run_pay(spoiled / "ts.csv", spoiled / "policy.toml")
    table = lines_table(run.result, run.policy.minimum_shift is not None)
    report = pay_report(run.result, run.problems, run.reconciliation, lines_as_table=True)
    texts = {}
    for threaded in (False, True):
        one_thread(threaded)
        csv_chunks, json_chunks = to_csv_chunks(table), to_json_chunks(report)
        texts[threaded] = (joined(csv_chunks), joined(json_chunks))
        if threaded:  # the rows really were joined in two halves
            assert len(csv_chunks) == 3
    assert texts[False] == texts[True]
    assert texts[False][0].count("\n") == len(table) + 1


# --- the timesheet read while peerpay loads ----------------------------------------------------


@pytest.fixture
def early(monkeypatch):
    monkeypatch.setattr(csvtext, "PREFETCH_BYTES", 0)  # every test file is "large"
    monkeypatch.setattr(early_work, "_STARTED", {})
    return early_work._STARTED


def test_a_prefetched_table_is_the_table_an_ordinary_read_gives(spoiled, early):
    ordinary = read_table(spoiled / "ts.csv")
    csvtext.prefetch(str(spoiled / "ts.csv"))
    assert len(early) == 1
    fetched = read_table(spoiled / "ts.csv")
    assert not early  # taken
    pd.testing.assert_frame_equal(ordinary, fetched)
    assert [str(t) for t in fetched.dtypes] == [str(t) for t in ordinary.dtypes]


def test_a_file_changed_after_the_early_read_is_read_again(tmp_path, early):
    ts = tmp_path / "ts.csv"
    ts.write_text("employee_id,start,end,rate\nE1,2025-03-03 08:00,2025-03-03 16:00,20\n")
    csvtext.prefetch(str(ts))
    early[("read", os.path.realpath(ts))].finished()
    ts.write_text("employee_id,start,end,rate\nE2,2025-03-04 08:00,2025-03-04 12:00,21\n")
    os.utime(ts, ns=(time.time_ns(), time.time_ns() + 10**9))  # a new modification time, even on a coarse clock
    assert read_table(ts)["employee_id"].tolist() == ["E2"]


def test_an_unreadable_file_read_early_fails_as_an_ordinary_read_does(tmp_path, early):
    ts = tmp_path / "ts.csv"
    ts.write_text("employee_id,start,end\nE1,2025-03-03 08:00,2025-03-03 16:00,extra\n")
    with pytest.raises(InputError) as ordinary:
        read_table(ts)
    csvtext.prefetch(str(ts))
    with pytest.raises(InputError) as fetched:
        read_table(ts)
    assert str(fetched.value) == str(ordinary.value) and "fields but the header has" in str(fetched.value)


def test_small_or_missing_files_are_not_read_early(tmp_path, monkeypatch):
    monkeypatch.setattr(early_work, "_STARTED", {})
    csvtext.prefetch(str(SAMPLES / "timesheet.csv"))  # a few KB: read when needed
    csvtext.prefetch(str(tmp_path / "nothing.csv"))
    csvtext.prefetch(str(tmp_path))  # a folder
    assert early_work._STARTED == {}
    assert csvtext.take_prefetched(SAMPLES / "timesheet.csv", ["employee_id"]) is None


@pytest.mark.parametrize("args, expected", [
    (["-t", "a.csv", "-p", "p.toml"], ("a.csv", None)),
    (["--timesheet", "a.CSV"], ("a.CSV", None)),
    (["--timesheet=a.txt", "-f", "json"], ("a.txt", None)),
    (["-p", "p.toml", "-t", "b.csv", "-o", "out.csv"], ("b.csv", None)),
    (["-t", "a.csv", "--partitions", "4"], ("a.csv", 4)),
    (["--partitions=2", "-t", "a.csv"], ("a.csv", 2)),
    (["-t", "a.csv", "--partitions", "0"], None),  # click refuses it: nothing started
    (["-t", "a.csv", "--partitions", "many"], None),
    (["-t", "a.csv", "-t", "b.csv"], None),  # several timesheets: read by another path
    (["-t", "a.xlsx"], None),
    (["-t", "a.csv", "--engine=dask"], None),
    (["-t", "a.csv", "--partitions", "2", "--output-dir", "out"], None),
    (["-t", "a.csv", "--map", "m.toml"], None),
    (["-t", "a.csv", "--by", "person"], None),
    (["-t", "a.csv", "--help"], None),
    (["-t"], None),
    ([], None),
])
def test_what_pay_reads_early(args, expected):
    assert early_read(args) == expected


def test_pay_reads_its_timesheet_early_and_pays_the_same(spoiled, early, monkeypatch):
    started = []
    prefetch = csvtext.prefetch

    def spy(path: str) -> None:
        prefetch(path)
        started.append(dict(early))

    monkeypatch.setattr(csvtext, "prefetch", spy)
    args = ["pay", "-t", str(spoiled / "ts.csv"), "-p", str(spoiled / "policy.toml"), "-f", "csv"]
    fetched = CliRunner().invoke(main, args)
    assert len(started) == 1 and ("read", os.path.realpath(spoiled / "ts.csv")) in started[0]  # started before the command ran
    assert not early  # and taken by the run
    csvtext.PREFETCH_BYTES = 10**15  # (restored by monkeypatch) nothing is read early now
    ordinary = CliRunner().invoke(main, args)
    assert fetched.exit_code == ordinary.exit_code == 3
    assert fetched.stdout == ordinary.stdout and fetched.stderr == ordinary.stderr


def test_ids_as_categories_are_the_same_shifts_and_the_same_pay(spoiled):
    raw, policy = read_table(spoiled / "ts.csv"), read_policy(spoiled / "policy.toml")
    text, p1, h1 = prepare_timesheet(raw, "ts.csv", policy)
    coded, p2, h2 = prepare_timesheet(raw, "ts.csv", policy, ids_as_categories=True)
    assert isinstance(coded["employee_id"].dtype, pd.CategoricalDtype)
    cats = list(coded["employee_id"].cat.categories)
    assert cats == sorted(cats)  # the sorted ids: the engine's own order
    assert coded["employee_id"].astype(object).tolist() == text["employee_id"].tolist()
    pd.testing.assert_frame_equal(coded.drop(columns="employee_id"), text.drop(columns="employee_id"))
    assert p1 == p2
    from peerpay.core.engine import compute_pay

    pd.testing.assert_frame_equal(compute_pay(coded, policy, audit=False).lines, compute_pay(text, policy).lines,
                                  check_exact=True)


def test_columns_encoded_during_the_early_read_are_used_once_and_change_nothing(spoiled, early, monkeypatch):
    from peerpay.core import tables

    monkeypatch.setattr(tables, "_AHEAD", {})
    raw_ordinary = read_table(spoiled / "ts.csv")
    assert not tables._AHEAD  # an ordinary read encodes nothing ahead
    csvtext.prefetch(str(spoiled / "ts.csv"))
    raw = read_table(spoiled / "ts.csv")
    assert len(tables._AHEAD) == len({"employee_id", "start", "end", "kind", "rate"} & set(raw.columns)) == 5
    policy = read_policy(spoiled / "policy.toml")
    ahead = prepare_timesheet(raw, "ts.csv", policy)
    assert not tables._AHEAD  # each encoding used, once
    ordinary = prepare_timesheet(raw_ordinary, "ts.csv", policy)
    pd.testing.assert_frame_equal(ahead[0], ordinary[0])
    assert ahead[1] == ordinary[1]
    pd.testing.assert_frame_equal(ahead[2], ordinary[2])


def test_an_encoding_is_used_only_for_its_own_column():
    import pyarrow as pa
    import pyarrow.compute as pc

    from peerpay.core import tables

    kept = pa.chunked_array([["b", "a"], ["b"]], type=pa.large_string())
    tables.remember_codes(kept, pc.dictionary_encode(pa.chunked_array([["z", "z"], ["z"]])))  # a wrong encoding on purpose
    other = pd.Series(pd.array(["b", "a", "b"], dtype="str"))  # the same texts, other buffers
    codes, values = tables.text_codes(other)
    assert values.to_pylist() == ["b", "a"] and list(codes) == [0, 1, 0]  # computed, not taken from kept's
    tables._AHEAD.clear()


def test_a_bad_input_limit_is_reported_by_the_run_not_by_the_early_read(spoiled, early, monkeypatch):
    monkeypatch.setenv("PEERPAY_MAX_INPUT_MB", "lots")
    res = CliRunner().invoke(main, ["pay", "-t", str(spoiled / "ts.csv"), "-p", str(spoiled / "policy.toml")])
    assert res.exit_code == 1 and isinstance(res.exception, SystemExit)  # the contract's exit, not a traceback
    assert "PEERPAY_MAX_INPUT_MB='lots' is not a number of megabytes" in res.stderr
    assert not early_work.begun("read")  # nothing read early (the run record's hashes may have begun)
