"""State overtime presets: each state's overtime law as ordered tiers, with its citations.

Data only (no pydantic here): :class:`peerpay.models.policy.OvertimeTier` validates each tier and
``[overtime] rules = "CA"`` expands to them; ``peerpay init --state CA`` writes them out as
editable ``[[overtime.tier]]`` blocks (:func:`preset_toml`). docs/pay-rules.md §4 explains every
tier with a worked week.

A tier pays the minutes beyond ``hours`` of its kind at ``multiplier`` x the regular rate; a minute
reached by several tiers is paid once, at the highest (no pyramiding); weekly tiers count only the
minutes no daily, seventh-day or consecutive-hours tier paid (Cal. Lab. Code 510(a) as the Labor
Commissioner applies it: DLSE Enforcement Policies and Interpretations Manual §48).
"""

from __future__ import annotations

#: The kinds of threshold a tier can have, and what ``hours`` counts for each.
TIER_KINDS = {
    "daily": "hours worked in one workday (the shifts that start on one calendar date)",
    "weekly": "hours worked in the workweek that no daily, seventh-day or consecutive tier paid",
    "seventh_day": "hours worked on the day-th consecutive day worked within the workweek (and any after it)",
    "consecutive": "hours in one stretch of consecutive work (rows that abut, or with a gap of at most break_minutes)",
}

WEEKLY_40 = {"name": "weekly_40", "kind": "weekly", "hours": 40, "multiplier": "1.5",
             "citation": "29 U.S.C. 207(a)(1)"}

#: state code -> (what it is, the statute for the comment, the tiers in order)
PRESETS: dict[str, tuple[str, str, tuple[dict, ...]]] = {
    "FLSA": ("federal Fair Labor Standards Act: 1.5 x the regular rate after 40 hours in a workweek",
             "29 U.S.C. 207(a)(1); 29 CFR 778.107", (WEEKLY_40,)),
    "CA": ("California: daily overtime after 8 h, double time after 12 h, the seventh consecutive day of the "
           "workweek (first 8 h at 1.5, beyond 8 at 2.0), weekly overtime after 40 h",
           "Cal. Lab. Code 510(a); IWC Wage Orders section 3(A); DLSE Enforcement Manual sections 48-49", (
               {"name": "daily_8", "kind": "daily", "hours": 8, "multiplier": "1.5", "citation": "Cal. Lab. Code 510(a)"},
               {"name": "daily_12", "kind": "daily", "hours": 12, "multiplier": "2", "citation": "Cal. Lab. Code 510(a)"},
               {"name": "seventh_day", "kind": "seventh_day", "hours": 0, "multiplier": "1.5", "day": 7,
                "citation": "Cal. Lab. Code 510(a)"},
               {"name": "seventh_day_8", "kind": "seventh_day", "hours": 8, "multiplier": "2", "day": 7,
                "citation": "Cal. Lab. Code 510(a)"},
               {"name": "weekly_40", "kind": "weekly", "hours": 40, "multiplier": "1.5",
                "citation": "Cal. Lab. Code 510(a); DLSE Enforcement Manual section 48"},
           )),
    "AK": ("Alaska: overtime after 8 hours in a day and after 40 hours in a week",
           "AS 23.10.060(b)", (
               {"name": "daily_8", "kind": "daily", "hours": 8, "multiplier": "1.5", "citation": "AS 23.10.060(b)"},
               {"name": "weekly_40", "kind": "weekly", "hours": 40, "multiplier": "1.5", "citation": "AS 23.10.060(b)"},
           )),
    "NV": ("Nevada: daily overtime after 8 hours only for a rate below 1.5 x the Nevada minimum wage; "
           "weekly overtime after 40 hours",
           "NRS 608.018", (
               {"name": "daily_8", "kind": "daily", "hours": 8, "multiplier": "1.5",
                "rate_below_minimum_wage_times": "1.5", "jurisdiction": "US-NV", "citation": "NRS 608.018(1)(b)"},
               {"name": "weekly_40", "kind": "weekly", "hours": 40, "multiplier": "1.5",
                "citation": "NRS 608.018(1)(a); 29 U.S.C. 207(a)(1)"},
           )),
    "CO": ("Colorado: overtime after 12 hours in a workday, after 12 consecutive hours, and after 40 hours "
           "in a workweek, whichever pays more",
           "COMPS Order, 7 CCR 1103-1, Rule 4.1.1", (
               {"name": "daily_12", "kind": "daily", "hours": 12, "multiplier": "1.5",
                "citation": "7 CCR 1103-1 Rule 4.1.1(B)"},
               {"name": "consecutive_12", "kind": "consecutive", "hours": 12, "multiplier": "1.5", "break_minutes": 60,
                "citation": "7 CCR 1103-1 Rule 4.1.1(C)"},
               {"name": "weekly_40", "kind": "weekly", "hours": 40, "multiplier": "1.5",
                "citation": "7 CCR 1103-1 Rule 4.1.1(A)"},
           )),
}

#: California alternative workweek schedules (Lab. Code 511): the daily 1.5 tier starts after the
#: schedule's regular day (e.g. 10 for a 4/10 schedule) instead of 8; double time stays after 12.
ALTERNATIVE_WORKWEEK_CITATION = "Cal. Lab. Code 511(a); IWC Wage Orders section 3(B)"


def preset_tiers(rules: str, alternative_workweek_hours=None) -> tuple[dict, ...]:
    """The preset's tiers as dicts (``alternative_workweek_hours``: California's 511 schedule)."""
    tiers = PRESETS[rules][2]
    if alternative_workweek_hours is None:
        return tiers
    out = []
    for t in tiers:
        if t["name"] == "daily_8":
            hours = alternative_workweek_hours
            t = dict(t, name=f"daily_{_number(hours)}", hours=hours, citation=ALTERNATIVE_WORKWEEK_CITATION)
        out.append(t)
    return tuple(out)


def _number(v) -> str:
    text = format(v, "f") if not isinstance(v, (int, str)) else str(v)
    return text.rstrip("0").rstrip(".") if "." in text else text


#: A state's usual time zone, for the starter policy `peerpay init --state XX` writes.
TIMEZONES = {"CA": "America/Los_Angeles", "AK": "America/Anchorage", "NV": "America/Los_Angeles", "CO": "America/Denver"}


def preset_toml(rules: str) -> str:
    """The ``[overtime]`` section of a policy with the preset written out as editable tiers."""
    import textwrap

    what, statute, tiers = PRESETS[rules]
    lines = textwrap.wrap(f"{what}. Source: {statute}.", 94, initial_indent="# ", subsequent_indent="# ")
    lines += ["# Each [[overtime.tier]] below is editable: a minute is paid once, at the highest tier it",
              "# reaches; weekly tiers count only the hours no daily, seventh-day or consecutive tier paid.",
              "[overtime]"]
    if rules != "FLSA":
        lines.append(f'{f"state = {chr(34)}{rules}{chr(34)}":<27}# whose law: {STATE_NOTE}')
    lines += ['basis = "regular_rate"     # the regular rate includes differentials (29 CFR 778.207(b))', ""]
    keys = ("name", "kind", "hours", "multiplier", "day", "break_minutes", "rate_below_minimum_wage_times",
            "jurisdiction", "citation")
    for t in tiers:
        lines.append("[[overtime.tier]]")
        for k in keys:
            if k not in t:
                continue
            v = t[k]
            value = f'"{v}"' if k in ("name", "kind", "jurisdiction", "citation") else _number(v)
            note = _NOTES.get((k, t["kind"]), "")
            lines.append(f"{k} = {value}" + (f"  # {note}" if note else ""))
        lines.append("")
    return "\n".join(lines)


STATE_NOTE = "California's bonus regular rate (Alvarado), back pay's state measure"

_NOTES = {
    ("hours", "seventh_day"): "hours on that day beyond this (0: every hour of the day)",
    ("day", "seventh_day"): "the 7th consecutive day worked within one workweek",
    ("break_minutes", "consecutive"): "a gap up to this long (a duty-free meal period) does not end the stretch",
    ("rate_below_minimum_wage_times", "daily"): "only shifts paid below 1.5 x the minimum wage on that day",
    ("jurisdiction", "daily"): "whose minimum wage (peerpay/data/minimum_wage.csv)",
}
