"""`peerpay cost`: what bargaining proposals cost, year by year, and how much gap they close."""

from __future__ import annotations

from pathlib import Path
from typing import cast

import click
import pandas as pd

from ..core.costing import (baseline_frame, gap_frame, items_frame, member_frame, roll_up_matrix, scale_frame,
                            side_by_side, years_frame)
from ..io.readers import read_policy
from ..io.document import Document, Heading, Table, Text, render
from ..jobs.cost import CostRun, read_on_costs, run_cost
from .common import (run_record, output_format, EXIT_OK, EXIT_REJECTED, EXIT_USAGE, check_format_target, check_outputs, emit, fail,
                     handles_input_errors, report_problems, write_file)
from .options import PeerpayCommand, force_option, format_option, mapped_timesheet, output_option, pay_inputs, period_options

MONEY = ["wages", "on_costs", "total", "wages_cash", "on_costs_cash", "lump_sums", "certification_bonus",
         "wages_cash_excl_lump_sums", "cash_cost", "run_rate", "per_fte", "median_before", "median_after",
         "run_rate_per_point", "term_cash_cost"]


def notes(report: dict) -> list[str]:
    b = report["baseline"]
    oc = "; ".join(f"{o['name']} {o['percent']:g} % of {', '.join(o['applies_to'])}" for o in report["on_costs"])
    return [
        "peerpay cost: how to read it",
        f"Baseline: the timesheet period {b['period']['from']} to {b['period']['to']} ({b['period']['days']} days), "
        f"paid by the current policy and rates, annualised {b['annualisation']}. It supplies hours and patterns; steps, "
        "credentials and employment are read on each contract day.",
        "Status quo: the current contract rolled forward (one step on each hire-date anniversary to the top step, also "
        "between the baseline and the term; the schedule's own dated rates; credentials starting and lapsing). Every "
        "proposal includes it unless it says otherwise (steps = \"freeze\" or its own step rules), and is shown in total "
        "and over the status quo; item 0 is the status quo.",
        "Cash cost: the proposal's cost over the baseline in that contract year, prorated by effective dates, "
        "with lump sums, certification bonuses and on-costs (wages_cash includes the lump sums and bonuses: do not add "
        "them to it again; retro pay is part of the cash cost, shown apart as what members receive and what it costs "
        "the employer). Run-rate: the full-year cost of the rates and rules in force on the year's "
        "last day (no one-off payments). % of payroll: of the baseline's annual wages + on-costs.",
        "Cents per hour: run-rate / annual hours worked. $ per FTE: run-rate / roster FTE (hours / 2080 without one).",
        f"On-costs (roll-up matrix): {oc}.",
        f"Gap: (role median - {report['peer_role']} median) / role median x 100, on schedule base rates, "
        "before = baseline, after = the last day of the term; points closed = shown gap before - shown gap after "
        "(blank when nothing closes, negative when the gap widens); $ per point = end-of-term run-rate / points "
        "closed, only when the gap closes.",
        "Money: exact; raises compound on unrounded rates, each year's rate rounded once half-up; "
        "each figure rounded once, half-up, when shown; roles and items foot to their TOTAL to the cent "
        "(largest remainder).",
    ]


def _rate_format(frame: pd.DataFrame, columns) -> list[str]:
    """tabulate float formats per column: rates with 4 decimals where a rate has them, else 2."""
    def fmt(c):
        if c not in columns:
            return ",.2f"
        vals = pd.to_numeric(frame[c], errors="coerce").dropna()
        return ",.4f" if ((vals * 100).round(6) % 1 != 0).any() else ",.2f"
    return [fmt(c) for c in frame.columns]


def _members(report: dict) -> list[dict]:
    return report.get("members") or ([report["member"]] if report.get("member") else [])


def _items_sheet(report: dict) -> pd.DataFrame:
    frames = [items_frame(report, p, notes=True).assign(proposal=p["name"]) for p in report["proposals"]]
    if not frames:
        return pd.DataFrame()
    out = pd.concat(frames, ignore_index=True)
    out["order"] = pd.to_numeric(out["order"], errors="coerce").astype("Int64")  # numbers in the workbook, blank on totals
    return out[["proposal", *[c for c in out.columns if c != "proposal"]]]


def _scale_sheet(report: dict) -> pd.DataFrame:
    frames = [scale_frame(p).assign(proposal=p["name"]) for p in report["proposals"]]
    if not frames:
        return pd.DataFrame()
    out = pd.concat(frames, ignore_index=True)
    return out[["proposal", *[c for c in out.columns if c != "proposal"]]]


def _members_sheet(report: dict) -> pd.DataFrame:
    frames = [member_frame(report, m).assign(employee_id=m["employee_id"], role=m["role"]) for m in _members(report)]
    out = pd.concat(frames, ignore_index=True)
    return out[["employee_id", "role", *[c for c in out.columns if c not in ("employee_id", "role")]]]


def cost_document(report: dict, on_costs=None, record: dict | None = None, policy=None) -> Document:
    """The costing as a document: side by side, baseline, each proposal (its years, items from the
    status quo up, roles, wage scale), members' statements, the gap, the on-costs."""
    kinds = {c: "money" for c in MONEY}
    years = lambda: years_frame(report)

    def matrix():
        return pd.DataFrame(report["on_costs"])

    def sheets():
        m = matrix()
        out = [Table(side_by_side(report), "side by side", kinds), Table(years(), "by year and role", kinds),
               Table(_items_sheet(report), "items", kinds), Table(_scale_sheet(report), "wage scale", kinds)]
        if _members(report):
            out.append(Table(_members_sheet(report), "members", kinds))
        return out + [Table(gap_frame(report), "gap", kinds), Table(baseline_frame(report), "baseline", kinds),
                      Table(m.assign(applies_to=m["applies_to"].map(", ".join)) if len(m) else m, "on-costs", kinds)]

    def blocks():
        b = report["baseline"]
        t = lambda frame, **options: Table(frame, kinds=kinds, options=options, blanks=True)
        out: list = [Heading("Proposals side by side"), t(side_by_side(report)),
                     Text("\n"), Heading(f"Baseline ({b['period']['from']} to {b['period']['to']}, {b['annualisation']})"),
                     t(baseline_frame(report))]
        for name, frame in years().groupby("proposal", sort=False):
            total = frame[frame["role"] == "TOTAL"].drop(columns=["proposal", "role", "atb_increase_pct",
                                                                  "wages_cash_excl_lump_sums"])
            total = total.rename(columns={"wages_cash": "wages_cash (incl. one-offs)"})
            prop = next(p for p in report["proposals"] if p["name"] == name)
            out += [Text("\n"), Heading(f"{name}: cost over the baseline, all roles"), t(total)]
            if prop.get("notes"):
                out.append(Text("\n" + "\n".join(f"- {n}" for n in prop["notes"]) + "\n"))
            if prop["items"]:
                out += [Text("\n"), Heading(f"{name}: item by item (the status quo, then each item on top of the ones "
                                             "above; rows add up to TOTAL)"), t(items_frame(report, prop))]
                said = [f"- {it['item']}: {it['note']}" for it in prop["items"] if it.get("note")]
                if said:
                    out.append(Text("\n" + "\n".join(said) + "\n"))
            by_role = frame[frame["role"] != "TOTAL"][["year", "role", "cash_cost", "run_rate", "run_rate_pct_of_payroll",
                                                        "cents_per_hour", "per_fte", "atb_increase_pct"]]
            out += [Text("\n"), Heading(f"{name}: by role"), t(by_role)]
            scale = scale_frame(prop)
            rates = [c for c in scale.columns if "$/h" in c]
            out += [Text("\n"), Heading(f"{name}: wage scale ($/h; % over today's rate of the step)"),
                    t(scale, floatfmt=_rate_format(scale, rates))]
        for m in _members(report):
            frame = member_frame(report, m)
            out += [Text("\n"), Heading(f"Member's statement: {m['employee_id']}, {m['role']}, rate and annual pay by year"),
                    t(frame, floatfmt=_rate_format(frame, ["rate ($/h)", "rate change since today ($/h)"]))]
        out += [Text("\n"), Heading(f"Gap to {report['peer_role']} (median base rate) before and after"),
                t(gap_frame(report), floatfmt=",.2f")]
        out += [Text("\n"), Heading("On-costs (roll-up matrix, percent of each pay component)"),
                t(roll_up_matrix(on_costs) if on_costs is not None else matrix())]
        out.append(Text("\n" + "\n".join(notes(report)[1:]) + "\n"))
        return out

    def page():
        from ..io.costpage import cost_pack_page

        return cost_pack_page(report, record, gap_chart_model(report))

    def finish(book, worksheets, frames):
        from ..io.costbook import finish as finish_book

        finish_book(book, worksheets, frames)

    return Document("peerpay cost: bargaining proposals", blocks=blocks, csv=years, payload=report, sheets=sheets,
                    notes=lambda: notes(report), run_record=record, html=page, workbook=finish,
                    policy=(lambda: policy.model_dump(mode="json", exclude_none=True)) if policy is not None else None)


def render_cost(report: dict, fmt: str, on_costs=None, record: dict | None = None, policy=None) -> str | bytes:
    return render(cost_document(report, on_costs, record, policy), fmt)


def gap_chart_model(report: dict):
    """The gap to each comparator role before, and after each proposal, as the one chart model:
    per role a dark "before" bar and a light bar per proposal (gap % of the role's median)."""
    from ..io.charts import Bar, ChartModel
    from ..io.html import role_label

    props = report["proposals"]
    bars = []
    for k, g in enumerate(props[0]["gap"] if props else []):
        role = role_label(g["role"])
        bars.append(Bar(f"{role}: before", g["gap_before_pct"] or 0.0, text=f"{g['gap_before_pct']:.1f}%"
                        if g["gap_before_pct"] is not None else "n/a"))
        for p in props:
            after = p["gap"][k]["gap_after_pct"]
            bars.append(Bar(f"{role}: after {p['name']}", after or 0.0, external=True,
                            text=f"{after:.1f}%" if after is not None else "n/a"))
    return ChartModel("Median base-rate gap at the end of the term",
                      f"gap to {report['peer_role'].replace('_', ' ')} (% of role median)", bars, money=False)


def gap_chart(report: dict) -> bytes:
    """PNG: the gap to each comparator role before, and after each proposal."""
    from ..io.charts import draw

    return draw(gap_chart_model(report), "png")[0]


@click.command(name="cost", cls=PeerpayCommand)
@pay_inputs()
@click.option("--proposal", "proposals", multiple=True, required=True, type=click.Path(dir_okay=False),
              help="Proposal TOML (repeat to compare: union vs management).")
@click.option("--on-costs", "on_costs", type=click.Path(dir_okay=False),
              help="Roll-up matrix TOML ([[on_cost]] name, percent, applies_to). Default: FICA 7.65 % of all pay, pension 5 % of base.")
@click.option("--peer-role", default="peer_specialist", show_default=True, help="The role whose pay gap is measured.")
@period_options("First day the timesheet stands for (annualised x 365/days; give --to too). Default: the policy's "
                "[pay_period]s around the data, else the first to the last shift date.", "Last day the timesheet stands for (inclusive).")
@click.option("--statement-for", "employee", metavar="ID", multiple=True,
              help="Also a member's statement: this employee's rate and annual pay, year by year, per proposal "
                   "(repeat for several; in HTML one printed page each).")
@format_option()
@output_option
@click.option("--chart", type=click.Path(dir_okay=False), help="Also write a PNG chart of the gap before/after per proposal.")
@force_option("Overwrite an existing output or chart file.")
@click.option("--credentials", type=click.Path(dir_okay=False),
              help="Credentials file (employee_id|person_id, credential, from, to): who a credential premium pays.")
@handles_input_errors
def command(timesheet, policy, roster, schedule, sheet, map_file, proposals, on_costs, peer_role, date_from, date_to, employee, fmt,
            output, chart, force, credentials=None):
    """Cost bargaining proposals year by year and the peer pay gap they close (docs/costing.md)."""
    if (date_from is None) != (date_to is None):
        fail("cost --from and --to go together: the first and the last day the timesheet stands for", EXIT_USAGE)
    period = (date_from, date_to) if date_from is not None else None
    if roster is None or schedule is None:
        fail("peerpay cost needs --roster and --schedule (steps, anniversaries and the gap come from them)", EXIT_USAGE)
    fmt = output_format(fmt, output)
    check_format_target(fmt, output)
    check_outputs({"--output": output, "--chart": chart},
                  [timesheet, policy, roster, schedule, map_file, *proposals, on_costs, credentials], force)
    pol = read_policy(policy)
    mapped = mapped_timesheet(timesheet, map_file, sheet, pol.timezone)
    oc = read_on_costs(on_costs)
    run: CostRun = run_cost(timesheet, pol, roster, schedule, list(proposals), oc, peer_role,
                            sheet=sheet, raw_timesheet=mapped,
                            period=tuple(d.date() for d in period) if period else None, employee=list(employee) or None,
                            credentials=credentials)
    record = run_record("peerpay cost", {"timesheet": timesheet, "policy": policy, "roster": roster, "schedule": schedule,
                                             "map": map_file, **{f"proposal {i}": p for i, p in enumerate(proposals, 1)},
                                             "on-costs": on_costs},
                        {"peer_role": peer_role, "sheet": sheet, "from": date_from.date().isoformat() if date_from else None,
                         "to": date_to.date().isoformat() if date_to else None, "statement_for": list(employee) or None},
                        period="{from} to {to} ({days} days)".format(**run.report["baseline"]["period"]))
    data = render_cost(run.report, fmt, oc, record, pol)
    image = gap_chart(run.report) if chart else None  # both outputs rendered before either is written
    report_problems(run.problems)
    for w in run.report["warnings"]:
        click.echo(f"warning: {w}", err=True)
    emit(data, output, force)
    if chart:
        write_file(chart, cast(bytes, image))
    raise SystemExit(EXIT_REJECTED if run.problems else EXIT_OK)


def demo_section(samples_dir: Path, fmt: str) -> str:
    """The union-vs-management costing on the samples, for `peerpay demo`."""
    d = Path(samples_dir)
    p = d / "proposals"
    oc = read_on_costs(p / "oncosts.toml")
    run = run_cost(d / "timesheet.csv", d / "policy.toml", d / "roster.csv", d / "schedule.csv",
                   [p / "union.toml", p / "management.toml"], oc)
    heading = "## " if fmt == "md" else ""
    title = "Bargaining: union vs management proposal (peerpay cost)"
    rule = "" if fmt == "md" else "\n" + "=" * len(title)
    text = "md" if fmt == "md" else "table"
    return (f"\n{heading}{title}{rule}\n\n" + cast(str, render(Document(title, blocks=[Table(side_by_side(run.report), blanks=True)]), text))
            + "\n" + cast(str, render(Document(title, blocks=[Table(gap_frame(run.report)[
                ["proposal", "role", "gap_before_pct", "gap_after_pct", "points_closed", "run_rate_per_point"]], blanks=True)]), text)))
