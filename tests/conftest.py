"""Session-scoped fixtures shared by the whole suite: the loaded pipeline, shared data, small databases."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
SEED = ROOT / "data" / "sample" / "japan_security_awakening.txt"


def _need_shared(*parts: str) -> Path:
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is not here: ../shared (corpus and eval data) comes with the project's CI, not with a clone")
    return path


@pytest.fixture(scope="session", autouse=True)
def allow_loopback_fetch():
    """The URL tests serve pages on 127.0.0.1, which geolens.fetch refuses by default (see test_fetch)."""
    import os

    old = os.environ.get("GEOLENS_FETCH_ALLOW_PRIVATE")
    os.environ["GEOLENS_FETCH_ALLOW_PRIVATE"] = "1"
    yield
    if old is None:
        os.environ.pop("GEOLENS_FETCH_ALLOW_PRIVATE", None)
    else:
        os.environ["GEOLENS_FETCH_ALLOW_PRIVATE"] = old


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """../shared beside the project (skips the test when absent, as in a user's clone)."""
    return _need_shared()


@pytest.fixture(scope="session")
def corpus_csvs() -> list[Path]:
    """The two Wikinews CSV files of ../shared/corpus."""
    d = _need_shared("corpus")
    return sorted(d.glob("wikinews_*.csv"))


@pytest.fixture(scope="session")
def eval_dir() -> Path:
    """../shared/eval (gold files and scorers)."""
    return _need_shared("eval")


@pytest.fixture(scope="session")
def nlp():
    """The full geolens pipeline, loaded once for the session."""
    from geolens.nlp import get_pipeline

    return get_pipeline()


@pytest.fixture(scope="session")
def seed_text() -> str:
    """The seed article's text."""
    return SEED.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def seed_doc(nlp, seed_text):
    """The seed article run through the pipeline."""
    return nlp(seed_text)


# -- databases for the dashboard tests (built once per session) ------------------------------------
def _build_db(path: Path, inputs: list[Path], n_process: int | None = None) -> Path:
    from geolens.pipeline import ingest_articles, read_inputs
    from geolens.store import Store

    store = Store(path)
    store.init()
    articles, _ = read_inputs(inputs)
    ingest_articles(store, articles, n_process=n_process)
    return path


@pytest.fixture(scope="session")
def empty_db_path(tmp_path_factory) -> Path:
    """A database file with the schema and no article."""
    from geolens.store import Store

    path = tmp_path_factory.mktemp("db_empty") / "empty.duckdb"
    Store(path).init()
    return path


@pytest.fixture(scope="session")
def sample_db_path(tmp_path_factory, nlp) -> Path:
    """A database holding the bundled sample (data/sample), built once per session."""
    return _build_db(tmp_path_factory.mktemp("db_sample") / "sample.duckdb", [SEED.parent], n_process=1)


@pytest.fixture(scope="session")
def corpus_db_path(tmp_path_factory, corpus_csvs) -> Path:
    """A database holding the Wikinews corpus (../shared/corpus): one ingest per session."""
    return _build_db(tmp_path_factory.mktemp("db_corpus") / "corpus.duckdb", corpus_csvs)


@pytest.fixture(scope="session")
def countries_nlp():
    """The English model with only the country component added (no theme component), loaded once."""
    import spacy

    from geolens import countries  # noqa: F401  (registers the factory)
    from geolens.nlp import model_name

    nlp = spacy.load(model_name(), exclude=["parser"])
    if "senter" in nlp.disabled:
        nlp.enable_pipe("senter")
    nlp.add_pipe("geolens_countries")
    return nlp
