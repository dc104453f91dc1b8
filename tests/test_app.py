"""AppTest for every dashboard page on an empty database, on the sample and on the Wikinews corpus."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from geolens.pipeline import analyse
from geolens.store import Store

ROOT = Path(__file__).resolve().parent.parent
PAGES = ["overview", "map", "themes", "relations", "excerpts", "article"]



def texts(at: AppTest) -> str:
    """Everything the page shows as text (markdown, captions, alerts, HTML, metrics, table cells)."""
    parts: list[str] = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "info", "warning", "success", "error"):
        parts.extend(str(e.value) for e in getattr(at, kind))
    parts.extend(h.value for h in at.get("html"))
    parts.extend(f"{m.label}: {m.value}" for m in at.metric)
    for df in at.dataframe:
        parts.append(df.value.to_string())
    return "\n".join(parts)


def plain(html_text: str) -> str:
    """HTML reduced to the text a reader sees."""
    return html.unescape(re.sub(r"<[^>]+>", "", html_text))


def charts(at: AppTest) -> list[dict]:
    """The plotly figures on the page, as dicts."""
    return [json.loads(e.proto.spec) for e in at.get("plotly_chart")]


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def japan_ids(db: Path) -> set[str]:
    with Store(db).reader() as con:
        return {r[0] for r in con.execute("SELECT DISTINCT article_id FROM mentions WHERE country = 'JPN'").fetchall()}


# -- empty database ------------------------------------------------------------------------------
@pytest.mark.parametrize("page", PAGES)
def test_page_on_empty_database_explains_how_to_add_articles(open_app, empty_db_path, page):
    at = open_app(empty_db_path, page)
    assert "no articles yet" in texts(at)
    assert not charts(at)


def test_missing_database_is_created_and_seeded_with_the_sample(open_app, tmp_path, nlp):
    db = tmp_path / "fresh" / "new.duckdb"
    at = open_app(db)
    assert db.exists()
    assert metric(at, "Articles") == "1"
    assert "Japan's Security Awakening" in texts(at)


# -- the bundled sample --------------------------------------------------------------------------
def test_overview_on_sample_shows_headline_figures_and_charts(open_app, sample_db_path):
    at = open_app(sample_db_path)
    assert metric(at, "Articles") == "1"
    assert int(metric(at, "Countries")) >= 5
    figs = charts(at)
    # One article: countries ranked by mentions and themes by confidence (articles would all read 1); no
    # theme-by-country grid of ones.
    assert len(figs) == 2
    bars = {n: int(v) for tr in figs[0]["data"] for n, v in zip(tr["y"], tr["text"], strict=True)}  # value labels
    assert "China" in bars and max(bars, key=bars.get) == "Japan" and bars["Japan"] > 1
    assert "mention" in figs[0]["layout"]["xaxis"]["title"]["text"].lower()
    assert "confidence" in figs[1]["layout"]["xaxis"]["title"]["text"].lower()
    confidences = [float(v) for v in figs[1]["data"][0]["text"]]
    assert confidences == sorted(confidences) and all(0 < v <= 1 for v in confidences)  # bottom-up: best on top
    assert "needs more than one article" in texts(at)
    assert "Japan's Security Awakening" in texts(at)


@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders_content_on_sample(open_app, sample_db_path, page):
    at = open_app(sample_db_path, page)
    shown = texts(at)
    if page == "article":
        assert "Japan&#x27;s Security Awakening" in shown  # the title, escaped
        assert "<mark" in shown
    elif page == "excerpts":
        assert "sentences" in shown and "gl-group" in shown
    else:
        assert charts(at), f"{page} shows no chart"


def test_excerpts_show_beijing_sentence_under_china_and_economic_security(open_app, sample_db_path):
    at = open_app(sample_db_path, "excerpts", country="CHN", theme="economic_security")
    assert at.sidebar.multiselect(key="flt_country").value == ["CHN"]
    assert at.sidebar.multiselect(key="flt_theme").value == ["economic_security"]
    shown = texts(at)
    assert "Beijing has weaponized supply chains" in plain(shown)
    assert ">Beijing</mark>" in shown  # highlighted as a country mention
    # The count shown is exactly what the CSV download holds.
    from geolens import aggregations as agg
    from geolens.filters import Filters

    expected = agg.excerpts(Store(sample_db_path), Filters(countries=("CHN",), themes=("economic_security",)),
                            limit=10_000)
    assert f"**{len(expected)} sentences**" in shown and "Beijing has weaponized" in " ".join(expected["text"])
    # One card per article, the title once; every card has a sentence with the economic-security chip.
    cards = [h.value for h in at.get("html") if h.value.startswith('<div class="gl-group">')]
    assert cards and all("Economic security" in c and c.count("gl-group-title") == 1 for c in cards)


def test_excerpt_keyword_search_narrows_and_highlights(open_app, sample_db_path):
    at = open_app(sample_db_path, "excerpts")
    before = next(m.value for m in at.markdown if "sentence" in m.value)
    at.text_input(key="exc_kw").set_value("rare earth").run()
    after = next(m.value for m in at.markdown if "sentence" in m.value)
    assert before != after
    assert "gl-keyword" in texts(at)
    assert at.query_params.get("kw") in ("rare earth", ["rare earth"])


def test_filters_are_mirrored_in_url_and_restored_from_it(open_app, sample_db_path):
    at = open_app(sample_db_path, "map")
    at.sidebar.multiselect(key="flt_country").set_value(["JPN"]).run()
    at.sidebar.text_input(key="flt_text").set_value("drone").run()
    params = dict(at.query_params)
    assert params["country"] in ("JPN", ["JPN"]) and params["q"] in ("drone", ["drone"])
    again = open_app(sample_db_path, **params)
    assert again.sidebar.multiselect(key="flt_country").value == ["JPN"]
    assert again.sidebar.text_input(key="flt_text").value == "drone"


@pytest.mark.parametrize("page", PAGES)
def test_filters_selecting_nothing_give_a_message_not_a_chart(open_app, sample_db_path, page):
    at = open_app(sample_db_path, page, q="no article says zqxjv")
    assert not charts(at)
    assert "No article" in texts(at) or "No articles" in texts(at)


def test_clear_filters_button_resets_the_selection(open_app, sample_db_path):
    at = open_app(sample_db_path, None, country="JPN", q="drone")
    at.sidebar.button(key="flt_clear").click().run()
    assert at.sidebar.multiselect(key="flt_country").value == []
    assert "country" not in at.query_params and "q" not in at.query_params


def test_article_page_opens_by_url_and_highlights_every_mention_kind(open_app, sample_db_path):
    aid = Store(sample_db_path).table("articles")["article_id"].iloc[0]
    at = open_app(sample_db_path, "article", article=aid)
    assert at.selectbox(key="art_pick").value == aid
    html = texts(at)
    for kind in ("country", "person", "org"):
        assert f'class="gl-{kind}"' in html, kind
    assert "Organisation" in html and "Person" in html  # the legend
    assert "Economic security" in html  # themes with evidence


# -- safety --------------------------------------------------------------------------------------
# hostile_db (conftest): an article with <script>, <img onerror> and <b> in its text and title.
@pytest.mark.parametrize("page", ["article", "excerpts", "overview", "relations"])
def test_markup_in_article_text_is_shown_as_text(open_app, hostile_db, page):
    db, aid = hostile_db
    at = open_app(db, page, article=aid)
    if page == "relations":  # open the one pair, Japan – China: its sentence holds the <script> markup
        from geolens.aggregations import co_mentions
        from geolens.filters import Filters

        pair = co_mentions(Store(db), Filters()).iloc[0]
        assert {pair["source"], pair["target"]} == {"JPN", "CHN"}
        at.selectbox(key="rel_pair_pick").set_value((pair["source"], pair["target"])).run()
        assert not at.exception, [e.value for e in at.exception]
    shown = "\n".join(h.value for h in at.get("html"))
    assert "<script>" not in shown and "<img" not in shown and "<b>Bold" not in shown
    if page == "article":
        assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in shown
        assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in shown
        assert "&lt;b&gt;Bold&lt;/b&gt;" in shown
    if page == "excerpts":
        assert "&lt;img src=x" in shown
    if page == "relations":
        assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in shown
        assert "&lt;b&gt;Bold&lt;/b&gt;" in shown


# -- deletion ------------------------------------------------------------------------------------
def test_article_delete_asks_for_confirmation_then_deletes(open_app, tmp_path, nlp):
    from geolens.ingest import from_text

    db = tmp_path / "del.duckdb"
    store = Store(db)
    keep = analyse(from_text("France and Germany signed a defence pact in Paris on Monday. " * 3, title="Keep"))
    gone = analyse(from_text("Japan held talks with India in Tokyo about drones and ships. " * 3, title="Gone"))
    store.add_many([keep, gone])
    at = open_app(db, "article", article=gone.article_id)
    at.button(key="art_delete").click().run()
    assert store.has(gone.article_id)  # nothing happens before confirmation
    assert "cannot be undone" in texts(at)
    at.button(key="art_delete_yes").click().run()
    assert not at.exception
    assert not store.has(gone.article_id) and store.has(keep.article_id)
    assert at.selectbox(key="art_pick").value == keep.article_id
    assert "Article deleted." in texts(at)


def test_article_link_outside_the_filters_opens_until_the_filters_change(open_app, tmp_path, nlp):
    from geolens.ingest import from_text

    db = tmp_path / "link.duckdb"
    store = Store(db)
    france = analyse(from_text("France and Germany signed a defence pact in Paris on Monday. " * 3, title="Pact"))
    japan = analyse(from_text("Japan held talks with India in Tokyo about drones and ships. " * 3, title="Talks"))
    store.add_many([france, japan])
    at = open_app(db, "article", article=japan.article_id, country="FRA")
    assert at.selectbox(key="art_pick").value == japan.article_id
    assert "outside the current filters" in at.selectbox(key="art_pick").options[0]
    at.sidebar.text_input(key="flt_text").set_value("defence pact").run()
    assert at.selectbox(key="art_pick").value == france.article_id
    assert at.query_params["article"] in (france.article_id, [france.article_id])


def test_another_process_can_write_while_the_app_is_open_and_the_app_sees_it(open_app, tmp_path, nlp):
    import subprocess
    import sys

    from geolens.ingest import from_text

    db = tmp_path / "shared.duckdb"
    store = Store(db)
    one = analyse(from_text("France and Germany signed a defence pact in Paris on Monday. " * 3, title="Pact"))
    two = analyse(from_text("Japan held talks with India in Tokyo about drones and ships. " * 3, title="Talks"))
    store.add_many([one, two])
    at = open_app(db)
    assert metric(at, "Articles") == "2"
    # The app holds no connection between runs, so a writer in another process gets the lock at once.
    code = f"from geolens.store import Store; import sys; sys.exit(0 if Store({str(db)!r}, timeout=5).delete({two.article_id!r}) else 1)"
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True, timeout=120)
    at.run()
    assert metric(at, "Articles") == "1"  # the version bump refreshed every cached view


def test_app_keeps_showing_its_results_while_another_process_holds_the_lock(open_app, tmp_path, nlp):
    import subprocess
    import sys

    from geolens.ingest import from_text

    db = tmp_path / "busy.duckdb"
    Store(db).add(analyse(from_text("France and Germany signed a defence pact in Paris on Monday. " * 3, title="P")))
    at = open_app(db)
    holder = subprocess.Popen(
        [sys.executable, "-c", f"import duckdb, time; c = duckdb.connect({str(db)!r}); print('locked', flush=True); "
                               "time.sleep(30)"],
        stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        at.run()  # the version read gives up after the store's timeout
        assert not at.exception
        assert metric(at, "Articles") == "1"
        assert any("busy" in t.value for t in at.toast)
    finally:
        holder.kill()
        holder.wait()


# -- the Wikinews corpus -------------------------------------------------------------------------
@pytest.mark.slow
@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders_on_corpus(open_app, corpus_db_path, page):
    at = open_app(corpus_db_path, page)
    if page in ("overview", "map", "themes", "relations"):
        assert charts(at)
    if page == "overview":
        assert int(metric(at, "Articles").replace(",", "")) >= 290
    if page == "excerpts":
        assert "gl-group" in texts(at)
        assert at.get("pagination")


@pytest.mark.slow
def test_filtering_by_japan_leaves_only_articles_that_mention_japan(open_app, corpus_db_path):
    expected = japan_ids(corpus_db_path)
    at = open_app(corpus_db_path, "article")
    at.sidebar.multiselect(key="flt_country").set_value(["JPN"]).run()
    picker = at.selectbox(key="art_pick")
    assert picker.value in expected
    assert len(picker.options) == len(expected)  # the picker offers exactly the Japan articles
    at.switch_page("pages/overview.py").run()
    assert metric(at, "Articles") == f"{len(expected):,}"
    at.switch_page("pages/excerpts.py").run()
    cards = [h.value for h in at.get("html") if h.value.startswith('<div class="gl-group">')]
    sentences = [li for c in cards for li in c.split("<li>")[1:]]
    # Every excerpt highlights a mention resolved to Japan (a name, a demonym, Tokyo, a leader...).
    assert sentences and all(re.search(r'<mark class="gl-\w+"[^>]*title="[^"]*\(JPN\)"', li) for li in sentences)


@pytest.mark.slow
def test_theme_filter_on_corpus_limits_theme_shares_to_that_theme(open_app, corpus_db_path):
    at = open_app(corpus_db_path, "themes", theme="armed_conflict")
    share = next(c for c in charts(at) if "Share of selected" in json.dumps(c["layout"].get("title")))
    assert [str(y).replace("<br>", " ") for y in share["data"][0]["y"]] == ["Armed conflict"]


@pytest.mark.parametrize("how", ["truncated", "random-bytes"])
@pytest.mark.parametrize("page", [None, "upload"])
def test_damaged_database_page_explains_what_is_wrong_and_what_to_do_and_overwrites_nothing(open_app, tmp_path, how, page):
    from test_store import DAMAGE, _big_database, damage

    db = _big_database(tmp_path / "g.duckdb")
    before = damage(db, how)
    at = open_app(db)  # asserts: no exception, no traceback page
    if page:  # a deep link to a page that writes: still only the explanation
        at.switch_page(f"pages/{page}.py").run()
        assert not at.exception
    assert [t.value for t in at.title] == ["The database cannot be opened"]
    [error] = [e.value for e in at.error]
    assert f"database {db} is damaged" in error and DAMAGE[how] in error
    shown = texts(at)
    assert "What to do" in shown and "Restore the file from a backup" in shown and "GEOLENS_DB" in shown
    assert not at.file_uploader and not at.button
    assert db.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["g.duckdb"]


# -- offline: nothing the dashboard needs comes from outside this machine ------------------------------------------


class _RecordingProxy:
    """A proxy that records where the browser tried to go and serves nothing: every request that would leave
    this machine comes here (the browser sends loopback traffic direct)."""

    def __init__(self):
        import socket
        import threading

        self.seen: list[str] = []
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn:
                conn.settimeout(5)
                try:
                    first = conn.recv(4096).split(b"\r\n", 1)[0].decode("latin-1")
                except OSError:
                    continue
                if first:
                    self.seen.append(first)
                try:
                    conn.sendall(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                except OSError:
                    pass

    def close(self):
        self.sock.close()


CHROMIUM_OWN_HOSTS = {
    "accounts.google.com",
    "clients2.google.com",
    "update.googleapis.com",
    "optimizationguide-pa.googleapis.com",
    "content-autofill.googleapis.com",
    "safebrowsingohttpgateway.googleapis.com",
    "redirector.gvt1.com",
    "edgedl.me.gvt1.com",
}


def _target_host(request_line: str) -> str:
    """The host a proxied request line asks for: 'CONNECT host:443 HTTP/1.1' or 'GET http://host/path HTTP/1.1'."""
    from urllib.parse import urlsplit

    method, target = (request_line.split() + ["", ""])[:2]
    return target.rsplit(":", 1)[0] if method == "CONNECT" else (urlsplit(target).hostname or target)


@pytest.mark.browser
def test_dashboard_needs_nothing_from_the_internet(sample_db_path, tmp_path):
    from appserver import streamlit_app

    chromium = Path("/usr/bin/chromium")
    if not chromium.exists():
        pytest.skip("Debian chromium is not installed at /usr/bin/chromium (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="python playwright is not installed")
    proxy = _RecordingProxy()
    local: list[str] = []
    try:
        with streamlit_app(sample_db_path, tmp_path / "server.log") as url, sync_api.sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path=str(chromium),
                args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                      # the browser's own calls home, which no page asks for
                      "--disable-component-update", "--disable-sync", "--disable-domain-reliability",
                      "--disable-client-side-phishing-detection", "--no-first-run", "--no-default-browser-check",
                      "--disable-features=OptimizationHints,Translate,MediaRouter,AutofillServerCommunication",
                      f"--proxy-server=http://127.0.0.1:{proxy.port}"],
            )
            page = browser.new_page()
            page.set_default_timeout(90_000)
            page.on("request", lambda req: local.append(req.url))
            for path in ("overview", "map", "themes", "relations", "excerpts", "upload"):
                page.goto(f"{url}/{path}")
                page.wait_for_selector("[data-testid='stSidebar']")
                page.wait_for_load_state("networkidle")
                # Only a page that renders shows what it would fetch: an exception here is another test's failure.
                assert not page.locator("[data-testid='stException']").count(), f"{path} shows an exception"
            icon = page.locator("link[rel='shortcut icon']").get_attribute("href")
            browser.close()
    finally:
        proxy.close()
    # Whatever the browser itself calls home for (updates, clock, sign-in) is its business; anything else that
    # tried to leave this machine (a favicon or font CDN, map tiles, a script) was the app's.
    hosts = sorted({_target_host(line) for line in proxy.seen} - CHROMIUM_OWN_HOSTS)
    assert hosts == [], proxy.seen
    outside = [u for u in local if not u.startswith((url, "data:", "blob:"))]
    assert outside == []
    # The icon is served by the app itself (its own image, or Streamlit's bundled one before the page config
    # applies): a relative address, this server, or inline data; never another host.
    assert icon.startswith(("/", "./", url + "/", "data:")), icon


def test_an_article_written_while_a_page_reads_shows_on_the_next_run(open_app, tmp_path, nlp, monkeypatch):
    import threading

    from geolens.ingest import from_text

    db = tmp_path / "live.duckdb"
    store = Store(db)
    store.add_many([analyse(from_text("France and Germany signed a defence pact in Paris on Monday. " * 3,
                                      title="Pact"))])
    at = open_app(db)
    assert metric(at, "Articles") == "1"
    # Count full reads of a table: the data layer must answer from DuckDB, never by loading the database whole.
    loads = []
    monkeypatch.setattr(Store, "snapshot", lambda self: loads.append(self) or (0, {}))
    fresh = analyse(from_text("Japan held talks with India in Tokyo about drones and ships. " * 3, title="Talks"))
    writer = threading.Thread(target=store.add_many, args=([fresh],))
    writer.start()
    at.run()  # a page reads while the write goes on: it shows one version or the other, never an error
    writer.join()
    assert not at.exception and metric(at, "Articles") in ("1", "2")
    at.run()
    assert metric(at, "Articles") == "2" and "Talks" in texts(at)
    assert not loads
