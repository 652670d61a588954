"""Pricing each employee's state (rates, steps, pay rules and credentials of a day) on the baseline hours.

Why it scales: the shifts are cut into segments (minutes, windows, holidays, overtime minutes)
once per *shape* of policy, and only re-priced per state (:func:`peerpay.core.engine.price_segments`,
or the per-week linear coefficients of :func:`peerpay.core.engine.rate_coefficients`). A
state's rates are worked out once per (role, step, rate, day), and an employee's states with
the same policy and rates are priced once; priced states are remembered on the baseline, so the
item-by-item costing and the status quo reuse them.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from ...models.policy import Policy
from ...models.proposal import Proposal
from ..engine import PayResult, price_segments, rate_coefficients, segment_shifts
from .baseline import PAY_COMPONENTS, Baseline, employee_costs
from .dates import credentials_used, holds_on, steps_on
from .rates import for_holder, policy_on, proposed_rate


#: The proposal fields a base rate depends on (:func:`.rates.proposed_rate`).
RATE_FIELDS = {"increase", "floor", "schedule", "retro", "rate_places"}


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

    A state is what the employee holds on the day: the step (:func:`.dates.steps_on`), the
    rates (:func:`.rates.proposed_rate`), the policy (:func:`.rates.policy_on`) and, for a
    differential paid on a credential, whether they hold it that day (:func:`.rates.for_holder`).
    """
    pts = points[["employee_id", "day"]].drop_duplicates().reset_index(drop=True)
    pts["step_now"] = steps_on(proposal, baseline, pts["employee_id"].to_numpy(dtype=object),
                               pts["day"].to_numpy(dtype="datetime64[D]"))
    creds = sorted(credentials_used(proposal, baseline))
    held = np.zeros((len(pts), len(creds)), dtype=bool)
    if creds:
        for d, g in pts.groupby("day", sort=False):
            ids = g["employee_id"].to_numpy(dtype=object)
            held[g.index.to_numpy()] = np.column_stack([holds_on(baseline, c, ids, d) for c in creds])
    # the policy changes in force on each day (worked out per distinct day), and the credentials held
    in_force = {d: tuple(i for i, c in enumerate(proposal.policy_change) if proposal.effective_date(c.effective) <= d)
                for d in pts["day"].unique()}
    pts["changes"] = pts["day"].map(in_force)
    pts["held"] = [tuple(h) for h in held.tolist()] if creds else [()] * len(pts)
    kinds = baseline.kinds
    # every (employee kind of shift, state) pair: the new rate of that kind in that state
    pairs = kinds.merge(pts[["employee_id", "day", "step_now"]].reset_index(names="state"), on="employee_id", how="inner")
    # a rate depends on the raises, floors, new steps, retro date and places only: proposals (and the partial
    # proposals of the item-by-item costing) that share them share the rates worked out
    memo = baseline.cache.setdefault(("rates", proposal.model_dump_json(include=RATE_FIELDS)), {})
    sched_cache: dict = {}
    codes, combos = pd.factorize(pd.MultiIndex.from_arrays(
        [pairs[c].to_numpy(dtype=object) for c in ("role", "step", "step_now", "rate_units", "on_schedule", "day")]))
    for r, st, n, u, o, d in combos:  # each distinct (kind of rate, step, day) once
        key = (r, int(st), int(n), int(u), bool(o), d)
        if key not in memo:
            memo[key] = proposed_rate(proposal, baseline, str(r), int(st), int(n), int(u), bool(o), d, sched_cache)[0]
    found = np.array([memo[(r, int(st), int(n), int(u), bool(o), d)] for r, st, n, u, o, d in combos], dtype="int64")
    pairs["new_units"] = found[codes] if len(codes) else np.zeros(0, dtype="int64")
    pairs = pairs.sort_values(["state", "rate_kind"], kind="stable")
    # a state's rates, one per kind of shift of the employee, as one hashable key (bytes of the rate units)
    state, units = pairs["state"].to_numpy(), pairs["new_units"].to_numpy(dtype="int64")
    starts = np.flatnonzero(np.r_[True, state[1:] != state[:-1]]) if len(state) else np.zeros(0, dtype="int64")
    ends = np.r_[starts[1:], len(state)]
    sig = {int(state[a]): units[a:b].tobytes() for a, b in zip(starts, ends)}
    pts["rates"] = [sig.get(i, b"") for i in range(len(pts))]
    out = []
    for (changes, holds), group in pts.groupby(["changes", "held"], sort=False):
        day0 = group["day"].iloc[0]
        policy = policy_on(proposal, baseline.policy, day0) if changes else baseline.policy
        policy = for_holder(policy, dict(zip(creds, holds)))
        out.append(_price_group(baseline, policy, group, pairs))
    return pd.concat(out, ignore_index=True)


def _price_group(baseline: Baseline, policy: Policy, group: pd.DataFrame, pairs: pd.DataFrame) -> pd.DataFrame:
    """The states of one policy, priced (each distinct (employee, rates) once, remembered)."""
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
    shift_kind = baseline.shifts["rate_kind"].to_numpy()
    for k in range(int(rank.max()) + 1 if len(rank) else 0):
        batch = todo[rank == k]
        units = baseline.kinds["rate_units"].to_numpy(dtype="int64").copy()
        keep = np.zeros(len(baseline.kinds), dtype=bool)
        sel = pairs[pairs["state"].isin(batch.index)]
        units[sel["rate_kind"].to_numpy()] = sel["new_units"].to_numpy()
        keep[sel["rate_kind"].to_numpy()] = True
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
    return frame
