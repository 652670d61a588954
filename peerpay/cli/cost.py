"""`peerpay cost`: what bargaining proposals cost, year by year, and how much gap they close."""

from __future__ import annotations

import io
from pathlib import Path

import click
import pandas as pd

from ..core.costing import baseline_frame, gap_frame, items_frame, member_frame, roll_up_matrix, side_by_side, years_frame
from ..io.readers import read_policy
from ..io.writers import atomic_write, to_csv, to_json, to_markdown, to_table, to_xlsx
from ..jobs.cost import CostRun, read_on_costs, run_cost
from .common import EXIT_OK, EXIT_REJECTED, EXIT_USAGE, FORMATS, check_outputs, emit, fail, handles_input_errors, report_problems
from .pay import _mapped, _timesheet_options

MONEY = ["wages", "on_costs", "total", "wages_cash", "on_costs_cash", "lump_sums", "cash_cost", "run_rate", "per_fte",
         "median_before", "median_after", "run_rate_per_point", "term_cash_cost"]


def notes(report: dict) -> list[str]:
    b = report["baseline"]
    oc = "; ".join(f"{o['name']} {o['percent']:g} % of {', '.join(o['applies_to'])}" for o in report["on_costs"])
    return [
        "peerpay cost: how to read it",
        f"Baseline: the timesheet period {b['period']['from']} to {b['period']['to']} ({b['period']['days']} days), "
        f"paid by the current policy and rates, annualised {b['annualisation']}.",
        "Cash cost: the proposal's cost over the baseline in that contract year, prorated by effective dates, "
        "with lump sums and on-costs (wages_cash includes the lump sums: do not add lump_sums to it again; "
        "retro pay is part of the cash cost, shown apart as what members receive and what it costs the employer). "
        "Run-rate: the full-year cost of the rates and rules in force on the year's "
        "last day (no lump sums). % of payroll: of the baseline's annual wages + on-costs.",
        "Cents per hour: run-rate / annual hours worked. $ per FTE: run-rate / roster FTE (hours / 2080 without one).",
        f"On-costs (roll-up matrix): {oc}.",
        f"Gap: (role median - {report['peer_role']} median) / role median x 100, on schedule base rates, "
        "before = baseline, after = the last day of the term; points closed = shown gap before - shown gap after "
        "(blank when nothing closes, negative when the gap widens); $ per point = end-of-term run-rate / points "
        "closed, only when the gap closes.",
        "Money: exact; raises compound on unrounded rates, each year's rate rounded once half-up; "
        "each figure rounded once, half-up, when shown.",
    ]


def _blanks(render):
    """Render with "–" for figures that do not apply (None), not "nan"."""

    def out(frame, **kw):
        frame = frame.astype(object).where(frame.notna(), None)
        return render(frame, missingval="–", **kw)

    return out


def render_cost(report: dict, fmt: str, on_costs=None) -> str | bytes:
    years = years_frame(report)
    gaps = gap_frame(report)
    if fmt == "json":
        return to_json(report)
    if fmt == "csv":
        return to_csv(years)
    matrix = pd.DataFrame(report["on_costs"])
    if fmt == "xlsx":
        sheets = {"side by side": side_by_side(report), "by year and role": years, "gap": gaps,
                  "baseline": baseline_frame(report),
                  "on-costs": matrix.assign(applies_to=matrix["applies_to"].map(", ".join)) if len(matrix) else matrix}
        return to_xlsx(sheets, money_columns=MONEY, notes=notes(report))
    render = _blanks(to_markdown if fmt == "md" else to_table)
    heading = (lambda t: f"## {t}\n\n") if fmt == "md" else (lambda t: f"{t}\n{'=' * len(t)}\n")
    b = report["baseline"]
    parts = [
        heading("Proposals side by side"), render(side_by_side(report)),
        "\n" + heading(f"Baseline ({b['period']['from']} to {b['period']['to']}, {b['annualisation']})"),
        render(baseline_frame(report)),
    ]
    for name, frame in years.groupby("proposal", sort=False):
        total = frame[frame["role"] == "TOTAL"].drop(columns=["proposal", "role", "atb_increase_pct",
                                                              "wages_cash_excl_lump_sums"])
        total = total.rename(columns={"wages_cash": "wages_cash (incl. lump sums)"})
        parts += ["\n" + heading(f"{name}: cost over the baseline, all roles"), render(total)]
        prop = next(p for p in report["proposals"] if p["name"] == name)
        if prop["items"]:
            parts += ["\n" + heading(f"{name}: item by item (each on top of the ones above; parts add up to TOTAL)"),
                      render(items_frame(report, prop))]
        by_role = frame[frame["role"] != "TOTAL"][["year", "role", "cash_cost", "run_rate", "run_rate_pct_of_payroll",
                                                    "cents_per_hour", "per_fte", "atb_increase_pct"]]
        parts += ["\n" + heading(f"{name}: by role"), render(by_role)]
    if "member" in report:
        parts += ["\n" + heading(f"Member's statement: {report['member']['role']}, rate and annual pay by year"),
                  render(member_frame(report))]
    parts += ["\n" + heading(f"Gap to {report['peer_role']} (median base rate) before and after"),
              render(gaps, floatfmt=",.2f")]
    parts += ["\n" + heading("On-costs (roll-up matrix, percent of each pay component)"),
              render(roll_up_matrix(on_costs) if on_costs is not None else matrix)]
    parts.append("\n" + "\n".join(notes(report)[1:]) + "\n")
    return "".join(parts)


def gap_chart(report: dict) -> bytes:
    """PNG: the gap to each comparator role before, and after each proposal (grouped bars)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    props = report["proposals"]
    roles = [g["role"] for g in props[0]["gap"]] if props else []
    series = [("before", [g["gap_before_pct"] for g in props[0]["gap"]] if props else [])]
    series += [(f"after: {p['name']}", [g["gap_after_pct"] or 0.0 for g in p["gap"]]) for p in props]
    fig, ax = plt.subplots(figsize=(max(6, 1.4 * len(roles) + 2), 4.2), dpi=110)
    x = np.arange(len(roles))
    width = 0.8 / max(len(series), 1)
    for i, (label, values) in enumerate(series):
        bars = ax.bar(x + (i - (len(series) - 1) / 2) * width, values, width, label=label)
        ax.bar_label(bars, fmt="%.1f", fontsize=7)
    ax.set_xticks(x, [r.replace("_", " ") for r in roles], rotation=20, ha="right")
    ax.set_ylabel(f"gap to {report['peer_role'].replace('_', ' ')} (% of role median)")
    ax.set_title("Median base-rate gap at the end of the term")
    ax.axhline(0, color="black", linewidth=0.6)
    ax.legend(fontsize=8)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", metadata={"Software": None})
    plt.close(fig)
    return buf.getvalue()


@click.command(name="cost")
@_timesheet_options
@click.option("--proposal", "proposals", multiple=True, required=True, type=click.Path(dir_okay=False),
              help="Proposal TOML (repeat to compare: union vs management).")
@click.option("--on-costs", "on_costs", type=click.Path(dir_okay=False),
              help="Roll-up matrix TOML ([[on_cost]] name, percent, applies_to). Default: FICA 7.65 % of all pay, pension 5 % of base.")
@click.option("--peer-role", default="peer_specialist", show_default=True, help="The role whose pay gap is measured.")
@click.option("--period", nargs=2, type=click.DateTime(formats=["%Y-%m-%d"]), metavar="FROM TO",
              help="The days the timesheet stands for (annualised x 365/days). Default: first to last shift date.")
@click.option("--employee", help="Also a member's statement: this employee's rate and annual pay, year by year, per proposal.")
@click.option("--format", "-f", "fmt", type=FORMATS, default="table", show_default=True)
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="Write here (atomically) instead of stdout.")
@click.option("--chart", type=click.Path(dir_okay=False), help="Also write a PNG chart of the gap before/after per proposal.")
@click.option("--force", is_flag=True, help="Overwrite an existing output or chart file.")
@handles_input_errors
def command(timesheet, policy, roster, schedule, sheet, map_file, proposals, on_costs, peer_role, period, employee, fmt,
            output, chart, force):
    """Cost bargaining proposals year by year and the peer pay gap they close (docs/costing.md)."""
    if roster is None or schedule is None:
        fail("peerpay cost needs --roster and --schedule (steps, anniversaries and the gap come from them)", EXIT_USAGE)
    fmt = fmt.lower()
    if fmt == "xlsx" and output in (None, "-"):
        fail("--format xlsx needs --output FILE.xlsx", EXIT_USAGE)
    check_outputs({"--output": output, "--chart": chart},
                  [timesheet, policy, roster, schedule, map_file, *proposals, on_costs], force)
    pol = read_policy(policy)
    mapped = _mapped(timesheet, map_file, sheet, pol.timezone)
    oc = read_on_costs(on_costs)
    run: CostRun = run_cost(timesheet, pol, roster, schedule, list(proposals), oc, peer_role,
                            sheet=sheet, raw_timesheet=mapped,
                            period=tuple(d.date() for d in period) if period else None, employee=employee)
    data = render_cost(run.report, fmt, oc)
    image = gap_chart(run.report) if chart else None  # both outputs rendered before either is written
    report_problems(run.problems)
    for w in run.report["warnings"]:
        click.echo(f"warning: {w}", err=True)
    emit(data, output, force)
    if chart:
        atomic_write(chart, image)
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
    render = _blanks(to_markdown if fmt == "md" else to_table)
    return (f"\n{heading}{title}{rule}\n\n" + render(side_by_side(run.report)) + "\n"
            + render(gap_frame(run.report)[["proposal", "role", "gap_before_pct", "gap_after_pct", "points_closed",
                                            "run_rate_per_point"]]))
