"""Employee ids and role keys as one person or role is meant, without pandas.

Unicode NFKC (full-width ``Ｅ１`` -> ``E1``), Unicode format (Cf: zero-width space, BOM, direction
marks) and control (Cc: NUL, tab) characters removed, then trimmed: without this ``E1``,
``E1\\0`` and ``E1\\u200b`` are three employees and one shift is paid three times. Validation
(:func:`peerpay.core.inputs.id_codes`) and the ``--partitions`` spill, which buckets rows by
employee before pandas has even loaded (:mod:`peerpay.io.buckets`), both clean ids here.
:func:`mangled_ids` warns about ids a spreadsheet changed (scientific notation, padding zeros).
"""

from __future__ import annotations

import unicodedata

import numpy as np

from ..errors import Problem

#: any character outside printable ASCII: only such ids go through Python to be cleaned
NOT_PLAIN = r"[^\x20-\x7e]"


def clean_id(value: str) -> str:
    v = unicodedata.normalize("NFKC", value)
    return "".join(ch for ch in v if unicodedata.category(ch) not in ("Cf", "Cc")).strip()


def clean_ids(texts) -> tuple[np.ndarray, np.ndarray]:
    """Distinct texts (a pyarrow string array, already trimmed of white space) -> each one's
    clean id (an object array: two texts may give one id) and whether cleaning changed it.

    Only texts with a character outside printable ASCII (a handful) go through Python.
    """
    import pyarrow.compute as pc

    ids = np.asarray(texts.to_numpy(zero_copy_only=False), dtype=object)
    odd = pc.fill_null(pc.match_substring_regex(texts, NOT_PLAIN), False).to_numpy(zero_copy_only=False)
    changed = np.zeros(len(ids), dtype=bool)
    if odd.any():
        fixed = np.array([clean_id(v) for v in ids[odd]], dtype=object)
        changed[odd] = fixed != ids[odd]
        ids[odd] = fixed
    return ids, changed


#: an id as Excel writes a long number it has turned into a float (``1.23E+05``, ``1,23457E+11``)
SCIENTIFIC_ID = r"^[+-]?\d+(?:[.,]\d+)?[eE][+-]?\d+$"
SCIENTIFIC_REASON = ("is written in scientific notation (like 1.23E+05), the way Excel shows a long number: digits of the id "
                     "may be lost, so two people can be paid as one; format the id column as Text before exporting "
                     "(paid under the id as written)")
PADDED_REASON = ("is a number shown with padding zeros by its cell format (like 00042): read as shown, with the zeros; "
                 "store ids as text so that no program drops them")


def mangled_ids(ids: np.ndarray, codes: np.ndarray, column: str, source: str, rows: np.ndarray,
                padded: np.ndarray | None = None, sheet: str | None = None) -> list[Problem]:
    """Warnings (``file:row:column``) for ids that look changed by a spreadsheet: written in
    scientific notation, or a number whose cell format padded it with zeros (an XLSX reader lists
    those, :mod:`peerpay.io.workbooks`). The rows are paid; the id itself is never printed.

    ``ids[codes]``: each row's id; ``rows``: each row's number as reported; ``padded``: positions.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    out: list[Problem] = []
    if len(ids):
        sci = pc.fill_null(pc.match_substring_regex(pa.array(ids, type=pa.string(), from_pandas=True), SCIENTIFIC_ID), False)
        sci_np = sci.to_numpy(zero_copy_only=False)
        if sci_np.any():
            out += [Problem(source, int(rows[i]), column, f"{column} {SCIENTIFIC_REASON}", sheet) for i in np.flatnonzero(sci_np[codes])]
    if padded is not None and len(padded):
        out += [Problem(source, int(rows[i]), column, f"{column} {PADDED_REASON}", sheet) for i in np.asarray(padded, dtype="int64")]
    out.sort(key=lambda p: (p.row or 0))
    return out
