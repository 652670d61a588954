"""Issue 16, round 3: ``--partitions`` spills its CSV while peerpay loads, and pays its buckets
in this process and forked children (:mod:`peerpay.io.buckets`, :mod:`peerpay.engines.forked`).

None of it may change a byte: the early spill is checked against the ordinary one, the buckets
paid side by side against the buckets paid in turn, and the CLI against the local engine.
"""

from __future__ import annotations

import os
import tempfile
import time
import zlib
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest
from click.testing import CliRunner

from conftest import generated_timesheets
from peerpay.cli import main
from peerpay.engines import chunked, forked
from peerpay.io import buckets
from peerpay.io import early as early_work
from peerpay.io.readers import read_policy, read_table


@pytest.fixture(scope="module")
def spoiled(tmp_path_factory):
    """3,000 generated shifts, 300 of them spoiled, in one CSV and in three."""
    d = tmp_path_factory.mktemp("buckets")
    generated_timesheets(d, 3_000, 300, seed=23, parts=3)
    return d


@pytest.fixture
def early(monkeypatch):
    monkeypatch.setattr(early_work, "_STARTED", {})
    return early_work._STARTED


def read_buckets(paths: list[Path]) -> list[pa.Table]:
    return [pa.ipc.open_file(str(p)).read_all() for p in paths]


def test_a_bucket_is_the_crc32_of_the_clean_id():
    # E1: crc32(b"E1") = 0x3ef0e9a9... taken modulo the number of buckets, for every spelling of E1
    expected = zlib.crc32(b"E1") % 7
    assert list(buckets.bucket_of(["E1", " E1", "E1 ", "E1\u200b", "\uff25\uff11"], 7)) == [expected] * 5
    assert list(buckets.bucket_of(pd.Series(["E1", "E2"]), 1)) == [0, 0]


def test_the_early_spill_writes_the_buckets_the_ordinary_spill_writes(spoiled, early, tmp_path):
    ts = spoiled / "ts.csv"
    ordinary = buckets.spill([ts], 3, tmp_path)
    buckets.spill_early(str(ts), 3)
    taken = buckets.take_early_spill([ts], 3)
    assert taken is not None and not early
    paths, folder = taken
    assert [p.name for p in paths] == [p.name for p in ordinary]
    assert all(a.equals(b) for a, b in zip(read_buckets(paths), read_buckets(ordinary)))
    assert sum(t.num_rows for t in read_buckets(paths)) == len(read_table(ts))  # every row, once
    assert folder.is_dir() and folder.name.startswith("peerpay-buckets-")


@pytest.mark.parametrize("asked", ["other count", "other file", "several files"])
def test_an_early_spill_is_taken_only_for_its_file_and_bucket_count(spoiled, early, asked):
    ts = spoiled / "ts.csv"
    buckets.spill_early(str(ts), 3)
    folder = next(iter(early.values())).finished()[1]
    sources, count = {"other count": ([ts], 2), "other file": ([spoiled / "csv" / "part-0.csv"], 3),
                      "several files": (sorted((spoiled / "csv").glob("*.csv")), 3)}[asked]
    assert buckets.take_early_spill(sources, count) is None
    assert not early and not folder.exists()  # finished and cleared: no thread left running when workers fork
    buckets.spill_early(str(ts), 3)
    assert buckets.take_early_spill([ts], 3) is not None


def test_a_file_changed_during_the_early_spill_is_spilled_again(tmp_path, early):
    ts = tmp_path / "ts.csv"
    ts.write_text("employee_id,start,end,rate\nE1,2025-03-03 08:00,2025-03-03 16:00,20\n")
    buckets.spill_early(str(ts), 2)
    folder = early[("spill", os.path.realpath(ts), 2)].finished()[1]
    ts.write_text("employee_id,start,end,rate\nE2,2025-03-04 08:00,2025-03-04 12:00,21\n")
    os.utime(ts, ns=(time.time_ns(), time.time_ns() + 10**9))
    assert buckets.take_early_spill([ts], 2) is None
    assert not folder.exists()  # its folder is gone at once


def test_a_bad_file_spilled_early_fails_as_the_ordinary_spill_does(tmp_path, early):
    ts = tmp_path / "ts.csv"
    ts.write_text("employee_id,start,end\nE1,2025-03-03 08:00,2025-03-03 16:00,extra\n")
    buckets.spill_early(str(ts), 2)
    assert buckets.take_early_spill([ts], 2) is None
    res = CliRunner().invoke(main, ["pay", "-t", str(ts), "-p", str(Path(__file__).parent.parent / "samples" / "policy.toml"),
                                    "--partitions", "2"])
    assert res.exit_code == 1 and "fields but the header has" in res.stderr


@pytest.mark.parametrize("workers", ["1", "2", "3"])
def test_buckets_paid_side_by_side_come_back_in_bucket_order(spoiled, monkeypatch, workers, tmp_path):
    monkeypatch.setenv("PEERPAY_WORKERS", workers)
    pol = read_policy(spoiled / "policy.toml")
    paths = buckets.spill([spoiled / "ts.csv"], 5, tmp_path)
    done = chunked.pay_buckets(paths, pol, ["ts.csv"])
    alone = [chunked._pay_bucket(p, pol, ["ts.csv"], None, None) for p in paths]
    assert len(done) == len(alone) == 5
    for a, b in zip(done, alone):
        pd.testing.assert_frame_equal(a.lines, b.lines, check_exact=True)
        pd.testing.assert_frame_equal(a.problems, b.problems)
        assert (a.rows_read, a.rows_paid, a.paid_minutes, a.rejected_minutes) == (b.rows_read, b.rows_paid, b.paid_minutes, b.rejected_minutes)


def test_a_failed_bucket_child_is_paid_here(spoiled, monkeypatch, tmp_path):
    monkeypatch.setenv("PEERPAY_WORKERS", "2")
    children = []

    def dying_child(work):
        reader, writer = os.pipe()
        pid = os.fork()
        if pid == 0:  # leave at once, never back into pytest
            os._exit(1)
        os.close(writer)
        children.append(pid)
        return pid, reader

    monkeypatch.setattr(forked, "in_child", dying_child)
    pol = read_policy(spoiled / "policy.toml")
    paths = buckets.spill([spoiled / "ts.csv"], 4, tmp_path)
    done = chunked.pay_buckets(paths, pol, ["ts.csv"])
    assert len(children) == 1
    for a, p in zip(done, paths):
        pd.testing.assert_frame_equal(a.lines, chunked._pay_bucket(p, pol, ["ts.csv"], None, None).lines)
    with pytest.raises(ChildProcessError):
        os.waitpid(children[0], os.WNOHANG)


def test_side_by_side_keeps_the_order_and_raises_here(monkeypatch):
    assert forked.side_by_side([lambda: 1, lambda: None, lambda: "three"]) == [1, None, "three"]

    def boom():
        raise ValueError("here")

    with pytest.raises(ValueError, match="here"):
        forked.side_by_side([boom, lambda: 2])  # the child is reaped on the way out
    with pytest.raises(ValueError, match="here"):
        forked.side_by_side([lambda: 1, boom])  # the child fails; done again here, it raises here


def test_pay_partitions_spills_early_and_pays_as_the_local_engine(spoiled, early, monkeypatch, tmp_path):
    started = []
    spill_early = buckets.spill_early

    def spy(path: str, partitions: int) -> None:
        spill_early(path, partitions)
        started.append({key: entry.finished()[1] for key, entry in early.items()})  # the spill's folder

    monkeypatch.setattr(buckets, "spill_early", spy)
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    monkeypatch.setattr(tempfile, "tempdir", None)  # TMPDIR read again: the spill folders land in tmp_path
    base = ["pay", "-t", str(spoiled / "ts.csv"), "-p", str(spoiled / "policy.toml"), "-f", "json"]
    parted = CliRunner().invoke(main, [*base, "--partitions", "3"])
    local = CliRunner().invoke(main, base)
    assert len(started) == 1 and list(started[0]) == [("spill", os.path.realpath(spoiled / "ts.csv"), 3)]
    assert not early  # started, then taken
    folder = started[0][("spill", os.path.realpath(spoiled / "ts.csv"), 3)]
    assert folder.parent == tmp_path and not folder.exists()  # and removed once paid
    assert parted.exit_code == local.exit_code == 3
    a, b = parted.stdout, local.stdout
    assert a.split('"meta"')[0] == b.split('"meta"')[0]  # lines, rejections, reconciliation
    assert not [p for p in tmp_path.iterdir() if p.name.startswith("peerpay-buckets-")]  # no spill left behind


def test_a_file_spilled_in_small_or_large_blocks_gives_the_same_buckets(spoiled, monkeypatch, tmp_path):
    (tmp_path / "large").mkdir()
    large = buckets.spill([spoiled / "ts.csv"], 3, tmp_path / "large")  # one block
    monkeypatch.setattr(buckets, "BLOCK_BYTES", 4096)
    assert len(list(buckets.stream_csv(spoiled / "ts.csv", 4096))) > 10
    (tmp_path / "small").mkdir()
    small = buckets.spill([spoiled / "ts.csv"], 3, tmp_path / "small")
    assert [p.name for p in large] == [p.name for p in small]
    for a, b in zip(read_buckets(large), read_buckets(small)):
        assert a.combine_chunks().equals(b.combine_chunks())  # the same rows, in file order, numbered alike


def test_a_run_stopped_by_a_usage_error_leaves_no_spill_behind(spoiled, tmp_path):
    import subprocess
    import sys

    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parent.parent), "TMPDIR": str(tmp_path)}
    res = subprocess.run([sys.executable, "-m", "peerpay", "pay", "-t", str(spoiled / "ts.csv"), "-p", str(spoiled / "policy.toml"),
                          "--partitions", "2", "--detail"], capture_output=True, text=True, env=env)
    assert res.returncode == 2 and "--detail" in res.stderr  # refused after the spill had started
    assert not [p for p in tmp_path.iterdir() if p.name.startswith("peerpay-buckets-")]
