"""The app shell in a real headless Chromium: every page answers at its own URL, and nothing comes from the internet."""

from __future__ import annotations

import pytest

LOCAL = ("http://127.0.0.1", "http://localhost", "data:", "blob:", "about:")

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def app_url(app_server, tmp_path_factory):
    """The dashboard on a fresh database (seeded with the bundled sample on first start)."""
    return app_server(tmp_path_factory.mktemp("db_shell") / "shell.duckdb", timeout=180)


def _open(chromium, url: str):
    page = chromium.new_page(viewport={"width": 1000, "height": 900})
    external: list[str] = []
    page.on("request", lambda r: external.append(r.url) if not r.url.startswith(LOCAL) else None)
    page.goto(url)
    page.wait_for_selector("h1", timeout=120_000)
    page.wait_for_timeout(2500)  # let late requests (fonts, favicon) start
    return page, external


@pytest.mark.parametrize("path, title", [("overview", "Overview"), ("map", "Map"), ("themes", "Themes")])
def test_a_deep_link_opens_its_page_without_a_not_found_dialog(app_url, chromium, path, title):
    page, _ = _open(chromium, f"{app_url}/{path}?country=JPN")
    try:
        assert page.inner_text("h1").strip() == title
        assert page.url == f"{app_url}/{path}?country=JPN"  # not bounced to the root
        assert page.get_by_text("Page not found").count() == 0
    finally:
        page.close()


def test_the_root_url_goes_to_the_overview_keeping_the_filters(app_url, chromium):
    page, _ = _open(chromium, f"{app_url}/?country=JPN")
    try:
        page.wait_for_url("**/overview?country=JPN", timeout=30_000)
        assert page.inner_text("h1").strip() == "Overview"
    finally:
        page.close()


def test_no_request_leaves_the_machine_on_load_or_page_changes(app_url, chromium):
    page, external = _open(chromium, f"{app_url}/overview")
    try:
        for label in ("Map", "Themes", "Relations", "Overview"):
            page.locator(f"[data-testid=stSidebarNav] a:has-text('{label}')").first.click()
            page.wait_for_timeout(2500)
        icons = page.eval_on_selector_all("link[rel*=icon]", "els => els.map(e => e.href)")
        assert icons and all(i.startswith(app_url) for i in icons)  # the tab icon is served by the app itself
        assert external == []
    finally:
        page.close()
