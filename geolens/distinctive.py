"""The words and phrases most distinctive of side A against side B: weighted log-odds with an informative
Dirichlet prior (Monroe, Colaresi & Quinn 2008, "Fightin' Words", Political Analysis 16(4), section 3.5.1).

For each term w with counts y_a, y_b (totals n_a, n_b) and prior pseudo-counts alpha_w (total alpha_0):

    delta_w = log((y_a + alpha_w) / (n_a + alpha_0 - y_a - alpha_w)) - log((y_b + alpha_w) / (n_b + alpha_0 - y_b - alpha_w))
    var_w   ~ 1 / (y_a + alpha_w) + 1 / (y_b + alpha_w)
    z_w     = delta_w / sqrt(var_w)

z > 0 leans to A, z < 0 to B; |z| > 1.96 is the customary threshold. The prior is informative: alpha_w is the
term's share of a background (by default A and B pooled) times `prior_size` pseudo-counts, which shrinks rare
terms toward "no difference" so a word seen twice on one side does not top the list. No Streamlit here.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

COLUMNS = ["term", "count_a", "count_b", "delta", "z", "side"]


def _counts(df: pd.DataFrame) -> pd.Series:
    """term -> count from a frame with columns term, count (summed over duplicate terms)."""
    return df.groupby(df["term"].astype(str))["count"].sum().astype(float)


def log_odds(a: pd.DataFrame, b: pd.DataFrame, *, background: pd.DataFrame | None = None,
             prior_size: float | None = None) -> pd.DataFrame:
    """Weighted log-odds z-score of every term of A and B (frames with columns term, count), most A-like first."""
    ya, yb = _counts(a), _counts(b)
    terms = ya.index.union(yb.index)
    # A side without words has no rates to compare: nothing is distinctive of either.
    if not len(terms) or ya.sum() <= 0 or yb.sum() <= 0:
        return pd.DataFrame({c: pd.Series(dtype="float64") for c in COLUMNS}).astype(
            {"term": "string", "count_a": "int64", "count_b": "int64", "side": "string"})
    ya, yb = ya.reindex(terms, fill_value=0.0), yb.reindex(terms, fill_value=0.0)
    bg = _counts(background).reindex(terms, fill_value=0.0) if background is not None else ya + yb
    # Every term keeps some prior mass: a term absent from the background must not divide by zero.
    bg = bg + 0.01
    size = float(prior_size) if prior_size is not None else float((ya + yb).sum())
    alpha = bg / bg.sum() * size
    a0 = alpha.sum()
    na, nb = ya.sum(), yb.sum()
    delta = (np.log((ya + alpha) / (na + a0 - ya - alpha))
             - np.log((yb + alpha) / (nb + a0 - yb - alpha)))
    z = delta / np.sqrt(1.0 / (ya + alpha) + 1.0 / (yb + alpha))
    out = pd.DataFrame({"term": terms.astype(str), "count_a": ya.to_numpy().astype("int64"),
                        "count_b": yb.to_numpy().astype("int64"), "delta": delta.to_numpy(), "z": z.to_numpy()})
    out["side"] = np.where(out["z"] > 0, "A", np.where(out["z"] < 0, "B", ""))
    out = out.astype({"term": "string", "side": "string"})
    return out.sort_values(["z", "term"], ascending=[False, True]).reset_index(drop=True)


def distinctive(a: pd.DataFrame, b: pd.DataFrame, *, n: int = 20, min_z: float = 1.96, **prior) -> pd.DataFrame:
    """The `n` terms most distinctive of each side (|z| >= min_z), A's first then B's, each by falling |z|."""
    lo = log_odds(a, b, **prior)
    top_a = lo[lo["z"] >= min_z].head(n)
    top_b = lo[lo["z"] <= -min_z].sort_values(["z", "term"], ascending=[True, True]).head(n)
    return pd.concat([top_a, top_b], ignore_index=True)
