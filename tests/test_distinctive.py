"""geolens.distinctive: weighted log-odds with an informative Dirichlet prior (Monroe, Colaresi & Quinn 2008)."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from geolens.distinctive import distinctive, log_odds


def _terms(counts: dict[str, int]) -> pd.DataFrame:
    return pd.DataFrame({"term": list(counts), "count": list(counts.values())})


# Two sides of a realistic comparison: articles on Japan vs articles on Ukraine. Shared vocabulary at similar rates,
# a few words that belong to one side, and a rare word seen twice on one side only.
A = _terms({"the": 900, "said": 120, "security": 60, "alliance": 45, "self-defense forces": 30, "yen": 25,
            "china": 40, "tokyo": 35, "war": 10, "minister": 50, "typhoon": 2})
B = _terms({"the": 950, "said": 125, "security": 55, "alliance": 15, "war": 80, "kyiv": 45, "shelling": 30,
            "china": 38, "minister": 52, "refugees": 25, "tokyo": 1})


def test_known_distinctive_words_rank_on_their_side():
    lo = log_odds(A, B)
    top_a = list(lo.head(4)["term"])
    top_b = list(lo.sort_values("z").head(4)["term"])
    assert set(top_a) == {"self-defense forces", "tokyo", "yen", "alliance"}
    assert set(top_b) == {"war", "kyiv", "shelling", "refugees"}
    shared = lo.set_index("term").loc[["the", "said", "security", "minister", "china"], "z"]
    assert (shared.abs() < 1.96).all()  # common words at similar rates are not distinctive


def test_z_scores_are_antisymmetric():
    ab = log_odds(A, B).set_index("term")
    ba = log_odds(B, A).set_index("term")
    pd.testing.assert_series_equal(ab["z"], -ba.loc[ab.index, "z"], check_names=False)
    assert (ab["side"] == "A").sum() == (ba["side"] == "B").sum()


def test_prior_shrinks_a_rare_word_below_a_frequent_one():
    lo = log_odds(A, B).set_index("term")
    # "typhoon" appears only on side A (2 vs 0), a larger raw log-ratio than "alliance" (45 vs 15), yet with less
    # evidence: the prior and the variance keep it below.
    assert lo.loc["typhoon", "z"] < lo.loc["alliance", "z"]
    assert lo.loc["typhoon", "z"] < 1.96


def test_matches_the_formula_by_hand():
    a, b = _terms({"x": 10, "y": 5}), _terms({"x": 2, "y": 8})
    lo = log_odds(a, b).set_index("term")
    ya, yb, na, nb = 10, 2, 15, 10
    bg = {"x": 12.01, "y": 13.01}
    alpha = bg["x"] / sum(bg.values()) * 25
    a0 = 25
    delta = math.log((ya + alpha) / (na + a0 - ya - alpha)) - math.log((yb + alpha) / (nb + a0 - yb - alpha))
    assert lo.loc["x", "delta"] == pytest.approx(delta)
    assert lo.loc["x", "z"] == pytest.approx(delta / math.sqrt(1 / (ya + alpha) + 1 / (yb + alpha)))


def test_distinctive_returns_each_side_above_threshold_strongest_first():
    d = distinctive(A, B, n=3)
    assert list(d["side"]) == ["A", "A", "A", "B", "B", "B"]
    assert (d["z"].abs() >= 1.96).all()
    assert d.iloc[3]["z"] == d[d["side"] == "B"]["z"].min()


def test_empty_sides():
    assert log_odds(_terms({}), _terms({})).empty
    assert log_odds(_terms({"a": 3, "b": 1}), _terms({})).empty  # nothing to compare against
