"""The fault audit's harness: a world a scenario runs peerpay in (scripts/fault_audit.py).

A :class:`World` is a fresh folder with its own ``TMPDIR`` and environment (this checkout first
on ``PYTHONPATH``, no ``PEERPAY_*`` setting but a fixed run time), files, the real command run
as a subprocess, a run stopped at a ``PEERPAY_PAUSE_AT`` point while the scenario changes
something, and small tmpfs mounts (root only) that are removed when the world closes. The
helpers read /proc: a process's state, its descendants, whether they are gone.
"""

from __future__ import annotations

import glob
import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "samples"
RUN_TIME = "2025-12-01T09:00:00+00:00"
SIMPLE_POLICY = "[overtime]\nweekly_hours = 40\nmultiplier = 1.5\n"
BAD_ROWS = ("employee_id,start,end,kind,rate\n"
            "E1,2025-03-03 08:00,2025-03-03 16:00,work,20.00\n"
            "E2,2025-03-03 18:00,2025-03-03 16:00,work,20.00\n"
            "E3,not a time,2025-03-03 16:00,work,20.00\n"
            "E4,2025-03-04 08:00,2025-03-04 16:00,work,20.00\n")


@dataclass
class Done:
    code: int
    out: str
    err: str

    def __str__(self) -> str:
        return f"exit {self.code}; stderr: {self.err.strip()[-600:]!r}"


class World:
    """A fresh folder, its own TMPDIR and environment, tmpfs mounts (removed on close)."""

    _big: dict[tuple, bytes] = {}

    def __init__(self, root: Path):
        self.root = Path(root)
        self.tmp = self.root / "tmp"
        self.tmp.mkdir(parents=True, exist_ok=True)
        self.mounts: list[Path] = []
        env = {k: v for k, v in os.environ.items() if not k.startswith("PEERPAY_")}
        path = os.pathsep.join([str(REPO), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
        self.env = {**env, "TMPDIR": str(self.tmp), "PYTHONPATH": path, "PEERPAY_RUN_TIME": RUN_TIME}

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self) -> None:
        for m in reversed(self.mounts):
            subprocess.run(["umount", "-l", str(m)], check=False)
        self.mounts.clear()

    # files
    def file(self, name: str, text: str | bytes) -> Path:
        p = self.root / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(text.encode() if isinstance(text, str) else text)
        return p

    def sample(self, name: str) -> Path:
        return self.file(name, (SAMPLES / name).read_bytes())

    def pay_args(self) -> list[str]:
        """The samples' pay run (300 shifts, 15 employees, every rule): a report of ~40 KB."""
        return ["-t", str(self.sample("timesheet.csv")), "-p", str(self.sample("policy.toml")),
                "-r", str(self.sample("roster.csv")), "-s", str(self.sample("schedule.csv"))]

    def big(self, name: str = "big.csv", employees: int = 1100, days: int = 200) -> Path:
        """A clean timesheet of employees x days 8-hour shifts (220,000 rows, ~10 MB by default:
        large enough for the early read, the two-halves fork and several dask blocks)."""
        key = (employees, days)
        if key not in World._big:
            import datetime as dt

            first = dt.date(2025, 1, 5)
            dates = [(first + dt.timedelta(days=d)).isoformat() for d in range(days)]
            rows = [f"E{e:05d},{d} 08:00,{d} 16:00,work,20.00\n" for e in range(employees) for d in dates]
            World._big[key] = ("employee_id,start,end,kind,rate\n" + "".join(rows)).encode()
        return self.file(name, World._big[key])

    def policy(self) -> Path:
        return self.file("simple.toml", SIMPLE_POLICY)

    # running peerpay
    def command(self, args) -> list[str]:
        return [sys.executable, "-m", "peerpay", *map(str, args)]

    def start(self, args, env: dict | None = None, **kw) -> subprocess.Popen:
        kw.setdefault("stdout", subprocess.PIPE)
        kw.setdefault("stderr", subprocess.PIPE)
        return subprocess.Popen(self.command(args), cwd=self.root, env={**self.env, **(env or {})}, **kw)

    def run(self, args, env: dict | None = None, timeout: float = 300, **kw) -> Done:
        proc = self.start(args, env, **kw)
        out, err = proc.communicate(timeout=timeout)
        return Done(proc.returncode, as_text(out), as_text(err))

    def paused(self, args, point: str, action: Callable[[subprocess.Popen], None], env: dict | None = None,
               resume: bool = True, **kw) -> Done:
        """Run until PEERPAY_PAUSE_AT=point stops the process, do ``action(proc)``, let it go on."""
        proc = self.start(args, {**(env or {}), "PEERPAY_PAUSE_AT": point}, **kw)
        wait_stopped(proc)
        action(proc)
        if resume:
            proc.send_signal(signal.SIGCONT)
        out, err = proc.communicate(timeout=300)
        return Done(proc.returncode, as_text(out), as_text(err))

    # file systems
    def tmpfs(self, name: str, kb: int, *, free_kb: int | None = None, read_only: bool = False) -> Path:
        """A tmpfs of ``kb`` KB mounted at ``name``, filled until ``free_kb`` KB are left (root only)."""
        d = self.root / name
        d.mkdir(parents=True, exist_ok=True)
        subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={kb}k", "tmpfs", str(d)], check=True)
        self.mounts.append(d)
        if free_kb is not None:
            fill(d, free_kb)
        if read_only:
            subprocess.run(["mount", "-o", "remount,ro", str(d)], check=True)
        return d

    def leftovers(self) -> list[str]:
        """What a run left in its temporary folder (spill folders, dask scratch space, temp files)."""
        return sorted(os.listdir(self.tmp))

    def parts(self) -> list[str]:
        """Staged files left anywhere in the world (``.NAME.XXXX.part``, ``.old``)."""
        return [str(p) for p in self.root.rglob(".*.part")] + [str(p) for p in self.root.rglob(".*.old")]


def as_text(b) -> str:
    return b.decode("utf-8", "replace") if isinstance(b, bytes) else (b or "")


def fill(folder: Path, free_kb: int) -> None:
    """Write a filler file until about ``free_kb`` KB are left."""
    st = os.statvfs(folder)
    room = st.f_bavail * st.f_frsize - free_kb * 1024
    if room > 0:
        with open(folder / "filler", "wb") as fh:
            fh.write(b"\0" * room)


def state(pid: int) -> str | None:
    """The process's state letter (R, S, T, Z, …), None when it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return None


def wait_stopped(proc: subprocess.Popen, timeout: float = 240) -> None:
    deadline = time.monotonic() + timeout
    while state(proc.pid) not in ("T", "t"):
        if proc.poll() is not None:
            out, err = proc.communicate()
            raise AssertionError(f"the run ended (exit {proc.returncode}) before its pause point: {as_text(err)[-800:]}")
        if time.monotonic() > deadline:
            proc.kill()
            raise AssertionError("the run never reached its pause point")
        time.sleep(0.02)


def descendants(pid: int) -> set[int]:
    """Every living process below ``pid``."""
    parents: dict[int, list[int]] = {}
    for d in glob.glob("/proc/[0-9]*/stat"):
        try:
            with open(d) as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
            parents.setdefault(int(fields[1]), []).append(int(d.split("/")[2]))
        except (OSError, IndexError, ValueError):
            continue
    found, todo = set(), [pid]
    while todo:
        for child in parents.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def wait_for(what: Callable[[], object], timeout: float = 240, every: float = 0.02):
    deadline = time.monotonic() + timeout
    while not (got := what()):
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting")
        time.sleep(every)
    return got


def alive(pids) -> set[int]:
    return {p for p in pids if state(p) not in (None, "Z")}


def gone_soon(pids, timeout: float = 10) -> set[int]:
    """The processes of ``pids`` still alive after ``timeout`` seconds (an orphan outlives its run)."""
    deadline = time.monotonic() + timeout
    while alive(pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    return alive(pids)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def record_input(report: dict, name: str) -> dict:
    inputs = (report.get("meta") or {}).get("inputs", [])
    found = [i for i in inputs if i["file"] == name]
    assert found, f"{name} is not in the run record: {inputs}"
    return found[0]


class Skip(Exception):
    """The scenario cannot run here (it says why)."""


_PRIVILEGED: list[bool] = []


def privileged() -> bool:
    """Root, and allowed to mount a tmpfs and make a device node here (a container may refuse
    either even to root): tried once, in a folder of its own."""
    if not _PRIVILEGED:
        ok = os.geteuid() == 0 and shutil.which("mount") is not None and shutil.which("umount") is not None
        if ok:
            import tempfile

            probe = Path(tempfile.mkdtemp(prefix="peerpay-fault-probe-"))
            try:
                ok = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(probe)],
                                    capture_output=True).returncode == 0
                if ok:
                    subprocess.run(["umount", str(probe)], check=False)
                    os.mknod(probe / "null", 0o600 | 0o020000, os.makedev(1, 3))  # a character device
            except OSError:
                ok = False
            finally:
                shutil.rmtree(probe, ignore_errors=True)
        _PRIVILEGED.append(ok)
    return _PRIVILEGED[0]


def same_size_rewrite(path: Path) -> None:
    """Rewrite ``path`` in place at the same size (every rate 20.00 -> 30.00) and put its
    modification time back (``touch -r``): only the change time tells."""
    st = os.stat(path)
    data = path.read_bytes()
    new = data.replace(b",20.00", b",30.00")
    assert new != data and len(new) == len(data)
    with open(path, "r+b") as fh:
        fh.write(new)
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))


def rename_over(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".new")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def read_end_closed():
    """A pipe whose reader has gone: every write to its other end fails (EPIPE)."""
    r, w = os.pipe()
    os.close(r)
    return w
