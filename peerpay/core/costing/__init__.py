"""Costing a bargaining proposal on the pay engine (docs/costing.md). Pure: frames and models in.

How a proposal is costed (the practice of union and public-sector costing manuals):

1. **Baseline** (:mod:`.baseline`). The representative timesheet is paid by the current policy
   and rates; each employee's pay components are *annualised*: period totals x 365 / days covered.
   The baseline supplies hours and patterns only.
2. **Dated facts** (:mod:`.dates`). Who holds what on a contract day -- step, credential,
   employment -- is read from the dated inputs on that day: anniversaries between the baseline
   and the term move steps as the current contract does; a credential counts from its first to
   its last day; lump sums and retro go to those employed on their dates.
3. **The status quo is the base.** The current contract rolled forward (its steps, its schedule's
   own dated rows, credentials starting and lapsing) continues in every proposal unless it says
   otherwise (``steps = "freeze"`` or its own ``[[step_movement]]``); each proposal is reported in
   total and as its increment over the status quo (:mod:`.items`, row 0).
4. **States** (:mod:`.rates`, :mod:`.states`). For every contract year, every employee is re-paid
   on the *same shifts* at the rates and policy in force on each day something changes; raises
   compound on the unrounded rate, rounded once per state, half-up, to ``rate_places``. The
   engine re-runs, so a higher night differential is costed from the night hours really worked
   and raises the regular rate of the overtime worked in those weeks (29 CFR 778.207(b)).
5. **Cash, run-rate, retro** (:mod:`.cost`): cash = the prorated pieces of the year plus one-off
   payments; run-rate = the state in force on the year's last day; retro = the increment over the
   status quo in the retro window. **Roll-up** (:mod:`.rollup`): on-costs on the components they
   apply to. **Turnover** (:mod:`.turnover`): expected breakage.
6. **What the table sees**: the report (:mod:`.report`), the footing rule (:mod:`.figures`), the
   wage scale (:mod:`.scale`), members' statements (:mod:`.member`), the gap closed
   (:mod:`.closing`) and flat tables (:mod:`.frames`).

Every sum is exact (integer cents times integer days over a common denominator, or
:class:`fractions.Fraction`); a figure is rounded half-up once, when it is reported.
"""

from __future__ import annotations

from .baseline import PAY_COMPONENTS, Baseline, employee_costs, make_baseline, period_warnings, schedule_as_of
from .closing import median_gaps, points_closed, roster_rates
from .cost import baseline_summary, certification_bonuses, cost_proposal, lump_sums_by_employee
from .dates import anniversary, breakpoints, contract_years, movement, status_quo, step_dates, steps_on
from .figures import dollars, pct, round_to_total
from .frames import (baseline_frame, gap_frame, items_frame, measure_kind, member_frame, scale_frame, side_by_side,
                     years_frame)
from .items import item_costs, partial_proposal, proposal_items, value_of_one_percent
from .member import member_statement
from .rates import compounded_increase, policy_on, proposed_rate
from .report import costing_report
from .rollup import Money, on_cost_rates, roll_up_matrix
from .scale import wage_scale
from .states import segmentation_key, state_costs
from .turnover import ReplacementView, turnover_shares

__all__ = [
    "PAY_COMPONENTS", "Baseline", "Money", "ReplacementView", "anniversary", "baseline_frame", "baseline_summary",
    "breakpoints", "certification_bonuses", "compounded_increase", "contract_years", "cost_proposal",
    "costing_report", "dollars", "employee_costs", "gap_frame", "item_costs", "items_frame", "lump_sums_by_employee",
    "make_baseline", "measure_kind", "median_gaps", "member_frame", "member_statement", "movement",
    "on_cost_rates", "partial_proposal", "pct", "period_warnings", "points_closed", "policy_on", "proposal_items",
    "proposed_rate", "roll_up_matrix", "roster_rates", "round_to_total", "scale_frame", "schedule_as_of",
    "segmentation_key", "side_by_side", "state_costs", "status_quo", "step_dates", "steps_on", "turnover_shares",
    "value_of_one_percent", "wage_scale", "years_frame",
]
