"""Each pay line explained: every component as hours × rate = amount, with the exact figures the engine used.

Why: a worker checks a pay statement on a calculator. The engine pays every minute at its rate
and rounds each component once per workweek (docs/formats.md §3), so a statement that shows
rounded parts (a differential of $28.83 where the engine used $28.825) cannot be re-added. These
tables carry the exact integers (:mod:`peerpay.core.money`: an amount is rate x factor x minutes),
grouped so that each row is one rate: the minutes worked at it and what they earned, unrounded.

Worked example (per_hour differential $2.50, 7 minutes): per-minute amount = 2.50 x 10,000 x
10,000 = 250,000,000 units (AMOUNT_PER_DOLLAR = 6e9 per dollar, so $0.041666…/min); 7 minutes =
1,750,000,000 units = $0.291666…; shown "$2.50/h × 0:07 h = $0.2917…".
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .engine import PayResult

#: the columns of :func:`line_items`
ITEM_COLUMNS = ["employee_id", "week_start", "component", "minutes", "per_minute", "amount"]


def line_items(result: PayResult) -> pd.DataFrame:
    """One row per employee, workweek, component and rate: the minutes paid at that rate and the exact amount.

    ``component``: ``base_pay``, ``differential:<name>``, ``holiday_premium``, ``standby_pay``, or
    ``overtime_premium`` when the policy pays overtime on the base rate (its minutes: overtime minutes);
    ``per_minute`` and ``amount`` are in the engine's units (``amount = per_minute x minutes``; a
    rate in $/h is ``per_minute x 60 / AMOUNT_PER_DOLLAR``); ``week_start`` a day number. The
    rounded component of a line is ``cents_half_up`` of its rows' summed ``amount``. Call-back
    premium and minimum-shift pay are per shift, not per minute: they are the pay line's own.
    Needs the audit trail (``compute_pay(audit=True)``).
    """
    seg = result.segments
    if seg is None or len(seg) == 0 or "rate_units" not in seg:
        return pd.DataFrame(columns=ITEM_COLUMNS)
    minutes = seg["minutes"].to_numpy(dtype="int64")
    worked = np.asarray(seg["kind"]) != "on_call"
    parts = [("base_pay", worked & (minutes > 0), seg["base"].to_numpy())]
    parts += [(f"differential:{n}", seg[f"diff:{n}"].to_numpy() > 0, seg[f"diff:{n}"].to_numpy()) for n in result.differential_names]
    parts += [("holiday_premium", seg["holiday_premium"].to_numpy() > 0, seg["holiday_premium"].to_numpy()),
              ("standby_pay", seg["standby"].to_numpy() > 0, seg["standby"].to_numpy())]
    ot_minutes = seg["daily_ot"].to_numpy(dtype="int64") + seg["weekly_ot"].to_numpy(dtype="int64")
    if "ot_base" in seg:  # overtime on the base rate (basis = "base_rate"): per overtime minute at each rate
        parts.append(("overtime_premium", seg["ot_base"].to_numpy() > 0, seg["ot_base"].to_numpy()))
    frames = []
    for component, mask, amount in parts:
        if not mask.any():
            continue
        amount = np.asarray(amount)[mask].astype("int64")
        m = (ot_minutes if component == "overtime_premium" else minutes)[mask]
        frames.append(pd.DataFrame({"employee": seg["employee"].to_numpy()[mask], "week_start": seg["period_start"].to_numpy()[mask],
                                    "component": component, "minutes": m, "per_minute": amount // m, "amount": amount}))
    if not frames:
        return pd.DataFrame(columns=ITEM_COLUMNS)
    items = pd.concat(frames, ignore_index=True)
    items = items.groupby(["employee", "week_start", "component", "per_minute"], as_index=False, sort=False)[["minutes", "amount"]].sum()
    items["employee_id"] = np.asarray(result.employee_ids)[items["employee"].to_numpy()]
    order = {c: i for i, (c, _, _) in enumerate(parts)}
    items["_order"] = items["component"].map(order)
    items = items.sort_values(["employee_id", "week_start", "_order", "per_minute"], kind="stable")
    return items[ITEM_COLUMNS].reset_index(drop=True)
