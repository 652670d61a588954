"""Rendering reports (writing them safely is :mod:`.outputs`: ``atomic_write`` is re-exported here).

Text cells that a spreadsheet would execute (starting with ``= + - @``, tab or CR) are neutralised with a leading quote
(OWASP "CSV injection").
"""

from __future__ import annotations

import csv
import io
import json

import numpy as np
import pandas as pd

from ..core import threads
from .outputs import Chunks, atomic_write  # noqa: F401  (re-exported: the writers' one way to write a file)

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        try:
            float(value)  # a negative number is data, not a formula
            return value
        except ValueError:
            return "'" + value
    return value


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with every risky text cell and header neutralised; the frame itself when none is
    (the usual case: a year of pay lines is not copied to find that out)."""
    out = frame
    for c in frame.columns:
        if frame[c].dtype == object or pd.api.types.is_string_dtype(frame[c]):
            col = frame[c]
            risky = col.map(lambda v: isinstance(v, str) and v.startswith(FORMULA_PREFIXES)) if col.dtype == object \
                else col.str.startswith(FORMULA_PREFIXES).fillna(False)
            if risky.any():  # vectorised test; only the few risky cells go through Python
                if out is frame:
                    out = frame.copy()
                out[c] = col.astype(object).where(~risky, col[risky].map(neutralise))
    headers = [neutralise(str(c)) for c in frame.columns]
    if headers != list(frame.columns):
        out = out.copy(deep=False) if out is frame else out
        out.columns = headers
    return out


def joined(chunks: Chunks) -> str:
    """The pieces as one text (what :func:`atomic_write` writes, decoded)."""
    return "".join(c if isinstance(c, str) else str(c, "utf-8") for c in chunks)


def to_json(obj) -> str:
    """Pretty JSON: :func:`to_json_chunks` as one text."""
    return joined(to_json_chunks(obj))


def to_json_chunks(obj) -> Chunks:
    """Pretty JSON; a long list of records (pay lines) is written one compact record per line.

    A year of pay lines is 200,000+ records: indenting every key would triple the file and the
    memory it takes to build, and one record per line still diffs and greps well. A table-backed
    sequence of records (:class:`peerpay.core.report.LineTable`) is written as the list of its
    records would be.
    """
    if isinstance(obj, dict) and any(_is_long_records(v) for v in obj.values()):
        parts: Chunks = ["{\n"]  # pieces: the lines of a 100 MB report stay in arrow's buffer
        for i, (key, value) in enumerate(obj.items()):
            parts.append(",\n  " if i else "  ")
            parts.append(f"{json.dumps(key, ensure_ascii=False)}: ")
            if _is_long_records(value):
                rows: Chunks | None = _records_by_column(value)
                if rows is None:
                    rows = [",\n".join("    " + json.dumps(r, ensure_ascii=False, separators=(", ", ": ")) for r in value)]
                parts += ["[\n", *rows, "\n  ]"]
            else:
                parts.append(_dumps(value).replace("\n", "\n  "))
        parts.append("\n}\n")
        return parts
    return [_dumps(obj) + "\n"]


def _dumps(value) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False, default=_as_list)


def _as_list(value):
    """``json.dumps``' fallback: a table-backed sequence of records is written as their list."""
    if _table_backed(value):
        return list(value)
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def _table_backed(value) -> bool:
    return getattr(value, "table", None) is not None and getattr(value, "layout", None) is not None


def _records_by_column(records) -> Chunks | None:
    """The records as ``json.dumps`` writes them, one per line (``",\n"`` between), built column by column.

    Only for records that carry the flat table they were made from (``table`` and ``layout``,
    see :class:`peerpay.core.report.LineTable`); ``None`` otherwise, and the caller dumps each
    record. Each value is written followed by the literal text up to the next value (``, "key":
    ``): text is dumped once per distinct value, floats as ``repr`` writes them
    (:func:`_float_json_pieces`), and one arrow kernel joins the pieces into lines: no Python
    per record. A list of dicts (``LineRecords``) may have been edited after it was made: it is
    written this way only when its first and last records still read as the table says.
    """
    if not _table_backed(records):
        return None
    table, layout = records.table, records.layout
    if len(table) != len(records):
        return None
    import pyarrow as pa
    import pyarrow.compute as pc

    def value(column, after: str) -> list | None:
        col = table[column]
        if pd.api.types.is_float_dtype(col):
            return _float_json_pieces(col.to_numpy(dtype="float64"), after)
        if pd.api.types.is_integer_dtype(col) and not pd.api.types.is_bool_dtype(col):
            return [_followed(pc.cast(pa.array(col.to_numpy(dtype="int64")), pa.string()), after)]
        if pd.api.types.is_bool_dtype(col):  # json.dumps' false / true, picked per row
            return [pa.array(["false" + after, "true" + after], type=pa.string()).take(pa.array(col.to_numpy(dtype="int8")))]
        if col.dtype != object and pd.api.types.is_string_dtype(col):  # arrow-backed text: no Python string per row
            text = _arrow_text(col)
            if text.null_count:
                return None
            coded = pc.dictionary_encode(text)
            codes, uniques = coded.indices, coded.dictionary.to_pylist()
        else:
            codes, uniques = pd.factorize(col.to_numpy(dtype=object), use_na_sentinel=False)
            if not all(isinstance(v, str) for v in uniques):
                return None
        return [pa.array([json.dumps(u, ensure_ascii=False) + after for u in uniques], type=pa.string()).take(pa.array(codes))]

    before: list[tuple[str, str]] = []  # (the literal text before a value, the value's column)
    literal = "    {"
    for i, (key, column) in enumerate(layout):
        literal += (", " if i else "") + json.dumps(key, ensure_ascii=False) + ": "
        if isinstance(column, str):
            before.append((literal, column))
            literal = ""
            continue
        literal += "{"
        for j, (sub, sub_column) in enumerate(column):
            before.append((literal + (", " if j else "") + json.dumps(sub, ensure_ascii=False) + ": ", sub_column))
            literal = ""
        literal += "}"
    after = [text for text, _ in before[1:]] + [literal + "},\n"]
    pieces: list = [pa.scalar(before[0][0])]
    for cells in threads.each(lambda pair: value(pair[0][1], pair[1]), list(zip(before, after)), len(table)):
        if cells is None:
            return None
        pieces += cells
    lines = _rows_joined(pieces, len(table))
    if isinstance(records, list):  # dicts someone could have edited: a cheap check that they still match the table
        for i, row in ((0, lines[0][0]), (len(records) - 1, lines[-1][-1])):
            if row.as_py() != "    " + json.dumps(records[i], ensure_ascii=False, separators=(", ", ": ")) + ",\n":
                return None
    return [_utf8(part, trim=len(",\n") if k == len(lines) - 1 else 0) for k, part in enumerate(lines)]


def _rows_joined(pieces: list, rows: int) -> list:
    """``binary_join_element_wise(*pieces, "")`` as arrow string arrays of consecutive rows (two
    halves for a large table, joined on two threads: :func:`peerpay.core.threads.each`)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    def join(span: tuple[int, int]):
        start, stop = span
        return pc.binary_join_element_wise(
            *(p.slice(start, stop - start) if isinstance(p, pa.Array) else p for p in pieces), "")

    half = rows // 2
    spans = [(0, rows)] if rows < threads.THREADED_ROWS else [(0, half), (half, rows)]
    return threads.each(join, spans, rows)


def _followed(text, after: str):
    """Each value of an arrow string array followed by ``after``."""
    import pyarrow as pa
    import pyarrow.compute as pc

    return pc.binary_join_element_wise(text, pa.scalar(after), "") if after else text


def _concatenated(text, trim: int = 0) -> str:
    """The values of an arrow string array one after another, as one ``str`` (:func:`_utf8` decoded)."""
    return str(_utf8(text, trim), "utf-8")


def _utf8(text, trim: int = 0) -> memoryview:
    """The values of an arrow string array one after another, as UTF-8 bytes (its last ``trim``
    bytes left off): a view of arrow's own buffer, no list of Python strings, no join, no copy."""
    import pyarrow as pa

    _, offsets, data = text.buffers()
    width = 8 if text.type == pa.large_string() else 4
    ends = np.frombuffer(offsets, dtype=f"<i{width}", count=len(text) + 1, offset=text.offset * width) if len(text) else [0, 0]
    first, last = int(ends[0]), int(ends[-1]) - trim
    return memoryview(data)[first:last] if data is not None and last > first else memoryview(b"")


_FRACTIONS: dict[tuple[str, str], object] = {}  # see _fraction_text


def _fraction_text(style: str, after: str = ""):
    """Every fraction of 10^places as text, indexed by the fraction: '.', the digits, then ``after``.

    ``style`` "repr": 4 places, trailing zeros dropped, at least one digit (".0", ".05", ".0001");
    "2" or "4": zero-padded (".05", ".0500"). Why ``after``: the text that follows a number (a
    comma, the next JSON key) rides in the table, not in one more piece to join per row.
    """
    import pyarrow as pa

    if (style, "") not in _FRACTIONS:
        if style == "repr":
            texts = [f".{f:04d}".rstrip("0").ljust(2, "0") for f in range(10_000)]
        else:
            places = int(style)
            texts = [f".{f:0{places}d}" for f in range(10**places)]
        _FRACTIONS[(style, "")] = pa.array(texts, type=pa.string())
    if (style, after) not in _FRACTIONS:
        _FRACTIONS[(style, after)] = _followed(_FRACTIONS[(style, "")], after)
    return _FRACTIONS[(style, after)]


def _fixed_point_pieces(k: np.ndarray, places: int, style: str, after: str = "") -> list:
    """Integers ``k`` as the decimals k / 10^places followed by ``after``, in two pieces to join:
    the signed whole part, then '.' and the fraction as ``style`` writes it (:func:`_fraction_text`).
    Exact integer arithmetic."""
    import pyarrow as pa
    import pyarrow.compute as pc

    a = np.abs(k)
    scale = 10**places
    whole = _whole_text(a // scale)
    if (k < 0).any():  # "-0.05" too: the sign cannot ride on the whole part's integer
        whole = pc.if_else(pa.array(k < 0), pc.binary_join_element_wise("-", whole, ""), whole)
    return [whole, _fraction_text(style, after).take(pa.array(a % scale))]


_SMALL_WHOLES: list = []  # "0" .. "65535", made once: see _whole_text


def _whole_text(n: np.ndarray):
    """Non-negative integers as arrow text. Hours and most dollar amounts are below 65,536, and
    picking their text from a table made once is about twice as fast as formatting each number."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if len(n) == 0 or n.max() >= 1 << 16:
        return pc.cast(pa.array(n), pa.string())
    if not _SMALL_WHOLES:
        _SMALL_WHOLES.append(pc.cast(pa.array(np.arange(1 << 16)), pa.string()))
    return _SMALL_WHOLES[0].take(pa.array(n))


def _float_json(x: np.ndarray):
    """``repr`` of each float (what ``json.dumps`` writes), vectorised: :func:`_float_json_pieces` joined."""
    import pyarrow.compute as pc

    pieces = _float_json_pieces(x)
    return pieces[0] if len(pieces) == 1 else pc.binary_join_element_wise(*pieces, "")


def _float_json_pieces(x: np.ndarray, after: str = "") -> list:
    """``repr`` of each float (what ``json.dumps`` writes) followed by ``after``, as arrow string pieces to join.

    A float that is exactly the double nearest k / 10,000 with |k| < 10^15 has the decimal
    k / 10,000 as its shortest round-tripping form (15 significant digits or fewer are unique
    among doubles), and ``repr`` writes it in fixed notation: integer part, '.', the fraction
    without trailing zeros (at least one digit). Money (cents), hours and rates (4 places) all
    are; any other value (NaN, inf, -0.0, more places) goes through ``repr`` itself.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    with np.errstate(invalid="ignore", over="ignore"):
        k = np.rint(x * 10_000)
        fits = np.isfinite(x) & (np.abs(k) < 1e15)
        k = np.where(fits, k, 0).astype("int64")
        fits &= (k / 10_000 == x) & ~((x == 0) & np.signbit(x))
    if fits.all():
        return _fixed_point_pieces(k, 4, "repr", after)
    out = np.asarray(pc.binary_join_element_wise(*_fixed_point_pieces(k, 4, "repr"), "").to_pylist(), dtype=object)
    odd = np.flatnonzero(~fits)
    out[odd] = [json.dumps(float(v)) for v in x[odd]]
    return [_followed(pa.array(out, type=pa.string()), after)]


def _is_long_records(value) -> bool:
    if _table_backed(value):
        return len(value) > 1000
    return isinstance(value, list) and len(value) > 1000 and isinstance(value[0], dict)


def _fixed_places(x: np.ndarray) -> int | None:
    """2 or 4 when every value of a float column is a whole number of cents / ten-thousandths."""
    if len(x) == 0 or not np.all(np.isfinite(x)) or np.abs(x).max() >= 1e12:
        return None
    for places in (2, 4):
        scaled = x * 10**places
        if np.all(np.abs(scaled - np.round(scaled)) < 1e-6):
            return places
    return None


def to_csv(frame: pd.DataFrame) -> str:
    """CSV text: :func:`to_csv_chunks` as one text."""
    return joined(to_csv_chunks(frame))


def to_csv_chunks(frame: pd.DataFrame) -> Chunks:
    """CSV as pieces to write (the header, then the rows' UTF-8 bytes in arrow's buffer).
    Money-like float columns are written as exact fixed decimals ("880.00").

    The text pyarrow's CSV writer writes (``quoting_style="needed"``: every text cell quoted,
    ``"`` doubled; numbers bare; a missing value empty), built column by column with arrow
    compute, which is several times faster than any writer on a year of pay lines. A float
    column whose values are all whole cents (or $0.0001) is written from exact integers, so the
    text never shows float noise; other floats as arrow writes them ("1e+20").
    """

    safe = safe_frame(frame)
    columns = {str(c): safe[c] for c in safe.columns}  # one column per distinct name, as a table has
    header = io.StringIO()
    csv.writer(header, lineterminator="\n").writerow(list(columns))
    if not columns or len(safe) == 0:
        return [header.getvalue()]
    last = len(columns) - 1
    pieces = [p for cells in threads.each(lambda ic: _csv_cells(ic[1], "," if ic[0] < last else "\n"), list(enumerate(columns.values())),
                                   len(safe)) for p in cells]
    return [header.getvalue(), *(_utf8(part) for part in _rows_joined(pieces, len(safe)))]


def _csv_cells(col: pd.Series, after: str) -> list:
    """One column's CSV cells, each followed by ``after`` ("," or the line's end), as arrow
    string pieces to join (a missing value is an empty cell)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if pd.api.types.is_float_dtype(col):
        x = col.to_numpy(dtype="float64")
        places = _fixed_places(x)
        if places:
            return _fixed_point_pieces(np.rint(x * 10**places).astype("int64"), places, str(places), after)
        return [_followed(pc.cast(pa.array(x), pa.string()).fill_null(""), after)]
    if pd.api.types.is_bool_dtype(col) or pd.api.types.is_integer_dtype(col):
        return [_followed(pc.cast(pa.array(col.to_numpy()), pa.string()).fill_null(""), after)]
    text = _arrow_text(col)
    # each distinct text is quoted once ('"' doubled; a CR LF inside a cell becomes LF)
    coded = pc.dictionary_encode(text)
    quoted = pc.replace_substring(pc.replace_substring(coded.dictionary, "\r\n", "\n"), '"', '""')
    quoted = pc.binary_join_element_wise('"', quoted, '"' + after, "")
    return [quoted.take(coded.indices).fill_null(after)]


def _arrow_text(col: pd.Series):
    """A text column as one arrow string array (a missing value as null)."""
    import pyarrow as pa

    text = pa.array(col.astype("string").to_numpy(dtype=object, na_value=None), type=pa.string()) \
        if col.dtype == object else pa.array(col.astype("string").array)
    return (text.combine_chunks() if isinstance(text, pa.ChunkedArray) else text).cast(pa.string())


def md_text(text) -> str:
    """Text safe inside a Markdown table cell or heading: ``|`` escaped, line breaks as spaces.

    A role, file name or reason that contains ``|`` would otherwise split its cell and shift
    every column after it; a newline would end the table (or the heading) early.
    """
    return " ".join(str(text).splitlines()).replace("|", "\\|")


def _md_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Every text cell and header through :func:`md_text` (vectorised; numbers untouched)."""
    out = frame.copy()
    for c in out.columns:
        col = out[c]
        if col.dtype == object or pd.api.types.is_string_dtype(col):
            text = col.map(lambda v: isinstance(v, str)) if col.dtype == object else col.notna()
            if text.any():
                s = col[text].astype(str)
                risky = s.str.contains(r"[|\r\n\x0b\x0c\x1c-\x1e\x85\u2028\u2029]", regex=True)
                if risky.any():
                    out[c] = col.astype(object).where(~(text & risky.reindex(col.index, fill_value=False)),
                                                      s[risky].map(md_text))
    out.columns = [md_text(c) for c in out.columns]
    return out


def to_markdown(frame: pd.DataFrame, floatfmt=",.2f", **options) -> str:
    """GitHub Markdown table; ``options`` go to tabulate (e.g. ``colalign``). Text is escaped."""
    from tabulate import tabulate  # loaded for the text formats only

    return tabulate(_md_frame(frame), headers="keys", tablefmt="github", showindex=False, floatfmt=floatfmt, **options) + "\n"


def to_table(frame: pd.DataFrame, floatfmt=",.2f", **options) -> str:
    from tabulate import tabulate

    return tabulate(frame, headers="keys", tablefmt="simple", showindex=False, floatfmt=floatfmt, **options) + "\n"


EXCEL_MAX_ROWS = 1_048_576  # rows in one worksheet (Excel 2007 and later), header row included


class TooBigForExcel(ValueError):
    """A table has more rows than one Excel worksheet holds."""


#: spreadsheet number format per column kind (see peerpay.io.document.KINDS)
XLSX_NUMBER_FORMATS = {"money": "$#,##0.00", "hours": "#,##0.00", "rate": "$#,##0.0000", "percent": "0.0%", "count": "#,##0",
                       "date": "yyyy-mm-dd"}
#: kinds whose column gets a total in the totals row
XLSX_TOTALLED = ("money", "hours")
_SMALL_WORDS = {"id": "ID", "fte": "FTE", "pct": "%", "usd": "$", "ot": "OT", "bls": "BLS", "soc": "SOC", "p25": "P25", "p75": "P75", "atb": "ATB",
               "flsa": "FLSA"}
_ISO_DATE = r"^\d{4}-\d{2}-\d{2}$"


def readable_header(column) -> str:
    """``gross_pay`` -> ``Gross pay``, ``employee_id`` -> ``Employee ID``, ``differential:evening`` -> ``Differential: evening``.

    Why: the workbook goes to finance staff, who read headers, not identifiers; CSV and JSON keep
    the pinned names (docs/formats.md).
    """
    text = str(column)
    words = [_SMALL_WORDS.get(w.lower(), w) for w in text.replace("_", " ").replace(":", ": ").split()]
    out = " ".join(words)
    return out[:1].upper() + out[1:] if out else out


def _as_dates(frame: pd.DataFrame, kinds: dict) -> tuple[pd.DataFrame, dict]:
    """ISO date text (``2025-03-02``) becomes real dates, so a spreadsheet sorts and filters them as dates."""
    kinds = dict(kinds)
    out = frame
    for c in frame.columns:
        col = frame[c]
        if pd.api.types.is_datetime64_any_dtype(col):
            kinds.setdefault(str(c), "date")
            continue
        if col.dtype != object and not pd.api.types.is_string_dtype(col):
            continue
        text = col.dropna()
        if len(text) and text.map(type).eq(str).all() and text.str.match(_ISO_DATE).all():
            if out is frame:
                out = frame.copy()
            out[c] = pd.to_datetime(col, format="%Y-%m-%d", errors="coerce").dt.date  # dates, not midnight datetimes
            kinds[str(c)] = "date"
    return out, kinds


def _width(frame: pd.DataFrame, col, header: str) -> int:
    """Wide enough for the header and the longest of the first 5,000 values, at most 60 characters."""
    values = frame[col].head(5000)
    longest = int(values.astype(str).str.len().fillna(0).max()) if len(values) else 0  # a blank cell counts 0
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        longest += 4  # thousands separators and the currency sign
    return min(max(len(header), longest, 8) + 2, 60)


def _has_total_rows(frame: pd.DataFrame) -> bool:
    """A table that already carries its own TOTAL rows (cost by role) gets no second total."""
    text = [c for c in frame.columns if frame[c].dtype == object or pd.api.types.is_string_dtype(frame[c])]
    return any(frame[c].astype(str).str.strip().str.upper().eq("TOTAL").any() for c in text)


def to_xlsx(sheets: dict[str, pd.DataFrame], money_columns=(), percent_columns=(), notes: list[str] | None = None,
            images: dict[str, bytes] | None = None, *, kinds: dict | None = None, run: list[tuple[str, object]] | None = None,
            policy: list[tuple[str, object]] | None = None, totals=(), finish=None) -> bytes:
    """Workbook bytes a payroll clerk can hand on: one sheet per table, then Run, Policy, notes, images.

    Each table sheet: a bold, frozen header row with readable names, an autofilter over the data,
    columns wide enough for their contents, number formats by column kind (money, hours, rates,
    percentages, counts; ISO dates become real dates), and, for the sheets named in ``totals``
    (additive tables: a total of medians means nothing), a bold "Total" row under the data
    summing the money and hours columns (values, never formulas: a workbook from peerpay holds none).
    ``percent_columns`` hold fractions (0.125 shows as 12.5%); ``images`` are PNGs, one sheet
    each; ``run`` and ``policy`` are (label, value) rows for the "Run" and "Policy" sheets.
    ``finish(book, worksheets, frames)``, when given, is called once the table sheets are written: a
    report's own finishing (the cost workbook's SUM formulas over its own cells and row formats,
    :mod:`peerpay.io.costbook`); text from the inputs stays text whatever it does.
    """
    kinds = dict(kinds or {})
    for c in money_columns:
        kinds.setdefault(str(c), "money")
    for c in percent_columns:
        kinds.setdefault(str(c), "percent")
    for name, frame in sheets.items():
        if len(frame) + 1 > EXCEL_MAX_ROWS:
            raise TooBigForExcel(
                f"the {name!r} sheet would have {len(frame):,} rows, more than Excel's {EXCEL_MAX_ROWS:,} "
                "(header included): use --format csv"
            )
    buf = io.BytesIO()
    # Text stays text: no "http:", "mailto:" or "external:" cell becomes a live link, and no
    # "=..." cell a formula (cells are neutralised as well, for other spreadsheet programs).
    options = {"strings_to_urls": False, "strings_to_formulas": False}
    with pd.ExcelWriter(buf, engine="xlsxwriter", engine_kwargs={"options": options},
                        date_format="yyyy-mm-dd", datetime_format="yyyy-mm-dd hh:mm") as xl:
        book = xl.book
        head = book.add_format({"bold": True, "text_wrap": True, "valign": "top", "bottom": 1, "bg_color": "#EEF2F7"})
        bold = book.add_format({"bold": True})
        formats = {k: book.add_format({"num_format": f}) for k, f in XLSX_NUMBER_FORMATS.items()}
        total_formats = {k: book.add_format({"num_format": f, "bold": True, "top": 1}) for k, f in XLSX_NUMBER_FORMATS.items()}
        total_label = book.add_format({"bold": True, "top": 1})
        for name, frame in sheets.items():
            frame, sheet_kinds = _as_dates(frame, kinds)
            safe = safe_frame(frame)
            safe.to_excel(xl, sheet_name=name[:31], index=False)
            ws = xl.sheets[name[:31]]
            ws.freeze_panes(1, 0)
            ncols, nrows = len(safe.columns), len(safe)
            col_kinds = [sheet_kinds.get(str(c)) or ("money" if str(c).startswith("differential:") else None) for c in frame.columns]
            for i, col in enumerate(frame.columns):
                header = neutralise(readable_header(col))
                ws.write(0, i, header, head)
                ws.set_column(i, i, _width(frame, col, header), formats.get(col_kinds[i] or ""))
            if ncols:
                ws.autofilter(0, 0, max(nrows, 1), ncols - 1)
            if name in totals and nrows and nrows + 2 <= EXCEL_MAX_ROWS and any(k in XLSX_TOTALLED for k in col_kinds) \
                    and not _has_total_rows(frame):
                row = nrows + 1
                ws.write(row, 0, "Total", total_label)
                for i, (col, k) in enumerate(zip(frame.columns, col_kinds)):
                    if k in XLSX_TOTALLED and i:
                        # a value, not a formula: the workbook holds no formulas at all (hostile-output rule)
                        total = pd.to_numeric(frame[col], errors="coerce").sum()
                        ws.write_number(row, i, round(float(total), 4), total_formats[k])
                    elif i:
                        ws.write_blank(row, i, None, total_label)
        if finish is not None:
            finish(book, {name: xl.sheets[name[:31]] for name in sheets}, sheets)
        taken = {n[:31].lower() for n in sheets}
        for title, rows in (("Run", run), ("Policy", policy)):
            if rows is None:
                continue
            title = title if title.lower() not in taken else f"{title} record"
            ws = book.add_worksheet(title)
            ws.write_row(0, 0, ["Item" if title == "Run" else "Rule", "Value"], head)
            ws.freeze_panes(1, 0)
            ws.set_column(0, 0, min(max([len(str(k)) for k, _ in rows] + [10]) + 2, 50))
            ws.set_column(1, 1, min(max([len(str(v)) for _, v in rows] + [10]) + 2, 100))
            for r, (k, v) in enumerate(rows, 1):
                ws.write_string(r, 0, neutralise(str(k)))
                ws.write_string(r, 1, neutralise("" if v is None else str(v)))
        for name, png in (images or {}).items():
            ws = book.add_worksheet(name[:31])
            ws.insert_image("A1", f"{name}.png", {"image_data": io.BytesIO(png)})
        if notes:
            ws = book.add_worksheet("notes")
            ws.set_column(0, 0, 110)
            for i, line in enumerate(notes):
                ws.write(i, 0, neutralise(line), bold if i == 0 else None)
    return buf.getvalue()

