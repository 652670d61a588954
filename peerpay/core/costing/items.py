"""Item by item: the status quo first, then what each part of a proposal adds on top of it.

Row 0 is the status quo: the current contract rolled forward over the proposal's term (steps on
anniversaries, the schedule's own dated rows, credentials starting and lapsing). Each item is
then costed *on top of* the status quo and the items before it, in a fixed order: first what the
proposal does to the status quo's movement (its own step rules or a freeze, then a step hold),
so that everything after it is costed on the proposal's own movement; then raises, floor, steps
(new, changed or removed steps, placement), each differential, standby and call-back, other pay
rules, lump sums, certification bonus, breakage. Each row carries its own knock-on (a raise's
effect on the overtime premium, a differential's on the regular rate); the rows add up to the
TOTAL to the cent, and every row after the first to the increment over the status quo.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ...models.proposal import Increase, OnCosts, Proposal
from ..money import cents_to_dollars
from .baseline import Baseline
from .cost import cost_proposal
from .dates import contract_years, credentials_used, holds_on
from .rates import half_up, policy_on
from .rollup import on_cost_rates

STATUS_QUO_ITEM = "status quo (current contract rolled forward)"


def proposal_items(proposal: Proposal) -> list[tuple[str, dict]]:
    """The proposal's items in the attribution order (docs/costing.md), each as (label, what it adds)."""
    items: list[tuple[str, dict]] = []
    if proposal.step_movement:
        items.append(("step movement", {"movement": True}))
    elif proposal.steps == "freeze":
        items.append(("step freeze", {"movement": True}))
    if proposal.step_hold:
        items.append(("step hold", {"step_hold": True}))
    if proposal.increase:
        items.append(("raises", {"increase": True}))
    if proposal.floor:
        items.append(("floor", {"floor": True}))
    if proposal.schedule or proposal.placement:
        items.append(("steps", {"steps": True}))
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
    """The proposal with only the given items (``parts`` from :func:`proposal_items`); without its
    "steps" item the status quo's step movement applies."""
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
    steps, moves = "steps" in has, "movement" in has
    return proposal.model_copy(update={
        "increase": proposal.increase if "increase" in has else (),
        "floor": proposal.floor if "floor" in has else (),
        "schedule": proposal.schedule if steps else (),
        "placement": proposal.placement if steps else (),
        "step_movement": proposal.step_movement if moves else (),
        "steps": proposal.steps if moves else "status_quo",
        "policy_change": tuple(changes),
        "lump_sum": proposal.lump_sum if "lump_sum" in has else (),
        "certification_bonus": proposal.certification_bonus if "certification_bonus" in has else (),
        "step_hold": proposal.step_hold if "step_hold" in has else (),
        "turnover": proposal.turnover if "turnover" in has else None,
    })


def item_costs(proposal: Proposal, baseline: Baseline, on_costs: OnCosts, full: dict | None = None) -> list[dict]:
    """The status quo (order 0) and what each item adds, year by year (cash and run-rate, with
    on-costs), in attribution order.

    Each row = (cost with the items up to and including it) - (cost with the items before it),
    both rounded to the cent first: the rows add up to the proposal's total to the cent. The
    overtime knock-on of each (the change in overtime premium it causes through the regular rate,
    29 CFR 778.207(b), 778.223; wages only) is shown beside it. A row that changes nothing says why.
    """
    rates = on_cost_rates(on_costs)
    items = proposal_items(proposal)
    previous = [(0, 0, 0)] * proposal.years
    out = []
    for k in range(len(items) + 1):
        if k == len(items) and full is not None:
            costed = full
        else:
            costed = cost_proposal(partial_proposal(proposal, [p for _, p in items[:k]]), baseline, on_costs,
                                   with_retro=proposal.ratification_date is not None)
        figures = []
        for yr in costed["years"]:
            cw, coc = yr["cash"].total(rates)
            rw, roc = yr["run_rate"].total(rates)
            ot = yr["run_rate"].component("overtime_premium")
            if k and items[k - 1][0] == "certification bonus":  # a one-off: its knock-on is in the cash year
                ot = yr["cash"].component("overtime_premium")
            figures.append((half_up(cw + coc), half_up(rw + roc), half_up(ot)))
        label = items[k - 1][0] if k else STATUS_QUO_ITEM
        years = [{"year": i + 1, "cash_cost": cents_to_dollars(c - pc), "run_rate": cents_to_dollars(r - pr),
                  "overtime_knock_on": cents_to_dollars(o - po)}
                 for i, ((c, r, o), (pc, pr, po)) in enumerate(zip(figures, previous))]
        row = {"order": k, "item": label, "years": years,
               "term_cash_cost": cents_to_dollars(sum(c for c, _, _ in figures) - sum(c for c, _, _ in previous)),
               "end_of_term_run_rate": cents_to_dollars(figures[-1][1] - previous[-1][1])}
        if all(c == pc and r == pr for (c, r, _), (pc, pr, _) in zip(figures, previous)):
            row["note"] = unchanged_note(proposal, baseline, items, k)
        out.append(row)
        previous = figures
    return out


def unchanged_note(proposal: Proposal, baseline: Baseline, items: list, k: int) -> str:
    """Why a row costs nothing: a $0.00 line never stands without a word."""
    if k == 0:
        return "no one moves a step in the term (all at the top step), and nothing else changes"
    label, part = items[k - 1]
    if "differential" in part or any(x in part for x in ("on_call", "rules", "replace")):
        before = partial_proposal(proposal, [p for _, p in items[:k - 1]])
        after = partial_proposal(proposal, [p for _, p in items[:k]])
        days = sorted({proposal.effective_date(c.effective) for c in proposal.policy_change} | {proposal.term_start})
        if all(policy_on(before, baseline.policy, d) == policy_on(after, baseline.policy, d) for d in days):
            return "the current policy already pays this"
        name = part.get("differential")
        cred = next((d.get("credential") for ch in proposal.policy_change for d in ch.differential
                     if d["name"] == name and d.get("credential")), None)
        if cred is not None and not any(holds_on(baseline, cred, baseline.costs.index.to_numpy(dtype=object), d).any()
                                        for y in contract_years(proposal) for d in y):
            return f"no one costed holds {cred} on a day of the term"
        return "no baseline hours fall under it"
    if label == "floor":
        return "no one is below it after the items above"
    if label == "step movement":
        return "moves everyone as the status quo does"
    if label == "step freeze":
        return "the status quo moves no one in the term either"
    if label == "steps":
        if not proposal.schedule and not any(pl.incumbents for pl in proposal.placement):
            return "places new hires only: no one in the baseline is hired in the term"
        return "no one costed is on a new, changed or removed step, or placed above it"
    if label == "step hold":
        return "no step inside the hold would have moved anyone"
    if label == "lump sums":
        return "no one costed is eligible on the pay date"
    if label == "certification bonus":
        return "no holder is paid it in the term"
    return "changes no one's pay on the baseline hours"


def proposal_notes(proposal: Proposal, baseline: Baseline) -> list[str]:
    """What the proposal does to the status quo's automatic movement, said in words."""
    notes = []
    if proposal.steps == "freeze":
        notes.append('Steps frozen (steps = "freeze"): the status quo\'s step on each hire-date anniversary is not paid '
                     "in the term; the step freeze row shows what that saves.")
    elif proposal.step_movement:
        starts = ", ".join(sorted({str(proposal.effective_date(m.effective)) for m in proposal.step_movement}))
        notes.append(f"Its own [[step_movement]] rules (from {starts}) replace the status quo's one step on each "
                     "hire-date anniversary for the whole term.")
    else:
        notes.append("Steps continue as in the status quo: one step on each hire-date anniversary, to the top step.")
    for h in proposal.step_hold:
        notes.append(f"A step hold from {h.effective} to {h.until} stops step movement on the step dates inside it "
                     "(the step is lost, not deferred).")
    if credentials_used(proposal, baseline):
        notes.append("Credential premiums are paid on the contract days each holder holds the credential "
                     "(from its first to its last day), not on the baseline's dates.")
    return notes


def value_of_one_percent(term_start: dt.date) -> tuple[Proposal, Proposal]:
    """The standard yardstick: a 1 % across-the-board raise on the first day of the term, costed on
    the payroll the term starts from (the status quo's steps up to that day), and that payroll."""
    frozen = Proposal(name="payroll at the term start", term_start=term_start, years=1, steps="freeze")
    one = frozen.model_copy(update={"name": "value of 1 %",
                                    "increase": (Increase(effective=term_start, percent=Decimal(1)),)})
    return one, frozen
