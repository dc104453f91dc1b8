"""The Compare page: two selections side by side, both in the URL, with theme shares and distinctive words."""

from __future__ import annotations

import json


def test_compare_restores_both_sides_from_the_url_and_shows_their_difference(open_app, corpus_db_path):
    at = open_app(corpus_db_path, "compare", late_params=True, a_country="CHN", b_country="RUS", b_theme="armed_conflict")
    assert at.multiselect(key="cmp_a_country").value == ["CHN"]
    assert at.multiselect(key="cmp_b_country").value == ["RUS"]
    assert at.multiselect(key="cmp_b_theme").value == ["armed_conflict"]
    assert at.query_params["b_theme"] in ("armed_conflict", ["armed_conflict"])
    tables = [d.value for d in at.dataframe]
    shares = next(t for t in tables if "difference" in t.columns).set_index("name")
    # Every B article is assigned armed conflict, so B's share of it is 100% and the difference is A's minus 1.
    row = shares.loc["Armed conflict"]
    assert row["share_b"] == 1.0 and abs(row["difference"] - (row["share_a"] - 1.0)) < 1e-9
    words = next(t for t in tables if "excerpts" in t.columns)
    assert set(words["side"]) <= {"A", "B"} and len(words)
    assert all(link.startswith("excerpts?") and "kw=" in link for link in words["excerpts"])
    figures = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    assert len(figures) == 2


def test_compare_with_an_empty_side_says_which_and_how_to_fix_it(open_app, corpus_db_path):
    from geolens import aggregations as agg
    from geolens.filters import Filters
    from geolens.store import Store

    store = Store(corpus_db_path)
    countries = agg.country_counts(store, Filters())["country"].tolist()
    # A real country and a real theme that no article has together.
    country, theme = next((c, t) for c in reversed(countries) for t in agg.filter_options(store)["themes"]
                          if agg.summary(store, Filters(countries=(c,), themes=(t,))).iloc[0]["articles"] == 0)
    at = open_app(corpus_db_path, "compare", late_params=True, a_country="CHN", b_country=country, b_theme=theme)
    warning = " ".join(w.value for w in at.warning)
    assert "Selection B holds no article" in warning and "remove one of its filters" in warning
    assert not at.get("plotly_chart")
