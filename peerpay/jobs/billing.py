"""The billing job: the pay run, the fee schedule and the billing export in, the billing share out
(the seam between the loaders and :mod:`peerpay.core.billing`; docs/billing.md)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..core import billing as core
from ..core.billing_report import billing_report, published_billing
from ..core.money import MINUTES_PER_DAY
from ..errors import InputError, Problem
from ..io.readers import read_table
from .meta import run_meta
from .pay import PayRun, run_pay


@dataclass
class BillingRun:
    report: dict
    people: pd.DataFrame  # per person: exact figures (private)
    problems: list[Problem] = field(default_factory=list)
    pay: PayRun | None = None


def pay_period(run: PayRun) -> tuple[np.datetime64, np.datetime64] | None:
    """The days the pay run covers: the policy's pay periods around the data, else the first to the
    last day worked (a billing row outside them is not work those hours paid for)."""
    if len(run.shifts) == 0:
        return None
    if run.policy.pay_period is not None:
        from .pay import pay_periods_of

        first, last = pay_periods_of(run)
        return np.datetime64(first, "D"), np.datetime64(last, "D")
    day = run.shifts["start_local"].to_numpy(dtype="int64") // MINUTES_PER_DAY
    return np.datetime64(int(day.min()), "D"), np.datetime64(int(day.max()), "D")


def roles_of(run: PayRun) -> pd.Series:
    """employee_id -> role: the roster's, else the role of the employee's first paid row."""
    s = run.shifts
    roles = s.drop_duplicates("employee_id").set_index("employee_id")["role"].astype(object) if len(s) else pd.Series(dtype=object)
    if run.roster is not None:
        roles = run.roster.set_index("employee_id")["role"].astype(object).combine_first(roles)
    return roles


def billing_share(run: PayRun, billing: str | Path, fee_schedule: str | Path, state: str | None = None,
                  ) -> tuple[pd.DataFrame, pd.DataFrame, list[Problem], list[str]]:
    """(per person, the fee rows used, rejected rows of both files, notes) for a pay run."""
    fees, problems = core.prepare_fee_schedule(read_table(fee_schedule), Path(fee_schedule).name)
    if fees.empty:
        raise InputError(f"{Path(fee_schedule).name}: no usable fee schedule row")
    raw = read_table(billing)
    if state is None and len(set(fees["state"])) > 1 and "state" not in raw.columns:
        # the state the policy names (its overtime state or holiday calendar: US-MD -> MD), when the schedule has it
        from ..core.wage_law import jurisdiction_of

        named = jurisdiction_of(run.policy).removeprefix("US-").removeprefix("US")
        if named in set(fees["state"]):
            state = named
        else:
            raise InputError(f"{Path(fee_schedule).name} has rates for {', '.join(sorted(set(fees['state'])))}: give --state "
                             "(or a state column in the billing file)")
    st = core.fee_state(fees, state)
    paid = run.result.lines[["employee_id"]].drop_duplicates()
    ids = set(run.roster["employee_id"]) if run.roster is not None else None
    rows, p = core.prepare_billing(raw, Path(billing).name, fees, st, paid, ids, pay_period(run))
    problems += p
    people = core.person_shares(run.result.lines, rows, roles_of(run))
    used = fees.merge(rows[["state", "code", "modifier"]].drop_duplicates(), on=["state", "code", "modifier"])
    notes = []
    illustrative = sorted({f"{c}{'-' + m if m else ''}" for c, m, s in zip(used["code"], used["modifier"], used["status"])
                           if "illustrative" in str(s).lower()})
    if illustrative:
        notes.append("Rates marked illustrative in the fee schedule were used for " + ", ".join(illustrative)
                     + ": the figures that depend on them are an example, not a published rate.")
    nobill = int((people["billed_cents"] == 0).sum())
    if nobill:
        notes.append(f"{nobill} person(s) with paid hours billed nothing in this period: their hours are all unbilled and they "
                     "have no share of their own (their role's sums include them).")
    return people, used, problems, notes


def run_billing(timesheet: str | Path, policy: str | Path, billing: str | Path, fee_schedule: str | Path, *,
                roster: str | Path | None = None, schedule: str | Path | None = None, state: str | None = None,
                peer_role: str | None = None, publish: bool = False, groups: dict[str, list[str]] | None = None,
                min_group: int | None = None) -> BillingRun:
    """``peerpay billing``: pay the timesheet, price the billing, the share per person and role."""
    run = run_pay(timesheet, policy, roster, schedule, audit=False)
    problems = list(run.problems)
    people, used, p, notes = billing_share(run, billing, fee_schedule, state)
    problems += p
    unknown = sorted({r for rs in (groups or {}).values() for r in rs} - set(people["role"]))
    if unknown:
        raise InputError(f"--group names role(s) without paid hours: {', '.join(unknown)}")
    roles = core.role_shares(people, groups)
    report = billing_report(people, roles, used, peer_role=peer_role, notes=notes)
    report["rejected"] = [x.as_json() for x in problems]
    if publish:  # the published view: roles through the disclosure rule, nobody by id (docs/billing.md)
        report["roles"] = published_billing(people, groups, min_group or 10)
        report.pop("people")
        report["publish"] = True
        report["min_group"] = max(min_group or 10, 10)
    if groups:
        report["comparison_groups"] = {k: list(v) for k, v in groups.items()}
    report["meta"] = run_meta()
    return BillingRun(report, people, problems, run)
