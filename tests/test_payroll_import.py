"""`peerpay pay --export VENDOR|MAP`: the earnings import, and its round trip through the same map.

For each shipped layout (ADP paydata, Paychex SPI, UKG Pro): export the sample pay lines, read the
file back through the layout's map as a register, and get the same dollars and hours by employee
and component; `peerpay audit` of it shows no difference at all.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from conftest import SAMPLES, dedent
from peerpay.core.audit import HOURS_COLUMN, components, line_column
from peerpay.errors import InputError
from peerpay.io.earnings_map import loads_earnings_map
from peerpay.io.payroll_import import VENDORS, cents_text, csv_text, hours_text, vendor_map, write_import
from peerpay.io.readers import read_table
from peerpay.io.register import register_from_table
from peerpay.jobs.pay import run_pay

PAY = ["pay", "-t", SAMPLES / "timesheet.csv", "-p", SAMPLES / "policy.toml", "-r", SAMPLES / "roster.csv", "-s", SAMPLES / "schedule.csv"]
EXPORT_MAPS = {"adp": "adp_paydata.toml", "paychex": "paychex_spi.toml", "ukg": "ukg_earnings.toml"}


@pytest.fixture(scope="module")
def sample_run():
    return run_pay(SAMPLES / "timesheet.csv", SAMPLES / "policy.toml", SAMPLES / "roster.csv", SAMPLES / "schedule.csv", audit=False)


def by_employee_and_component(run) -> tuple[pd.DataFrame, pd.DataFrame]:
    lines = run.result.lines
    comps = components(run.result.differential_names, False)
    cents = pd.DataFrame({c: lines.groupby("employee_id")[line_column(c)].sum() for c in comps}).astype("int64")
    minutes = pd.DataFrame({c: lines.groupby("employee_id")[col].sum() for c, col in HOURS_COLUMN.items()}).astype("int64")
    return cents, minutes


def read_back(text: str, emap, policy, lines, tmp_path):
    path = tmp_path / "import.csv"
    path.write_text(text, encoding="utf-8")
    week = lines["week_start"].to_numpy().astype("datetime64[D]").astype("int64")
    return register_from_table(read_table(path), emap, policy, path.name, period=(int(week.min()), int(week.max()) + 6))


@pytest.mark.parametrize("vendor", sorted(VENDORS))
def test_export_reads_back_to_the_same_totals_by_employee_and_component(vendor, sample_run, tmp_path):
    emap, _ = vendor_map(vendor)
    made = write_import(sample_run.result.lines, sample_run.result.differential_names, sample_run.policy, emap)
    reg = read_back(made.text, emap, sample_run.policy, sample_run.result.lines, tmp_path)
    assert reg.problems == [] and reg.ignored == {}
    owed_cents, owed_minutes = by_employee_and_component(sample_run)
    reg.lines = reg.lines.astype({"employee_id": str, "component": str})  # categories: as plain text for the comparison
    paid = reg.lines.pivot_table(index="employee_id", columns="component", values="cents", aggfunc="sum")
    pd.testing.assert_frame_equal(paid.reindex(columns=owed_cents.columns).fillna(0).astype("int64"), owed_cents,
                                  check_names=False)
    # hours, where the layout carries them: ADP's Earnings 3 is an amount alone, so standby hours do not travel there
    carried = ["base", "overtime"] if vendor == "adp" else ["base", "overtime", "standby"]
    hours = reg.lines[reg.lines["has_hours"]].pivot_table(index="employee_id", columns="component", values="minutes", aggfunc="sum")
    pd.testing.assert_frame_equal(hours.reindex(index=owed_minutes.index, columns=carried).fillna(0).astype("int64"),
                                  owed_minutes[carried], check_names=False)
    # the control totals add up to the run's gross pay
    total = made.control.iloc[-1]
    assert total["code"] == "TOTAL" and total["amount"] == "64694.91" == cents_text(np.array([sample_run.result.lines["gross_pay"].sum()]))[0]


@pytest.mark.parametrize("vendor", sorted(VENDORS))
def test_audit_of_peerpays_own_export_shows_no_difference(vendor, cli, tmp_path):
    out = tmp_path / f"{vendor}.csv"
    done = cli([*PAY, "--export", vendor, "-o", out])
    assert done.exit_code == 0, done.stderr
    assert (tmp_path / f"{vendor}.control.csv").exists()
    audit = ["audit", *PAY[1:], "--register", out, "--register-map", SAMPLES / "exports" / "earnings" / EXPORT_MAPS[vendor], "-f", "json"]
    if vendor == "adp":  # a paydata batch has no dates: its pay period is given
        audit += ["--from", "2025-10-26", "--to", "2025-12-06"]
    result = cli(audit)
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["findings"] == [] and report["totals"]["difference"] == 0.0
    assert report["totals"]["paid"] == report["totals"]["owed"] == 64694.91
    assert all(line["status"] == "ok" for line in report["lines"])


def test_adp_layout(sample_run):
    emap, _ = vendor_map("adp")
    text = write_import(sample_run.result.lines, sample_run.result.differential_names, sample_run.policy, emap).text
    rows = text.splitlines()
    assert rows[0] == "Co Code,Batch ID,File #,Reg Hours,O/T Hours,Reg Earnings,O/T Earnings,Earnings 3 Code,Earnings 3 Amount"
    # HL001 over the run (a batch is one pay period): hours worked 42.7167 + 43.0333 + 34.2 + 25.5667 =
    # 145.5167 h -> 145.52; base 889.64 + 896.24 + 712.27 + 635.59 = 3,133.74
    assert rows[1] == "HLR,01,HL001,145.52,,3133.74,,,"
    assert "HLR,01,HL001,,,,,E,39.23" in rows  # evening 11.45 + 11.65 + 9.43 + 6.70
    assert "HLR,01,HL001,,5.75,,60.65,," in rows  # overtime 2.7167 + 3.0333 h, premium 28.65 + 32.00


def test_paychex_layout_is_the_16_spi_columns_with_hours_and_amount_and_no_rate(sample_run):
    emap, _ = vendor_map("paychex")
    text = write_import(sample_run.result.lines, sample_run.result.differential_names, sample_run.policy, emap).text
    rows = text.splitlines()
    assert len(rows[0].split(",")) == 16
    # HL001's week of 2025-11-02: 42.7167 h -> 42.72, base $889.64; Line Date = the workweek's first day
    assert rows[1] == "70012345,HL001,,,Hourly,,,42.72,,11/02/2025,889.64,,,,,"


def test_cli_export_to_stdout_prints_the_control_totals_on_stderr(cli):
    result = cli([*PAY, "--export", "ukg"])
    assert result.exit_code == 0
    assert result.stdout.startswith("Company Code,Employee Number,Earning Code,Period Start Date,Period End Date,Hours,Amount\n")
    assert "export: ukg_earnings.toml: 283 lines for 16 employee(s)" in result.stderr
    assert "TOTAL" in result.stderr and "64694.91" in result.stderr


def test_cli_export_usage_errors(cli, tmp_path):
    assert cli([*PAY, "--export", "sage"]).exit_code == 2
    assert "give adp, paychex, ukg or an earnings map" in cli([*PAY, "--export", "sage"]).stderr
    assert cli([*PAY, "--export", "adp", "-f", "json"]).exit_code == 2
    assert cli([*PAY, "--export", "adp", "-o", tmp_path / "x.xlsx"]).exit_code == 2
    assert cli([*PAY, "--export", "adp", "--detail"]).exit_code == 2
    # the control file is checked before anything is written
    (tmp_path / "PR.control.csv").write_text("old")
    result = cli([*PAY, "--export", "adp", "-o", tmp_path / "PR.csv"])
    assert result.exit_code == 2 and "exists" in result.stderr and not (tmp_path / "PR.csv").exists()
    no_export = tmp_path / "register.toml"
    no_export.write_text((SAMPLES / "exports" / "earnings" / "register.toml").read_text())
    result = cli([*PAY, "--export", no_export])
    assert result.exit_code == 1 and "has no [export] section" in result.stderr


def test_a_differential_without_a_code_is_an_error_naming_it(sample_run):
    text = (SAMPLES / "exports" / "earnings" / "ukg_earnings.toml").read_text().replace('night = ["NGTDIF"]\n', "")
    with pytest.raises(InputError, match=r"no code for differential:night, which this run pays"):
        write_import(sample_run.result.lines, sample_run.result.differential_names, sample_run.policy, loads_earnings_map(text))


def test_an_export_map_must_not_list_full_rate_codes():
    text = (SAMPLES / "exports" / "earnings" / "ukg_earnings.toml").read_text().replace("[codes]\n", "[codes]\nfull_rate = [\"overtime\"]\n")
    with pytest.raises(ValueError, match="cannot list full_rate"):
        loads_earnings_map(text)


def test_a_control_line_is_written_last_and_read_back_as_no_pay(sample_run, tmp_path):
    text = (SAMPLES / "exports" / "earnings" / "ukg_earnings.toml").read_text().replace('control = "file"', 'control = "line"')
    emap = loads_earnings_map(text)
    made = write_import(sample_run.result.lines, sample_run.result.differential_names, sample_run.policy, emap)
    assert made.text.splitlines()[-1] == "HLRC,TOTAL,,,,2713.35,64694.91"
    reg = read_back(made.text, emap, sample_run.policy, sample_run.result.lines, tmp_path)
    assert reg.problems == [] and int(reg.lines["cents"].sum()) == 6469491


def test_money_and_hours_are_exact_text():
    # whole cents by integer arithmetic: no float ever formats them (0.1 + 0.2 would print 0.30000000000000004)
    assert list(cents_text(np.array([0, 5, 30, 123456, -7, 10**13 + 1]))) == ["0.00", "0.05", "0.30", "1234.56", "-0.07",
                                                                              "100000000000.01"]
    # minutes to hours, two places half-up: 20 min = 0.3333 -> 0.33; 1 min = 0.0167 -> 0.02; 517 min -> 8.62; none -> ""
    assert list(hours_text(np.array([20, 1, 517, 0, -1]))) == ["0.33", "0.02", "8.62", "0.00", ""]
    # every two-place hours figure reads back to its own minute
    minutes = np.arange(0, 24 * 60 * 3)
    back = np.floor(hours_text(minutes).astype(float) * 60 + 0.5).astype(int)
    assert (back == minutes).all()


def test_csv_quotes_text_only_where_it_must():
    frame = pd.DataFrame({"a": ["plain", "with,comma", 'say "hi"'], "b": ["1.00", "2.50", ""]})
    assert csv_text(frame) == dedent('''
        a,b
        plain,1.00
        "with,comma",2.50
        "say ""hi""",
        ''')


def test_a_pay_period_with_a_cut_week_says_so_and_a_formula_like_id_is_neutralised(cli, tmp_path):
    result = cli([*PAY, "--export", "ukg", "--from", "2025-11-05", "--to", "2025-11-22"])
    assert result.exit_code == 0
    assert "note: 1 workweek(s) cut by the period 2025-11-05 to 2025-11-22 (starting 2025-11-02)" in result.stderr
    ts = tmp_path / "ts.csv"
    ts.write_text("employee_id,start,end,rate\n=1+1,2025-03-03 08:00,2025-03-03 16:00,20.00\n")
    pol = tmp_path / "p.toml"
    pol.write_text("")
    out = cli(["pay", "-t", ts, "-p", pol, "--export", "ukg"]).stdout.splitlines()
    assert out[1] == "HLRC,'=1+1,REG,03/02/2025,03/08/2025,8.00,160.00"
