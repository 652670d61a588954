"""`peerpay cost` on the samples: golden outputs, formats, chart, errors, the demo section.

Regenerate the golden files with ``python -m pytest tests/test_cost_cli.py --regen-golden``
and review the diff.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from peerpay.models.proposal import loads_proposal

from conftest import check_golden

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "samples"

PROPOSALS = SAMPLES / "proposals"
BASE = ["cost", "-t", SAMPLES / "timesheet.csv", "-p", SAMPLES / "policy.toml", "-r", SAMPLES / "roster.csv",
        "-s", SAMPLES / "schedule.csv", "--proposal", PROPOSALS / "union.toml",
        "--proposal", PROPOSALS / "management.toml", "--on-costs", PROPOSALS / "oncosts.toml"]


@pytest.fixture
def sample_json(cost_sample):
    return cost_sample("json")


def test_sample_costing_json_matches_golden(sample_json, regen_golden):
    check_golden("cost_samples.json", sample_json, regen_golden)


def test_sample_costing_markdown_matches_golden(cost_sample, regen_golden):
    check_golden("cost_samples.md", cost_sample("md"), regen_golden)


def test_sample_costing_tells_union_from_management(sample_json):
    report = json.loads(sample_json)
    union, management = report["proposals"]
    assert union["end_of_term_lift_pct"] > management["end_of_term_lift_pct"] > 0
    # both keep the status quo's steps (management by saying nothing, the union by its own same rule), so both
    # close some gap as peers move up; the union's floor, cents equity raise and new step close more of it
    closed = {p["name"]: {g["role"]: g["points_closed"] or 0 for g in p["gap"]} for p in (union, management)}
    assert all(closed["Union proposal"][r] > closed["Management proposal"][r] for r in closed["Union proposal"])
    assert all(g["points_closed"] > 0 for g in union["gap"])
    # and both are costed on top of the same status quo
    assert union["items"][0]["term_cash_cost"] == management["items"][0]["term_cash_cost"] == report["status_quo"]["term_cash_cost"]
    assert union["retro_pay"] > 0 and management["retro_pay"] is None
    mgmt_y1 = [y for y in management["years"] if y["year"] == 1 and y["role"] == "TOTAL"][0]
    assert mgmt_y1["lump_sums"] == 9600.0  # $750 x 12.8 FTE


def test_csv_xlsx_and_chart(cli, tmp_path):
    out = tmp_path / "cost.csv"
    assert cli(BASE + ["--format", "csv", "-o", out]).exit_code == 0
    head = out.read_text().splitlines()[0]
    assert head.startswith("proposal,year,from,to,role,wages_cash")
    xlsx, png = tmp_path / "cost.xlsx", tmp_path / "gap.png"
    assert cli(BASE + ["--format", "xlsx", "-o", xlsx, "--chart", png]).exit_code == 0
    assert xlsx.read_bytes()[:2] == b"PK" and png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    again = cli(BASE + ["--format", "csv", "-o", out])
    assert again.exit_code == 2  # existing file without --force


def test_xlsx_needs_an_output_file(cli):
    assert cli(BASE + ["--format", "xlsx"]).exit_code == 2


def test_an_invalid_proposal_is_exit_1_with_the_key_named(cli, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('name = "x"\nterm_start = 2026-07-01\nyears = 1\n[[increase]]\neffective = 2026-07-01\npercnt = 3\n')
    result = cli(["cost", "-t", SAMPLES / "timesheet.csv", "-p", SAMPLES / "policy.toml", "-r", SAMPLES / "roster.csv",
                  "-s", SAMPLES / "schedule.csv", "--proposal", bad])
    assert result.exit_code == 1
    assert "increase[1].percnt: unknown key (did you mean 'percent'?)" in result.stderr
    assert "Traceback" not in result.output + result.stderr


def test_roster_and_schedule_are_required(cli):
    result = cli(["cost", "-t", SAMPLES / "timesheet.csv", "-p", SAMPLES / "policy.toml", "--proposal",
                  PROPOSALS / "union.toml"])
    assert result.exit_code == 2


@pytest.mark.parametrize("text, message", [
    ("years = 1\n[[increase]]\neffective = 2026-07-01\npercent = 3\ncents_per_hour = 5\n",
     "give exactly one of percent or cents_per_hour"),
    ("years = 1\n[[policy_change]]\neffective = 2026-07-01\n[policy_change.on_call]\nstandby_per_hr = 4\n",
     "on_call.standby_per_hr: unknown key (did you mean 'standby_per_hour'?)"),
    ("years = 0\n", "years"),
    ("years = 1\n[[schedule]]\neffective = 2026-07-01\nrole = \"rn\"\nstep = 6\n", "give hourly_rate, or remove = true"),
    ("years = 1\n[retro]\nsince = 2026-07-01\npaid_on = 2026-01-01\n", "retro paid_on is before since"),
])
def test_proposal_validation_names_the_problem(text, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        loads_proposal('name = "x"\nterm_start = 2026-07-01\n' + text)


def test_a_policy_change_that_breaks_the_policy_is_an_input_error(cli, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('name = "x"\nterm_start = 2026-07-01\nyears = 1\n[[policy_change]]\neffective = 2026-07-01\n'
                   '[[policy_change.differential]]\nname = "late"\nnew = true\nstart = "22:00"\n')
    result = cli(["cost", "-t", SAMPLES / "timesheet.csv", "-p", SAMPLES / "policy.toml", "-r", SAMPLES / "roster.csv",
                  "-s", SAMPLES / "schedule.csv", "--proposal", bad])
    assert result.exit_code == 1
    assert "give both start and end" in result.stderr


def test_the_sample_proposals_and_on_costs_validate():
    from peerpay.jobs.cost import read_on_costs, read_proposal

    assert read_proposal(PROPOSALS / "union.toml").years == 3
    assert read_proposal(PROPOSALS / "management.toml").lump_sum[0].amount == 750
    assert [o.name for o in read_on_costs(PROPOSALS / "oncosts.toml").on_cost] == ["FICA", "pension", "workers_comp"]


def test_demo_includes_the_union_vs_management_costing(cli):
    result = cli(["demo", "--samples", SAMPLES])
    assert result.exit_code == 0
    assert "Bargaining: union vs management proposal" in result.output
    assert "Union proposal" in result.output and "Management proposal" in result.output


def test_the_item_by_item_tables_pasted_in_the_docs_are_the_commands_output(cost_sample):
    """docs/costing.md shows the samples' item-by-item tables: they must be what the command prints."""
    out = cost_sample("md")
    docs = (REPO / "docs" / "costing.md").read_text(encoding="utf-8")
    for name in ("Union proposal", "Management proposal"):
        start = out.index(f"## {name}: item by item")
        block = out[start:out.index("\n## ", start + 3)].split("\n", 2)[2].strip()
        table = "\n".join(line for line in block.splitlines() if line.startswith("|"))
        assert table.count("\n") >= 3 and table in docs, f"docs/costing.md: re-paste the {name} item table"


def test_term_cash_is_the_sum_of_the_year_lines_and_of_the_items(sample_json):
    """Each year's cash is rounded once at its line; the term and the item-by-item parts add up to it
    to the cent (a total rounded separately could differ from its shown lines by a cent)."""
    for p in json.loads(sample_json)["proposals"]:
        cents = lambda v: round(v * 100)
        years = sum(cents(y["cash_cost"]) for y in p["years"] if y["role"] == "TOTAL")
        assert cents(p["term_cash_cost"]) == years
        assert sum(cents(i["term_cash_cost"]) for i in p["items"]) == years
