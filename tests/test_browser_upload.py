"""The Upload page in a real browser: Debian chromium driven by Playwright against `streamlit run app.py`."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BODY = (
    "Japan and South Korea agreed on Tuesday to deepen their security cooperation after a series of North Korean "
    "missile tests. The defence ministers said the two countries would share more intelligence and hold joint "
    "drills with the United States later this year, while China warned against what it called bloc politics."
)
OTHER = (
    "Germany and France agreed on Thursday to build a joint tank, officials in Berlin said. The two governments "
    "will share the cost of the programme, and Poland may join the project later, the defence ministers said."
)

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(app_server, tmp_path_factory):
    """The dashboard (conftest's app_server) on a fresh database of its own; the base URL and the database path."""
    db = tmp_path_factory.mktemp("browser") / "browser.duckdb"
    return app_server(db), db


def open_upload(chromium, base: str):
    """A new browser session (its own context) on the Upload page, ready for input."""
    ctx = chromium.new_context(viewport={"width": 1400, "height": 1000})
    page = ctx.new_page()
    page.set_default_timeout(60_000)
    page.goto(base + "/upload")
    page.get_by_role("heading", name="Upload articles").wait_for()
    return ctx, page


def choose_file(page, path: Path) -> None:
    """Pick a file through the uploader's own file chooser, as a user would."""
    with page.expect_file_chooser() as chooser:
        page.get_by_test_id("stFileUploaderDropzone").get_by_test_id("stBaseButton-secondary").click()
    chooser.value.set_files(str(path))


def test_browser_uploads_pdf_saves_it_and_finds_it_on_excerpts_page(server, chromium, tmp_path):
    from fpdf import FPDF

    base, _ = server
    marker = "Quillfeather corvettes"
    pdf = FPDF()
    pdf.set_title("Navies gather off Okinawa")
    pdf.add_page()
    pdf.set_font("Helvetica", size=11)
    pdf.multi_cell(0, 6, f"Japan will send two {marker} to the Philippines next spring. " + BODY)
    path = tmp_path / "navies.pdf"
    pdf.output(str(path))

    ctx, page = open_upload(chromium, base)
    try:
        choose_file(page, path)
        page.get_by_text("Text, with mentions highlighted").wait_for()
        assert page.get_by_label("Title", exact=True).input_value() == "Navies gather off Okinawa"
        page.get_by_role("button", name="Save to the database").click()
        page.get_by_text("Saved. It is now on every page").wait_for()

        page.goto(base + "/excerpts")
        search = page.get_by_label("Search in these sentences")
        search.fill("Quillfeather")
        search.press("Enter")
        page.locator(".gl-group li, .gl-card", has_text=marker).first.wait_for()
    finally:
        ctx.close()


HOSTILE_HTML = """<!doctype html><html><head><title>Hostile page</title>
<script>window.__pwned = 1; alert('script ran');</script>
<meta http-equiv="refresh" content="0;url=javascript:window.__pwned=6">
</head><body onload="window.__pwned = 2">
<article>
<h1>Hostile page</h1>
<p onmouseover="window.__pwned = 3">BODY_HERE</p>
<p>The analyst quoted the payload &lt;img src=x onerror="window.__pwned=4;alert(4)"&gt; and
&lt;script&gt;window.__pwned=5&lt;/script&gt; verbatim in her report on Japan and China.</p>
<img src="x" onerror="window.__pwned = 7; alert(7)">
<iframe srcdoc="<script>parent.__pwned=8</script>"></iframe>
</article></body></html>""".replace("BODY_HERE", BODY)


def test_browser_hostile_html_is_shown_as_text_and_nothing_executes(server, chromium, tmp_path):
    base, _ = server
    path = tmp_path / "hostile.html"
    path.write_text(HOSTILE_HTML, encoding="utf-8")
    ctx, page = open_upload(chromium, base)
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    try:
        choose_file(page, path)
        page.get_by_text("Text, with mentions highlighted").wait_for()
        text_box = page.locator(".gl-text").first
        text_box.hover()  # would fire an onmouseover handler if one had survived
        shown = text_box.inner_text()
        assert '<img src=x onerror="window.__pwned=4;alert(4)">' in shown  # the payload is text, visible as written
        assert "<script>window.__pwned=5</script>" in shown
        assert text_box.locator("img, script, iframe").count() == 0
        page.wait_for_timeout(500)
        for frame in page.frames:
            assert frame.evaluate("() => window.__pwned === undefined && (window.parent.__pwned === undefined)")
        assert dialogs == []
    finally:
        ctx.close()


def test_browser_two_sessions_upload_at_once_and_a_third_sees_both(server, chromium, tmp_path):
    base, db = server
    markers = ["Bellwether frigates", "Sandpiper destroyers"]
    sessions = []
    try:
        for i, marker in enumerate(markers):
            path = tmp_path / f"session{i}.txt"
            path.write_text(f"Fleet news {i}\n{marker} sailed with the allies. {BODY}", encoding="utf-8")
            ctx, page = open_upload(chromium, base)
            choose_file(page, path)
            page.get_by_text("Text, with mentions highlighted").wait_for()
            sessions.append((ctx, page))
        buttons = [page.get_by_role("button", name="Save to the database") for _, page in sessions]
        for b in buttons:  # both clicks go out before either save has finished
            b.click(no_wait_after=True)
        for _, page in sessions:
            page.get_by_text("Saved. It is now on every page").wait_for()

        ctx3 = chromium.new_context()
        sessions.append((ctx3, None))
        third = ctx3.new_page()
        third.set_default_timeout(120_000)
        for marker in markers:
            third.goto(base + "/excerpts")
            search = third.get_by_label("Search in these sentences")
            search.fill(marker.split()[0])
            search.press("Enter")
            third.locator(".gl-group li, .gl-card", has_text=marker).first.wait_for()
    finally:
        for ctx, _ in sessions:
            ctx.close()


def paste_text(page, text: str) -> None:
    """Paste an article on the Paste text tab and press Analyse, as a user would."""
    page.get_by_role("tab", name="Paste text").click()
    page.get_by_label(re.compile(r"^Article text")).fill(text)
    page.get_by_role("button", name="Analyse text").click()


def test_browser_second_input_is_reviewed_and_a_stored_one_shows_its_stored_fields(server, chromium):
    base, _ = server
    ctx, page = open_upload(chromium, base)
    title = page.get_by_label("Title", exact=True)
    try:
        paste_text(page, "Harbour talks in Busan\n" + BODY)
        page.get_by_text("Text, with mentions highlighted").wait_for()
        title.fill("Harbour talks, edited")
        title.press("Enter")
        page.get_by_role("button", name="Save to the database").click()
        page.get_by_text("Saved. It is now on every page").wait_for()

        paste_text(page, "Tank deal in Berlin\n" + OTHER)
        page.get_by_role("button", name="Save to the database").wait_for()
        assert title.input_value() == "Tank deal in Berlin" and title.is_enabled()

        paste_text(page, "Harbour talks in Busan\n" + BODY)  # the same text again: already stored
        page.get_by_text("This article is already stored").wait_for()
        page.wait_for_function("() => [...document.querySelectorAll('input[aria-label=\"Title\"]')]"
                               ".some(e => e.value === 'Harbour talks, edited')")
        assert title.input_value() == "Harbour talks, edited" and title.is_disabled()
        assert page.get_by_role("button", name="Save to the database").count() == 0
        assert page.get_by_role("link", name="Open the stored article").count() == 1
    finally:
        ctx.close()
