"""A plain pay run paid in two halves (one in a forked child) gives exactly the one-process lines.

``peerpay.engines.halves.pay_lines`` cuts the shifts between two employee ids (in sorted order)
near the middle row, forks a child for the second half and joins the pay lines. Employees are
independent (a workweek, an 8-and-80 period and its overtime belong to one employee), so the
joined lines must equal ``compute_pay(...).lines`` frame for frame, dtypes and index included,
and ``PayResult.days`` must be the first and last local date of the full run's segments.

Every test here sets ``PEERPAY_WORKERS=2`` (unless it tests ``1``) so the fork really happens on
a one-core machine too, and counts the forks: an equality that never forked would prove nothing.
``min_shifts=0`` (or ``halves.MIN_SHIFTS = 0`` for the CLI) lets small, fast data take the path.
"""

from __future__ import annotations

import json
import os
import pickle
import types

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import OUT_OF_CLASS_POLICIES, SAMPLES, examples, generated_timesheets, out_of_class_samples
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from peerpay.cli import main
from peerpay.core.engine import compute_pay
from peerpay.engines import forked, halves
from peerpay.io.resources import SAMPLES_DIR, package_dir
from peerpay.jobs.pay import run_pay
from peerpay.models.policy import parse_policy
from test_speed_engine import POLICY as ENGINE_POLICY

DAY = 1440
# 2025-03-01 00:00 UTC in minutes since 1970; New York springs forward on 2025-03-09 (a Sunday)
MARCH_2025 = int(np.datetime64("2025-03-01T00:00", "m").astype("int64"))

#: every rule the engine has that needs no roster: daily and weekly overtime, three differentials
#: (one limited to a role), a holiday, on-call standby, call-back premium and minimum, a minimum shift
ALL_RULES = parse_policy({**ENGINE_POLICY, "overtime": {**ENGINE_POLICY["overtime"], "basis": "regular_rate"}})


@pytest.fixture(autouse=True)
def two_workers(monkeypatch):
    """Two workers whatever the machine, and a count of the children forked (``forks.pids``)."""
    monkeypatch.setenv("PEERPAY_WORKERS", "2")
    forks = types.SimpleNamespace(pids=[])
    real = forked.in_child

    def counted(*args):
        pid, reader = real(*args)
        forks.pids.append(pid)
        return pid, reader

    monkeypatch.setattr(forked, "in_child", counted)
    return forks


def assert_reaped(pids) -> None:
    """Every child forked was waited for: none is left as a zombie."""
    for pid in pids:
        with pytest.raises(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)


def assert_same_pay(shifts: pd.DataFrame, policy, forks, forked: bool = True) -> None:
    """pay_lines (two halves) == compute_pay (one process, with its audit trail), and days == the segments' span."""
    full = compute_pay(shifts, policy)
    halved = halves.pay_lines(shifts, policy, min_shifts=0)
    pd.testing.assert_frame_equal(halved.lines, full.lines, check_exact=True)
    if len(full.segments):
        dates = full.segments["date"].to_numpy(dtype="int64")
        assert halved.days == (int(dates.min()), int(dates.max()))
    else:
        assert halved.days is None
    assert halved.segments.empty  # no audit trail on this path
    assert len(forks.pids) == (1 if forked else 0)
    assert_reaped(forks.pids)


def validated(timesheet, policy, roster=None, schedule=None):
    """The shifts and policy the engine is given for a file (read, validated, rates and credentials set)."""
    run = run_pay(timesheet, policy, roster, schedule)
    return run.shifts, run.policy


def shifts_frame(rows, roles=None) -> pd.DataFrame:
    """Engine input from (employee_id, kind, start_at, end_at, rate_units) tuples; ``row`` = 2, 3, ..."""
    ids, kinds, starts, ends, rates = zip(*rows) if rows else ((), (), (), (), ())
    frame = pd.DataFrame({
        "employee_id": pd.Series(ids, dtype=object), "kind": pd.Series(kinds, dtype=object),
        "start_at": np.array(starts, dtype="int64"), "end_at": np.array(ends, dtype="int64"),
        "rate_units": np.array(rates, dtype="int64"), "row": np.arange(2, len(rows) + 2, dtype="int64"),
    })
    if roles is not None:
        frame["role"] = pd.Series(roles, dtype=object)
    return frame


def week_of_shifts(employee: str, days: int, start: int = MARCH_2025 + 7 * 60, hours: int = 9, kind: str = "work"):
    """``days`` daily shifts of ``hours`` hours from 07:00 UTC, at $20.00/h (200,000 units of $0.0001)."""
    return [(employee, kind, start + d * DAY, start + d * DAY + hours * 60, 200_000) for d in range(days)]


# 1. the same lines on real and generated data


@pytest.mark.parametrize("case", ["timesheet", "small_org", "employer2"])
def test_bundled_samples_pay_the_same_in_two_halves(case, two_workers):
    samples = package_dir(SAMPLES_DIR)
    assert samples is not None
    if case == "timesheet":  # 300 rows, 16 employees, rates from the roster and schedule
        shifts, policy = validated(samples / "timesheet.csv", samples / "policy.toml", samples / "roster.csv",
                                   samples / "schedule.csv")
    elif case == "small_org":
        d = samples / "small_org"
        shifts, policy = validated(d / "timesheet.csv", d / "policy.toml", d / "roster.csv", d / "schedule.csv")
    else:  # one employee: the cut finds no second employee, so no child
        shifts, policy = validated(samples / "timesheet_employer2.csv", samples / "policy.toml")
    one_employee = shifts["employee_id"].nunique() == 1
    assert len(shifts) > 0
    assert_same_pay(shifts, policy, two_workers, forked=not one_employee)


def test_generated_timesheet_with_every_rule_pays_the_same(tmp_path, two_workers):
    """The benchmark generator (day, evening, night-across-midnight and 12-hour patterns, on call,
    call-backs, New York holidays, daily and weekly overtime on the regular rate): ~6,000 shifts."""
    generated_timesheets(tmp_path, 6000, 0, seed=16, parts=1)
    shifts, policy = validated(tmp_path / "ts.csv", tmp_path / "policy.toml")
    assert len(shifts) > 5000 and shifts["employee_id"].nunique() > 20
    assert_same_pay(shifts, policy, two_workers)


@pytest.mark.parametrize("dtype", ["str", "category"])
def test_arrow_strings_and_categories_pay_the_same(tmp_path, two_workers, dtype):
    """The fast loaders hand over arrow ``str`` or Categorical ids: a half keeps every category of
    the whole column (unused ones too), and must still pay only its own employees."""
    generated_timesheets(tmp_path, 2000, 0, seed=5, parts=1)
    shifts, policy = validated(tmp_path / "ts.csv", tmp_path / "policy.toml")
    shifts = shifts.assign(employee_id=shifts["employee_id"].astype(object).astype(dtype),
                           kind=shifts["kind"].astype(object).astype(dtype))
    assert_same_pay(shifts, policy, two_workers)


IDS = ["E9", "E10", "E1", "E100", "a", "B", "Z9"]  # sorted: B, E1, E10, E100, E9, Z9, a


@st.composite
def timesheets(draw):
    """2-5 employees, each with back-to-back shifts (some across midnight and the Saturday/Sunday
    workweek boundary, the DST change on 2025-03-09, the holiday on 2025-03-17), work, on-call
    and call-back, rows shuffled so first appearance differs from sorted order."""
    ids = draw(st.lists(st.sampled_from(IDS), min_size=2, max_size=5, unique=True))
    rows, roles = [], []
    for i, emp in enumerate(ids):
        start = MARCH_2025 + draw(st.integers(0, 20 * DAY))
        for _ in range(draw(st.integers(1, 12))):
            length = draw(st.integers(15, 14 * 60))
            kind = draw(st.sampled_from(["work", "work", "on_call", "callback"]))
            rows.append((emp, kind, start, start + length, draw(st.integers(72_500, 600_000))))
            roles.append(["peer", "lead", None][i % 3])
            start += length + draw(st.integers(0, 30 * 60))
    order = draw(st.permutations(range(len(rows))))
    frame = shifts_frame(rows, roles)
    return frame.iloc[list(order)].reset_index(drop=True).assign(row=np.arange(2, len(rows) + 2))


@settings(max_examples=examples(25), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(shifts=timesheets())
def test_property_two_halves_equal_one_process(shifts, two_workers):
    two_workers.pids.clear()
    assert_same_pay(shifts, ALL_RULES, two_workers)


# 2. edge cases of the cut


def test_empty_timesheet_is_paid_in_one_process(two_workers):
    shifts = shifts_frame([], roles=[])
    halved = halves.pay_lines(shifts, ALL_RULES, min_shifts=0)
    pd.testing.assert_frame_equal(halved.lines, compute_pay(shifts, ALL_RULES).lines)
    assert halved.lines.empty and halved.days is None
    assert two_workers.pids == []


def test_one_employee_is_not_cut(two_workers):
    # 10 days of 07:00-16:00 for one employee: nothing to put in a second half
    assert_same_pay(shifts_frame(week_of_shifts("E1", 10)), ALL_RULES, two_workers, forked=False)


def test_two_employees_one_in_each_half(two_workers):
    shifts = shifts_frame(week_of_shifts("E2", 6) + week_of_shifts("E1", 6))
    codes = np.where(shifts["employee_id"] == "E1", 0, 1)
    assert halves._middle_employee(codes) == 1  # E1 (code 0) first, E2 in the child
    assert_same_pay(shifts, ALL_RULES, two_workers)


def test_very_unequal_employees_still_cut_between_them(two_workers):
    """One employee with 40 rows, two with 1: the cut is never before the first nor after the last
    employee, so each half has at least one employee."""
    shifts = shifts_frame(week_of_shifts("A", 1) + week_of_shifts("M", 40) + week_of_shifts("Z", 1))
    # rows per sorted employee: A 1, M 40, Z 1 -> running ends 1, 41, 42; the middle row (21) is
    # M's, so the second half starts after M: Z alone (code 2)
    assert halves._middle_employee(np.repeat([0, 1, 2], [1, 40, 1])) == 2
    # the big employee first: ends 40, 41; middle row 20 is hers -> the cut is at code 1
    assert halves._middle_employee(np.repeat([0, 1], [40, 1])) == 1
    assert halves._middle_employee(np.repeat([0, 1], [1, 40])) == 1
    assert halves._middle_employee(np.zeros(5, dtype="int64")) is None
    assert_same_pay(shifts, ALL_RULES, two_workers)


def test_sorted_order_not_first_appearance_order(two_workers):
    """E9 appears first but sorts after E10 (text order): the first half (E10, E100) must come
    first in the lines, exactly as the one-process run orders them."""
    shifts = shifts_frame(week_of_shifts("E9", 8) + week_of_shifts("E10", 8) + week_of_shifts("E100", 8)
                          + week_of_shifts("E1", 8))
    assert_same_pay(shifts, ALL_RULES, two_workers)
    lines = halves.pay_lines(shifts, ALL_RULES, min_shifts=0).lines
    assert list(dict.fromkeys(lines["employee_id"])) == ["E1", "E10", "E100", "E9"]


def test_small_timesheet_below_min_shifts_does_not_fork(two_workers):
    shifts = shifts_frame(week_of_shifts("E1", 5) + week_of_shifts("E2", 5))
    assert halves.MIN_SHIFTS == 200_000
    halved = halves.pay_lines(shifts, ALL_RULES)  # 10 rows < MIN_SHIFTS
    pd.testing.assert_frame_equal(halved.lines, compute_pay(shifts, ALL_RULES).lines)
    assert two_workers.pids == []


# 3. the child failing: the parent pays the half itself


@pytest.fixture
def two_employees():
    # two employees, 14 days each (the second half is a few dozen lines: more than one pipe read)
    return shifts_frame(week_of_shifts("E1", 14) + week_of_shifts("E2", 14, hours=11))


def test_child_that_exits_at_once_is_replaced_by_the_parent(monkeypatch, two_employees):
    children = []

    def dying_child(work):
        reader, writer = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: leave at once, never back into pytest
            os._exit(1)
        os.close(writer)
        children.append(pid)
        return pid, reader

    monkeypatch.setattr(forked, "in_child", dying_child)
    halved = halves.pay_lines(two_employees, ALL_RULES, min_shifts=0)
    pd.testing.assert_frame_equal(halved.lines, compute_pay(two_employees, ALL_RULES).lines, check_exact=True)
    assert len(children) == 1
    assert_reaped(children)


def test_child_whose_pickling_fails_is_replaced(monkeypatch, two_employees, two_workers):
    """pickle.dumps raises in the child: its ``finally`` exits 1 without a word, the parent pays."""

    def no_dumps(*a, **k):
        raise pickle.PicklingError("cannot send")

    monkeypatch.setattr(forked, "pickle", types.SimpleNamespace(dumps=no_dumps, loads=pickle.loads,
                                                                 HIGHEST_PROTOCOL=pickle.HIGHEST_PROTOCOL))
    assert_same_pay(two_employees, ALL_RULES, two_workers)


def test_child_sending_a_truncated_message_is_replaced(monkeypatch, two_employees, two_workers):
    """The child exits 0 but its message does not unpickle: the parent pays the half itself."""
    real = pickle.dumps
    monkeypatch.setattr(forked, "pickle", types.SimpleNamespace(dumps=lambda *a, **k: real(*a, **k)[:-7],
                                                                 loads=pickle.loads,
                                                                 HIGHEST_PROTOCOL=pickle.HIGHEST_PROTOCOL))
    assert_same_pay(two_employees, ALL_RULES, two_workers)


def test_parent_failing_does_not_leave_the_child_behind(monkeypatch, two_workers):
    """If paying the parent's half raises, the error reaches the caller and the child is not left
    blocked on a full pipe or unreaped (its half's lines are far more than a pipe's 64 KB)."""
    parent = os.getpid()
    real = halves.compute_pay

    def failing_in_parent(shifts, policy, *a, **k):
        if os.getpid() == parent:
            raise RuntimeError("the parent's half failed")
        return real(shifts, policy, *a, **k)

    monkeypatch.setattr(halves, "compute_pay", failing_in_parent)
    many = [row for e in range(40) for row in week_of_shifts(f"E{e:02d}", 60)]  # 2,400 shifts, ~400 lines a half
    with pytest.raises(RuntimeError, match="parent's half"):
        halves.pay_lines(shifts_frame(many), ALL_RULES, min_shifts=0)
    assert len(two_workers.pids) == 1
    assert_reaped(two_workers.pids)


# 4. PEERPAY_WORKERS=1 and no fork


def test_one_worker_never_forks(monkeypatch, two_employees, two_workers):
    monkeypatch.setenv("PEERPAY_WORKERS", "1")

    def no_fork():
        raise AssertionError("forked under PEERPAY_WORKERS=1")

    monkeypatch.setattr(os, "fork", no_fork)
    assert_same_pay(two_employees, ALL_RULES, two_workers, forked=False)


def test_without_os_fork_one_process(monkeypatch, two_employees, two_workers):
    monkeypatch.delattr(os, "fork")
    assert_same_pay(two_employees, ALL_RULES, two_workers, forked=False)


# 5. the CLI: byte-identical output with and without the second core


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    """A generated timesheet (~3,000 shifts, 12 employees, every rule on) and its policy."""
    d = tmp_path_factory.mktemp("halves")
    table, _ = generated_timesheets(d, 3000, 0, seed=17, parts=1)
    return d, sorted(set(table.column("employee_id").to_pylist()))


def _pay(monkeypatch, args, workers: str, out=None):
    """``peerpay pay ARGS`` in-process with MIN_SHIFTS=0; returns (exit code, stdout, stderr, output bytes)."""
    monkeypatch.setattr(halves, "MIN_SHIFTS", 0)
    monkeypatch.setenv("PEERPAY_WORKERS", workers)
    monkeypatch.setenv("PEERPAY_RUN_TIME", "2026-01-01T00:00:00Z")
    extra = ["-o", str(out), "--force"] if out is not None else []
    result = CliRunner().invoke(main, [str(a) for a in args] + extra, catch_exceptions=False)
    written = out.read_bytes() if out is not None else b""
    return result.exit_code, result.stdout, result.stderr, written


OPTIONS = {
    "plain": [],
    "period": ["--from", "2025-01-08", "--to", "2025-01-22"],  # Wednesdays: two partial workweeks
    "employee": ["--employee", None],  # filled with the third employee id
    "both": ["--from", "2025-01-01", "--to", "2025-01-31", "--employee", None],
}


@pytest.mark.parametrize("fmt", ["csv", "json"])
@pytest.mark.parametrize("option", list(OPTIONS))
def test_cli_output_identical_with_one_or_two_workers(monkeypatch, generated, two_workers, fmt, option, tmp_path):
    d, ids = generated
    opts = [ids[2] if o is None else o for o in OPTIONS[option]]
    args = ["pay", "-t", d / "ts.csv", "-p", d / "policy.toml", "-f", fmt, *opts]
    one = _pay(monkeypatch, args, "1", tmp_path / f"one.{fmt}" if fmt == "json" else None)
    assert two_workers.pids == []
    two = _pay(monkeypatch, args, "2", tmp_path / f"two.{fmt}" if fmt == "json" else None)
    assert len(two_workers.pids) == 1
    assert one[0] == two[0] == 0, two[2]
    assert two[1] == one[1]  # stdout, byte for byte
    assert two[2] == one[2]  # stderr: the partial-week notes
    assert two[3] == one[3]  # the -o file
    if option in ("period", "both"):
        assert "cut by the period" in two[2]
    if fmt == "json":
        lines = json.loads(two[3])["lines"]
        assert lines and (option not in ("employee", "both") or {ln["employee_id"] for ln in lines} == {ids[2]})
    else:
        assert two[1].count("\n") > 1


def test_cli_detail_keeps_the_audit_trail_in_one_process(monkeypatch, generated, two_workers, tmp_path):
    """--detail needs the segments: no fork, and its lines are the plain (two-core) run's lines."""
    d, _ = generated
    args = ["pay", "-t", d / "ts.csv", "-p", d / "policy.toml", "-f", "json"]
    code, _, err, detailed = _pay(monkeypatch, [*args, "--detail"], "2", tmp_path / "detail.json")
    assert code == 0, err
    assert two_workers.pids == []
    detail = json.loads(detailed)
    assert len(detail["detail"]) > 1000  # a row per segment
    code, _, err, plain = _pay(monkeypatch, args, "2", tmp_path / "plain.json")
    assert code == 0, err
    assert len(two_workers.pids) == 1
    assert json.loads(plain)["lines"] == detail["lines"]


@pytest.mark.parametrize("rules", ["CA", "NV", "CO"])
def test_state_presets_pay_the_same_in_two_halves(tmp_path, two_workers, rules):
    from test_chunked import preset_policy

    generated_timesheets(tmp_path, 3000, spoiled=0, seed=26)
    shifts, policy = validated(tmp_path / "ts.csv", preset_policy(tmp_path, rules))
    assert policy.overtime.rules == rules
    assert_same_pay(shifts, policy, two_workers)


@pytest.mark.parametrize("rules", sorted(OUT_OF_CLASS_POLICIES))
def test_out_of_class_rows_pay_the_same_in_two_halves(tmp_path, two_workers, rules):
    """``duty_role`` rows under ``[out_of_class]`` (docs/out-of-class.md): the duty rates and own rates
    (``rate_units``, ``home_rate_units``, ``out_of_class``) travel with each half; the same lines."""
    timesheet, policy = out_of_class_samples(tmp_path, rules)
    shifts, pol = validated(timesheet, policy, SAMPLES / "roster.csv", SAMPLES / "schedule.csv")
    assert shifts["out_of_class"].any()
    assert_same_pay(shifts, pol, two_workers)
    assert (compute_pay(shifts, pol).lines["out_of_class_pay"] > 0).any()


def test_cli_out_of_class_rows_pay_the_same_in_two_halves(monkeypatch, tmp_path, two_workers):
    timesheet, policy = out_of_class_samples(tmp_path)
    args = ["pay", "-t", timesheet, "-p", policy, "-r", SAMPLES / "roster.csv", "-s", SAMPLES / "schedule.csv", "-f", "json"]
    one = _pay(monkeypatch, args, "1")
    assert two_workers.pids == []
    two = _pay(monkeypatch, args, "2")
    assert len(two_workers.pids) == 1  # the second run forked
    assert one[0] == two[0] == 3 and one[1] == two[1]
    assert "carry a duty_role: 74 paid out of class" in two[2]
