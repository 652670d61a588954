"""One document model and one ``render(document, format)`` for every command's report.

Why: each command used to carry its own format if-chain (and its own "xlsx needs --output"
check). A command now builds a :class:`Document` — titled tables whose columns carry a kind,
headings, text, notes, pictures, and the JSON payload for the pinned JSON formats — and
:func:`render` turns it into table, csv, json, md, xlsx or html. Adding a format is one
function here plus one entry in :data:`FORMATS` (docs/architecture.md shows how).

Any field of a Document may be a zero-argument callable: it is called only by the formats that
need it, so ``--format csv`` on a year of pay lines never builds the JSON-shaped report.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the writers (pandas, tabulate) load when a format is rendered, not for ``peerpay --help``
    import pandas as pd

#: What a column holds. Drives spreadsheet number formats (money, percent) and HTML alignment.
KINDS = ("text", "money", "hours", "rate", "percent", "count", "date")


@dataclass
class Table:
    """A titled table. ``kinds`` maps a column to one of :data:`KINDS` (unnamed columns: text).

    ``options`` go to the text renderers (tabulate: ``floatfmt``, ``colalign``,
    ``disable_numparse``); ``blanks`` shows missing figures as "–" rather than "nan".
    """

    frame: Any  # pd.DataFrame, or a callable returning one
    title: str = ""
    kinds: Mapping[str, str] = field(default_factory=dict)
    options: Mapping[str, Any] = field(default_factory=dict)
    blanks: bool = False
    totals: bool = False  # xlsx: a bold Total row under the data summing the money and hours columns (additive tables only)

    def data(self) -> pd.DataFrame:
        return _get(self.frame)


@dataclass
class Heading:
    text: str
    level: int = 2


@dataclass
class Text:
    """Literal text, the same in every text format (carries its own line breaks)."""

    text: str


@dataclass
class Notes:
    """A numbered list of notes: ``**title**`` in Markdown, ``title:`` and indented in a table."""

    items: Sequence[str]
    title: str = "Notes"
    md_title: str | None = None


Block = Heading | Table | Text | Notes


@dataclass
class Document:
    """A report, format-free. Fields used by a format:

    * table, md, html: ``blocks`` (in order);
    * csv: ``csv`` (one table: the pinned CSV columns);
    * json: ``payload`` (the pinned JSON report, docs/formats.md);
    * xlsx: ``sheets`` (one table per worksheet, titled), ``notes`` (a notes sheet), ``images``;
    * html: ``html`` when the command has its own page (the gap fact sheet), else ``blocks``
      on the shared page skeleton of :mod:`peerpay.io.html`.
    """

    title: str
    blocks: Any = ()  # Sequence[Block] or a callable returning one
    csv: Any = None  # Table | pd.DataFrame | callable
    payload: Any = None  # dict | callable
    sheets: Any = ()  # Sequence[Table] | callable
    notes: Any = ()  # Sequence[str] | callable
    images: Any = None  # Mapping[str, bytes] | callable
    html: Any = None  # callable returning the whole page, or None
    run_record: Mapping | None = None
    policy: Any = None  # the rules applied (a mapping, e.g. the policy model dumped) or callable: the xlsx "Policy" sheet
    workbook: Any = None  # xlsx: finish(book, worksheets, frames) after the table sheets (io.writers.to_xlsx ``finish``)


def _get(value):
    return value() if callable(value) else value


# ------------------------------------------------------------------------------- text formats


def _heading(fmt: str, h: Heading) -> str:
    if fmt == "md":
        return f"{'#' * h.level} {h.text}\n\n"
    return f"{h.text}\n{'=' * len(h.text)}\n"


def _text_table(fmt: str, t: Table) -> str:
    frame = t.data()
    options = dict(t.options)
    if t.blanks:
        frame = frame.astype(object).where(frame.notna(), None)
        options["missingval"] = "–"
    from .writers import to_markdown, to_table

    return (to_markdown if fmt == "md" else to_table)(frame, **options)


def _notes(fmt: str, n: Notes) -> str:
    if fmt == "md":
        return f"**{n.md_title or n.title}**\n\n" + "".join(f"{i}. {x}\n" for i, x in enumerate(n.items, 1))
    return f"{n.title}:\n" + "".join(f"  {i}. {x}\n" for i, x in enumerate(n.items, 1))


def run_footer(record: Mapping | None) -> str:
    """The run record in a few lines under a text report (after every table, so pasted tables stay whole)."""
    if not record:
        return ""
    when = str(record.get("run_time", "")).replace("+00:00", " UTC")
    files = ", ".join(f"{f['file']}" + (f" sha256 {str(f['sha256'])[:12]}…" if f.get("sha256") else "") for f in record.get("inputs", []))
    lines = [f"Run: peerpay {record.get('peerpay_version', '')}, {when}" + (f"; {record['command']}" if record.get("command") else "")]
    if files:
        lines.append(f"Inputs: {files}")
    if record.get("period"):
        lines.append(f"Period: {record['period']}")
    if record.get("holidays"):
        lines.append(f"Holidays: {record['holidays']}")
    return "\n" + "".join(f"{x}\n" for x in lines)


def _render_text(doc: Document, fmt: str) -> str:
    parts = []
    for b in _get(doc.blocks):
        if isinstance(b, Heading):
            parts.append(_heading(fmt, b))
        elif isinstance(b, Table):
            parts.append(_text_table(fmt, b))
        elif isinstance(b, Notes):
            parts.append(_notes(fmt, b))
        else:
            parts.append(b.text)
    footer = run_footer(doc.run_record)
    if footer and fmt == "md":  # one paragraph, a hard line break ("  ") between its lines
        footer = "\n" + footer.strip("\n").replace("\n", "  \n") + "\n"
    text = "".join(parts) + footer
    return text if not text or text.endswith("\n") else text + "\n"  # a report's last line is a whole line


def render_table(doc: Document) -> str:
    return _render_text(doc, "table")


def render_md(doc: Document) -> str:
    return _render_text(doc, "md")


def render_csv(doc: Document) -> str:
    from .writers import joined

    return joined(_csv_chunks(doc))


def render_json(doc: Document) -> str:
    """The pinned JSON report; the run record extends its ``meta`` (keys are added, never renamed)."""
    from .writers import joined

    return joined(_json_chunks(doc))


def _csv_chunks(doc: Document) -> list:
    from .writers import to_csv_chunks

    t = _get(doc.csv)
    return to_csv_chunks(t.data() if isinstance(t, Table) else t)


def _json_chunks(doc: Document) -> list:
    from .writers import to_json_chunks

    payload = _get(doc.payload)
    if doc.run_record and isinstance(payload, Mapping):
        payload = {**payload, "meta": {**dict(payload.get("meta") or {}), **dict(doc.run_record)}}
    return to_json_chunks(payload)


def render_chunks(doc: Document, fmt: str) -> str | bytes | list:
    """The document in ``fmt`` for :func:`peerpay.io.writers.atomic_write`: CSV and JSON as a list of
    pieces (a large table's text stays in arrow's buffer until it is written), other formats as :func:`render`."""
    fmt = fmt.lower()
    if fmt == "csv":
        return _csv_chunks(doc)
    if fmt == "json":
        return _json_chunks(doc)
    return render(doc, fmt)


def render_xlsx(doc: Document) -> bytes:
    from .writers import to_xlsx

    sheets = list(_get(doc.sheets))
    kinds = {str(c): k for t in sheets for c, k in t.kinds.items()}
    policy = _get(doc.policy)
    return to_xlsx({t.title: t.data() for t in sheets}, notes=list(_get(doc.notes)) or None, images=_get(doc.images) or None,
                   kinds=kinds, totals={t.title for t in sheets if t.totals}, run=record_rows(doc.run_record), policy=flat_rows(policy) if policy is not None else None,
                   finish=doc.workbook)


def flat_rows(value, prefix: str = "") -> list[tuple[str, object]]:
    """A nested mapping as (dotted key, value) rows: ``overtime.weekly_hours = 40``."""
    if isinstance(value, Mapping):
        rows: list[tuple[str, object]] = []
        for k, v in value.items():
            rows += flat_rows(v, f"{prefix}.{k}" if prefix else str(k))
        return rows
    if isinstance(value, (list, tuple)) and value and all(isinstance(v, Mapping) for v in value):
        return [r for i, v in enumerate(value, 1) for r in flat_rows(v, f"{prefix}[{i}]")]
    if isinstance(value, (list, tuple)):
        return [(prefix, ", ".join(map(str, value)))]
    return [(prefix, value)]


def record_rows(record: Mapping | None) -> list[tuple[str, object]]:
    """The run record (what produced a report) as rows for the workbook's "Run" sheet."""
    if not record:
        return [("run record", "not supplied")]
    rows: list[tuple[str, object]] = []
    for k, v in record.items():
        if k == "inputs":
            rows += [(f"input {f['file']}", f"sha256 {f['sha256']} ({f['bytes']:,} bytes)" if f.get("sha256") else "name only") for f in v]
        elif k == "options":
            rows += [(f"option --{o.replace('_', '-')}", ", ".join(map(str, x)) if isinstance(x, (list, tuple)) else x) for o, x in v.items()]
        else:
            rows += flat_rows(v, k.replace("_", " "))
    return rows


def render_html(doc: Document) -> str:
    """The command's own page, else the blocks on the fact sheet's page skeleton (one CSS)."""
    if doc.html is not None:
        return doc.html()
    from .html import esc, fact_sheet_page, html_table
    from .writers import readable_header

    sections: list[tuple[str, str]] = []
    heading, body = doc.title, list[str]()

    def close():
        if body:
            sections.append((heading, "".join(body)))

    for b in _get(doc.blocks):
        if isinstance(b, Heading):
            close()
            heading, body = b.text, []
        elif isinstance(b, Table):
            frame = b.data()
            frame = frame.astype(object).where(frame.notna(), None)
            rows = [["" if v is None else _html_cell(v, b.kinds.get(str(c), "text")) for c, v in zip(frame.columns, r)]
                    for r in frame.itertuples(index=False)]  # report tables: tens of rows, not millions
            body.append(html_table("", [readable_header(c) for c in frame.columns], rows, dates_on_one_line=True))
        elif isinstance(b, Notes):
            body.append("<ol class=\"small\">" + "".join(f"<li>{esc(x)}</li>" for x in b.items) + "</ol>")
        elif b.text.strip():
            body.append("".join(f"<p>{esc(line)}</p>" for line in b.text.strip().splitlines() if line.strip()))
    close()
    # the run record: every item of the workbook's Run sheet (inputs with their SHA-256, options, the
    # period, holidays used, the policy's hash, the run time)
    items = record_rows(doc.run_record)
    sections.append(("Run record", "<div class=\"table-wrap\"><table class=\"record\"><tbody>" + "".join(
        f"<tr><th scope=\"row\">{esc(k)}</th><td><code>{esc(v)}</code></td></tr>" for k, v in items) + "</tbody></table></div>"))
    # a report's tables use the page's whole width: a 12-column pay summary fits a 1,400 px screen
    return fact_sheet_page(doc.title, [], sections, wide=True, with_run_record=False)


def _html_cell(value, kind: str) -> str:
    if isinstance(value, float) and kind == "rate":
        return f"{value:,.4f}"
    if isinstance(value, float) and kind in ("money", "text", "hours"):
        return f"{value:,.2f}"
    return str(value)


#: format name -> (renderer, binary). A new format: one function above, one entry here.
FORMATS: dict[str, tuple[Callable[[Document], str | bytes], bool]] = {
    "table": (render_table, False),
    "csv": (render_csv, False),
    "json": (render_json, False),
    "md": (render_md, False),
    "xlsx": (render_xlsx, True),
    "html": (render_html, False),
}


def is_binary(fmt: str) -> bool:
    """True for formats that cannot go to a terminal (they need ``--output FILE``)."""
    return FORMATS[fmt.lower()][1]


def render(doc: Document, fmt: str) -> str | bytes:
    """The document in ``fmt`` (one of :data:`FORMATS`)."""
    return FORMATS[fmt.lower()][0](doc)
