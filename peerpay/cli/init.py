"""`peerpay init`: write a starter policy and column map, with comments, to edit."""

from __future__ import annotations

from pathlib import Path

import click

from .common import EXIT_USAGE, commit_outputs, fail, handles_input_errors, write_file

STARTER_POLICY = '''\
# peerpay pay policy (starter written by `peerpay init`). Every key is optional: delete a
# section and that rule does not apply. Check it with: peerpay validate --policy policy.toml

# IANA zone of the timesheet's wall-clock times: hours are real elapsed time across DST.
timezone = "America/New_York"

[workweek]
# FLSA: a fixed, regularly recurring 168-hour period (29 CFR 778.105).
start_day = "sunday"

[pay_period]
# How often payroll runs: "weekly", "biweekly", "semimonthly" (1st-15th, 16th-end) or "monthly".
# anchor: any date one of your pay periods starts on (biweekly needs it); put it on the workweek's
# first day, or every period cuts a workweek. Reports flag only the workweeks a period cuts.
frequency = "biweekly"
anchor = 2026-01-11        # a Sunday

[overtime]
weekly_hours = 40          # 29 U.S.C. 207(a): 1.5x the regular rate after 40 h a workweek
# daily_hours = 8          # only if a state law or your contract requires daily overtime
multiplier = 1.5
basis = "regular_rate"     # FLSA: the regular rate includes differentials (29 CFR 778.207(b))

[[differential]]           # repeat this block for each differential
name = "night"
start = "23:00"            # [start, end) in local time; may wrap past midnight
end = "07:00"
per_hour = 2.00            # dollars per hour worked inside the window (or: percent = 10)
group = "shift"            # within one group only the highest differential applies

[holiday]
country = "US"
# subdivision = "MD"       # a state adds its own holidays
# dates = ["2025-12-26"]   # extra holiday dates
multiplier = 1.5           # hours worked on a holiday earn (multiplier - 1) x base extra

[on_call]
standby_per_hour = 3.00    # paid for every on_call hour (not hours worked: 29 CFR 785.17)
callback_multiplier = 1.5  # callback hours are paid at multiplier x base ...
callback_minimum_hours = 2 # ... for at least this many hours per callback row
'''

STARTER_MAP = '''\
# peerpay column map (starter written by `peerpay init`): how to read your payroll export.
# Use it with: peerpay pay --timesheet export.csv --map map.toml ...
# Check it with: peerpay validate --timesheet export.csv --map map.toml
# Column names are matched ignoring case and surrounding spaces. See docs/exports.md.
name = "My payroll export"

[columns]                  # peerpay column = the export's column
employee_id = "Employee ID"
# role = "Job"             # optional: overrides the roster's role
# rate = "Rate"            # optional: base hourly rate in dollars

# Where each shift starts: one date-time column ...
#   column = "Start"  and  format = "%m/%d/%Y %I:%M %p"   (default: ISO 8601, 2025-03-07 23:00)
# ... or a date column and a time column:
[start]
date = "Date"
time = "In"
date_format = "%m/%d/%Y"   # 11/03/2025
time_format = "%I:%M %p"   # 07:58 AM (12-hour clock); "%H:%M" for 19:58

# Where it ends: column = "...", or time = "..." (same date as the start; next day if it is not
# after the start), or hours = "..." (decimal hours after the start, real elapsed time).
[end]
hours = "Hours"

[codes]                    # earnings / pay codes -> kind (matched ignoring case)
column = "Pay Code"
work = ["REG"]
on_call = ["OC", "STBY"]
callback = ["CB"]
drop = ["VAC", "PTO", "SICK", "HOL"]   # not hours worked: left out and counted
hours = "Hours"            # optional: counts the hours of the dropped lines
# other = "reject"         # a code in none of the lists: "reject" (default), "drop" or "work"

# Other layouts (instead of [start] + [end]): [unpivot] for repeating "Hours N Code" groups,
# [punches] for one row per clock punch, [summary] for hours by code and pay period.
'''


STARTER_OVERTIME = STARTER_POLICY[STARTER_POLICY.index("[overtime]"):STARTER_POLICY.index("[[differential]]")]


def starter_policy(state: str | None) -> str:
    """The starter policy; with a state, its [overtime] section is that state's preset written
    out as editable tiers, each with its citation (models/overtime.py)."""
    if state is None:
        return STARTER_POLICY
    from ..models.overtime import TIMEZONES, preset_toml

    state = state.upper()
    text = STARTER_POLICY.replace(STARTER_OVERTIME, preset_toml(state) + "\n")
    if state in TIMEZONES:
        text = text.replace('timezone = "America/New_York"', f'timezone = "{TIMEZONES[state]}"')
    return text


@click.command("init")
@click.argument("folder", default=".", type=click.Path(file_okay=False))
@click.option("--force", is_flag=True, help="Overwrite existing policy.toml / map.toml.")
@click.option("--state", type=click.Choice(["FLSA", "CA", "AK", "NV", "CO"], case_sensitive=False), default=None,
              help="Write this state's overtime law as editable tiers (CA, AK, NV, CO; FLSA: federal only).")
@handles_input_errors
def command(folder, force, state):
    """Write a starter policy.toml and map.toml (with comments) into FOLDER."""
    folder = Path(folder)
    targets = {folder / "policy.toml": starter_policy(state), folder / "map.toml": STARTER_MAP}
    folders = [str(p) for p in targets if p.is_dir()]
    if folders:
        fail(f"{', '.join(folders)}: is a folder; nothing written", EXIT_USAGE)
    existing = [str(p) for p in targets if p.exists()]
    if existing and not force:
        fail(f"{', '.join(existing)} already exist(s); use --force to overwrite", EXIT_USAGE)
    for path, body in targets.items():  # both checked before either is written, and written together
        write_file(path, body)
    commit_outputs()
    for path in targets:
        click.echo(f"wrote {path}")
    from shlex import quote

    policy_path, map_path = (quote(str(p)) for p in targets)
    click.echo(f"next: edit them, then run  peerpay validate --policy {policy_path} --timesheet EXPORT --map {map_path}")
