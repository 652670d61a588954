"""A large register is read on a thread while the timesheet is read and checked
(``peerpay.jobs.audit._register_reader``): the audit must be the very one it is when the register
is read first, a cut week must still get the pay job's days, and when both files are unusable
the register's error is the one reported (as when it was read first).

The size from which the thread is used (``EARLY_REGISTER_BYTES``) is set to 0 here, so the
hand-worked registers, a few hundred bytes each, take the threaded path.
"""

from __future__ import annotations

import pandas as pd
import pytest

import peerpay.jobs.audit as job
from conftest import SAMPLES
from peerpay.errors import InputError
from peerpay.io import early
from tests import test_audit_handworked as handworked

EXPORTS = SAMPLES / "exports" / "earnings"
HANDWORKED = [getattr(handworked, name) for name in sorted(dir(handworked)) if name.startswith("test_")]


@pytest.fixture
def threaded(monkeypatch) -> list:
    """Every register read on a thread; the keys of the threads begun."""
    monkeypatch.setattr(job, "EARLY_REGISTER_BYTES", 0)
    begun: list = []
    real = early.begin

    def spy(key, path, work):
        begun.append(key)
        return real(key, path, work)

    monkeypatch.setattr(early, "begin", spy)
    return begun


def sample_audit() -> tuple[pd.DataFrame, dict]:
    """The audit's lines and the rest of its report (without the run's time)."""
    a = job.run_audit(SAMPLES / "timesheet.csv", SAMPLES / "policy.toml", EXPORTS / "register.csv", EXPORTS / "register.toml",
                      SAMPLES / "roster.csv", SAMPLES / "schedule.csv")
    report = job.audit_report(a)
    report.pop("meta")
    report.pop("lines")
    return a.lines, report


@pytest.mark.parametrize("test", HANDWORKED, ids=lambda t: t.__name__)
def test_every_hand_worked_audit_holds_with_the_register_read_on_a_thread(test, files, threaded):
    test(files)
    assert all(key[0] == "register" for key in threaded)  # (none where the map is refused before the register is read)


def test_the_hand_worked_registers_did_take_the_thread(files, threaded):
    handworked.test_a_register_that_pays_what_the_policy_owes_shows_no_difference(files)
    assert threaded == [("register", str(files.folder / "register.csv"))]


def test_the_sample_audit_is_the_same_read_either_way(threaded, monkeypatch):
    lines, report = sample_audit()
    assert threaded == [("register", str(EXPORTS / "register.csv"))]
    monkeypatch.setattr(job, "EARLY_REGISTER_BYTES", 1 << 62)
    first_lines, first_report = sample_audit()
    pd.testing.assert_frame_equal(lines, first_lines)
    assert report == first_report and len(report["findings"]) == 3
    assert len(threaded) == 1  # the second run read it here


def test_a_cut_week_keeps_the_days_worked(files, threaded):
    handworked.test_a_pay_period_that_cuts_a_workweek_shares_it_by_the_days_worked(files)
    ts, pol = files.folder / "timesheet.csv", files.folder / "policy.toml"
    a = job.run_audit(ts, pol, files.folder / "register.csv", files.folder / "register.toml")
    assert not a.periods.aligned
    assert a.pay.result.segments is not None and len(a.pay.result.segments)  # paid with its audit trail
    assert a.pay.shifts["employee_id"].dtype == object  # ids as text, as a run with the trail has them


def test_when_both_files_are_unusable_the_register_s_error_is_reported(files, threaded):
    ts = files.write("timesheet.csv", "employee_id,start\nE1,2025-03-03 08:00\n")  # no end: unusable
    pol = files.write("policy.toml", handworked.POLICY)
    reg = files.write("register.csv", "Emp,Week Ending\nE1,03/08/2025\n")  # no earnings columns
    emap = files.write("register.toml", handworked.MAP)
    with pytest.raises(InputError) as both:
        job.run_audit(ts, pol, reg, emap)
    with pytest.raises(InputError) as register_only:
        job.run_audit(files.write("good.csv", handworked.TIMESHEET), pol, reg, emap)
    assert str(both.value) == str(register_only.value)
    assert "register.csv" in str(both.value)
