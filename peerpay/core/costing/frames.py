"""The report as flat tables (csv, md, table, xlsx): one function per table, from the report dict."""

from __future__ import annotations

import pandas as pd


#: the last line of an items table: the rows after the status quo's, added up
OVER_STATUS_QUO = "over the status quo (rows 1 on)"


def years_frame(report: dict) -> pd.DataFrame:
    """One row per proposal, contract year and role (and TOTAL)."""
    rows = [{"proposal": p["name"], **y} for p in report["proposals"] for y in p["years"]]
    return pd.DataFrame(rows)


def gap_frame(report: dict) -> pd.DataFrame:
    """One row per proposal and comparator role: the median base-rate gap before and after."""
    rows = [{"proposal": p["name"], **g} for p in report["proposals"] for g in p["gap"]]
    return pd.DataFrame(rows)


def baseline_frame(report: dict) -> pd.DataFrame:
    return pd.DataFrame(report["baseline"]["by_role"])


#: side-by-side measures whose label says what they hold (the workbook formats each row by it)
def measure_kind(label: str) -> str:
    """"money", "percent" (percent points), "cents" or "rate" for a side-by-side measure label."""
    if "(%" in label:
        return "percent"
    if "cents per hour" in label:
        return "cents"
    if "($/h)" in label:
        return "rate"
    return "money"


def side_by_side(report: dict) -> pd.DataFrame:
    """The proposals in columns: the figures a bargaining team compares first."""
    rows: dict[str, dict] = {}

    def put(label, name, value):
        rows.setdefault(label, {"measure": label})[name] = value

    for p in report["proposals"]:
        for y in p["years"]:
            if y["role"] != "TOTAL":
                continue
            put(f"year {y['year']} cash cost ($)", p["name"], y["cash_cost"])
            put(f"year {y['year']} run-rate ($/yr)", p["name"], y["run_rate"])
            put(f"year {y['year']} run-rate (% of payroll)", p["name"], y["run_rate_pct_of_payroll"])
            put(f"year {y['year']} cents per hour", p["name"], y["cents_per_hour"])
            put(f"year {y['year']} $ per FTE", p["name"], y["per_fte"])
        put("term cash cost ($)", p["name"], p["term_cash_cost"])
        put("end-of-term run-rate ($/yr)", p["name"], p["end_of_term_run_rate"])
        put("end-of-term lift (% of payroll)", p["name"], p["end_of_term_lift_pct"])
        over = p.get("over_status_quo")
        if over:
            for y in over["years"]:
                put(f"year {y['year']} cash over the status quo ($)", p["name"], y["cash_cost"])
            put("term cash over the status quo ($)", p["name"], over["term_cash_cost"])
            put("end-of-term run-rate over the status quo ($/yr)", p["name"], over["end_of_term_run_rate"])
        put("retro pay to members, in the cash cost ($)", p["name"], p["retro_pay_to_members"])
        put("retro pay, employer cost incl. on-costs ($)", p["name"], p["retro_pay"])
        put(f"{report['peer_role']} median rate ($/h)", p["name"], p["peer_median_after"])
    sq = report.get("status_quo")
    if sq:
        for y in sq["years"]:
            put(f"year {y['year']} cash cost ($)", sq["name"], y["cash_cost"])
            put(f"year {y['year']} run-rate ($/yr)", sq["name"], y["run_rate"])
        put("term cash cost ($)", sq["name"], sq["term_cash_cost"])
        put("end-of-term run-rate ($/yr)", sq["name"], sq["end_of_term_run_rate"])
    for p in report["proposals"]:
        for y in (p.get("breakage") or {}).get("years", []):
            put(f"year {y['year']} breakage, in the cost above ($)", p["name"], y["cash_cost"])
    diff = report.get("difference")
    if diff:
        col = f"{diff['between'][0]} - {diff['between'][1]}"
        for y in diff["years"]:
            put(f"year {y['year']} cash cost ($)", col, y["cash_cost"])
            put(f"year {y['year']} run-rate ($/yr)", col, y["run_rate"])
        put("term cash cost ($)", col, diff["term_cash_cost"])
        put("end-of-term run-rate ($/yr)", col, diff["end_of_term_run_rate"])
    if report.get("value_of_1_pct"):
        for p in report["proposals"]:  # the same term start: the same yardstick
            put("value of 1 % (run-rate $/yr, from the term start)", p["name"], report["value_of_1_pct"]["run_rate"])
    return pd.DataFrame(list(rows.values()))


def items_frame(report: dict, proposal: dict, notes: bool = False) -> pd.DataFrame:
    """The status quo, then item by item (attribution order) for one proposal; a TOTAL row the
    rows add up to, and the increment over the status quo (the rows after the first)."""
    rows = []
    for it in proposal["items"]:
        row = {"order": str(it["order"]), "item": it["item"]}
        for y in it["years"]:
            row[f"year {y['year']} cash ($)"] = y["cash_cost"]
            row[f"year {y['year']} run-rate ($/yr)"] = y["run_rate"]
        row["term cash ($)"] = it["term_cash_cost"]
        row["end-of-term run-rate ($/yr)"] = it["end_of_term_run_rate"]
        row["of which overtime knock-on ($/yr, wages)"] = it["years"][-1]["overtime_knock_on"]
        if notes:
            row["note"] = it.get("note") or ""
        rows.append(row)
    total: dict = {"order": "", "item": "TOTAL"}
    for y in proposal["years"]:
        if y["role"] == "TOTAL":
            total[f"year {y['year']} cash ($)"] = y["cash_cost"]
            total[f"year {y['year']} run-rate ($/yr)"] = y["run_rate"]
    total["term cash ($)"] = proposal["term_cash_cost"]
    total["end-of-term run-rate ($/yr)"] = proposal["end_of_term_run_rate"]
    money = [c for c in rows[0] if c not in ("order", "item", "note")] if rows else []
    total["of which overtime knock-on ($/yr, wages)"] = _cents_sum(r["of which overtime knock-on ($/yr, wages)"] for r in rows)
    over = {"order": "", "item": OVER_STATUS_QUO,
            **{c: _cents_sum(r[c] for r in rows if r["order"] != "0") for c in money}}
    if notes:
        total["note"] = over["note"] = ""
    return pd.DataFrame([*rows, total, over])


def _cents_sum(values) -> float:
    return sum(int(round(v * 100)) for v in values) / 100


def scale_frame(proposal: dict) -> pd.DataFrame:
    """The proposed wage scale: role, step, today's rate, then per column its rate and its increase
    over today's rate of the step (% of today's rate)."""
    scale = proposal["wage_scale"]
    labels: list[tuple[int, str]] = []
    for c in scale["columns"]:
        first = not labels or labels[-1][0] != c["year"]
        labels.append((c["year"], f"year {c['year']}" + ("" if first else f" from {c['from']}")))
    rows = []
    for r in scale["rows"]:
        row = {"role": r["role"], "step": r["step"], "today ($/h)": r["today"]}
        for (_, label), rate, inc in zip(labels, r["rates"], r["increase_pct"]):
            row[f"{label} ($/h)"] = rate
            row[f"{label} (% over today)"] = inc
        rows.append(row)
    return pd.DataFrame(rows)


def member_frame(report: dict, member: dict | None = None) -> pd.DataFrame:
    """A member's statement: one row per proposal and contract year, today's figures first."""
    m = member or report["member"]
    rows = [{"proposal": "today (baseline)", "year": "today", "step": m["step"], "rate ($/h)": m["rate"],
             "annual pay ($)": m["annual_pay"]}]
    for p in m["proposals"]:
        for y in p["years"]:
            rows.append({
                "proposal": p["name"], "year": y.get("label", f"Year {y['year']}"), "step": y["step"], "rate ($/h)": y["rate"],
                "raise this year (% of the rate before it)": y.get("raise_pct"),
                "raise this year (cents/h added)": y.get("raise_cents_per_hour"),
                "rate change since today ($/h)": y.get("rate_change"),
                "rate change (% of today's rate)": y["rate_change_pct"],
                "annual pay ($)": y["annual_pay"], "annual pay change ($)": y["annual_pay_change"],
                "annual pay change (% of today's)": y["annual_pay_change_pct"],
                "paid in the year ($)": y["cash_in_year"],
                "retro pay ($)": p["retro_pay"] if y["year"] == 1 else None})
    return pd.DataFrame(rows)
