"""The cached data calls of the pages: one named, typed function per question, each a thin wrapper of
geolens.aggregations.

st.cache_resource holds what is expensive and shared (the spaCy pipeline, the Store handle); st.cache_data
holds the small results, keyed on (database path, version, arguments). Every query runs in DuckDB, so a new
version (an upload, an ingest) costs only the queries of the page shown, never a reload of the database. The
database is opened only for the moment of a read, so a CLI ingest or an upload in another session can write
any time.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from geolens import aggregations as agg
from geolens.filters import Filters
from geolens.store import Store, StoreBusy, StoreError, default_db_path

_VERSION_KEY = "_gl_db_version"
_PROBLEM_KEY = "_gl_db_problem"


def db_path() -> str:
    """The database path in effect ($GEOLENS_DB or data/geolens.duckdb), absolute."""
    return str(default_db_path().resolve())


@st.cache_resource(show_spinner=False)
def _store(path: str) -> Store:
    return Store(path, timeout=5.0)


def reading():
    """One read-only connection for every query of this run (see Store.reading); use as a context manager."""
    return store().reading()


def store() -> Store:
    """The Store of the current database path (a light handle: it holds no open connection)."""
    return _store(db_path())


@st.cache_resource(show_spinner="Loading the language model…")
def pipeline():
    """The spaCy pipeline, built once per server process."""
    from geolens.nlp import get_pipeline

    return get_pipeline()


@st.cache_resource(show_spinner="First start: analysing the bundled sample…")
def seeded(path: str) -> bool:
    """Create and seed a missing database with data/sample once per process; True when it seeded now."""
    from geolens.pipeline import ensure_seeded

    s = _store(path)
    if s.exists():
        s.upgrade()  # a database written by an older geolens gains the columns it lacks
        return False
    pipeline()
    return ensure_seeded(s)


def open_database() -> StoreError | None:
    """Start of every run: seed a missing database, read the version and load its tables.

    Returns why the database cannot be used (damaged, unreadable, cannot be created), or None. Nothing is
    written over an existing file, whatever state it is in.
    """
    st.session_state.pop(_PROBLEM_KEY, None)
    try:
        seeded(db_path())
    except StoreError as exc:
        st.session_state[_PROBLEM_KEY] = exc
        st.session_state[_VERSION_KEY] = -1
        return exc
    refresh_version()
    return problem()


def problem() -> StoreError | None:
    """Why the database cannot be used in this run (damaged, unreadable, cannot be created), or None."""
    return st.session_state.get(_PROBLEM_KEY)


def refresh_version() -> int:
    """Read the database version for this run (one tiny read).

    While another process holds the write lock for longer than the store waits, the app keeps showing the
    last version it could read, from its caches.
    """
    last = st.session_state.get(_VERSION_KEY, 0)
    try:
        v = store().version()
        _check_intact(db_path(), v)
    except StoreBusy:
        st.toast("The database is busy (an import is writing); showing the last results.")
        v = last
    except StoreError as exc:
        st.session_state[_PROBLEM_KEY] = exc
        v = -1
    else:
        st.session_state.pop(_PROBLEM_KEY, None)
    st.session_state[_VERSION_KEY] = v
    return v


def version() -> int:
    """The version read at the start of this run."""
    return st.session_state.get(_VERSION_KEY, 0)


@st.cache_resource(max_entries=4, show_spinner=False)
def _check_intact(path: str, version: int) -> bool:
    # Once per version: a truncated file is named as such, not read half-way.
    _store(path).check_intact()
    return True


_CACHE = dict(max_entries=256, show_spinner=False)


@st.cache_data(max_entries=8, show_spinner=False)
def _options(path: str, version: int) -> dict:
    return agg.filter_options(_store(path))


def options() -> dict:
    """What the filter widgets offer for the current database version."""
    return _options(db_path(), version())


@st.cache_data(**_CACHE)
def _summary(path: str, version: int, f: Filters, measure: str) -> pd.DataFrame:
    return agg.summary(_store(path), f, measure=measure)


def summary(f: Filters, *, measure: str = "all") -> pd.Series:
    """Headline figures of the selection (articles, sentences, mentions, countries, themes, first, last,
    undated), as one row."""
    return _summary(db_path(), version(), f, measure).iloc[0]


def total_articles() -> int:
    """Articles in the database."""
    return int(summary(Filters())["articles"])


@st.cache_data(**_CACHE)
def _country_counts(path: str, version: int, f: Filters, measure: str) -> pd.DataFrame:
    return agg.country_counts(_store(path), f, measure=measure)


def country_counts(f: Filters, *, measure: str = "all") -> pd.DataFrame:
    """Articles and mentions per country of the selection, most articles first."""
    return _country_counts(db_path(), version(), f, measure)


@st.cache_data(**_CACHE)
def _theme_counts(path: str, version: int, f: Filters) -> pd.DataFrame:
    return agg.theme_counts(_store(path), f)


def theme_counts(f: Filters) -> pd.DataFrame:
    """Articles, share, cues and mean confidence per assigned theme of the selection."""
    return _theme_counts(db_path(), version(), f)


@st.cache_data(**_CACHE)
def _theme_country_matrix(path: str, version: int, f: Filters, top: int, measure: str) -> pd.DataFrame:
    return agg.theme_country_matrix(_store(path), f, top=top, measure=measure)


def theme_country_matrix(f: Filters, *, top: int = 12, measure: str = "all") -> pd.DataFrame:
    """Articles per (country, theme) for the selection's top countries."""
    return _theme_country_matrix(db_path(), version(), f, top, measure)


@st.cache_data(**_CACHE)
def _latest_articles(path: str, version: int, f: Filters, limit: int, measure: str) -> pd.DataFrame:
    return agg.latest_articles(_store(path), f, limit=limit, measure=measure)


def latest_articles(f: Filters, *, limit: int = 10, measure: str = "all") -> pd.DataFrame:
    """The newest selected articles with their top countries and themes."""
    return _latest_articles(db_path(), version(), f, limit, measure)


@st.cache_data(**_CACHE)
def _theme_volume(path: str, version: int, f: Filters, freq: str) -> pd.DataFrame:
    return agg.theme_volume(_store(path), f, freq=freq)


def theme_volume(f: Filters, *, freq: str = "month") -> pd.DataFrame:
    """Selected dated articles per period (week or month) and assigned theme."""
    return _theme_volume(db_path(), version(), f, freq)


@st.cache_data(**_CACHE)
def _top_cues(path: str, version: int, f: Filters, per_theme: int, themes: int) -> pd.DataFrame:
    return agg.top_cues(_store(path), f, per_theme=per_theme, themes=themes)


def top_cues(f: Filters, *, per_theme: int = 6, themes: int = 6) -> pd.DataFrame:
    """The cue words behind the selection's top themes."""
    return _top_cues(db_path(), version(), f, per_theme, themes)


@st.cache_data(**_CACHE)
def _co_mentions(path: str, version: int, f: Filters, max_edges: int, measure: str) -> pd.DataFrame:
    return agg.co_mentions(_store(path), f, max_edges=max_edges, measure=measure)


def co_mentions(f: Filters, *, max_edges: int = 60, measure: str = "all") -> pd.DataFrame:
    """Country pairs named in one sentence, with their dominant theme and an example."""
    return _co_mentions(db_path(), version(), f, max_edges, measure)


@st.cache_data(**_CACHE)
def _relation_sentences(path: str, version: int, f: Filters, limit: int) -> pd.DataFrame:
    return agg.relation_sentences(_store(path), f, limit=limit)


def relation_sentences(f: Filters, *, limit: int = 2000) -> pd.DataFrame:
    """Pairs of countries that interact in a sentence of the selection, with class, cue and sentence."""
    return _relation_sentences(db_path(), version(), f, limit)


@st.cache_data(**_CACHE)
def _article_choices(path: str, version: int, f: Filters, limit: int) -> pd.DataFrame:
    return agg.article_choices(_store(path), f, limit=limit)


def article_choices(f: Filters, *, limit: int = 500) -> pd.DataFrame:
    """The newest selected articles as (article_id, 'date · title') for a picker."""
    return _article_choices(db_path(), version(), f, limit)


@st.cache_data(**_CACHE)
def _keyword_scope(path: str, version: int, f: Filters) -> tuple[int, int, int]:
    floor = agg.keyword_floor(_store(path))
    return (floor, *agg.articles_from(_store(path), f, floor))


def keyword_scope(f: Filters) -> tuple[int, int, int]:
    """Where a keyword search starts reading (0: everywhere; see aggregations.keyword_floor), how many selected
    articles it reads, and how many are selected."""
    return _keyword_scope(db_path(), version(), f)


@st.cache_data(**_CACHE)
def _excerpt_totals(path: str, version: int, f: Filters, keyword: str, floor: int) -> tuple[int, int]:
    return agg.excerpt_totals(_store(path), f, keyword=keyword, floor=floor)


def excerpt_totals(f: Filters, *, keyword: str = "", floor: int = 0) -> tuple[int, int]:
    """How many sentences the filters and the keyword select, and from how many articles."""
    return _excerpt_totals(db_path(), version(), f, keyword, floor)


@st.cache_data(**_CACHE)
def _excerpts(path: str, version: int, f: Filters, keyword: str, offset: int, limit: int, floor: int
              ) -> pd.DataFrame:
    return agg.excerpts(_store(path), f, keyword=keyword, offset=offset, limit=limit, floor=floor)


def excerpts(f: Filters, *, keyword: str = "", offset: int = 0, limit: int = 20, floor: int = 0) -> pd.DataFrame:
    """One page of excerpts behind the filters, with their details."""
    return _excerpts(db_path(), version(), f, keyword, offset, limit, floor)


@st.cache_data(**_CACHE)
def _period_totals(path: str, version: int, f: Filters, freq: str) -> pd.DataFrame:
    return agg.period_totals(_store(path), f, freq=freq)


def period_totals(f: Filters, *, freq: str = "month") -> pd.DataFrame:
    """Selected dated articles per period (the denominator of attention shares)."""
    return _period_totals(db_path(), version(), f, freq)


@st.cache_data(**_CACHE)
def _period_counts(path: str, version: int, f: Filters, by: str, freq: str, top: int, measure: str
                   ) -> pd.DataFrame:
    return agg.period_counts(_store(path), f, by=by, freq=freq, top=top, measure=measure)


def period_counts(f: Filters, *, by: str, freq: str = "month", top: int = 8, measure: str = "all") -> pd.DataFrame:
    """Articles per period for the selection's top countries or themes (`by`)."""
    return _period_counts(db_path(), version(), f, by, freq, top, measure)


@st.cache_data(**_CACHE)
def _entity_counts(path: str, version: int, f: Filters, limit: int) -> pd.DataFrame:
    return agg.entity_counts(_store(path), f, limit=limit)


def entity_counts(f: Filters, *, limit: int = 15) -> pd.DataFrame:
    """The selection's most mentioned people and organisations, with their countries and themes."""
    return _entity_counts(db_path(), version(), f, limit)


@st.cache_data(**_CACHE)
def _pair_totals(path: str, version: int, f: Filters, a: str, b: str, measure: str) -> int:
    return agg.pair_totals(_store(path), f, a, b, measure=measure)


def pair_totals(f: Filters, a: str, b: str, *, measure: str = "all") -> int:
    """How many sentences of the selection name both countries."""
    return _pair_totals(db_path(), version(), f, a, b, measure)


@st.cache_data(**_CACHE)
def _pair_sentences(path: str, version: int, f: Filters, a: str, b: str, measure: str, offset: int, limit: int
                    ) -> pd.DataFrame:
    return agg.pair_sentences(_store(path), f, a, b, measure=measure, offset=offset, limit=limit)


def pair_sentences(f: Filters, a: str, b: str, *, measure: str = "all", offset: int = 0, limit: int = 50
                   ) -> pd.DataFrame:
    """A page of the sentences of the selection that name both countries."""
    return _pair_sentences(db_path(), version(), f, a, b, measure, offset, limit)


@st.cache_data(**_CACHE)
def _relation_counts(path: str, version: int, f: Filters) -> pd.DataFrame:
    return agg.relation_counts(_store(path), f)


def relation_counts(f: Filters) -> pd.DataFrame:
    """Sentences per pair of countries and CAMEO quad class in the selection."""
    return _relation_counts(db_path(), version(), f)


@st.cache_data(**_CACHE)
def _relation_balance(path: str, version: int, f: Filters, a: str, b: str, freq: str) -> pd.DataFrame:
    return agg.relation_balance(_store(path), f, a, b, freq=freq)


def relation_balance(f: Filters, a: str, b: str, *, freq: str = "month") -> pd.DataFrame:
    """A pair's cooperation minus conflict per period."""
    return _relation_balance(db_path(), version(), f, a, b, freq)


@st.cache_data(**_CACHE)
def _pair_relations(path: str, version: int, f: Filters, a: str, b: str) -> pd.DataFrame:
    return agg.pair_relations(_store(path), f, a, b)


def pair_relations(f: Filters, a: str, b: str) -> pd.DataFrame:
    """The classified sentences (quad, cue) of one pair in the selection."""
    return _pair_relations(db_path(), version(), f, a, b)


@st.cache_data(**_CACHE)
def _term_counts(path: str, version: int, f: Filters) -> pd.DataFrame:
    return agg.term_counts(_store(path), f)


def term_counts(f: Filters) -> pd.DataFrame:
    """Words and two-word phrases of the selection's newest articles (for Compare's distinctive terms)."""
    return _term_counts(db_path(), version(), f)


@st.cache_data(max_entries=64, show_spinner=False)
def _article(path: str, version: int, article_id: str) -> dict[str, pd.DataFrame]:
    return agg.article_frames(_store(path), article_id)


def article(article_id: str) -> dict[str, pd.DataFrame]:
    """All rows of one article (one short read, cached per version)."""
    return _article(db_path(), version(), article_id)


@st.cache_data(max_entries=64, show_spinner=False)
def _spans(path: str, version: int, keys: tuple[tuple[str, int], ...]) -> pd.DataFrame:
    rows = pd.DataFrame(list(keys), columns=["article_id", "sent_idx"])
    return agg.sentence_spans(_store(path), rows)


def spans(rows: pd.DataFrame) -> pd.DataFrame:
    """Mentions and theme cues inside the given sentences (for highlighting one page of excerpts)."""
    keys = tuple((str(a), int(i)) for a, i in zip(rows["article_id"], rows["sent_idx"], strict=True))
    return _spans(db_path(), version(), keys)


CSV_CAP = 50_000  # rows: a download is built in memory by Streamlit, so it is bounded


def excerpts_csv(f: Filters, keyword: str, floor: int = 0):
    """A no-argument function building the CSV of the excerpts the filters and keyword select (at most
    CSV_CAP rows, read in pages).

    Given to st.download_button, it runs only when the user downloads; path and version are bound now
    because it runs outside the script run.
    """
    path = db_path()

    def build() -> bytes:
        parts = [agg.as_csv(chunk, header=i == 0)
                 for i, chunk in enumerate(agg.excerpts_csv_chunks(_store(path), f, keyword=keyword, cap=CSV_CAP,
                                                                    floor=floor))]
        return b"".join(parts) or agg.as_csv(agg.excerpt_details(_store(path), pd.DataFrame(
            columns=["article_id", "sent_idx"])).drop(columns=["start", "end"]))

    return build


def delete_article(article_id: str) -> bool:
    """Delete an article from the database (bumps the version, so every cached view refreshes)."""
    return store().delete(article_id)
