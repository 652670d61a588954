"""Costing a bargaining proposal on the pay engine (docs/costing.md). Pure: frames and models in.

How a proposal is costed (the practice of union and public-sector costing manuals):

1. **Baseline.** The representative timesheet is paid by the current policy and rates. Each
   employee's pay components are *annualised*: period totals x 365 / days covered, where the
   period runs from the first to the last shift start date (November 2025: 30 days, x 365/30).
2. **States.** For every contract year, every employee is re-paid on the *same shifts* at the
   rates and policy in force on each date something changes (an item's effective date, the
   employee's anniversary under step movement). Raises compound on the unrounded rate, which
   is rounded once per state, half-up, to ``rate_places``. The engine re-runs, so a higher
   night differential is costed from the night hours really worked and raises the regular rate
   of the overtime worked in those weeks (29 CFR 778.207(b)).
3. **Cash** for a year = sum over the employee's intervals of (state cost - baseline cost) x
   days in the interval / days in the contract year, plus lump sums paid that year. **Run-rate**
   = the full-year cost of the state in force on the last day of the year (no lump sums).
4. **Roll-up**: each on-cost (FICA, pension, ...) is a percent of the pay components it applies
   to (the roll-up matrix, :data:`peerpay.models.proposal.DEFAULT_ON_COSTS`).

Every sum is exact (integer cents times integer days over a common denominator, or
:class:`fractions.Fraction`); a figure is rounded half-up once, when it is reported.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field, replace
from decimal import Decimal
from fractions import Fraction
from typing import Any, cast

import numpy as np
import pandas as pd

from .money import DAYS_PER_YEAR, HOURS_PER_FTE_YEAR, MINUTES_PER_DAY, RATE_SCALE, cents_half_up, cents_to_dollars, rate_units, ratio_half_up
from ..models.policy import Policy, parse_policy
from ..models.proposal import COMPONENTS, Increase, OnCosts, Proposal, StepMovement, Turnover, add_years
from .engine import CREDENTIAL_COLUMN, PayResult, price_segments, rate_coefficients, segment_shifts
from .gap import stats
from .inputs import rates_in_force

#: Engine components (whole cents per employee-week, summed per employee).
PAY_COMPONENTS = COMPONENTS[:-1]
_SEP = "\x1f"


@dataclass(frozen=True)
class Baseline:
    """The representative period, paid at current rates, per employee."""

    shifts: pd.DataFrame  # engine shifts + role, step (roster), on_schedule
    roster: pd.DataFrame  # employee_id, role, step, hire_date (datetime64[D] or NaT), fte (float or NaN)
    schedule: dict  # (role, step) -> rate_units in force on the period's last day
    policy: Policy
    first_day: dt.date
    last_day: dt.date
    costs: pd.DataFrame  # index employee_id: PAY_COMPONENTS (period cents), worked_minutes
    #: One row per distinct (employee, role, step, rate, on_schedule) of the shifts, ``rate_kind``
    #: = its position; ``shifts["rate_kind"]`` points here. Rates change per kind, not per shift.
    kinds: pd.DataFrame = field(default=None)
    #: The paid workweeks per employee (employee_id, week_start, worked_minutes, overtime_minutes):
    #: the holders' real weeks a certification bonus's overtime knock-on is costed on.
    weeks: pd.DataFrame = field(default=None)
    cache: dict = field(default_factory=dict, compare=False, repr=False)

    @property
    def days(self) -> int:
        return (self.last_day - self.first_day).days + 1

    @property
    def factor(self) -> Fraction:
        """Annualisation factor: 365 / days covered."""
        return Fraction(DAYS_PER_YEAR, self.days)


def employee_costs(result: PayResult) -> pd.DataFrame:
    """Pay lines -> one row per employee: whole cents per pay component, and worked minutes."""
    lines = result.lines
    diff_cols = [f"diff:{n}" for n in result.differential_names]
    frame = pd.DataFrame(
        {
            "employee_id": lines["employee_id"].to_numpy(dtype=object),
            "base_pay": lines["base_pay"].to_numpy(dtype="int64"),
            "differentials": lines[diff_cols].sum(axis=1).to_numpy(dtype="int64") if diff_cols else 0,
            **{c: lines[c].to_numpy(dtype="int64") for c in PAY_COMPONENTS[2:]},
            "worked_minutes": lines["worked_minutes"].to_numpy(dtype="int64"),
        }
    )
    return frame.groupby("employee_id", sort=True).sum()


def schedule_as_of(schedule: pd.DataFrame, day: dt.date) -> dict:
    """(role, step) -> rate_units of the schedule row in force on ``day``."""
    pairs = schedule[["role", "step"]].drop_duplicates()
    units = rates_in_force(schedule, pairs["role"], pairs["step"], np.full(len(pairs), np.datetime64(day, "D")))
    return {(str(r), int(st)): int(u) for r, st, u in zip(pairs["role"], pairs["step"], units) if u >= 0}


def make_baseline(shifts: pd.DataFrame, roster: pd.DataFrame, schedule: pd.DataFrame, policy: Policy,
                  result: PayResult, period: tuple[dt.date, dt.date] | None = None) -> Baseline:
    """Tie the paid representative period to the roster and the schedule it was paid from.

    ``period`` (first day, last day) is the span the timesheet stands for. Without it, the span
    from the first to the last shift's start date is taken -- which is wrong for an export with
    no weekend shifts (Monday to Friday would be annualised x 365/5): see :func:`period_warnings`.
    """
    days = (shifts["start_local"].to_numpy(dtype="int64") // MINUTES_PER_DAY).astype("datetime64[D]")
    first, last = days.min().item(), days.max().item()
    if period is not None:
        lo, hi = period
        if hi < lo:
            raise ValueError(f"--from {lo} --to {hi}: the last day is before the first")
        outside = int(((days < np.datetime64(lo, "D")) | (days > np.datetime64(hi, "D"))).sum())
        if outside:
            raise ValueError(f"{outside} shift(s) start outside --from {lo} --to {hi}: widen the period or "
                             "cost a timesheet of that period only")
        first, last = lo, hi
    sched = schedule_as_of(schedule, last)
    ros = pd.DataFrame(
        {
            "employee_id": roster["employee_id"].to_numpy(dtype=object),
            "role": roster["role"].to_numpy(dtype=object),
            "step": roster["step"].to_numpy(dtype="int64"),
            "hire_date": roster["hire_date"].to_numpy(dtype="datetime64[D]") if "hire_date" in roster
            else np.full(len(roster), np.datetime64("NaT"), dtype="datetime64[D]"),
            "fte": roster["fte"].to_numpy(dtype="float64") if "fte" in roster else np.full(len(roster), np.nan),
        }
    )
    ros["end_date"] = roster_end_dates(roster)
    ros["end_date_bad"] = bad_end_dates(roster)
    sh = shifts.copy()
    step_of = dict(zip(ros["employee_id"], ros["step"]))
    sh["step"] = sh["employee_id"].map(step_of).astype("int64")
    codes, uniq = pd.factorize(pd.MultiIndex.from_arrays(
        [sh["employee_id"].astype(object), sh["role"].astype(object), sh["step"], sh["rate_units"].astype("int64")]))
    kinds = pd.DataFrame(list(uniq), columns=["employee_id", "role", "step", "rate_units"])
    listed = np.array([sched.get((r, int(st)), -1) for r, st in zip(kinds["role"], kinds["step"])], dtype="int64")
    kinds["on_schedule"] = listed == kinds["rate_units"].to_numpy(dtype="int64")
    kinds["rate_kind"] = np.arange(len(kinds))
    sh["rate_kind"] = codes
    sh["on_schedule"] = kinds["on_schedule"].to_numpy()[codes]
    weeks = result.lines[["employee_id", "week_start", "worked_minutes", "overtime_minutes"]].copy()
    return Baseline(sh, ros, sched, policy, first, last, employee_costs(result), kinds, weeks)


def period_warnings(baseline: Baseline, period_given: bool) -> list[str]:
    """Warnings about the baseline period a bargaining team should see before quoting a figure."""
    out = []
    if baseline.days % 7:
        how = "--from/--to" if period_given else "the first to the last shift date"
        out.append(f"the baseline period ({how}: {baseline.first_day} to {baseline.last_day}, {baseline.days} days) "
                   "is not a whole number of weeks: weekdays and weekends are not represented evenly in the "
                   "x 365/days annualisation; give --from and --to covering whole weeks")
    return out


# --- rates -------------------------------------------------------------------------------------


def _half_up(value: Fraction) -> int:
    return int(cents_half_up(value.numerator, value.denominator))


def _schedule_on(baseline: Baseline, proposal: Proposal, day: dt.date) -> tuple[dict, dict]:
    """The schedule on ``day`` with the proposal's step changes: rates and the date each was set."""
    rates = dict(baseline.schedule)
    since: dict = {}
    for ch in sorted(proposal.schedule, key=lambda c: c.effective):
        eff = proposal.effective_date(ch.effective)
        if eff > day:
            continue
        key = (ch.role, ch.step)
        if ch.remove:
            rates.pop(key, None)
            since.pop(key, None)
        else:
            rates[key] = rate_units(ch.hourly_rate)
            since[key] = eff
    return rates, since


def _resolve_step(rates: dict, role: str, step: int) -> int:
    """A step that exists on the schedule: capped at the top; a removed step moves up."""
    steps = sorted(s for r, s in rates if r == role)
    if not steps or step in steps:
        return step
    higher = [s for s in steps if s >= step]
    return higher[0] if higher else steps[-1]


def proposed_rate(proposal: Proposal, baseline: Baseline, role: str, roster_step: int, step_now: int,
                  base_units: int, on_schedule: bool, day: dt.date, _cache: dict | None = None) -> tuple[int, int]:
    """The base rate (rate units) of one kind of shift on ``day`` under the proposal, and its step.

    Worked example (``rate_places = 2``): $20.00, +6.5 % then +6.55 % -> 20 x 1.065 x 1.0655 =
    22.69515, rounded once -> $22.70. Then a floor of $23.00 -> $23.00.
    """
    cache = _cache if _cache is not None else {}
    if day not in cache:
        cache[day] = _schedule_on(baseline, proposal, day)
    rates, since = cache[day]
    step = step_now
    units, set_on, changed = base_units, None, False
    if on_schedule and rates:
        top = max((s for r, s in rates if r == role), default=step)
        step = _resolve_step(rates, role, min(step_now, top))
        if (step != roster_step or (role, step) in since) and (role, step) in rates:
            units, set_on, changed = rates[(role, step)], since.get((role, step)), True
    value = Fraction(units, RATE_SCALE)
    # raises in date order; a floor with mode = "step_rate" lifts the rate on its date (after that
    # day's raises) and later raises build on it
    events: list[tuple[dt.date, int, Any]] = [(proposal.effective_date(i.effective), 0, i) for i in proposal.increase]
    events += [(proposal.effective_date(f.effective), 1, f) for f in proposal.floor if f.mode == "step_rate"]
    for eff, is_floor, item in sorted(events, key=lambda e: (e[0], e[1])):
        if eff > day or (set_on is not None and eff < set_on) or not item.applies(role, step):
            continue
        if is_floor:
            if value < Fraction(item.hourly):
                value, changed = Fraction(item.hourly), True
        elif item.percent is not None:
            value *= 1 + Fraction(item.percent) / 100
            changed = True
        else:
            value += Fraction(item.cents_per_hour) / 100
            changed = True
    if changed:
        q = 10**proposal.rate_places
        units = _half_up(value * q) * (RATE_SCALE // q)
    for fl in proposal.floor:
        if fl.mode == "reapply" and proposal.effective_date(fl.effective) <= day and fl.applies(role, step):
            units = max(units, rate_units(fl.hourly))
    return max(units, 0), step


def anniversary(hire: dt.date, year: int) -> dt.date:
    """The anniversary of ``hire`` in ``year``: one convention everywhere (breakpoints and step
    counts). Someone hired on 29 February has their anniversary on 28 February in a common year,
    as :func:`peerpay.models.proposal.add_years` counts a year from 29 February."""
    return add_years(hire, year - hire.year)


def steps_on(proposal: Proposal, baseline: Baseline, employee_ids: np.ndarray, days: np.ndarray) -> np.ndarray:
    """Each employee's step on each day: roster step, plus anniversaries under step movement,
    raised to a placement step for incumbents. Vectorised over (employee, day) pairs."""
    ros = baseline.roster.set_index("employee_id")
    role = pd.Series(employee_ids).map(ros["role"]).to_numpy(dtype=object)
    step = pd.Series(employee_ids).map(ros["step"]).to_numpy(dtype="int64")
    hire = pd.DatetimeIndex(pd.Series(employee_ids).map(ros["hire_date"]).to_numpy(dtype="datetime64[D]"))
    day = pd.DatetimeIndex(np.asarray(days, dtype="datetime64[D]"))
    out = step.copy()

    def years_completed(x: pd.DatetimeIndex) -> np.ndarray:
        # the anniversary convention of :func:`anniversary`: 29 Feb falls on 28 Feb in a common year
        leap = (x.year % 4 == 0) & ((x.year % 100 != 0) | (x.year % 400 == 0))
        hday = np.where((hire.month == 2) & (hire.day == 29) & ~leap, 28, hire.day)
        before = (x.month < hire.month) | ((x.month == hire.month) & (x.day < hday))
        return np.maximum(x.year - hire.year - before.astype(int), 0)

    known = ~np.isnat(hire.to_numpy())
    for mv in proposal.step_movement:
        if not mv.simple or proposal.step_hold:  # step rules: waiting periods, fixed dates, holds
            out = out + rule_moves(proposal, mv, role, step, hire.to_numpy(dtype="datetime64[D]"), day.to_numpy(dtype="datetime64[D]"))
            continue
        eff = proposal.effective_date(mv.effective)
        ok = known & np.array([mv.applies(r, s) for r, s in zip(role, step)], dtype=bool)
        ok &= day >= pd.Timestamp(eff)
        since = pd.DatetimeIndex(np.full(len(day), np.datetime64(eff - dt.timedelta(days=1), "D")))
        n = years_completed(day) - years_completed(since)
        out = out + np.where(ok, np.maximum(n, 0) * mv.per_anniversary, 0)
    replaced = isinstance(proposal, ReplacementView)
    if isinstance(proposal, ReplacementView):  # every position held by a new hire on the replacement step (turnover)
        out = np.where(np.array([proposal.replaced(r) for r in role], dtype=bool), proposal.replacement_step, out)
    for pl in proposal.placement:
        if pl.incumbents or replaced:  # a placement in force places replacements too: they are new hires
            hit = (role == pl.role) & (day >= pd.Timestamp(proposal.effective_date(pl.effective)))
            out = np.where(hit, np.maximum(out, pl.step), out)
    return out


def policy_on(proposal: Proposal, base: Policy, day: dt.date) -> Policy:
    """The pay policy on ``day``: the base policy with the proposal's changes merged, re-validated."""
    changes = [c for c in proposal.policy_change if proposal.effective_date(c.effective) <= day]
    if not changes:
        return base
    data = base.model_dump(exclude_none=True)
    for ch in sorted(changes, key=lambda c: c.effective):
        diffs = [dict(d) for d in data.get("differential", [])]
        if ch.mode == "replace" and ch.differential:
            diffs = [{k: v for k, v in d.items() if k != "new"} for d in ch.differential]
        else:
            for patch in ch.differential:
                patch = {k: v for k, v in patch.items() if k != "new"}
                match = next((d for d in diffs if d["name"] == patch["name"]), None)
                if match is None:
                    diffs.append(dict(patch))
                    continue
                if "per_hour" in patch or "percent" in patch:
                    match.pop("per_hour", None)
                    match.pop("percent", None)
                match.update(patch)
        diffs = [d for d in diffs if d["name"] not in ch.remove_differentials]
        data["differential"] = diffs
        for section in ("on_call", "overtime", "holiday", "minimum_shift"):
            patch = getattr(ch, section)
            if patch is None:
                continue
            if ch.mode == "replace" or section not in data:
                data[section] = dict(patch)
            else:
                data[section] = {**data[section], **patch}
    try:
        return parse_policy(data)
    except ValueError as exc:
        raise ValueError(f"proposal {proposal.name!r}: the changed policy on {day} is invalid: {exc}") from None


# --- checks ------------------------------------------------------------------------------------


def check_proposal(proposal: Proposal, baseline: Baseline) -> None:
    """Refuse a proposal whose names do not match the data: a typo must never cost $0.00.

    Unknown roles and steps (on any item), unknown differential names in a policy change
    (unless marked ``new = true``), unknown names to remove, and lump sums paid outside the
    term are errors (ValueError) naming the item, with a did-you-mean.
    """
    from ..models.policy import _suggest

    roles = set(map(str, baseline.roster["role"])) | {r for r, _ in baseline.schedule} | set(map(str, baseline.kinds["role"]))
    roles.discard("")
    steps = {int(s) for _, s in baseline.schedule} | set(map(int, baseline.roster["step"]))
    steps |= {c.step for c in proposal.schedule} | {p.step for p in proposal.placement}
    bad: list[str] = []

    def check_roles(where: str, given) -> None:
        for r in given or ():
            if r not in roles:
                bad.append(f"{where}: unknown role {r!r}{_suggest(r, roles)}")

    for group in ("increase", "step_movement", "floor", "lump_sum", "step_hold"):
        for i, item in enumerate(getattr(proposal, group), 1):
            check_roles(f"{group}[{i}].roles", item.roles)
            for st in item.steps or ():
                if st not in steps:
                    bad.append(f"{group}[{i}].steps: unknown step {st} (steps on the schedule: "
                               f"{', '.join(map(str, sorted(steps)))})")
    for group in ("schedule", "placement"):
        for i, item in enumerate(getattr(proposal, group), 1):
            check_roles(f"{group}[{i}].role", [item.role])
    if proposal.ratification_date is not None and bad_end_dates(baseline.roster).any():
        bad.append("ratification_date: the roster's end_date column has values that are not dates (YYYY-MM-DD)")
    if proposal.turnover is not None:
        check_roles("turnover.roles", proposal.turnover.roles)
        if proposal.turnover.replacement_step not in steps:
            bad.append(f"turnover.replacement_step: unknown step {proposal.turnover.replacement_step}")
    names = {d.name for d in baseline.policy.differential}
    for i, ch in sorted(enumerate(proposal.policy_change, 1), key=lambda x: x[1].effective):
        if ch.mode == "replace" and ch.differential:
            names = set()
        for j, d in enumerate(ch.differential, 1):
            where = f"policy_change[{i}].differential[{j}]"
            check_roles(f"{where}.roles", d.get("roles"))
            if d.get("new") and d["name"] in names:
                bad.append(f"{where}: {d['name']!r} already exists in the policy; drop new = true to change it")
            elif not d.get("new") and ch.mode != "replace" and d["name"] not in names:
                bad.append(f"{where}: the policy has no differential named {d['name']!r}{_suggest(d['name'], names)}; "
                           "to add a new differential, say new = true")
            names.add(d["name"])
        for name in ch.remove_differentials:
            if name not in names:
                bad.append(f"policy_change[{i}].remove_differentials: no differential named {name!r}{_suggest(name, names)}")
        names -= set(ch.remove_differentials)
    for i, ls in enumerate(proposal.lump_sum, 1):
        if not proposal.term_start <= ls.effective <= proposal.term_end:
            bad.append(f"lump_sum[{i}]: paid on {ls.effective}, outside the term {proposal.term_start} to "
                       f"{proposal.term_end}: it would be costed in no contract year (date it inside the term)")
    for i, cb in enumerate(proposal.certification_bonus, 1):
        check_roles(f"certification_bonus[{i}].roles", cb.roles)
        if CREDENTIAL_COLUMN.format(cb.credential) not in baseline.shifts:
            bad.append(f"certification_bonus[{i}]: no employee holds credential {cb.credential!r} "
                       "(give --credentials FILE, or the roster's credential columns)")
        if not proposal.term_start <= cb.effective <= proposal.term_end:
            bad.append(f"certification_bonus[{i}]: effective {cb.effective} is outside the term {proposal.term_start} "
                       f"to {proposal.term_end}")
    if bad:
        raise ValueError(f"proposal {proposal.name!r}: " + "; ".join(bad))


# --- states ------------------------------------------------------------------------------------


def contract_years(proposal: Proposal) -> list[tuple[dt.date, dt.date]]:
    """[first day, last day] of each contract year."""
    return [(add_years(proposal.term_start, k), add_years(proposal.term_start, k + 1) - dt.timedelta(days=1))
            for k in range(proposal.years)]


def breakpoints(proposal: Proposal, baseline: Baseline) -> pd.DataFrame:
    """(employee_id, year, day) on which that employee's state may change, from each year's start."""
    dates = {proposal.effective_date(i.effective) for group in (proposal.increase, proposal.schedule,
             proposal.step_movement, proposal.placement, proposal.floor, proposal.policy_change) for i in group}
    emps = baseline.costs.index.to_numpy(dtype=object)
    hire = pd.Series(emps).map(baseline.roster.set_index("employee_id")["hire_date"])
    rows = []
    for y, (start, end) in enumerate(contract_years(proposal), 1):
        common = [start] + sorted(d for d in dates if start < d <= end)
        for e, h in zip(emps, hire):
            days = set(common)
            hd = pd.Timestamp(h).date() if pd.notna(h) else None
            if proposal.step_movement and hd is not None:
                for yr in (start.year, start.year + 1):
                    a = anniversary(hd, yr)
                    if start < a <= end:
                        days.add(a)
            for mv in proposal.step_movement:
                if not mv.simple:
                    days.update(d for d in step_dates(mv, hd, start, end) if d > start)
            rows += [(e, y, d) for d in days]
    out = pd.DataFrame(rows, columns=["employee_id", "year", "day"])
    return out.sort_values(["employee_id", "year", "day"], kind="stable").reset_index(drop=True)


def segmentation_key(policy: Policy) -> str:
    """What the cutting of shifts into segments depends on: the policy without its amounts.

    A proposal that changes a differential's $/h or the standby rate re-prices the baseline's
    segments; only a new window, holiday or overtime threshold needs a new segmentation.
    """
    d = policy.model_dump(mode="json")
    for diff in d.get("differential", []):
        for k in ("per_hour", "percent", "group", "citation"):
            diff.pop(k, None)
    for k in ("on_call", "minimum_shift"):
        d.pop(k, None)
    for section, keys in (("holiday", ("multiplier",)), ("overtime", ("multiplier", "basis"))):
        if d.get(section):
            for k in keys:
                d[section].pop(k, None)
    return json.dumps(d, sort_keys=True)


def state_costs(proposal: Proposal, baseline: Baseline, points: pd.DataFrame) -> pd.DataFrame:
    """Period cost (whole cents per component) of each (employee, day) state, by re-pricing.

    Why it scales: the shifts are cut into segments (minutes, windows, holidays, overtime
    minutes) once per distinct policy, and only re-priced per state (:func:`price_segments`).
    A state's rates are worked out once per (role, step, rate, day) and an employee's states
    with the same policy and the same rates are priced once; priced states are remembered on
    the baseline, so the item-by-item costing reuses them.
    """
    pts = points[["employee_id", "day"]].drop_duplicates().reset_index(drop=True)
    pts["step_now"] = steps_on(proposal, baseline, pts["employee_id"].to_numpy(dtype=object),
                               pts["day"].to_numpy(dtype="datetime64[D]"))
    pts["policy_key"] = [tuple(i for i, c in enumerate(proposal.policy_change)
                               if proposal.effective_date(c.effective) <= d) for d in pts["day"]]
    kinds = baseline.kinds
    # every (employee kind of shift, state) pair: the new rate of that kind in that state
    pairs = kinds.merge(pts.reset_index(names="state"), on="employee_id", how="inner")
    memo = baseline.cache.setdefault(("rates", proposal.model_dump_json()), {})
    sched_cache: dict = {}
    new_units = []
    for r, st, n, u, o, d in zip(pairs["role"], pairs["step"], pairs["step_now"], pairs["rate_units"],
                                 pairs["on_schedule"], pairs["day"]):
        key = (r, int(st), int(n), int(u), bool(o), d)
        if key not in memo:
            memo[key] = proposed_rate(proposal, baseline, str(r), int(st), int(n), int(u), bool(o), d, sched_cache)[0]
        new_units.append(memo[key])
    pairs["new_units"] = np.array(new_units, dtype="int64")
    pairs = pairs.sort_values(["state", "rate_kind"], kind="stable")
    sig = pairs.groupby("state", sort=True)["new_units"].agg(tuple)
    pts["rates"] = sig.reindex(pts.index).to_numpy(dtype=object)
    out = []
    for key, group in pts.groupby("policy_key", sort=False):
        day0 = group["day"].iloc[0]
        policy = policy_on(proposal, baseline.policy, day0) if key else baseline.policy
        pkey = policy.model_dump_json()
        seg_key = ("segments", segmentation_key(policy))
        if seg_key not in baseline.cache:
            baseline.cache[seg_key] = segment_shifts(baseline.shifts, policy)
        segd = baseline.cache[seg_key]
        coef_key = ("coefficients", pkey)
        if coef_key not in baseline.cache:
            baseline.cache[coef_key] = rate_coefficients(segd, baseline.shifts["rate_kind"].to_numpy(), policy)
        coef = baseline.cache[coef_key]
        priced = baseline.cache.setdefault(("priced", pkey), {})
        todo = group[[(e, r) not in priced for e, r in zip(group["employee_id"], group["rates"])]]
        todo = todo.drop_duplicates(["employee_id", "rates"])
        rank = todo.groupby("employee_id", sort=False).cumcount().to_numpy()
        for k in range(int(rank.max()) + 1 if len(rank) else 0):
            batch = todo[rank == k]
            units = baseline.kinds["rate_units"].to_numpy(dtype="int64").copy()
            keep = np.zeros(len(baseline.kinds), dtype=bool)
            sel = pairs[pairs["state"].isin(batch.index)]
            units[sel["rate_kind"].to_numpy()] = sel["new_units"].to_numpy()
            keep[sel["rate_kind"].to_numpy()] = True
            shift_kind = baseline.shifts["rate_kind"].to_numpy()
            if coef is not None:
                costs = employee_costs(PayResult(coef.price(units, keep), pd.DataFrame(), coef.diff_names))
            else:
                costs = employee_costs(price_segments(segd, units[shift_kind], keep[shift_kind], audit=False, policy=policy))
            got = costs[list(PAY_COMPONENTS)].reindex(batch["employee_id"].to_numpy(dtype=object)).to_numpy(dtype="int64")
            for e, r, v in zip(batch["employee_id"], batch["rates"], got):
                priced[(e, r)] = v
        vals = np.array([priced[(e, r)] for e, r in zip(group["employee_id"], group["rates"])], dtype="int64")
        frame = pd.DataFrame(vals.reshape(len(group), len(PAY_COMPONENTS)), columns=list(PAY_COMPONENTS))
        frame.insert(0, "employee_id", group["employee_id"].to_numpy(dtype=object))
        frame.insert(1, "day", group["day"].to_numpy(dtype=object))
        out.append(frame)
    return pd.concat(out, ignore_index=True)


# --- roll-up -----------------------------------------------------------------------------------


def on_cost_rates(on_costs: OnCosts) -> dict[str, Fraction]:
    """Component -> total on-cost percent that applies to it (the roll-up matrix, summed)."""
    rates = {c: Fraction(0) for c in COMPONENTS}
    for oc in on_costs.on_cost:
        for c in oc.components():
            rates[c] += Fraction(oc.percent)
    return rates


def roll_up_matrix(on_costs: OnCosts) -> pd.DataFrame:
    """One row per on-cost, one column per pay component: the percent it charges (0 = not)."""
    rows = []
    for oc in on_costs.on_cost:
        applies = set(oc.components())
        rows.append({"on_cost": oc.name, **{c: float(oc.percent) if c in applies else 0.0 for c in COMPONENTS}})
    return pd.DataFrame(rows, columns=["on_cost", *COMPONENTS])


@dataclass
class Money:
    """Exact amounts in cents (Fractions) per role, for wages (by component) and on-costs."""

    wages: dict  # role -> {component: Fraction cents}
    #: role -> on-cost cents added to the percent roll-up (negative: a wage-base cap reached)
    on_cost_adjust: dict = field(default_factory=dict)

    def total(self, rates: dict[str, Fraction], role: str | None = None) -> tuple[Fraction, Fraction]:
        roles = [role] if role else list(self.wages)
        w = sum((sum(self.wages[r].values(), Fraction(0)) for r in roles if r in self.wages), Fraction(0))
        oc = sum((v * rates[c] / 100 for r in roles if r in self.wages for c, v in self.wages[r].items()), Fraction(0))
        oc += sum((self.on_cost_adjust.get(r, Fraction(0)) for r in roles), Fraction(0))
        return w, oc


def _by_role(frame: pd.DataFrame, roles: pd.Series, columns, scale: Fraction) -> dict:
    """Sum integer columns by role, then scale exactly: {role: {column: Fraction}}."""
    g = frame[list(columns)].groupby(roles.to_numpy(dtype=object)).sum()
    return {r: {c: Fraction(int(g.at[r, c])) * scale for c in columns} for r in g.index}


def cost_proposal(proposal: Proposal, baseline: Baseline, on_costs: OnCosts) -> dict:
    """Year by year: cash cost, run-rate and lift over the baseline, per role and in total (exact)."""
    check_proposal(proposal, baseline)
    if proposal.turnover is not None and not isinstance(proposal, ReplacementView):
        return cost_with_turnover(proposal, baseline, on_costs)
    rates = on_cost_rates(on_costs)
    role_of = baseline.roster.set_index("employee_id")["role"]
    base = baseline.costs
    points = breakpoints(proposal, baseline)
    states = state_costs(proposal, baseline, points)
    merged = points.merge(states, on=["employee_id", "day"], how="left")
    delta = merged[list(PAY_COMPONENTS)].to_numpy(dtype="int64") - base.loc[merged["employee_id"], list(PAY_COMPONENTS)].to_numpy(dtype="int64")
    merged[list(PAY_COMPONENTS)] = delta
    years = contract_years(proposal)
    nxt = merged.groupby(["employee_id", "year"])["day"].shift(-1)
    ends = np.array([years[y - 1][1] + dt.timedelta(days=1) for y in merged["year"]], dtype=object)
    merged["until"] = np.where(nxt.isna(), ends, nxt.to_numpy(dtype=object))
    merged["role"] = merged["employee_id"].map(role_of)
    result_years = []
    retro = retro_wages = Fraction(0)
    for y, (start, end) in enumerate(years, 1):
        ydays = (end - start).days + 1
        m = merged[merged["year"] == y].copy()
        days_in = np.array([(u - d).days for d, u in zip(m["day"], m["until"])], dtype="int64")
        cash_parts = m[list(PAY_COMPONENTS)].mul(days_in, axis=0)
        cash = _by_role(cash_parts, m["role"], PAY_COMPONENTS, baseline.factor / ydays)
        last = m.groupby("employee_id").tail(1)
        run = _by_role(last, last["role"], PAY_COMPONENTS, baseline.factor)
        lumps = lump_sums(proposal, baseline, start, end)
        for r, amount in lumps.items():
            cash.setdefault(r, {c: Fraction(0) for c in PAY_COMPONENTS})["lump_sum"] = amount
        for e, (amount, extra_ot) in certification_bonuses(proposal, baseline, start, end).items():
            comps = cash.setdefault(role_of[e], {c: Fraction(0) for c in PAY_COMPONENTS})
            comps["lump_sum"] = comps.get("lump_sum", Fraction(0)) + amount
            comps["overtime_premium"] = comps.get("overtime_premium", Fraction(0)) + extra_ot
        if proposal.retro:
            lo, hi = max(start, proposal.retro.since), min(end + dt.timedelta(days=1), proposal.retro.paid_on)
            if lo < hi:
                overlap = np.array([max((min(u, hi) - max(d, lo)).days, 0) for d, u in zip(m["day"], m["until"])])
                part = m[list(PAY_COMPONENTS)].mul(overlap, axis=0)
                rp = _by_role(part, m["role"], PAY_COMPONENTS, baseline.factor / ydays)
                lost = forfeited_retro(proposal, baseline, m, lo, hi, ydays)
                for r, comps in lost.items():  # not employed on the ratification date: no retro
                    for c, v in comps.items():
                        rp[r][c] -= v
                        cash[r][c] -= v
                rw, roc = Money(rp).total(rates)
                retro_wages += rw
                retro += rw + roc
        cash_m, run_m = Money(cash), Money(run)
        if any(oc.wage_base is not None for oc in on_costs.on_cost):
            cash_m.on_cost_adjust = wage_base_adjustment(on_costs, baseline, m, days_in, ydays, start, end, proposal, "cash")
            run_m.on_cost_adjust = wage_base_adjustment(on_costs, baseline, last, None, ydays, start, end, proposal, "run")
        result_years.append({"year": y, "from": start, "to": end, "cash": cash_m, "run_rate": run_m})
    return {"proposal": proposal, "years": result_years, "retro": retro, "retro_wages": retro_wages, "rates": rates}


def lump_sums(proposal: Proposal, baseline: Baseline, start: dt.date, end: dt.date) -> dict:
    """Lump sums paid in [start, end], in cents per role, for employees in the costing."""
    role_of = baseline.roster.set_index("employee_id")["role"]
    out: dict = {}
    for e, amount in _lump_by_employee(proposal, baseline, start, end).items():
        out[role_of[e]] = out.get(role_of[e], Fraction(0)) + amount
    return out


def certification_bonuses(proposal: Proposal, baseline: Baseline, start: dt.date, end: dt.date) -> dict:
    """Certification bonuses paid in [start, end]: per employee, (bonus cents, extra overtime cents).

    A holder (credentials file or roster, as the baseline's shifts carry them) certified on day d
    is paid on d when ``effective`` <= d <= the term's end, or on ``effective`` when d is earlier
    and ``existing_holders = true``. The bonus covers ``weeks`` workweeks: the holder's own paid
    weeks of the baseline period in order (repeated when the bonus covers more weeks than the
    period has), the baseline standing for every stretch of the year as it does for all costing.
    Its overtime knock-on is :func:`peerpay.core.joint.bonus_overtime` on those weeks (29 CFR
    778.209): the same code ``pay`` uses, under the policy in force on the day it is paid.
    """
    from .engine import NOT_HELD, credential_since
    from .joint import bonus_overtime

    out: dict = {}
    if not proposal.certification_bonus:
        return out
    ros = baseline.roster.set_index("employee_id")
    emp = baseline.shifts["employee_id"].to_numpy(dtype=object)
    weeks = baseline.weeks.sort_values(["employee_id", "week_start"], kind="stable")
    by_emp = {e: g for e, g in weeks.groupby("employee_id", sort=False)}
    epoch = dt.date(1970, 1, 1)
    for cb in proposal.certification_bonus:
        eff = proposal.effective_date(cb.effective)
        since, _ = credential_since(baseline.shifts, cb.credential)
        first = pd.Series(since).groupby(emp).min()
        for e, day in first[first < NOT_HELD].items():
            if e not in baseline.costs.index or not cb.applies(ros.at[e, "role"], int(ros.at[e, "step"])):
                continue
            certified = epoch + dt.timedelta(days=int(day))
            paid = certified if certified >= eff else (eff if cb.existing_holders else None)
            if paid is None or paid > proposal.term_end or not start <= paid <= end:
                continue
            own = by_emp[e]
            pick = np.arange(cb.weeks) % len(own)
            covered = own.iloc[pick][["worked_minutes", "overtime_minutes"]]
            cents = int(Decimal(cb.amount) * 100)
            extra = bonus_overtime(cents, covered, policy_on(proposal, baseline.policy, paid), cb.allocation)
            amount, ot = out.get(e, (Fraction(0), Fraction(0)))
            out[e] = (amount + cents, ot + int(extra["bonus_overtime"].sum()))
    return out


def baseline_summary(baseline: Baseline, on_costs: OnCosts) -> dict:
    """Per role: employees, annual hours, FTE, annual wages and on-costs (exact)."""
    rates = on_cost_rates(on_costs)
    base = baseline.costs
    roles = base.index.to_series().map(baseline.roster.set_index("employee_id")["role"])
    wages = Money(_by_role(base, roles, PAY_COMPONENTS, baseline.factor))
    minutes = base["worked_minutes"].groupby(roles.to_numpy(dtype=object)).sum()
    fte_roster = base.index.to_series().map(baseline.roster.set_index("employee_id")["fte"]).to_numpy(dtype="float64")
    hours_emp = [Fraction(int(m)) * baseline.factor / 60 for m in base["worked_minutes"]]
    fte_emp = [Fraction(str(f)) if np.isfinite(f) else h / HOURS_PER_FTE_YEAR for f, h in zip(fte_roster, hours_emp)]
    out = {}
    capped = baseline_wage_base_adjustment(on_costs, baseline, roles)
    per_fte = sum((Fraction(oc.per_fte) * 100 for oc in on_costs.on_cost if oc.per_fte is not None), Fraction(0))
    for r in sorted(wages.wages):
        w, oc = wages.total(rates, r)
        mask = (roles == r).to_numpy()
        fte = sum((f for f, k in zip(fte_emp, mask) if k), Fraction(0))
        out[r] = {
            "employees": int(mask.sum()),
            "hours": Fraction(int(minutes[r])) * baseline.factor / 60,
            "fte": fte,
            "wages": w,
            "on_costs": oc + capped.get(r, Fraction(0)) + per_fte * fte,
        }
    return out


# --- item by item ------------------------------------------------------------------------------


def proposal_items(proposal: Proposal) -> list[tuple[str, dict]]:
    """The proposal's items in the attribution order (docs/costing.md), each as (label, what it adds).

    Order: raises, floor, steps (new/changed steps, step movement, placement), each differential
    (in the order the policy changes name them), standby and call-back (``on_call``), other pay
    rules (overtime, holiday, minimum shift), lump sums. An item is costed *on top of* the ones
    before it, so each part carries its own knock-on (a raise's effect on the overtime premium,
    a differential's effect on the regular rate), and the parts add up to the whole proposal.
    """
    items: list[tuple[str, dict]] = []
    if proposal.increase:
        items.append(("raises", {"increase": True}))
    if proposal.floor:
        items.append(("floor", {"floor": True}))
    if proposal.schedule or proposal.step_movement or proposal.placement:
        items.append(("steps", {"steps": True}))
    if proposal.step_hold:
        items.append(("step hold", {"step_hold": True}))
    names: list[str] = []
    replaced = False
    for ch in proposal.policy_change:
        if ch.mode == "replace":
            replaced = True
            continue
        for d in ch.differential:
            if d["name"] not in names:
                names.append(d["name"])
        for n in ch.remove_differentials:
            if n not in names:
                names.append(n)
    items += [(f"differential: {n}", {"differential": n}) for n in names]
    if any(ch.on_call is not None for ch in proposal.policy_change if ch.mode == "patch"):
        items.append(("standby and call-back", {"on_call": True}))
    if any(getattr(ch, k) is not None for ch in proposal.policy_change if ch.mode == "patch"
           for k in ("overtime", "holiday", "minimum_shift")):
        items.append(("other pay rules", {"rules": True}))
    if replaced:
        items.append(("pay rules replaced", {"replace": True}))
    if proposal.lump_sum:
        items.append(("lump sums", {"lump_sum": True}))
    if proposal.certification_bonus:
        items.append(("certification bonus", {"certification_bonus": True}))
    if proposal.turnover is not None:
        items.append(("breakage (turnover)", {"turnover": True}))
    return items


def partial_proposal(proposal: Proposal, parts: list[dict]) -> Proposal:
    """The proposal with only the given items (``parts`` from :func:`proposal_items`)."""
    has = {k for p in parts for k in p if k != "differential"}
    diffs = {p["differential"] for p in parts if "differential" in p}
    changes = []
    for ch in proposal.policy_change:
        if ch.mode == "replace":
            if "replace" in has:
                changes.append(ch)
            continue
        changes.append(ch.model_copy(update={
            "differential": tuple(d for d in ch.differential if d["name"] in diffs),
            "remove_differentials": tuple(n for n in ch.remove_differentials if n in diffs),
            "on_call": ch.on_call if "on_call" in has else None,
            **{k: getattr(ch, k) if "rules" in has else None for k in ("overtime", "holiday", "minimum_shift")},
        }))
    return proposal.model_copy(update={
        "increase": proposal.increase if "increase" in has else (),
        "floor": proposal.floor if "floor" in has else (),
        "schedule": proposal.schedule if "steps" in has else (),
        "step_movement": proposal.step_movement if "steps" in has else (),
        "placement": proposal.placement if "steps" in has else (),
        "policy_change": tuple(changes),
        "lump_sum": proposal.lump_sum if "lump_sum" in has else (),
        "certification_bonus": proposal.certification_bonus if "certification_bonus" in has else (),
        "step_hold": proposal.step_hold if "step_hold" in has else (),
        "turnover": proposal.turnover if "turnover" in has else None,
    })


def item_costs(proposal: Proposal, baseline: Baseline, on_costs: OnCosts, full: dict | None = None) -> list[dict]:
    """What each item costs, year by year (cash and run-rate, with on-costs), in attribution order.

    Each item = (cost of the items up to and including it) - (cost of the items before it), both
    rounded to the cent first: the parts add up to the proposal's total to the cent, and the
    overtime knock-on of each item (the change in overtime premium it causes through the regular
    rate, 29 CFR 778.207(b), 778.223; wages only) is shown beside it.
    """
    rates = on_cost_rates(on_costs)
    items = proposal_items(proposal)
    previous = None
    out = []
    for k in range(len(items) + 1):
        if k == len(items) and full is not None:
            costed = full
        else:
            costed = cost_proposal(partial_proposal(proposal, [p for _, p in items[:k]]), baseline, on_costs)
        figures = []
        for yr in costed["years"]:
            cw, coc = yr["cash"].total(rates)
            rw, roc = yr["run_rate"].total(rates)
            ot = sum((v.get("overtime_premium", 0) for v in yr["run_rate"].wages.values()), Fraction(0))
            if k and items[k - 1][0] == "certification bonus":  # a one-off: its knock-on is in the cash year
                ot = sum((v.get("overtime_premium", 0) for v in yr["cash"].wages.values()), Fraction(0))
            figures.append((_half_up(cw + coc), _half_up(rw + roc), _half_up(ot)))
        if previous is not None:
            label = items[k - 1][0]
            years = [{"year": i + 1, "cash_cost": cents_to_dollars(c - pc), "run_rate": cents_to_dollars(r - pr),
                      "overtime_knock_on": cents_to_dollars(o - po)}
                     for i, ((c, r, o), (pc, pr, po)) in enumerate(zip(figures, previous))]
            out.append({"order": k, "item": label, "years": years,
                        "term_cash_cost": cents_to_dollars(sum(c for c, _, _ in figures) - sum(c for c, _, _ in previous)),
                        "end_of_term_run_rate": cents_to_dollars(figures[-1][1] - previous[-1][1])})
        previous = figures
    return out


# --- status quo and standard lines ------------------------------------------------------------


def status_quo(term_start: dt.date, years: int) -> Proposal:
    """The current contract rolled forward: no raises, no new rules, steps on each anniversary."""
    return Proposal(name="Status quo (steps only)", party="status quo", term_start=term_start, years=years,
                    step_movement=(StepMovement(effective=term_start),))


def value_of_one_percent(term_start: dt.date) -> Proposal:
    """A 1 % across-the-board raise on the first day of the term: the standard yardstick line."""
    return Proposal(name="value of 1 %", term_start=term_start, years=1,
                    increase=(Increase(effective=term_start, percent=Decimal(1)),))


def _totals(costed: dict, rates: dict) -> list[tuple[Fraction, Fraction]]:
    """(cash, run-rate) with on-costs, per contract year, all roles."""
    return [(sum(y["cash"].total(rates), Fraction(0)), sum(y["run_rate"].total(rates), Fraction(0)))
            for y in costed["years"]]


# --- a member's statement ----------------------------------------------------------------------


def member_statement(proposals: list[Proposal], baseline: Baseline, employee_id: str) -> dict:
    """One employee's rate and annual pay, year by year, under each proposal (``--employee ID``).

    The rate is the one in force on the last day of each contract year (raises, step
    anniversaries, floor); annual pay is the baseline's annualised pay plus that year's run-rate
    change (the employee's own hours, differentials and overtime, re-paid); the cash column adds
    what falls in the year (prorated changes, lump sums). Retro pay is what the employee receives.
    """
    if employee_id not in baseline.costs.index:  # no did-you-mean: it would print another employee's id
        raise ValueError(f"--employee: no employee {employee_id!r} with shifts in the timesheet")
    one = replace(baseline, costs=baseline.costs.loc[[employee_id]])
    kinds = baseline.kinds[baseline.kinds["employee_id"] == employee_id]
    main = kinds.sort_values("on_schedule", ascending=False, kind="stable").iloc[0]
    base_annual = sum((Fraction(int(one.costs.iloc[0][c])) for c in PAY_COMPONENTS), Fraction(0)) * baseline.factor
    base_rate = int(main["rate_units"])
    no_on_costs = OnCosts()
    out: dict = {"employee_id": employee_id, "role": str(main["role"]), "step": int(main["step"]),
           "rate": base_rate / RATE_SCALE,
           "annual_pay": dollars(base_annual), "proposals": []}
    for p in proposals:
        costed = cost_proposal(p, one, no_on_costs)
        rows = []
        for yr in costed["years"]:
            day = yr["to"]
            step_now = int(steps_on(p, baseline, np.array([employee_id], dtype=object),
                                    np.array([day], dtype="datetime64[D]"))[0])
            units, step = proposed_rate(p, baseline, str(main["role"]), int(main["step"]), step_now, base_rate,
                                        bool(main["on_schedule"]), day)
            run = sum(yr["run_rate"].total({c: Fraction(0) for c in COMPONENTS}), Fraction(0))
            cash = sum(yr["cash"].total({c: Fraction(0) for c in COMPONENTS}), Fraction(0))
            annual = base_annual + run
            rows.append({
                "year": yr["year"], "from": yr["from"].isoformat(), "to": day.isoformat(), "step": step,
                "rate": units / RATE_SCALE, "rate_change_pct": pct(Fraction(units - base_rate), Fraction(base_rate)),
                "annual_pay": dollars(annual), "annual_pay_change": dollars(run),
                "annual_pay_change_pct": pct(run, base_annual), "cash_in_year": dollars(base_annual + cash),
            })
        out["proposals"].append({"name": p.name, "years": rows,
                                 "retro_pay": dollars(costed["retro_wages"]) if p.retro else None})
    return out


# --- gap ---------------------------------------------------------------------------------------


def median_gaps(rates: pd.DataFrame, peer_role: str) -> dict:
    """Role -> (median rate units, gap %) with gap = (role - peer) / role x 100 (docs/formats.md §5)."""
    med = {r: stats(g["rate_units"])["median"] for r, g in rates.groupby("role", sort=True)}
    peer = med.get(peer_role)
    if peer is None:
        raise ValueError(f"peer role {peer_role!r} has no employees with a schedule rate")
    return {r: (m, (m - peer) / m * 100 if m else Fraction(0)) for r, m in med.items()}


def points_closed(before: Fraction, after: Fraction | None) -> Fraction | None:
    """Gap points closed, as the reader sees them: shown gap before - shown gap after (one place).

    ``None`` (a blank) when nothing closes at the precision shown -- a 3 % raise for everyone
    leaves every percentage gap where it was, and "0.0 points closed" beside "$24 million per
    point" would mislead. A widening gap (47.6 -> 47.7) is a negative closing (-0.1); a cost per
    point is only given for a positive closing.
    """
    if after is None:
        return None
    closed = Fraction(str(_one_place(before))) - Fraction(str(_one_place(after)))
    return closed if closed != 0 else None


def roster_rates(proposal: Proposal | None, baseline: Baseline, day: dt.date) -> pd.DataFrame:
    """Every roster employee's schedule base rate on ``day`` (baseline rates when no proposal)."""
    ros = baseline.roster
    base = np.array([baseline.schedule.get((r, int(s)), -1) for r, s in zip(ros["role"], ros["step"])], dtype="int64")
    keep = base >= 0
    ros, base = ros[keep], base[keep]
    if proposal is None:
        return pd.DataFrame({"role": ros["role"].to_numpy(dtype=object), "rate_units": base})
    steps = steps_on(proposal, baseline, ros["employee_id"].to_numpy(dtype=object), np.full(len(ros), np.datetime64(day, "D")))
    cache: dict = {}
    units = [proposed_rate(proposal, baseline, r, int(s), int(n), int(u), True, day, cache)[0]
             for r, s, n, u in zip(ros["role"], ros["step"], steps, base)]
    return pd.DataFrame({"role": ros["role"].to_numpy(dtype=object), "rate_units": np.array(units, dtype="int64")})


def compounded_increase(proposal: Proposal, role: str, day: dt.date) -> Fraction:
    """Across-the-board percent raises for a whole role in force on ``day``, compounded: x - 1."""
    f = Fraction(1)
    for inc in proposal.increase:
        if inc.percent is not None and inc.steps is None and (inc.roles is None or role in inc.roles) \
                and proposal.effective_date(inc.effective) <= day:
            f *= 1 + Fraction(inc.percent) / 100
    return f - 1


# --- report ------------------------------------------------------------------------------------


def dollars(cents: Fraction) -> float:
    return cents_to_dollars(_half_up(Fraction(cents)))


def pct(num: Fraction, den: Fraction | int, places: int = 2) -> float | None:
    """num / den x 100, half-up."""
    if den == 0:
        return None
    q = Fraction(num) * 100 / Fraction(den)
    return ratio_half_up(q.numerator, q.denominator, places)


def costing_report(proposals: list[Proposal], baseline: Baseline, on_costs: OnCosts, peer_role: str,
                   sources: dict | None = None, employee: str | None = None) -> dict:
    """The ``peerpay cost`` report: baseline, roll-up matrix, and per proposal the years and the gap."""
    rates = on_cost_rates(on_costs)
    summary = baseline_summary(baseline, on_costs)
    roles = sorted(summary)
    tot = {k: sum((summary[r][k] for r in roles), Fraction(0)) for k in ("hours", "fte", "wages", "on_costs")}
    tot["employees"] = sum(summary[r]["employees"] for r in roles)
    summary_all = {**summary, "TOTAL": tot}
    base_rows = [
        {"role": r, "employees": s["employees"], "annual_hours": _places(s["hours"], 2), "fte": _places(s["fte"], 2),
         "wages": dollars(s["wages"]), "on_costs": dollars(s["on_costs"]), "total": dollars(s["wages"] + s["on_costs"])}
        for r, s in summary_all.items()
    ]
    before = median_gaps(roster_rates(None, baseline, baseline.last_day), peer_role)
    out_props = []
    for p in proposals:
        costed = cost_proposal(p, baseline, on_costs)
        items = item_costs(p, baseline, on_costs, costed)
        year_rows = []
        term_cash = 0  # cents: the sum of the year lines as shown, so the years (and the items) add up to it
        for yr in costed["years"]:
            for r in [*roles, "TOTAL"]:
                s = summary_all[r]
                payroll = s["wages"] + s["on_costs"]
                cw, coc = yr["cash"].total(rates, None if r == "TOTAL" else r)
                rw, roc = yr["run_rate"].total(rates, None if r == "TOTAL" else r)
                cash, run = cw + coc, rw + roc
                if r == "TOTAL":
                    term_cash += _half_up(cash)
                lump = sum((v.get("lump_sum", 0) for k, v in yr["cash"].wages.items() if r in ("TOTAL", k)), Fraction(0))
                year_rows.append({
                    "year": yr["year"], "from": yr["from"].isoformat(), "to": yr["to"].isoformat(), "role": r,
                    "wages_cash": dollars(cw), "on_costs_cash": dollars(coc), "lump_sums": dollars(lump),
                    "wages_cash_excl_lump_sums": dollars(cw - lump),
                    "cash_cost": dollars(cash), "cash_pct_of_payroll": pct(cash, payroll),
                    "run_rate": dollars(run), "run_rate_pct_of_payroll": pct(run, payroll),
                    "cents_per_hour": _places(run / s["hours"], 2) if s["hours"] else None,
                    "per_fte": dollars(run / s["fte"]) if s["fte"] else None,
                    "atb_increase_pct": pct(compounded_increase(p, r, yr["to"]), 1) if r != "TOTAL" else None,
                })
        last = costed["years"][-1]
        rw, roc = last["run_rate"].total(rates)
        end_run = rw + roc
        after = median_gaps(roster_rates(p, baseline, p.term_end), peer_role)
        gap_rows = []
        for r in before:
            if r == peer_role:
                continue
            b, a = before[r][1], after.get(r, (None, None))[1]
            closed = points_closed(b, a)
            gap_rows.append({
                "role": r,
                "median_before": dollars(before[r][0] / 100), "median_after": dollars(after[r][0] / 100) if r in after else None,
                "gap_before_pct": _one_place(b), "gap_after_pct": _one_place(a) if a is not None else None,
                "points_closed": float(closed) + 0.0 if closed is not None else None,
                "run_rate_per_point": dollars(end_run / closed) if closed is not None and closed > 0 else None,
            })
        total = summary_all["TOTAL"]
        out_props.append({
            "name": p.name, "party": p.party, "file": (sources or {}).get(p.name),
            "term": {"start": p.term_start.isoformat(), "end": p.term_end.isoformat(), "years": p.years},
            "peer_median_before": dollars(before[peer_role][0] / 100),
            "peer_median_after": dollars(after[peer_role][0] / 100),
            "years": year_rows,
            "term_cash_cost": cents_to_dollars(term_cash),
            "end_of_term_run_rate": dollars(end_run),
            "end_of_term_lift_pct": pct(end_run, total["wages"] + total["on_costs"]),
            "retro_pay": dollars(costed["retro"]) if p.retro else None,
            "retro_pay_to_members": dollars(costed["retro_wages"]) if p.retro else None,
            "retro_on_costs": dollars(costed["retro"] - costed["retro_wages"]) if p.retro else None,
            "gap": gap_rows,
            "items": items,
            **breakage_lines(p, costed, rates),
        })
    extra = {}
    if employee is not None:
        extra["member"] = member_statement(proposals, baseline, employee)
    if proposals:
        first = proposals[0]
        sq = _totals(cost_proposal(status_quo(first.term_start, first.years), baseline, on_costs), rates)
        one = _totals(cost_proposal(value_of_one_percent(first.term_start), baseline, on_costs), rates)[0]
        extra["status_quo"] = {
            "name": "Status quo (steps only)", "term": {"start": first.term_start.isoformat(), "years": first.years},
            "years": [{"year": i + 1, "cash_cost": dollars(c), "run_rate": dollars(r)} for i, (c, r) in enumerate(sq)],
            "term_cash_cost": cents_to_dollars(sum(_half_up(c) for c, _ in sq)),
        }
        extra["value_of_1_pct"] = {"run_rate": dollars(one[1]), "from": first.term_start.isoformat(),
                                   "note": "a 1 % across-the-board raise on the first day of the term: run-rate "
                                           "with on-costs and its overtime knock-on"}
    if len(out_props) >= 2:
        a, b = out_props[0], out_props[1]
        ya = {y["year"]: y for y in a["years"] if y["role"] == "TOTAL"}
        yb = {y["year"]: y for y in b["years"] if y["role"] == "TOTAL"}
        extra["difference"] = {
            "between": [a["name"], b["name"]],
            "years": [{"year": k, "cash_cost": round(ya[k]["cash_cost"] - yb[k]["cash_cost"], 2),
                       "run_rate": round(ya[k]["run_rate"] - yb[k]["run_rate"], 2)} for k in sorted(set(ya) & set(yb))],
            "term_cash_cost": round(a["term_cash_cost"] - b["term_cash_cost"], 2),
            "end_of_term_run_rate": round(a["end_of_term_run_rate"] - b["end_of_term_run_rate"], 2),
        }
    return {
        **extra,
        "baseline": {
            "period": {"from": baseline.first_day.isoformat(), "to": baseline.last_day.isoformat(), "days": baseline.days},
            "annualisation": f"x {DAYS_PER_YEAR}/{baseline.days} (period totals scaled to a {DAYS_PER_YEAR}-day year)",
            "employees_costed": int(tot["employees"]),
            "by_role": base_rows,
        },
        "peer_role": peer_role,
        "on_costs": [{"name": oc.name, "percent": float(oc.percent), "applies_to": list(oc.components()),
                      "citation": oc.citation} for oc in on_costs.on_cost],
        "proposals": out_props,
    }


def _places(x: Fraction, places: int) -> float:
    """An exact quantity shown half-up to ``places`` decimals."""
    x = Fraction(x)
    return ratio_half_up(x.numerator, x.denominator, places) + 0.0  # + 0.0: no "-0.0"


def _one_place(x: Fraction) -> float:
    return _places(x, 1)


# --- flat tables (for csv / md / table / xlsx) ----------------------------------------------


def years_frame(report: dict) -> pd.DataFrame:
    """One row per proposal, contract year and role (and TOTAL)."""
    rows = [{"proposal": p["name"], **y} for p in report["proposals"] for y in p["years"]]
    return pd.DataFrame(rows)


def gap_frame(report: dict) -> pd.DataFrame:
    """One row per proposal and comparator role: the median base-rate gap before and after."""
    rows = [{"proposal": p["name"], **g} for p in report["proposals"] for g in p["gap"]]
    return pd.DataFrame(rows)


def side_by_side(report: dict) -> pd.DataFrame:
    """The proposals in columns: the figures a bargaining team compares first."""
    rows: dict[str, dict] = {}

    def put(label, name, value):
        rows.setdefault(label, {"measure": label})[name] = value

    for p in report["proposals"]:
        for y in p["years"]:
            if y["role"] != "TOTAL":
                continue
            put(f"year {y['year']} cash cost ($)", p["name"], y["cash_cost"])
            put(f"year {y['year']} run-rate ($/yr)", p["name"], y["run_rate"])
            put(f"year {y['year']} run-rate (% of payroll)", p["name"], y["run_rate_pct_of_payroll"])
            put(f"year {y['year']} cents per hour", p["name"], y["cents_per_hour"])
            put(f"year {y['year']} $ per FTE", p["name"], y["per_fte"])
        put("term cash cost ($)", p["name"], p["term_cash_cost"])
        put("end-of-term lift (% of payroll)", p["name"], p["end_of_term_lift_pct"])
        put("retro pay to members, in the cash cost ($)", p["name"], p["retro_pay_to_members"])
        put("retro pay, employer cost incl. on-costs ($)", p["name"], p["retro_pay"])
        put(f"{report['peer_role']} median rate ($/h)", p["name"], p["peer_median_after"])
    sq = report.get("status_quo")
    if sq:
        for y in sq["years"]:
            put(f"year {y['year']} cash cost ($)", sq["name"], y["cash_cost"])
            put(f"year {y['year']} run-rate ($/yr)", sq["name"], y["run_rate"])
        put("term cash cost ($)", sq["name"], sq["term_cash_cost"])
    for p in report["proposals"]:
        for y in (p.get("breakage") or {}).get("years", []):
            put(f"year {y['year']} breakage, in the cost above ($)", p["name"], y["cash_cost"])
    diff = report.get("difference")
    if diff:
        col = f"{diff['between'][0]} - {diff['between'][1]}"
        for y in diff["years"]:
            put(f"year {y['year']} cash cost ($)", col, y["cash_cost"])
            put(f"year {y['year']} run-rate ($/yr)", col, y["run_rate"])
        put("term cash cost ($)", col, diff["term_cash_cost"])
    if report.get("value_of_1_pct"):
        for p in report["proposals"]:  # the same term start: the same yardstick
            put("value of 1 % (run-rate $/yr, from the term start)", p["name"], report["value_of_1_pct"]["run_rate"])
    return pd.DataFrame(list(rows.values()))


def items_frame(report: dict, proposal: dict) -> pd.DataFrame:
    """Item by item (attribution order) for one proposal, with a TOTAL row that the parts add up to."""
    rows = []
    for it in proposal["items"]:
        row = {"order": str(it["order"]), "item": it["item"]}
        for y in it["years"]:
            row[f"year {y['year']} cash ($)"] = y["cash_cost"]
            row[f"year {y['year']} run-rate ($/yr)"] = y["run_rate"]
        row["term cash ($)"] = it["term_cash_cost"]
        row["end-of-term run-rate ($/yr)"] = it["end_of_term_run_rate"]
        row["of which overtime knock-on ($/yr, wages)"] = it["years"][-1]["overtime_knock_on"]
        rows.append(row)
    total: dict = {"order": "", "item": "TOTAL"}
    for y in proposal["years"]:
        if y["role"] == "TOTAL":
            total[f"year {y['year']} cash ($)"] = y["cash_cost"]
            total[f"year {y['year']} run-rate ($/yr)"] = y["run_rate"]
    total["term cash ($)"] = proposal["term_cash_cost"]
    total["end-of-term run-rate ($/yr)"] = proposal["end_of_term_run_rate"]
    total["of which overtime knock-on ($/yr, wages)"] = round(sum(r["of which overtime knock-on ($/yr, wages)"] for r in rows), 2) if rows else 0.0
    return pd.DataFrame([*rows, total])


def member_frame(report: dict) -> pd.DataFrame:
    """The member's statement: one row per proposal and contract year, the baseline first."""
    m = report["member"]
    rows = [{"proposal": "today (baseline)", "year": None, "step": m["step"], "rate": m["rate"],
             "annual_pay": m["annual_pay"]}]
    for p in m["proposals"]:
        for y in p["years"]:
            rows.append({"proposal": p["name"], **{k: y[k] for k in ("year", "step", "rate", "rate_change_pct",
                                                                     "annual_pay", "annual_pay_change",
                                                                     "annual_pay_change_pct", "cash_in_year")},
                         "retro_pay": p["retro_pay"] if y["year"] == 1 else None})
    return pd.DataFrame(rows)


def baseline_frame(report: dict) -> pd.DataFrame:
    return pd.DataFrame(report["baseline"]["by_role"])


# --- step rules, turnover, eligibility, capped and per-FTE on-costs (issue 12, part 2) ----------


def roster_end_dates(roster: pd.DataFrame) -> np.ndarray:
    """The last day employed, from a roster ``end_date`` (or ``termination_date``) column.

    Blank = still employed. A value that is not a date is NaT here and flagged by
    :func:`bad_end_dates` (an error only when a proposal asks who is employed on its
    ratification date).
    """
    col = next((c for c in ("end_date", "termination_date") if c in roster), None)
    if col is None:
        return np.full(len(roster), np.datetime64("NaT"), dtype="datetime64[D]")
    parsed = pd.to_datetime(roster[col].astype("string").str.strip().replace("", pd.NA), errors="coerce",
                            format="ISO8601")
    return parsed.to_numpy(dtype="datetime64[D]")


def bad_end_dates(roster: pd.DataFrame) -> np.ndarray:
    """Per roster row: an end date is given but is not a date (the flag kept on the baseline)."""
    if "end_date_bad" in roster:
        return roster["end_date_bad"].to_numpy(dtype=bool)
    col = next((c for c in ("end_date", "termination_date") if c in roster), None)
    if col is None:
        return np.zeros(len(roster), dtype=bool)
    txt = roster[col].astype("string").str.strip()
    given = (txt.notna() & (txt != "")).to_numpy(dtype=bool)
    return given & np.isnat(roster_end_dates(roster))


def employed_on_ratification(proposal: Proposal, baseline: Baseline, employee_id) -> bool:
    """Employed on the ratification date: no roster end date, or an end date on or after it."""
    if proposal.ratification_date is None:
        return True
    end = baseline.roster.set_index("employee_id")["end_date"].get(employee_id) if "end_date" in baseline.roster else None
    if end is None or pd.isna(end):
        return True
    return pd.Timestamp(end).date() >= proposal.ratification_date


def forfeited_retro(proposal: Proposal, baseline: Baseline, m: pd.DataFrame, lo: dt.date, hi: dt.date,
                    ydays: int) -> dict:
    """Retro pay (cents per role and component) of leavers not employed on the ratification date:
    the part of [lo, hi) up to their last day. After it, whoever works the hours gets the retro."""
    if proposal.ratification_date is None or "end_date" not in baseline.roster:
        return {}
    ends = baseline.roster.set_index("employee_id")["end_date"]
    gone = {e for e in m["employee_id"].unique() if not employed_on_ratification(proposal, baseline, e)}
    if not gone:
        return {}
    rows = m[m["employee_id"].isin(gone)]
    stop = [min(hi, pd.Timestamp(ends[e]).date() + dt.timedelta(days=1)) for e in rows["employee_id"]]
    overlap = np.array([max((min(u, s) - max(d, lo)).days, 0) for d, u, s in zip(rows["day"], rows["until"], stop)])
    part = rows[list(PAY_COMPONENTS)].mul(overlap, axis=0)
    return _by_role(part, rows["role"], PAY_COMPONENTS, baseline.factor / ydays)


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


def rule_moves(proposal: Proposal, mv: StepMovement, role: np.ndarray, step: np.ndarray, hire: np.ndarray,
               day: np.ndarray) -> np.ndarray:
    """Steps gained under ``mv`` with its step rules, per (employee, day) pair.

    Walks the step dates from ``effective`` to the day: each date not held counts a year on the
    current step; when the years reach the step's waiting period, the employee moves up
    ``per_anniversary`` steps and starts counting again on the new step.
    """
    eff = proposal.effective_date(mv.effective)
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
                if _held(proposal, r, s, x):
                    continue
                served += 1
                if served >= mv.wait(cur):
                    cur, served = cur + mv.per_anniversary, 0
            memo[key] = cur - s
        out[i] = memo[key]
    return out


class ReplacementView(Proposal):
    """The proposal with every position (of the turnover's roles) held by a new hire on
    ``replacement_step``: what a position costs once its incumbent has left (breakage)."""

    replacement_step: int
    replacement_roles: tuple[str, ...] | None = None

    def replaced(self, role: str) -> bool:
        return self.replacement_roles is None or role in self.replacement_roles


def _money_diff(a: Money, b: Money, share: Fraction) -> Money:
    """share x (a - b), by role and component (and on-cost adjustment)."""
    roles = set(a.wages) | set(b.wages)
    wages = {r: {c: share * (a.wages.get(r, {}).get(c, 0) - b.wages.get(r, {}).get(c, 0)) for c in COMPONENTS}
             for r in roles}
    adj = {r: share * (a.on_cost_adjust.get(r, 0) - b.on_cost_adjust.get(r, 0))
           for r in set(a.on_cost_adjust) | set(b.on_cost_adjust)}
    return Money(wages, adj)


def _money_add(a: Money, b: Money) -> Money:
    roles = set(a.wages) | set(b.wages)
    wages = {r: {c: Fraction(a.wages.get(r, {}).get(c, 0)) + b.wages.get(r, {}).get(c, 0)
                 for c in set(a.wages.get(r, {})) | set(b.wages.get(r, {}))} for r in roles}
    adj = {r: Fraction(a.on_cost_adjust.get(r, 0)) + b.on_cost_adjust.get(r, 0)
           for r in set(a.on_cost_adjust) | set(b.on_cost_adjust)}
    return Money(wages, adj)


def turnover_shares(percent, year: int) -> tuple[Fraction, Fraction]:
    """(cash share, run-rate share) of positions held by replacements in contract year ``year``.

    With r the yearly separation rate and q = 1 - r: at the end of year y, 1 - q^y; over year y
    on average, 1 - q^(y-1) already replaced at its start plus the r q^(y-1) who leave during it
    (evenly spread: half a year each). 15 %, year 1: cash 0.075, run-rate 0.15.
    """
    r = Fraction(percent) / 100
    q = 1 - r
    return 1 - q ** (year - 1) + r * q ** (year - 1) / 2, 1 - q**year


def cost_with_turnover(proposal: Proposal, baseline: Baseline, on_costs: OnCosts) -> dict:
    """The proposal's cost with expected breakage: (cost with replacements - cost with the
    incumbents) x the share of positions replaced, added to each year's cash and run-rate."""
    t = cast(Turnover, proposal.turnover)  # only called for a proposal with turnover
    plain = cost_proposal(proposal.model_copy(update={"turnover": None}), baseline, on_costs)
    fields = {k: getattr(proposal, k) for k in Proposal.model_fields if k != "turnover"}
    view = ReplacementView(**fields, replacement_step=t.replacement_step, replacement_roles=t.roles)
    repl = cost_proposal(view, baseline, on_costs)
    for y, (a, b) in enumerate(zip(plain["years"], repl["years"]), 1):
        cash_share, run_share = turnover_shares(t.percent, y)
        a["breakage_cash"] = _money_diff(b["cash"], a["cash"], cash_share)
        a["breakage_run"] = _money_diff(b["run_rate"], a["run_rate"], run_share)
        a["cash"] = _money_add(a["cash"], a["breakage_cash"])
        a["run_rate"] = _money_add(a["run_rate"], a["breakage_run"])
    plain["proposal"] = proposal
    return plain


def _capped(on_costs: OnCosts):
    return [oc for oc in on_costs.on_cost if oc.wage_base is not None and oc.percent]


def _base_by_employee(baseline: Baseline, comps) -> dict:
    """Annualised baseline pay (cents) per employee over the given components."""
    cols = [c for c in comps if c in PAY_COMPONENTS]
    sums = baseline.costs[cols].sum(axis=1) if cols else pd.Series(0, index=baseline.costs.index)
    return {e: Fraction(int(v)) * baseline.factor for e, v in sums.items()}


def baseline_wage_base_adjustment(on_costs: OnCosts, baseline: Baseline, roles: pd.Series) -> dict:
    """Role -> on-cost cents not charged on the baseline because pay above the wage base is exempt."""
    out: dict = {}
    for oc in _capped(on_costs):
        cap = Fraction(oc.base_for(baseline.last_day)) * 100
        for e, b in _base_by_employee(baseline, oc.components()).items():
            if b > cap:
                r = roles[e]
                out[r] = out.get(r, Fraction(0)) + Fraction(oc.percent) / 100 * (cap - b)
    return out


def wage_base_adjustment(on_costs: OnCosts, baseline: Baseline, frame: pd.DataFrame, days_in, ydays: int,
                         start: dt.date, end: dt.date, proposal: Proposal, kind: str) -> dict:
    """Role -> correction to the percent roll-up of a year's added pay for on-costs with a wage base.

    Per employee with baseline pay B and added pay D (cash: prorated, with lump sums; run-rate:
    the full year's), the on-cost on D is p x (min(B + D, cap) - min(B, cap)), not p x D.
    """
    cols = list(PAY_COMPONENTS)
    scale = baseline.factor / ydays if kind == "cash" else baseline.factor
    vals = frame[cols].mul(days_in, axis=0) if days_in is not None else frame[cols]
    per_emp = vals.groupby(frame["employee_id"].to_numpy(dtype=object)).sum()
    lumps = _lump_by_employee(proposal, baseline, start, end) if kind == "cash" else {}
    role_of = baseline.roster.set_index("employee_id")["role"]
    out: dict = {}
    for oc in _capped(on_costs):
        cap = Fraction(oc.base_for(start)) * 100
        comps = oc.components()
        base = _base_by_employee(baseline, comps)
        pc = [c for c in comps if c in PAY_COMPONENTS]
        for e, row in per_emp.iterrows():
            d = Fraction(int(row[pc].sum())) * scale + (lumps.get(e, 0) if "lump_sum" in comps else 0)
            b = base[e]
            fix = Fraction(oc.percent) / 100 * (min(b + d, cap) - min(b, cap) - d)
            if fix:
                out[role_of[e]] = out.get(role_of[e], Fraction(0)) + fix
    return out


def _lump_by_employee(proposal: Proposal, baseline: Baseline, start: dt.date, end: dt.date) -> dict:
    """Lump sums paid in [start, end], in cents per employee (eligible ones only)."""
    ros = baseline.roster.set_index("employee_id")
    out: dict = {}
    for ls in proposal.lump_sum:
        if not start <= ls.effective <= end:
            continue
        for e in baseline.costs.index:
            if not ls.applies(ros.at[e, "role"], int(ros.at[e, "step"])) or not employed_on_ratification(proposal, baseline, e):
                continue
            share = Fraction(str(ros.at[e, "fte"])) if ls.prorate_fte and pd.notna(ros.at[e, "fte"]) else Fraction(1)
            out[e] = out.get(e, Fraction(0)) + Fraction(ls.amount) * 100 * share
    return out


def breakage_lines(proposal: Proposal, costed: dict, rates: dict) -> dict:
    """``{"breakage": [...]}`` for a proposal with turnover (its own line, with on-costs), else {}."""
    if proposal.turnover is None:
        return {}
    rows = []
    for yr in costed["years"]:
        cash, run = sum(yr["breakage_cash"].total(rates), Fraction(0)), sum(yr["breakage_run"].total(rates), Fraction(0))
        rows.append({"year": yr["year"], "cash_cost": dollars(cash), "run_rate": dollars(run)})
    t = proposal.turnover
    return {"breakage": {"separation_rate_pct": float(t.percent), "replacement_step": t.replacement_step,
                         "roles": list(t.roles) if t.roles else None, "years": rows}}
