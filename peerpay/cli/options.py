"""The options several commands share, declared once, and the command class that groups ``--help``.

Why one module: the same idea has the same flag in every command (``--timesheet``, ``--from``/
``--to``, ``--employee``, ``--statements``, ``--format``, ``--output``, ``--force``...), with
the same short form, type and wording. A command imports the declarations it needs from here
(and no command imports another command's module for them).

:class:`PeerpayCommand` prints ``--help`` in sections, the clerk's options first (inputs, what to
pay, output) and the scale-out settings last in their own section, and accepts the old names of
renamed options for one release (:data:`RENAMED`): each is rewritten to the new name before
parsing, with a deprecation note on stderr, and none is shown in ``--help``.

No pandas here: ``peerpay --help`` and a command's ``--help`` stay fast.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

import click

# ------------------------------------------------------------------------------ help sections

INPUTS, FILTERS, OUTPUT, SCALE, OTHER = "Inputs", "Period and employees", "Output", "Scale-out (large timesheets, dask)", "Options"
#: the order sections are printed in: what a clerk needs first, scale-out settings last
SECTION_ORDER = (INPUTS, OTHER, FILTERS, OUTPUT, SCALE)
#: option name (click's parameter name) -> its section; an option not listed is in "Options"
SECTION_OF = {
    **dict.fromkeys(("timesheet", "policy", "roster", "schedule", "sheet", "map_file", "unpaid", "credentials", "proposals",
                     "on_costs", "stipend_file", "stipends", "more_timesheets", "reference", "samples"), INPUTS),
    **dict.fromkeys(("date_from", "date_to", "employees", "as_of"), FILTERS),
    **dict.fromkeys(("fmt", "output", "detail", "rejects", "statements", "stubs_dir", "with_names", "force", "chart", "copy"),
                    OUTPUT),
    **dict.fromkeys(("engine", "scheduler", "partitions", "output_dir"), SCALE),
}

#: Renamed options, accepted under their old name for one release (hidden from --help):
#: command -> old flag -> the new flag(s); an old flag that took two values (``--period FROM TO``)
#: becomes one new flag per value. docs/formats.md lists them.
RENAMED: dict[str, dict[str, tuple[str, ...]]] = {
    "pay": {"--stubs": ("--statements",)},
    "cost": {"--period": ("--from", "--to"), "--employee": ("--statement-for",)},
}


def renamed_args(command: str, args: list[str], takes: dict[str, int] | None = None) -> tuple[list[str], list[str]]:
    """``args`` with the old names of :data:`RENAMED` options replaced by the new ones, and a
    deprecation note per old name used. Values are never rewritten: ``takes`` (flag -> how many
    values it takes) skips the value(s) after an option, and everything after ``--`` is kept."""
    table, takes = RENAMED.get(command, {}), takes or {}
    out: list[str] = []
    notes: list[str] = []
    i = 0
    while i < len(args):
        arg = args[i]
        if arg == "--":
            out += args[i:]
            break
        name, eq, inline = arg.partition("=")
        new = table.get(name)
        if new is None:
            skip = 0 if eq else takes.get(arg, 0)
            out += args[i:i + 1 + skip]
            i += 1 + skip
            continue
        values = ([inline] if eq else []) + args[i + 1:i + 1 + len(new) - (1 if eq else 0)]
        i += 1 + len(values) - (1 if eq else 0)
        for flag, value in zip(new, values):
            out += [flag, value]
        if len(values) < len(new):  # a value is missing: click names the option that lacks it
            out.append(new[len(values)])
        note = f"{name} is now {' '.join(new)}" + (" (one value each)" if len(new) > 1 else "")
        if note not in notes:
            notes.append(note)
    return out, [f"peerpay {command}: {n}; the old name is accepted until the next release" for n in notes]


class PeerpayCommand(click.Command):
    """A command whose ``--help`` lists its options in sections and which accepts renamed options' old names."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        takes = {flag: 0 if p.is_flag or p.count else p.nargs for p in self.params if isinstance(p, click.Option)
                 for flag in (*p.opts, *p.secondary_opts)}
        args, notes = renamed_args(self.name or "", list(args), takes)
        for note in notes:
            click.echo(f"deprecated: {note}", err=True)
        return super().parse_args(ctx, args)

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        sections: dict[str, list[tuple[str, str]]] = {}
        help_record = None
        for param in self.get_params(ctx):
            record = param.get_help_record(ctx)
            if record is None:
                continue
            if isinstance(param, click.Option) and "--help" in param.opts:  # --help closes the listing, whatever the last section
                help_record = record
                continue
            sections.setdefault(SECTION_OF.get(param.name or "", OTHER), []).append(record)
        titles = sorted(sections, key=lambda t: SECTION_ORDER.index(t) if t in SECTION_ORDER else len(SECTION_ORDER))
        if help_record is not None:
            sections.setdefault(titles[-1] if titles else OTHER, []).append(help_record)
            titles = titles or [OTHER]
        for title in titles:
            with formatter.section(title):
                formatter.write_dl(sections[title])


class FormatChoice(click.Choice):
    """A ``--format`` choice that also takes old names (``human`` for ``table``), with a note on stderr."""

    def __init__(self, choices, old: dict[str, str] | None = None, case_sensitive: bool = False):
        super().__init__(choices, case_sensitive=case_sensitive)
        self.old = dict(old or {})

    def convert(self, value, param, ctx):
        key = str(value).lower()
        if key in self.old:
            command = ctx.command.name if ctx is not None else ""
            click.echo(f"deprecated: peerpay {command}: --format {key} is now --format {self.old[key]}; the old name is accepted "
                       "until the next release", err=True)
            return self.old[key]
        return super().convert(value, param, ctx)


# ------------------------------------------------------------------------------ declarations

Decorator = Callable[[Callable], Callable]
FILE = click.Path(dir_okay=False)
FOLDER = click.Path(file_okay=False)
DATE = click.DateTime(["%Y-%m-%d"])


def stack(*decorators: Decorator) -> Decorator:
    """Several option decorators as one, applied so the options keep the order written."""

    def apply(fn):
        for d in reversed(decorators):
            fn = d(fn)
        return fn

    return apply


def timesheet_option(required: bool = True, many: bool = False, help: str | None = None) -> Decorator:
    return click.option("--timesheet", "-t", required=required, type=FILE, multiple=many,
                        help=help or ("Shifts: CSV or XLSX, one row per shift."
                                      + (" Repeat it (or give a glob) for several employers' timesheets." if many else "")))


def policy_option(required: bool = True, help: str = "Pay policy TOML.") -> Decorator:
    return click.option("--policy", "-p", required=required, type=FILE, help=help)


def roster_option(required: bool = False, help: str = "Roster: employee_id, role, step (optional name, fte, hire_date).") -> Decorator:
    return click.option("--roster", "-r", required=required, type=FILE, help=help)


def schedule_option(required: bool = False, help: str = "Wage schedule: role, step, hourly_rate|annual_salary.") -> Decorator:
    return click.option("--schedule", "-s", required=required, type=FILE, help=help)


sheet_option = click.option("--sheet", help="XLSX sheet name of the timesheet (default: the first).")
map_option = click.option("--map", "map_file", type=FILE, help="Column map for a payroll export (TOML; docs/exports.md).")


def pay_inputs(many: bool = False) -> Decorator:
    """--timesheet, --policy, --roster, --schedule, --sheet, --map: what ``pay`` and ``cost`` read."""
    return stack(timesheet_option(many=many), policy_option(), roster_option(), schedule_option(), sheet_option, map_option)


def format_option(choices=None, default: str | None = None, old: dict[str, str] | None = None) -> Decorator:
    """``--format``/``-f``: every document format (default: from --output's extension), or ``choices``."""
    from .common import FORMAT_HELP, FORMATS

    kind = FORMATS if choices is None else FormatChoice(choices, old)
    return click.option("--format", "-f", "fmt", type=kind, default=default, show_default=default is not None,
                        help=FORMAT_HELP if choices is None else f"Output format: {', '.join(choices)}.")


output_option = click.option("--output", "-o", type=FILE, help="Write here (atomically) instead of stdout.")


def force_option(help: str = "Overwrite existing output files.") -> Decorator:
    return click.option("--force", is_flag=True, help=help)


def period_options(from_help: str, to_help: str = "Last day of the period (inclusive).") -> Decorator:
    """--from/--to: the days a run covers (``pay``: the pay period to report; ``cost``: the days the timesheet stands for)."""
    return stack(click.option("--from", "date_from", type=DATE, metavar="DATE", help=from_help),
                 click.option("--to", "date_to", type=DATE, metavar="DATE", help=to_help))


employee_option = click.option("--employee", "employees", multiple=True, metavar="ID",
                               help="Only this employee (repeatable); every row is still paid or rejected and counted.")
rejects_option = click.option("--rejects", type=FILE, help="Also write the rejected rows to this CSV.")


def statements_option(help: str) -> Decorator:
    return click.option("--statements", type=FOLDER, metavar="DIR", help=help)


with_names_option = click.option("--with-names", is_flag=True, help="Add the roster's name beside each employee id (needs "
                                 "--roster with a name column; a private report: never publish it). Off by default.")


def mapped_timesheet(timesheet, map_file, sheet, timezone):
    """What ``--map`` reads: the export through its column map (None without ``--map``)."""
    if map_file is None:
        return None
    from ..io.exports import apply_map_to_file

    return apply_map_to_file(timesheet, map_file, sheet, timezone)


# ------------------------------------------------------------------------------ what changes a back-pay claim
#
# ``peerpay backpay`` and ``peerpay audit --claim`` price weeks by the same measures (docs/formats.md
# §6), so the options that change a claim are declared here once, with one meaning, and validated
# and recorded by :func:`claim_settings`.

as_of_claim_option = click.option("--as-of", "as_of", type=DATE, metavar="DATE",
                                  help="Date the lookback counts back from (default: the latest date in any input file).")
lookback_years_option = click.option("--lookback-years", type=click.IntRange(1, 50),
                                     help="Years back for the federal measure (default 2; 3 with --willful; 29 U.S.C. 255(a)).")
willful_option = click.option("--willful", is_flag=True,
                              help="A willful violation: 3 years federal, and the state's willful period where it has one.")
state_lookback_years_option = click.option("--state-lookback-years", type=click.IntRange(1, 50),
                                           help="Years back for the state and contract measures (default: the state's period "
                                                "from the shipped table, else federal).")
liquidated_option = click.option("--liquidated", type=click.Choice(["federal", "all"]), default="federal", show_default=True,
                                 help="federal: liquidated damages equal the federal back wages (29 U.S.C. 216(b)); all: equal to "
                                      "the claim (state laws that double all unpaid wages, e.g. N.Y. Labor Law 198(1-a)).")
no_liquidated_option = click.option("--no-liquidated", is_flag=True,
                                    help="Liquidated damages 0 (an employer's good-faith defence, 29 U.S.C. 260, is for a court).")


def jurisdiction_option(help: str = "US or US-XX for the state measure's minimum wage and limitation period (default: the state "
                                    "the policy names, e.g. its holiday calendar's; else US).") -> Decorator:
    return click.option("--jurisdiction", help=help)


def minimum_wage_option(help: str = "Hourly minimum wage for the state measure instead of the table's (e.g. a county rate); the "
                                    "federal measure keeps the federal minimum.") -> Decorator:
    return click.option("--minimum-wage", "minimum_wage", help=help)


def claim_options() -> Decorator:
    """--as-of, --lookback-years, --willful, --state-lookback-years, --liquidated, --no-liquidated,
    --jurisdiction, --minimum-wage: what changes a back-pay claim (``backpay``, ``audit --claim``)."""
    return stack(as_of_claim_option, lookback_years_option, willful_option, state_lookback_years_option, liquidated_option,
                 no_liquidated_option, jurisdiction_option(), minimum_wage_option())


#: the parameter names :func:`claim_options` declares, with their defaults (an option left at its default was not given)
CLAIM_DEFAULTS = {"as_of": None, "lookback_years": None, "willful": False, "state_lookback_years": None, "liquidated": "federal",
                  "no_liquidated": False, "jurisdiction": None, "minimum_wage": None}


@dataclass(frozen=True)
class ClaimSettings:
    """The claim options, checked: what the back-pay job takes (:meth:`job`) and what the run record lists (:meth:`record`)."""

    as_of: date | None
    lookback_years: int  # federal: 2, 3 when willful, or --lookback-years
    willful: bool
    state_lookback_years: int | None
    liquidated: str  # "federal", "all" or "none"
    jurisdiction: str | None
    minimum_wage: str | None

    def job(self) -> dict:
        """Keywords of ``run_backpay`` and ``audit_claim``."""
        return {"as_of": self.as_of, "lookback_years": self.lookback_years, "willful": self.willful,
                "state_lookback_years": self.state_lookback_years, "liquidated": self.liquidated,
                "jurisdiction": self.jurisdiction, "minimum_wage_override": self.minimum_wage}

    def record(self) -> dict:
        """The run record's options (docs/backpay.md)."""
        return {"lookback_years": self.lookback_years, "willful": self.willful or None, "jurisdiction": self.jurisdiction,
                "state_lookback_years": self.state_lookback_years, "liquidated": self.liquidated,
                "as_of": self.as_of.isoformat() if self.as_of else None, "minimum_wage": self.minimum_wage}


def claim_given(**values) -> list[str]:
    """The claim options given (not at their defaults), as flags: ``["--willful", "--liquidated"]``."""
    return [f"--{k.replace('_', '-')}" for k, default in CLAIM_DEFAULTS.items() if values.get(k, default) != default]


def claim_settings(as_of, lookback_years, willful, state_lookback_years, liquidated, no_liquidated, jurisdiction,
                   minimum_wage) -> ClaimSettings:
    """The claim options checked as one (a contradiction is a usage error, exit 2)."""
    from .common import EXIT_USAGE, fail

    if willful and lookback_years not in (None, 3):
        fail("--willful means a 3-year federal lookback; do not also give --lookback-years", EXIT_USAGE)
    if no_liquidated and liquidated != "federal":
        fail("--no-liquidated and --liquidated all contradict each other; give one", EXIT_USAGE)
    check_amount(minimum_wage, "--minimum-wage")
    return ClaimSettings(as_of.date() if isinstance(as_of, datetime) else as_of, 3 if willful else (lookback_years or 2), willful,
                         state_lookback_years, "none" if no_liquidated else liquidated, jurisdiction, minimum_wage)


def check_amount(value, option: str) -> None:
    """A dollar amount option (``--minimum-wage``, ``--living-wage``): a positive number, else exit 2."""
    if value is None:
        return
    from ..core.money import to_decimal
    from .common import EXIT_USAGE, fail

    try:
        ok = to_decimal(value) > 0
    except ValueError:
        ok = False
    if not ok:
        fail(f"{option} must be a positive amount in dollars per hour, not {value!r}", EXIT_USAGE)
