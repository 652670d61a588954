"""Issue 16 round 2, the end of a ``pay`` process: a quick exit loses nothing.

As its own process (``python -m peerpay``) a local ``pay`` ends with ``os._exit`` after flushing
(:func:`peerpay.cli.common.finish`); these tests check the outputs, stdout and stderr are whole
and the exit code is the contract's, and that in-process (CliRunner) nothing changes.
"""

from __future__ import annotations

import os
import subprocess
import sys

from click.testing import CliRunner

from conftest import SAMPLES
from peerpay.cli import main
from peerpay.cli.common import own_process

ROOT = SAMPLES.parent
PAY = ["pay", "-t", str(SAMPLES / "timesheet.csv"), "-p", str(SAMPLES / "policy.toml"), "-r", str(SAMPLES / "roster.csv"),
       "-s", str(SAMPLES / "schedule.csv")]


def env() -> dict:
    """The test's environment (conftest fixes PEERPAY_RUN_TIME per test) with this checkout first."""
    return {**os.environ, "PYTHONPATH": str(ROOT)}


def peerpay_process(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "peerpay", *args], capture_output=True, text=True, cwd=ROOT, env=env())


def test_in_process_runs_end_with_an_ordinary_exit():
    assert not own_process()  # pytest is __main__ here
    res = CliRunner().invoke(main, [*PAY, "-f", "json"])
    assert res.exit_code in (0, 3) and res.stdout.rstrip().endswith("}")


def test_a_process_writes_the_same_bytes_to_stdout_and_to_a_file(tmp_path):
    for fmt in ("csv", "json", "table"):
        printed = peerpay_process(*PAY, "-f", fmt)
        written = peerpay_process(*PAY, "-f", fmt, "-o", str(tmp_path / f"pay.{fmt}"))
        in_process = CliRunner().invoke(main, [*PAY, "-f", fmt])
        assert printed.returncode == written.returncode == in_process.exit_code
        assert printed.stdout == (tmp_path / f"pay.{fmt}").read_text() == in_process.stdout  # flushed, whole
        assert printed.stderr.endswith("\n") and "Reconciliation:" in printed.stderr  # the last messages too
        assert not [p for p in tmp_path.iterdir() if p.name.endswith(".part")]  # no temp file left behind


def test_rejected_rows_still_exit_3_from_a_process(tmp_path):
    bad = tmp_path / "ts.csv"
    bad.write_text((SAMPLES / "timesheet.csv").read_text() + "E999,not a date,2025-01-01 10:00,work,peer_specialist,20\n")
    res = subprocess.run([sys.executable, "-m", "peerpay", "pay", "-t", str(bad), "-p", str(SAMPLES / "policy.toml"),
                          "-f", "csv", "-o", str(tmp_path / "out.csv")], capture_output=True, text=True, cwd=ROOT, env=env())
    assert res.returncode == 3, res.stderr
    assert "rejected:" in res.stderr and (tmp_path / "out.csv").read_text().startswith("employee_id")


def test_a_digest_hashed_in_the_background_is_the_one_computed_in_the_foreground(tmp_path):
    import hashlib

    from peerpay.cli.common import file_digest, hash_in_background

    f = tmp_path / "ts.csv"
    f.write_bytes(b"employee_id,start\n" * 50_000)  # 900,000 bytes: several chunks
    expected = (hashlib.sha256(f.read_bytes()).hexdigest(), 900_000)
    hash_in_background([f, None, "-"])
    assert file_digest(f) == expected
    hash_in_background([f])
    f.write_bytes(b"changed since the run started\n")  # a stale background digest is never used
    assert file_digest(f) == (hashlib.sha256(b"changed since the run started\n").hexdigest(), 30)


def test_pieces_written_to_a_file_are_the_bytes_of_the_text(tmp_path):
    """CSV and JSON as pieces (arrow's UTF-8 buffer kept as it is) write what the joined text writes."""
    import pandas as pd

    from peerpay.io.writers import atomic_write, to_csv, to_csv_chunks, to_json, to_json_chunks

    frame = pd.DataFrame({"employee_id": ["Zoë", "=1+1", 'say "hi"'] * 400, "gross_pay": [880.0, 12.5, 0.01] * 400})
    report = {"lines": frame.to_dict("records"), "notes": ["café"]}
    for chunks, text in ((to_csv_chunks(frame), to_csv(frame)), (to_json_chunks(report), to_json(report))):
        atomic_write(tmp_path / "out", chunks)
        assert (tmp_path / "out").read_bytes() == text.encode("utf-8")
    atomic_write(tmp_path / "out", [])  # no pieces: an empty file
    assert (tmp_path / "out").read_bytes() == b""


def test_whole_numbers_from_the_table_are_the_cast_text():
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    from peerpay.io.writers import _whole_text

    for n in (np.arange(0, 70_000, 7), np.array([0, 65_535]), np.array([65_536, 1]), np.array([], dtype="int64")):
        assert _whole_text(n).equals(pc.cast(pa.array(n), pa.string()))
