"""The costing job: read the baseline and the proposals, pay the baseline, cost each proposal.

Files in, a report dict out; no rendering (the CLI renders, :mod:`peerpay.core.costing` computes).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd

from ..core.costing import Baseline, costing_report, make_baseline, period_warnings
from ..errors import InputError, Problem
from ..io.exports import MappedTimesheet
from ..io.readers import read_toml
from .meta import run_meta
from .pay import run_pay
from ..models.policy import Policy
from ..models.proposal import DEFAULT_ON_COSTS, OnCosts, Proposal, loads_on_costs, loads_proposal


@dataclass
class CostRun:
    report: dict
    problems: list[Problem]
    baseline: Baseline
    proposals: list[Proposal]


def read_proposal(path: str | Path) -> Proposal:
    return read_toml(path, "proposal", loads_proposal)


def read_on_costs(path: str | Path | None) -> OnCosts:
    return DEFAULT_ON_COSTS if path is None else read_toml(path, "on-costs file", loads_on_costs)


def run_cost(timesheet: str | Path, policy: str | Path | Policy, roster: str | Path | None, schedule: str | Path | None,
             proposals: Sequence[str | Path | Proposal], on_costs: OnCosts | str | Path | None = None,
             peer_role: str = "peer_specialist", sheet: str | None = None, raw_timesheet: pd.DataFrame | MappedTimesheet | None = None,
             period: tuple[date, date] | None = None, employee: str | Sequence[str] | None = None,
             credentials: str | Path | None = None) -> CostRun:
    """Cost proposals (paths or :class:`Proposal`) against the paid baseline period.

    ``raw_timesheet``: as for :func:`peerpay.jobs.pay.run_pay` (a ``--map``-ped export).
    ``period``: (first day, last day) the timesheet stands for (``--period``); default: the
    first to the last shift date, with a warning when that is not whole weeks.
    ``employee``: one id or several (``--employee``): their members' statements.
    Raises :class:`InputError` for unusable files, an invalid proposal, or a proposal whose
    policy changes do not validate; rejected timesheet rows are left out and returned.
    """
    props = [p if isinstance(p, Proposal) else read_proposal(p) for p in proposals]
    names = [p.name for p in props]
    if len(set(names)) != len(names):
        raise InputError("two proposals have the same name: give each its own `name`")
    sources = {p.name: Path(src).name for p, src in zip(props, proposals) if not isinstance(src, Proposal)}
    oc = on_costs if isinstance(on_costs, OnCosts) else read_on_costs(on_costs)
    # credentials (roster columns or --credentials): a proposal's credential premium is costed on the
    # holders' real hours (docs/joint-and-credentials.md)
    run = run_pay(timesheet, policy, roster, schedule, sheet=sheet, raw_timesheet=raw_timesheet, credentials=credentials)
    if len(run.shifts) == 0:
        raise InputError(f"{Path(timesheet).name}: no usable shifts to cost")
    problems = run.problems
    try:
        baseline = make_baseline(run.shifts, run.roster, run.schedule, run.policy, run.result, period)
        del run  # the baseline keeps what costing needs; the pay run's segment table can go
        report = costing_report(props, baseline, oc, peer_role, sources,
                                [employee] if isinstance(employee, str) else list(employee or []))
    except ValueError as exc:
        raise InputError(str(exc)) from None
    report["baseline"]["rejected_rows"] = len(problems)
    report["warnings"] = period_warnings(baseline, period is not None)
    report["meta"] = run_meta()
    return CostRun(report, problems, baseline, props)
