"""The Article and Map pages in a real browser (Debian chromium + Playwright) at 1000 and 1400 px, issue 13."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from appserver import wait_quiet

from geolens.store import Store

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "data" / "sample" / "japan_security_awakening.txt"
SEED_TITLE = "Japan's Security Awakening"
SHORT = (
    "Japan and India agreed on Monday in Tokyo to expand joint naval exercises, officials said. "
    "The Japanese defence minister said the drills would start next spring and involve destroyers "
    "and patrol aircraft from both navies."
)
FRANCE = (
    "France will hold a referendum on its new constitution next year, the government in Paris said on "
    "Tuesday. The French president told parliament that voters would decide on the reform of the "
    "senate and of regional councils, and that Germany had been told in advance."
)

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def db(tmp_path_factory, nlp) -> Path:
    from geolens.ingest import from_text
    from geolens.pipeline import analyse

    path = tmp_path_factory.mktemp("db_browser_pages") / "pages.duckdb"
    Store(path).add_many([
        analyse(from_text(SEED.read_text(encoding="utf-8"), title=SEED_TITLE)),
        analyse(from_text(SHORT, title="Navies drill", published="2024-05-01")),
        analyse(from_text(FRANCE, title="Referendum", published="2024-05-02")),
    ])
    return path


@pytest.fixture(scope="module")
def ids(db) -> dict[str, str]:
    arts = Store(db).table("articles")
    return dict(zip(arts["title"], arts["article_id"], strict=True))


@pytest.fixture(scope="module")
def base(app_server, db) -> str:
    return app_server(db)


BOX = """() => { const b = document.querySelector('.gl-article-box');
  return {client: b.clientHeight, scroll: b.scrollHeight, top: b.getBoundingClientRect().top}; }"""


# -- Article ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("width", [1000, 1400])
def test_article_text_box_fits_a_short_text_and_caps_a_long_one(base, browse, ids, width):
    page = browse(f"{base}/article?article={ids['Navies drill']}", width)
    page.locator(".gl-article-box").wait_for()
    wait_quiet(page)
    box = page.evaluate(BOX)
    assert box["scroll"] <= box["client"] + 1, box  # the whole short text shows, nothing scrolls inside
    assert box["client"] < 400
    page.goto(f"{base}/article?article={ids[SEED_TITLE]}")
    page.get_by_text("The Shifting Threat Landscape").first.wait_for()
    wait_quiet(page)
    box = page.evaluate(BOX)
    assert box["client"] <= 0.75 * 1000 + 2 and box["scroll"] > box["client"]  # capped, scrolls inside
    assert box["client"] > 620  # taller than the old fixed box


@pytest.mark.parametrize("width", [1000, 1400])
def test_article_named_as_is_never_cut_and_subheadings_stand_out(base, browse, ids, width):
    page = browse(f"{base}/article?article={ids[SEED_TITLE]}", width)
    page.locator("td.gl-named").first.wait_for()
    wait_quiet(page)
    cells = page.evaluate("""() => Array.from(document.querySelectorAll('td.gl-named'))
        .map(td => [td.innerText, td.scrollWidth, td.clientWidth, td.getBoundingClientRect().right])""")
    assert len(cells) >= 5
    col_right = page.evaluate("""() => document.querySelector('.gl-ctab-box').getBoundingClientRect().right""")
    for text, sw, cw, right in cells:
        assert sw <= cw + 1, (text, sw, cw)
        assert right <= col_right + 1
    weights = page.evaluate("""() => {
        const h = document.querySelector('.gl-h'), t = document.querySelector('.gl-text');
        return [getComputedStyle(h).fontWeight, getComputedStyle(t).fontWeight,
                parseFloat(getComputedStyle(h).fontSize), parseFloat(getComputedStyle(t).fontSize)]; }""")
    assert int(weights[0]) >= 700 and int(weights[1]) <= 400 and weights[2] > weights[3]


@pytest.mark.parametrize("width", [1000, 1400])
def test_article_link_to_a_sentence_scrolls_to_it_highlighted(base, browse, db, ids, width):
    aid = ids[SEED_TITLE]
    sents = Store(db).table("sentences")
    k = int(sents[sents["article_id"] == aid]["sent_idx"].max()) - 2  # far down the text
    page = browse(f"{base}/article?article={aid}&sent={k}", width)
    page.locator(f"#gl-s-{k}").wait_for(state="attached")
    wait_quiet(page)
    page.wait_for_function("""() => { const r = document.querySelector('.gl-target').getBoundingClientRect();
        return r.top >= 0 && r.bottom <= window.innerHeight; }""")
    bg = page.evaluate("() => getComputedStyle(document.querySelector('.gl-target')).backgroundColor")
    assert bg == "rgb(255, 243, 176)"
    assert page.locator(".gl-target").first.inner_text().strip()[:20] in (
        sents[(sents["article_id"] == aid) & (sents["sent_idx"] == k)]["text"].iloc[0])


# -- Map -------------------------------------------------------------------------------------------------------

GEO = """() => { const gd = document.querySelector('.js-plotly-plot');
  return {scale: gd._fullLayout.geo.projection.scale}; }"""


def test_map_zooms_with_the_mouse_wheel(base, browse):
    page = browse(f"{base}/map", 1400)
    page.wait_for_selector(".choroplethlayer .trace path")
    wait_quiet(page)
    before = page.evaluate(GEO)["scale"]
    box = page.locator(".js-plotly-plot .geolayer, .js-plotly-plot .main-svg").first.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.wheel(0, -400)
    page.wait_for_function(f"() => document.querySelector('.js-plotly-plot')._fullLayout.geo.projection.scale"
                           f" > {before}")


@pytest.mark.parametrize("width", [1000, 1400])
def test_map_of_one_article_has_a_mentions_scale_and_the_right_plural(base, browse, width):
    page = browse(f"{base}/map?country=FRA", width)
    page.wait_for_selector(".choroplethlayer .trace path")
    wait_quiet(page)
    page.get_by_text(re.compile(r"in the 1 selected article\.")).wait_for()
    assert page.locator(".colorbar").count() == 1
    assert "Mentions" in page.locator(".colorbar").text_content()
    assert "1 selected articles" not in page.inner_text("body")
    # The map fills its frame on one side at least (no small map inside a large empty frame).
    fill = page.evaluate("""() => { const gd = document.querySelector('.js-plotly-plot');
        const land = gd.querySelector('.choroplethlayer').getBoundingClientRect();
        const fl = gd._fullLayout, w = fl.width - fl.margin.l - fl.margin.r, h = fl.height - fl.margin.t - fl.margin.b;
        return [land.width / w, land.height / h]; }""")
    assert max(fill) >= 0.9, fill


_POINTS_IN_PATH = """
(el) => {
  const b = el.getBBox(), m = el.getScreenCTM(), out = [];
  for (let i = 1; i < 24; i++) for (let j = 1; j < 24; j++) {
    const p = new DOMPoint(b.x + b.width * i / 24, b.y + b.height * j / 24);
    if (el.isPointInFill(p)) { const s = p.matrixTransform(m); out.push([s.x, s.y]); }
  }
  return out;
}
"""


def test_map_click_on_a_country_filters_by_it(base, browse):
    page = browse(f"{base}/map", 1000)
    page.wait_for_selector(".choroplethlayer .trace path")
    wait_quiet(page)
    paths = page.locator(".choroplethlayer .trace").nth(1).locator("path")
    target = None
    for i in range(paths.count()):
        label = ""
        for xy in paths.nth(i).evaluate(_POINTS_IN_PATH)[::6]:
            page.mouse.move(*xy)
            page.wait_for_timeout(120)
            label = page.locator(".hoverlayer").text_content() or ""
            if label:
                break
        if label.startswith("France"):
            assert "1 article," in label  # the plural
            target = xy
            break
    assert target is not None, "France is not on the map"
    page.mouse.click(*target)
    page.wait_for_url(re.compile(r"country=FRA"))
    page.locator("[data-testid='stSidebar']").get_by_text("France (FRA)").wait_for()
    page.get_by_text(re.compile(r"in the 1 selected article\.")).wait_for()
