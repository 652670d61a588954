"""Reading a payroll register through an earnings map: every line paid, ignored or rejected at its cell."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings, strategies as st

from conftest import dedent, examples
from peerpay.core.audit import apportion
from peerpay.io.earnings_map import loads_earnings_map
from peerpay.io.readers import read_table
from peerpay.io.register import read_register, register_from_table
from peerpay.models.policy import Policy

POLICY = Policy()
MAP = """
[columns]
employee_id = "Emp"
[period]
begin = "From"
days = 7
date_format = "%m/%d/%Y"
[[earnings]]
code_column = "Code"
hours = "Hours"
rate = "Rate"
amount = "Amount"
[codes]
base = ["REG"]
overtime = ["OT"]
ignore = ["PTO"]
"""


def read(files, text: str, map_text: str = MAP, **kw):
    path = files.write("register.csv", text)
    return read_register(path, loads_earnings_map(dedent(map_text)), POLICY, **kw)


def test_every_bad_cell_rejects_its_line_at_file_row_column(files):
    reg = read(files, """
        Emp,From,Code,Hours,Rate,Amount
        E1,03/02/2025,REG,40.00,20.00,800.00
        ,03/02/2025,REG,1.00,,20.00
        E1,13/02/2025,REG,1.00,,20.00
        E1,03/02/2025,REGG,1.00,,20.00
        E1,03/02/2025,REG,eight,,20.00
        E1,03/02/2025,REG,1.00,,$20.OO
        E1,03/02/2025,REG,2.00,,
        E1,03/02/2025,,,,5.00
        E1,03/02/2025,PTO,8.00,,160.00
        """)
    assert [p.render() for p in reg.problems] == [
        "register.csv:2:Emp: Emp is empty",
        "register.csv:3:From: not a date '13/02/2025' (expected %m/%d/%Y)",
        "register.csv:4:Code: earning code 'REGG' is not in the map's [codes] (list it under a pay component, or under ignore "
        "if it is not pay for hours) (did you mean 'REG'?)",
        "register.csv:5:Hours: not an amount: 'eight' (hours, e.g. 8.50)",
        "register.csv:6:Amount: not an amount: '$20.OO' (dollars, e.g. 1,234.50)",
        "register.csv:7:Amount: Amount is empty",
        "register.csv:8:Code: Code is empty (the line has an amount or hours)",
    ]
    assert list(reg.lines["cents"]) == [80000] and list(reg.lines["row"]) == [1]
    # rejected lines with a readable amount: rows 2-5 at $20.00 and row 8 at $5.00 = $85.00
    recon = reg.reconciliation()
    assert recon == {"rows_read": 9, "lines_read": 9, "lines_used": 1, "lines_ignored": 1, "lines_rejected": 7,
                     "amount_used": 800.0, "amount_ignored": 160.0, "amount_rejected": 85.0, "balanced": True}


def test_money_is_exact_and_hours_are_to_the_minute(files):
    reg = read(files, """
        Emp,From,Code,Hours,Rate,Amount
        E1,03/02/2025,REG,8.58,,"1,234.56"
        E1,03/02/2025,REG,0.33,,0.1
        E1,03/02/2025,OT,2.00,30.015,
        """)
    # "1,234.56" -> 123456 cents; 8.58 h -> 514.8 min -> 515; 0.33 h -> 19.8 -> 20 min
    # a blank amount with hours and rate is priced: 2 h x 30.015 = 60.03
    assert list(reg.lines["cents"]) == [123456, 10, 6003]
    assert list(reg.lines["minutes"]) == [515, 20, 120]


def test_a_register_with_a_decimal_comma(files):
    reg = read(files, """
        Emp;From;Code;Hours;Rate;Amount
        """.replace(";", ",") + '"E1","03/02/2025","REG","8,50","","1.234,50"\n', "decimal_comma = true\n" + MAP)
    assert list(reg.lines["cents"]) == [123450] and list(reg.lines["minutes"]) == [510]


ADP = """
[columns]
employee_id = "File #"
[[earnings]]
code = "REG"
hours = "Reg Hours"
amount = "Reg Earnings"
[[earnings]]
code_column = "Earnings {n} Code"
amount = "Earnings {n} Amount"
[codes]
base = ["REG"]
standby = ["SB"]
[codes.differential]
night = ["N"]
"""


def test_a_row_with_several_lines_names_each_lines_own_column(files):
    # ADP: one row holds regular pay and two coded earnings; each is a line of its own
    reg = read(files, """
        File #,Reg Hours,Reg Earnings,Earnings 3 Code,Earnings 3 Amount,Earnings 4 Code,Earnings 4 Amount
        E1,40.00,800.00,N,16.00,SB,abc
        E2,1.00,20.00,,,XX,5.00
        """, ADP, period=(20149, 20155))
    assert [p.render() for p in reg.problems] == [
        "register.csv:1:Earnings 4 Amount: not an amount: 'abc' (dollars, e.g. 1,234.50)",
        "register.csv:2:Earnings 4 Code: earning code 'XX' is not in the map's [codes] (list it under a pay component, or under "
        "ignore if it is not pay for hours)",
    ]
    assert list(zip(reg.lines["employee_id"], reg.lines["component"], reg.lines["cents"])) == [
        ("E1", "base", 80000), ("E1", "differential:night", 1600), ("E2", "base", 2000)]
    assert reg.reconciliation()["lines_read"] == 5


def test_an_xlsx_register_with_real_dates(files, tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["Emp", "From", "Code", "Hours", "Rate", "Amount"])
    import datetime as dt

    ws.append(["E1", dt.datetime(2025, 3, 2), "REG", 40, None, 800])
    path = tmp_path / "register.xlsx"
    wb.save(path)
    reg = read_register(path, loads_earnings_map(dedent(MAP)), POLICY)
    assert reg.problems == []
    assert list(reg.lines["period_start"]) == [int(np.datetime64("2025-03-02", "D").astype("int64"))]
    assert list(reg.lines["period_end"]) == [int(np.datetime64("2025-03-08", "D").astype("int64"))]


def test_a_column_the_map_names_but_the_file_lacks(files):
    from peerpay.errors import InputError

    with pytest.raises(InputError, match="column 'Amount' named in the earnings map is not in the file"):
        read(files, "Emp,From,Code,Hours,Rate,Amt\nE1,03/02/2025,REG,1,,1\n")


@pytest.mark.parametrize("text, message", [
    ('[columns]\nemployee_id="E"\n[[earnings]]\ncode_column="C"\namount="A"\n[codes]\nbase=["R"]\novertime=["R"]\n',
     "code 'R' is listed under both base and overtime"),
    ('[columns]\nemployee_id="E"\n[[earnings]]\ncode_column="C {n}"\namount="A"\n[codes]\nbase=["R"]\n',
     "a repeating group puts {n} in code_column and in each of its columns"),
    ('[columns]\nemployee_id="E"\n[[earnings]]\ncode="R"\ncode_column="C"\namount="A"\n[codes]\nbase=["R"]\n',
     "give code (a fixed earning code) or code_column"),
    ('[columns]\nemployee_id="E"\n[[earnings]]\ncode_column="C"\namount="A"\n[codes]\novertime=["O"]\n',
     "list the regular-pay code(s) under base"),
    ('[columns]\nemployee_id="E"\n[period]\nweek="W"\nbegin="B"\n[[earnings]]\ncode_column="C"\namount="A"\n[codes]\nbase=["R"]\n',
     "give week (a date in the workweek) or begin"),
    ('[columns]\nemployee_id="E"\n[[earnings]]\ncode_column="C"\namout="A"\n[codes]\nbase=["R"]\n',
     "earnings[1].amout: unknown key (did you mean 'amount'?)"),
])
def test_map_mistakes_are_named(text, message):
    with pytest.raises(ValueError) as exc:
        loads_earnings_map(text)
    assert message in str(exc.value)


# ------------------------------------------------------------------------------ invariants


@given(st.lists(st.tuples(st.integers(0, 3), st.integers(0, 10**9)), min_size=1, max_size=30),
       st.lists(st.integers(0, 10**7), min_size=4, max_size=4))
def test_apportion_adds_up_and_stays_within_a_cent_of_the_exact_share(parts, totals):
    group = np.array([g for g, _ in parts])
    weight = np.array([w for _, w in parts])
    totals_ = np.array(totals)
    share = apportion(totals_, group, weight)
    for g in set(group.tolist()):
        mine = group == g
        wsum = int(weight[mine].sum())
        if wsum == 0:
            assert share[mine].sum() == totals_[g]
            continue
        assert share[mine].sum() == totals_[g]
        exact = totals_[g] * weight[mine] / wsum
        assert np.all(np.abs(share[mine] - exact) < 1)
        assert np.all(share[mine] >= 0)


def test_apportion_by_largest_remainder():
    # 10 cents in thirds: 3.33 each, the remaining cent to the first (ties: the earlier part)
    assert apportion(np.array([10]), np.array([0, 0, 0]), np.array([1, 1, 1])).tolist() == [4, 3, 3]
    # 89,978 cents as 18 : 27 -> 35,991.2 and 53,986.8: the larger remainder takes the cent
    assert apportion(np.array([89978]), np.array([0, 0]), np.array([18, 27])).tolist() == [35991, 53987]


SHIFTS = st.lists(st.tuples(st.integers(0, 2), st.integers(0, 13), st.integers(0, 23), st.integers(1, 12),
                            st.sampled_from(["work", "on_call", "callback"]), st.sampled_from(["18.50", "21.03", "33.3333"])),
                  min_size=1, max_size=12)
AUDIT_POLICY = """
[overtime]
weekly_hours = 40
daily_hours = 10
[[differential]]
name = "night"
start = "22:00"
end = "06:00"
per_hour = 1.75
[[differential]]
name = "weekend"
days = ["sat", "sun"]
percent = 7.5
[on_call]
standby_per_hour = 2.25
callback_multiplier = 1.5
callback_minimum_hours = 2
"""


@settings(max_examples=examples(25))
@given(shifts=SHIFTS, vendor=st.sampled_from(["paychex", "ukg"]))
def test_an_audit_of_peerpays_own_export_never_shows_a_difference(shifts, vendor, tmp_path_factory):
    """Whatever the shifts: export the pay lines, audit the file against the same timesheet: all zero."""
    from peerpay.io.payroll_import import vendor_map, write_import
    from peerpay.jobs.audit import run_audit
    from peerpay.jobs.pay import run_pay
    from peerpay.models.policy import loads_policy

    tmp = tmp_path_factory.mktemp("own")
    rows, taken = [], set()
    for emp, day, hour, length, kind, rate in shifts:
        start = np.datetime64("2025-03-02T00:00") + np.timedelta64(day * 24 + hour, "h")
        key = (emp, day)
        if key in taken:  # one shift a day per employee: no overlaps
            continue
        taken.add(key)
        end = start + np.timedelta64(min(length, 23 - hour + 1), "h")
        rows.append(f"E{emp},{str(start).replace('T', ' ')},{str(end).replace('T', ' ')},{kind},{rate}")
    ts = tmp / "timesheet.csv"
    ts.write_text("employee_id,start,end,kind,rate\n" + "\n".join(rows) + "\n")
    policy = loads_policy(AUDIT_POLICY)
    run = run_pay(ts, policy)
    emap, _ = vendor_map(vendor)
    emap = emap.model_copy(update={"codes": emap.codes.model_copy(update={"differential": {"night": ("NGT",), "weekend": ("WKD",)}})})
    made = write_import(run.result.lines, run.result.differential_names, run.policy, emap)
    reg = tmp / "register.csv"
    reg.write_text(made.text)
    audit = run_audit(ts, policy, reg, emap)
    assert audit.problems == []
    assert audit.findings.empty, audit.findings
    assert audit.totals["difference"] == 0 and audit.totals["owed"] == int(run.result.lines["gross_pay"].sum())


def test_register_from_table_is_pure():
    raw = pd.DataFrame({"emp": ["E1"], "from": ["03/02/2025"], "code": ["REG"], "hours": ["1"], "rate": [""], "amount": ["20"]})
    reg = register_from_table(raw, loads_earnings_map(dedent(MAP)), POLICY, "inline")
    assert list(reg.lines["cents"]) == [2000]


def test_read_table_keeps_every_register_cell_as_text(files):
    path = files.write("register.csv", "Emp,From,Code,Hours,Rate,Amount\n007,03/02/2025,REG,1,,20\n")
    assert read_table(path)["emp"].tolist() == ["007"]
