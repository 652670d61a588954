"""The proposed wage scale: role x step x contract year, with the increase over today's scale.

The first thing a member asks is "what will my step pay?". Each cell is the rate of that step on
that date under the proposal (raises compounded on the unrounded rate and rounded once, floors,
new and removed steps), exactly as the costing pays it (:func:`.rates.proposed_rate`); the
increase is over today's rate of the same step (the schedule on the baseline's last day).

Columns: the first day of each contract year, and any day inside a year on which the scale
changes (a raise, floor or new step dated mid-year), labelled with the date.
"""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

from ...models.proposal import Proposal
from ..money import RATE_SCALE
from .baseline import Baseline, future_schedule_dates
from .dates import contract_years
from .figures import pct
from .rates import proposed_rate, schedule_on


def scale_dates(proposal: Proposal, baseline: Baseline) -> list[tuple[int, dt.date]]:
    """(contract year, day) of each column: every year's first day and the days the scale changes."""
    changes = {proposal.effective_date(i.effective) for group in (proposal.increase, proposal.floor, proposal.schedule)
               for i in group}
    changes |= set(future_schedule_dates(baseline))
    out = []
    for y, (start, end) in enumerate(contract_years(proposal), 1):
        out.append((y, start))
        out += [(y, d) for d in sorted(changes) if start < d <= end]
    return out


def wage_scale(proposal: Proposal, baseline: Baseline) -> dict:
    """The scale as JSON: ``columns`` (year, from) and ``rows`` (role, step, today, rates, and the
    increase over today in $/h and % of today's rate per column; a step that does not exist on a
    column's day is None there, a new step has no increase)."""
    columns = scale_dates(proposal, baseline)
    keys = sorted(set(baseline.schedule) | {(c.role, c.step) for c in proposal.schedule if not c.remove})
    cache: dict = {}
    rows = []
    for role, step in keys:
        today = baseline.schedule.get((role, step))
        rates: list[float | None] = []
        increases: list[float | None] = []
        pcts: list[float | None] = []
        for _, day in columns:
            if day not in cache:
                cache[day] = schedule_on(baseline, proposal, day)
            if (role, step) not in cache[day][0]:
                rates.append(None)
                increases.append(None)
                pcts.append(None)
                continue
            base = today if today is not None else cache[day][0][(role, step)]
            units = proposed_rate(proposal, baseline, role, step, step, base, True, day, cache)[0]
            rates.append(units / RATE_SCALE)
            increases.append((units - today) / RATE_SCALE if today is not None else None)
            pcts.append(pct(Fraction(units - today), today) if today else None)
        rows.append({"role": role, "step": step, "today": today / RATE_SCALE if today is not None else None,
                     "rates": rates, "increase": increases, "increase_pct": pcts})
    return {"columns": [{"year": y, "from": d.isoformat()} for y, d in columns], "rows": rows,
            "rate_places": proposal.rate_places}
