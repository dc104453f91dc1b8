"""The SQL aggregations give the same answers as geolens 0.1's pandas queries on the Wikinews corpus.

tests/reference_queries.py keeps those pandas queries as the oracle; both run on one database here, across
filters that exercise every clause, so moving the queries into DuckDB changed no figure a user sees.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
import reference_queries as v1

from geolens import aggregations as agg
from geolens.filters import Filters
from geolens.store import Store

FILTERS = [
    Filters(),
    Filters(countries=("USA",)),
    Filters(countries=("CHN", "RUS")),
    Filters(themes=("armed_conflict",)),
    Filters(countries=("USA",), themes=("diplomacy", "trade_sanctions")),
    Filters(start=date(2020, 6, 1), end=date(2021, 12, 31)),
    Filters(text="election"),
    Filters(countries=("DEU",), text="minister"),
]
MEASURES = ("named", "attributed", "all")


@pytest.fixture(scope="module")
def store(corpus_db_path) -> Store:
    return Store(corpus_db_path)


@pytest.fixture(scope="module")
def corpus(store) -> v1.Corpus:
    return v1.load_corpus(store)


@pytest.fixture(scope="module")
def sources(corpus) -> tuple[str, ...]:
    return tuple(corpus.articles["source"].dropna().value_counts().index[:2])


def _same(got: pd.DataFrame, want: pd.DataFrame, *, order: list[str] | None = None) -> None:
    got, want = got.reset_index(drop=True), want.reset_index(drop=True)
    if order:  # rows tied on every shown column may come in either order
        got = got.sort_values(order).reset_index(drop=True)
        want = want.sort_values(order).reset_index(drop=True)
    pd.testing.assert_frame_equal(got[list(want.columns)], want, check_dtype=False, check_exact=False)


def _all_filters(sources):
    return [*FILTERS, Filters(sources=sources[:1]), Filters(sources=sources, themes=("domestic_politics",))]


def test_the_corpus_is_big_enough_to_tell_queries_apart(corpus):
    assert len(corpus.articles) > 250 and len(corpus.pairs) > 500


@pytest.mark.parametrize("measure", MEASURES)
def test_summary_country_counts_and_matrix_match_v1(store, corpus, sources, measure):
    for f in _all_filters(sources):
        _same(agg.summary(store, f, measure=measure), v1.summary(corpus, f, measure=measure))
        _same(agg.country_counts(store, f, measure=measure), v1.country_counts(corpus, f, measure=measure))
        _same(agg.theme_country_matrix(store, f, measure=measure),
              v1.theme_country_matrix(corpus, f, measure=measure))
        _same(agg.latest_articles(store, f, limit=12, measure=measure),
              v1.latest_articles(corpus, f, limit=12, measure=measure))
        _same(agg.co_mentions(store, f, measure=measure), v1.co_mentions(corpus, f, measure=measure))


def test_theme_queries_match_v1(store, corpus, sources):
    for f in _all_filters(sources):
        _same(agg.theme_counts(store, f), v1.theme_counts(corpus, f))
        for freq in ("week", "month"):
            _same(agg.theme_volume(store, f, freq=freq), v1.theme_volume(corpus, f, freq=freq))
        _same(agg.top_cues(store, f), v1.top_cues(corpus, f), order=["theme", "hits", "cue"])
        _same(agg.article_choices(store, f), v1.article_choices(corpus, f))
        _same(agg.relation_sentences(store, f), v1.relation_sentences(corpus, f))


@pytest.mark.parametrize("keyword", ["", "said", "NATO"])
def test_excerpts_match_v1(store, corpus, sources, keyword):
    for f in _all_filters(sources):
        want = v1.excerpt_keys(corpus, f, keyword=keyword)
        got = agg.excerpt_keys(store, f, keyword=keyword)
        _same(got, want)
        assert agg.excerpt_totals(store, f, keyword=keyword) == (len(want), want["article_id"].nunique())
        page = agg.excerpt_keys(store, f, keyword=keyword, offset=5, limit=7)
        _same(page, want.iloc[5:12])
        _same(agg.excerpt_details(store, want.head(40)), v1.excerpt_details(corpus, want.head(40)))
        spans_cols = ["article_id", "sent_idx", "start", "kind", "label"]
        _same(agg.sentence_spans(store, want.head(40)), v1.sentence_spans(corpus, want.head(40)), order=spans_cols)


def test_filter_options_match_v1(store, corpus):
    got, want = agg.filter_options(store), v1.filter_options(corpus)
    assert got["themes"] == want["themes"] and got["sources"] == want["sources"] and got["dates"] == want["dates"]
    assert sorted(got["countries"]) == sorted(want["countries"])
    counts = corpus.art_country.groupby("country").size()
    assert list(counts[got["countries"]]) == sorted(counts, reverse=True)  # most articles first
