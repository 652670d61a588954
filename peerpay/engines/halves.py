"""One large timesheet paid on two cores: the employees cut in two halves, one paid by a forked child.

Why: the pay engine is numpy on one core, and a plain ``peerpay pay`` of a million shifts spends
half its time there. Employees are independent (workweeks, 8-and-80 periods and overtime never
cross employees), so paying the employees before and after a cut in two processes and joining
their pay lines gives the very same lines. The child is forked after the timesheet is read and
validated (it shares the shifts without a copy) and sends back only its pay lines; no audit trail
is kept, so this serves runs that show pay lines only (``pay`` without ``--detail`` or ``--statements``).

The cut falls between two employee ids in sorted order, near the middle row: the first half's
lines come first, as the engine orders them (by employee id, then week). Where fork is not
available, on one core, under ``PEERPAY_WORKERS=1``, for a small timesheet, or if the child fails
for any reason, the shifts are paid in this process: the same lines, only slower.
"""

from __future__ import annotations

from functools import partial

import numpy as np
import pandas as pd

from ..core.engine import PayResult, compute_pay, employee_codes
from ..models.policy import Policy
from .forked import processes, side_by_side

#: Fewer shifts than this are paid in one process: forking and joining cost ~0.05 s.
MIN_SHIFTS = 200_000


def pay_lines(shifts: pd.DataFrame, policy: Policy, min_shifts: int | None = None) -> PayResult:
    """The pay lines of ``shifts`` (no segment table), on two cores when the timesheet is large."""
    least = MIN_SHIFTS if min_shifts is None else min_shifts
    if len(shifts) < max(least, 2) or processes(2) < 2:
        return compute_pay(shifts, policy, audit=False)
    codes, names = employee_codes(shifts["employee_id"])
    cut = _middle_employee(codes) if codes.min() >= 0 else None
    if cut is None:
        return compute_pay(shifts, policy, audit=False)
    second = codes >= cut
    pay = partial(_pay_half, shifts, codes, names, policy)
    first, other = side_by_side([partial(pay, ~second), partial(pay, second)])
    return _joined(first, other)


def _pay_half(shifts: pd.DataFrame, codes: np.ndarray, names: np.ndarray, policy: Policy, keep: np.ndarray) -> PayResult:
    """Pay the shifts where ``keep``, their ids as categories of the sorted ids: the engine then
    reads codes instead of hashing half a million strings again, and no string column is copied.
    (Only the lines and days travel back from a child.)"""
    part = shifts.drop(columns="employee_id")[keep]
    part.insert(list(shifts.columns).index("employee_id"), "employee_id",
                pd.Categorical.from_codes(codes[keep], categories=names))
    result = compute_pay(part, policy, audit=False)
    return PayResult(result.lines, pd.DataFrame(), result.differential_names, policy=policy, days=result.days)


def _middle_employee(codes: np.ndarray) -> int | None:
    """The first employee code of the second half: the cut nearest the middle row (None: one employee)."""
    ends = np.cumsum(np.bincount(codes))
    if len(ends) < 2:
        return None
    cut = int(np.searchsorted(ends, len(codes) // 2)) + 1
    return min(max(cut, 1), len(ends) - 1)


def _joined(first: PayResult, second: PayResult) -> PayResult:
    """The two halves' lines, first half first (its employee ids sort before the second's)."""
    lines = pd.concat([first.lines, second.lines], ignore_index=True)
    spans = [d for d in (first.days, second.days) if d is not None]
    days = (min(d[0] for d in spans), max(d[1] for d in spans)) if spans else None
    return PayResult(lines, pd.DataFrame(), first.differential_names, policy=first.policy, days=days)
