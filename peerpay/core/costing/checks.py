"""A proposal's names checked against the data: a typo must never cost $0.00 without a word."""

from __future__ import annotations

from ...models.proposal import Proposal
from ..engine import CREDENTIAL_COLUMN
from .baseline import Baseline, bad_end_dates


def check_proposal(proposal: Proposal, baseline: Baseline) -> None:
    """Refuse a proposal whose names do not match the data.

    Unknown roles and steps (on any item), unknown differential names in a policy change
    (unless marked ``new = true``), unknown names to remove, and lump sums paid outside the
    term are errors (ValueError) naming the item, with a did-you-mean.
    """
    from ...models.policy import _suggest

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
