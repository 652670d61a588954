"""The bargaining pack (``peerpay cost --format html``): one self-contained page a steward can print.

On the fact sheet's page skeleton and CSS (:func:`peerpay.io.html.fact_sheet_page`): headline
sentences from the report's own figures; the proposals side by side with the status quo, the
difference of the first two and the value of 1 %; then per proposal its years (cash, run-rate,
over the status quo), its items from the status quo up (with the overtime knock-on), its roles,
retro (members and employer), breakage and **the wage scale** (role x step x contract year, with
the increase over today's scale); the gap before and after; the on-costs; and with
``--employee``, each member's statement on a printed page of its own. Every value is escaped.
"""

from __future__ import annotations

from collections.abc import Mapping

from .html import chart_svg, definition_list, esc, fact_sheet_page, html_table, money, number, paragraphs, role_label

#: Printing: a table is never split across pages, and each member's statement starts a page of its own.
PACK_CSS = """
.scale td .inc{color:var(--muted);font-size:.72rem;margin-left:.2rem}
.scale tr.first-step th{border-top:1px solid var(--ink);font-weight:600;padding-top:.3rem}
.scale-columns{display:grid;grid-template-columns:1fr 1fr;gap:0 .8rem;align-items:start}
p.caption{font-weight:600;margin:.4rem 0 .2rem}
@media (max-width:40rem){.scale-columns{grid-template-columns:1fr}tbody th[scope=row]{min-width:7.5rem}}
ul.notes{margin:.2rem 0 .4rem 1rem;padding:0;font-size:.85rem}
section:has(> .member-start){break-before:page}
@media print{
 body{font-size:8.5pt}
 h1{font-size:13pt}h2{font-size:10pt;margin:.5rem 0 .2rem}
 .headline{font-size:9.5pt}
 table{font-size:6.6pt}
 caption{padding:.1rem 0 .15rem}
 th,td{padding:.04rem .25rem}
 .unit{font-size:5.8pt}
 .scale td .inc{font-size:5.6pt}
 ul.notes{font-size:7pt;margin:.1rem 0 .2rem 1rem}
 .table-wrap:not(:has(table.scale)){break-inside:avoid}
 figure{display:none}
 p.caption{font-size:7.5pt}
 dl{columns:3;font-size:7pt}
}
"""


def cost_headline(report: Mapping) -> list[str]:
    """One or two sentences per proposal from its own figures, its name as the proposal gives it.

    "Union proposal costs $397,316 in cash over its 3-year term, $180,000 more than the status quo,
    and lifts the peer specialist median from $19.63 to $25.29 an hour." then the widest gap.
    """
    peer = role_label(report["peer_role"])
    out = []
    for p in report["proposals"]:
        term = p.get("term", {})
        over = (p.get("over_status_quo") or {}).get("term_cash_cost")
        more = "" if over is None else (f", {money(abs(over), 0)} {'more' if over >= 0 else 'less'} than the status quo,")
        out.append(f"{p['name']} costs {money(p['term_cash_cost'], 0)} in cash over its {term.get('years', '')}-year "
                   f"term{more} and lifts the {peer} median from {money(p['peer_median_before'])} to "
                   f"{money(p['peer_median_after'])} an hour.")
        widest = max((g for g in p.get("gap", []) if g.get("gap_before_pct") is not None),
                     key=lambda g: (g["gap_before_pct"], g["role"]), default=None)
        if widest is not None and widest.get("gap_after_pct") is not None:
            before, after = number(widest["gap_before_pct"]), number(widest["gap_after_pct"])
            change = f"stays at {before} %" if before == after else f"goes from {before} % to {after} %"
            out.append(f"Under it the gap to {role_label(widest['role'])}s {change}.")
    return out


def _pct(value) -> str:
    return "" if value is None else f"{number(value, 2)} %"


def side_by_side_table(report: Mapping) -> str:
    """The headline figures in columns: each proposal, the status quo, the first minus the second."""
    props = list(report["proposals"])
    sq, diff = report.get("status_quo"), report.get("difference")
    cols = [p["name"] for p in props] + ([sq["name"]] if sq else []) + ([f"{diff['between'][0]} − {diff['between'][1]}"] if diff else [])
    years = max((p["term"]["years"] for p in props), default=0)
    totals = [{y["year"]: y["cash_cost"] for y in p["years"] if y["role"] == "TOTAL"} for p in props]
    rows = []
    for k in range(1, years + 1):
        for label, key in ((f"Year {k}: cash cost", "cash_cost"),):
            row = [label] + [money(t[k], 0) if k in t else "" for t in totals]
            if sq:
                row.append(money(sq["years"][k - 1][key], 0) if len(sq["years"]) >= k else "")
            if diff:
                row.append(money(next((y[key] for y in diff["years"] if y["year"] == k), None), 0))
            rows.append(row)
    rows.append(["Term cash cost"] + [money(p["term_cash_cost"], 0) for p in props]
                + ([money(sq["term_cash_cost"], 0)] if sq else []) + ([money(diff["term_cash_cost"], 0)] if diff else []))
    rows.append(["End-of-term run-rate"] + [money(p["end_of_term_run_rate"], 0) for p in props]
                + ([money(sq.get("end_of_term_run_rate"), 0)] if sq else []) + ([money(diff["end_of_term_run_rate"], 0)] if diff else []))
    pad = [""] * (len(cols) - len(props))
    rows.append(["Term cash over the status quo"] + [money(p["over_status_quo"]["term_cash_cost"], 0) for p in props] + pad)
    rows.append(["End-of-term run-rate over the status quo"] + [money(p["over_status_quo"]["end_of_term_run_rate"], 0)
                                                                for p in props] + pad)
    rows.append(["End-of-term lift, % of payroll"] + [_pct(p.get("end_of_term_lift_pct")) for p in props] + pad)
    rows.append(["Retro pay to members"] + [money(p.get("retro_pay_to_members"), 0) for p in props] + pad)
    rows.append(["Retro pay, employer cost with on-costs"] + [money(p.get("retro_pay"), 0) for p in props] + pad)
    if report.get("value_of_1_pct"):
        rows.append(["Value of 1 % (run-rate from the term start)"] + [money(report["value_of_1_pct"]["run_rate"], 0)] * len(props) + pad)
    return html_table("Each proposal in total, the status quo, and the difference ($, whole dollars)", ["", *cols], rows)


def proposal_section(report: Mapping, p: Mapping) -> str:
    """One proposal: notes, years, items, roles, retro and breakage, and the wage scale."""
    notes = "<ul class=\"notes\">" + "".join(f"<li>{esc(n)}</li>" for n in p.get("notes", [])) + "</ul>"
    over = {y["year"]: y for y in p["over_status_quo"]["years"]}
    years = html_table(
        f"Cost over the baseline, all roles (contract years from {p['term']['start']} to {p['term']['end']})",
        ["Year", "Cash", "Run-rate", "Run-rate", "Per hour", "Per FTE", "Cash over status quo", "Run-rate over status quo"],
        [[y["year"], money(y["cash_cost"]), money(y["run_rate"]), _pct(y["run_rate_pct_of_payroll"]),
          number(y["cents_per_hour"], 2), money(y["per_fte"], 0), money(over[y["year"]]["cash_cost"]),
          money(over[y["year"]]["run_rate"])] for y in p["years"] if y["role"] == "TOTAL"],
        ["", "$", "$/year", "% of payroll", "cents", "$/year", "$", "$/year"])
    n = p["term"]["years"]
    item_rows, classes = [], []
    for it in p["items"]:
        label = it["item"] + (f" — {it['note']}" if it.get("note") else "")
        item_rows.append([label] + [money(y["cash_cost"]) for y in it["years"]] + [money(it["term_cash_cost"]),
                         money(it["end_of_term_run_rate"]), money(it["years"][-1]["overtime_knock_on"])])
        classes.append("")
    tot = [y for y in p["years"] if y["role"] == "TOTAL"]
    item_rows.append(["TOTAL"] + [money(y["cash_cost"]) for y in tot] + [money(p["term_cash_cost"]), money(p["end_of_term_run_rate"]),
                     money(sum(round(it["years"][-1]["overtime_knock_on"] * 100) for it in p["items"]) / 100)])
    classes.append("total")
    over_t = p["over_status_quo"]
    item_rows.append(["of which over the status quo"] + [money(y["cash_cost"]) for y in over_t["years"]]
                     + [money(over_t["term_cash_cost"]), money(over_t["end_of_term_run_rate"]), ""])
    classes.append("")
    items = html_table("Item by item: the status quo, then each item on top of the ones above (rows add up to TOTAL)",
                       ["Item", *[f"Year {k} cash" for k in range(1, n + 1)], "Term cash", "End-of-term run-rate",
                        "of which overtime knock-on"], item_rows, ["", *["$"] * n, "$", "$/year", "$/year, wages"],
                       row_classes=classes)
    roles = [y for y in p["years"] if y["role"] != "TOTAL"]
    by_role: dict = {}
    for y in roles:
        by_role.setdefault(y["role"], {})[y["year"]] = y
    role_rows = [[role_label(r)] + [money(v[k]["cash_cost"], 0) for k in range(1, n + 1)]
                 + [money(v[n]["run_rate"], 0), _pct(v[n]["run_rate_pct_of_payroll"]), _pct(v[n]["atb_increase_pct"])]
                 for r, v in by_role.items()]
    role_rows.append(["TOTAL"] + [money(t["cash_cost"], 0) for t in tot] + [money(tot[-1]["run_rate"], 0),
                     _pct(tot[-1]["run_rate_pct_of_payroll"]), ""])
    role_table = html_table("By role (the roles add up to TOTAL)", ["Role", *[f"Year {k} cash" for k in range(1, n + 1)],
                            "End-of-term run-rate", "Run-rate", "Raises compounded"], role_rows,
                            ["", *["$"] * n, "$/year", "% of role payroll", "% across the board"],
                            row_classes=[""] * len(by_role) + ["total"])
    extra = []
    if p.get("retro_pay") is not None:
        extra.append(f"Retro pay (over the status quo, in the cash cost): {money(p['retro_pay_to_members'])} to members; "
                     f"{money(p['retro_pay'])} to the employer with {money(p['retro_on_costs'])} of on-costs.")
    if p.get("breakage"):
        extra.append("Breakage (turnover), in the cost above: " + "; ".join(
            f"year {y['year']} {money(y['cash_cost'])} cash, {money(y['run_rate'])} run-rate" for y in p["breakage"]["years"]))
    return ("<div class=\"proposal-start\"></div>" + notes + years + items + role_table + paragraphs(extra)
            + scale_table(p))


def scale_table(p: Mapping) -> str:
    """The proposed wage scale: per role, step x column, each rate with its increase over today's
    rate of the step; the roles in two columns side by side (a printed page holds both)."""
    scale = p.get("wage_scale")
    if not scale or not scale["rows"]:
        return ""

    def shown(rate) -> str:  # a rate with tenths of a cent (today's 19.6318) keeps them; the proposal's have rate_places
        return money(rate, 4 if scale.get("rate_places") == 4 or round(rate, 2) != rate else 2)

    heads, seen = [], set()
    for c in scale["columns"]:
        heads.append(f"Year {c['year']}" + (f" from {c['from']}" if c["year"] in seen else ""))
        seen.add(c["year"])
    first: dict[int, str] = {}
    for c in scale["columns"]:
        first.setdefault(c["year"], c["from"])
    starts = ", ".join(f"year {y} from {d}" for y, d in first.items())
    head = "".join(f"<th scope=\"col\">{esc(h)}</th>" for h in ["Step", "Today", *heads])
    by_role: dict = {}
    for r in scale["rows"]:
        by_role.setdefault(r["role"], []).append(r)
    blocks = []
    for role, rows in by_role.items():
        body = [f"<tr class=\"first-step\"><th scope=\"rowgroup\" colspan=\"{2 + len(heads)}\">{esc(role_label(role))}</th></tr>"]
        for r in rows:
            cells = "".join(
                "<td class=\"num\">—</td>" if rate is None else
                f"<td class=\"num\">{esc(shown(rate))}"
                + (f"<span class=\"inc\">{esc('+' if inc >= 0 else '')}{esc(number(inc, 2))} %</span>" if inc is not None else
                   "<span class=\"inc\">new</span>") + "</td>"
                for rate, inc in zip(r["rates"], r["increase_pct"]))
            today = "—" if r["today"] is None else shown(r["today"])
            body.append(f"<tr><td class=\"num\">{esc(r['step'])}</td><td class=\"num\">{esc(today)}</td>{cells}</tr>")
        blocks.append((len(rows) + 1, "".join(body)))
    sizes = [n for n, _ in blocks]  # the roles in two columns of about equal height
    cut = min(range(len(blocks) + 1), key=lambda i: (max(sum(sizes[:i]), sum(sizes[i:])), i))
    tables = ["".join(b for _, b in part) for part in (blocks[:cut], blocks[cut:]) if part]
    inner = "".join(f"<div class=\"table-wrap\"><table class=\"scale\"><thead><tr>{head}</tr></thead><tbody>{t}</tbody>"
                    "</table></div>" for t in tables)
    return (f"<p class=\"caption\">The wage scale under {esc(p['name'])} ($/hour; {esc(starts)}); beside each rate its "
            f"increase over today's rate of the step.</p><div class=\"scale-columns\">{inner}</div>")


def member_section(member: Mapping) -> str:
    """One member's statement: today, then each proposal year by year (one printed page)."""
    def rate(value, *others) -> str:  # tenths of a cent shown where a rate on the line has them
        four = any(v is not None and round(v, 2) != v for v in (value, *others))
        return money(value, 4 if four else 2)

    heads = [("Year", ""), ("Step", ""), ("Rate", "$/hour at the year's end"), ("Raise this year", "% of the rate before it"),
             ("Rate change", "$/hour since today"), ("", "% of today's rate"), ("Annual pay", "$/year at that rate"),
             ("Change", "$ since today"), ("", "% of today's"), ("Paid in the year", "$, changes from their dates"),
             ("Retro pay", "$")]
    head = "".join(f"<th scope=\"col\">{esc(h)}<span class=\"unit\">{esc(u)}</span></th>" for h, u in heads)

    def row(cells, cls="") -> str:
        first, rest = cells[0], cells[1:]
        tds = "".join(f"<td class=\"num\">{esc(c)}</td>" for c in rest)
        return f"<tr{cls}><th scope=\"row\">{esc(first)}</th>{tds}</tr>"

    body = [row(["Today", member["step"], rate(member["rate"]), "", "", "", money(member["annual_pay"]), "", "", "", ""],
                " class=\"total\"")]
    for p in member["proposals"]:
        body.append(f"<tr class=\"first-step\"><th scope=\"rowgroup\" colspan=\"{len(heads)}\">{esc(p['name'])}</th></tr>")
        for y in p["years"]:
            raised = _pct(y.get("raise_pct")) + (f" + {number(y['raise_cents_per_hour'], 0)}¢/h"
                                                 if y.get("raise_cents_per_hour") else "")
            body.append(row([y.get("label", f"Year {y['year']}"), y["step"], rate(y["rate"], member["rate"]), raised,
                             rate(y["rate_change"], y["rate"], member["rate"]), _pct(y["rate_change_pct"]),
                             money(y["annual_pay"]), money(y["annual_pay_change"]), _pct(y["annual_pay_change_pct"]),
                             money(y["cash_in_year"]),
                             money(p["retro_pay"]) if y["year"] == 1 and p.get("retro_pay") is not None else ""]))
    table = (f"<div class=\"table-wrap\"><table class=\"scale member\"><thead><tr>{head}</tr></thead>"
             f"<tbody>{''.join(body)}</tbody></table></div>")
    how = paragraphs([
        "Rate: the hourly rate on the last day of each contract year, with the raises, step anniversaries and floors "
        "of that proposal. Raise this year: the across-the-board raises that take effect in the year, as a percent of "
        "the rate just before each (compounded) and cents added; the rate is then rounded once to the cent.",
        "Annual pay: your own hours of the baseline period re-paid at that rate, differentials and overtime included, "
        "for a year. Each change is the difference of the two figures printed (today's and that year's).",
        "Paid in the year: changes count from their dates; lump sums are included. Retro pay: what the proposal "
        "adds over the status quo between the retro dates, paid in arrears."])
    return (f"<div class=\"member-start\"></div><p class=\"subtitle\">{esc(role_label(member['role']))}, step "
            f"{esc(member['step'])} today.</p>" + table + how)


def cost_pack_page(report: Mapping, run_record: Mapping | None = None, chart=None) -> str:
    """``peerpay cost --format html``: the bargaining pack (see the module docstring)."""
    peer = role_label(report["peer_role"])
    gap_rows = [[p["name"], role_label(g["role"]), money(g.get("median_before")), money(g.get("median_after")),
                 number(g.get("gap_before_pct")), number(g.get("gap_after_pct")), number(g.get("points_closed")),
                 money(g.get("run_rate_per_point"), 0)] for p in report["proposals"] for g in p.get("gap", [])]
    gap = html_table(f"Gap to the {peer} median (base rates), before and after each proposal",
                     ["Proposal", "Role", "Median before", "Median after", "Gap before", "Gap after", "Points closed",
                      "Cost per point"], gap_rows, ["", "", "$/hour", "$/hour", "%", "%", "points", "$/year"])
    figure = (f"<figure>{chart_svg(chart, 'The gap before and after each proposal', 'gap, % of the role median')}"
              "<figcaption>Dark: the gap today; light: at the end of each proposal's term.</figcaption></figure>") if chart else ""
    on_costs = html_table("On-costs: the roll-up matrix", ["On-cost", "Percent", "Applies to"],
                          [[o["name"], _pct(o["percent"]), ", ".join(o["applies_to"])] for o in report.get("on_costs", [])],
                          ["", "of each component", "pay components"])
    b = report.get("baseline", {})
    period = b.get("period", {})
    base_rows = [[role_label(r["role"]) if r["role"] != "TOTAL" else "TOTAL", r["employees"], number(r["annual_hours"], 2),
                  number(r["fte"], 2), money(r["wages"], 0), money(r["on_costs"], 0), money(r["total"], 0)] for r in b.get("by_role", [])]
    baseline = html_table(f"Baseline: {period.get('from', '')} to {period.get('to', '')}, annualised {b.get('annualisation', '')}",
                          ["Role", "Employees", "Annual hours", "FTE", "Wages", "On-costs", "Payroll"], base_rows,
                          ["", "n", "h/year", "", "$/year", "$/year", "$/year"],
                          row_classes=[""] * (len(base_rows) - 1) + ["total"])
    sources = [("Baseline", f"the timesheet period {period.get('from', '')} to {period.get('to', '')} "
                            f"({period.get('days', '')} days), paid by the current policy and rates, annualised "
                            f"{b.get('annualisation', '')}"),
               ("Proposals", "; ".join(f"{p['name']}: {p.get('file') or 'given'}" for p in report["proposals"]))]
    defs = [("Cash cost", "the year's added spending over the baseline: changes from their dates, one-off payments, "
                          "retro, on-costs"),
            ("Run-rate", "the full-year cost of what is in force on the year's last day (no one-off payments)"),
            ("Status quo", "the current contract rolled forward (steps on anniversaries, also before the term; the "
                           "schedule's dated rates; credentials starting and lapsing): in every proposal unless it says "
                           "otherwise"),
            ("Value of 1 %", "1 % on the first day of the term, on the payroll the term starts from, with on-costs and "
                             "overtime knock-on"),
            ("Overtime knock-on", "overtime premium added through the regular rate (29 CFR 778.107-778.109, "
                                  "778.207(b), 778.223)"),
            ("Gap", f"(role median − {peer} median) ÷ role median × 100, schedule base rates; after = the term's last day"),
            ("Footing", "a TOTAL is rounded once; the lines above it add up to it to the cent (largest remainder)")]
    sections = [("Proposals side by side", side_by_side_table(report))]
    sections += [(p["name"], proposal_section(report, p)) for p in report["proposals"]]
    sections += [("The gap before and after", gap + figure), ("Baseline and on-costs", baseline + on_costs),
                 ("What each figure means, and the sources", definition_list(defs + sources)
                  + paragraphs(report.get("warnings", [])))]
    members = report.get("members") or ([report["member"]] if report.get("member") else [])
    sections += [(f"Member statement: {m['employee_id']}", member_section(m)) for m in members]
    page = fact_sheet_page("What the bargaining proposals cost", cost_headline(report), sections, run_record)
    return page.replace("</style>", PACK_CSS + "</style>", 1)

