"""Issue 13, the second look, in a real browser: the defects a new user hit on the Overview, Themes, Excerpts and
Relations pages, checked in what headless Chromium renders at a 1000 px window (the sidebar open).

The servers and the browser come from conftest (one `streamlit run app.py` per database for the session).
"""

from __future__ import annotations

import re

import pytest
from appserver import wait_quiet

from geolens import aggregations as agg
from geolens.filters import Filters
from geolens.names import country_name
from geolens.store import Store

pytestmark = pytest.mark.browser

WIDTH = 1000
CLOCK = re.compile(r"\d:\d\d")  # a clock time in an axis label ("23:59:59.9996")
MONTH = re.compile(r"^[A-Z][a-z]{2} \d{4}$")  # "Sep 2020"


@pytest.fixture(scope="module")
def corpus(app_server, corpus_db_path) -> str:
    return app_server(corpus_db_path)


@pytest.fixture(scope="module")
def corpus_extra(app_server, corpus_extra_db_path) -> str:
    return app_server(corpus_extra_db_path)


@pytest.fixture(scope="module")
def sample(app_server, sample_db_path) -> str:
    return app_server(sample_db_path)


def open_ready(browse, url: str, width: int = WIDTH, height: int = 1000):
    """The page at `url`, its title drawn and the app's run finished."""
    page = browse(url, width, height)
    page.locator("h1").first.wait_for()
    wait_quiet(page)
    return page


def main_text(page) -> str:
    return page.locator("[data-testid=stMain]").inner_text()


def metric_boxes(page) -> dict[str, dict]:
    """Each headline figure (st.metric): label -> its value and box on screen."""
    return page.evaluate("""() => Object.fromEntries(Array.from(document.querySelectorAll('[data-testid=stMetric]'))
        .map(m => { const r = m.getBoundingClientRect();
            return [m.querySelector('[data-testid=stMetricLabel]').innerText.trim(),
                    {value: m.querySelector('[data-testid=stMetricValue]').innerText.trim(),
                     top: r.top, bottom: r.bottom, left: r.left, right: r.right}]; }))""")


def chart_ticks(page, selector: str, axis: str) -> list[str]:
    """The tick labels of one axis ('x' or 'y') of the plotly charts under `selector`."""
    return page.locator(f"{selector} .{axis}tick text").all_text_contents()


def wait_count(page, selector: str, want: int) -> None:
    """Until the page holds `want` elements matching `selector` (elements of one run arrive one after another);
    a timeout, not a pass, when it never does."""
    page.wait_for_function("([sel, want]) => document.querySelectorAll(sel).length === want", arg=[selector, want],
                           timeout=60_000)


def grid_rows(page, selector: str) -> int:
    """Data rows of a st.dataframe (its accessible table counts the header row too)."""
    return int(page.locator(f"{selector} table[aria-rowcount]").first.get_attribute("aria-rowcount")) - 1


def grid_overflow(page, selector: str) -> dict:
    """How much of a st.dataframe's columns lies beyond its visible frame (0: every column is in view)."""
    return page.locator(f"{selector} .dvn-scroller").first.evaluate(
        "s => ({hidden: s.scrollWidth - s.clientWidth, frame_right: s.getBoundingClientRect().right,"
        " window: window.innerWidth})")


# -- Overview --------------------------------------------------------------------------------------------------------


def test_overview_themes_figure_counts_only_the_filtered_theme(corpus, browse):
    page = open_ready(browse, f"{corpus}/overview?theme=armed_conflict")
    page.locator(".st-key-ov_themes .js-plotly-plot").wait_for()
    page.locator("[data-testid=stMetric]").nth(3).wait_for()
    themes = {k: v for k, v in metric_boxes(page).items() if k.startswith("Themes")}
    assert len(themes) == 1, themes
    ((label, fig),) = themes.items()
    assert fig["value"].startswith("1 of "), (label, fig)  # was "Themes assigned 3 of 16" beside one bar
    assert chart_ticks(page, ".st-key-ov_themes", "y") == ["Armed conflict"]


def test_overview_top_countries_show_every_country_tied_at_the_cut(corpus, browse, corpus_db_path):
    counts = agg.country_counts(Store(corpus_db_path), Filters(), measure="named")
    cut = int(counts["articles"].iloc[14])
    tied = [country_name(c) for c in counts.loc[counts["articles"] == cut, "country"]]
    assert len(tied) > 1 and int(counts["articles"].iloc[15]) == cut  # the corpus has a tie at the 15th place
    page = open_ready(browse, f"{corpus}/overview")
    page.locator(".st-key-ov_countries .ytick text").first.wait_for()
    shown = chart_ticks(page, ".st-key-ov_countries", "y")
    assert set(tied) <= set(shown), sorted(set(tied) - set(shown))
    note = page.locator(".st-key-ov_countries .infolayer").first.text_content()
    assert "tie at" in note and str(cut) in note, note  # and the chart says so


def test_overview_latest_articles_list_every_selected_article_the_undated_one_last(corpus_extra, browse,
                                                                                   corpus_extra_db_path):
    n = int(agg.summary(Store(corpus_extra_db_path), Filters(countries=("IRQ",)), measure="named").iloc[0]["articles"])
    assert 12 < n <= 24  # more than the first screenful, and one of them undated
    page = open_ready(browse, f"{corpus_extra}/overview?country=IRQ")
    latest = ".st-key-ov_latest"
    page.locator(f"{latest} table[aria-rowcount]").wait_for(state="attached")
    page.get_by_role("button", name=re.compile(r"^Show \d+ more")).click()
    page.get_by_text(f"The {n} newest of {n} selected articles").wait_for()
    wait_quiet(page)
    # The table is redrawn after the caption: wait for its rows to settle before reading them.
    page.wait_for_function("([sel, want]) => { const t = document.querySelector(sel + ' table[aria-rowcount]');"
                           " return t && Number(t.getAttribute('aria-rowcount')) - 1 === want; }",
                           arg=[latest, n], timeout=60_000)
    assert grid_rows(page, latest) == n
    dates = page.locator(f"{latest} table td").all_text_contents()
    assert "undated" in dates  # the undated article is listed (last), not dropped


@pytest.mark.parametrize("table", ["ov_latest", "ov_people"])
def test_overview_tables_keep_every_column_in_view_at_1000_px(corpus, browse, table):
    page = open_ready(browse, f"{corpus}/overview")
    frame = page.locator(f".st-key-{table} .dvn-scroller")
    frame.scroll_into_view_if_needed()
    over = grid_overflow(page, f".st-key-{table}")
    assert over["hidden"] <= 0, over  # no column (Themes, Source, Open) lies past the frame
    assert over["frame_right"] <= over["window"]


def test_overview_date_figure_is_not_alone_on_a_second_row_at_1000_px(corpus, browse):
    page = open_ready(browse, f"{corpus}/overview")
    page.locator("[data-testid=stMetric]").nth(3).wait_for()  # the four headline figures
    figures = metric_boxes(page)
    dates = next(v for k, v in figures.items() if k.startswith("Date"))
    same_row = [k for k, v in figures.items() if abs(v["top"] - dates["top"]) < 2]
    assert len(same_row) > 1, figures


# -- Themes ----------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("period", [("2020-09-01", "2020-09-30"), ("2020-09-01", "2020-10-31")],
                         ids=["one-month", "two-months"])
def test_themes_time_axis_reads_as_months_never_clock_times(corpus, browse, period):
    start, end = period
    page = open_ready(browse, f"{corpus}/themes?from={start}&to={end}")
    page.locator(".st-key-themes_share .js-plotly-plot").wait_for()
    ticks = page.locator("[data-testid=stMain] .js-plotly-plot .xtick text").all_text_contents()
    assert not [t for t in ticks if CLOCK.search(t)], ticks
    assert "23:59" not in main_text(page)
    dates = [t for t in ticks if re.search(r"[A-Z][a-z]{2}", t)]
    assert all(MONTH.match(t) for t in dates), dates
    if start[:7] == end[:7]:
        assert "single month" in main_text(page)  # said in words, instead of a one-bar timeline
    else:
        assert {"Sep 2020", "Oct 2020"} <= set(dates)


def test_themes_stray_far_date_does_not_squeeze_the_timeline(corpus_extra, browse):
    page = open_ready(browse, f"{corpus_extra}/themes")
    chart = page.locator("[data-testid=stMain] .js-plotly-plot").first
    chart.locator(".xtick text").first.wait_for()
    ticks = chart.locator(".xtick text").all_text_contents()
    assert not [t for t in ticks if "2025" in t], ticks  # the one 2025 article does not set the axis
    span = chart.evaluate("""gd => { const plot = gd.querySelector('.nsewdrag').getBoundingClientRect();
        const marks = Array.from(gd.querySelectorAll('.scatterlayer .trace .points path, .barlayer .point path'))
            .map(e => e.getBoundingClientRect()).filter(r => r.width > 0);
        const lo = Math.min(...marks.map(r => r.left)), hi = Math.max(...marks.map(r => r.right));
        return {data: hi - lo, plot: plot.width}; }""")
    assert span["data"] >= 0.8 * span["plot"], span  # the real data fills the width (was 30%)


def test_themes_of_one_article_have_no_period_toggle_and_no_timeline(sample, browse):
    page = open_ready(browse, f"{sample}/themes")
    page.locator(".st-key-themes_share .js-plotly-plot").wait_for()
    main = page.locator("[data-testid=stMain]")
    assert main.get_by_role("button", name="Week").count() == 0
    assert main.get_by_role("button", name="Month").count() == 0
    page.get_by_text("no timeline to draw").first.wait_for()
    wait_count(page, "[data-testid=stMain] .js-plotly-plot", 2)
    assert page.locator("[data-testid=stMain] .js-plotly-plot").count() == 2  # themes and cue words, no timeline
    labels = page.locator(".st-key-themes_share .js-plotly-plot").inner_text()
    assert "100%" not in labels  # every theme of one article would read 100% of one


# -- Excerpts --------------------------------------------------------------------------------------------------------

SENTENCES = ".gl-group li, .gl-card"


def test_excerpts_under_a_country_and_a_theme_show_sentences_not_a_dead_end(corpus, browse, corpus_db_path):
    f = Filters(countries=("CHN",), themes=("technology_innovation",))
    n_art = int(agg.summary(Store(corpus_db_path), f).iloc[0]["articles"])
    assert n_art >= 1
    page = open_ready(browse, f"{corpus}/excerpts?country=CHN&theme=technology_innovation")
    page.locator(f"{SENTENCES}, [data-testid=stAlert]").first.wait_for()
    text = main_text(page)
    assert "No sentence" not in text
    assert re.search(rf"\d+ sentences? from {n_art} articles?", text), text[:500]
    assert page.locator(SENTENCES).count() > 0


def test_excerpts_keyword_trade_finds_the_sentences_of_usa_china_trade_articles(corpus, browse):
    page = open_ready(browse, f"{corpus}/excerpts?country=USA&country=CHN&theme=trade_sanctions&kw=trade")
    page.locator(f"{SENTENCES}, [data-testid=stAlert]").first.wait_for()
    text = main_text(page)
    assert "No sentence containing" not in text
    assert re.search(r"\d+ sentences? from \d+ articles?", text), text[:500]
    shown = page.locator(SENTENCES).all_inner_texts()
    assert len(shown) >= 2 and all("trade" in s.lower() for s in shown), shown


def test_excerpts_show_one_card_per_article_with_its_title_once(corpus, browse, corpus_db_path):
    f = Filters(countries=("USA", "CHN"), themes=("trade_sanctions",))
    titles = Store(corpus_db_path).table("articles")
    rows = agg.excerpts(Store(corpus_db_path), f, offset=0, limit=20)
    assert rows["article_id"].nunique() < len(rows)  # several sentences of one article on the first page
    page = open_ready(browse, f"{corpus}/excerpts?country=USA&country=CHN&theme=trade_sanctions")
    page.locator(SENTENCES).first.wait_for()
    wait_count(page, SENTENCES, len(rows))
    assert page.locator(SENTENCES).count() == len(rows)
    text = main_text(page)
    shown = titles[titles["article_id"].isin(set(rows["article_id"]))]["title"]
    assert {t: text.count(t) for t in shown} == {t: 1 for t in shown}
    assert page.get_by_role("link", name=re.compile("Open article")).count() == rows["article_id"].nunique()


def test_excerpts_link_of_a_sentence_opens_the_article_scrolled_to_it_highlighted(corpus, browse):
    page = open_ready(browse, f"{corpus}/excerpts?country=USA&country=CHN&theme=trade_sanctions")
    sentences = page.locator(SENTENCES)
    sentences.first.wait_for()
    last = sentences.nth(sentences.count() - 1)
    wanted = " ".join(last.inner_text().split())
    # The link that belongs to that sentence: its own arrow, or the next "Open article" after it.
    link = last.evaluate_handle("""el => { const own = el.querySelector('a'); if (own) return own;
        const all = Array.from(document.querySelectorAll('a'));
        return all.find(a => (el.compareDocumentPosition(a) & Node.DOCUMENT_POSITION_FOLLOWING)
                             && a.innerText.includes('Open article')); }""").as_element()
    assert link is not None
    link.click()
    page.wait_for_url(re.compile(r"/article\?"))
    page.locator(".gl-text").first.wait_for()  # the article's text
    wait_quiet(page)
    target = page.locator(".gl-target")
    assert target.count() == 1, "the sentence is highlighted in the article"
    page.wait_for_function("""() => { const r = document.querySelector('.gl-target').getBoundingClientRect();
        return r.top >= 0 && r.bottom <= window.innerHeight; }""")
    got = " ".join(target.inner_text().split())
    assert got[:40] in wanted, (got, wanted)


# -- Relations -------------------------------------------------------------------------------------------------------


def pick_pair(page, label: str) -> None:
    """Choose a pair in the page's 'sentences of' select box, as a user would (click, type, Enter)."""
    box = page.locator("[data-testid=stSelectbox]").filter(has_text=re.compile("sentence", re.I)).first
    box.click()
    page.keyboard.type(label)
    page.get_by_role("option", name=label).first.click()


def test_relations_pair_opens_every_sentence_naming_both(corpus, browse, corpus_db_path):
    top = agg.co_mentions(Store(corpus_db_path), Filters(), measure="named").iloc[0]
    a, b, n = top["source"], top["target"], int(top["sentences"])
    label = f"{country_name(a)} – {country_name(b)}"
    assert 1 < n <= 25  # one page
    page = open_ready(browse, f"{corpus}/relations")
    page.locator(".st-key-rel_network .js-plotly-plot").wait_for()
    pick_pair(page, label)
    page.get_by_text(f"{n} sentences of the selected articles name both countries").wait_for()
    wait_quiet(page)
    # The sentence cards are drawn after the count: wait for them (every sentence, not only those that state an
    # interaction), then read them.
    wait_count(page, ".gl-group li", n)
    items = page.locator(".gl-group li").all_inner_texts()
    assert len(items) == n
    first, second = country_name(a), country_name(b)
    assert all(first.split()[0] in s or second.split()[0] in s for s in items)


def test_relations_pairs_table_shows_its_example_column_whole_at_1000_px(corpus, browse):
    page = open_ready(browse, f"{corpus}/relations")
    table = page.locator("[data-testid=stDataFrame]").first
    table.wait_for()
    table.scroll_into_view_if_needed()
    over = table.locator(".dvn-scroller").evaluate(
        "s => ({hidden: s.scrollWidth - s.clientWidth, right: s.getBoundingClientRect().right})")
    assert over["hidden"] <= 0, over  # the example column is not cut at the frame's edge
    assert over["right"] <= WIDTH


LABELS = """gd => Array.from(gd.querySelectorAll('.scatterlayer .textpoint text')).filter(t => t.textContent)
    .map(t => { const r = t.getBoundingClientRect();
        return {text: t.textContent, halo: getComputedStyle(t).textShadow, box: [r.left, r.top, r.right, r.bottom]}; })"""


@pytest.mark.parametrize("links", [50, 150])
def test_relations_network_names_the_hub_with_readable_labels_at_1000_px(corpus, browse, links):
    page = open_ready(browse, f"{corpus}/relations")
    chart = page.locator(".st-key-rel_network .js-plotly-plot")
    chart.wait_for()
    if links != 50:
        slider = page.get_by_role("slider", name="Strongest links shown")
        slider.focus()
        page.keyboard.press("End")
        page.wait_for_function(f"""() => {{ const t = document.querySelector('[data-testid=stDataFrame] table');
            return t && t.getAttribute('aria-rowcount') === '{links + 1}'; }}""")
        wait_quiet(page)
    labels = chart.evaluate(LABELS)
    names = [x["text"] for x in labels]
    assert "United States" in names
    assert len(names) >= 20, names  # not an unlabelled hairball
    hub = next(x for x in labels if x["text"] == "United States")
    assert "rgb(255, 255, 255)" in hub["halo"]  # a white halo: readable where edges run under it
    boxes = [x["box"] for x in labels]
    clashes = [(names[i], names[j]) for i in range(len(boxes)) for j in range(i + 1, len(boxes))
               if boxes[i][0] < boxes[j][2] and boxes[j][0] < boxes[i][2]
               and boxes[i][1] < boxes[j][3] and boxes[j][1] < boxes[i][3]]
    assert clashes == []


def test_relations_article_markup_shows_as_text_and_nothing_runs(app_server, hostile_db, browse):
    db, _ = hostile_db
    pair = agg.co_mentions(Store(db), Filters(), measure="named").iloc[0]
    base = app_server(db)
    page = open_ready(browse, f"{base}/relations")
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.locator(".st-key-rel_network .js-plotly-plot").wait_for()
    pick_pair(page, f"{country_name(pair['source'])} – {country_name(pair['target'])}")
    group = page.locator(".gl-group").first
    group.wait_for()
    wait_quiet(page)
    shown = group.inner_text()
    assert "<script>alert('x')</script>" in shown  # the markup is there, as text a reader sees
    assert "<b>Bold</b> <script>t()</script> headline" in shown
    assert page.locator("[data-testid=stMain] .gl-group script, [data-testid=stMain] .gl-group img").count() == 0
    assert page.locator("[data-testid=stMain] b", has_text="Bold").count() == 0
    group.hover()  # would fire an onmouseover handler, had one survived
    assert page.evaluate("() => document.title").strip() != "" and dialogs == []
