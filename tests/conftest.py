"""Session-scoped fixtures shared by the whole suite: the loaded pipeline, shared data, small databases."""

from __future__ import annotations

import os
import shutil
from contextlib import ExitStack
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


# -- the dashboard in a real browser (one server per database, one Chromium, for the whole session) ----------------
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
# Only to watch a browser test fail on older code: the tree whose app.py the servers run (a git worktree).
APP_ROOT = Path(os.environ.get("GEOLENS_TEST_APP_ROOT") or ROOT)


@pytest.fixture(scope="session")
def chromium():
    """Debian's chromium driven by Playwright, headless, one for the session (skips when either is missing)."""
    if not CHROMIUM.exists():
        pytest.skip(f"browser test needs Debian chromium at {CHROMIUM} (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="browser test needs the playwright package")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def app_server(chromium, tmp_path_factory):
    """serve(db) -> base URL of `streamlit run app.py` on that database. One server per database for the whole
    session (started at first use, stopped at the end), shared by every browser test file. It asks for the
    browser first, so that a browser test skips before building its database when chromium is missing."""
    from appserver import streamlit_app

    servers: dict[str, str] = {}
    with ExitStack() as stack:
        def serve(db: Path, *, timeout: float = 180) -> str:
            key = str(Path(db).resolve())
            if key not in servers:
                log = tmp_path_factory.mktemp("streamlit") / "server.log"
                servers[key] = stack.enter_context(streamlit_app(Path(db), log, timeout=timeout, root=APP_ROOT))
            return servers[key]

        yield serve


@pytest.fixture
def browse(chromium):
    """browse(url, width=1000, height=1000) -> a page in a fresh browser context (its own session), loaded;
    every context is closed after the test."""
    contexts = []

    def _open(url: str, width: int = 1000, height: int = 1000):
        ctx = chromium.new_context(viewport={"width": width, "height": height})
        contexts.append(ctx)
        page = ctx.new_page()
        page.set_default_timeout(120_000)
        page.goto(url)
        return page

    yield _open
    for ctx in contexts:
        ctx.close()


def _copy_db(src: Path, dst: Path) -> Path:
    shutil.copy(src, dst)
    if src.with_name(src.name + ".wal").exists():
        shutil.copy(src.with_name(src.name + ".wal"), dst.with_name(dst.name + ".wal"))
    return dst


STRAY_TEXT = (
    "Germany's parliament voted on Thursday to reform the electoral law, the government in Berlin said. The "
    "opposition parties said the reform of the constitution and of the electoral districts favours the coalition, "
    "and the chancellor told the Bundestag that the election would be held under the new law."
)
UNDATED_TEXT = (
    "Iraq's parliament met in Baghdad to debate the new budget, officials said. The Iraqi prime minister told "
    "lawmakers that the government would pay public salaries on time and hold the provincial elections next year."
)


@pytest.fixture(scope="session")
def corpus_extra_db_path(tmp_path_factory, corpus_db_path, nlp) -> Path:
    """The Wikinews corpus plus two articles a real feed brings: one dated 2025, years after the rest (a stray
    date), and one undated Iraq article (Iraq has 13 dated ones, so it is the 14th, listed last)."""
    from geolens.ingest import from_text
    from geolens.pipeline import analyse
    from geolens.store import Store

    path = _copy_db(corpus_db_path, tmp_path_factory.mktemp("db_corpus_extra") / "corpus_extra.duckdb")
    Store(path).add_many([
        analyse(from_text(STRAY_TEXT, title="Bundestag reforms the electoral law", published="2025-06-12")),
        analyse(from_text(UNDATED_TEXT, title="Baghdad budget debate")),
    ])
    return path


@pytest.fixture(scope="session")
def hostile_db(tmp_path_factory, nlp) -> tuple[Path, str]:
    """One article whose text and title hold HTML markup (`<script>`, `<img onerror>`, `<b>`); Japan and China
    are named in its first sentence, so the pair Japan – China has a sentence to show. Returns (path, article id)."""
    from geolens.ingest import from_text
    from geolens.pipeline import analyse
    from geolens.store import Store

    text = (
        "Japan and China <script>alert('x')</script> traded threats in Tokyo. "
        'The ministry posted <img src=x onerror="alert(1)"> and said the supply chains of China are a risk.'
    )
    path = tmp_path_factory.mktemp("db_hostile") / "hostile.duckdb"
    tables = analyse(from_text(text, title="<b>Bold</b> <script>t()</script> headline"))
    Store(path).add(tables)
    return path, tables.article_id


APPTEST_TIMEOUT = 180


@pytest.fixture
def open_app(monkeypatch):
    """Start the app on a database in AppTest: returns start(db, page=None, *, late_params=False, **query_params),
    which runs app.py, switches to pages/<page>.py when given, checks nothing raised and returns the AppTest.

    Query parameters are set before the first run (a link opened cold), or with late_params=True after it and
    before the page switch (a page reached from the app with a URL of its own).
    """
    from streamlit.testing.v1 import AppTest

    def start(db: Path, page: str | None = None, *, late_params: bool = False, **params) -> AppTest:
        monkeypatch.setenv("GEOLENS_DB", str(db))
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=APPTEST_TIMEOUT)
        if not late_params:
            for k, v in params.items():
                at.query_params[k] = v
        at.run()
        if late_params:
            for k, v in params.items():
                at.query_params[k] = v
        if page:
            at.switch_page(f"pages/{page}.py").run()
        assert not at.exception, [e.value for e in at.exception]
        return at

    return start
