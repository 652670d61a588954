"""Turnover and breakage: the expected saving when leavers are replaced on a lower step.

Separations happen at the yearly rate r, spread evenly through the year from the first day of
the term. With q = 1 - r, a position is held by a replacement at the end of contract year y
with probability 1 - q^y (run-rate), and on average over the year 1 - q^(y-1) + r q^(y-1) / 2
(cash). Breakage = that share x (cost with the position held by a replacement - cost with the
incumbent), with on-costs and the overtime knock-on (both costs re-pay the same hours).
"""

from __future__ import annotations

from fractions import Fraction
from typing import cast

from ...models.proposal import OnCosts, Proposal, Turnover
from .rollup import money_add, money_diff


class ReplacementView(Proposal):
    """The proposal with every position (of the turnover's roles) held by a new hire on
    ``replacement_step``: what a position costs once its incumbent has left (breakage)."""

    replacement_step: int
    replacement_roles: tuple[str, ...] | None = None

    def replaced(self, role: str) -> bool:
        return self.replacement_roles is None or role in self.replacement_roles


def turnover_shares(percent, year: int) -> tuple[Fraction, Fraction]:
    """(cash share, run-rate share) of positions held by replacements in contract year ``year``.

    With r the yearly separation rate and q = 1 - r: at the end of year y, 1 - q^y; over year y
    on average, 1 - q^(y-1) already replaced at its start plus the r q^(y-1) who leave during it
    (evenly spread: half a year each). 15 %, year 1: cash 0.075, run-rate 0.15.
    """
    r = Fraction(percent) / 100
    q = 1 - r
    return 1 - q ** (year - 1) + r * q ** (year - 1) / 2, 1 - q**year


def cost_with_turnover(proposal: Proposal, baseline, on_costs: OnCosts, with_retro: bool = True) -> dict:
    """The proposal's cost with expected breakage: (cost with replacements - cost with the
    incumbents) x the share of positions replaced, added to each year's cash and run-rate."""
    from .cost import cost_proposal

    t = cast(Turnover, proposal.turnover)  # only called for a proposal with turnover
    plain = cost_proposal(proposal.model_copy(update={"turnover": None}), baseline, on_costs, with_retro)
    fields = {k: getattr(proposal, k) for k in Proposal.model_fields if k != "turnover"}
    view = ReplacementView(**fields, replacement_step=t.replacement_step, replacement_roles=t.roles)
    repl = cost_proposal(view, baseline, on_costs, with_retro=False)
    for y, (a, b) in enumerate(zip(plain["years"], repl["years"]), 1):
        cash_share, run_share = turnover_shares(t.percent, y)
        a["breakage_cash"] = money_diff(b["cash"], a["cash"], cash_share)
        a["breakage_run"] = money_diff(b["run_rate"], a["run_rate"], run_share)
        a["cash"] = money_add(a["cash"], a["breakage_cash"])
        a["run_rate"] = money_add(a["run_rate"], a["breakage_run"])
    plain["proposal"] = proposal
    return plain
