"""Writing a run's files: every output staged beside its target, then all put in place, or none.

A run that fails must leave nothing behind, and a run that is stopped (Ctrl-C, SIGTERM) or meets
a full disk half way must not leave some of its files written and others not (a ``pay.csv``
without its ``pay.detail.csv``, the report and half the pay statements). So a command collects
its outputs in one :class:`Outputs` and commits them together:

1. **Stage.** Each file is written to a temporary ``.NAME.XXXX.part`` in its target's own folder
   and synced to disk. A full disk, a read-only folder or a missing permission fails here,
   with the file's name, while no target has been touched; every temporary file is removed.
2. **Place.** Each staged file is renamed onto its target (an atomic step of the file system).
   A new target is created *exclusively*: the staged file is hard-linked to the name, which
   fails if another run created it meanwhile (two runs without ``--force`` never silently
   replace each other; with ``--force`` replacing is the point). A file that is replaced is
   kept (hard-linked) until every target is in place, so a failure puts the old files back.

Targets that are not regular files are never replaced by one (docs/faults.md):

* a **symbolic link** is followed: its target file is written (atomically, as above) and the
  link stays a link;
* a **character device or a named pipe** (``/dev/null``, ``/dev/stdout``, a FIFO another
  program reads) is written through, opened for writing without creating or truncating it:
  it cannot be staged, so it is written after every regular file is staged and before any is
  put in place;
* a block device, a socket or a folder is refused before any work (:func:`check_target`).

Nothing here imports pandas.
"""

from __future__ import annotations

import errno
import contextlib
import os
import re
import secrets
import shutil
import signal
import socket
import stat
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from . import knobs

_WRITE_CHARS = 1 << 22  # characters encoded per write

#: a report as pieces written one after another: text, or UTF-8 bytes straight from an arrow buffer
Chunks = list[str | bytes | memoryview]


class OutputError(Exception):
    """An output could not be written (a full disk, a read-only folder): exit code 1, nothing written."""


def reason(exc: OSError) -> str:
    """What went wrong, in the system's words: ``No space left on device`` (pyarrow puts the number
    in its message, ``[errno 28]``, and leaves ``strerror`` empty)."""
    if m := re.search(r"\[errno (\d+)\]", str(exc)):
        return os.strerror(int(m.group(1)))
    if exc.strerror:
        return exc.strerror
    return os.strerror(exc.errno) if exc.errno else str(exc) or type(exc).__name__


class TargetRefused(Exception):
    """An output target that must not be written (a block device, a folder, a folder that cannot be
    written): found before any work, exit code 2."""


# --- what a target is -------------------------------------------------------------------------


def target_kind(path: str | Path) -> str:
    """How ``path`` is written: ``"file"`` (a regular file, new or existing, through any symlinks)
    or ``"through"`` (a character device or a FIFO, written in place). Raises :class:`TargetRefused`."""
    try:
        st = os.stat(path)  # follows symlinks: what a write would reach
    except (FileNotFoundError, NotADirectoryError):  # a new file (check_folder judges the folder)
        return "file"
    except OSError as exc:
        raise TargetRefused(f"{path}: {reason(exc)}") from None
    mode = st.st_mode
    if stat.S_ISREG(mode):
        return "file"
    if stat.S_ISCHR(mode) or stat.S_ISFIFO(mode):
        return "through"
    what = "a folder" if stat.S_ISDIR(mode) else "a block device" if stat.S_ISBLK(mode) else \
        "a socket" if stat.S_ISSOCK(mode) else "not a regular file"
    raise TargetRefused(f"{path}: is {what}; give a file name")


def final_path(path: str | Path) -> Path:
    """Where a file written to ``path`` lands: the path itself, or the file its symlinks lead to
    (a dangling link: the file it names)."""
    p = Path(path)
    return Path(os.path.realpath(p)) if p.is_symlink() else p


def check_target(path: str | Path) -> str:
    """Before any work: ``path`` can be written. Returns its kind (:func:`target_kind`).

    For a regular file, the folder it lands in (or the nearest folder above it that exists, for
    a folder still to be made) must take a new file: a temporary file is created there and
    removed, which finds a read-only disk, a missing permission or a file where a folder should
    be, whoever runs the command (``os.access`` says yes to root on a read-only folder).
    """
    kind = target_kind(path)
    if kind == "file":
        check_folder(final_path(path).parent, f"{path}")
    return kind


def check_folder(folder: str | Path, what: str) -> None:
    """``folder`` (or, when it does not exist yet, the nearest one above it) takes new files."""
    d = Path(folder) if str(folder) else Path(".")
    while not d.exists():
        if d.is_symlink():  # a dangling link where a folder should be
            raise TargetRefused(f"{what}: {d} is a broken link")
        d = d.parent
    if not d.is_dir():
        raise TargetRefused(f"{what}: {d} is a file, not a folder")
    try:
        fd, probe = tempfile.mkstemp(prefix=".peerpay-probe-", dir=d)
    except OSError as exc:
        raise TargetRefused(f"{what}: cannot write into {d} ({reason(exc)})") from None
    os.close(fd)
    os.unlink(probe)


# --- staging and placing ----------------------------------------------------------------------


@dataclass
class _File:
    path: Path  # as the user gave it
    data: bytes | str | Chunks
    force: bool
    label: str | None = None  # how messages name it (default: the path)
    final: Path = field(init=False)  # where the bytes land
    through: bool = field(init=False)
    tmp: str | None = None
    backup: str | None = None
    placed: bool = False
    made: bool = False  # the target did not exist: undo removes it

    def __post_init__(self):
        self.through = target_kind(self.path) == "through"
        self.final = self.path if self.through else final_path(self.path)

    def stage(self, folders: list[Path]) -> None:
        if self.through:
            return
        if not self.force and _taken(self.final):
            raise FileExistsError(f"{self.label or self.path} exists; use --force to overwrite it")
        _make_folders(self.final.parent, folders)
        mode = _new_file_mode(self.final)
        with uninterrupted():  # the temporary file is noted as soon as it exists (a signal then removes it)
            fd, self.tmp = tempfile.mkstemp(prefix=f".{self.final.name}.", suffix=".part", dir=self.final.parent)
        os.fchmod(fd, mode)  # mkstemp makes 0600: give the report the mode any other tool would
        with os.fdopen(fd, "wb") as fh:
            _write_all(fh, self.data)
            fh.flush()
            os.fsync(fh.fileno())

    def write_through(self) -> None:
        """A device or a FIFO: opened for writing as it is (never created, never truncated). A
        reader that goes away (``-o /dev/stdout | head``) is not an error, as for stdout."""
        fh = os.fdopen(os.open(self.final, os.O_WRONLY | getattr(os, "O_NOCTTY", 0)), "wb")
        try:
            _write_all(fh, self.data)
        except BrokenPipeError:
            pass
        finally:
            try:
                fh.close()  # flushes the rest (the descriptor is closed even when that fails)
            except BrokenPipeError:
                pass

    def place(self) -> None:
        assert self.tmp is not None
        if not self.force and _link_new(self.tmp, self.final):
            self.made = self.placed = True
            os.unlink(self.tmp)
            self.tmp = None
            return
        if not self.force and _taken(self.final):  # created by another run since we looked
            raise FileExistsError(f"{self.label or self.path} exists (another run wrote it meanwhile); use --force to overwrite it")
        self.made = not self.final.exists()
        if not self.made:
            self.backup = _keep(self.final)
        os.replace(self.tmp, self.final)
        self.tmp = None
        self.placed = True

    def undo(self) -> None:
        if not self.placed:
            return
        if self.backup is not None:
            os.replace(self.backup, self.final)
            self.backup = None
        elif self.made:
            _unlink(self.final)
        self.placed = False

    def clean(self) -> None:
        for name in (self.tmp, self.backup):
            if name is not None:
                _unlink(name)
        self.tmp = self.backup = None


@dataclass
class Step:
    """Work that puts a staged folder in place (``--output-dir``): ``commit`` it, ``undo`` a
    commit (a later output failed), ``discard`` what was staged (always called last)."""

    commit: Callable[[], None]
    discard: Callable[[], None]
    undo: Callable[[], None] = lambda: None


class Outputs:
    """The files one run writes, committed together (see the module docstring)."""

    def __init__(self, pause: str | None = None) -> None:
        self.pause = pause  # a PEERPAY_PAUSE_AT point between staging and placing (a command's outputs)
        self.in_place = False  # every file is in place (a later failure or signal must not say "nothing was written")
        self.files: list[_File] = []
        self.steps: list[Step] = []
        self.stdout: list[Callable[[], None]] = []
        self.done = False

    def add(self, path: str | Path, data: bytes | str | Chunks, force: bool = True, *, label: str | None = None) -> None:
        """Write ``data`` to ``path`` when the run commits (an existing non-empty file only with ``force``).
        ``label``: how messages name it, when the file's name must not be printed (it carries an employee id)."""
        self.files.append(_File(Path(path), data, force, label))

    def add_step(self, step: Step) -> None:
        self.steps.append(step)

    def print_after(self, show: Callable[[], None]) -> None:
        """Show something on stdout once every file is in place (nothing is shown if they are not)."""
        self.stdout.append(show)

    def commit(self) -> None:
        """Stage every file, write the devices, run the steps, place every file; on any failure
        (an error, a signal) undo what was placed and remove every staged file."""
        if self.done:
            return
        self.done = True
        folders: list[Path] = []
        current: _File | None = None
        stepped: list[Step] = []
        try:
            for current in self.files:
                current.stage(folders)
            if self.pause:
                knobs.pause_at(self.pause)
            for current in self.files:
                if current.through:
                    current.write_through()
            current = None
            for step in self.steps:
                with uninterrupted():  # a folder moved in by renames: whole, or undone
                    stepped.append(step)
                    step.commit()
            with uninterrupted():  # renames only: a signal waits for them, then everything placed is undone
                for current in self.files:
                    if not current.through:
                        current.place()
        except BaseException as exc:
            with uninterrupted():  # an undo cut short would leave .part files and half the old files
                self._undo(stepped, folders)
            if isinstance(exc, OSError) and not isinstance(exc, FileExistsError) and current is not None:
                raise OutputError(f"{current.label or current.path}: {reason(exc)}") from None
            raise
        self.in_place = True
        with uninterrupted():
            for f in self.files:
                f.clean()  # the replaced files kept for an undo
            for step in self.steps:
                step.discard()
        for show in self.stdout:
            show()

    def _undo(self, stepped: list[Step], folders: list[Path]) -> None:
        """Put back what a failed commit changed, and remove everything it staged."""
        for f in reversed(self.files):
            try:
                f.undo()
            except OSError:
                pass
            f.clean()
        for step in reversed(stepped):
            try:
                step.undo()
            except OSError:
                pass
        for step in self.steps:
            step.discard()
        for d in reversed(folders):
            try:
                d.rmdir()
            except OSError:
                pass

    def discard(self) -> None:
        """The run failed: nothing is written (steps remove their staged folders)."""
        if self.done:
            return
        self.done = True
        with uninterrupted():
            for f in self.files:
                f.clean()
            for step in self.steps:
                step.discard()


@contextlib.contextmanager
def uninterrupted():
    """Ctrl-C, SIGTERM and SIGHUP wait until the block is done, then act as usual: for work that
    must not be cut short (undoing a commit, starting or closing a dask cluster). Only in the
    main thread, where signal handlers run; an ignored signal stays ignored."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []
    names = [n for n in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, n)]
    previous = {getattr(signal, n): signal.getsignal(getattr(signal, n)) for n in names}
    for sig, handler in previous.items():
        if callable(handler):  # an ignored signal stays ignored
            signal.signal(sig, lambda signum, frame: caught.append(signum))
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        if caught and callable(handler := previous[caught[0]]):
            handler(caught[0], None)


# --- temporary folders of a run's own ---------------------------------------------------------


def owner() -> str:
    """``HOST-PID``: who made a run's folder (a hyphen in the host name becomes ``_``)."""
    return f"{socket.gethostname().replace('-', '_')}-{os.getpid()}"


def abandoned(folder: Path, prefix: str) -> bool:
    """A folder ``PREFIX-HOST-PID-…`` made on this machine by a process that no longer exists
    (a run killed by SIGKILL or a power cut). Another machine's, or a living run's, never is."""
    parts = folder.name[len(prefix):].split("-")
    if not folder.name.startswith(prefix) or len(parts) < 3 or not parts[1].isdigit():
        return False
    if parts[0] != socket.gethostname().replace("-", "_"):
        return False
    try:
        os.kill(int(parts[1]), 0)
    except ProcessLookupError:
        return True
    except OSError:  # it exists (another user's process)
        return False
    return False


def run_folder(prefix: str, where: str | Path | None = None) -> Path:
    """A new temporary folder of this run's own, ``PREFIX-HOST-PID-XXXXXXXX`` in ``where`` (default
    the temporary folder); the folders of the same kind that killed runs left there are removed
    first, so a SIGKILL never leaves tens of MB behind for good."""
    base = Path(where) if where is not None else Path(tempfile.gettempdir())
    try:
        for entry in base.iterdir():
            if entry.name.startswith(prefix) and entry.is_dir() and abandoned(entry, prefix):
                shutil.rmtree(entry, ignore_errors=True)
    except OSError:
        pass
    return Path(tempfile.mkdtemp(prefix=f"{prefix}{owner()}-", dir=base))


def atomic_write(path: str | Path, data: bytes | str | Chunks, *, force: bool = True) -> None:
    """Write one file now, as :class:`Outputs` writes it: staged and renamed (a failed or
    interrupted write leaves the old file and no temporary file), a new file created exclusively,
    a device or FIFO written through. ``force=False``: an existing non-empty file is not replaced.

    ``data`` may be a list of pieces (:data:`Chunks`): each is written as it is, so a 76 MB JSON
    report goes from arrow's buffer to the file without being decoded, joined and encoded again.
    """
    one = Outputs()
    one.add(path, data, force)
    one.commit()


# --- helpers ----------------------------------------------------------------------------------


def _write_all(fh, data) -> None:
    for chunk in data if isinstance(data, list) else [data]:
        if isinstance(chunk, str):  # encoded a slice at a time: a 100 MB report never has a second, bytes copy
            for i in range(0, len(chunk), _WRITE_CHARS):
                fh.write(chunk[i:i + _WRITE_CHARS].encode("utf-8"))
        else:
            fh.write(chunk)


def _taken(path: Path) -> bool:
    """An existing non-empty file (an empty one may be replaced without --force)."""
    try:
        return path.stat().st_size > 0
    except OSError:
        return False


def _link_new(tmp: str, final: Path) -> bool:
    """Create ``final`` holding ``tmp``'s bytes, only if no file of that name exists (True: done).

    A hard link is created atomically and fails when the name exists, so of two runs creating
    one new file the second sees the first's. False: the name exists (then an empty file may be
    replaced), or the file system has no hard links (then the file is created with O_EXCL first).
    """
    try:
        os.link(tmp, final)
        return True
    except FileExistsError:
        return False
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EMLINK, errno.EXDEV, errno.ENOSYS):
            raise
    try:  # no hard links here: reserve the name, then rename onto it
        os.close(os.open(final, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        return False
    os.replace(tmp, final)
    return True


def _keep(path: Path) -> str | None:
    """A hard link to the file about to be replaced, so a failed commit can put it back (None:
    the file system has no hard links; the old file is then replaced without a way back)."""
    for _ in range(100):
        name = str(path.parent / f".{path.name}.{secrets.token_hex(4)}.old")
        try:
            os.link(path, name)
            return name
        except FileExistsError:
            continue
        except OSError:
            return None
    return None


def _make_folders(folder: Path, made: list[Path]) -> None:
    """Create ``folder`` and its missing parents, noting each (a failed commit removes them)."""
    missing = []
    d = folder
    while not d.exists():
        missing.append(d)
        d = d.parent
    for d in reversed(missing):
        d.mkdir()
        made.append(d)


def _unlink(name) -> None:
    try:
        os.unlink(name)
    except FileNotFoundError:
        pass


def _new_file_mode(path: Path) -> int:
    """The mode ``open(path, "w")`` would leave: the existing file's, else 0666 less the umask."""
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except OSError:
        pass
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask
