"""The one caching layer between the pages and the database.

st.cache_resource holds what is expensive and shared (the spaCy pipeline, the Store handle, the tables of one
database version); st.cache_data holds query results keyed on (database path, version, filters). The database
is opened only for the moment of a read, so a CLI ingest or an upload in another session can write any time.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from geolens import queries as q
from geolens.store import Store, StoreBusy, StoreError, default_db_path

_VERSION_KEY = "_gl_db_version"
_PROBLEM_KEY = "_gl_db_problem"


def db_path() -> str:
    """The database path in effect ($GEOLENS_DB or data/geolens.duckdb), absolute."""
    return str(default_db_path().resolve())


@st.cache_resource(show_spinner=False)
def _store(path: str) -> Store:
    return Store(path, timeout=5.0)


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
    """Read the database version for this run (one tiny read) and make sure its tables are loaded.

    While another process holds the write lock for longer than the store waits, the app keeps showing the
    last version it could read, from its caches.
    """
    last = st.session_state.get(_VERSION_KEY, 0)
    try:
        v = store().version()
        _corpus(db_path(), v)
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


@st.cache_resource(max_entries=2, show_spinner="Reading the database…")
def _corpus(path: str, version: int) -> q.Corpus:
    # A resource, not data: the tables are large and never mutated, so sessions share one copy per version
    # instead of unpickling it on every run; max_entries drops old versions.
    if version < 0:
        return q.Corpus.from_frames({}, 0)
    store = _store(path)
    store.check_intact()  # a truncated file is named as such, not read half-way
    return q.load_corpus(store)


@st.cache_data(max_entries=512, show_spinner=False)
def _query(name: str, path: str, version: int, filters: q.Filters, kwargs: tuple) -> pd.DataFrame:
    return getattr(q, name)(_corpus(path, version), filters, **dict(kwargs))


def query(name: str, filters: q.Filters, **kwargs) -> pd.DataFrame:
    """Run geolens.queries.<name>(corpus, filters, **kwargs), cached per database version and filters."""
    return _query(name, db_path(), version(), filters, tuple(sorted(kwargs.items())))


@st.cache_data(max_entries=8, show_spinner=False)
def _options(path: str, version: int) -> dict:
    return q.filter_options(_corpus(path, version))


def options() -> dict:
    """What the filter widgets offer for the current database version."""
    return _options(db_path(), version())


@st.cache_data(max_entries=64, show_spinner=False)
def _article(path: str, version: int, article_id: str) -> dict[str, pd.DataFrame]:
    return q.article_frames(_corpus(path, version), article_id)


def article(article_id: str) -> dict[str, pd.DataFrame]:
    """All rows of one article, from the tables already loaded for this version (cached)."""
    return _article(db_path(), version(), article_id)


@st.cache_data(max_entries=64, show_spinner=False)
def _spans(path: str, version: int, keys: tuple[tuple[str, int], ...]) -> pd.DataFrame:
    rows = pd.DataFrame(list(keys), columns=["article_id", "sent_idx"]).astype({"sent_idx": "Int64"})
    return q.sentence_spans(_corpus(path, version), rows)


def spans(rows: pd.DataFrame) -> pd.DataFrame:
    """Mentions and theme cues inside the given sentences (for highlighting one page of excerpts)."""
    keys = tuple((str(a), int(i)) for a, i in zip(rows["article_id"], rows["sent_idx"], strict=True))
    return _spans(db_path(), version(), keys)


@st.cache_data(max_entries=64, show_spinner=False)
def _details(path: str, version: int, keys: tuple[tuple[str, int], ...]) -> pd.DataFrame:
    rows = pd.DataFrame(list(keys), columns=["article_id", "sent_idx"])
    return q.excerpt_details(_corpus(path, version), rows)


def excerpt_details(rows: pd.DataFrame) -> pd.DataFrame:
    """Text, metadata, countries and themes of the given excerpt keys (one page of excerpts)."""
    keys = tuple((str(a), int(i)) for a, i in zip(rows["article_id"], rows["sent_idx"], strict=True))
    return _details(db_path(), version(), keys)


def excerpts_csv(filters: q.Filters, keyword: str):
    """A no-argument function building the CSV of every excerpt the filters and keyword select.

    Given to st.download_button, it runs only when the user downloads; path and version are bound now
    because it runs outside the script run.
    """
    path, ver = db_path(), version()

    def build() -> bytes:
        return q.as_csv(q.excerpts(_corpus(path, ver), filters, keyword=keyword).drop(columns=["start", "end"]))

    return build


def delete_article(article_id: str) -> bool:
    """Delete an article from the database (bumps the version, so every cached view refreshes)."""
    return store().delete(article_id)
