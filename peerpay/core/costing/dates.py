"""Dated facts on the contract's own dates: steps, anniversaries, credentials, employment.

The baseline says how many hours are worked and when; *who holds what on a contract day* is
read here from the dated inputs, on that day:

* **steps**: the roster step is the step held on the baseline's last day. Each hire-date
  anniversary after it and before the term moves one step under the current contract (the
  status quo's rule); in the term, the proposal's own ``[[step_movement]]`` rules, else the
  status quo's (unless ``steps = "freeze"``);
* **credentials**: held on a day from its first to its last day (credentials file or roster);
* **employment**: from the hire date to the roster end date (ratification and lump-sum
  eligibility).

One anniversary convention everywhere: a 29 February hire date has its anniversary on 28
February in a common year (:func:`anniversary`).
"""

from __future__ import annotations

import datetime as dt
from typing import cast

import numpy as np
import pandas as pd

from ...models.proposal import Proposal, StepMovement, add_years
from .baseline import Baseline, day_number, future_schedule_dates
from .turnover import ReplacementView


def contract_years(proposal: Proposal) -> list[tuple[dt.date, dt.date]]:
    """[first day, last day] of each contract year."""
    return [(add_years(proposal.term_start, k), add_years(proposal.term_start, k + 1) - dt.timedelta(days=1))
            for k in range(proposal.years)]


def anniversary(hire: dt.date, year: int) -> dt.date:
    """The anniversary of ``hire`` in ``year``: one convention everywhere (breakpoints and step
    counts). Someone hired on 29 February has their anniversary on 28 February in a common year,
    as :func:`peerpay.models.proposal.add_years` counts a year from 29 February."""
    return add_years(hire, year - hire.year)


def years_completed(hire: np.ndarray, day: np.ndarray) -> np.ndarray:
    """Whole years from ``hire`` to ``day`` (datetime64[D] arrays), by the :func:`anniversary` convention."""
    h, x = pd.DatetimeIndex(hire), pd.DatetimeIndex(day)
    leap = (x.year % 4 == 0) & ((x.year % 100 != 0) | (x.year % 400 == 0))
    hday = np.where((h.month == 2) & (h.day == 29) & ~leap, 28, h.day)
    before = (x.month < h.month) | ((x.month == h.month) & (x.day < hday))
    return np.maximum(np.asarray(x.year - h.year) - before.astype(int), 0)


#: The current contract's step rule, rolled forward (the status quo): one step on each anniversary.
STATUS_QUO_STEP = StepMovement(effective=dt.date(1970, 1, 1))


def movement(proposal: Proposal) -> tuple[tuple[StepMovement, dt.date], ...]:
    """The step rules in force in the term, each with the date it starts.

    The proposal's own ``[[step_movement]]`` (from its effective date, moved to ``retro.since``
    when earlier); none with ``steps = "freeze"``; else the status quo's one step on each
    anniversary, from the first day of the term (never moved by retro: it is paid on time).
    """
    if proposal.step_movement:
        return tuple((mv, proposal.effective_date(mv.effective)) for mv in proposal.step_movement)
    if proposal.steps == "freeze":
        return ()
    return ((STATUS_QUO_STEP, proposal.term_start),)


def status_quo(term_start: dt.date, years: int) -> Proposal:
    """The current contract rolled forward over a term: nothing proposed, so every automatic
    movement continues (the status quo's steps, the schedule's own dated rows, credentials
    starting and lapsing)."""
    return Proposal(name="Status quo", party="status quo", term_start=term_start, years=years)


def steps_on(proposal: Proposal, baseline: Baseline, employee_ids: np.ndarray, days: np.ndarray) -> np.ndarray:
    """Each employee's step on each day: the roster step, one step on each anniversary between
    the baseline and the term (the current contract, capped at today's top step), then the
    term's step rules (:func:`movement`), raised to a placement step for incumbents. Vectorised
    over (employee, day) pairs."""
    ros = baseline.roster.set_index("employee_id")
    emp = pd.Series(employee_ids)
    role = emp.map(ros["role"]).to_numpy(dtype=object)
    step = emp.map(ros["step"]).to_numpy(dtype="int64")
    hire = emp.map(ros["hire_date"]).to_numpy(dtype="datetime64[D]")
    day = np.asarray(days, dtype="datetime64[D]")
    known = ~np.isnat(hire)
    safe_hire = np.where(known, hire, day)
    # before the term: anniversaries after the baseline's last day, under the current contract
    term = np.datetime64(proposal.term_start, "D")
    before_term = np.minimum(day, term - 1)
    pre = years_completed(safe_hire, before_term) - years_completed(safe_hire, np.full(len(day), np.datetime64(baseline.last_day, "D")))
    top = _top_steps(baseline, role)
    moved = np.where(known & (pre > 0), np.maximum(np.minimum(step + np.maximum(pre, 0), top), step), step)
    out = moved.copy()
    for mv, eff in movement(proposal):
        if not mv.simple or proposal.step_hold:  # step rules: waiting periods, fixed dates, holds
            out = out + rule_moves(proposal, mv, eff, role, moved, hire, day)
            continue
        ok = known & np.array([mv.applies(r, s) for r, s in zip(role, moved)], dtype=bool) & (day >= np.datetime64(eff, "D"))
        since = np.full(len(day), np.datetime64(eff - dt.timedelta(days=1), "D"))
        n = years_completed(safe_hire, day) - years_completed(safe_hire, since)
        out = out + np.where(ok, np.maximum(n, 0) * mv.per_anniversary, 0)
    view = proposal if isinstance(proposal, ReplacementView) else None
    if view is not None:  # every position held by a new hire on the replacement step (turnover)
        out = np.where(np.array([view.replaced(r) for r in role], dtype=bool), view.replacement_step, out)
    for pl in proposal.placement:
        if pl.incumbents or view is not None:  # a placement in force places replacements too: new hires
            hit = (role == pl.role) & (day >= np.datetime64(proposal.effective_date(pl.effective), "D"))
            out = np.where(hit, np.maximum(out, pl.step), out)
    return out


def _top_steps(baseline: Baseline, role: np.ndarray) -> np.ndarray:
    top: dict = {}
    for r, s in baseline.schedule:
        top[r] = max(top.get(r, s), s)
    return np.array([top.get(r, 10**6) for r in role], dtype="int64")


def step_dates(mv: StepMovement, hire: dt.date | None, lo: dt.date, hi: dt.date) -> list[dt.date]:
    """The days in [lo, hi] on which ``mv`` moves an employee hired on ``hire`` (None: unknown)."""
    out = []
    for y in range(lo.year - 1, hi.year + 1):
        if mv.moves_on == "fixed_date":
            d = dt.date.fromisoformat(f"{y}-{mv.step_date}")
        else:
            if hire is None or y <= hire.year:
                continue
            d = anniversary(hire, y)
            if mv.moves_on == "next_pay_period":
                d += dt.timedelta(days=(cast(dt.date, mv.pay_period_start) - d).days % mv.pay_period_days)
        if lo <= d <= hi:
            out.append(d)
    return out


def _held(proposal: Proposal, role: str, step: int, day: dt.date) -> bool:
    return any(h.effective <= day <= h.until and h.applies(role, step) for h in proposal.step_hold)


def rule_moves(proposal: Proposal, mv: StepMovement, eff: dt.date, role: np.ndarray, step: np.ndarray,
               hire: np.ndarray, day: np.ndarray) -> np.ndarray:
    """Steps gained under ``mv`` (in force from ``eff``) with its step rules, per (employee, day).

    Walks the step dates from ``eff`` to the day: each date not held (a hold of the step the
    employee is on that day) counts a year on the current step; when the years reach the step's
    waiting period, the employee moves up ``per_anniversary`` steps and starts counting again.
    """
    out = np.zeros(len(day), dtype="int64")
    memo: dict = {}
    for i, (r, s, h, d) in enumerate(zip(role, step, hire, day)):
        s = int(s)
        hd = None if np.isnat(h) else h.astype(object)
        dd = d.astype(object)
        if dd < eff or not mv.applies(r, s) or (hd is None and mv.moves_on != "fixed_date"):
            continue
        key = (r, s, hd, dd)
        if key not in memo:
            cur, served = s, 0
            for x in step_dates(mv, hd, eff, dd):
                if _held(proposal, r, cur, x):
                    continue
                served += 1
                if served >= mv.wait(cur):
                    cur, served = cur + mv.per_anniversary, 0
            memo[key] = cur - s
        out[i] = memo[key]
    return out


# --- credentials and employment on a day --------------------------------------------------------


def holds_on(baseline: Baseline, credential: str, employee_ids, day: dt.date) -> np.ndarray:
    """Per employee: holds ``credential`` on ``day`` (from its first to its last day held)."""
    table = baseline.credentials.get(credential)
    if table is None:
        return np.zeros(len(employee_ids), dtype=bool)
    n = day_number(day)
    since = pd.Series(employee_ids).map(table["since"]).to_numpy(dtype="float64")
    until = pd.Series(employee_ids).map(table["until"]).to_numpy(dtype="float64")
    return (since <= n) & (n <= until)  # NaN (not a holder) compares False


def employed_on(baseline: Baseline, employee_id, day: dt.date) -> bool:
    """Hired on or before ``day`` and not left before it (roster ``hire_date``, ``end_date``; blank = yes)."""
    ros = baseline.cache.get("roster_by_id")
    if ros is None:
        ros = baseline.cache["roster_by_id"] = baseline.roster.set_index("employee_id")
    hire = ros.at[employee_id, "hire_date"]
    end = ros.at[employee_id, "end_date"] if "end_date" in ros else None
    if hire is not None and pd.notna(hire) and pd.Timestamp(hire).date() > day:
        return False
    return end is None or pd.isna(end) or pd.Timestamp(end).date() >= day


def credentials_used(proposal: Proposal, baseline: Baseline) -> set[str]:
    """The credentials a differential of the policy, or of the proposal's changes, pays on."""
    used = {d.credential for d in baseline.policy.differential if d.credential}
    used |= {d["credential"] for ch in proposal.policy_change for d in ch.differential if d.get("credential")}
    return used


def breakpoints(proposal: Proposal, baseline: Baseline) -> pd.DataFrame:
    """(employee_id, year, day) on which that employee's state may change, from each year's start.

    Items' effective dates; the current schedule's own dated rows; each anniversary (the status
    quo moves on them, and the retro window compares with it); the step dates of step rules;
    the first day a credential a differential pays on is held, and the day after its last.
    """
    dates = {proposal.effective_date(i.effective) for group in (proposal.increase, proposal.schedule,
             proposal.step_movement, proposal.placement, proposal.floor, proposal.policy_change) for i in group}
    dates |= set(future_schedule_dates(baseline))
    emps = baseline.costs.index.to_numpy(dtype=object)
    hire = pd.Series(emps).map(baseline.roster.set_index("employee_id")["hire_date"])
    creds = [baseline.credentials[c] for c in sorted(credentials_used(proposal, baseline)) if c in baseline.credentials]
    epoch = dt.date(1970, 1, 1)
    rows = []
    for y, (start, end) in enumerate(contract_years(proposal), 1):
        common = [start] + sorted(d for d in dates if start < d <= end)
        lo, hi = day_number(start), day_number(end)
        for e, h in zip(emps, hire):
            days = set(common)
            hd = pd.Timestamp(h).date() if pd.notna(h) else None
            if hd is not None:
                for yr in (start.year, start.year + 1):
                    a = anniversary(hd, yr)
                    if start < a <= end:
                        days.add(a)
            for mv in proposal.step_movement:
                if not mv.simple:
                    days.update(d for d in step_dates(mv, hd, start, end) if d > start)
            for table in creds:
                if e in table.index:
                    for n in (int(table.at[e, "since"]), int(table.at[e, "until"]) + 1):
                        if lo < n <= hi:
                            days.add(epoch + dt.timedelta(days=n))
            rows += [(e, y, d) for d in days]
    out = pd.DataFrame(rows, columns=["employee_id", "year", "day"])
    return out.sort_values(["employee_id", "year", "day"], kind="stable").reset_index(drop=True)
