"""One person across employers, joint employment, and the certification bonus (docs/joint-and-credentials.md).

Pure functions over the engine's pay lines (one row per employee id and workweek). They never
re-run the engine: a person's weeks at several employers are combined here, after each
employer's own pay is known.

* :func:`person_weeks` -- per person and workweek: hours and gross by employer and combined,
  and the flag "combined hours pass 40 while no single employer's do".
* :func:`joint_overtime` -- the what-if of ``[joint_employment]``: the combined workweek's
  statutory overtime at the regular rate weighted across the employers' straight-time pay (29
  CFR 778.115 on the combined week), less every creditable premium the employers already paid
  (29 U.S.C. 207(h)(2), 778.202(c)); what remains, never negative, split in proportion to
  straight-time pay by largest remainder.
* :func:`bonus_overtime` -- a nondiscretionary bonus apportioned over the workweeks it covers,
  and the extra overtime it creates: (bonus for the week / hours worked) x 0.5 x statutory
  overtime hours (29 CFR 778.209(b)), or the contract's own overtime where it extends the
  bonus to it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .engine import CREDENTIAL_COLUMN, CREDENTIAL_UNTIL, NOT_HELD
from .money import AMOUNT_PER_CENT, FACTOR_SCALE, MINUTES_PER_HOUR, cents_half_up, factor_units
from ..models.policy import Policy

COMBINED = "(combined)"


def largest_remainder(total: int, weights) -> np.ndarray:
    """Split ``total`` cents in proportion to integer ``weights``; the parts add up to ``total``.

    Each part is first floor(total x w / sum w); the cents left over go one each to the parts
    with the largest remainders (ties: the earlier part). All weights 0: equal weights.
    """
    w = np.asarray(weights, dtype=object)
    if len(w) == 0:
        return np.zeros(0, dtype="int64")
    if sum(w) == 0:
        w = np.ones(len(w), dtype=object)
    den = sum(w)
    exact = w * int(total)
    floor = np.array([x // den for x in exact], dtype=object)
    rem = np.array([x % den for x in exact], dtype=object)
    left = int(total) - int(sum(floor))
    order = sorted(range(len(w)), key=lambda i: (-rem[i], i))
    out = floor.copy()
    for i in order[:left]:
        out[i] += 1
    return out.astype("int64")


def _group_largest_remainder(groups: np.ndarray, totals: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """:func:`largest_remainder` within each group (vectorised; ``totals`` is per row, equal within a group)."""
    g = pd.Series(groups)
    w = pd.Series(np.asarray(weights, dtype=object))
    t = pd.Series(np.asarray(totals, dtype=object))
    wsum = w.groupby(g.to_numpy()).transform("sum")
    n = g.groupby(g.to_numpy()).transform("size")
    equal = wsum == 0
    w = w.where(~equal, 1)
    wsum = wsum.where(~equal, n)
    exact = t * w
    floor = exact // wsum
    rem = exact - floor * wsum
    left = t - floor.groupby(g.to_numpy()).transform("sum")
    # rank by remainder (largest first), ties by position: the first `left` of each group get a cent
    frame = pd.DataFrame({"g": g, "rem": rem.astype(float), "pos": np.arange(len(g))})
    frame = frame.sort_values(["g", "rem", "pos"], ascending=[True, False, True], kind="stable")
    rank = frame.groupby("g").cumcount().reindex(frame.index).sort_index()
    return (floor + (rank < left).astype(int)).astype("int64").to_numpy()


def person_weeks(lines: pd.DataFrame, people: pd.DataFrame, weekly_hours=40) -> pd.DataFrame:
    """Per person, workweek and employer: hours and gross, plus a ``(combined)`` row per person-week.

    ``lines``: the engine's pay lines (employee_id, week_start, worked_minutes, gross_pay, ...).
    ``people``: employee_id, person_id, employer. An employee id missing from ``people`` is its own
    person at employer "". ``combined_only_over_40`` is true on every row of a person-week whose
    combined hours pass ``weekly_hours`` while no single employer's do.
    """
    cols = ["person_id", "week_start", "employer", "employee_id", "worked_minutes", "overtime_minutes", "gross_pay"]
    if lines.empty:
        return pd.DataFrame(columns=[*cols, "combined_only_over_40"])
    df = _with_people(lines, people)
    limit = int(weekly_hours * MINUTES_PER_HOUR) if weekly_hours is not None else None
    per = df[cols].copy()
    key = ["person_id", "week_start"]
    comb = per.groupby(key, sort=True, as_index=False).agg(
        worked_minutes=("worked_minutes", "sum"), overtime_minutes=("overtime_minutes", "sum"),
        gross_pay=("gross_pay", "sum"), employers=("employer", "nunique"), top=("worked_minutes", "max"))
    comb["employer"] = COMBINED
    comb["employee_id"] = ""
    if limit is None:
        comb["combined_only_over_40"] = False
    else:
        comb["combined_only_over_40"] = (comb["worked_minutes"] > limit) & (comb["top"] <= limit)
    per = per.merge(comb[[*key, "combined_only_over_40"]], on=key)
    out = pd.concat([per, comb[[*cols, "combined_only_over_40"]]], ignore_index=True)
    out["_c"] = out["employer"] == COMBINED
    out = out.sort_values([*key, "_c", "employer", "employee_id"], kind="stable").drop(columns="_c")
    return out.reset_index(drop=True)


def _with_people(lines: pd.DataFrame, people: pd.DataFrame) -> pd.DataFrame:
    ppl = people[["employee_id", "person_id", "employer"]].drop_duplicates("employee_id")
    df = lines.merge(ppl, on="employee_id", how="left")
    df["person_id"] = df["person_id"].where(df["person_id"].notna() & (df["person_id"].astype(str) != ""), df["employee_id"])
    df["employer"] = df["employer"].fillna("").astype(str)
    df["person_id"] = df["person_id"].astype(str)
    return df


def joint_overtime(lines: pd.DataFrame, people: pd.DataFrame, policy: Policy, employers) -> pd.DataFrame:
    """The joint-employment what-if: one row per employee id and workweek of the named employers,
    for the person-weeks worked at two or more of them.

    For each person and workweek, over the rows of the employers in ``employers``:

    * W = combined worked minutes; O = the combined week's *statutory* overtime minutes:
      max(0, W - 40 h) (29 U.S.C. 207(a)(1)); under an 8-and-80 policy, the employers' daily
      minutes beyond 8 plus the period's beyond 80 that were not (207(j)). A contract's daily
      overtime is one employer's own promise (29 CFR 778.102): it does not add statutory hours.
    * S = the combined straight-time pay that makes the regular rate (base + differentials +
      standby, the engine's ``regular_rate_num``, exact units). Regular rate = S / W (29 CFR
      778.115: the weighted average of the rates at both employers).
    * Combined premium = 0.5 x S / W x O, rounded once, half-up, to the cent; ``joint_overtime_premium``
      is each employer's part of it in proportion to its S (largest remainder).
    * Credited = the premiums each employer already paid that are creditable toward it (29 U.S.C.
      207(h)(2), 29 CFR 778.202(c)): its overtime premium (daily or weekly, at any multiplier)
      and a holiday premium at 1.5x or more (207(e)(6)).
    * Additional = max(0, combined premium - every employer's credited premium), split in
      proportion to S by largest remainder: never negative, and the parts add up to it exactly.
      Joint employers are liable jointly and severally for the whole; the split is a what-if.
    """
    from .measures import federal_rules

    rules = federal_rules(policy)
    cols = ["employee_id", "person_id", "employer", "week_start", "worked_minutes", "combined_minutes",
            "combined_overtime_minutes", "straight_time_units", "combined_premium", "joint_overtime_premium",
            "own_overtime_premium", "credited_premium", "joint_additional"]
    df = _with_people(lines, people)
    df = df[df["employer"].isin(list(employers))]
    # only person-weeks worked at two or more of the named employers: anyone else's week is unchanged
    shared = df.groupby(["person_id", "week_start"])["employer"].transform("nunique") >= 2
    df = df[shared].reset_index(drop=True)
    if df.empty:
        return pd.DataFrame(columns=cols)
    if "daily_overtime_minutes" not in df:
        df["daily_overtime_minutes"] = 0
    key = [df["person_id"], df["week_start"]]
    grp = df.groupby(["person_id", "week_start"], sort=False)
    w = grp["worked_minutes"].transform("sum").to_numpy(dtype="int64")
    d = grp["daily_overtime_minutes"].transform("sum").to_numpy(dtype="int64") if rules.is_8_and_80 else np.zeros(len(df), "int64")
    o = d + np.clip(w - d - int(rules.period_hours or 0) * MINUTES_PER_HOUR, 0, None)
    s_units = df["regular_rate_num"].astype(object)
    s_total = s_units.groupby(key).transform("sum").to_numpy()
    extra = rules.multiplier_units - FACTOR_SCALE
    num = s_total * extra * o.astype(object)
    den = np.maximum(w, 1).astype(object) * FACTOR_SCALE * AMOUNT_PER_CENT
    premium = np.where(o > 0, cents_half_up(num, den), 0).astype("int64")
    credited = df["overtime_premium"].astype("int64").to_numpy()
    if policy.holiday is not None and factor_units(policy.holiday.multiplier) >= 15_000:
        credited = credited + df["holiday_premium"].astype("int64").to_numpy()
    credited_total = pd.Series(credited).groupby(key).transform("sum").to_numpy(dtype="int64")
    group_id = grp.ngroup().to_numpy()
    parts = _group_largest_remainder(group_id, premium, s_units.to_numpy())
    additional = _group_largest_remainder(group_id, np.maximum(premium - credited_total, 0), s_units.to_numpy())
    out = pd.DataFrame({
        "employee_id": df["employee_id"], "person_id": df["person_id"], "employer": df["employer"],
        "week_start": df["week_start"], "worked_minutes": df["worked_minutes"].astype("int64"),
        "combined_minutes": w, "combined_overtime_minutes": o, "straight_time_units": s_units,
        "combined_premium": premium, "joint_overtime_premium": parts,
        "own_overtime_premium": df["overtime_premium"].astype("int64"), "credited_premium": credited,
        "joint_additional": additional,
    })
    return out.sort_values(["person_id", "week_start", "employer"], kind="stable").reset_index(drop=True)[cols]


def bonus_weeks_split(bonus_cents: int, worked_minutes, allocation: str = "per_week", total_weeks: int | None = None) -> np.ndarray:
    """The bonus apportioned over the weeks it covers, in cents that add up to the bonus.

    ``per_week``: equal amounts per workweek; ``per_hour``: in proportion to the hours worked in
    each week (29 CFR 778.209(b): when the bonus cannot be identified with particular weeks).
    Largest remainder, so no cent is lost or made.

    ``total_weeks`` (more than the weeks given): the bonus covers weeks outside the data; the
    weeks given get their prorated part only, ``len / total_weeks`` of the bonus (equal shares
    per week; per hour among the weeks given), never the whole bonus.
    """
    minutes = np.asarray(worked_minutes, dtype="int64")
    n = len(minutes)
    if total_weeks is not None and total_weeks > n:
        if allocation == "per_week":
            return largest_remainder(int(bonus_cents), np.ones(total_weeks, dtype="int64"))[:n]
        present = int(largest_remainder(int(bonus_cents), [n, total_weeks - n])[0])
        return largest_remainder(present, minutes)
    weights = np.ones(n, dtype="int64") if allocation == "per_week" else minutes
    return largest_remainder(int(bonus_cents), weights)


def bonus_overtime(bonus_cents: int, weeks: pd.DataFrame, policy: Policy, allocation: str = "per_week",
                   applies_to: str = "statutory", total_weeks: int | None = None) -> pd.DataFrame:
    """Extra overtime pay a nondiscretionary bonus creates (29 CFR 778.209).

    ``weeks``: one row per workweek of the bonus period in the data: ``worked_minutes``,
    ``overtime_minutes`` (the policy's), optionally ``statutory_overtime_minutes`` (else the
    minutes beyond 40; an 8-and-80 policy's own overtime minutes), ``regular_rate_num`` (amount
    units) and ``credits`` (cents of creditable premiums paid).

    ``statutory`` (the regulation, 778.209(b)): extra overtime = share / hours worked x 0.5 x
    statutory overtime hours, less the part of the creditable premiums already paid above the
    statutory premium on the week's other pay (207(h)(2)): a contract's double time or daily
    overtime may cover it. Contract daily overtime adds nothing: a 38-hour week gets $0.00.
    ``contract`` (the contract extends the bonus to its own overtime): share / hours worked x
    (multiplier - 1) x the policy's overtime hours. Each rounded once, half-up, per week.
    """
    from .measures import federal_rules

    out = weeks.copy().reset_index(drop=True)
    share = bonus_weeks_split(bonus_cents, out["worked_minutes"], allocation, total_weeks)
    out["bonus_share"] = share
    wm = out["worked_minutes"].to_numpy(dtype="int64")
    safe = np.maximum(wm, 1).astype(object)
    if applies_to == "contract":
        ot = policy.overtime
        mult = factor_units(ot.multiplier) - FACTOR_SCALE if ot is not None else 0
        om = out["overtime_minutes"].to_numpy(dtype="int64")
        extra = cents_half_up(share.astype(object) * mult * om.astype(object), safe * FACTOR_SCALE) if len(out) else share
    else:
        rules = federal_rules(policy)
        if "statutory_overtime_minutes" in out:
            om = out["statutory_overtime_minutes"].to_numpy(dtype="int64")
        elif rules.is_8_and_80:
            om = out["overtime_minutes"].to_numpy(dtype="int64")
        else:
            om = np.maximum(wm - int(rules.period_hours or 0) * MINUTES_PER_HOUR, 0)
        half = rules.multiplier_units - FACTOR_SCALE
        # amounts over safe x FACTOR_SCALE: cents x AMOUNT_PER_CENT for the credit side
        bonus_part = share.astype(object) * AMOUNT_PER_CENT * half * om.astype(object)
        credit = np.zeros(len(out), dtype=object)
        if "credits" in out and "regular_rate_num" in out:
            required = out["regular_rate_num"].to_numpy(dtype=object) * half * om.astype(object)  # statutory premium on the other pay
            paid = out["credits"].to_numpy(dtype="int64").astype(object) * AMOUNT_PER_CENT * safe * FACTOR_SCALE
            credit = np.maximum(paid - required, 0)
        extra = cents_half_up(np.maximum(bonus_part - credit, 0).astype(object), safe * FACTOR_SCALE * AMOUNT_PER_CENT) \
            if len(out) else share
    out["bonus_overtime"] = np.where((om > 0) & (wm > 0), np.asarray(extra, dtype=object), 0).astype("int64")
    return out


# --- credentials ---------------------------------------------------------------------------------

CREDENTIAL_COLUMNS = ("employee_id", "credential", "from_day", "until_day")


def _days(values) -> np.ndarray:
    """Dates (text or date) -> days since 1970-01-01; NaT -> -1."""
    d = pd.to_datetime(pd.Series(values, dtype=object), errors="coerce", format="mixed")
    out = (d.dt.normalize() - pd.Timestamp(0)).dt.days
    return out.fillna(-1).astype("int64").to_numpy()


def roster_credentials(roster: pd.DataFrame | None, credentials: pd.DataFrame | None = None) -> tuple[pd.DataFrame, list[str]]:
    """Every (employee, credential, from, until) the roster and a credentials file hold.

    Roster: ``credential`` + ``certified_on`` columns, repeatable with a suffix
    (``credential_2`` + ``certified_on_2``, ...). Credentials file: ``employee_id`` or
    ``person_id`` (every employee id of that person), ``credential``, ``from``, optional ``to``.
    Returns the frame and messages for rows that could not be used (counts only, never ids).
    """
    parts, notes = [], []
    if roster is not None and len(roster):
        for c in [c for c in roster.columns if str(c).startswith("credential")]:
            suffix = str(c)[len("credential"):]
            since = f"certified_on{suffix}"
            cred = roster[c].fillna("").astype(str).str.strip()
            has = cred != ""
            if not has.any():
                continue
            day = _days(roster[since]) if since in roster else np.full(len(roster), -1)
            bad = has.to_numpy() & (day < 0)
            if bad.any():
                notes.append(f"{int(bad.sum())} roster credential(s) without a readable {since} date: not paid a premium")
            ok = has.to_numpy() & (day >= 0)
            parts.append(pd.DataFrame({"employee_id": roster["employee_id"].to_numpy()[ok], "credential": cred.to_numpy()[ok],
                                       "from_day": day[ok], "until_day": NOT_HELD}))
    if credentials is not None and len(credentials):
        cr = credentials.copy()
        if "employee_id" not in cr and "person_id" in cr and roster is not None and "person_id" in roster:
            cr = cr.merge(roster[["employee_id", "person_id"]].astype(str), on="person_id", how="inner")
        frm = _days(cr["from"]) if "from" in cr else np.full(len(cr), -1)
        until = _days(cr["to"]) if "to" in cr else np.full(len(cr), -1)
        until = np.where(until < 0, NOT_HELD, until)
        ok = (frm >= 0) & (cr["credential"].fillna("").astype(str).str.strip() != "").to_numpy()
        if (~ok).any():
            notes.append(f"{int((~ok).sum())} credentials row(s) without a credential or a readable 'from' date: ignored")
        parts.append(pd.DataFrame({"employee_id": cr["employee_id"].astype(str).to_numpy()[ok],
                                   "credential": cr["credential"].astype(str).str.strip().to_numpy()[ok],
                                   "from_day": frm[ok], "until_day": until[ok]}))
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype=object if c in ("employee_id", "credential") else "int64")
                             for c in CREDENTIAL_COLUMNS}), notes
    return pd.concat(parts, ignore_index=True), notes


def attach_credentials(shifts: pd.DataFrame, creds: pd.DataFrame, names) -> pd.DataFrame:
    """Add the engine's ``certified_day:<credential>`` (and ``certified_until:<credential>``) shift columns.

    An employee holding a credential twice (renewed) keeps the earliest start and latest end.
    """
    out = shifts
    for name in dict.fromkeys(names):
        c = creds[creds["credential"] == name]
        if c.empty:
            continue
        g = c.groupby("employee_id").agg(f=("from_day", "min"), u=("until_day", "max"))
        emp = shifts["employee_id"]
        out = out.assign(**{
            CREDENTIAL_COLUMN.format(name): emp.map(g["f"]).fillna(NOT_HELD).astype("int64").to_numpy(),
            CREDENTIAL_UNTIL.format(name): emp.map(g["u"]).fillna(NOT_HELD).astype("int64").to_numpy(),
        })
    return out


# --- display (hours and dollars, the way a clerk reads them) -----------------------------------

JOINT_NOTE = ("Joint employment is a what-if, never a legal finding: whether employers are joint employers "
              "is decided on the facts (FLSA joint liability; the 2020 rule at 29 CFR part 791 was vacated in part "
              "in New York v. Scalia (S.D.N.Y. 2020) and rescinded in 2021). peerpay models the scenario named in "
              "[joint_employment]; it does not decide the question.")

JOINT_RULE = ("Combined premium = 0.5 x combined straight-time pay / combined hours x the combined week's statutory overtime "
              "hours (over 40; 29 U.S.C. 207(a), 29 CFR 778.115), rounded once half-up. Credited = overtime premiums each "
              "employer already paid (daily or weekly) and holiday premiums at 1.5x or more (207(h)(2), 778.202(c)). "
              "Additional = combined premium - all credited premiums, never below 0, split in proportion to each employer's "
              "straight-time pay by largest remainder (joint employers are liable for the whole; the split is a what-if).")
BONUS_RULE = ("Certification bonus: a nondiscretionary bonus apportioned over the workweeks it covers; extra overtime = bonus for "
              "the week / hours worked x 0.5 x statutory overtime hours (over 40, or 8 and 80), less creditable premiums paid "
              "above the statutory ones (29 CFR 778.209(b), 29 U.S.C. 207(h)(2)); with applies_to = \"contract\", x (multiplier - 1) "
              "x the contract's overtime hours instead.")


def _hours(minutes) -> pd.Series:
    return (pd.Series(minutes).astype("int64") / MINUTES_PER_HOUR).round(2)


def _dollars(cents) -> pd.Series:
    return pd.Series(cents).astype("int64") / 100


def person_view(people: pd.DataFrame) -> pd.DataFrame:
    """The person-week table for display: hours and dollars."""
    return pd.DataFrame({
        "person_id": people["person_id"].to_numpy(), "week_start": pd.to_datetime(people["week_start"]).dt.date.to_numpy(),
        "employer": people["employer"].to_numpy(), "employee_id": people["employee_id"].to_numpy(),
        "hours": _hours(people["worked_minutes"]).to_numpy(), "overtime_hours": _hours(people["overtime_minutes"]).to_numpy(),
        "gross_pay": _dollars(people["gross_pay"]).to_numpy(),
        "combined_only_over_40": np.where(people["combined_only_over_40"].astype(bool), "yes", ""),
    })


def joint_view(joint: pd.DataFrame) -> pd.DataFrame:
    """The joint-employment what-if for display."""
    return pd.DataFrame({
        "person_id": joint["person_id"].to_numpy(), "week_start": pd.to_datetime(joint["week_start"]).dt.date.to_numpy(),
        "employer": joint["employer"].to_numpy(), "employee_id": joint["employee_id"].to_numpy(),
        "hours": _hours(joint["worked_minutes"]).to_numpy(), "combined_hours": _hours(joint["combined_minutes"]).to_numpy(),
        "combined_overtime_hours": _hours(joint["combined_overtime_minutes"]).to_numpy(),
        "combined_premium": _dollars(joint["combined_premium"]).to_numpy(),
        "employer_share": _dollars(joint["joint_overtime_premium"]).to_numpy(),
        "paid_alone": _dollars(joint["own_overtime_premium"]).to_numpy(),
        "credited": _dollars(joint["credited_premium"]).to_numpy(),
        "additional": _dollars(joint["joint_additional"]).to_numpy(),
    })


def bonus_view(bonus: pd.DataFrame) -> pd.DataFrame:
    """The certification bonus apportioned per week, and the overtime it adds, for display."""
    return pd.DataFrame({
        "employee_id": bonus["employee_id"].to_numpy(), "premium": bonus["premium"].to_numpy(),
        "week_start": pd.to_datetime(bonus["week_start"]).dt.date.to_numpy(),
        "hours": _hours(bonus["worked_minutes"]).to_numpy(), "overtime_hours": _hours(bonus["overtime_minutes"]).to_numpy(),
        "bonus_share": _dollars(bonus["bonus_share"]).to_numpy(),
        "bonus_overtime": _dollars(bonus["bonus_overtime"]).to_numpy(),
    })


# --- gap: people across employers, certified vs not certified peers ----------------------------


def person_earnings(lines: pd.DataFrame, people: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """Per employee id: the gross and hours of the whole *person* (all employers), and how many
    people worked for more than one employer.

    Each employee id gets its person's combined ``gross_cents`` and ``worked_minutes``, so the
    gap's effective rate (gross / hours) is the person's combined hourly earnings.
    """
    df = _with_people(lines, people)
    per = df.groupby("person_id").agg(gross_cents=("gross_pay", "sum"), worked_minutes=("worked_minutes", "sum"),
                                      employers=("employer", "nunique"))
    out = df[["employee_id", "person_id"]].drop_duplicates("employee_id").merge(per, left_on="person_id", right_index=True)
    return out[["employee_id", "person_id", "gross_cents", "worked_minutes"]].reset_index(drop=True), int((per["employers"] > 1).sum())


def _stats(units: pd.Series, min_group: int) -> dict:
    n = int(len(units))
    if n == 0 or n < min_group:
        return {"n": n, "mean": None, "median": None, "suppressed": n > 0}
    dollars = units.astype("float64") / 10_000
    return {"n": n, "mean": round(float(dollars.mean()), 2), "median": round(float(dollars.median()), 2), "suppressed": False}


def certification_gap(workers: pd.DataFrame, creds: pd.DataFrame, peer_role: str, as_of_day: int,
                      premium_per_hour: float | None = None, min_group: int = 1, credential: str | None = None) -> dict:
    """Certified vs not certified peers: n, mean and median hourly pay, the gap %, and the share of
    the peer-role gap a credential premium closes.

    ``workers``: the gap's workers (employee_id, role, hourly_units in $0.0001/h). Certified = holds
    ``credential`` (any, when None) on ``as_of_day``. Gap % = (certified mean - not certified mean)
    / not certified mean x 100. Peer-role gap = mean of every other role - mean of peers ($/h);
    the premium's share = premium $/h / that gap (only when the gap is positive). A group under
    ``min_group`` shows its n only.
    """
    c = creds if credential is None else creds[creds["credential"] == credential]
    held = set(c[(c["from_day"] <= as_of_day) & (c["until_day"] >= as_of_day)]["employee_id"])
    peers = workers[workers["role"] == peer_role]
    others = workers[workers["role"] != peer_role]
    is_cert = peers["employee_id"].isin(held)
    cert, not_cert = _stats(peers.loc[is_cert, "hourly_units"], min_group), _stats(peers.loc[~is_cert, "hourly_units"], min_group)
    gap = None
    if cert["mean"] is not None and not_cert["mean"] and not_cert["mean"] > 0:
        gap = round((cert["mean"] - not_cert["mean"]) / not_cert["mean"] * 100, 1)
    role_gap = None
    if len(peers) and len(others):
        role_gap = round(float(others["hourly_units"].astype("float64").mean() - peers["hourly_units"].astype("float64").mean()) / 10_000, 2)
    share = None
    if premium_per_hour is not None and role_gap is not None and role_gap > 0:
        share = round(premium_per_hour / role_gap * 100, 1)
    return {"credential": credential or "any", "certified": cert, "not_certified": not_cert, "gap_percent": gap,
            "peer_role_gap_per_hour": role_gap, "premium_per_hour": premium_per_hour, "premium_share_of_role_gap_percent": share}


#: The certified-vs-not-certified table's title, in every format (text block, sheet, HTML section).
CERTIFICATION_TITLE = "Certified vs not certified peers (hourly)"


def certification_rows(cg: dict, min_group: int = 1) -> list[dict]:
    """The comparison as table rows: group, n, mean and median $/h, gap %.

    A suppressed group (under ``min_group``) shows n as "<N" and no figures, exactly as the gap
    report's groups table does; the gap % is on the certified row and only when both are shown.
    """
    rows = []
    for label, s in ((f"certified ({cg['credential']})", cg["certified"]), ("not certified", cg["not_certified"])):
        rows.append({"group": label, "n": f"<{min_group}" if s["suppressed"] else s["n"],
                     "mean_hourly": s["mean"], "median_hourly": s["median"], "gap_percent": None})
    rows[0]["gap_percent"] = cg["gap_percent"]
    return rows


def certification_notes(cg: dict) -> list[str]:
    """The comparison as report notes (the gap report's notes render in every format)."""
    def part(label, s):
        if s["mean"] is None:
            return f"{label}: n = {s['n']}" + (" (suppressed)" if s["suppressed"] else "")
        return f"{label}: n = {s['n']}, mean ${s['mean']:,.2f}/h, median ${s['median']:,.2f}/h"

    out = [f"Certified ({cg['credential']}) vs not certified peers -- " + part("certified", cg["certified"]) + "; "
           + part("not certified", cg["not_certified"])
           + (f"; gap {cg['gap_percent']:+.1f}%." if cg["gap_percent"] is not None else ".")]
    if cg["premium_share_of_role_gap_percent"] is not None:
        out.append(f"A credential premium of ${cg['premium_per_hour']:,.2f}/h would close {cg['premium_share_of_role_gap_percent']:.1f}% "
                   f"of the peer-role gap (${cg['peer_role_gap_per_hour']:,.2f}/h, other roles' mean minus peers' mean).")
    return out
