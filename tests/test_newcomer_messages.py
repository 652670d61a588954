"""The usual first mistakes get advice, not just a refusal (issue 11)."""

from __future__ import annotations

from click.testing import CliRunner

from peerpay.cli import main


def pay(tmp_path, timesheet: str, *extra):
    ts = tmp_path / "ts.csv"
    ts.write_text(timesheet, encoding="utf-8")
    pol = tmp_path / "p.toml"
    pol.write_text("", encoding="utf-8")
    return CliRunner().invoke(main, ["pay", "-t", str(ts), "-p", str(pol), *extra])


def test_unknown_columns_show_the_closest_names_and_the_map(tmp_path):
    r = pay(tmp_path, "employee_id,start,ende\nA,2025-02-03 08:00,2025-02-03 16:00\n")
    assert r.exit_code == 1
    assert "missing required column(s) end" in r.output
    assert "closest: 'ende' for end" in r.output and "--map" in r.output and "peerpay init" in r.output


def test_slashed_dates_point_at_the_maps_date_format_without_guessing_the_order(tmp_path):
    # 03/02/2025 is 3 February day first or March 2 month first: both are named, neither assumed
    r = pay(tmp_path, "employee_id,start,end,rate\nA,03/02/2025 08:00,03/02/2025 16:00,20\n")
    assert r.exit_code == 3
    assert "hint: dates written like 03/02/2025" in r.output and "date_format" in r.output
    assert "write 2025-02-03 08:00 or 2025-03-02 08:00" in r.output


def test_a_us_date_gets_us_advice(tmp_path):
    # 03/13/2025 can only be month first: the advice is March 13, never a day-first rewrite
    r = pay(tmp_path, "employee_id,start,end,rate\nA,03/13/2025 08:00,03/13/2025 16:00,20\n")
    assert "it is written month first, US style (March 13, 2025)" in r.output
    assert "write 2025-03-13 08:00" in r.output and 'format = "%m/%d/%Y %H:%M"' in r.output


def test_every_row_rejected_is_said_plainly(tmp_path):
    r = pay(tmp_path, "employee_id,start,end\nA,bad,2025-02-03 16:00\n")
    assert r.exit_code == 3
    assert "every row was rejected (1 of 1): nothing was paid" in r.output
    assert "Nothing was paid: every row was rejected" in r.output  # in the report itself too


def test_a_roster_without_a_schedule_says_what_is_missing(tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text("employee_id,role,step\nA,peer_specialist,1\n", encoding="utf-8")
    r = pay(tmp_path, "employee_id,start,end\nA,2025-02-03 08:00,2025-02-03 16:00\n", "-r", str(roster))
    assert "give both --roster and --schedule" in r.output
