"""End to end in a real headless Chromium: start `streamlit run app.py`, open it, select a country, check the page."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.browser

EXTRA = {
    "japan.txt": (
        "Japan and India agreed on Monday in Tokyo to expand joint naval exercises, officials said. "
        "The Japanese defence minister said the drills would start next spring and involve destroyers "
        "and patrol aircraft from both navies."
    ),
    "france.txt": (
        "France will hold a referendum on its new constitution next year, the government in Paris said on "
        "Tuesday. The French president told parliament that voters would decide on the reform of the "
        "senate and of regional councils."
    ),
}


@pytest.fixture(scope="module")
def browser_db(tmp_path_factory, nlp) -> Path:
    """The sample plus a Japan article and a France article: three articles, so a country filter shows."""
    from geolens.ingest import from_text
    from geolens.pipeline import analyse
    from geolens.store import Store

    path = tmp_path_factory.mktemp("db_browser") / "browser.duckdb"
    store = Store(path)
    seed = (ROOT / "data" / "sample" / "japan_security_awakening.txt").read_text(encoding="utf-8")
    store.add_many([analyse(from_text(seed, title="Japan's Security Awakening"))]
                   + [analyse(from_text(t, title=name.removesuffix(".txt").title(), published="2024-05-0" + str(i)))
                      for i, (name, t) in enumerate(EXTRA.items(), start=1)])
    return path


@pytest.fixture(scope="module")
def app_url(app_server, browser_db):
    """`streamlit run app.py` against the test database (conftest's app_server: one server for the session)."""
    return app_server(browser_db)


@pytest.fixture(scope="module")
def page(chromium):
    """One page for the module (its tests go on from where the one before left it)."""
    ctx = chromium.new_context(viewport={"width": 1400, "height": 1100})
    pg = ctx.new_page()
    pg.set_default_timeout(60_000)
    yield pg
    ctx.close()


def _metric(pg, label: str) -> str:
    box = pg.locator("[data-testid='stMetric']").filter(has_text=label).first
    return box.locator("[data-testid='stMetricValue']").inner_text().strip()


def _wait_metric(pg, label: str, value: str) -> None:
    deadline = time.monotonic() + 60
    while _metric(pg, label) != value:
        if time.monotonic() > deadline:
            raise AssertionError(f"{label} stayed {_metric(pg, label)!r}, expected {value!r}")
        time.sleep(0.3)


def test_selecting_a_country_in_the_sidebar_filters_the_overview_and_the_url(app_url, page):
    page.goto(app_url + "/")
    page.get_by_role("heading", name="Overview").wait_for()
    _wait_metric(page, "Articles", "3")
    countries = page.locator("[data-testid='stSidebar'] [data-testid='stMultiSelect']").filter(has_text="Countries")
    countries.locator("input").click()
    page.keyboard.type("Japan")
    page.get_by_role("option", name=re.compile(r"^Japan \(JPN\)")).click()
    page.keyboard.press("Escape")
    _wait_metric(page, "Articles", "2")  # the seed and the Japan article, not the France one
    page.wait_for_url(re.compile(r"country=JPN"))
    assert "France" not in page.locator("[data-testid='stDataFrame']").last.inner_text()  # Latest articles
    # The link reproduces the view after a reload (the filter lives in the URL).
    page.reload()
    page.get_by_role("heading", name="Overview").wait_for()
    _wait_metric(page, "Articles", "2")
    assert "Japan (JPN)" in countries.inner_text()


# Screen points inside a country's shape (a grid over its bounding box, kept where the shape is filled).
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


def test_clicking_a_country_on_the_map_filters_every_page_by_it(app_url, page):
    page.goto(app_url + "/map")
    page.get_by_role("heading", name="Map").wait_for()
    page.wait_for_selector(".choroplethlayer .trace path")
    paths = page.locator(".choroplethlayer .trace").nth(1).locator("path")
    target = None
    for i in range(paths.count()):
        points = paths.nth(i).evaluate(_POINTS_IN_PATH)
        # Try a few points spread over the shape: a multipolygon (overseas parts) has empty bounding-box areas.
        for xy in points[:: max(1, len(points) // 6)]:
            page.mouse.move(*xy)
            page.wait_for_timeout(150)
            label = page.locator(".hoverlayer").text_content() or ""
            if label:
                break
        if label.startswith("France"):
            target = xy
            break
    if target is None:
        pytest.fail("France is not on the map")
    page.mouse.click(*target)
    sidebar = page.locator("[data-testid='stSidebar']")
    sidebar.get_by_text("France (FRA)").wait_for()
    page.get_by_text(re.compile(r"(countries|country) named in the 1 selected article\.")).wait_for()
    page.wait_for_url(re.compile(r"country=FRA"))
    # The filter holds on the other pages too.
    page.get_by_role("link", name="Overview").click()
    _wait_metric(page, "Articles", "1")
