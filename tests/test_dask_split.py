"""One big CSV read in byte ranges (--engine dask): every row keeps the number the local engine gives it.

Small files are cut into many blocks with a tiny block size (``block_bytes`` / PEERPAY_BLOCK_BYTES),
so that block boundaries fall inside rows, between CR and LF, next to empty lines and quotes.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from peerpay.engines.split import count_rows, csv_blocks
from peerpay.io.readers import loads_policy, read_csv_text
from peerpay.io.writers import to_json
from peerpay.jobs.pay import run_pay
from conftest import examples, generated_timesheets

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "samples"
POLICY = 'timezone = "UTC"\n[workweek]\nstart_day = "sunday"\n[overtime]\nweekly_hours = 40\nmultiplier = 1.5\n'
HEAD = "employee_id,start,end,rate"


def _rows(n: int, bad: dict[int, str] | None = None) -> list[str]:
    """n one-day shifts of five employees (row r: employee E(r % 5), day r // 5), ``bad`` = {row: end cell}."""
    out = []
    for r in range(1, n + 1):
        day = 3 + r // 5
        end = (bad or {}).get(r, f"2025-03-{day:02d} 16:00")
        out.append(f"E{r % 5},2025-03-{day:02d} 08:00,{end},20")
    return out


def _write(tmp_path: Path, name: str, lines: list[str], newline: str = "\n", bom: bool = False) -> Path:
    path = tmp_path / name
    path.write_bytes(("\ufeff" if bom else "").encode() + (newline.join(lines) + newline).encode())
    return path


def _read_blocks(path: Path, blocks) -> pd.DataFrame:
    from peerpay.engines.dask_engine import _read_block

    return pd.concat([_read_block(path, b.start, b.end, b.rows) for b in blocks], ignore_index=True).astype(object)


# ------------------------------------------------------------------------- cutting and counting


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"], ids=["LF", "CRLF", "CR"])
@pytest.mark.parametrize("bom", [False, True], ids=["plain", "BOM"])
def test_blocks_start_at_line_starts_and_number_rows_as_the_whole_file(tmp_path, newline, bom):
    lines = [HEAD, *_rows(6), "", *_rows(5), "", ""]  # empty lines are no rows: 11 rows
    path = _write(tmp_path, "t.csv", lines, newline, bom)
    blocks = csv_blocks(path, 50)  # ~40-byte rows: a boundary lands inside nearly every row
    assert blocks is not None and len(blocks) > 5
    data = path.read_bytes()
    header_end = data.index(newline.encode()) + len(newline)
    assert blocks[0].start == header_end and blocks[-1].end == len(data)
    for a, b in zip(blocks, blocks[1:]):
        assert a.end == b.start and b.first_row == a.first_row + a.rows
        assert data[b.start - 1:b.start] in (b"\n", b"\r") and data[b.start:b.start + 1] != b"\n" or newline == "\n"
    assert sum(b.rows for b in blocks) == 11
    pd.testing.assert_frame_equal(_read_blocks(path, blocks), read_csv_text(path).astype(object))


def test_quoted_commas_split_like_any_other_field(tmp_path):
    lines = [HEAD + ",note", *(r + ',"late, by ""10"" min"' for r in _rows(12))]
    path = _write(tmp_path, "q.csv", lines, "\r\n")
    blocks = csv_blocks(path, 60)
    assert blocks is not None and len(blocks) > 3
    pd.testing.assert_frame_equal(_read_blocks(path, blocks), read_csv_text(path).astype(object))


@pytest.mark.parametrize("cell", ['"line one\nline two"', '"line one\r\nline two"', 'a "stray" quote', '"open'])
def test_a_quote_that_may_hold_a_line_break_means_read_whole(tmp_path, cell):
    rows = _rows(12)
    rows[9] += "," + cell  # late in the file: the whole file is still read whole
    path = _write(tmp_path, "n.csv", [HEAD + ",note", *(r + ",x" for r in rows[:9]), *rows[9:]])
    assert csv_blocks(path, 60) is None


def test_small_files_and_header_only_files_are_one_piece(tmp_path):
    assert csv_blocks(_write(tmp_path, "a.csv", [HEAD, *_rows(3)]), 1 << 20) is None
    assert csv_blocks(_write(tmp_path, "h.csv", [HEAD]), 10) is None


ROW_TEXT = st.text(alphabet='aE1,"\n\r 2', max_size=6)


def _field(text: str, quote: bool) -> str:
    """RFC 4180: a field with a comma, quote or line break is quoted (any other may be)."""
    must = any(ch in text for ch in ',"\r\n')
    return '"' + text.replace('"', '""') + '"' if must or quote else text


@settings(max_examples=examples(40), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.tuples(ROW_TEXT, ROW_TEXT, ROW_TEXT, st.booleans()), min_size=1, max_size=25),
       blank=st.sets(st.integers(0, 25), max_size=4),
       newline=st.sampled_from(["\n", "\r\n", "\r"]), size=st.integers(1, 120))
def test_any_csv_splits_into_the_same_rows_or_is_read_whole(tmp_path, rows, blank, newline, size):
    lines = ["a,b,c"]
    for i, (*cells, quote) in enumerate(rows):
        if i in blank:
            lines.append("")  # an empty line: no row
        lines.append(",".join(_field(c, quote) for c in cells))
    path = tmp_path / "h.csv"
    path.write_bytes((newline.join(lines) + newline).encode())
    blocks = csv_blocks(path, size)
    breaks_in_cells = any("\n" in c or "\r" in c for row in rows for c in row[:3])
    if blocks is None:
        # read whole only when it must be: a cell with a line break, or all the data in one block
        assert breaks_in_cells or len(path.read_bytes()) - len(f"a,b,c{newline}") <= size
        return
    assert not breaks_in_cells
    pd.testing.assert_frame_equal(_read_blocks(path, blocks), read_csv_text(path).astype(object))


def test_count_rows_by_hand():
    assert count_rows(b"a,b\n\nc,d\n") == 2  # the empty line is no row
    assert count_rows(b"a,b\r\n\r\nc,d") == 2  # the last row has no line end
    assert count_rows(b"a\r\rb\r") == 2  # CR alone ends a line
    assert count_rows(b'a,"x,y"\n"q""r",z\r\n') == 2
    assert count_rows(b'a,"x\ny"\n') is None


# ------------------------------------------------------------------------- the dask engine


distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def client():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None,
                                  protocol="tcp") as cluster:
        with distributed.Client(cluster) as c:
            yield c


def _same_as_local(path: Path, client, block: int, policy=POLICY, **rates):
    from peerpay.engines.dask_engine import run_dask

    pol = loads_policy(policy) if isinstance(policy, str) else policy
    local = run_pay(path, pol, **rates)
    split = run_dask(path, pol, scheduler=client, block_bytes=block, progress=False, **rates)
    assert to_json(split.report) == to_json(local.report)
    return local.report


def test_a_bad_row_in_the_third_block_names_its_own_row(tmp_path, client):
    # rows are 37-38 bytes: with 100-byte blocks row 7 is in the third block
    path = _write(tmp_path, "t.csv", [HEAD, *_rows(12, bad={7: "2025-03-04 25:00"})], "\r\n")
    blocks = csv_blocks(path, 100)
    assert blocks[2].first_row <= 7 < blocks[2].first_row + blocks[2].rows
    report = _same_as_local(path, client, 100)
    assert [(r["row"], r["column"]) for r in report["rejected"]] == [(7, "end")]


def test_an_overlap_across_blocks_names_the_right_row(tmp_path, client):
    rows = _rows(12)
    rows[10] = "E1,2025-03-04 12:00,2025-03-04 20:00,20"  # row 11 overlaps row 6 (E1, 08:00-16:00 on 03-04)
    path = _write(tmp_path, "o.csv", [HEAD, *rows])
    blocks = csv_blocks(path, 80)
    block_of = {r: next(i for i, b in enumerate(blocks) if b.first_row <= r < b.first_row + b.rows) for r in (6, 11)}
    assert block_of[6] != block_of[11]
    report = _same_as_local(path, client, 80)
    assert [(r["row"], r["reason"]) for r in report["rejected"]] == [(11, "overlaps row 6 of the same employee")]


@pytest.mark.parametrize("newline, bom, extra", [("\r", False, ""), ("\r\n", True, ""), ("\n", False, ',"a, b"'),
                                                 ("\n", False, ',"two\nlines"')],
                         ids=["CR", "CRLF+BOM", "quoted-comma", "quoted-newline"])
def test_line_ends_bom_and_quotes_pay_as_the_local_engine(tmp_path, client, newline, bom, extra):
    rows = _rows(15, bad={4: "2025-03-03"})
    if extra:
        rows = [r + ",x" for r in rows[:12]] + [r + extra for r in rows[12:]]
    path = _write(tmp_path, "e.csv", [HEAD + (",note" if extra else ""), *rows, ""], newline, bom)
    assert (csv_blocks(path, 70) is None) == ("\n" in extra)
    _same_as_local(path, client, 70)


def test_blocks_that_do_not_read_back_as_counted_fall_back_to_the_whole_file(tmp_path, client, monkeypatch):
    import peerpay.engines.dask_engine as engine
    from peerpay.engines.split import Block

    path = _write(tmp_path, "m.csv", [HEAD, *_rows(12, bad={9: "x"})])
    wrong = [Block(b.start, b.end, b.first_row, b.rows + 1) for b in csv_blocks(path, 100)]
    monkeypatch.setattr(engine, "csv_blocks", lambda *a: wrong)
    _same_as_local(path, client, 100)


def test_samples_with_roster_and_schedule(client):
    from peerpay.io.readers import read_policy

    _same_as_local(SAMPLES / "timesheet.csv", client, 2000, read_policy(SAMPLES / "policy.toml"),
                   roster=SAMPLES / "roster.csv", schedule=SAMPLES / "schedule.csv")


def test_100k_generated_shifts_in_byte_ranges(tmp_path_factory, client):
    d = tmp_path_factory.mktemp("big")
    generated_timesheets(d, 100_000, spoiled=40, seed=16, parts=1)
    blocks = csv_blocks(d / "ts.csv", 1 << 20)
    assert blocks is not None and len(blocks) >= 4
    report = _same_as_local(d / "ts.csv", client, 1 << 20, (d / "policy.toml").read_text())
    late = [r["row"] for r in report["rejected"] if r["row"] >= blocks[3].first_row]
    assert len(report["rejected"]) == 40 and late  # rejections from late blocks, numbered as the local engine does


def test_cli_block_size_from_the_environment(tmp_path, client):
    from click.testing import CliRunner

    from peerpay.cli import main

    path = _write(tmp_path, "t.csv", [HEAD, *_rows(30, bad={25: "soon"})])
    (tmp_path / "p.toml").write_text(POLICY)
    base = ["pay", "-t", str(path), "-p", str(tmp_path / "p.toml"), "-f", "json"]
    r = CliRunner()
    local = r.invoke(main, [*base, "-o", str(tmp_path / "a.json")])
    split = r.invoke(main, [*base, "-o", str(tmp_path / "b.json"), "--engine", "dask",
                            "--scheduler", client.scheduler.address], env={"PEERPAY_BLOCK_BYTES": "200"})
    assert local.exit_code == split.exit_code == 3, split.output
    a, b = (json.loads((tmp_path / f).read_text()) for f in ("a.json", "b.json"))
    assert a["rejected"] == b["rejected"] == [{"file": "t.csv", "row": 25, "column": "end", "reason": b["rejected"][0]["reason"]}]
    assert a["lines"] == b["lines"]
