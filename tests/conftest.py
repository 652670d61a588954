"""Shared helpers for the pay-engine tests: tiny inline files in tmp_path, one call to pay them.

Golden files (tests/golden/pay_*) are regenerated with::

    python -m pytest tests/test_pay_cli.py --regen-golden

which rewrites them from the current code; review the diff before committing.
"""

from __future__ import annotations

import importlib.util
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from peerpay.cli import main
from peerpay.jobs.pay import run_pay

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "samples"
GOLDEN = Path(__file__).resolve().parent / "golden"


def pytest_addoption(parser):
    parser.addoption("--regen-golden", action="store_true", default=False,
                     help="rewrite tests/golden/* from the current output instead of comparing")


@pytest.fixture
def regen_golden(request) -> bool:
    return bool(request.config.getoption("--regen-golden"))


def dedent(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


class Files:
    """Writes small inline files into one tmp folder and pays them."""

    def __init__(self, folder: Path):
        self.folder = folder

    def write(self, name: str, text: str) -> Path:
        path = self.folder / name
        path.write_text(dedent(text), encoding="utf-8")
        return path

    def pay(self, timesheet: str, policy: str = "", roster: str | None = None, schedule: str | None = None):
        """Pay an inline timesheet under an inline policy; returns the :class:`PayRun`."""
        ts = self.write("timesheet.csv", timesheet)
        pol = self.write("policy.toml", policy)
        ros = self.write("roster.csv", roster) if roster is not None else None
        sch = self.write("schedule.csv", schedule) if schedule is not None else None
        return run_pay(ts, pol, ros, sch)


@pytest.fixture
def files(tmp_path) -> Files:
    return Files(tmp_path)


def lines_by_week(run) -> dict[tuple[str, str], dict]:
    """The report's lines keyed by (employee_id, week_start)."""
    return {(ln["employee_id"], ln["week_start"]): ln for ln in run.report["lines"]}


def only_line(run) -> dict:
    lines = run.report["lines"]
    assert len(lines) == 1, lines
    return lines[0]


@pytest.fixture
def cli():
    """Invoke ``peerpay`` in-process: ``cli(["pay", ...]) -> click Result`` (stderr separate)."""
    runner = CliRunner()

    def invoke(args, **kw):
        return runner.invoke(main, [str(a) for a in args], catch_exceptions=False, **kw)

    return invoke


def generated_timesheets(directory: Path, shifts: int, spoiled: int, seed: int, parts: int = 3):
    """Benchmark-generator data for the engine-equality tests: one CSV, the same rows split into
    ``parts`` CSVs under ``csv/``, and the matching policy. Returns (table, part bounds)."""
    spec = importlib.util.spec_from_file_location("generate_timesheets", REPO / "benchmarks" / "generate_timesheets.py")
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    table = gen.corrupt(gen.generate(shifts, seed=seed), spoiled, seed=seed)
    gen.write_csv(table, directory / "ts.csv")
    n = len(table)
    bounds = [n * i // parts for i in range(parts + 1)]
    for i in range(parts):
        gen.write_csv(table.slice(bounds[i], bounds[i + 1] - bounds[i]), directory / "csv" / f"part-{i}.csv")
    (directory / "policy.toml").write_text(gen.POLICY)
    return table, bounds
