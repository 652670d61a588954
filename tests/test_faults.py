"""Faults, in process: the mechanisms behind docs/faults.md, each checked on its own.

* outputs staged and put in place together, or not at all (:mod:`peerpay.io.outputs`);
* one version of each input, hashed as read (:mod:`peerpay.io.versions`, :mod:`peerpay.io.early`);
* the ``PEERPAY_*`` settings bounded and checked (:mod:`peerpay.io.knobs`);
* signals and streams whose reader went away (:mod:`peerpay.cli.faults`), forked children ended.

The same faults in real processes (signals, tmpfs disks, FIFOs, closed pipes, concurrent runs)
are tests/test_fault_audit.py, which runs scripts/fault_audit.py.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import signal
import stat
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import SAMPLES
from peerpay.cli import main
from peerpay.cli import faults
from peerpay.engines import split
from peerpay.errors import InputError
from peerpay.io import buckets, csvtext, early, knobs, outputs, versions
from peerpay.io.outputs import OutputError, Outputs, Step, TargetRefused, atomic_write, check_target
from peerpay.io.readers import read_table

ROWS = "employee_id,start,end,kind,rate\nE1,2025-03-03 08:00,2025-03-03 16:00,work,20.00\n"
PAY = ["pay", "-t", str(SAMPLES / "timesheet.csv"), "-p", str(SAMPLES / "policy.toml"), "-r", str(SAMPLES / "roster.csv"),
       "-s", str(SAMPLES / "schedule.csv")]


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def rewrite_same_size(path: Path, old: bytes, new: bytes) -> None:
    """Rewrite in place at the same size and put the modification time back (``touch -r``)."""
    st = path.stat()
    data = path.read_bytes()
    assert len(old) == len(new) and old in data
    with open(path, "r+b") as fh:
        fh.write(data.replace(old, new))
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))


# --------------------------------------------------------------------------- outputs: all or nothing


def test_a_full_disk_on_the_second_file_writes_neither_and_names_it(tmp_path, monkeypatch):
    first, second = tmp_path / "pay.json", tmp_path / "sub" / "rejects.csv"
    real_fsync, calls = os.fsync, []

    def fsync(fd):
        calls.append(fd)
        if len(calls) == 2:
            raise OSError(errno.ENOSPC, "No space left on device")
        real_fsync(fd)

    monkeypatch.setattr(outputs.os, "fsync", fsync)
    run = Outputs()
    run.add(first, "{}")
    run.add(second, "a,b\n")
    with pytest.raises(OutputError, match=r"sub/rejects.csv: No space left on device"):
        run.commit()
    assert sorted(p.name for p in tmp_path.rglob("*")) == []  # no file, no .part, the folder it made removed


def test_a_failure_while_placing_puts_the_replaced_file_back(tmp_path, monkeypatch):
    old = tmp_path / "pay.json"
    old.write_text("old report")
    real_replace, calls = os.replace, []

    def replace(a, b):
        calls.append(b)
        if Path(b).name == "b.csv":
            raise OSError(errno.EACCES, "Permission denied")
        real_replace(a, b)

    monkeypatch.setattr(outputs.os, "replace", replace)
    run = Outputs()
    run.add(old, "new report")
    run.add(tmp_path / "b.csv", "x", force=True)
    (tmp_path / "b.csv").write_text("old b")
    with pytest.raises(OutputError, match="b.csv: Permission denied"):
        run.commit()
    assert old.read_text() == "old report" and (tmp_path / "b.csv").read_text() == "old b"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b.csv", "pay.json"]  # no .part, no .old


def test_a_new_file_is_created_exclusively(tmp_path, monkeypatch):
    """Another run creates the file between staging and placing: refused without --force, replaced with it."""
    target = tmp_path / "pay.json"
    monkeypatch.setenv("PEERPAY_PAUSE_AT", "commit")
    monkeypatch.setattr(knobs, "pause_at", lambda point: target.write_text("the other run's report"))
    run = Outputs(pause="commit")
    run.add(target, "mine", force=False)
    with pytest.raises(FileExistsError, match="another run wrote it meanwhile"):
        run.commit()
    assert target.read_text() == "the other run's report" and sorted(p.name for p in tmp_path.iterdir()) == ["pay.json"]
    forced = Outputs(pause="commit")
    forced.add(target, "mine", force=True)
    forced.commit()
    assert target.read_text() == "mine"


def test_an_empty_file_may_be_replaced_without_force(tmp_path):
    (tmp_path / "out.json").touch()
    atomic_write(tmp_path / "out.json", "report", force=False)
    assert (tmp_path / "out.json").read_text() == "report"
    with pytest.raises(FileExistsError):
        atomic_write(tmp_path / "out.json", "again", force=False)


def test_a_step_is_undone_when_a_later_file_fails(tmp_path, monkeypatch):
    done: list[str] = []
    run = Outputs()
    run.add_step(Step(commit=lambda: done.append("commit"), undo=lambda: done.append("undo"),
                      discard=lambda: done.append("discard")))
    run.add(tmp_path / "pay.json", "x", force=False)
    monkeypatch.setattr(outputs, "_link_new", lambda tmp, final: (_ for _ in ()).throw(OSError(errno.EIO, "I/O error")))
    with pytest.raises(OutputError, match="pay.json: I/O error"):
        run.commit()
    assert done == ["commit", "undo", "discard"]


def test_a_symlink_is_followed_and_kept(tmp_path):
    real = tmp_path / "reports" / "real.json"
    real.parent.mkdir()
    real.write_text("old")
    link = tmp_path / "link.json"
    link.symlink_to(real)
    atomic_write(link, "new")
    assert link.is_symlink() and real.read_text() == "new"
    dangling = tmp_path / "dangling.json"
    dangling.symlink_to(tmp_path / "made.json")
    atomic_write(dangling, "made")
    assert dangling.is_symlink() and (tmp_path / "made.json").read_text() == "made"


def test_devices_and_fifos_are_written_through_never_replaced(tmp_path):
    assert check_target("/dev/null") == "through"
    atomic_write("/dev/null", "nothing")
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)
    fifo = tmp_path / "out.fifo"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()))
    reader.start()
    atomic_write(fifo, "through the pipe")
    reader.join(10)
    assert got == [b"through the pipe"] and stat.S_ISFIFO(os.lstat(fifo).st_mode)
    with pytest.raises(OutputError, match="/dev/full: No space left on device"):
        atomic_write("/dev/full", "x")


def test_folders_and_block_devices_are_refused(tmp_path):
    with pytest.raises(TargetRefused, match="is a folder"):
        check_target(tmp_path)
    (tmp_path / "file").write_text("x")
    with pytest.raises(TargetRefused, match="is a file, not a folder"):
        check_target(tmp_path / "file" / "pay.json")
    if os.geteuid() == 0:
        node = tmp_path / "disk"
        os.mknod(node, stat.S_IFBLK | 0o600, os.makedev(7, 250))
        with pytest.raises(TargetRefused, match="is a block device"):
            check_target(node)


def test_a_folder_that_cannot_be_written_is_found_before_the_work(tmp_path):
    if os.geteuid() == 0:
        pytest.skip("root writes into a mode-555 folder (scripts/fault_audit.py uses a read-only mount)")
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o555)
    with pytest.raises(TargetRefused, match="cannot write into"):
        check_target(ro / "pay.json")


def test_a_failed_command_writes_none_of_its_files(tmp_path, monkeypatch):
    """--rejects and the report are rendered, then the report cannot be written: --rejects is not written either."""
    ts = tmp_path / "ts.csv"
    ts.write_text(ROWS + "E2,2025-03-03 18:00,2025-03-03 16:00,work,20.00\n")
    monkeypatch.setattr(outputs.os, "fsync", lambda fd: (_ for _ in ()).throw(OSError(errno.ENOSPC, "No space left on device")))
    res = CliRunner().invoke(main, ["pay", "-t", str(ts), "-p", str(SAMPLES / "policy.toml"), "-f", "json",
                                    "-o", str(tmp_path / "pay.json"), "--rejects", str(tmp_path / "rej.csv")])
    assert res.exit_code == 1, res.output
    assert "cannot write" in res.stderr and "No space left on device: nothing was written" in res.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ts.csv"]


def test_stdout_is_written_after_the_files_and_only_if_they_are(tmp_path, monkeypatch):
    monkeypatch.setattr(outputs.os, "fsync", lambda fd: (_ for _ in ()).throw(OSError(errno.EIO, "I/O error")))
    res = CliRunner().invoke(main, [*PAY, "-f", "json", "--rejects", str(tmp_path / "rej.csv")])
    assert res.exit_code == 1 and res.stdout == ""


# --------------------------------------------------------------------------- inputs: one version, hashed as read


def test_identity_includes_the_change_time(tmp_path):
    f = tmp_path / "ts.csv"
    f.write_text(ROWS)
    before = early.file_identity(str(f))
    rewrite_same_size(f, b"20.00", b"30.00")
    after = early.file_identity(str(f))
    assert before[:4] == after[:4] and before != after  # same size and mtime; only ctime tells


def test_a_file_changed_while_read_is_refused(tmp_path, monkeypatch):
    ts = tmp_path / "ts.csv"
    ts.write_text(ROWS)
    real = csvtext.csv_shape

    def header_then_rewrite(path, *args, **kwargs):
        got = real(path, *args, **kwargs)
        rewrite_same_size(Path(path), b"20.00", b"30.00")
        return got

    monkeypatch.setattr("peerpay.io.readers.csv_shape", header_then_rewrite)
    with versions.run(), pytest.raises(versions.InputChanged, match="changed while it was being read"):
        read_table(ts)


def test_a_symlink_pointed_elsewhere_while_read_is_a_change(tmp_path, monkeypatch):
    (tmp_path / "march.csv").write_text(ROWS)
    (tmp_path / "april.csv").write_text(ROWS.replace("2025-03-03", "2025-04-07"))
    link = tmp_path / "current.csv"
    link.symlink_to(tmp_path / "march.csv")
    real = csvtext.csv_shape

    def header_then_repoint(path, *args, **kwargs):
        got = real(path, *args, **kwargs)
        link.unlink()
        link.symlink_to(tmp_path / "april.csv")
        return got

    monkeypatch.setattr("peerpay.io.readers.csv_shape", header_then_repoint)
    with versions.run(), pytest.raises(versions.InputChanged):
        read_table(link)


def test_a_file_read_twice_must_be_one_version(tmp_path):
    ts = tmp_path / "ts.csv"
    ts.write_text(ROWS)
    with versions.run():
        read_table(ts)
        rewrite_same_size(ts, b"20.00", b"30.00")
        with pytest.raises(versions.InputChanged, match="read twice and differed"):
            read_table(ts)
    read_table(ts)  # outside a run (a library call) each read stands alone
    read_table(ts)


@pytest.mark.parametrize("change", ["renamed over", "truncated", "deleted", "rewritten, mtime restored"])
def test_the_digest_is_of_the_version_read(tmp_path, change):
    ts = tmp_path / "ts.csv"
    ts.write_text(ROWS)
    first = ts.read_bytes()
    with versions.run():
        assert read_table(ts)["rate"].tolist() == ["20.00"]
        if change == "renamed over":
            (tmp_path / "new.csv").write_text(ROWS.replace("E1", "E9"))
            os.replace(tmp_path / "new.csv", ts)
        elif change == "truncated":
            os.truncate(ts, 0)
        elif change == "deleted":
            ts.unlink()
        else:
            rewrite_same_size(ts, b"20.00", b"30.00")
        assert versions.digest(ts) == (sha(first), len(first))
        assert versions.was_read(ts)


def test_a_hash_begun_before_a_change_is_not_used(tmp_path):
    ts = tmp_path / "ts.csv"
    ts.write_text(ROWS)
    with versions.run():
        versions.hash_early(ts)
        early.wait(("sha256", os.path.abspath(ts)))
        rewrite_same_size(ts, b"20.00", b"30.00")
        read_table(ts)
        assert versions.digest(ts)[0] == sha(ts.read_bytes())


def test_no_digest_is_computed_when_no_record_is_built(tmp_path, monkeypatch):
    ts = tmp_path / "ts.csv"
    ts.write_text(ROWS)
    monkeypatch.setattr(versions, "_sha256_and_size", lambda p: pytest.fail("hashed"))
    with versions.run():
        versions.want_digests(False)
        read_table(ts)


@pytest.fixture
def no_early(monkeypatch):
    monkeypatch.setattr(csvtext, "PREFETCH_BYTES", 0)
    monkeypatch.setattr(early, "_STARTED", {})
    return early._STARTED


def test_the_early_read_of_a_file_rewritten_with_its_mtime_restored_is_not_used(tmp_path, no_early):
    ts = tmp_path / "ts.csv"
    ts.write_text(ROWS)
    csvtext.prefetch(str(ts))
    no_early[("read", os.path.realpath(ts))].finished()
    rewrite_same_size(ts, b"20.00", b"30.00")
    assert read_table(ts)["rate"].tolist() == ["30.00"]


def test_the_early_spill_of_a_file_rewritten_with_its_mtime_restored_is_not_used(tmp_path, no_early):
    ts = tmp_path / "ts.csv"
    ts.write_text(ROWS)
    buckets.spill_early(str(ts), 2)
    folder = no_early[("spill", os.path.realpath(ts), 2)].finished()[1]
    rewrite_same_size(ts, b"20.00", b"30.00")
    assert buckets.take_early_spill([ts], 2) is None and not folder.exists()


def test_a_globbed_timesheet_has_a_hash_per_file_in_the_run_record(tmp_path):
    from peerpay.cli.common import run_record

    for name, who in (("a.csv", "E1"), ("b.csv", "E2")):
        (tmp_path / name).write_text(ROWS.replace("E1", who))
    with versions.run():
        for name in ("a.csv", "b.csv"):
            read_table(tmp_path / name)
        record = run_record("peerpay pay", {"timesheet": str(tmp_path / "*.csv")})
    assert [(i["file"], i["sha256"]) for i in record["inputs"]] == [
        (n, sha((tmp_path / n).read_bytes())) for n in ("a.csv", "b.csv")]


def test_dask_refuses_a_timesheet_renamed_over_while_its_blocks_are_read(tmp_path, monkeypatch):
    """The workers read blocks by path after the driver counted them: a file renamed over between is never paid mixed."""
    distributed = pytest.importorskip("distributed")
    from peerpay.engines.dask_engine import run_dask
    from peerpay.io.readers import read_policy

    ts = tmp_path / "ts.csv"
    ts.write_text("employee_id,start,end,kind,rate\n" + "".join(
        f"E{e},2025-03-{d:02d} 08:00,2025-03-{d:02d} 16:00,work,20.00\n" for e in range(20) for d in range(1, 29)))
    new = tmp_path / "new.csv"
    new.write_text(ts.read_text().replace("20.00", "25.00"))
    monkeypatch.setattr(knobs, "pause_at", lambda point: os.replace(new, ts) if point == "blocks" else None)
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        with pytest.raises(versions.InputChanged, match="changed while it was being read"):
            run_dask(ts, read_policy(SAMPLES / "policy.toml"), scheduler=client, block_bytes=2000, progress=False)


# --------------------------------------------------------------------------- settings


@pytest.mark.parametrize("name,value,ok", [
    ("PEERPAY_MAX_INPUT_MB", "250", True), ("PEERPAY_MAX_INPUT_MB", "0.0001", True),
    ("PEERPAY_MAX_INPUT_MB", "inf", False), ("PEERPAY_MAX_INPUT_MB", "-5", False), ("PEERPAY_MAX_INPUT_MB", "0", False),
    ("PEERPAY_MAX_INPUT_MB", "nan", False), ("PEERPAY_MAX_INPUT_MB", "1e3", False), ("PEERPAY_MAX_INPUT_MB", "2000000", False),
    ("PEERPAY_BLOCK_BYTES", "200", True), ("PEERPAY_BLOCK_BYTES", "0", False), ("PEERPAY_BLOCK_BYTES", "16MB", False),
    ("PEERPAY_BLOCK_BYTES", str(2 << 30), False), ("PEERPAY_WORKERS", "1", True), ("PEERPAY_WORKERS", "0", False),
    ("PEERPAY_WORKERS", "100000", False), ("PEERPAY_WORKERS", "2.5", False),
    ("PEERPAY_RUN_TIME", "2025-12-01T09:00:00+00:00", True), ("PEERPAY_RUN_TIME", "2025-12-01 09:00Z", True),
    ("PEERPAY_RUN_TIME", "2025-12-01", False), ("PEERPAY_RUN_TIME", "2025-02-30T09:00", False),
    ("PEERPAY_RUN_TIME", "2025-12-01T09:00\n<b>x</b>", False), ("PEERPAY_RUN_TIME", " 2025-12-01T09:00", False),
    ("PEERPAY_PAUSE_AT", "commit", True), ("PEERPAY_PAUSE_AT", "later", False),
])
def test_every_setting_is_bounded(monkeypatch, name, value, ok):
    monkeypatch.setenv(name, value)
    if ok:
        assert knobs.value(name) is not None
    else:
        with pytest.raises(InputError, match=name):
            knobs.value(name)


def test_a_bad_setting_stops_the_command_before_any_work(tmp_path, monkeypatch):
    monkeypatch.setenv("PEERPAY_RUN_TIME", "<script>alert(1)</script>")
    res = CliRunner().invoke(main, [*PAY, "-f", "html", "-o", str(tmp_path / "pay.html")])
    assert res.exit_code == 1 and "PEERPAY_RUN_TIME" in res.stderr and "Reconciliation" not in res.stderr
    assert not (tmp_path / "pay.html").exists()


def test_a_misspelt_setting_is_named(monkeypatch):
    monkeypatch.setenv("PEERPAY_WORKER", "1")
    assert knobs.check_all() == [f"PEERPAY_WORKER is not a peerpay setting and is ignored (the settings: {', '.join(knobs.KNOBS)})"]


def test_a_tiny_block_size_cuts_at_most_64_blocks(tmp_path, monkeypatch):
    ts = tmp_path / "ts.csv"
    ts.write_text("employee_id,start,end\n" + "E1,2025-03-03 08:00,2025-03-03 16:00\n" * 5000)  # 185 KB
    monkeypatch.setenv("PEERPAY_BLOCK_BYTES", "1")
    blocks = split.csv_blocks(ts)
    assert blocks is not None and len(blocks) <= split.MAX_BLOCKS and sum(b.rows for b in blocks) == 5000


# --------------------------------------------------------------------------- signals, streams, children


def test_a_stream_whose_reader_went_away_takes_writes_quietly():
    r, w = os.pipe()
    os.close(r)
    stream = faults.GuardedStream(open(w, "wb"), encoding="utf-8", line_buffering=True, write_through=True)
    previous = signal.signal(signal.SIGPIPE, signal.SIG_IGN)
    try:
        assert stream.write("rejected: ts.csv:2:end: end is before start\n") > 0
        stream.flush()
        assert stream.lost
        stream.write("more\n")  # now /dev/null
    finally:
        signal.signal(signal.SIGPIPE, previous)
        stream.close()


def test_exit_codes_of_signals():
    assert faults.exit_code(KeyboardInterrupt()) == 130
    assert faults.exit_code(faults.Interrupted(signal.SIGTERM)) == 143
    assert faults.exit_code(faults.Interrupted(signal.SIGHUP)) == 129


def test_a_signal_waits_for_the_cluster_to_start(monkeypatch):
    from peerpay.io.outputs import uninterrupted

    seen: list[str] = []
    previous = signal.signal(signal.SIGTERM, lambda s, f: (_ for _ in ()).throw(faults.Interrupted(s)))
    try:
        with pytest.raises(faults.Interrupted):
            with uninterrupted():
                os.kill(os.getpid(), signal.SIGTERM)
                time.sleep(0.05)
                seen.append("the block finished")
    finally:
        signal.signal(signal.SIGTERM, previous)
    assert seen == ["the block finished"]


def test_a_failed_parent_ends_its_forked_children_at_once():
    from peerpay.engines.forked import side_by_side

    def fail():
        raise ValueError("the parent's share failed")

    started = time.monotonic()
    with pytest.raises(ValueError):
        side_by_side([fail, lambda: time.sleep(60)])  # the child would sleep a minute
    assert time.monotonic() - started < 10


def test_a_stopped_dask_output_dir_run_leaves_no_staging_folder(tmp_path, monkeypatch):
    """--output-dir: the staging folder of a run that fails before committing is removed, the folder it made too."""
    from peerpay.cli import scale

    def boom(*a, **k):
        raise KeyboardInterrupt

    monkeypatch.setattr("peerpay.engines.dask_engine.run_dask", boom)
    pytest.importorskip("distributed")
    out = tmp_path / "out"
    with pytest.raises(KeyboardInterrupt):
        scale.scaled_run(SAMPLES / "timesheet.csv", None, None, None, engine="dask", scheduler=None, partitions=None,
                         output_dir=str(out), fmt="json", sheet=None, map_file=None, detail=False, output=None, force=False)
    assert not out.exists()


def test_json_report_meta_carries_the_run_time_as_given(tmp_path, monkeypatch):
    monkeypatch.setenv("PEERPAY_RUN_TIME", "2025-12-01T09:00:00Z")
    res = CliRunner().invoke(main, [*PAY, "-f", "json", "-o", str(tmp_path / "pay.json")])
    assert res.exit_code == 0, res.output
    assert json.loads((tmp_path / "pay.json").read_text())["meta"]["run_time"] == "2025-12-01T09:00:00Z"
