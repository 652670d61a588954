"""`peerpay pay --export VENDOR|MAP`: the pay lines as a payroll system's earnings import (docs/audit.md)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import click
import pandas as pd

from typing import TYPE_CHECKING

from .common import EXIT_OK, EXIT_REJECTED, EXIT_USAGE, check_outputs, emit, fail, finish, report_problems, write_file


if TYPE_CHECKING:
    from ..io.earnings_map import EarningsMap


@dataclass(frozen=True)
class ExportSpec:
    emap: EarningsMap
    source: str  # the shipped map's name or the file given
    control_path: str | None  # NAME.control.csv beside --output, when the layout keeps its totals in a file


def control_path(output: str) -> str:
    """``PRHLREPI.csv`` -> ``PRHLREPI.control.csv``: the control totals beside the import."""
    p = Path(output)
    return str(p.with_name(f"{p.stem}.control{p.suffix or '.csv'}"))


def load_export(export: str, fmt: str | None, output: str | None, force: bool, inputs, unsupported: list[str]) -> ExportSpec:
    """Before any work: the layout loads, the options fit, and every file it writes may be written (exit 2 if not)."""
    if unsupported:
        fail(f"--export writes the pay lines of one timesheet on the local engine: not with {', '.join(unsupported)}", EXIT_USAGE)
    if fmt is not None and fmt.lower() != "csv":
        fail(f"--export writes the payroll system's CSV import: leave out --format {fmt.lower()}", EXIT_USAGE)
    if output not in (None, "-") and Path(output).suffix.lower() not in (".csv", ".txt", ""):
        fail(f"--export writes a CSV import: name --output NAME.csv, not {Path(output).name}", EXIT_USAGE)
    from ..errors import InputError
    from ..io.payroll_import import vendor_map

    try:
        emap, source = vendor_map(export)
    except InputError as exc:
        fail(str(exc), EXIT_USAGE if not Path(export).exists() else 1)
    control = None
    if emap.export.control == "file" and output not in (None, "-"):  # type: ignore[union-attr]
        control = control_path(output)
        check_outputs({"--output": output, "--export (control totals)": control}, inputs, force)
    return ExportSpec(emap, source, control)


def export_pay(run, spec: ExportSpec, output: str | None, force: bool, rejects: str | None, notes=()) -> None:
    """Render the import (and its control totals), then write them; stderr says what was written
    (and ``notes``: the pay period's partial workweeks). Exits."""
    from ..io.payroll_import import csv_text, write_import
    from ..io.writers import to_csv
    from .pay import _recon_line

    recon = run.reconciliation
    if not recon["balanced"]:
        fail(f"internal reconciliation failed: {recon}")
    made = write_import(run.result.lines, run.result.differential_names, run.policy, spec.emap)
    control = csv_text(made.control) if spec.control_path else None
    rejected = to_csv(pd.DataFrame([p.as_json() for p in run.problems], columns=["file", "row", "column", "reason"])) if rejects else None
    report_problems(run.problems)
    if rejects:
        write_file(rejects, rejected or "")
    emit(made.text, output, force)
    if spec.control_path:
        emit(control or "", spec.control_path, force)
    total = made.control.iloc[-1]
    where = f"; control totals in {spec.control_path}" if spec.control_path else ""
    click.echo(f"export: {spec.source}: {int(total['lines'])} lines for {int(total['employees'])} employee(s), "
               f"hours {total['hours']}, amount ${total['amount']}{where}", err=True)
    if spec.emap.export is not None and spec.emap.export.control == "file" and not spec.control_path:
        click.echo("export: control totals (give --output FILE.csv to write them beside the import):", err=True)
        click.echo(made.control.to_string(index=False), err=True)
    click.echo(_recon_line({"reconciliation": recon}), err=True)
    for note in notes:
        click.echo(f"note: {note}", err=True)
    finish(EXIT_REJECTED if run.problems else EXIT_OK)
