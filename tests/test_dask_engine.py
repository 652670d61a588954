"""The dask engine pays exactly what the local engine pays, to the cent, with file:row rejections."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

distributed = pytest.importorskip("distributed")
pytest.importorskip("dask.dataframe")

from click.testing import CliRunner  # noqa: E402

from peerpay.cli import main  # noqa: E402
from peerpay.engines.dask_engine import run_dask  # noqa: E402
from peerpay.io.readers import read_policy  # noqa: E402
from peerpay.io.writers import to_json  # noqa: E402
from peerpay.jobs.pay import run_pay  # noqa: E402
from conftest import OUT_OF_CLASS_POLICIES, generated_timesheets, out_of_class_samples  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "samples"
pytestmark = pytest.mark.timeout(240)


@pytest.fixture(scope="module")
def client():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        with distributed.Client(cluster) as c:
            yield c


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    """20k generated shifts with 30 spoiled rows: one CSV, three CSVs, and Parquet with small row groups."""
    import pyarrow.parquet as pq

    d = tmp_path_factory.mktemp("dask")
    table, bounds = generated_timesheets(d, 20_000, spoiled=30, seed=11)
    (d / "pq").mkdir()
    pq.write_table(table, d / "pq" / "ts.parquet", row_group_size=3000)
    return d, bounds


@pytest.fixture(scope="module")
def local(data):
    d, _ = data
    return run_pay(d / "ts.csv", read_policy(d / "policy.toml"))


def test_one_csv_identical_to_local(client, data, local):
    d, _ = data
    run = run_dask(d / "ts.csv", read_policy(d / "policy.toml"), scheduler=client, partitions=4, progress=False)
    assert len(local.report["rejected"]) == 30
    assert to_json(run.report) == to_json(local.report)


def test_glob_of_csv_files_keeps_file_and_row(client, data, local):
    d, bounds = data
    run = run_dask(str(d / "csv" / "*.csv"), read_policy(d / "policy.toml"), scheduler=client, partitions=3, progress=False)
    assert run.report["lines"] == local.report["lines"]
    assert run.report["totals"] == local.report["totals"]
    offsets = {f"part-{i}.csv": bounds[i] for i in range(3)}
    assert sorted(offsets[r["file"]] + r["row"] for r in run.report["rejected"]) == [r["row"] for r in local.report["rejected"]]
    assert all(r["file"].startswith("part-") for r in run.report["rejected"])


def test_parquet_row_groups_identical_to_local(client, data, local):
    d, _ = data
    run = run_dask(d / "pq" / "ts.parquet", read_policy(d / "policy.toml"), scheduler=client, partitions=5, progress=False)
    assert run.report["lines"] == local.report["lines"]
    assert [(r["row"], r["column"], r["reason"]) for r in run.report["rejected"]] == [
        (r["row"], r["column"], r["reason"]) for r in local.report["rejected"]
    ]


def test_samples_with_roster_and_schedule(client):
    pol = read_policy(SAMPLES / "policy.toml")
    args = (SAMPLES / "timesheet.csv", pol, SAMPLES / "roster.csv", SAMPLES / "schedule.csv")
    assert to_json(run_dask(*args, scheduler=client, partitions=3, progress=False).report) == to_json(run_pay(*args).report)


def test_cli_partitioned_output(client, data, local, tmp_path):
    import pandas as pd

    d, _ = data
    out = tmp_path / "out"
    r = CliRunner().invoke(main, ["pay", "-t", str(d / "csv" / "*.csv"), "-p", str(d / "policy.toml"), "--engine", "dask",
                                  "--scheduler", client.scheduler.address, "--partitions", "3", "--output-dir", str(out)])
    assert r.exit_code == 3, r.output
    lines = pd.concat([pd.read_parquet(p) for p in sorted(out.glob("lines-*.parquet"))]).sort_values(["employee_id", "week_start"])
    assert len(lines) == len(local.report["lines"])
    assert round(lines["gross_pay"].sum(), 2) == local.report["totals"]["gross_pay"]
    summary = json.loads((out / "summary.json").read_text())
    assert summary["totals"] == local.report["totals"] and summary["reconciliation"]["balanced"]
    assert len(pd.read_csv(out / "rejected.csv")) == 30


@pytest.mark.parametrize("rules", ["FLSA", "CA", "AK", "NV", "CO"])
def test_every_state_preset_identical_to_local(client, data, rules):
    from test_chunked import preset_policy

    d, _ = data
    pol = read_policy(preset_policy(d, rules))
    run = run_dask(d / "ts.csv", pol, scheduler=client, partitions=4, progress=False)
    assert to_json(run.report) == to_json(run_pay(d / "ts.csv", pol).report)


@pytest.mark.parametrize("rules", sorted(OUT_OF_CLASS_POLICIES))
def test_out_of_class_rows_identical_to_local(client, tmp_path, rules):
    """``duty_role`` rows under ``[out_of_class]`` (docs/out-of-class.md): the same lines, rejections and note."""
    timesheet, policy = out_of_class_samples(tmp_path, rules)
    pol = read_policy(policy)
    args = (timesheet, pol, SAMPLES / "roster.csv", SAMPLES / "schedule.csv")
    local = run_pay(*args)
    run = run_dask(*args, scheduler=client, partitions=3, progress=False)
    assert sum(line["out_of_class_pay"] for line in local.report["lines"]) > 0
    assert to_json(run.report) == to_json(local.report)
    assert run.shifts.attrs["notes"] == local.shifts.attrs["notes"] and "carry a duty_role" in local.shifts.attrs["notes"][-1]


def test_cli_out_of_class_dask_same_json_and_note(client, tmp_path):
    timesheet, policy = out_of_class_samples(tmp_path)
    base = ["pay", "-t", str(timesheet), "-p", str(policy), "-r", str(SAMPLES / "roster.csv"), "-s", str(SAMPLES / "schedule.csv"),
            "-f", "json"]
    a = CliRunner().invoke(main, base)
    b = CliRunner().invoke(main, [*base, "--engine", "dask", "--scheduler", client.scheduler.address, "--partitions", "3"])
    assert a.exit_code == b.exit_code == 3
    # (a scaled run reports no pay-period scope: the plain run's lines carry "partial_week" as well)
    assert [{k: v for k, v in line.items() if k != "partial_week"} for line in json.loads(a.stdout)["lines"]] == json.loads(b.stdout)["lines"]
    assert "carry a duty_role: 74 paid out of class" in a.stderr and "carry a duty_role: 74 paid out of class" in b.stderr
