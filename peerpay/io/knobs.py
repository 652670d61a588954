"""The ``PEERPAY_*`` environment settings: one table, each value bounded and checked before a run.

An environment variable is typed once and forgotten, so a bad one must fail loudly and early,
never be half-read: ``PEERPAY_MAX_INPUT_MB=inf`` is not "no limit", ``-5`` is not a limit at all,
and a block size of one byte would cut a 50 MB timesheet into 50 million dask partitions.
``peerpay`` checks every knob when a command starts (:func:`check_all`), before any work, and
stops with exit code 1 and a message that names the variable, the value and the range. The
table below is the one place a knob is defined; docs/faults.md lists them for users.

A variable that starts with ``PEERPAY_`` but is not in the table is named in a warning (a typo
such as ``PEERPAY_WORKER=1`` would otherwise be ignored without a word).

Nothing here imports pandas (the early read checks ``PEERPAY_MAX_INPUT_MB`` while pandas loads).
"""

from __future__ import annotations

import math
import os
import re
import signal
from dataclasses import dataclass
from datetime import datetime

from ..errors import InputError


@dataclass(frozen=True)
class Knob:
    name: str
    kind: str  # "int", "float", "datetime" or "choice"
    meaning: str
    low: float = 0.0  # int and float: the smallest value allowed (a float must be above it when low_open)
    high: float = 0.0  # the largest value allowed
    low_open: bool = False
    choices: tuple[str, ...] = ()


#: Points of a run where ``PEERPAY_PAUSE_AT`` stops the process (SIGSTOP) until it is continued
#: (SIGCONT): a fault test renames, truncates or fills something at an exact moment, then lets
#: the run go on (tests/test_faults_races.py, scripts/fault_audit.py).
PAUSE_POINTS = (
    "start",  # the command's module is loaded, before its work (the early read or spill has begun)
    "read",  # every input of the local engine has been read (and hashed, when a run record is built)
    "spill",  # --partitions: the timesheet is spilled into its buckets, before they are paid
    "blocks",  # --engine dask: the timesheet's blocks are counted, before any worker reads them
    "commit",  # every output is rendered and staged, before the first one is put in place
)

KNOBS = {k.name: k for k in (
    Knob("PEERPAY_MAX_INPUT_MB", "float", "the largest file, in MB, the local engine reads whole (default 100)",
         low=0, high=1024 * 1024, low_open=True),
    Knob("PEERPAY_BLOCK_BYTES", "int", "the size, in bytes, of the byte ranges --engine dask cuts a big CSV into "
         "(default 16 MB; whatever the size, a file is cut into no more blocks than 64 or what 16 MB blocks make)", low=1, high=1 << 30),
    Knob("PEERPAY_WORKERS", "int", "how many processes pay side by side (default: one per core; at most 4 per core)",
         low=1, high=4 * (os.cpu_count() or 1)),
    Knob("PEERPAY_RUN_TIME", "datetime", "the run time written in the run record, for a reproducible report "
         "(an ISO 8601 date-time such as 2025-12-01T09:00:00+00:00; default: now, in UTC)"),
    Knob("PEERPAY_PAUSE_AT", "choice", "a fault test's pause point (the process stops itself there until SIGCONT)",
         choices=PAUSE_POINTS),
)}

#: what a run time looks like: a date, T or a space, a time to the minute or finer, an optional offset
_ISO_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2})?")


def value(name: str):
    """The knob's value, checked (None: not set, or blank). Raises :class:`InputError` when it is bad."""
    knob = KNOBS[name]
    raw = os.environ.get(name, "")
    text = raw.strip()
    if not text:
        return None
    if knob.kind == "choice":
        if text not in knob.choices:
            raise _bad(knob, raw, f"one of {', '.join(knob.choices)}")
        return text
    if knob.kind == "datetime":
        return _run_time(knob, raw, text)
    number = _number(text, whole=knob.kind == "int")
    low_ok = number is not None and (number > knob.low if knob.low_open else number >= knob.low)
    if number is None or not low_ok or number > knob.high:
        what = "a whole number" if knob.kind == "int" else "a number"
        above = f"above {knob.low:g}" if knob.low_open else f"from {knob.low:,.0f}"
        raise _bad(knob, raw, f"{what} {above} to {knob.high:,.0f}")
    return number


def _number(text: str, whole: bool) -> float | int | None:
    if whole:
        return int(text) if re.fullmatch(r"\+?\d{1,12}", text) else None
    if not re.fullmatch(r"\+?(\d+(\.\d*)?|\.\d+)", text):  # no sign, exponent, inf or nan: a plain amount
        return None
    number = float(text)
    return number if math.isfinite(number) else None


def _run_time(knob: Knob, raw: str, text: str) -> str:
    """The run time as given, once it is a real ISO 8601 date-time (it is printed in every report)."""
    ok = _ISO_DATETIME.fullmatch(text) is not None and text == raw
    if ok:
        try:
            datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            ok = False
    if not ok:
        raise _bad(knob, raw, "an ISO 8601 date-time such as 2025-12-01T09:00:00+00:00")
    return text


def _bad(knob: Knob, raw: str, wanted: str) -> InputError:
    shown = raw if len(raw) <= 40 else raw[:40] + "…"
    unit = {"PEERPAY_MAX_INPUT_MB": "megabytes", "PEERPAY_BLOCK_BYTES": "bytes", "PEERPAY_WORKERS": "processes"}.get(knob.name)
    kind = f"a number of {unit}" if unit else "a valid value"
    return InputError(f"{knob.name}={shown!r} is not {kind}: give {wanted} ({knob.meaning}), or unset it")


def check_all() -> list[str]:
    """Check every knob that is set (raises :class:`InputError` for the first bad one); returns
    warnings for ``PEERPAY_*`` variables that are not knobs."""
    for name in KNOBS:
        value(name)
    unknown = sorted(n for n in os.environ if n.startswith("PEERPAY_") and n not in KNOBS and n not in TEST_ONLY)
    return [f"{n} is not a peerpay setting and is ignored (the settings: {', '.join(KNOBS)})" for n in unknown]


#: variables the test suite reads itself (never peerpay)
TEST_ONLY = ("PEERPAY_WRITE_SCREENSHOTS",)


def pause_at(point: str) -> None:
    """Stop this process here (SIGSTOP) when ``PEERPAY_PAUSE_AT`` names ``point``; a fault test
    continues it (SIGCONT) after changing the world. A no-op otherwise, and where there is no SIGSTOP."""
    if os.environ.get("PEERPAY_PAUSE_AT", "").strip() == point and hasattr(signal, "SIGSTOP"):
        os.kill(os.getpid(), signal.SIGSTOP)
