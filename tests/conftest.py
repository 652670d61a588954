"""Shared helpers for the tests: tiny inline files in tmp_path, one call to pay them, golden files.

Golden files (tests/golden/*) are compared by :func:`check_golden` and regenerated with::

    python -m pytest --regen-golden

which rewrites them from the current code; review the diff before committing.

Hypothesis profiles: ``default`` (fast, for working) and ``ci`` (thorough, ``HYPOTHESIS_PROFILE=ci``;
``.ci/run`` selects it). A test's ``max_examples`` is scaled by :func:`examples`.
"""

from __future__ import annotations

import importlib.util
import json
import os
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, settings

from peerpay.cli import main
from peerpay.jobs.pay import run_pay

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "samples"
GOLDEN = Path(__file__).resolve().parent / "golden"

settings.register_profile("default", max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("ci", deadline=None, suppress_health_check=[HealthCheck.too_slow], max_examples=200)
PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "default")
settings.load_profile(PROFILE)
_SCALE = 3 if PROFILE == "ci" else 1


@pytest.fixture(autouse=True)
def _fixed_run_time(monkeypatch):
    """Every run record carries one run time, so reports and goldens are reproducible."""
    monkeypatch.setenv("PEERPAY_RUN_TIME", "2025-12-01T09:00:00+00:00")


def examples(n: int) -> int:
    """A test's example count under the loaded profile: ``n`` by default, 3 x ``n`` under ``ci``."""
    return n * _SCALE


def check_golden(name: str, text: str, regen: bool, *, as_json: bool = False) -> None:
    """``text`` must equal tests/golden/``name`` byte for byte; ``--regen-golden`` rewrites it instead.

    ``as_json``: compare the parsed JSON first, for a readable diff when a value moved.
    """
    path = GOLDEN / name
    if regen:
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
        pytest.skip(f"regenerated {name}")
    assert path.exists(), f"{name} is missing: run python -m pytest --regen-golden"
    expected = path.read_text(encoding="utf-8")
    if as_json:
        assert json.loads(text) == json.loads(expected)
    assert text == expected, f"{name} changed: rerun with --regen-golden and review the diff"


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


COST_SAMPLE_ARGS = ["cost", "-t", SAMPLES / "timesheet.csv", "-p", SAMPLES / "policy.toml", "-r", SAMPLES / "roster.csv",
                    "-s", SAMPLES / "schedule.csv", "--proposal", SAMPLES / "proposals" / "union.toml",
                    "--proposal", SAMPLES / "proposals" / "management.toml",
                    "--on-costs", SAMPLES / "proposals" / "oncosts.toml"]


@pytest.fixture(scope="session")
def cost_sample():
    """``cost_sample(fmt) -> stdout`` of the samples' costing (union vs management), each format run
    once per session: the costing of the samples is the slowest CLI call, and several tests read it."""
    cache: dict[str, str] = {}

    def run(fmt: str) -> str:
        if fmt not in cache:
            result = CliRunner().invoke(main, [str(a) for a in COST_SAMPLE_ARGS] + ["--format", fmt], catch_exceptions=False)
            assert result.exit_code == 0, result.output
            cache[fmt] = result.stdout
        return cache[fmt]

    return run


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


#: Out-of-class policies for the engine-equality tests (docs/out-of-class.md): the samples' policy plus one of these.
OUT_OF_CLASS_POLICIES = {
    "same_step_day_minimum": '[out_of_class]\nmethod = "same_step"\nminimum_hours = 2\nper = "day"\n',
    "first_higher_step_run_of_days": '[out_of_class]\nmethod = "first_higher_step"\nmin_increase_percent = 5\n'
                                     'when_none_higher = "increase"\nminimum_hours = 3\nper = "shift"\nminimum_days = 2\n',
}


def out_of_class_samples(directory: Path, policy: str = "same_step_day_minimum") -> tuple[Path, Path]:
    """The sample timesheet with a ``duty_role`` column (two peer rows in three case management, every
    fourth community health worker row, call-backs and on-call rows included, supervision; one row
    with a duty role the schedule lacks: rejected) and the samples' policy with ``[out_of_class]``.
    Returns (timesheet, policy)."""
    import csv

    rows = list(csv.reader((SAMPLES / "timesheet.csv").open(newline="")))
    peers, chws = {f"HL00{i}" for i in range(1, 8)}, {"HL009", "HL010"}
    out = [rows[0] + ["duty_role"]]
    for i, r in enumerate(rows[1:]):
        duty = ("case_manager" if r[0] in peers and i % 3 != 2 else "peer_supervisor" if r[0] in chws and i % 4 == 0 else "")
        out.append(r + ["janitor" if i == 17 else duty])
    timesheet, policy_path = directory / "ooc_timesheet.csv", directory / f"ooc_{policy}.toml"
    with timesheet.open("w", newline="") as f:
        csv.writer(f).writerows(out)
    policy_path.write_text((SAMPLES / "policy.toml").read_text() + "\n" + OUT_OF_CLASS_POLICIES[policy])
    return timesheet, policy_path
