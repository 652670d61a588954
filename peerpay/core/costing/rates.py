"""Rates and pay rules on a contract day: the proposed base rate of a step, and the policy in force.

Raises are applied in date order to the **unrounded** rate (percent multiplies, cents add) and
the result is rounded once per state, half-up, to ``rate_places``; floors apply last. A
``[[schedule]]`` rate is in the dollars of the day before it takes effect: raises dated on or
after it compound on it, earlier ones do not. The current schedule's own rows dated after the
baseline (the current contract's scheduled changes) replace their step's rate from their date,
and every raise in force applies on top of them (a raise is on the scale in force).
"""

from __future__ import annotations

import datetime as dt
from fractions import Fraction
from typing import Any

from ...models.policy import Policy, parse_policy
from ...models.proposal import Proposal
from ..money import RATE_SCALE, cents_half_up, rate_units
from .baseline import Baseline, future_schedule_dates, schedule_as_of


def half_up(value: Fraction) -> int:
    """An exact amount (Fraction) to a whole number, half-up: the costing's one rounding."""
    value = Fraction(value)
    return int(cents_half_up(value.numerator, value.denominator))


def schedule_on(baseline: Baseline, proposal: Proposal, day: dt.date) -> tuple[dict, dict]:
    """The schedule on ``day`` with the proposal's step changes: rates, and for each changed step
    the date from which raises apply to it (None: all raises in force).

    Starts from today's schedule; a row of the current schedule dated after the baseline and on
    or before ``day`` replaces its step's rate (the status quo's own change; raises apply on top).
    """
    rates = dict(baseline.schedule)
    since: dict = {}
    if any(d <= day for d in future_schedule_dates(baseline)):
        for key, units in schedule_as_of(baseline.schedule_rows, day).items():
            if units != rates.get(key):
                rates[key], since[key] = units, None
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


def resolve_step(rates: dict, role: str, step: int) -> int:
    """A step that exists on the schedule: capped at the top; a removed step moves up."""
    steps = sorted(s for r, s in rates if r == role)
    if not steps or step in steps:
        return step
    higher = [s for s in steps if s >= step]
    return higher[0] if higher else steps[-1]


def rate_events(proposal: Proposal) -> list[tuple[dt.date, int, Any]]:
    """Raises and ``step_rate`` floors in the order they apply: (date, 0 raise / 1 floor, item)."""
    events: list[tuple[dt.date, int, Any]] = [(proposal.effective_date(i.effective), 0, i) for i in proposal.increase]
    events += [(proposal.effective_date(f.effective), 1, f) for f in proposal.floor if f.mode == "step_rate"]
    return sorted(events, key=lambda e: (e[0], e[1]))


def proposed_rate(proposal: Proposal, baseline: Baseline, role: str, roster_step: int, step_now: int,
                  base_units: int, on_schedule: bool, day: dt.date, _cache: dict | None = None) -> tuple[int, int]:
    """The base rate (rate units) of one kind of shift on ``day`` under the proposal, and its step.

    Worked example (``rate_places = 2``): $20.00, +6.5 % then +6.55 % -> 20 x 1.065 x 1.0655 =
    22.69515, rounded once -> $22.70. Then a floor of $23.00 -> $23.00.
    """
    cache = _cache if _cache is not None else {}
    if day not in cache:
        cache[day] = schedule_on(baseline, proposal, day)
    rates, since = cache[day]
    step = step_now
    units, set_on, changed = base_units, None, False
    if on_schedule and rates:
        top = max((s for r, s in rates if r == role), default=step)
        step = resolve_step(rates, role, min(step_now, top))
        if (step != roster_step or (role, step) in since) and (role, step) in rates:
            units, set_on, changed = rates[(role, step)], since.get((role, step)), True
    value = Fraction(units, RATE_SCALE)
    # raises in date order; a floor with mode = "step_rate" lifts the rate on its date (after that
    # day's raises) and later raises build on it
    for eff, is_floor, item in rate_events(proposal):
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
        units = half_up(value * q) * (RATE_SCALE // q)
    for fl in proposal.floor:
        if fl.mode == "reapply" and proposal.effective_date(fl.effective) <= day and fl.applies(role, step):
            units = max(units, rate_units(fl.hourly))
    return max(units, 0), step


def raises_in(proposal: Proposal, role: str, step: int, lo: dt.date, hi: dt.date) -> tuple[Fraction, Fraction]:
    """The raises for ``role`` and ``step`` taking effect in [lo, hi]: (percent raises compounded,
    as a fraction of the rate before them; cents per hour added)."""
    factor, cents = Fraction(1), Fraction(0)
    for eff, is_floor, item in rate_events(proposal):
        if is_floor or not lo <= eff <= hi or not item.applies(role, step):
            continue
        if item.percent is not None:
            factor *= 1 + Fraction(item.percent) / 100
        else:
            cents += Fraction(item.cents_per_hour)
    return factor - 1, cents


def compounded_increase(proposal: Proposal, role: str, day: dt.date) -> Fraction:
    """Across-the-board percent raises for a whole role in force on ``day``, compounded: x - 1."""
    f = Fraction(1)
    for inc in proposal.increase:
        if inc.percent is not None and inc.steps is None and (inc.roles is None or role in inc.roles) \
                and proposal.effective_date(inc.effective) <= day:
            f *= 1 + Fraction(inc.percent) / 100
    return f - 1


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


def for_holder(policy: Policy, held: dict[str, bool]) -> Policy:
    """The policy as it pays one employee on one contract day: a differential paid on a credential
    the employee holds that day applies to all their hours; one they do not hold is dropped.

    The pay engine reads a credential on each shift's own date; a costing reads it on the
    contract day (a credential earned in the baseline weeks counts all year; one that lapses in
    year 2 counts in none of year 3).
    """
    if not any(d.credential for d in policy.differential):
        return policy
    diffs = tuple(d if d.credential is None else d.model_copy(update={"credential": None})
                  for d in policy.differential if d.credential is None or held.get(d.credential, False))
    return policy.model_copy(update={"differential": diffs})
