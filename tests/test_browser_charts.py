"""The figure builders drawn by plotly.js in headless Chromium at the widths the dashboard gives them.

No Streamlit here: each figure is written to a standalone HTML file (plotly.js inlined, nothing fetched) and
opened at the width of a half column (1000 px window: about 300 px) or a full column.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import plotly.io as pio
import pytest

from components import charts
from components.geo import shapeless_points, world_geojson

pytestmark = pytest.mark.browser


@pytest.fixture
def draw(chromium, tmp_path):
    """draw(fig, width) -> a page showing the figure at that width (closed after the test)."""
    pages = []

    def _draw(fig, width: int):
        path = tmp_path / f"fig{len(pages)}.html"
        path.write_text(pio.to_html(fig, include_plotlyjs=True, full_html=True,
                                    config={"responsive": True, "topojsonURL": charts.NO_TOPOJSON_URL}))
        page = chromium.new_page(viewport={"width": width, "height": 900})
        pages.append(page)
        page.goto(path.as_uri())
        page.wait_for_selector(".main-svg")
        page.wait_for_timeout(300)
        return page

    yield _draw
    for p in pages:
        p.close()


def _outside(page, selector: str) -> list[str]:
    """Texts matching `selector` whose box leaves the figure horizontally (a clipped label)."""
    return page.evaluate(
        """(sel) => { const w = document.querySelector('.main-svg').getBoundingClientRect();
            return Array.from(document.querySelectorAll(sel)).filter(e => {
                const r = e.getBoundingClientRect(); return r.width > 0 && (r.left < w.left - 1 || r.right > w.right + 1);
            }).map(e => e.textContent); }""", selector)


THEMES = pd.DataFrame({
    "theme": ["domestic_politics", "energy_infrastructure", "international_order", "humanitarian"],
    "name": ["Domestic politics & governance", "Energy & critical infrastructure", "International order & institutions",
             "Humanitarian & human rights"],
    "articles": [112, 9, 10, 18], "cues": [1, 1, 1, 1], "share": [0.38, 0.03, 0.034, 0.06],
})
COUNTRIES = pd.DataFrame({
    "country": ["USA", "GBR", "COD", "CAF"],
    "name": ["United States", "United Kingdom", "Democratic Republic of the Congo", "Central African Republic"],
    "continent": ["NA", "EU", "AF", "AF"], "articles": [173, 45, 9, 9], "mentions": [700, 140, 12, 10],
})
MATRIX = pd.DataFrame([
    (c, cn, t, tn, n) for (c, cn) in [("USA", "United States"), ("GBR", "United Kingdom")]
    for (t, tn, n) in zip(THEMES["theme"], THEMES["name"], [5, 2, 3, 1], strict=True)
], columns=["country", "country_name", "theme", "theme_name", "articles"])


@pytest.mark.parametrize("width", [300, 460])
@pytest.mark.parametrize("name", ["theme_bar", "country_bar", "heatmap", "cue_bar"])
def test_labels_and_axis_titles_stay_inside_a_half_column(draw, name, width):
    fig = {
        "theme_bar": lambda: charts.theme_bar(THEMES, title="Themes"),
        "country_bar": lambda: charts.country_bar(COUNTRIES, title="Top countries"),
        "heatmap": lambda: charts.theme_country_heatmap(MATRIX, title="Themes by country"),
        "cue_bar": lambda: charts.cue_bar(pd.DataFrame({
            "theme": ["domestic_politics"], "name": ["Domestic politics & governance"],
            "cue": ["constitutional amendment"], "hits": [40], "articles": [9]})),
    }[name]()
    page = draw(fig, width)
    assert _outside(page, ".ytick text, .xtick text, .xtitle, .ytitle, .gtitle") == []


def test_map_hover_inside_germany_is_never_the_vatican(draw):
    # Germany has no article; the Vatican (too small for a shape) has one and is drawn as a dot at Rome.
    df = pd.DataFrame({"country": ["VAT", "FRA"], "name": ["Vatican", "France"], "continent": ["EU", "EU"],
                       "articles": [1, 3], "mentions": [1, 5]})
    fig = charts.choropleth(df, world=world_geojson(), points=shapeless_points(df["country"]))
    page = draw(fig, 500)
    box = page.evaluate("""() => { const p = Array.from(document.querySelectorAll('.choroplethlocation'))
        .find(e => e.__data__ && e.__data__.loc === 'DEU'); const r = p.getBoundingClientRect();
        return [r.left + r.width / 2, r.top + r.height * 0.75]; }""")  # southern Germany, nearest to Rome
    page.mouse.move(*box)
    page.wait_for_timeout(400)
    hover = page.evaluate("() => Array.from(document.querySelectorAll('.hoverlayer text')).map(t => t.textContent)")
    assert not any("Vatican" in h for h in hover)


# The co-mention links of the Wikinews corpus (294 articles, all filters off), strongest first: the case the
# analyst looked at.
CORPUS_EDGES = Path(__file__).parent / "data" / "wikinews_co_mentions_150.csv"


@pytest.mark.parametrize("n_links", [50, 150])
def test_network_labels_do_not_overlap_and_name_the_hub_at_a_1000_px_window(draw, n_links):
    from geolens.names import country_name

    edges = pd.read_csv(CORPUS_EDGES, keep_default_na=False).head(n_links)
    edges = edges.assign(theme=edges["theme"].replace("", None), example="x", article_id="a")
    names = {c: country_name(c) for c in set(edges["source"]) | set(edges["target"])}
    page = draw(charts.network(edges, names=names), 540)  # the main column of a 1000 px window
    boxes = page.evaluate("""() => Array.from(document.querySelectorAll('.scatterlayer .textpoint text'))
        .filter(t => t.textContent).map(t => { const r = t.getBoundingClientRect();
        return [t.textContent, r.left, r.top, r.right, r.bottom]; })""")
    shown = [b[0] for b in boxes]
    assert "United States" in shown and len(shown) >= 25
    clashes = [(a[0], b[0]) for i, a in enumerate(boxes) for b in boxes[i + 1:]
               if a[1] < b[3] and b[1] < a[3] and a[2] < b[4] and b[2] < a[4]]
    assert clashes == []


def test_grouped_excerpts_take_well_under_half_the_height_of_one_card_per_sentence(chromium, tmp_path):
    # 20 sentences from 4 articles (a page of the Excerpts page): one header per article instead of per sentence.
    from components import highlight

    title = "Japan's Security Awakening: Beyond American Deterrence and Toward Strategic Autonomy"
    sents = [f"Japan and China discussed export controls on rare earths in meeting {i}, officials in Tokyo said."
             for i in range(5)]
    spans = ((0, 5, "country", "JPN"), (10, 15, "country", "CHN"))
    chips = highlight.theme_chips([("economic_security", "Economic security & coercion")])
    old = "".join(highlight.excerpt_card(s, spans, offset=0, meta=f"{title} {a} · 2024-05-01", chips_html=chips)
                  + '<p style="margin:.3rem 0 1rem 0">→ Open article</p>'  # the page's st.page_link row per card
                  for a in range(4) for s in sents)
    new = "".join(highlight.excerpt_group(f"{title} {a}", "2024-05-01 · example.org",
                                          [highlight.Excerpt(s, spans, chips_html=chips) for s in sents],
                                          url=f"article?article=a{a}") for a in range(4))

    def height(body: str) -> float:
        path = tmp_path / "x.html"
        path.write_text(f"<html><body style='width:520px;font-family:sans-serif'>{highlight.STYLE}{body}</body></html>")
        page = chromium.new_page(viewport={"width": 1000, "height": 900})
        try:
            page.goto(path.as_uri())
            return page.evaluate("() => document.body.scrollHeight")
        finally:
            page.close()

    h_new, h_old = height(new), height(old)
    assert h_new < 0.5 * h_old, (h_new, h_old)
