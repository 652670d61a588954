"""Hostile policies and hostile output targets: a clear message and the right exit code, never a
traceback, never a destroyed or half-written file, nothing published that identifies a person.

Exit codes (docs/formats.md §4): 1 unusable file or invalid policy, 2 usage, 3 rows rejected, 0 clean.
The ``cli`` fixture runs with ``catch_exceptions=False``: any exception fails the test.
Fixture files are tests/hostile/out_*.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import openpyxl
import pytest
from conftest import SAMPLES

HOSTILE = Path(__file__).resolve().parent / "hostile"
POLICY = HOSTILE / "policy.toml"
OUT = LINKS = None  # set per test by the ``hostile`` fixture below
GAP = ["gap", "-r", SAMPLES / "roster.csv", "-s", SAMPLES / "schedule.csv", "--as-of", "2025-11-30"]

# The hostile files, inline: tests/test_hostile.py requires every file in tests/hostile/ to be one of its cases.
FIXTURES = {
    'out_callback_below_one.toml': '[on_call]\nstandby_per_hour = 3\ncallback_multiplier = 0.5\n',
    # ids that a spreadsheet would turn into links, and one with a Markdown "|"
    "out_links.csv": (
        "employee_id,start,end,kind,rate\n"
        "http://evil.example/x,2025-03-03 08:00,2025-03-03 16:00,work,20\n"
        "mailto:boss@example.org,2025-03-03 08:00,2025-03-03 16:00,work,20\n"
        "external:c:\\x.xlsx,2025-03-03 08:00,2025-03-03 16:00,work,20\n"
        '"A|B",2025-03-03 08:00,2025-03-03 16:00,work,20\n'
    ),
    'out_multiplier_percent.toml': '[overtime]\nweekly_hours = 40\nmultiplier = 150\n',
    'out_per_hour_huge.toml': '[[differential]]\nname = "night"\nper_hour = 1e300\n',
    'out_percent_overflow.toml': '[[differential]]\nname = "night"\npercent = 1e9\n',
    'out_same_window.toml': '[[differential]]\nname = "night"\nstart = "23:00"\nend = "23:00"\nper_hour = 2\n',
    'out_tz_folder.toml': 'timezone = "America"\n',
    "out_unusual.toml": """\
# legal but unusual values: `peerpay validate` asks what was meant, the run goes on
[overtime]
weekly_hours = 40
multiplier = 1.5

[[differential]]
name = "night"
start = "23:00"
end = "07:00"
percent = 0.05          # 0.05 %: meant 5 %

[[differential]]
name = "weekend"
days = ["sat", "sun"]
per_hour = 250          # $250 an hour: meant 2.50

[holiday]
multiplier = 5          # five times the base
""",
}


@pytest.fixture(autouse=True)
def hostile(tmp_path_factory, monkeypatch):
    """Write the fixtures to a folder of their own; ``OUT`` and ``LINKS`` point there."""
    folder = tmp_path_factory.mktemp("hostile_out")
    for name, text in FIXTURES.items():
        (folder / name).write_text(text)
    monkeypatch.setattr(sys.modules[__name__], "OUT", folder)
    monkeypatch.setattr(sys.modules[__name__], "LINKS", folder / "out_links.csv")
    return folder


def pay(cli, timesheet=None, policy=POLICY, *more):
    return cli(["pay", "-t", timesheet or LINKS, "-p", policy, *more])


# --------------------------------------------------------------------------- policy values

# policy file, text that must be in stderr (exit code 1: an invalid policy)
BAD_POLICIES = [
    ("out_percent_overflow.toml", "differential[1].percent: percent must be at most 1000 percent of the base rate"),
    ("out_per_hour_huge.toml", "per_hour must be at most 1000 dollars per hour, not 1.00e+300"),
    ("out_same_window.toml", "start and end are both 23:00: a window needs two different times"),
    ("out_callback_below_one.toml", "on_call.callback_multiplier: callback_multiplier must be at least 1"),
    ("out_multiplier_percent.toml", ("overtime.multiplier: multiplier must be at most 10 (a multiplier of the base or "
                                     "regular rate: 1.5 is time and a half), not 150; did you mean 1.5?")),
    ("out_tz_folder.toml", "timezone: unknown IANA timezone 'America'"),
]


@pytest.mark.parametrize("name,message", BAD_POLICIES)
def test_out_of_bounds_policy_is_refused_before_any_pay(cli, name, message, tmp_path):
    out = tmp_path / "out.json"
    res = pay(cli, LINKS, OUT / name, "-f", "json", "-o", out)
    assert res.exit_code == 1, res.output
    assert message in res.stderr
    assert "site-packages" not in res.stderr and "Traceback" not in res.stderr
    assert not out.exists()


def test_more_differentials_than_the_bound(cli, tmp_path):
    policy = tmp_path / "p.toml"
    policy.write_text("".join(f'[[differential]]\nname = "d{i}"\nper_hour = 1\n' for i in range(17)))
    res = pay(cli, LINKS, policy)
    assert res.exit_code == 1 and "17 differentials: at most 16" in res.stderr


def test_pay_at_every_bound_is_exact_and_positive(cli, tmp_path):
    """The largest legal figures do not wrap int64.

    One employee, 7 shifts of 24 h (168 h) at $9,999/h, 16 whole-day differentials of 1000 %:
      base           9,999 x 168                         =   1,679,832.00
      differentials  16 x 10 x 1,679,832                 = 268,773,120.00
      regular rate   (base + differentials) / 168 = 9,999 x 161 = 1,609,839 $/h
      overtime       128 h over 40: 0.5 x 1,609,839 x 128 = 103,029,696.00
      gross                                              = 373,482,648.00
    """
    policy = tmp_path / "p.toml"
    policy.write_text("[overtime]\nweekly_hours = 40\nmultiplier = 1.5\n"
                      + "".join(f'[[differential]]\nname = "d{i}"\npercent = 1000\n' for i in range(16)))
    ts = tmp_path / "t.csv"
    ts.write_text("employee_id,start,end,rate\n" + "".join(
        f"E1,2025-03-{2 + d:02d} 00:00,2025-03-{3 + d:02d} 00:00,9999\n" for d in range(7)))
    res = cli(["pay", "-t", ts, "-p", policy, "-f", "json"])
    assert res.exit_code == 0, res.output
    line = json.loads(res.stdout)["lines"][0]
    assert line["base_pay"] == 1_679_832.00
    assert sum(line["differential_pay"].values()) == 268_773_120.00
    assert line["overtime_premium"] == 103_029_696.00
    assert line["gross_pay"] == 373_482_648.00


def test_unusual_values_warn_with_what_was_meant(cli):
    res = cli(["validate", "-p", OUT / "out_unusual.toml"])
    assert res.exit_code == 0, res.output
    assert "warning: out_unusual.toml: differential[1] (night).percent = 0.05 means 0.05 % of the base rate: did you mean 5 (%)?" in res.stdout
    assert "differential[2] (weekend).per_hour = 250 is $250 an hour: did you mean 2.50 (cents typed as dollars)?" in res.stdout
    assert "holiday.multiplier = 5 pays 5 times the rate" in res.stdout
    # pay prints the same warnings on stderr and still pays
    paid = pay(cli, LINKS, OUT / "out_unusual.toml", "-f", "json")
    assert paid.exit_code == 0
    assert "warning: policy: differential[1] (night).percent = 0.05" in paid.stderr
    assert "warning" not in paid.stdout


def test_a_clean_policy_has_no_warnings():
    from peerpay.io.readers import read_policy
    from peerpay.models.policy import policy_warnings

    assert policy_warnings(read_policy(SAMPLES / "policy.toml")) == []


# --------------------------------------------------------------------------- policy, proposal, map files


def _special(tmp_path, kind: str) -> Path:
    if kind == "dev_zero":
        return Path("/dev/zero")
    path = tmp_path / f"{kind}.toml"
    if kind == "fifo":
        os.mkfifo(path)  # opening it would block forever
    elif kind == "oversize":
        path.write_text("# padding\n" * 200_000)  # 2 MB of comments
    elif kind == "deep":
        path.write_text("a = " + "[" * 50_000 + "]" * 50_000 + "\n")
    return path


TOML_CASES = [("dev_zero", "is not a regular file"), ("fifo", "is not a regular file"),
              ("oversize", "is too big for a"), ("deep", "nested too deeply to read")]


@pytest.mark.parametrize("kind,message", TOML_CASES)
def test_policy_that_is_not_a_policy_file(cli, tmp_path, kind, message):
    res = pay(cli, LINKS, _special(tmp_path, kind))
    assert res.exit_code == 1 and message in res.stderr


@pytest.mark.parametrize("kind,message", TOML_CASES)
def test_map_and_proposal_that_are_not_toml_files(cli, tmp_path, kind, message):
    bad = _special(tmp_path, kind)
    res = pay(cli, LINKS, POLICY, "--map", bad)
    assert res.exit_code == 1 and message in res.stderr
    res = cli(["cost", "-t", SAMPLES / "timesheet.csv", "-p", SAMPLES / "policy.toml", "-r", SAMPLES / "roster.csv",
               "-s", SAMPLES / "schedule.csv", "--proposal", bad])
    assert res.exit_code == 1 and message in res.stderr


# --------------------------------------------------------------------------- outputs never destroy inputs


def _copy(tmp_path, *sources) -> list[Path]:
    out = []
    for s in sources:
        p = tmp_path / Path(s).name
        p.write_bytes(Path(s).read_bytes())
        out.append(p)
    return out


def test_rejects_over_the_timesheet_is_refused_and_the_timesheet_survives(cli, tmp_path):
    ts, pol = _copy(tmp_path, SAMPLES / "timesheet.csv", SAMPLES / "policy.toml")
    before = ts.read_bytes()
    res = cli(["pay", "-t", ts, "-p", pol, "--rejects", ts, "--force"])
    assert res.exit_code == 2
    assert f"--rejects {ts} is one of this run's input files" in res.stderr
    assert ts.read_bytes() == before


@pytest.mark.parametrize("which", ["timesheet", "policy", "roster", "schedule", "map", "symlink"])
def test_output_over_any_input_is_refused_even_with_force(cli, tmp_path, which):
    ts, pol, ros, sch = _copy(tmp_path, SAMPLES / "timesheet.csv", SAMPLES / "policy.toml", SAMPLES / "roster.csv",
                              SAMPLES / "schedule.csv")
    mp = tmp_path / "map.toml"
    mp.write_text('[columns]\nemployee_id = "employee_id"\n')
    target = {"timesheet": ts, "policy": pol, "roster": ros, "schedule": sch, "map": mp}.get(which)
    if which == "symlink":
        target = tmp_path / "link.csv"
        target.symlink_to(ts)
    before = {p: p.read_bytes() for p in (ts, pol, ros, sch, mp)}
    args = ["pay", "-t", ts, "-p", pol, "-r", ros, "-s", sch, "-o", target, "--force"]
    if which == "map":
        args += ["--map", mp]
    res = cli(args)
    assert res.exit_code == 2, res.output
    assert "is one of this run's input files" in res.stderr
    assert {p: p.read_bytes() for p in before} == before


def test_gap_and_cost_outputs_never_overwrite_inputs(cli, tmp_path):
    ros, sch = _copy(tmp_path, SAMPLES / "roster.csv", SAMPLES / "schedule.csv")
    res = cli(["gap", "-r", ros, "-s", sch, "-o", ros, "--force"])
    assert res.exit_code == 2 and "--output" in res.stderr and "input files" in res.stderr
    res = cli(["gap", "-r", ros, "-s", sch, "--chart", tmp_path / "schedule.csv", "--force"])
    assert res.exit_code == 2  # .csv is not a chart format: refused before anything else
    chart = tmp_path / "c.png"
    chart.symlink_to(sch)
    res = cli(["gap", "-r", ros, "-s", sch, "--chart", chart, "--force"])
    assert res.exit_code == 2 and "--chart" in res.stderr
    prop = tmp_path / "union.toml"
    prop.write_bytes((SAMPLES / "proposals" / "union.toml").read_bytes())
    res = cli(["cost", "-t", SAMPLES / "timesheet.csv", "-p", SAMPLES / "policy.toml", "-r", ros, "-s", sch,
               "--proposal", prop, "-o", prop, "--force"])
    assert res.exit_code == 2 and "input files" in res.stderr
    assert prop.read_bytes() == (SAMPLES / "proposals" / "union.toml").read_bytes()
    assert ros.read_bytes() == (SAMPLES / "roster.csv").read_bytes()


def test_existing_rejects_is_checked_before_anything_is_written(cli, tmp_path):
    rejects, out = tmp_path / "rejects.csv", tmp_path / "out.json"
    rejects.write_text("keep me\n")
    res = pay(cli, SAMPLES / "timesheet.csv", SAMPLES / "policy.toml", "-o", out, "--rejects", rejects, "-f", "json")
    assert res.exit_code == 2 and f"{rejects} exists; use --force" in res.stderr
    assert rejects.read_text() == "keep me\n" and not out.exists()


def test_one_file_for_two_outputs_is_refused(cli, tmp_path):
    both = tmp_path / "a.csv"
    res = pay(cli, LINKS, POLICY, "-o", both, "--rejects", both, "-f", "csv")
    assert res.exit_code == 2 and "--rejects and --output name the same file" in res.stderr
    assert not both.exists()


def test_a_failed_run_writes_nothing(cli, tmp_path):
    out, rejects = tmp_path / "out.json", tmp_path / "rejects.csv"
    res = pay(cli, LINKS, OUT / "out_percent_overflow.toml", "-o", out, "--rejects", rejects)
    assert res.exit_code == 1
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("umask,mode", [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_output_files_respect_the_umask(cli, tmp_path, umask, mode):
    old = os.umask(umask)
    try:
        res = pay(cli, LINKS, POLICY, "-f", "json", "-o", tmp_path / "out.json", "--rejects", tmp_path / "r.csv")
    finally:
        os.umask(old)
    assert res.exit_code == 0
    assert (tmp_path / "out.json").stat().st_mode & 0o777 == mode
    assert (tmp_path / "r.csv").stat().st_mode & 0o777 == mode


def test_replacing_a_file_keeps_its_mode(cli, tmp_path):
    out = tmp_path / "out.json"
    out.write_text("old")
    out.chmod(0o640)
    res = pay(cli, LINKS, POLICY, "-f", "json", "-o", out, "--force")
    assert res.exit_code == 0 and out.stat().st_mode & 0o777 == 0o640 and out.read_text() != "old"


# --------------------------------------------------------------------------- XLSX and Markdown


def _hyperlinks(path: Path) -> list:
    wb = openpyxl.load_workbook(path)
    return [(ws.title, c.coordinate) for ws in wb for row in ws.iter_rows() for c in row if c.hyperlink]


def _cells(path: Path) -> set:
    wb = openpyxl.load_workbook(path)
    return {c.value for ws in wb for row in ws.iter_rows() for c in row}


def test_pay_workbook_has_no_live_links(cli, tmp_path):
    out = tmp_path / "pay.xlsx"
    res = pay(cli, LINKS, POLICY, "-f", "xlsx", "-o", out, "--detail")
    assert res.exit_code == 0, res.output
    assert _hyperlinks(out) == []
    assert {"http://evil.example/x", "mailto:boss@example.org", "external:c:\\x.xlsx"} <= _cells(out)  # kept as text


def test_gap_workbook_has_no_live_links(cli, tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text("employee_id,role,step\nP1,peer_specialist,1\nP2,peer_specialist,1\nX1,http://evil.example,1\n")
    schedule = tmp_path / "schedule.csv"
    schedule.write_text("role,step,hourly_rate\npeer_specialist,1,20\nhttp://evil.example,1,30\n")
    out = tmp_path / "gap.xlsx"
    res = cli(["gap", "-r", roster, "-s", schedule, "--as-of", "2025-11-30", "-f", "xlsx", "-o", out])
    assert res.exit_code == 0, res.output
    assert _hyperlinks(out) == []
    assert "http://evil.example" in _cells(out)


def test_more_rows_than_a_worksheet_holds_is_refused_before_writing(cli, tmp_path, monkeypatch):
    from peerpay.io import writers

    monkeypatch.setattr(writers, "EXCEL_MAX_ROWS", 4)  # 4 pay lines + a header row do not fit
    out = tmp_path / "pay.xlsx"
    res = pay(cli, LINKS, POLICY, "-f", "xlsx", "-o", out, "--detail")
    assert res.exit_code == 2
    assert "the 'pay lines' sheet would have 4 rows, more than Excel's 4 (header included): use --format csv" in res.stderr
    assert list(tmp_path.iterdir()) == []


def test_markdown_cells_escape_pipes_and_line_breaks(cli, tmp_path):
    res = pay(cli, LINKS, POLICY, "-f", "md")
    rows = [l for l in res.stdout.splitlines() if l.startswith("|")]
    assert any(r.startswith("| A\\|B ") for r in rows)
    assert len({r.count("|") - r.count("\\|") for r in rows}) == 1  # every row has the same number of cells
    ts = tmp_path / "t.csv"
    ts.write_text('employee_id,start,end,rate\n"two\nlines",2025-03-03 08:00,2025-03-03 16:00,20\n')
    res = cli(["pay", "-t", ts, "-p", POLICY, "-f", "md"])
    # ids lose control characters on input (docs/input-rules.md), so the line break never reaches a cell
    assert "| twolines " in res.stdout


def test_gap_markdown_escapes_role_names(cli, tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text("employee_id,role,step\nP1,peer_specialist,1\nX1,a|b,1\n")
    schedule = tmp_path / "schedule.csv"
    schedule.write_text("role,step,hourly_rate\npeer_specialist,1,20\na|b,1,30\n")
    res = cli(["gap", "-r", roster, "-s", schedule, "--as-of", "2025-11-30", "-f", "md"])
    assert res.exit_code == 0 and "| a\\|b " in res.stdout


# --------------------------------------------------------------------------- gap --publish


def test_published_quartiles_show_shares_only(cli):
    report = json.loads(cli([*GAP, "--publish", "--min-group", "3", "-f", "json"]).stdout)
    assert [set(q) for q in report["quartiles"]] == [{"quartile", "peer_share_pct"}] * 4
    # each quarter of 17 employees, and the 7 peers, are under 10 (the size for exact figures, which
    # --min-group 3 cannot lower since issue 24): no share is published
    assert [q["peer_share_pct"] for q in report["quartiles"]] == [None] * 4
    # no total from which a suppressed group's n could be subtracted
    assert "n_peer" not in report["decomposition"] and "n_other" not in report["decomposition"]
    text = cli([*GAP, "--publish", "--min-group", "3", "-f", "md"]).stdout
    quartiles = text.split("pay quartiles")[1].split("Explained")[0]
    assert "from $/h" not in quartiles and "employees" not in quartiles
    assert "44.15" not in text and "37.50" not in text  # the top rate; the single director's rate


def test_suppressed_groups_are_listed_last_by_name(cli):
    groups = json.loads(cli([*GAP, "--publish", "--min-group", "3", "-f", "json"]).stdout)["groups"]
    hidden = [g["role"] for g in groups if g["suppressed"]]
    # (--min-group 3: a published group is never under 3 since issue 15, so 2 became 3 here)
    hidden = [g["role"] for g in groups if g["suppressed"]]
    assert hidden == ["community_health_worker", "lpn", "peer_supervisor", "program_director", "rn"]  # by name, not by pay
    assert [g["suppressed"] for g in groups] == [False] * (len(groups) - 5) + [True] * 5


def test_unpublished_quartiles_keep_their_ranges(cli):
    report = json.loads(cli([*GAP, "-f", "json"]).stdout)
    assert report["quartiles"][3]["max_hourly"] == 44.15 and report["decomposition"]["n_peer"] == 7


# --------------------------------------------------------------------------- dask --output-dir


def test_output_dir_holds_only_our_files(tmp_path):
    from peerpay.cli.scale import _Swap, check_output_dir

    folder = tmp_path / "out"
    folder.mkdir()
    for name in ("lines-00000.parquet", "lines-00001.parquet", "lines-00002.parquet", "summary.json", "rejected.csv"):
        (folder / name).write_text("old")
    with pytest.raises(SystemExit) as exc:
        check_output_dir(folder, force=False)
    assert exc.value.code == 2
    check_output_dir(folder, force=True)  # only a previous run's files: may be replaced
    staging = folder / ".peerpay-staging-x"
    staging.mkdir()
    for name in ("lines-00000.parquet", "summary.json", "rejected.csv"):
        (staging / name).write_text("new")
    _Swap(staging, folder, force=True).commit()
    assert sorted(p.name for p in folder.iterdir() if p != staging) == ["lines-00000.parquet", "rejected.csv", "summary.json"]
    assert {p.read_text() for p in folder.iterdir() if p.is_file()} == {"new"}  # no stale lines-00001/2
    (folder / "notes.txt").write_text("mine")
    with pytest.raises(SystemExit) as exc:
        check_output_dir(folder, force=True)
    assert exc.value.code == 2 and (folder / "notes.txt").exists()


def test_output_dir_may_not_hold_an_input(cli, tmp_path):
    (ts,) = _copy(tmp_path, LINKS)
    res = cli(["pay", "-t", ts, "-p", POLICY, "--engine", "dask", "--output-dir", tmp_path, "--force"])
    assert res.exit_code == 2 and "holds this run's input out_links.csv" in res.stderr


def test_init_writes_nothing_when_one_target_is_a_folder(cli, tmp_path):
    (tmp_path / "map.toml").mkdir()
    res = cli(["init", tmp_path, "--force"])
    assert res.exit_code == 2 and "map.toml: is a folder; nothing written" in res.stderr
    assert not (tmp_path / "policy.toml").exists()


def test_midnight_to_midnight_is_still_a_whole_day_window():
    from peerpay.models.policy import loads_policy

    d = loads_policy('[[differential]]\nname = "all"\nstart = "00:00"\nend = "24:00"\nper_hour = 1\n').differential[0]
    assert d.window == (0, 1440)
    with pytest.raises(ValueError, match="start and end are both 24:00"):
        loads_policy('[[differential]]\nname = "x"\nstart = "24:00"\nend = "00:00"\nper_hour = 1\n')
