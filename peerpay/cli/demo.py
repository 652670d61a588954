"""`peerpay demo`: the whole job on the samples shipped with peerpay, and ``--copy DIR`` to get them.

Why the shipped samples and not ``./samples``: the demo must work in any folder, including one
that holds a ``samples/`` of its own (a reader's copy they have since edited, another project's
folder). ``--samples DIR`` runs it on another folder; ``--copy DIR`` puts the shipped samples in
a folder so the README's ``samples/...`` commands run after a wheel install.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import click

from ..io.document import Document, Heading, Table, Text, render
from .common import EXIT_INPUT, EXIT_USAGE, fail, handles_input_errors
from .options import PeerpayCommand


def shipped_samples() -> Path:
    """The samples folder inside the installed package."""
    from ..io.resources import SAMPLES_DIR, package_dir

    shipped = package_dir(SAMPLES_DIR)
    if shipped is None or not (shipped / "timesheet.csv").exists():
        fail("the samples shipped with peerpay are missing from this installation (reinstall it, or pass --samples DIR)", EXIT_INPUT)
    return shipped


def find_samples(explicit: str | None) -> Path:
    """``--samples DIR``, else the copy shipped in the package (whatever the current folder holds)."""
    if explicit is None:
        return shipped_samples()
    d = Path(explicit)
    if not (d / "timesheet.csv").exists():
        fail(f"--samples {explicit}: no timesheet.csv there (leave --samples out to use the samples shipped with peerpay)", EXIT_INPUT)
    return d


def sample_files(folder: Path) -> list[Path]:
    """Every sample file (relative paths), without the scripts that generate them."""
    return sorted(p.relative_to(folder) for p in folder.rglob("*")
                  if p.is_file() and p.suffix != ".py" and "__pycache__" not in p.parts)


def copy_samples(target: str, force: bool) -> tuple[list[Path], list[Path]]:
    """Copy the shipped samples into ``target`` (created if needed): (files copied, files already there, identical).

    A file that is there with the same bytes is left alone (running the command twice, or in a
    checkout, is harmless); one that differs (a sample the reader edited) is replaced only with
    --force. Every file is checked before the first is copied, so a refused copy leaves nothing behind.
    """
    source, dest = shipped_samples(), Path(target)
    if dest.exists() and not dest.is_dir():
        fail(f"--copy {dest}: is a file; give a folder", EXIT_USAGE)
    files = sample_files(source)
    there = [f for f in files if (dest / f).exists()]
    same = [f for f in there if (dest / f).is_file() and (dest / f).read_bytes() == (source / f).read_bytes()]
    changed = [f for f in there if f not in same]
    if changed and not force:
        fail(f"--copy {dest}: {len(changed)} sample file(s) there differ from the shipped ones ({changed[0]}…); "
             "use --force to replace them, or choose another folder", EXIT_USAGE)
    copied = [f for f in files if f not in same]
    for f in copied:
        (dest / f).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source / f, dest / f)
    return copied, same


def next_steps(d: Path, copied: bool = False) -> str:
    """What to try after the demo (or a ``--copy``): the three commands on the same samples, ready to paste."""
    from shlex import quote

    s = {name: quote(str(d / name)) for name in ("timesheet.csv", "policy.toml", "roster.csv", "schedule.csv")}
    union = quote(str(d / "proposals" / "union.toml"))
    return (
        "\nTry next (the same samples; add --format xlsx --output FILE.xlsx for a workbook):\n"
        f"  peerpay pay --timesheet {s['timesheet.csv']} --policy {s['policy.toml']} --roster {s['roster.csv']} --schedule {s['schedule.csv']}\n"
        f"  peerpay gap --roster {s['roster.csv']} --schedule {s['schedule.csv']} --peer-role peer_specialist --reference bls-2025\n"
        f"  peerpay cost --timesheet {s['timesheet.csv']} --policy {s['policy.toml']} --roster {s['roster.csv']} --schedule {s['schedule.csv']} "
        f"--proposal {union}\n"
        + ("" if copied else "A copy of these files to edit: `peerpay demo --copy samples`. ")
        + "Your own files: `peerpay init` writes a starter policy.toml and map.toml.\n"
    )


@click.command("demo", cls=PeerpayCommand)
@click.option("--samples", type=click.Path(file_okay=False), metavar="DIR",
              help="Run on the sample files in DIR (default: the samples shipped with peerpay, whatever folder you are in).")
@click.option("--copy", metavar="DIR", type=click.Path(file_okay=False),
              help="Copy the shipped samples into DIR (e.g. 'samples', for the README's commands) and stop.")
@click.option("--format", "-f", "fmt", type=click.Choice(["table", "md"]), default="table", show_default=True,
              help="Print the reports as plain-text tables or Markdown.")
@click.option("--force", is_flag=True, help="With --copy: replace sample files in DIR that differ from the shipped ones.")
@handles_input_errors
def command(samples, copy, fmt, force):
    """Run the whole job on the bundled samples and print the reports."""
    if copy is not None:
        if samples is not None:
            fail("--copy copies the samples shipped with peerpay: leave out --samples", EXIT_USAGE)
        copied, same = copy_samples(copy, force)
        click.echo(f"copied {len(copied)} sample files into {copy}" + (f" ({len(same)} already there, unchanged)" if same else ""))
        click.echo(next_steps(Path(copy), copied=True), nl=False)
        return
    from ..jobs.pay import run_pay
    from . import audit, backpay, cost, gap
    from .pay import render_pay

    d = find_samples(samples)
    run = run_pay(d / "timesheet.csv", d / "policy.toml", d / "roster.csv", d / "schedule.csv")
    click.echo(f"peerpay demo: {d}\n")
    click.echo(render_pay(run, fmt, detail=False))
    for mod in (gap, cost, backpay, audit):
        click.echo(mod.demo_section(d, fmt))
    click.echo(demo_person_section(d, fmt))
    click.echo(next_steps(d))


def demo_person_section(d: Path, fmt: str) -> str:
    """The demo's issue-14 section: a person at two employers (samples/timesheet_employer2.csv),
    the joint-employment what-if, and certified peers paid the CPRS premium (samples/premium.toml
    appended to the sample policy; samples/credentials.csv)."""
    from ..jobs.pay import run_pay_many
    from ..models.policy import loads_policy
    from .pay import person_document

    second, premium, creds = d / "timesheet_employer2.csv", d / "premium.toml", d / "credentials.csv"
    if not (second.exists() and premium.exists() and creds.exists()):
        return ""
    pol = loads_policy((d / "policy.toml").read_text() + "\n" + premium.read_text())
    run = run_pay_many([d / "timesheet.csv", second], pol, d / "roster.csv", d / "schedule.csv", credentials=creds)
    lines = run.result.lines
    paid = lines[lines["diff:cprs"] > 0].groupby("employee_id", as_index=False).agg(
        weeks=("week_start", "size"), credential_premium=("diff:cprs", "sum"), gross_pay=("gross_pay", "sum"))
    paid[["credential_premium", "gross_pay"]] = paid[["credential_premium", "gross_pay"]] / 100
    doc = person_document(run, only_shared=True)
    extra = Document("credential premium", blocks=[
        Heading("Credential premium (CPRS, $1.00/h from the certification date; 29 CFR 778.207(b))"),
        Table(paid, kinds={"credential_premium": "money", "gross_pay": "money"}), Text("\n")])
    fmt = "md" if fmt == "md" else "table"
    return ("\n" + (("## " if fmt == "md" else "") + "One person across employers, and credentials that pay\n\n")
            + str(render(doc, fmt)) + "\n" + str(render(extra, fmt)))
