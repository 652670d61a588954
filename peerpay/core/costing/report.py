"""The ``peerpay cost`` report: the baseline, and per proposal its years, items, status quo, wage
scale and gap; the status quo, the value of 1 %, the difference of the first two proposals and
the members' statements. Every figure is rounded once, half-up, where it is shown; the roles of
a year and of the baseline foot to their TOTAL line by the footing rule of :mod:`.figures`.
"""

from __future__ import annotations

from fractions import Fraction

from ...models.proposal import OnCosts, Proposal
from ..money import DAYS_PER_YEAR, cents_to_dollars
from .baseline import Baseline
from .closing import median_gaps, points_closed, roster_rates
from .cost import baseline_summary, cost_proposal
from .dates import status_quo
from .figures import dollars, one_place, pct, places, round_to_total
from .items import item_costs, proposal_notes, value_of_one_percent
from .member import member_statement
from .rates import compounded_increase, half_up
from .rollup import CERTIFICATION_BONUS, on_cost_rates
from .scale import wage_scale


def costing_report(proposals: list[Proposal], baseline: Baseline, on_costs: OnCosts, peer_role: str,
                   sources: dict | None = None, employee: str | list[str] | None = None) -> dict:
    """The whole report (the dict ``peerpay cost --format json`` prints)."""
    rates = on_cost_rates(on_costs)
    summary = baseline_summary(baseline, on_costs)
    roles = sorted(summary)
    tot = {k: sum((summary[r][k] for r in roles), Fraction(0)) for k in ("hours", "fte", "wages", "on_costs")}
    tot["employees"] = sum(summary[r]["employees"] for r in roles)
    summary_all = {**summary, "TOTAL": tot}
    before = median_gaps(roster_rates(None, baseline, baseline.last_day), peer_role)
    sq_cache: dict = {}

    def sq_lines(p: Proposal) -> list[tuple[int, int]]:
        key = (p.term_start, p.years)
        if key not in sq_cache:
            sq_cache[key] = [(half_up(c), half_up(r)) for c, r in _totals(cost_proposal(status_quo(*key), baseline, on_costs), rates)]
        return sq_cache[key]

    out_props = []
    for p in proposals:
        costed = cost_proposal(p, baseline, on_costs)
        year_rows, term_cash = _year_rows(p, costed, roles, summary_all, rates)
        rw, roc = costed["years"][-1]["run_rate"].total(rates)
        end_run = rw + roc
        after = median_gaps(roster_rates(p, baseline, p.term_end), peer_role)
        gap_rows = []
        for r in before:
            if r == peer_role:
                continue
            b, a = before[r][1], after.get(r, (None, None))[1]
            closed = points_closed(b, a)
            gap_rows.append({
                "role": r,
                "median_before": dollars(before[r][0] / 100), "median_after": dollars(after[r][0] / 100) if r in after else None,
                "gap_before_pct": one_place(b), "gap_after_pct": one_place(a) if a is not None else None,
                "points_closed": float(closed) + 0.0 if closed is not None else None,
                "run_rate_per_point": dollars(end_run / closed) if closed is not None and closed > 0 else None,
            })
        total = summary_all["TOTAL"]
        sq = sq_lines(p)
        mine = [(int(round(y["cash_cost"] * 100)), int(round(y["run_rate"] * 100))) for y in year_rows if y["role"] == "TOTAL"]
        out_props.append({
            "name": p.name, "party": p.party, "file": (sources or {}).get(p.name),
            "term": {"start": p.term_start.isoformat(), "end": p.term_end.isoformat(), "years": p.years},
            "peer_median_before": dollars(before[peer_role][0] / 100),
            "peer_median_after": dollars(after[peer_role][0] / 100),
            "years": year_rows,
            "term_cash_cost": cents_to_dollars(term_cash),
            "end_of_term_run_rate": dollars(end_run),
            "end_of_term_lift_pct": pct(end_run, total["wages"] + total["on_costs"]),
            "retro_pay": dollars(costed["retro"]) if p.retro else None,
            "retro_pay_to_members": dollars(costed["retro_wages"]) if p.retro else None,
            "retro_on_costs": dollars(costed["retro"] - costed["retro_wages"]) if p.retro else None,
            "gap": gap_rows,
            "items": item_costs(p, baseline, on_costs, costed),
            "status_quo": _lines(sq),
            "over_status_quo": _lines([(c - sc, r - sr) for (c, r), (sc, sr) in zip(mine, sq)]),
            "notes": proposal_notes(p, baseline),
            "wage_scale": wage_scale(p, baseline),
            **breakage_lines(p, costed, rates),
        })
    extra: dict = {}
    ids = [employee] if isinstance(employee, str) else list(employee or [])
    if ids:
        extra["members"] = [member_statement(proposals, baseline, e) for e in ids]
        extra["member"] = extra["members"][0]
    if proposals:
        first = proposals[0]
        sq = sq_lines(first)
        one, frozen = value_of_one_percent(first.term_start)
        run_with = _totals(cost_proposal(one, baseline, on_costs), rates)[0][1]
        value = run_with - _totals(cost_proposal(frozen, baseline, on_costs), rates)[0][1]
        extra["status_quo"] = {
            "name": "Status quo (current contract rolled forward)",
            "term": {"start": first.term_start.isoformat(), "years": first.years},
            **_lines(sq),
        }
        extra["value_of_1_pct"] = {"run_rate": dollars(value), "from": first.term_start.isoformat(),
                                   "note": "a 1 % across-the-board raise on the first day of the term, on the payroll the "
                                           "term starts from (the status quo's steps to that day): run-rate with "
                                           "on-costs and its overtime knock-on"}
    if len(out_props) >= 2:
        a, b = out_props[0], out_props[1]
        ya = {y["year"]: y for y in a["years"] if y["role"] == "TOTAL"}
        yb = {y["year"]: y for y in b["years"] if y["role"] == "TOTAL"}
        cents = _cents
        extra["difference"] = {
            "between": [a["name"], b["name"]],
            "years": [{"year": k, "cash_cost": cents_to_dollars(cents(ya[k]["cash_cost"]) - cents(yb[k]["cash_cost"])),
                       "run_rate": cents_to_dollars(cents(ya[k]["run_rate"]) - cents(yb[k]["run_rate"]))}
                      for k in sorted(set(ya) & set(yb))],
            "term_cash_cost": cents_to_dollars(cents(a["term_cash_cost"]) - cents(b["term_cash_cost"])),
            "end_of_term_run_rate": cents_to_dollars(cents(a["end_of_term_run_rate"]) - cents(b["end_of_term_run_rate"])),
        }
    return {
        **extra,
        "baseline": {
            "period": {"from": baseline.first_day.isoformat(), "to": baseline.last_day.isoformat(), "days": baseline.days},
            "annualisation": f"x {DAYS_PER_YEAR}/{baseline.days} (period totals scaled to a {DAYS_PER_YEAR}-day year)",
            "employees_costed": int(tot["employees"]),
            "by_role": _baseline_rows(summary_all, roles),
        },
        "peer_role": peer_role,
        "on_costs": [{"name": oc.name, "percent": float(oc.percent), "applies_to": list(oc.components()),
                      "citation": oc.citation} for oc in on_costs.on_cost],
        "proposals": out_props,
    }


def _cents(x: float) -> int:
    return int(round(x * 100))


def _lines(figures: list[tuple[int, int]]) -> dict:
    """Year lines (cents: cash, run-rate) as the report shows them, with the term's cash and end run-rate."""
    return {"years": [{"year": i + 1, "cash_cost": cents_to_dollars(c), "run_rate": cents_to_dollars(r)}
                      for i, (c, r) in enumerate(figures)],
            "term_cash_cost": cents_to_dollars(sum(c for c, _ in figures)),
            "end_of_term_run_rate": cents_to_dollars(figures[-1][1]) if figures else 0.0}


def _totals(costed: dict, rates: dict) -> list[tuple[Fraction, Fraction]]:
    """(cash, run-rate) with on-costs, per contract year, all roles."""
    return [(sum(y["cash"].total(rates), Fraction(0)), sum(y["run_rate"].total(rates), Fraction(0)))
            for y in costed["years"]]


def _year_rows(p: Proposal, costed: dict, roles: list[str], summary_all: dict, rates: dict) -> tuple[list[dict], int]:
    """One row per contract year and role, then TOTAL; the roles foot to TOTAL (footing rule)."""
    rows: list[dict] = []
    term_cash = 0
    for yr in costed["years"]:
        exact = {}
        for r in roles:
            cw, coc = yr["cash"].total(rates, r)
            rw, roc = yr["run_rate"].total(rates, r)
            exact[r] = {"cash": cw + coc, "wages": cw, "run": rw + roc, "lump": yr["cash"].component("lump_sum", r),
                        "bonus": yr["cash"].component(CERTIFICATION_BONUS, r)}
        shown: dict = {r: {} for r in [*roles, "TOTAL"]}
        for k in ("cash", "wages", "run", "lump", "bonus"):
            parts, total = round_to_total([exact[r][k] for r in roles])
            for r, v in zip(roles, parts):
                shown[r][k] = v
            shown["TOTAL"][k] = total
        term_cash += shown["TOTAL"]["cash"]
        for r in [*roles, "TOTAL"]:
            s, v = summary_all[r], shown[r]
            run_exact = sum((exact[x]["run"] for x in roles), Fraction(0)) if r == "TOTAL" else exact[r]["run"]
            cash_exact = sum((exact[x]["cash"] for x in roles), Fraction(0)) if r == "TOTAL" else exact[r]["cash"]
            payroll = s["wages"] + s["on_costs"]
            rows.append({
                "year": yr["year"], "from": yr["from"].isoformat(), "to": yr["to"].isoformat(), "role": r,
                "wages_cash": cents_to_dollars(v["wages"]), "on_costs_cash": cents_to_dollars(v["cash"] - v["wages"]),
                "lump_sums": cents_to_dollars(v["lump"]), "certification_bonus": cents_to_dollars(v["bonus"]),
                "wages_cash_excl_lump_sums": cents_to_dollars(v["wages"] - v["lump"] - v["bonus"]),
                "cash_cost": cents_to_dollars(v["cash"]), "cash_pct_of_payroll": pct(cash_exact, payroll),
                "run_rate": cents_to_dollars(v["run"]), "run_rate_pct_of_payroll": pct(run_exact, payroll),
                "cents_per_hour": places(run_exact / s["hours"], 2) if s["hours"] else None,
                "per_fte": dollars(run_exact / s["fte"]) if s["fte"] else None,
                "atb_increase_pct": pct(compounded_increase(p, r, yr["to"]), 1) if r != "TOTAL" else None,
            })
    return rows, term_cash


def _baseline_rows(summary_all: dict, roles: list[str]) -> list[dict]:
    """Per role and TOTAL: employees, hours, FTE, wages, on-costs; roles foot to TOTAL."""
    shown: dict = {r: {} for r in [*roles, "TOTAL"]}
    for key, exact, scale in (("hours", "hours", 100), ("fte", "fte", 100), ("wages", "wages", 1), ("total", None, 1)):
        vals = [summary_all[r][exact] if exact else summary_all[r]["wages"] + summary_all[r]["on_costs"] for r in roles]
        parts, total = round_to_total(vals, scale)
        for r, v in zip(roles, parts):
            shown[r][key] = v
        shown["TOTAL"][key] = total
    return [{"role": r, "employees": summary_all[r]["employees"], "annual_hours": shown[r]["hours"] / 100,
             "fte": shown[r]["fte"] / 100, "wages": cents_to_dollars(shown[r]["wages"]),
             "on_costs": cents_to_dollars(shown[r]["total"] - shown[r]["wages"]), "total": cents_to_dollars(shown[r]["total"])}
            for r in [*roles, "TOTAL"]]


def breakage_lines(proposal: Proposal, costed: dict, rates: dict) -> dict:
    """``{"breakage": [...]}`` for a proposal with turnover (its own line, with on-costs), else {}."""
    if proposal.turnover is None:
        return {}
    rows = []
    for yr in costed["years"]:
        cash, run = sum(yr["breakage_cash"].total(rates), Fraction(0)), sum(yr["breakage_run"].total(rates), Fraction(0))
        rows.append({"year": yr["year"], "cash_cost": dollars(cash), "run_rate": dollars(run)})
    t = proposal.turnover
    return {"breakage": {"separation_rate_pct": float(t.percent), "replacement_step": t.replacement_step,
                         "roles": list(t.roles) if t.roles else None, "years": rows}}
