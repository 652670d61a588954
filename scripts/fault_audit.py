#!/usr/bin/env python3
"""Re-run peerpay's fault audit: signals, full disks, output targets, races, broken pipes, settings.

    python scripts/fault_audit.py             # every scenario: a table of PASS / FAIL / SKIP
    python scripts/fault_audit.py -k dask     # only the scenarios whose name holds "dask"
    python scripts/fault_audit.py --list      # the scenarios and what each checks

Each scenario runs the real command (``python -m peerpay`` from this checkout) in a fresh folder
with a temporary folder (``TMPDIR``) of its own, makes one fault happen, and checks what a payroll
office relies on (docs/faults.md): the exit code; that exit code 1 or 2 (or a signal's 128 + N)
wrote nothing and exit code 0 or 3 wrote everything; that nothing is left behind (``.part``
files, spill folders, dask scratch and staging folders, child processes); that the message names
the file; and, for a file that changed, that one version was paid and that version hashed.

Faults happen at exact moments: ``PEERPAY_PAUSE_AT=POINT`` makes the run stop itself there
(SIGSTOP); the scenario renames, truncates, fills or signals, then lets it go on (SIGCONT). Full
file systems are small tmpfs mounts, so those scenarios need root (skipped otherwise). The test
suite runs every scenario (tests/test_fault_audit.py). Linux only (it reads /proc).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from faultkit import (BAD_ROWS, SAMPLES, Done, World, as_text, alive, descendants, fill, gone_soon,
                      Skip, privileged, read_end_closed, record_input, rename_over, same_size_rewrite, sha256,
                      state, wait_for)


# --- the scenarios --------------------------------------------------------------------------------


@dataclass
class Scenario:
    name: str
    fn: Callable[[World], None]
    root: bool = False  # needs a tmpfs mount, or a device node of its own

    @property
    def doc(self) -> str:
        return (self.fn.__doc__ or "").strip().splitlines()[0]


SCENARIOS: list[Scenario] = []


def scenario(group: str, root: bool = False):
    def register(fn):
        SCENARIOS.append(Scenario(f"{group}/{fn.__name__}", fn, root))
        return fn
    return register


# signals ------------------------------------------------------------------------------------------

def _stop_before_commit(w: World, sig: signal.Signals, code: int) -> None:
    done = w.paused(["pay", *w.pay_args(), "-f", "json", "-o", "pay.json", "--rejects", "rej.csv", "--stubs", "stubs"],
                    "commit", lambda p: p.send_signal(sig))
    assert done.code == code, done
    assert f"stopped by {sig.name}" in done.err or sig == signal.SIGINT, done
    assert not (w.root / "pay.json").exists() and not (w.root / "rej.csv").exists() and not (w.root / "stubs").exists()
    assert w.parts() == [], w.parts()


@scenario("signals")
def sigterm_while_outputs_are_staged(w: World) -> None:
    """SIGTERM with the report, rejects and pay statements staged: no .part file, nothing written, exit 143."""
    _stop_before_commit(w, signal.SIGTERM, 143)


@scenario("signals")
def sigint_while_outputs_are_staged(w: World) -> None:
    """Ctrl-C at the same point: the same clean-up, exit 130."""
    _stop_before_commit(w, signal.SIGINT, 130)


@scenario("signals")
def sighup_while_outputs_are_staged(w: World) -> None:
    """SIGHUP (the terminal closed) at the same point: the same clean-up, exit 129."""
    _stop_before_commit(w, signal.SIGHUP, 129)


@scenario("signals")
def sigterm_after_the_partitions_spill(w: World) -> None:
    """--partitions stopped with its buckets spilled: no spill folder is left in TMPDIR."""
    big, pol = w.big(), w.policy()
    done = w.paused(["pay", "-t", big, "-p", pol, "--partitions", "4", "-f", "json", "-o", "p.json"], "spill",
                    lambda p: p.send_signal(signal.SIGTERM))
    assert done.code == 143, done
    assert w.leftovers() == [] and not (w.root / "p.json").exists()


@scenario("signals")
def sigterm_during_the_early_spill(w: World) -> None:
    """SIGTERM while the early spill runs (pandas still loading): its folder is removed, exit 143."""
    big, pol = w.big(), w.policy()
    proc = w.start(["pay", "-t", big, "-p", pol, "--partitions", "4", "-f", "csv", "-o", "p.csv"])
    wait_for(lambda: [n for n in w.leftovers() if n.startswith("peerpay-buckets-")] or proc.poll() is not None, every=0.005)
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 143, as_text(err)
    assert w.leftovers() == [] and not (w.root / "p.csv").exists()


@scenario("signals")
def sigterm_while_the_report_is_printed_to_a_stuck_pipe(w: World) -> None:
    """SIGTERM while a big report waits on a stdout nobody reads: the run ends at once (143), its
    files stay, and the message says they were written."""
    ts = w.big("ts.csv", 300, 60)
    w.file("ts.csv", ts.read_bytes() + b"E9,2025-03-03 18:00,2025-03-03 16:00,work,20.00\n")
    proc = w.start(["pay", "-t", ts, "-p", w.policy(), "-f", "json", "--rejects", "rej.csv"])  # stdout: a pipe not read
    wait_for(lambda: (w.root / "rej.csv").exists() or proc.poll() is not None)
    time.sleep(0.5)
    proc.send_signal(signal.SIGTERM)
    started = time.monotonic()
    err = proc.stderr.read()
    proc.wait(timeout=60)
    assert proc.returncode == 143 and time.monotonic() - started < 30, as_text(err)
    assert b"its files were written" in err and (w.root / "rej.csv").read_text().count("\n") == 2


def _stop_with_a_child(w: World, args: list, env: dict, sig: signal.Signals) -> None:
    """Start, wait for a forked child, freeze it (so it cannot finish first), then signal the parent."""
    proc = w.start(args, env)
    children = wait_for(lambda: descendants(proc.pid) or proc.poll() is not None, every=0.005)
    assert children is not True, f"no child was forked: {as_text(proc.communicate()[1])}"
    for c in children:
        with contextlib.suppress(ProcessLookupError):
            os.kill(c, signal.SIGSTOP)
    proc.send_signal(sig)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == (-9 if sig == signal.SIGKILL else 143), as_text(err)
    assert gone_soon(children) == set(), f"orphaned children {alive(children)}"
    assert w.leftovers() == [], w.leftovers()


@scenario("signals")
def sigterm_while_buckets_are_paid_in_children(w: World) -> None:
    """--partitions stopped while forked children pay buckets: every child ended, no spill folder."""
    _stop_with_a_child(w, ["pay", "-t", w.big(), "-p", w.policy(), "--partitions", "8", "-f", "csv", "-o", "p.csv"],
                       {"PEERPAY_WORKERS": "2"}, signal.SIGTERM)


@scenario("signals")
def sigterm_while_the_second_half_is_paid(w: World) -> None:
    """A large plain run stopped while its forked child pays the second half: the child is ended."""
    _stop_with_a_child(w, ["pay", "-t", w.big(), "-p", w.policy(), "-f", "csv", "-o", "p.csv"],
                       {"PEERPAY_WORKERS": "2"}, signal.SIGTERM)


@scenario("signals")
def sigkill_of_the_parent_ends_its_children(w: World) -> None:
    """SIGKILL leaves no time to clean up, yet no forked child outlives its parent (Linux), and the
    spill folder it left is removed by the next run."""
    proc = w.start(["pay", "-t", w.big("big2.csv", 2200), "-p", w.policy(), "--partitions", "8", "-f", "csv", "-o", "p.csv"],
                   {"PEERPAY_WORKERS": "2"})
    children = wait_for(lambda: descendants(proc.pid) or proc.poll() is not None, every=0.005)
    assert children is not True, "no child was forked"
    proc.send_signal(signal.SIGSTOP)  # the parent cannot finish; its children run on
    time.sleep(0.2)  # each child asks the kernel for its end first thing after the fork
    for c in children:
        assert state(c) not in (None, "Z"), "the child finished before the parent could be killed"
        os.kill(c, signal.SIGSTOP)  # nor can the children
    proc.kill()
    try:
        assert gone_soon(children) == set(), f"orphaned children {alive(children)}"
    finally:
        for c in alive(children):  # never leave a stopped orphan behind, whatever the verdict
            with contextlib.suppress(ProcessLookupError):
                os.kill(c, signal.SIGKILL)
        proc.communicate(timeout=60)
    left = w.leftovers()
    assert left and all(n.startswith("peerpay-buckets-") for n in left), left  # what SIGKILL leaves
    done = w.run(["pay", "-t", w.big("small.csv", 20, 10), "-p", w.policy(), "--partitions", "2", "-f", "csv", "-o", "s.csv"])
    assert done.code == 0 and w.leftovers() == [], (done, w.leftovers())


@scenario("signals")
def sigterm_dask_with_an_output_dir(w: World) -> None:
    """--engine dask stopped before its workers read: no staging folder, no dask-scratch-space; the next
    run into the same --output-dir is not refused (nor by a staging folder a SIGKILLed run left)."""
    args = ["pay", *w.pay_args(), "--engine", "dask", "--output-dir", "out"]
    done = w.paused(args, "blocks", lambda p: p.send_signal(signal.SIGTERM))
    assert done.code == 143, done
    assert w.leftovers() == [], w.leftovers()
    assert not (w.root / "out").exists() or list((w.root / "out").iterdir()) == []
    dead = subprocess.Popen(["true"])  # a process that no longer exists: a run killed by SIGKILL
    dead.wait()
    stale = w.root / "out" / f".peerpay-staging-{socket.gethostname().replace('-', '_')}-{dead.pid}-abcd1234"
    stale.mkdir(parents=True)
    (stale / "lines-00000.parquet").write_bytes(b"half")
    again = w.run(args)
    assert again.code == 0, again
    assert sorted(p.name for p in (w.root / "out").iterdir())[-2:] == ["rejected.csv", "summary.json"]
    assert not stale.exists()


@scenario("signals")
def sigterm_dask_while_workers_run(w: World) -> None:
    """--engine dask stopped with its cluster up: every worker ended, scratch and staging removed."""
    args = ["pay", "-t", w.big(), "-p", w.policy(), "--engine", "dask", "--output-dir", "out"]
    proc = w.start(args, {"PEERPAY_BLOCK_BYTES": "1000000"})
    workers = wait_for(lambda: descendants(proc.pid) or proc.poll() is not None)
    assert workers is not True, "no worker was started"
    time.sleep(0.5)
    workers = descendants(proc.pid) | set(workers)
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 143, as_text(err)
    assert gone_soon(workers, 20) == set(), f"orphaned workers {alive(workers)}"
    assert w.leftovers() == [], w.leftovers()
    assert not (w.root / "out").exists() or list((w.root / "out").iterdir()) == []


# full disks ---------------------------------------------------------------------------------------

@scenario("disks", root=True)
def full_disk_for_the_report(w: World) -> None:
    """-o on a full disk: exit 1, the message names the file, nothing written, no .part."""
    fs = w.tmpfs("fs", 64, free_kb=8)
    done = w.run(["pay", *w.pay_args(), "-f", "json", "-o", fs / "pay.json"])
    assert done.code == 1, done
    assert "pay.json: No space left on device" in done.err, done
    assert sorted(os.listdir(fs)) == ["filler"]


@scenario("disks", root=True)
def full_disk_half_way_through_pay_statements(w: World) -> None:
    """--stubs on a disk that fills after a few statements: no statement and no report (all or nothing)."""
    fs = w.tmpfs("fs", 64, free_kb=24)
    done = w.run(["pay", *w.pay_args(), "-f", "json", "-o", "pay.json", "--stubs", fs / "stubs"])
    assert done.code == 1, done
    assert "No space left on device" in done.err and "paystub-" not in done.err  # ids stay out of messages
    assert not (w.root / "pay.json").exists() and sorted(os.listdir(fs)) == ["filler"]


@scenario("disks", root=True)
def full_disk_for_the_detail_file(w: World) -> None:
    """pay.csv fits but pay.detail.csv does not: neither is written."""
    probe = w.run(["pay", *w.pay_args(), "-f", "csv", "--detail", "-o", "probe.csv"])
    assert probe.code == 0, probe
    lines, detail = (w.root / "probe.csv").stat().st_size, (w.root / "probe.detail.csv").stat().st_size
    assert detail > lines + 16384
    fs = w.tmpfs("fs", (lines + detail) // 1024 + 64, free_kb=lines // 1024 + 12)
    done = w.run(["pay", *w.pay_args(), "-f", "csv", "--detail", "-o", fs / "pay.csv"])
    assert done.code == 1 and "pay.detail.csv: No space left on device" in done.err, done
    assert sorted(os.listdir(fs)) == ["filler"]


@scenario("disks", root=True)
def full_disk_for_rejects_beside_the_report(w: World) -> None:
    """--rejects on a full disk, -o elsewhere: the report is not written either."""
    fs = w.tmpfs("fs", 64, free_kb=0)
    ts, pol = w.file("ts.csv", BAD_ROWS), w.policy()
    done = w.run(["pay", "-t", ts, "-p", pol, "-f", "json", "-o", "pay.json", "--rejects", fs / "rej.csv"])
    assert done.code == 1 and "rej.csv" in done.err, done
    assert not (w.root / "pay.json").exists()


@scenario("disks", root=True)
def full_disk_half_way_through_backpay_statements(w: World) -> None:
    """backpay --statements on a disk that fills: no statement, no report."""
    fs = w.tmpfs("fs", 64, free_kb=24)
    done = w.run(["backpay", *w.pay_args(), "-u", w.sample("unpaid_work.csv"), "-f", "json", "-o", "bp.json",
                  "--statements", fs / "st"])
    assert done.code == 1, done
    assert not (w.root / "bp.json").exists() and sorted(os.listdir(fs)) == ["filler"]


@scenario("disks", root=True)
def full_disk_keeps_the_previous_output_dir(w: World) -> None:
    """dask --output-dir on a disk that fills: exit 1, the previous run's files intact, no staging folder."""
    fs = w.tmpfs("fs", 1024)
    args = ["pay", *w.pay_args(), "--engine", "dask", "--output-dir", fs / "out", "--format", "csv"]
    first = w.run(args)
    assert first.code == 0, first
    before = {p.name: p.read_bytes() for p in (fs / "out").iterdir()}
    fill(fs, 4)
    done = w.run([*args, "--force"])
    assert done.code == 1 and "No space left on device" in done.err, done
    assert {p.name: p.read_bytes() for p in (fs / "out").iterdir()} == before
    assert w.leftovers() == []


@scenario("disks", root=True)
def full_temporary_folder_for_the_spill(w: World) -> None:
    """--partitions with a full TMPDIR: exit 1, a message naming the folder, nothing left in it."""
    fs = w.tmpfs("fs", 512)
    done = w.run(["pay", "-t", w.big(), "-p", w.policy(), "--partitions", "4", "-f", "csv", "-o", "p.csv"],
                 {"TMPDIR": str(fs)})
    assert done.code == 1 and f"{fs}: No space left on device" in done.err, done
    assert os.listdir(fs) == [] and not (w.root / "p.csv").exists()


@scenario("disks", root=True)
def stderr_on_a_full_disk(w: World) -> None:
    """stderr sent to a full disk: the messages are lost, the report is written, the exit code is honest (3)."""
    fs = w.tmpfs("fs", 64, free_kb=0)
    ts, pol = w.file("ts.csv", BAD_ROWS), w.policy()
    with open(fs / "err.txt", "wb") as err:
        done = w.run(["pay", "-t", ts, "-p", pol, "-f", "json", "-o", "pay.json"], stderr=err)
    assert done.code == 3, done
    assert json.loads((w.root / "pay.json").read_text())["totals"]["gross_pay"] == 320.0


@scenario("disks", root=True)
def full_disk_keeps_the_old_report(w: World) -> None:
    """--force over an existing report on a full disk: the old report is left as it was."""
    fs = w.tmpfs("fs", 64)
    (fs / "pay.json").write_text("old report")
    fill(fs, 0)
    done = w.run(["pay", *w.pay_args(), "-f", "json", "-o", fs / "pay.json", "--force"])
    assert done.code == 1, done
    assert (fs / "pay.json").read_text() == "old report" and sorted(os.listdir(fs)) == ["filler", "pay.json"]


# output targets ----------------------------------------------------------------------------------

@scenario("targets")
def output_to_dev_null(w: World) -> None:
    """-o /dev/null is written through: /dev/null stays the system's character device."""
    done = w.run(["pay", *w.pay_args(), "-f", "json", "-o", "/dev/null"])
    assert done.code == 0, done
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)


@scenario("targets", root=True)
def output_to_a_device_node(w: World) -> None:
    """-o onto a device node of the scenario's own (a copy of /dev/null): written through, still a device."""
    node = w.root / "null"
    os.mknod(node, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    done = w.run(["pay", *w.pay_args(), "-f", "json", "-o", node, "--force"])
    assert done.code == 0, done
    assert stat.S_ISCHR(os.lstat(node).st_mode)


@scenario("targets")
def output_to_a_fifo(w: World) -> None:
    """-o onto a named pipe another program reads: the report goes through it, the FIFO stays a FIFO."""
    fifo = w.root / "report.fifo"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()))
    reader.start()
    done = w.run(["pay", *w.pay_args(), "-f", "json", "-o", fifo])
    reader.join(60)
    assert done.code == 0, done
    assert json.loads(got[0])["totals"]["gross_pay"] > 0
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


@scenario("targets")
def output_through_a_symlink(w: World) -> None:
    """-o onto a symlink: the file it points to is replaced, the link stays a link."""
    real = w.file("reports/real.json", "old")
    link = w.root / "link.json"
    link.symlink_to(real)
    done = w.run(["pay", *w.pay_args(), "-f", "json", "-o", link, "--force"])
    assert done.code == 0, done
    assert link.is_symlink() and json.loads(real.read_text())["totals"]["gross_pay"] > 0


@scenario("targets")
def output_to_a_dangling_symlink(w: World) -> None:
    """-o onto a link to a file that does not exist yet: that file is created, the link kept."""
    link = w.root / "link.json"
    link.symlink_to(w.root / "made.json")
    done = w.run(["pay", *w.pay_args(), "-f", "json", "-o", link])
    assert done.code == 0, done
    assert link.is_symlink() and (w.root / "made.json").is_file()


@scenario("targets", root=True)
def output_to_a_block_device_is_refused(w: World) -> None:
    """-o onto a block device: refused before any work (exit 2), the node untouched."""
    node = w.root / "disk"
    os.mknod(node, stat.S_IFBLK | 0o600, os.makedev(7, 250))
    done = w.run(["pay", *w.pay_args(), "-f", "json", "-o", node, "--force"])
    assert done.code == 2 and "block device" in done.err, done
    assert stat.S_ISBLK(os.lstat(node).st_mode)


@scenario("targets")
def output_to_a_folder_is_refused(w: World) -> None:
    """--rejects naming a folder: refused before any work (exit 2)."""
    (w.root / "folder").mkdir()
    done = w.run(["pay", *w.pay_args(), "-f", "json", "-o", "pay.json", "--rejects", "folder"])
    assert done.code == 2 and ("is a folder" in done.err or "is a directory" in done.err), done
    assert not (w.root / "pay.json").exists()


def _read_only(w: World, name: str) -> Path:
    if privileged():
        return w.tmpfs(name, 64, read_only=True)
    if os.geteuid() == 0:
        raise Skip("root writes into any folder, and this machine allows no read-only mount")
    d = w.root / name
    d.mkdir()
    d.chmod(0o555)
    return d


@scenario("targets")
def read_only_folder_is_found_before_the_work(w: World) -> None:
    """-o into a read-only folder: exit 2 before the timesheet is paid (no reconciliation line), nothing written."""
    ro = _read_only(w, "ro")
    done = w.run(["pay", "-t", w.big(), "-p", w.policy(), "-f", "json", "-o", ro / "pay.json", "--rejects", "rej.csv"])
    assert done.code == 2 and "cannot write into" in done.err, done
    assert "Reconciliation" not in done.err and not (w.root / "rej.csv").exists()


@scenario("targets")
def stubs_into_a_read_only_folder(w: World) -> None:
    """--stubs into a read-only folder: exit 2 before the work."""
    ro = _read_only(w, "ro")
    done = w.run(["pay", *w.pay_args(), "-f", "json", "-o", "pay.json", "--stubs", ro / "stubs"])
    assert done.code == 2 and "Reconciliation" not in done.err, done
    assert not (w.root / "pay.json").exists()


@scenario("targets")
def rejects_beside_an_output_that_cannot_be_written(w: World) -> None:
    """-o to /dev/full (every write fails) with --rejects: exit 1, --rejects not written either."""
    ts, pol = w.file("ts.csv", BAD_ROWS), w.policy()
    done = w.run(["pay", "-t", ts, "-p", pol, "-f", "json", "-o", "/dev/full", "--rejects", "rej.csv"])
    assert done.code == 1 and "/dev/full: No space left on device" in done.err, done
    assert not (w.root / "rej.csv").exists()


# races: a file that changes --------------------------------------------------------------------

def _pay_json(w: World, ts: Path) -> dict:
    done = w.run(["pay", "-t", ts, "-p", w.policy(), "-f", "json", "-o", "clean.json", "--force"])
    assert done.code == 0, done
    return json.loads((w.root / "clean.json").read_text())


def _after_the_read(w: World, point: str, change: Callable[[Path], None], extra=()) -> None:
    """Change the timesheet at ``point`` (after it was read): paid as read, hashed as read."""
    ts = w.big("ts.csv", 40, 60)
    first = ts.read_bytes()
    expected = _pay_json(w, w.file("copy.csv", first))["totals"]
    done = w.paused(["pay", "-t", ts, "-p", w.policy(), *extra, "-f", "json", "-o", "pay.json"], point,
                    lambda p: change(ts))
    assert done.code == 0, done
    report = json.loads((w.root / "pay.json").read_text())
    assert report["totals"] == expected
    assert record_input(report, "ts.csv") == {"file": "ts.csv", "sha256": sha256(first), "bytes": len(first)}


@scenario("races")
def renamed_over_after_the_read(w: World) -> None:
    """A new version renamed over the timesheet after it was read: paid as read, hashed as read."""
    _after_the_read(w, "read", lambda ts: rename_over(ts, ts.read_bytes()[:2000]))


@scenario("races")
def truncated_after_the_read(w: World) -> None:
    """The timesheet truncated after it was read: paid as read, hashed as read."""
    _after_the_read(w, "read", lambda ts: os.truncate(ts, 0))


@scenario("races")
def rewritten_in_place_after_the_read(w: World) -> None:
    """Rewritten in place at the same size, modification time restored, after the read: hashed as read."""
    _after_the_read(w, "read", same_size_rewrite)


@scenario("races")
def partitions_renamed_over_after_the_spill(w: World) -> None:
    """--partitions: a new version renamed over after the spill: paid as spilled, hashed as spilled."""
    _after_the_read(w, "spill", lambda ts: rename_over(ts, ts.read_bytes()[:2000]), ["--partitions", "3"])


def _before_the_read(w: World, extra=()) -> None:
    """Rewritten (same size, mtime restored) after the early read or spill began, before it is used:
    the early work is not used; the run pays and hashes the new version."""
    ts = w.big("ts.csv")
    done = w.paused(["pay", "-t", ts, "-p", w.policy(), *extra, "-f", "json", "-o", "pay.json"], "start",
                    lambda p: (time.sleep(1.0), same_size_rewrite(ts)))
    assert done.code == 0, done
    report = json.loads((w.root / "pay.json").read_text())
    new = ts.read_bytes()
    assert report["totals"] == _pay_json(w, w.file("copy.csv", new))["totals"]
    assert record_input(report, "ts.csv")["sha256"] == sha256(new)


@scenario("races")
def early_read_of_a_file_rewritten_with_mtime_restored(w: World) -> None:
    """The early read (a large CSV read while pandas loads) is not used for a file rewritten since (ctime)."""
    _before_the_read(w)


@scenario("races")
def early_spill_of_a_file_rewritten_with_mtime_restored(w: World) -> None:
    """The early --partitions spill is not used for a file rewritten since (ctime)."""
    _before_the_read(w, ["--partitions", "3"])


def _dask_changed(w: World, change: Callable[[Path], None]) -> None:
    ts = w.big("ts.csv", 300, 60)
    done = w.paused(["pay", "-t", ts, "-p", w.policy(), "--engine", "dask", "-f", "json", "-o", "pay.json",
                     "--output-dir", "out"], "blocks", lambda p: change(ts), env={"PEERPAY_BLOCK_BYTES": "100000"})
    assert done.code == 1 and "changed while it was being read" in done.err, done
    assert not (w.root / "pay.json").exists()
    assert not (w.root / "out").exists() or list((w.root / "out").iterdir()) == []


@scenario("races")
def dask_timesheet_renamed_over_mid_run(w: World) -> None:
    """--engine dask: a new version renamed over while workers read blocks: refused (exit 1), never paid mixed."""
    _dask_changed(w, lambda ts: rename_over(ts, ts.read_bytes().replace(b",20.00", b",25.00")))


@scenario("races")
def dask_timesheet_rewritten_in_place_mid_run(w: World) -> None:
    """--engine dask: rewritten in place at the same size with its mtime restored: refused (exit 1)."""
    _dask_changed(w, same_size_rewrite)


@scenario("races")
def two_runs_create_one_new_report(w: World) -> None:
    """Two runs without --force create one new -o: the second to finish is refused (exit 2), never a silent replace."""
    args = ["pay", *w.pay_args(), "-o", "pay.json"]
    second: list[Done] = []
    done = w.paused([*args, "-f", "json"], "commit", lambda p: second.append(w.run([*args, "-f", "csv"])))
    assert second[0].code == 0, second[0]
    assert done.code == 2 and "another run wrote it meanwhile" in done.err, done
    assert (w.root / "pay.json").read_text().startswith("employee_id,")  # the first run's CSV, whole
    assert w.parts() == []


def _lines_add_up(folder: Path) -> None:
    import pyarrow.parquet as pq

    total = sum(sum(pq.read_table(p).column("gross_pay").to_pylist()) for p in sorted(folder.glob("lines-*.parquet")))
    summary = json.loads((folder / "summary.json").read_text())
    assert round(total, 2) == summary["totals"]["gross_pay"], (total, summary)
    assert not [p for p in folder.iterdir() if p.name.startswith(".peerpay-staging-")]


@scenario("races")
def two_dask_runs_share_an_output_dir(w: World) -> None:
    """Two dask runs with --force into one --output-dir: the folder ends as one whole run (lines add up to summary.json)."""
    small = w.big("small.csv", 40, 60)
    args = ["pay", "-p", w.policy(), "--engine", "dask", "--output-dir", "out", "--force"]
    other: list[Done] = []
    done = w.paused(["pay", "-t", w.big("ts.csv", 300, 60), *args[1:], "--partitions", "3"], "commit",
                    lambda p: other.append(w.run(["pay", "-t", small, *args[1:], "--partitions", "5"])))
    assert other[0].code == 0 and done.code == 0, (other[0], done)
    _lines_add_up(w.root / "out")
    assert len(list((w.root / "out").glob("lines-*"))) == 3  # the run that finished last


@scenario("races")
def a_second_dask_run_without_force_waits_its_turn(w: World) -> None:
    """A dask run without --force while another stages into the folder: refused (exit 2), the first finishes."""
    args = ["pay", *w.pay_args(), "--engine", "dask", "--output-dir", "out"]
    other: list[Done] = []
    done = w.paused(args, "blocks", lambda p: other.append(w.run(args)))
    assert other[0].code == 2 and "another peerpay run is writing into it" in other[0].err, other[0]
    assert done.code == 0, done
    _lines_add_up(w.root / "out")


@scenario("races")
def globbed_timesheet_hashes_every_file(w: World) -> None:
    """-t 'parts/*.csv' (the local engine and dask): the run record lists every file paid, each with its SHA-256."""
    ts = (SAMPLES / "timesheet.csv").read_bytes().splitlines(keepends=True)
    a, b = w.file("parts/a.csv", b"".join(ts[:150])), w.file("parts/b.csv", b"".join([ts[0], *ts[150:]]))
    for engine in ("local", "dask"):
        done = w.run(["pay", "-t", "parts/*.csv", "-p", w.sample("policy.toml"), "-r", w.sample("roster.csv"),
                      "-s", w.sample("schedule.csv"), "--engine", engine, "-f", "json", "-o", f"{engine}.json"])
        assert done.code == 0, done
        report = json.loads((w.root / f"{engine}.json").read_text())
        for f in (a, b):
            assert record_input(report, f.name)["sha256"] == sha256(f.read_bytes()), engine


# broken pipes ------------------------------------------------------------------------------------

@scenario("pipes")
def stderr_closed_with_rejected_rows(w: World) -> None:
    """`2>&1 | head -1` with rejected rows: the report is still written and the exit code is 3."""
    ts, pol = w.file("ts.csv", BAD_ROWS), w.policy()
    done = w.run(["pay", "-t", ts, "-p", pol, "-f", "json", "-o", "pay.json"], stderr=read_end_closed())
    assert done.code == 3, done
    assert json.loads((w.root / "pay.json").read_text())["totals"]["gross_pay"] == 320.0


@scenario("pipes")
def stderr_closed_for_an_unreadable_input(w: World) -> None:
    """A broken stderr never turns a failure into success: an unreadable timesheet still exits 1."""
    done = w.run(["pay", "-t", "missing.csv", "-p", w.policy(), "-f", "json", "-o", "pay.json"], stderr=read_end_closed())
    assert done.code == 1, done
    assert not (w.root / "pay.json").exists()


@scenario("pipes")
def stderr_closed_under_the_dask_progress_bar(w: World) -> None:
    """The dask progress bar on a closed stderr: the --output-dir is still written, exit 0."""
    done = w.run(["pay", *w.pay_args(), "--engine", "dask", "--output-dir", "out"], stderr=read_end_closed())
    assert done.code == 0, done
    _lines_add_up(w.root / "out")


@scenario("pipes")
def stdout_closed_with_rejected_rows(w: World) -> None:
    """The report to a stdout nobody reads, with rejected rows: exit 3 (not 0), --rejects still written."""
    ts, pol = w.file("ts.csv", BAD_ROWS), w.policy()
    done = w.run(["pay", "-t", ts, "-p", pol, "-f", "json", "--rejects", "rej.csv"], stdout=read_end_closed())
    assert done.code == 3, done
    assert (w.root / "rej.csv").read_text().count("\n") == 3


@scenario("pipes")
def validate_into_a_closed_pipe(w: World) -> None:
    """`peerpay validate … | head -0` with errors: still exit 1."""
    ts, pol = w.file("ts.csv", BAD_ROWS), w.policy()
    done = w.run(["validate", "-t", ts, "-p", pol], stdout=read_end_closed(), stderr=read_end_closed())
    assert done.code == 1, done


# settings (PEERPAY_* knobs) ---------------------------------------------------------------------

def _refused(w: World, name: str, values) -> None:
    for value in values:
        done = w.run(["pay", *w.pay_args(), "-f", "json", "-o", "pay.json"], {name: value})
        assert done.code == 1 and name in done.err and "Traceback" not in done.err, (name, value, done)
        assert not (w.root / "pay.json").exists()


@scenario("knobs")
def max_input_mb_out_of_bounds(w: World) -> None:
    """PEERPAY_MAX_INPUT_MB = inf, -5, 0, nan: exit 1 naming the setting, never a traceback."""
    _refused(w, "PEERPAY_MAX_INPUT_MB", ["inf", "-5", "0", "nan"])


@scenario("knobs")
def block_size_and_workers_out_of_bounds(w: World) -> None:
    """PEERPAY_BLOCK_BYTES = 0, -1, 2 GB and PEERPAY_WORKERS = 0, 100000: exit 1."""
    _refused(w, "PEERPAY_BLOCK_BYTES", ["0", "-1", str(2 << 30)])
    _refused(w, "PEERPAY_WORKERS", ["0", "100000"])


@scenario("knobs")
def a_tiny_block_size_is_bounded(w: World) -> None:
    """PEERPAY_BLOCK_BYTES=1 on a 300 KB timesheet: at most 64 blocks (not 300,000), paid in seconds."""
    started = time.monotonic()
    done = w.run(["pay", "-t", w.big("ts.csv", 100, 60), "-p", w.policy(), "--engine", "dask", "-f", "csv", "-o", "p.csv"],
                 {"PEERPAY_BLOCK_BYTES": "1"}, timeout=600)
    assert done.code == 0, done
    total = int(done.err.rsplit(" partitions", 1)[0].rsplit("/", 1)[1])
    assert total <= 64, total
    assert time.monotonic() - started < 300


@scenario("knobs")
def run_time_must_be_an_iso_date_time(w: World) -> None:
    """PEERPAY_RUN_TIME with a line break or HTML is refused (exit 1); a valid one reaches the report as given."""
    _refused(w, "PEERPAY_RUN_TIME", ["2025-12-01T09:00\n<b>forged</b>", "<script>alert(1)</script>", "yesterday"])
    done = w.run(["pay", *w.pay_args(), "-f", "json", "-o", "pay.json"], {"PEERPAY_RUN_TIME": "2025-12-01T09:00:00Z"})
    assert done.code == 0, done
    assert json.loads((w.root / "pay.json").read_text())["meta"]["run_time"] == "2025-12-01T09:00:00Z"


@scenario("knobs")
def an_unknown_setting_is_named(w: World) -> None:
    """A misspelt PEERPAY_WORKER=1 is named in a warning, not silently ignored; the run goes on."""
    done = w.run(["pay", *w.pay_args(), "-f", "json", "-o", "pay.json"], {"PEERPAY_WORKER": "1"})
    assert done.code == 0 and "PEERPAY_WORKER is not a peerpay setting" in done.err, done


# --- running them ---------------------------------------------------------------------------------


def run_one(s: Scenario, keep: bool = False) -> tuple[str, str]:
    if s.root and not privileged():
        return "SKIP", "needs root allowed to mount a tmpfs and make a device node"
    root = Path(tempfile.mkdtemp(prefix="peerpay-fault-"))
    try:
        with World(root) as w:
            s.fn(w)
        return "PASS", ""
    except Skip as exc:
        return "SKIP", str(exc)
    except AssertionError as exc:
        return "FAIL", str(exc) or traceback.format_exc(limit=-2)
    except Exception:
        return "FAIL", traceback.format_exc(limit=-3)
    finally:
        if not keep:
            for d in root.rglob("*"):
                with contextlib.suppress(OSError):
                    if d.is_dir() and not d.is_symlink():
                        d.chmod(0o755)
            shutil.rmtree(root, ignore_errors=True)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-k", help="only scenarios whose name holds this text")
    ap.add_argument("--list", action="store_true", help="list the scenarios and exit")
    ap.add_argument("--keep", action="store_true", help="keep each scenario's folder (for a look after a failure)")
    args = ap.parse_args(argv)
    chosen = [s for s in SCENARIOS if not args.k or args.k in s.name]
    if args.list:
        for s in chosen:
            print(f"{s.name:65} {s.doc}")
        return 0
    counts = {"PASS": 0, "FAIL": 0, "SKIP": 0}
    for s in chosen:
        started = time.monotonic()
        verdict, why = run_one(s, args.keep)
        counts[verdict] += 1
        print(f"{verdict}  {s.name:65} {time.monotonic() - started:5.1f} s", flush=True)
        if why:
            print("      " + why.strip().replace("\n", "\n      ")[:2000], flush=True)
    print(f"\n{counts['PASS']} of {len(chosen)} clean, {counts['FAIL']} failed, {counts['SKIP']} skipped")
    return 1 if counts["FAIL"] else 0


if __name__ == "__main__":
    sys.exit(main())
