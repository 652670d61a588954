"""How a command meets faults from around it: a signal to stop, and a reader that goes away.

**Signals.** SIGTERM (``kill``, a service manager, ``timeout``) and SIGHUP (the terminal closed)
are handled as Ctrl-C (SIGINT) is: the signal raises :class:`Interrupted` in the main thread, so
every clean-up on the way out runs, exactly as for an error: staged outputs are removed and
nothing is put in place (:mod:`peerpay.io.outputs`), the ``--partitions`` spill folder and the
dask staging and scratch folders are removed, forked children are ended and reaped, a dask
cluster is closed. The command then exits with 128 + the signal's number (130 for SIGINT, 143
for SIGTERM, 129 for SIGHUP), the shells' convention for "stopped by a signal". A second signal
while the clean-up runs does not cut it short (SIGKILL does, and leaves whatever it leaves). A
signal that comes once every file is in place (while a report is printed to stdout) leaves the
files, and the message says they were written. A
SIGHUP that is ignored (``nohup``) stays ignored. Forked children get the default handlers back:
a child of the ``--partitions`` or two-halves engines holds nothing to clean and is ended by
its parent; a dask worker is stopped by its nanny.

**A reader that goes away.** stdout and stderr are guarded (:func:`guard_streams`): when a
write fails because the reader went away (``peerpay pay … 2>&1 | head -1`` closes the pipe
after one line) or the stream cannot take more (stderr sent to a full disk), the stream is
pointed at ``/dev/null`` and the run goes on. A broken stream therefore never changes what is
written or the exit code: a run with rejected rows still writes its report and exits 3, an
unreadable input still exits 1, only the messages are lost. (Before, the first lost line ended
the run at once with exit 0 and no report.)
"""

from __future__ import annotations

import io
import os
import signal
import sys
import threading

#: the signals handled as Ctrl-C is
STOP_SIGNALS = ("SIGTERM", "SIGHUP")


class Interrupted(KeyboardInterrupt):
    """The run was asked to stop by a signal (SIGTERM, SIGHUP): unwound like Ctrl-C."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum


_stopping = False
_installed = False


def _stop(signum, frame) -> None:
    global _stopping
    if _stopping:  # a second signal while cleaning up: the clean-up goes on
        return
    _stopping = True
    raise Interrupted(signum)


def install_signal_handlers() -> None:
    """SIGTERM and SIGHUP raise :class:`Interrupted` (from the main thread only; installed once per
    process, armed again for each command)."""
    global _installed, _stopping
    _stopping = False
    if _installed or threading.current_thread() is not threading.main_thread():
        return
    _installed = True
    for name in STOP_SIGNALS:
        sig = getattr(signal, name, None)
        if sig is not None and signal.getsignal(sig) == signal.SIG_DFL:  # an ignored SIGHUP (nohup) stays ignored
            signal.signal(sig, _stop)
    if hasattr(os, "register_at_fork"):
        os.register_at_fork(after_in_child=_defaults_in_child)


def _defaults_in_child() -> None:
    """A forked child (a worker) ends at once on SIGTERM: its parent cleans up."""
    global _stopping
    _stopping = False
    for name in STOP_SIGNALS:
        sig = getattr(signal, name, None)
        if sig is not None and signal.getsignal(sig) is _stop:
            try:
                signal.signal(sig, signal.SIG_DFL)
            except ValueError:  # not the main thread of the child
                pass


def check_settings() -> None:
    """Every ``PEERPAY_*`` setting checked before the command loads: a bad one is exit 1 at once
    (:mod:`peerpay.io.knobs`; the command warns about unknown ones when it starts)."""
    from ..errors import InputError
    from ..io import knobs

    try:
        knobs.check_all()
    except InputError as exc:
        print(f"peerpay: {exc}", file=sys.stderr)
        sys.exit(1)


def exit_code(exc: KeyboardInterrupt) -> int:
    """128 + the signal's number: 130 for Ctrl-C, 143 for SIGTERM."""
    return 128 + (exc.signum if isinstance(exc, Interrupted) else signal.SIGINT)


def signal_name(exc: KeyboardInterrupt) -> str:
    return signal.Signals(exc.signum).name if isinstance(exc, Interrupted) else "Ctrl-C (SIGINT)"


# --- streams whose reader goes away -------------------------------------------------------------


class GuardedStream(io.TextIOWrapper):
    """A text stream on a file descriptor that outlives its reader: a failed write or flush points
    the descriptor at /dev/null (``lost`` is set) and the run goes on."""

    lost = False

    def write(self, s):
        try:
            return super().write(s)
        except OSError:
            self._lose()
            return len(s)

    def flush(self):
        try:
            super().flush()
        except OSError:
            self._lose()
            try:
                super().flush()  # what was buffered now goes to /dev/null
            except OSError:
                pass

    def _lose(self) -> None:
        self.lost = True
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, self.buffer.fileno())
            os.close(devnull)
        except (OSError, ValueError):
            pass


def guard_streams() -> None:
    """Put :class:`GuardedStream` in place of stdout and stderr (only real descriptors: a test
    runner's captured streams are left as they are)."""
    for name in ("stdout", "stderr"):
        stream = getattr(sys, name)
        if isinstance(stream, GuardedStream):
            continue
        try:
            fd = stream.fileno()
            stream.flush()
        except (AttributeError, OSError, ValueError):
            continue
        guarded = GuardedStream(open(fd, "wb", closefd=False), encoding=getattr(stream, "encoding", None) or "utf-8",
                                errors=getattr(stream, "errors", None) or "strict",
                                line_buffering=name == "stderr" or bool(getattr(stream, "line_buffering", False)),
                                write_through=name == "stderr")
        setattr(sys, name, guarded)
