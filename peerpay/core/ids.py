"""Employee ids and role keys as one person or role is meant, without pandas.

Unicode NFKC (full-width ``Ｅ１`` -> ``E1``), Unicode format (Cf: zero-width space, BOM, direction
marks) and control (Cc: NUL, tab) characters removed, then trimmed: without this ``E1``,
``E1\\0`` and ``E1\\u200b`` are three employees and one shift is paid three times. Validation
(:func:`peerpay.core.inputs.id_codes`) and the ``--partitions`` spill, which buckets rows by
employee before pandas has even loaded (:mod:`peerpay.io.buckets`), both clean ids here.
"""

from __future__ import annotations

import unicodedata

import numpy as np

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
