"""How much of the peer pay gap a proposal closes: median base rates before and at the end of the term.

Gap = (role median - peer median) / role median x 100 on schedule base rates, as ``peerpay gap``
defines it (docs/formats.md §5). Before = the baseline's last day; after = the last day of the
term, with raises, floors, new steps and the term's step movement.
"""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

import numpy as np
import pandas as pd

from ...models.proposal import Proposal
from ..gap import stats
from .baseline import Baseline
from .dates import steps_on
from .figures import one_place
from .rates import proposed_rate


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
    closed = Fraction(str(one_place(before))) - Fraction(str(one_place(after)))
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
