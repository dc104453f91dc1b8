"""geolens.attention: shares beside raw counts, and the Poisson spike rule against a trailing baseline."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from geolens import attention


def _weeks(n: int) -> list[pd.Timestamp]:
    return list(pd.date_range("2020-01-06", periods=n, freq="7D"))


def _frame(series: dict[str, list[int]]) -> pd.DataFrame:
    rows = []
    for key, values in series.items():
        for period, v in zip(_weeks(len(values)), values, strict=True):
            if v:
                rows.append({"period": period, "key": key, "count": v})
    return pd.DataFrame(rows)


def test_poisson_tail_matches_the_closed_form():
    assert attention.poisson_sf(0, 3.0) == 1.0
    assert attention.poisson_sf(1, 2.0) == pytest.approx(1 - math.exp(-2.0))
    # P(X >= 3 | 0.5) = 1 - e^-0.5 (1 + 0.5 + 0.125)
    assert attention.poisson_sf(3, 0.5) == pytest.approx(1 - math.exp(-0.5) * 1.625)
    assert 0 < attention.poisson_sf(60, 2.0) < 1e-40  # far tail keeps its digits, no 1 - 1 = 0


def test_a_known_spike_is_flagged_and_a_flat_series_is_not():
    # 40 articles a week; Ukraine steady around 4, then 18 in week 7; Japan flat at 5 every week.
    totals = pd.Series([40] * 8, index=_weeks(8))
    counts = _frame({"UKR": [4, 3, 5, 4, 4, 3, 18, 5], "JPN": [5] * 8})
    a = attention.attention(counts, totals)
    flagged = a[a["spike"]]
    assert list(zip(flagged["key"], flagged["period"], strict=True)) == [("UKR", _weeks(8)[6])]
    assert not a[a["key"] == "JPN"]["spike"].any()
    ukr = a[(a["key"] == "UKR") & (a["period"] == _weeks(8)[6])].iloc[0]
    assert ukr["share"] == pytest.approx(18 / 40)
    assert ukr["baseline"] == pytest.approx((4 + 5 + 4 + 3) / 160 * 40)  # trailing 4 weeks' share x this total
    assert ukr["p_value"] < 0.01


def test_a_busy_week_for_everything_is_not_a_spike():
    # The selection triples in week 5, and every key with it: shares are flat, so nothing is flagged.
    totals = pd.Series([20, 20, 20, 20, 60, 20], index=_weeks(6))
    counts = _frame({"CHN": [4, 4, 4, 4, 12, 4], "USA": [6, 6, 6, 6, 18, 6]})
    assert not attention.attention(counts, totals)["spike"].any()


def test_minimum_count_is_respected():
    # From nothing to 2 is improbable under the 0.5 floor, but 2 articles is below the minimum of 3.
    totals = pd.Series([30] * 6, index=_weeks(6))
    counts = _frame({"NOR": [0, 0, 0, 0, 2, 0], "FIN": [0, 0, 0, 0, 4, 0]})
    a = attention.attention(counts, totals, min_count=3)
    assert a.loc[(a["key"] == "NOR") & (a["count"] == 2), "p_value"].iloc[0] < 0.1
    assert list(a[a["spike"]]["key"]) == ["FIN"]
    assert attention.attention(counts, totals, min_count=5)["spike"].sum() == 0


def test_first_periods_have_no_baseline_and_missing_periods_count_as_zero():
    totals = pd.Series([10, 10, 10, 10], index=_weeks(4))
    counts = _frame({"FRA": [9, 0, 0, 1]})  # no row at all in weeks 2-3
    a = attention.attention(counts, totals, min_history=2)
    assert list(a["count"]) == [9, 0, 0, 1]
    assert a["baseline"].isna().tolist() == [True, True, False, False]
    assert not a["spike"].any()  # the first week's 9 is a first appearance, not a rise


def test_spikes_lists_only_flags_strongest_first_and_rule_is_stated():
    totals = pd.Series([50] * 7, index=_weeks(7))
    counts = _frame({"A": [2, 2, 2, 2, 2, 9, 2], "B": [1, 1, 1, 1, 1, 1, 20]})
    s = attention.spikes(counts, totals)
    assert list(s["key"]) == ["B", "A"]
    assert "Poisson" in attention.rule_text() and "q < 0.05" in attention.rule_text()


def test_q_values_follow_benjamini_hochberg():
    q = attention.fdr_q_values([0.01, float("nan"), 0.04, 0.03, 0.5])
    # Four tested: p x 4 / rank = 0.04, 0.06, 0.0533, 0.5, then the running minimum from the largest p down.
    assert q[0] == pytest.approx(0.04)
    assert q[3] == pytest.approx(0.04 * 4 / 3) and q[2] == pytest.approx(0.04 * 4 / 3)
    assert math.isnan(q[1]) and q[4] == pytest.approx(0.5)


def test_chance_rises_among_many_quiet_keys_are_not_spikes():
    # 40 keys, each a steady Poisson-like 2-3 articles of 100 a week for 30 weeks: at p < 0.01 alone about one
    # week-key in a hundred clears the bar by chance. Corrected for the 40 x 28 cells tested, none should.
    import numpy as np

    rng = np.random.default_rng(7)
    weeks = 30
    totals = pd.Series([100] * weeks, index=_weeks(weeks))
    counts = _frame({f"K{i}": list(rng.poisson(2.5, weeks)) for i in range(40)})
    a = attention.attention(counts, totals)
    assert (a["p_value"] < 0.01).sum() >= 3  # chance alone passes the uncorrected test
    assert not a["spike"].any()
    counts = _frame({**{f"K{i}": list(rng.poisson(2.5, weeks)) for i in range(40)},
                     "HOT": [2] * 20 + [16] + [2] * 9})
    flagged = attention.spikes(counts, totals)
    assert flagged.iloc[0]["key"] == "HOT" and flagged.iloc[0]["period"] == _weeks(weeks)[20]


def test_empty_input_gives_the_columns():
    a = attention.attention(pd.DataFrame(columns=["period", "key", "count"]))
    assert list(a.columns) == attention.COLUMNS and a.empty
