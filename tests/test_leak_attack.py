"""An attack on `peerpay gap --publish`: can anyone read one person's pay out of a published report?

For each roster (the samples, samples/small_org, rosters built to tempt a leak, and
hypothesis-generated ones) and each configuration the docs recommend for small teams, the
report is rendered in every published format (table, csv, json, md, xlsx, html, the chart as
SVG and PNG) and attacked three ways:

1. **Equality.** From the private roster the attacker builds every person's pay (hourly, and
   annual on their hours and on 2,080 h) and, within each group under 10, the mean of every pair
   (a median of 2 or 4), of everyone but one and of all. Every number is parsed out of every
   output (text; XLSX cells; HTML text and SVG; the PNG's plotted data read back from matplotlib)
   and none may come within a cent (a dollar, for annual pay) of one. Two kinds of number are not
   pay and are let through when they match by coincidence: the figures of groups of 10 or more and
   of public wages (published exactly on purpose), and ratios (cents on the dollar, percentages,
   hours): the test takes both from the report's JSON, where every figure has a named unit, so a
   matching number elsewhere must be one of them. Prose numbers are stripped first: dates and
   times, the version, legal citations, and the rule's own constants (10, 3, 40 hours, 2,080 h).
2. **Algebra.** Every exact mean is a sum (mean x n, with n known to colleagues), and so is a
   decomposition's mean gap; no individual, and no group under 10, may lie in the span of the
   published sums (totals minus parts, pooled means, side-by-side bases).
3. **Bands.** Every published range about a banded group (cents on the dollar, gap %, hours,
   yearly gap), read back against the public or exact side, may imply no narrower interval for
   that group's median than its band, and a band is at least 10 % wide.

Plus: no hash or size of an input file in any published output, no percentile of an internal
group, one basis per published report.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction
from itertools import combinations
from pathlib import Path

import numpy as np
import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import examples
from peerpay.cli.gap import render_gap, resolve_lines
from peerpay.io.charts import gap_chart, role_label
from peerpay.jobs.gap import run_gap

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "samples"
ORG = SAMPLES / "small_org"
AS_OF = date(2025, 11, 30)
EXACT = 10
HOURLY_TOL, ANNUAL_TOL = 0.01 + 1e-9, 1.0
LINES = ["poverty-2025", "housing-wage:baltimore-md", "minimum-wage:US-MD"]
DOLLAR_KEYS = re.compile(r"^(median|mean|p25|p75)_(hourly|annual|effective_hourly)(_band)?$|^gap_(mean|median)_dollars(_band)?$|"
                         r"^annual_gap_per_worker(_band)?$|^parity_cost_per_year$")
RATIO_KEYS = re.compile(r"^(cents_on_the_dollar|gap_(mean|median)_pct|peer_hours_for_40)(_band)?$|^peer_share_pct$|^n$|^unpaid_hours$|"
                        r"^employment$|^explained_share_pct$")
PROSE_CONSTANTS = {3.0, 9.0, 10.0, 40.0, 2080.0, 365.0, 100.0}
BOILERPLATE = [
    r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2})?(?:\+\d{2}:\d{2})?)?",  # dates and times
    r"peerpay \d+\.\d+\.\d+\S*", r"peerpay_version\W+\S+", r"holidays_version\W+\S+", r"\d+\.\d+\.\d+",
    r"SI \d{4}/\d+(?: reg\. [\d()]+)?", r"reg\. [\d()]+", r"B\.C\. Reg\. \d+/\d{4}", r"\(EU\) \d{4}/\d+", r"Directive \d{4}/\d+",
    r"Art(?:icle|\.)\s*[\d()]+(?:\([a-z]\))?(?:, [\d()]+)?", r"art\. [\d()a-z]+", r"\d+ CFR [\d.()a-z]+", r"\d+ U\.S\.C\. [\d()a-z]+",
    r"§\s*\d+(?:\.\d+)*", r"formats\.md §\d+", r"FY\d{4}", r"ISO \d+", r"R'20", r"\b\d{2}-\d{4}\b",  # SOC codes
    r"Hyndman & Fan \(\d{4}\) type \d", r"May \d{4}", r"\b(?:19|20)\d{2}\b(?! ?[–-] ?\d)", r"90 FR \d+", r"\d+ FR \d+",
    r"1, 1\.1, 1\.25, 1\.4, 1\.6, 1\.8, 2, 2\.2, 2\.5, 2\.8, 3\.2, 3\.6, 4, 4\.5, 5, 5\.6, 6\.3, 7\.1, 8, 9",  # the ladder itself
    r"10-14 %", r"\b\d+-bedroom", r"\(1 person\)", r"\d+ adult", r"x 12 / 0\.30 / 2,080",
    r"(?m)^\s*\d{1,2}\. ", r"\b\d+ days\b",  # a numbered note's number; the timesheet's period in days (not pay, not hours)
    r"\b\d+ (?:groups?|roles?|employees?|people|persons?)\b",  # a count in prose ("1 group with fewer than 10 employees")
    r"¢ per \$1\b",  # a unit
    r"(?:≥|>=)\s*\d+(?:\.\d+)?\s*%", r"at least \d+ %", r"Art\. \d+-\d+",  # the EU Art. 10 test's 5 %
]
NUMBER = re.compile(r"(?<![\w.])-?\d[\d,]*(?:\.\d+)?")


# --------------------------------------------------------------------------- the private roster


@dataclass
class Roster:
    """A roster and schedule written as files, one step per person (so every rate is its own)."""

    people: dict[str, list[tuple[str, float]]]  # role -> [(rate or "salary:81000", fte)]
    path: Path
    covariates: bool = False

    def write(self) -> tuple[Path, Path]:
        roster, schedule = self.path / "roster.csv", self.path / "schedule.csv"
        r = ["employee_id,role,step,fte,tenure_years,site"]
        s = ["role,step,hourly_rate,annual_salary"]
        for role, members in self.people.items():
            for k, (rate, fte) in enumerate(members, 1):
                r.append(f"{role[:3].upper()}{k:02d},{role},{k},{fte},{1 + (k * 7) % 9},{'Main' if k % 2 else 'East'}")
                s.append(f"{role},{k},,{rate.split(':')[1]}" if isinstance(rate, str) else f"{role},{k},{rate},")
        roster.write_text("\n".join(r) + "\n")
        schedule.write_text("\n".join(s) + "\n")
        return roster, schedule


@dataclass
class Config:
    name: str
    args: dict = field(default_factory=dict)
    lines: tuple[str, ...] = ()


def secrets(workers_by_basis: list) -> tuple[np.ndarray, np.ndarray]:
    """(hourly, annual) values an attacker must never find: each person's pay and, within each group
    under 10 (roles and declared pools), pair, all-but-one and whole-group means."""
    hourly, annual = [], []
    for workers in workers_by_basis:
        w = workers.copy()
        w["h"] = w["hourly_units"].to_numpy() / 10_000
        w["a"] = w["annual_cents"].to_numpy() / 100
        w["f"] = w["h"] * 2080
        w["e"] = (w["effective_units"].to_numpy() / 10_000) if "effective_units" in w else w["h"]
        for _, g in w.groupby("role"):
            for col, out in (("h", hourly), ("e", hourly), ("a", annual), ("f", annual)):
                v = [float(x) for x in g[col] if x >= 0]
                out += v
                if len(v) < EXACT:
                    out += [(a + b) / 2 for a, b in combinations(v, 2)]
                    if len(v) > 2:
                        out += [(sum(v) - x) / (len(v) - 1) for x in v] + [sum(v) / len(v)]
    return np.unique(hourly), np.unique(annual)


def hits(x: float, hourly: np.ndarray, annual: np.ndarray) -> bool:
    return bool(np.any(np.abs(hourly - x) <= HOURLY_TOL) or np.any(np.abs(annual - x) <= ANNUAL_TOL))


# --------------------------------------------------------------------------- reading numbers out of outputs


def text_numbers(text: str) -> list[float]:
    for pattern in BOILERPLATE:
        text = re.sub(pattern, " ", text)
    out = []
    for m in NUMBER.finditer(text.replace("\u2212", "-")):
        token = m.group(0).rstrip(",")
        if token.count(",") and not re.fullmatch(r"-?\d{1,3}(,\d{3})+(\.\d+)?", token):
            out += [float(t) for t in token.split(",") if t and t != "-"]
        else:
            out.append(float(token.replace(",", "")))
    return out


def html_text(page: str) -> str:
    """What a reader (or a scraper) sees: text nodes and attribute values, SVG included."""
    from html import unescape

    attrs = " ".join(unescape(a) for a in re.findall(r'(?:title|aria-label|data-label|alt)="([^"]*)"', page))
    body = re.sub(r"<style>.*?</style>", " ", page, flags=re.S)
    return unescape(re.sub(r"<[^>]+>", " ", body)) + " " + attrs


def xlsx_numbers(data: bytes) -> list[float]:
    book = openpyxl.load_workbook(io.BytesIO(data))
    out: list[float] = []
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if isinstance(c.value, bool) or c.value is None:
                    continue
                if isinstance(c.value, (int, float)):
                    out.append(float(c.value))
                    if c.number_format.endswith("%"):
                        out.append(float(c.value) * 100)
                else:
                    out += text_numbers(str(c.value))
    return out


def json_figures(report: dict) -> tuple[list[tuple[str, float, dict]], set[float]]:
    """(every dollar figure with its key and row, the numbers that are not pay or are published on purpose)."""
    dollars, allowed = [], set(PROSE_CONSTANTS)
    allowed |= {float(report.get("min_group", EXACT)), float(report.get("band_min_group", 3)), float(report.get("min_group", EXACT)) - 1}
    for g in report["groups"]:
        public = g.get("source") == "external" or (g.get("n") is not None and g["n"] >= EXACT)
        for k, v in g.items():
            for x in ([v] if isinstance(v, (int, float)) and not isinstance(v, bool) else v if isinstance(v, list) else []):
                if DOLLAR_KEYS.match(k) and not public:
                    dollars.append((k, float(x), g))
                allowed.add(round(float(x), 6))
                if DOLLAR_KEYS.match(k) and public or RATIO_KEYS.match(k):
                    allowed |= {round(float(x)), round(float(x), 1)}
            if isinstance(v, list) and len(v) == 2 and RATIO_KEYS.match(k):
                allowed.add((v[0] + v[1]) / 2)
        if not public:  # a band's own numbers are checked, never excused
            for k, v in g.items():
                if DOLLAR_KEYS.match(k) and v is not None:
                    for x in v if isinstance(v, list) else [v]:
                        allowed.discard(round(float(x), 6))
    for q in report.get("quartiles", []):
        allowed |= {float(v) for v in q.values() if isinstance(v, (int, float)) and not isinstance(v, bool)}
    for g in (report.get("billing") or {}).get("roles", []):  # cents per dollar billed, % unbilled: ratios, not pay
        for v in g.values():                                     # (checked against the billing secrets: billing_leaks)
            for x in ([v] if isinstance(v, (int, float)) and not isinstance(v, bool) else v if isinstance(v, list) else []):
                allowed |= {round(float(x), 6), round(float(x)), round(float(x), 1)}
            if isinstance(v, list) and len(v) == 2:
                allowed.add((v[0] + v[1]) / 2)
    for x in out_of_class_figures(report).values():  # hours, shares, counts: not pay (checked against the out-of-class
        allowed |= {round(v, 6) for v in x}          # secrets: out_of_class_leaks)
    for f in (report.get("billing") or {}).get("fee_schedule", []):  # public fee schedule rates and unit lengths
        allowed |= {float(f["rate"]), float(f["unit_minutes"])}
    return dollars, allowed


# --------------------------------------------------------------------------- the attack


def run_kwargs(config: Config, timesheet, policy) -> dict:
    """run_gap's keywords for a configuration; the timesheet when the configuration needs it."""
    kw = dict(config.args)
    paid = kw.pop("paid", False) or kw.get("basis") == "earnings" or "unpaid" in kw or kw.get("annual_hours") == "actual"
    if paid:
        kw.update(timesheet=timesheet, policy=policy)
    return kw


def published(roster: Path, schedule: Path, config: Config, *, timesheet=None, policy=None):
    """The published report, every format's text or bytes, and the chart's read-back data."""
    from peerpay.cli.gap import published_record

    kw = run_kwargs(config, timesheet, policy)
    run = run_gap(roster, schedule, kw.pop("peer_role", "peer_specialist"), as_of=AS_OF, publish=True, **kw)
    report = json.loads(json.dumps(run.report))
    lines = resolve_lines(list(config.lines), AS_OF)
    record = published_record({"peerpay_version": "0", "command": "peerpay gap", "options": {},
                               "inputs": [{"file": "roster.csv", "sha256": "f" * 64, "bytes": 1234}]})
    png, data = gap_chart(report, "png", lines)
    svg, _ = gap_chart(report, "svg", lines)
    outputs = {fmt: render_gap(report, fmt, png, lines, record) for fmt in ("table", "csv", "json", "md", "html", "xlsx")}
    outputs["svg"] = svg.decode()
    return run, report, outputs, data


def attack(roster: Path, schedule: Path, config: Config, *, timesheet=None, policy=None) -> list[str]:
    """Every leak found, as readable lines (empty: the report is safe)."""
    run, report, outputs, chart = published(roster, schedule, config, timesheet=timesheet, policy=policy)
    kw = run_kwargs(config, timesheet, policy)
    peer_role = kw.pop("peer_role", "peer_specialist")
    for k in ("groups", "reference_only", "min_group"):
        kw.pop(k, None)
    by_role = run_gap(roster, schedule, peer_role, as_of=AS_OF, **kw).workers  # the roles inside a pool too
    private = [run.workers, by_role]
    if timesheet is not None:  # effective rates are private too, whatever the basis
        private.append(run_gap(roster, schedule, peer_role, as_of=AS_OF, basis="earnings", timesheet=timesheet, policy=policy).workers)
    hourly, annual = secrets(private)
    leaks: list[str] = []
    dollars, allowed = json_figures(report)
    for line in resolve_lines(list(config.lines), AS_OF):  # comparison lines are public: their figures and their sources' text
        d = line.as_dict() if hasattr(line, "as_dict") else dict(line)
        allowed |= {float(d["hourly"]), round(float(d["hourly"]) * 2080, 6)}
        allowed |= set(text_numbers(" ".join(str(v) for v in d.values())))
    for key, x, g in dollars:  # 1. equality, where the unit is named
        if hits(x, hourly, annual):
            leaks.append(f"json: {g['role']}.{key} = {x} is somebody's pay (or two colleagues' mean)")
    texts = {fmt: (out if isinstance(out, str) else "") for fmt, out in outputs.items() if fmt != "xlsx"}
    texts["html"] = html_text(texts["html"])
    texts["svg"] = html_text(texts["svg"])
    numbers = {fmt: text_numbers(t) for fmt, t in texts.items()}
    numbers["xlsx"] = xlsx_numbers(outputs["xlsx"])
    numbers["png"] = [b["value"] for b in chart.bars] + [x for b in chart.bars for x in text_numbers(b["text"])]
    for fmt, values in numbers.items():
        for x in sorted(set(values)):
            if hits(x, hourly, annual) and not any(abs(x - a) <= 1e-6 for a in allowed):
                leaks.append(f"{fmt}: {x} is somebody's pay (or two colleagues' mean)")
    for fmt, out in outputs.items():
        blob = out if isinstance(out, str) else ""
        if re.search(r"sha256|[0-9a-f]{40,}", blob) or "1,234 bytes" in blob:
            leaks.append(f"{fmt}: a hash or size of an input file")
    book = openpyxl.load_workbook(io.BytesIO(outputs["xlsx"]))
    if any("sha256" in str(c.value) for ws in book.worksheets for row in ws.iter_rows() for c in row):
        leaks.append("xlsx: a hash of an input file")
    leaks += algebra(report, run.workers, by_role)
    leaks += band_readback(report)
    if report.get("billing"):
        leaks += billing_leaks(report, numbers, roster, schedule, {**kw, "groups": config.args.get("groups")}, timesheet, policy)
    if report.get("out_of_class"):
        leaks += out_of_class_leaks(report, numbers, roster, {**kw, "groups": config.args.get("groups")}, timesheet)
    for g in report["groups"]:
        if g["source"] == "internal" and any(g.get(k) is not None for k in ("p25_hourly", "p75_hourly", "p25_annual", "p75_annual",
                                                                               "parity_cost_per_year", "mean_effective_hourly")):
            leaks.append(f"json: {g['role']} publishes a percentile, parity cost or second mean")
        if report["basis"] == "annual" and g["source"] == "internal" and (g.get("mean_hourly") is not None or g.get("median_hourly") is not None):
            leaks.append(f"json: {g['role']} publishes hourly figures beside annual ones")
    return leaks


def billing_leaks(report: dict, numbers: dict[str, list[float]], roster, schedule, kw: dict, timesheet, policy) -> list[str]:
    """The billing share (docs/billing.md): no published number may be one person's share (cents per
    dollar billed), billing or pay per paid hour, unbilled share of hours, or the mean of two
    colleagues' (or of a group under 10); a group under 10 publishes no dollar figure and no n."""
    from peerpay.jobs.billing import billing_share
    from peerpay.jobs.pay import run_pay

    run = run_pay(timesheet, policy, roster, schedule, audit=False)
    people, _, _, _ = billing_share(run, kw["billing"], kw["fee_schedule"], kw.get("billing_state"))
    people = people[people["share"].notna()]
    pools = {r: g for g, roles in (kw.get("groups") or {}).items() for r in roles}
    secret: list[float] = []
    shown: set[float] = set()  # a share as the report shows one, to a tenth of a cent (further than the 1-cent tolerance)
    for labels in (people["role"], people["role"].map(lambda r: pools.get(r, r))):
        for _, m in people.groupby(labels.to_numpy()):
            for i, vals in enumerate(([float(x * 100) for x in m["share"]], [float(x) for x in m["billed_per_hour"]],
                                      [float(x) for x in m["pay_per_hour"]])):  # unbilled % of hours is a ratio of hours, not pay
                found = list(vals)
                if len(vals) < EXACT:
                    found += [(a + b) / 2 for a, b in combinations(vals, 2)]
                    if len(vals) > 2:
                        found += [(sum(vals) - x) / (len(vals) - 1) for x in vals] + [sum(vals) / len(vals)]
                secret += found
                if i == 0:
                    shown |= {round(x, 1) for x in found if round(x, 1) != round(x)}  # a whole number is a band's edge
    secret_arr = np.unique(np.array(secret))
    # a group may publish exact figures when it has 10 people (the attacker's count, never the report's own n)
    size = people.groupby(people["role"].map(lambda r: pools.get(r, r)).to_numpy()).size().to_dict()
    exact = {float(x) for g in report["billing"]["roles"] if size.get(g["role"], 0) >= EXACT
             for x in g.values() if isinstance(x, (int, float)) and not isinstance(x, bool)}
    exact |= json_figures({**report, "billing": None})[1]  # the gap's own figures (named units): a coincidence, not billing
    leaks = []
    for fmt, values in numbers.items():
        for x in sorted(set(values)):
            hit = np.any(np.abs(secret_arr - x) <= HOURLY_TOL) or round(x, 6) in shown
            if hit and not any(abs(x - a) <= 1e-6 for a in exact):
                leaks.append(f"{fmt}: {x} is somebody's billing share, billing or pay per hour (or two colleagues' mean)")
    for g in report["billing"]["roles"]:
        if size.get(g["role"], 0) < EXACT and any(g.get(k) is not None for k in ("n", "billed_per_paid_hour", "pay_per_paid_hour",
                                                                                  "paid_hours", "cents_per_dollar_billed", "n_billing")):
            leaks.append(f"json: billing {g['role']} publishes a dollar figure or a sum without 10 people")
    return leaks


#: the out-of-class section's keys by unit (docs/out-of-class.md): a band key adds "_band"
OOC_HOURS = re.compile(r"^(out_of_class_hours|median_out_of_class_hours|hours|median_hours|paid_at_duty_rate_hours|"
                       r"unpaid_out_of_class_hours|hours_worked)(_band)?$")
OOC_PCT = re.compile(r"^(out_of_class_pct|median_out_of_class_pct|pct)(_band)?$")
OOC_COUNT = re.compile(r"^(n|people_out_of_class|people)$")


def _numbers(v) -> list[float]:
    """A figure, or a band's edges and midpoint."""
    if isinstance(v, bool) or v is None or isinstance(v, str):
        return []
    if isinstance(v, list):
        ok = len(v) == 2 and all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in v)
        return [float(v[0]), float(v[1]), (float(v[0]) + float(v[1])) / 2] if ok else []
    return [float(v)] if isinstance(v, (int, float)) else []


def _ooc_rows(report: dict):
    """(row, home group, duty role or "") for every group and duty-role row of the out-of-class section."""
    for r in (report.get("out_of_class") or {}).get("roles", []):
        yield r, r["role"], ""
        for c in r.get("by_duty_role", []):
            yield c, r["role"], c["duty_role"]


def out_of_class_figures(report: dict) -> dict[str, set[float]]:
    """The out-of-class section's published numbers by unit: hours, pct, count (bands: edges and midpoint)."""
    out: dict[str, set[float]] = {"hours": set(), "pct": set(), "count": set()}
    for row, _, _ in _ooc_rows(report):
        for k, v in row.items():
            unit = "hours" if OOC_HOURS.match(k) else "pct" if OOC_PCT.match(k) else "count" if OOC_COUNT.match(k) else None
            if unit:
                out[unit] |= {round(x, 6) for x in _numbers(v)}
    return out


def out_of_class_secrets(roster, kw: dict, timesheet) -> tuple[dict, dict, dict]:
    """The attacker's own reading of the private files (not peerpay's code): per home group (the roster
    role, and the declared pool) each person who did out-of-class work, their hours by duty role and
    their hours worked. Returns (hours sets, share sets, people by group) where a set is a list of values."""
    import pandas as pd

    role = dict(pd.read_csv(roster, dtype=str)[["employee_id", "role"]].to_numpy())
    pools = {r: g for g, roles in (kw.get("groups") or {}).items() for r in roles}
    frames = [pd.read_csv(timesheet, dtype=str, keep_default_na=False)]
    unpaid = kw.get("unpaid")
    if unpaid is not None and "start" in pd.read_csv(unpaid, nrows=0).columns:
        frames.append(pd.read_csv(unpaid, dtype=str, keep_default_na=False))
    rows = pd.concat(frames, ignore_index=True).fillna("")
    kind = rows["kind"].where(rows["kind"] != "", "work") if "kind" in rows else pd.Series("work", index=rows.index)
    duty = rows["duty_role"] if "duty_role" in rows else pd.Series("", index=rows.index)
    minutes = (pd.to_datetime(rows["end"]) - pd.to_datetime(rows["start"])).dt.total_seconds() / 60
    worked = kind.isin(["work", "callback"])
    own = rows["employee_id"].map(role).fillna("")
    ooc = worked & (duty != "") & (duty != own)
    hours_worked = minutes[worked].groupby(rows["employee_id"][worked]).sum() / 60
    cells = (minutes[ooc].groupby([rows["employee_id"][ooc], duty[ooc]]).sum() / 60)
    hours_sets: dict = {}
    share_sets: dict = {}
    totals = cells.groupby(level=0).sum()
    for i, labels in enumerate((role, {e: pools.get(r, r) for e, r in role.items()})):  # roles, then pools: each set once
        for (emp, d), h in cells.items():
            hours_sets.setdefault((i, labels[emp], d), []).append(float(h))
        for emp, h in totals.items():
            hours_sets.setdefault((i, labels[emp], ""), []).append(float(h))
            share_sets.setdefault((i, labels[emp]), []).append(float(h) * 100 / float(hours_worked[emp]))
    return hours_sets, share_sets, {"cells": cells, "role": role, "pools": pools}


def _with_means(sets) -> np.ndarray:
    out: list[float] = []
    for vals in sets.values():
        out += vals
        if len(vals) < EXACT:
            out += [(a + b) / 2 for a, b in combinations(vals, 2)]
            if len(vals) > 2:
                out += [(sum(vals) - x) / (len(vals) - 1) for x in vals] + [sum(vals) / len(vals)]
    return np.unique(np.array(out))


def out_of_class_leaks(report: dict, numbers: dict[str, list[float]], roster, kw: dict, timesheet) -> list[str]:
    """Out-of-class hours by role (docs/out-of-class.md): no published number may be one person's
    out-of-class hours (in all, or in one duty role) or share of their hours, or two colleagues' mean
    (or that of a set under 10); a set under 10 publishes no count or total; no exact total less the
    exact parts gives a person's or a small set's hours. Units are named in the JSON, so an hours
    figure that matches somebody's share by coincidence (or a count somebody's hours) is let through,
    as the pay check lets ratios through."""
    hours_sets, share_sets, private = out_of_class_secrets(roster, kw, timesheet)
    hours, shares = _with_means(hours_sets), _with_means(share_sets)
    figures = out_of_class_figures(report)
    # what a row may publish exactly is decided by the people behind it (the attacker's count), never by its label:
    # 10 or more who did the work, or nobody at all (a group's "none")
    size = {(g, d): len(v) for (i, g, d), v in hours_sets.items() if i == 1}
    rows = [(row, f"{g}/{d or 'all'}", size.get((g, d), 0) >= EXACT or (not d and size.get((g, d), 0) == 0))
            for row, g, d in _ooc_rows(report)]
    exact = {round(x, 6) for row, _, ok in rows if ok for k, v in row.items() for x in _numbers(v)}
    # the rest of the report's numbers are pay, ratios and counts with named units (checked by the pay attack), and prose
    rest = _all_numbers({**report, "out_of_class": None})
    gap = json_figures({**report, "out_of_class": None})[1] | {round(x, p) for x in rest for p in (6, 3, 2)}  # as shown
    gap |= {round(x / 100, p) for x in rest for p in (6, 4, 3)}  # a workbook's percent cell holds the fraction
    leaks = []
    for row, where, ok in rows:  # 1. the JSON, by unit
        for k, v in row.items():
            secret = hours if OOC_HOURS.match(k) else shares if OOC_PCT.match(k) else None
            if secret is not None and not ok and any(np.any(np.abs(secret - x) <= HOURLY_TOL) for x in _numbers(v)):
                leaks.append(f"json: out_of_class {where}: {k} = {v} is somebody's figure")
            if not ok and OOC_COUNT.match(k) or not ok and k in ("out_of_class_hours", "hours", "out_of_class_pct") and v:
                leaks.append(f"json: out_of_class {where}: {k} is a count or total without 10 people")
    for fmt, values in numbers.items():  # 2. every format, unit-blind
        for x in sorted(set(values)):
            if round(x, 6) in exact or any(abs(x - a) <= 1e-6 for a in gap):
                continue
            if np.any(np.abs(hours - x) <= HOURLY_TOL) and round(x, 6) not in figures["pct"] | figures["count"]:
                leaks.append(f"{fmt}: {x} is somebody's out-of-class hours (or two colleagues' mean)")
            if np.any(np.abs(shares - x) <= HOURLY_TOL) and round(x, 6) not in figures["hours"] | figures["count"]:
                leaks.append(f"{fmt}: {x} is somebody's out-of-class share of their hours (or two colleagues' mean)")
    return leaks + out_of_class_algebra(report, private)


def _all_numbers(value) -> list[float]:
    """Every number in a JSON value (a pair also gives its midpoint)."""
    if isinstance(value, dict):
        return [x for v in value.values() for x in _all_numbers(v)]
    if isinstance(value, list):
        return _numbers(value) + [x for v in value for x in _all_numbers(v)]
    return _numbers(value)


def out_of_class_algebra(report: dict, private: dict) -> list[str]:
    """Totals minus parts: the published exact totals (a group's hours, a duty role's hours) as sums over
    each person's hours in each duty role; no person, cell of a person, or set of fewer than 10 people
    whose hours are a published sum's part may lie in their span."""
    cells, pools = private["cells"], private["pools"]
    keys = list(cells.index)  # (employee, duty role)
    group = np.array([pools.get(private["role"][e], private["role"][e]) for e, _ in keys], dtype=object)
    duty = np.array([d for _, d in keys], dtype=object)
    emp = np.array([e for e, _ in keys], dtype=object)
    rows = []
    for r in (report.get("out_of_class") or {}).get("roles", []):
        if r.get("out_of_class_hours"):
            rows.append((group == r["role"]).astype(float))
        for c in r.get("by_duty_role", []):
            if c.get("hours") is not None:
                rows.append(((group == r["role"]) & (duty == c["duty_role"])).astype(float))
    if not rows:
        return []
    a = np.array(rows)
    rank = np.linalg.matrix_rank(a)
    targets = [np.eye(len(keys))[i] for i in range(len(keys))]
    targets += [(emp == e).astype(float) for e in sorted(set(emp))]
    for g in set(group):
        for d in [None, *sorted(set(duty[group == g]))]:
            members = (group == g) if d is None else (group == g) & (duty == d)
            if 0 < len(set(emp[members])) < EXACT:
                targets.append(members.astype(float))
    leaks = []
    for t in targets:
        if np.linalg.matrix_rank(np.vstack([a, t])) == rank:
            who = sorted({f"{g}/{d}" for g, d in zip(group[t > 0], duty[t > 0])})
            leaks.append(f"algebra: the published out-of-class totals give the hours of {len(set(emp[t > 0]))} people ({', '.join(who)})")
    return leaks


def algebra(report: dict, workers, by_role=None) -> list[str]:
    """Totals minus parts: the published sums (exact means x n, a decomposition's mean gap) must not
    pin down any person, any role of fewer than 10 or any published group of fewer than 10."""
    role = workers["role"].to_numpy()
    raw = by_role["role"].to_numpy() if by_role is not None and len(by_role) == len(workers) else role
    rows = []
    for g in report["groups"]:
        if g.get("source") == "internal" and g.get("n") is not None and (g.get("mean_hourly") is not None or g.get("mean_annual") is not None):
            rows.append((role == g["role"]).astype(float))
    peer = role == report["peer_role"]
    gap_row = np.where(peer, -1.0 / max(peer.sum(), 1), 1.0 / max((~peer).sum(), 1))
    if (report.get("decomposition") or {}).get("status") == "ok":
        rows.append(gap_row)
    if (report.get("certification") or {}).get("peer_role_gap_per_hour") is not None:
        rows.append(gap_row)
    if not rows:
        return []
    a = np.array(rows)
    rank = np.linalg.matrix_rank(a)
    targets = [np.eye(len(role))[i] for i in range(len(role))]
    for labels in (role, raw):
        for r in set(labels):
            members = labels == r
            if 0 < members.sum() < EXACT:
                targets.append(members.astype(float))
    leaks = []
    for t in targets:
        if np.linalg.matrix_rank(np.vstack([a, t])) == rank:
            who = sorted({str(raw[i]) for i in np.flatnonzero(t)})
            leaks.append(f"algebra: the published sums give the total pay of {int(t.sum())} ({', '.join(who)})")
    return leaks


def band_readback(report: dict) -> list[str]:
    """Read each range back into an interval for the peer median (given the other side) and check it
    is never narrower than the peer band; and every band is at least 10 % wide."""
    key = "median_annual" if report["basis"] == "annual" else "median_hourly"
    leaks = []
    peer = next(g for g in report["groups"] if g["role"] == report["peer_role"])
    for g in report["groups"]:
        band = g.get(f"{key}_band")
        if band and (band[1] - band[0]) < 0.099 * band[0]:
            leaks.append(f"band: {g['role']} {band} is narrower than 10 %")
    pb = peer.get(f"{key}_band")
    if not pb:
        return leaks
    lo, hi = Fraction(str(pb[0])), Fraction(str(pb[1]))
    for g in report["groups"]:
        r = g.get(key)
        if g is peer or r is None or not g.get("cents_on_the_dollar_band"):
            continue
        c0, c1 = g["cents_on_the_dollar_band"]
        r = Fraction(str(r))
        # cents are rounded outwards, and the role median was rounded to the cent: allow that slack
        implied = (Fraction(c0) * (r - Fraction(1, 200)) / 100, Fraction(c1) * (r + Fraction(1, 200)) / 100)
        if implied[0] > lo or implied[1] < hi:
            leaks.append(f"band: cents on the dollar vs {g['role']} narrow the peer band {pb} to {[float(x) for x in implied]}")
    return leaks


# --------------------------------------------------------------------------- rosters built to tempt a leak


def tempting(tmp: Path) -> dict[str, Roster]:
    out = {}

    def make(name, people, covariates=False):
        d = tmp / name
        d.mkdir()
        out[name] = Roster(people, d, covariates)

    # the lone LPN: a pool of 5 whose median is one person's rate; peers with a median on a pair
    make("lone_lpn", {"peer_specialist": [(18.75, 1), (19.40, 1), (19.40, 0.8), (20.10, 1)],
                      "rn": [(40.25, 1), (42.80, 0.6)], "lpn": [(29.90, 1)], "case_manager": [(23.90, 1), (25.20, 1)],
                      "program_director": [("salary:81000", 1)]})
    # round numbers everywhere: band edges and midpoints land on people
    make("round", {"peer_specialist": [(18.00, 1), (19.00, 1), (20.00, 1), (20.00, 1), (22.00, 1)],
                   "rn": [(40.00, 1), (44.00, 1), (45.00, 1)], "director": [(48.00, 1)], "coach": [(20.00, 1), (21.00, 1)]})
    # salaried trio: the annual median is an exact salary
    make("salaried", {"peer_specialist": [(19.50, 1), (20.25, 1), (21.00, 0.5)],
                      "manager": [("salary:80000", 1), ("salary:85000", 1), ("salary:90000", 1)], "nurse": [(41.10, 1)] * 1})
    # exact groups of 11 beside a lone director: a decomposition or pooled mean would give him away
    make("lone_director", {"peer_specialist": [(19.00 + 0.37 * k, 1 if k % 3 else 0.5) for k in range(11)],
                           "rn": [(39.00 + 0.61 * k, 0.8 if k % 4 else 1) for k in range(12)], "director": [(48.00, 1)]},
         covariates=True)
    # a part-timer in an exact group: hourly and annual means side by side would solve for her
    make("part_timer", {"peer_specialist": [(20.00 + 0.11 * k, 1.0 if k else 0.5) for k in range(10)],
                        "rn": [(40.00 + 0.5 * k, 1) for k in range(10)], "coach": [(21.30, 1), (22.70, 1)]})
    return out


CONFIGS = [
    Config("default"),
    Config("bls", {"reference": "bls-2025"}),
    Config("min3", {"min_group": 3}),
    Config("min5_bls_lines", {"min_group": 5, "reference": "bls-2025"}, tuple(LINES)),
    Config("reference_only", {"reference": "bls-2025", "reference_only": True}, ("poverty-2025",)),
    Config("annual", {"basis": "annual"}),
    Config("annual_bls", {"basis": "annual", "reference": "bls-2025", "min_group": 3}),
]


def pooled_configs(roles: list[str]) -> list[Config]:
    others = [r for r in roles if r != "peer_specialist"]
    out = []
    if len(others) >= 2:
        out.append(Config("pool_others", {"groups": {"others": others[:-1]}, "reference": "bls-2025"}, ("poverty-2025",)))
        out.append(Config("pool_all_others", {"groups": {"everyone_else": others}}))
    if "coach" in roles:
        out.append(Config("pool_peers", {"groups": {"peer": ["peer_specialist", "coach"]}, "peer_role": "peer_specialist"}))
    return out


# --------------------------------------------------------------------------- the tests


SAMPLE_CONFIGS = CONFIGS + [
    Config("earnings", {"basis": "earnings"}),
    Config("earnings_unpaid", {"basis": "earnings", "unpaid": SAMPLES / "unpaid_hours.csv"}),
    Config("pool_clinical", {"groups": {"clinical": ["rn", "lpn", "case_manager"]}, "reference": "bls-2025", "min_group": 5}, tuple(LINES)),
    Config("pool_peers", {"groups": {"peer": ["peer_specialist", "peer_supervisor"]}, "reference": "bls-2025"}),
    Config("annual_actual", {"basis": "annual", "annual_hours": "actual", "paid": True}),
    Config("billing", {"paid": True, "billing": SAMPLES / "billing.csv", "fee_schedule": SAMPLES / "fee_schedule.csv"}),
    Config("billing_pool", {"paid": True, "billing": SAMPLES / "billing.csv", "fee_schedule": SAMPLES / "fee_schedule.csv",
                            "groups": {"clinical": ["rn", "lpn"]}, "reference": "bls-2025"}, tuple(LINES)),
]


@pytest.mark.timeout(600)
@pytest.mark.parametrize("config", SAMPLE_CONFIGS, ids=lambda c: c.name)
def test_samples_leak_nothing(config, tmp_path):
    leaks = attack(SAMPLES / "roster.csv", SAMPLES / "schedule.csv", config,
                   timesheet=SAMPLES / "timesheet.csv", policy=SAMPLES / "policy.toml")
    assert leaks == []


ORG_CONFIGS = CONFIGS + [
    Config("earnings", {"basis": "earnings"}),
    Config("pool_clinical", {"groups": {"clinical": ["rn", "lpn", "case_manager"]}, "reference": "bls-2025"}, tuple(LINES)),
    Config("pool_clinical_min5", {"groups": {"clinical": ["rn", "lpn", "case_manager"]}, "reference": "bls-2025", "min_group": 5},
           tuple(LINES)),
    Config("pool_nurses_annual", {"groups": {"nurses": ["rn", "lpn"]}, "basis": "annual", "reference": "bls-2025"}),
]


@pytest.mark.timeout(600)
@pytest.mark.parametrize("config", ORG_CONFIGS, ids=lambda c: c.name)
def test_small_org_leaks_nothing(config, tmp_path):
    leaks = attack(ORG / "roster.csv", ORG / "schedule.csv", config,
                   timesheet=ORG / "timesheet.csv", policy=ORG / "policy.toml")
    assert leaks == []


@pytest.mark.timeout(900)
@pytest.mark.parametrize("name", ["lone_lpn", "round", "salaried", "lone_director", "part_timer"])
def test_tempting_rosters_leak_nothing(name, tmp_path):
    roster = tempting(tmp_path)[name]
    r, s = roster.write()
    configs = CONFIGS + pooled_configs(list(roster.people))
    if roster.covariates:
        configs.append(Config("decomposition", {"covariates": ["tenure_years", "fte"], "reference": "bls-2025"}))
    leaks = [f"{c.name}: {leak}" for c in configs for leak in attack(r, s, c)]
    assert leaks == []


RATES = st.one_of(st.integers(1500, 6000).map(lambda c: c / 100), st.integers(15, 60).map(float)).filter(lambda x: x != 40.0)


@st.composite
def rosters(draw):
    """A small organisation: peers and 1-4 other roles of 1 to 12 people, round and odd rates, part-timers,
    sometimes a salaried role."""
    sizes = [draw(st.integers(1, 12))] + draw(st.lists(st.integers(1, 12), min_size=1, max_size=4))
    people = {}
    for i, n in enumerate(sizes):
        role = "peer_specialist" if i == 0 else ["rn", "lpn", "case_manager", "director"][i - 1]
        salaried = i == len(sizes) - 1 and i > 0 and draw(st.booleans())
        members = []
        for _ in range(n):
            fte = draw(st.sampled_from([1.0, 1.0, 1.0, 0.8, 0.5]))
            rate = f"salary:{draw(st.integers(40, 120)) * 1000}" if salaried else draw(RATES)
            members.append((rate, fte))
        people[role] = members
    return people, draw(st.sampled_from(CONFIGS + pooled_configs(list(people))))


@pytest.mark.timeout(900)
@settings(max_examples=examples(15), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(rosters())
def test_generated_rosters_leak_nothing(tmp_path_factory, drawn):
    people, config = drawn
    d = tmp_path_factory.mktemp("roster")
    r, s = Roster(people, d).write()
    assert attack(r, s, config) == []


# --------------------------------------------------------------------------- the attack can fail


def test_the_attack_finds_a_published_median(tmp_path):
    """The attack is not blind: a report that prints a pooled group's exact median (the LPN's $29.90,
    as issue 24 found) is caught, in every format that carries it."""
    run = run_gap(ORG / "roster.csv", ORG / "schedule.csv", "peer_specialist", as_of=AS_OF, publish=True,
                  groups={"clinical": ["rn", "lpn", "case_manager"]})
    hourly, annual = secrets([run.workers])
    assert hits(29.90, hourly, annual) and hits(19.40, hourly, annual) and hits(19.075, hourly, annual)
    assert hits(81000.0, hourly, annual)  # the director's salary, within a dollar of $38.9423 x 2,080
    report = json.loads(json.dumps(run.report))
    clinical = next(g for g in report["groups"] if g["role"] == "clinical")
    clinical["median_hourly"], clinical["median_hourly_band"] = 29.90, None  # the old report
    dollars, allowed = json_figures(report)
    assert any(hits(x, hourly, annual) for _, x, _ in dollars)
    md = render_gap(report, "md")
    assert 29.90 in text_numbers(md) and 29.90 not in allowed


def everything_exact(values_by_group, *args, **kwargs):
    """A broken disclosure rule: every group exact, whatever its size (to show that an attack can fail)."""
    from peerpay.core.disclosure import Disclosed

    out = {}
    for g, vals in values_by_group.items():
        v = sorted(Fraction(x) for x in vals)
        mid = len(v) // 2
        out[g] = Disclosed("exact", len(v), v[mid] if len(v) % 2 else (v[mid - 1] + v[mid]) / 2, sum(v, Fraction(0)) / len(v))
    return out


def test_the_attack_finds_a_published_billing_share(monkeypatch):
    """The billing check is not blind. With the disclosure rule switched off for the billing share (every
    role exact, whatever its size), the samples' fact sheet publishes the lone LPN's own figures: the
    share of her billing she is paid, 88.6 cents (the report's one decimal: the check reads a share as
    shown, not only to the cent), and her pay per paid hour, $34.30. The check finds both, in every
    format, and every role of fewer than 10 people publishing its n and dollar figures."""
    from peerpay.core import billing_report

    config = next(c for c in SAMPLE_CONFIGS if c.name == "billing")
    files = dict(timesheet=SAMPLES / "timesheet.csv", policy=SAMPLES / "policy.toml")
    assert attack(SAMPLES / "roster.csv", SAMPLES / "schedule.csv", config, **files) == []
    monkeypatch.setattr(billing_report, "disclose", everything_exact)
    _, report, _, _ = published(SAMPLES / "roster.csv", SAMPLES / "schedule.csv", config, **files)
    lpn = next(g for g in report["billing"]["roles"] if g["role"] == "lpn")
    assert (lpn["n"], lpn["median_cents_per_dollar_billed"], lpn["pay_per_paid_hour"]) == (1, 88.6, 34.3)
    leaks = attack(SAMPLES / "roster.csv", SAMPLES / "schedule.csv", config, **files)
    for fmt in ("table", "json", "md", "html", "xlsx"):
        assert f"{fmt}: 88.6 is somebody's billing share, billing or pay per hour (or two colleagues' mean)" in leaks
        assert f"{fmt}: 34.3 is somebody's billing share, billing or pay per hour (or two colleagues' mean)" in leaks
    assert {leak.split()[2] for leak in leaks if "publishes a dollar figure or a sum without 10 people" in leak} == {
        "case_manager", "community_health_worker", "lpn", "peer_specialist", "peer_supervisor", "rn"}


def test_the_attack_finds_totals_minus_parts():
    """A decomposition beside exact group means gives a lone director's pay: the algebra finds it."""
    import pandas as pd

    workers = pd.DataFrame({"role": ["peer"] * 10 + ["rn"] * 10 + ["director"]})
    report = {"peer_role": "peer", "groups": [{"role": "peer", "source": "internal", "n": 10, "mean_hourly": 20.0},
                                             {"role": "rn", "source": "internal", "n": 10, "mean_hourly": 40.0}],
              "decomposition": {"status": "ok"}}
    assert any("of 1 (director)" in leak for leak in algebra(report, workers))
    report["decomposition"] = {"status": "not published"}
    assert algebra(report, workers) == []


def test_the_attack_reads_a_narrow_band_back():
    report = {"basis": "base_rate", "peer_role": "p",
              "groups": [{"role": "p", "median_hourly_band": [18, 20]},
                         {"role": "x", "median_hourly": 40.0, "cents_on_the_dollar_band": [46, 49]}]}
    assert band_readback(report)  # 46-49 cents of $40 is $18.40-19.60: narrower than $18-20
    report["groups"][1]["cents_on_the_dollar_band"] = [45, 50]
    assert band_readback(report) == []


def test_boilerplate_numbers_are_not_mistaken_for_pay():
    text = "as of 2025-11-30; SI 2017/172 reg. 13(2); B.C. Reg. 225/2023; peerpay 0.1.0; median $19.40 (band $18–20)"
    assert text_numbers(text) == [19.40, 18.0, 20.0]
    assert [role_label(r) for r in ("rn", "BLS: registered_nurse")] == ["registered nurse", "registered nurse"]
    assert list(csv.reader(["a,b"])) == [["a", "b"]]
