"""The chunked local engine (--partitions N) pays exactly what the one-frame local engine pays."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from peerpay.cli import main
from peerpay.engines.chunked import bucket_of, run_chunked
from peerpay.io.readers import read_policy
from peerpay.io.writers import to_json
from peerpay.jobs.pay import run_pay
from conftest import OUT_OF_CLASS_POLICIES, generated_timesheets, out_of_class_samples

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "samples"


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    """~5k generated shifts with 24 spoiled rows, as one file and as three files, plus the policy."""
    d = tmp_path_factory.mktemp("gen")
    generated_timesheets(d, 5000, spoiled=24, seed=7)
    return d


def test_samples_identical_to_local():
    pol = read_policy(SAMPLES / "policy.toml")
    args = (SAMPLES / "timesheet.csv", pol, SAMPLES / "roster.csv", SAMPLES / "schedule.csv")
    assert to_json(run_chunked(*args, partitions=3).report) == to_json(run_pay(*args).report)


@pytest.mark.parametrize("partitions", [1, 4, 17])
def test_generated_with_rejections_identical_to_local(generated, partitions):
    pol = read_policy(generated / "policy.toml")
    local = run_pay(generated / "ts.csv", pol)
    chunked = run_chunked(generated / "ts.csv", pol, partitions=partitions)
    assert len(local.report["rejected"]) == 24
    assert to_json(chunked.report) == to_json(local.report)


def test_glob_of_files_names_each_file_and_its_row(generated):
    pol = read_policy(generated / "policy.toml")
    local = run_pay(generated / "ts.csv", pol)
    parts = run_chunked(str(generated / "csv" / "*.csv"), pol, partitions=5)
    assert parts.report["lines"] == local.report["lines"]
    assert parts.report["totals"] == local.report["totals"]
    sizes = [sum(1 for _ in open(p)) - 1 for p in sorted((generated / "csv").glob("*.csv"))]
    offsets = {f"part-{i}.csv": sum(sizes[:i]) for i in range(3)}
    # the same rows are rejected, now named by their own file and row
    assert sorted(offsets[r["file"]] + r["row"] for r in parts.report["rejected"]) == [r["row"] for r in local.report["rejected"]]


def test_buckets_are_stable_and_keep_an_employee_together():
    import pandas as pd

    ids = pd.Series(["E1", "E2", " E1", "E3", "E1 "])
    b = bucket_of(ids, 7)
    assert b[0] == b[2] == b[4]
    assert list(b) == list(bucket_of(ids, 7))
    assert list(bucket_of(pd.Series(["E1"]), 7)) == [b[0]]


def test_cli_partitions_same_json(generated, tmp_path):
    r = CliRunner()
    base = ["pay", "-t", str(generated / "ts.csv"), "-p", str(generated / "policy.toml"), "-f", "json"]
    a = r.invoke(main, base + ["-o", str(tmp_path / "a.json")])
    b = r.invoke(main, base + ["-o", str(tmp_path / "b.json"), "--partitions", "3"])
    assert a.exit_code == b.exit_code == 3
    assert (tmp_path / "a.json").read_text() == (tmp_path / "b.json").read_text()
    assert json.loads((tmp_path / "b.json").read_text())["reconciliation"]["balanced"]


def test_cli_dask_only_options_need_dask(generated):
    r = CliRunner().invoke(main, ["pay", "-t", str(generated / "ts.csv"), "-p", str(generated / "policy.toml"),
                                  "--scheduler", "tcp://127.0.0.1:1"])
    assert r.exit_code == 2


#: The generator's every-rule policy with its [overtime] section replaced by a state preset (issue 26).
PRESETS = ("FLSA", "CA", "AK", "NV", "CO")


def preset_policy(folder: Path, rules: str) -> Path:
    """The generated policy under ``rules`` (its differentials, holidays and on-call kept)."""
    text = (folder / "policy.toml").read_text()
    start = text.index("[overtime]")
    end = text.index("[[differential]]")
    path = folder / f"policy_{rules}.toml"
    path.write_text(text[:start] + f'[overtime]\nrules = "{rules}"\n\n' + text[end:])
    return path


@pytest.mark.parametrize("rules", PRESETS)
def test_every_state_preset_identical_to_local(generated, rules):
    pol = read_policy(preset_policy(generated, rules))
    local = run_pay(generated / "ts.csv", pol)
    assert any(line["double_time_hours"] for line in local.report["lines"]) == (rules == "CA")
    assert sum(line["overtime_hours"] for line in local.report["lines"]) > 0
    for partitions in (1, 5):
        assert to_json(run_chunked(generated / "ts.csv", pol, partitions=partitions).report) == to_json(local.report)


@pytest.mark.parametrize("rules", sorted(OUT_OF_CLASS_POLICIES))
def test_out_of_class_rows_identical_to_local(tmp_path, rules):
    """``duty_role`` rows under ``[out_of_class]`` (docs/out-of-class.md) pay the same in partitions: the
    duty rates, the minimum time per day or shift and over consecutive days (an employee's rows stay in
    one partition), the rejected duty role, and the note that counts the rows."""
    timesheet, policy = out_of_class_samples(tmp_path, rules)
    pol = read_policy(policy)
    args = (timesheet, pol, SAMPLES / "roster.csv", SAMPLES / "schedule.csv")
    local = run_pay(*args)
    assert sum(line["out_of_class_pay"] for line in local.report["lines"]) > 0
    assert [r["column"] for r in local.report["rejected"]] == ["duty_role"]
    for partitions in (1, 3):
        chunked = run_chunked(*args, partitions=partitions)
        assert to_json(chunked.report) == to_json(local.report)
        assert chunked.shifts.attrs["notes"] == local.shifts.attrs["notes"] and "carry a duty_role" in local.shifts.attrs["notes"][-1]


def test_cli_out_of_class_partitions_same_json_and_note(tmp_path):
    timesheet, policy = out_of_class_samples(tmp_path)
    base = ["pay", "-t", str(timesheet), "-p", str(policy), "-r", str(SAMPLES / "roster.csv"), "-s", str(SAMPLES / "schedule.csv"),
            "-f", "json"]
    a = CliRunner().invoke(main, base)
    b = CliRunner().invoke(main, [*base, "--partitions", "3"])
    assert a.exit_code == b.exit_code == 3  # the row with an unknown duty role
    # (a scaled run reports no pay-period scope: the plain run's lines carry "partial_week" as well)
    assert [{k: v for k, v in line.items() if k != "partial_week"} for line in json.loads(a.stdout)["lines"]] == json.loads(b.stdout)["lines"]
    assert json.loads(a.stdout)["totals"] == json.loads(b.stdout)["totals"]
    note = "note: 94 row(s) carry a duty_role: 74 paid out of class, 20 short of the [out_of_class] minimum (or on call)"
    assert note in a.stderr and note in b.stderr
