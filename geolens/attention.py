"""Normalised attention and spikes: how much of the selection a country or theme takes per period, and when it jumps.

Input is a small frame of counts per period, one row per (period, key): `period` (timestamp of the period start),
`key` (an ISO3 code or a theme id), `count` (articles of the selection in that period mentioning the key), plus the
selection's articles per period (`totals`: period -> articles). No Streamlit here.

Spike rule (stated on the chart and in the docs): a key spikes in a period when

* it has at least `min_history` earlier periods of history (a key's first appearance is not a spike),
* its count is at least `min_count` articles, and
* the count is improbably high for a Poisson variable whose mean is the key's trailing baseline: the key's share of
  all articles over the previous `window` periods, times this period's article total (so a period that is busy for
  everything flags nothing), floored at `floor` articles so that a key absent from the window can still be tested;
  "improbable" means the upper tail P(X >= count) is small after correcting for the many (period, key) cells
  tested at once: the Benjamini-Hochberg false discovery rate over every tested cell, q < `alpha` (default 0.05).
  Without the correction, a chart of 16 themes over 50 weeks would flag about 8 cells by chance at p < 0.01.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

COLUMNS = ["period", "key", "count", "total", "share", "baseline", "p_value", "q_value", "spike"]


def poisson_sf(k: int, lam: float) -> float:
    """P(X >= k) for X ~ Poisson(lam), computed in log space (no scipy)."""
    if k <= 0:
        return 1.0
    if lam <= 0:
        return 0.0
    if k > lam:
        return min(1.0, _upper_sum(k, lam))
    # Below the mean the upper tail is large: 1 - P(X <= k-1), summed term by term, loses nothing.
    log_term, cdf = -lam, math.exp(-lam)
    for i in range(1, k):
        log_term += math.log(lam) - math.log(i)
        cdf += math.exp(log_term)
    return max(0.0, 1.0 - cdf)


def _upper_sum(k: int, lam: float) -> float:
    """P(X >= k) summed from k upwards: keeps its digits where 1 - cdf would round them away."""
    log_term = -lam + k * math.log(lam) - math.lgamma(k + 1)
    total, i = 0.0, k
    while True:
        term = math.exp(log_term)
        total += term
        i += 1
        log_term += math.log(lam) - math.log(i)
        if term < total * 1e-16 or i > k + 10_000:
            return total


def fdr_q_values(p: np.ndarray) -> np.ndarray:
    """Benjamini-Hochberg adjusted p-values (q-values) of the non-NaN entries of `p`; NaN stays NaN."""
    p = np.asarray(p, dtype=float)
    q = np.full(p.shape, np.nan)
    tested = np.flatnonzero(~np.isnan(p))
    m = len(tested)
    if not m:
        return q
    order = tested[np.argsort(p[tested], kind="stable")]
    scaled = p[order] * m / np.arange(1, m + 1)
    q[order] = np.minimum(1.0, np.minimum.accumulate(scaled[::-1])[::-1])
    return q


def _complete(counts: pd.DataFrame, totals: pd.Series) -> pd.DataFrame:
    """Every (period, key) of the span, zero where a key had no article: a quiet period is data too."""
    periods = sorted(set(pd.to_datetime(counts["period"])) | set(pd.to_datetime(totals.index)))
    keys = list(dict.fromkeys(counts["key"]))
    grid = pd.MultiIndex.from_product([periods, keys], names=["period", "key"])
    c = counts.assign(period=pd.to_datetime(counts["period"])).groupby(["period", "key"])["count"].sum()
    out = c.reindex(grid, fill_value=0).reset_index()
    out["total"] = out["period"].map(pd.Series(totals.to_numpy(), index=pd.to_datetime(totals.index))).fillna(0)
    return out


def attention(counts: pd.DataFrame, totals: pd.Series | None = None, *, window: int = 4, min_history: int = 2,
              min_count: int = 3, alpha: float = 0.05, floor: float = 0.5) -> pd.DataFrame:
    """Raw counts, share of the period's articles, trailing baseline, Poisson p-value, its false-discovery-rate
    q-value over every tested cell, and the spike flag, per period and key."""
    if counts.empty:
        return pd.DataFrame({c: pd.Series(dtype="float64") for c in COLUMNS}).astype(
            {"period": "datetime64[us]", "key": "string", "count": "int64", "spike": "bool"})
    if totals is None:
        # Without the selection's totals, every key's own counts are its whole world: the baseline is its mean.
        totals = counts.groupby(pd.to_datetime(counts["period"]))["count"].sum()
    d = _complete(counts, totals)
    rows = []
    for _, part in d.groupby("key", sort=False):
        part = part.sort_values("period")
        cnt = part["count"].to_numpy(dtype=float)
        tot = part["total"].to_numpy(dtype=float)
        c_win = pd.Series(cnt).shift(1).rolling(window, min_periods=min_history).sum().to_numpy()
        t_win = pd.Series(tot).shift(1).rolling(window, min_periods=min_history).sum().to_numpy()
        with np.errstate(invalid="ignore", divide="ignore"):
            rate = np.where(t_win > 0, c_win / t_win, np.nan)
        base = np.maximum(rate * tot, floor)
        base[np.isnan(rate)] = np.nan
        p = [poisson_sf(int(k), float(b)) if not math.isnan(b) else np.nan for k, b in zip(cnt, base, strict=True)]
        rows.append(part.assign(baseline=base, p_value=p))
    out = pd.concat(rows, ignore_index=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        out["share"] = np.where(out["total"] > 0, out["count"] / out["total"], 0.0)
    out["q_value"] = fdr_q_values(out["p_value"].to_numpy(dtype=float))
    out["spike"] = (out["count"] >= min_count) & (out["q_value"] < alpha)
    out = out.astype({"key": "string", "count": "int64", "total": "int64", "spike": "bool"})
    return out[COLUMNS].sort_values(["period", "key"]).reset_index(drop=True)


def spikes(counts: pd.DataFrame, totals: pd.Series | None = None, **rule) -> pd.DataFrame:
    """Only the flagged (period, key) rows of attention(), strongest (smallest p-value) first."""
    a = attention(counts, totals, **rule)
    return a[a["spike"]].sort_values(["p_value", "count"], ascending=[True, False]).reset_index(drop=True)


def rule_text(*, window: int = 4, min_count: int = 3, alpha: float = 0.05, short: bool = False) -> str:
    """The spike rule in one sentence, for a caption (`short`: a few words, for a chart's subtitle)."""
    if short:
        return f"Spike: ≥ {min_count} articles, Poisson test on the previous {window} periods, FDR q < {alpha:g}"
    return (f"Spike: at least {min_count} articles, and a Poisson upper tail against the share of articles the same "
            f"key had over the previous {window} periods that stays significant with every period and key tested "
            f"at once (Benjamini-Hochberg false discovery rate q < {alpha:g}).")
