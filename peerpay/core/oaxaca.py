"""The explained/unexplained split of the peer pay gap: a two-fold Oaxaca-Blinder decomposition
with pooled (Neumark) coefficients, through statsmodels (docs/gap.md, "Explained/unexplained
decomposition"), and its small-sample rules: refused under OAXACA_MIN_GROUP employees in either
group, a caution under OAXACA_CAUTION_BELOW.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .money import RATE_SCALE

NUMERIC_COVARIATES = ("tenure_years", "fte")
CATEGORICAL_COVARIATES = ("site",)
OAXACA_MIN_GROUP = 5  # the decomposition is refused with fewer employees in either group
OAXACA_CAUTION_BELOW = 30  # under this many in either group, the split carries a caution


def covariate_matrix(workers: pd.DataFrame, covariates: list[str] | None = None) -> pd.DataFrame:
    """Numeric covariates as they are, categorical ones as 0/1 dummies (first level dropped)."""
    wanted = covariates if covariates is not None else [c for c in (*NUMERIC_COVARIATES, *CATEGORICAL_COVARIATES) if c in workers]
    parts = []
    for c in wanted:
        col = workers[c]
        if pd.api.types.is_numeric_dtype(col):
            parts.append(col.astype("float64").rename(c))
        else:
            parts.append(pd.get_dummies(col.astype(str), prefix=c, drop_first=True, dtype="float64"))
    x = pd.concat(parts, axis=1) if parts else pd.DataFrame(index=workers.index)
    return x.loc[:, x.nunique() > 1]


def decomposition(workers: pd.DataFrame, peer_role: str, covariates: list[str] | None = None, min_group: int = 1) -> dict:
    """Explained/unexplained split of (non-peer mean − peer mean) hourly, Oaxaca-Blinder two-fold.

    Uses statsmodels' OaxacaBlinder with pooled coefficients (Neumark 1988). Returns a dict
    with ``status`` "ok" or the reason it could not be computed (too few employees, no
    covariates); never raises on small data.
    """
    x = covariate_matrix(workers, covariates)
    y = workers["hourly_units"].to_numpy(dtype="float64") / RATE_SCALE
    is_peer = (workers["role"] == peer_role).to_numpy()
    n_peer, n_other = int(is_peer.sum()), int((~is_peer).sum())
    base = {"method": "Oaxaca-Blinder two-fold, pooled (statsmodels OaxacaBlinder)", "covariates": list(x.columns),
            "n_peer": n_peer, "n_other": n_other}
    ok_rows = x.notna().all(axis=1).to_numpy() & np.isfinite(y)
    if x.shape[1] == 0:
        return {**base, "status": "no covariates in the roster (tenure_years, fte, site …)"}
    if min(n_peer, n_other) < max(min_group, x.shape[1] + 2) or not ok_rows.all():
        return {**base, "status": "too few employees (or blank covariates) for a regression in each group"}
    design = np.column_stack([x.to_numpy(), np.ones(len(x))])
    if any(np.linalg.matrix_rank(design[m]) < design.shape[1] for m in (is_peer, ~is_peer)):
        return {**base, "status": "a covariate does not vary within one group, so its effect cannot be estimated"}
    return {**base, "status": "ok", **oaxaca_two_fold(y, x.to_numpy(), is_peer)}


def oaxaca_two_fold(y: np.ndarray, x: np.ndarray, is_group_b: np.ndarray) -> dict:
    """Two-fold pooled decomposition of mean(y | not b) − mean(y | b); dollars/hour, 2 places."""
    from statsmodels.stats.oaxaca import OaxacaBlinder
    from statsmodels.tools.tools import add_constant

    exog = add_constant(np.column_stack([x, is_group_b.astype("float64")]), prepend=False, has_constant="add")
    model = OaxacaBlinder(y, exog, bifurcate=x.shape[1], hasconst=True, swap=False)
    unexplained, explained, gap = model.two_fold().params
    # statistical estimates, not money: shown to 4 places (dollars/hour) and 1 place (percent)
    share = None if gap == 0 else float(f"{explained / gap * 100:.1f}")
    return {"gap": float(f"{gap:.4f}"), "explained": float(f"{explained:.4f}"), "unexplained": float(f"{unexplained:.4f}"),
            "explained_share_pct": share}


def oaxaca_caution(dec: dict, publish: bool = False) -> dict:
    """A small-sample decomposition: refuse under OAXACA_MIN_GROUP per group, caution under OAXACA_CAUTION_BELOW."""
    n = min(dec.get("n_peer", 0), dec.get("n_other", 0))
    if dec.get("status") != "ok":
        return dec
    if n < OAXACA_MIN_GROUP:
        keep = {k: dec[k] for k in ("method", "covariates", "n_peer", "n_other") if k in dec}
        return {**keep, "status": f"not computed: fewer than {OAXACA_MIN_GROUP} employees in a group (the split would be noise)"}
    if n < OAXACA_CAUTION_BELOW:
        counts = "" if publish else f"{dec['n_peer']} peers vs {dec['n_other']} others: "
        return {**dec, "caution": (f"{counts}with fewer than {OAXACA_CAUTION_BELOW} employees in a "
                                   "group the explained/unexplained split is unstable (one person more or less can move it a lot); "
                                   "read it as an indication only")}
    return dec
