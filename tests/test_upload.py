"""The Upload page (AppTest): pasted text, a URL served here, files of every kind, hostile input, concurrency."""

from __future__ import annotations

import csv
import html
import io
import os
import re
import subprocess
import sys
import threading
import time
import unicodedata
import zipfile
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from geolens.store import Store
from geolens.tables import article_id

ROOT = Path(__file__).resolve().parent.parent
PAGE = str(ROOT / "pages" / "upload.py")
BODY = (
    "Japan and South Korea agreed on Tuesday to deepen their security cooperation after a series of North Korean "
    "missile tests. The defence ministers said the two countries would share more intelligence and hold joint "
    "drills with the United States later this year, while China warned against what it called bloc politics."
)
FRENCH = (
    "Le gouvernement français a annoncé mardi une hausse du budget de la défense. Les ministres ont déclaré que "
    "les deux pays partageraient davantage de renseignements et organiseraient des exercices conjoints avec les "
    "alliés cette année, tandis que la Chine a mis en garde contre la politique des blocs."
)


# -- helpers ------------------------------------------------------------------------------------------------


@pytest.fixture
def db(tmp_path, monkeypatch, nlp) -> Path:
    """A fresh database for the page (GEOLENS_DB), with the pipeline already loaded in this process."""
    path = tmp_path / "upload.duckdb"
    monkeypatch.setenv("GEOLENS_DB", str(path))
    return path


def open_page() -> AppTest:
    """A new browser session on the Upload page."""
    at = AppTest.from_file(PAGE, default_timeout=180)
    at.run()
    assert not at.exception, at.exception
    return at


def upload(at: AppTest, *files: tuple[str, bytes]) -> AppTest:
    """Put files in the uploader (as a browser would) and run the page."""
    uploader = next(u for u in at.file_uploader if u.key.startswith("upload:files"))
    uploader.set_value([(name, data, "application/octet-stream") for name, data in files])
    at.run()
    assert not at.exception, at.exception
    return at


def paste(at: AppTest, text: str) -> AppTest:
    """Paste text and press Analyse."""
    at.text_area(key="upload:paste_text").set_value(text)
    at.button(key="upload:paste_go").click()
    at.run()
    assert not at.exception, at.exception
    return at


def keyed(widgets, prefix: str):
    """The widgets whose key starts with `prefix`."""
    return [w for w in widgets if (w.key or "").startswith(prefix)]


def save(at: AppTest) -> AppTest:
    """Press the Save button of the one draft shown."""
    [button] = keyed(at.button, "upload:save:")
    button.click()
    at.run()
    assert not at.exception, at.exception
    return at


def stored_articles(path: Path):
    """The articles table of the database (empty when the file was never created)."""
    if not path.exists():
        return None
    return Store(path).table("articles")


def n_stored(path: Path) -> int:
    """Number of stored articles."""
    df = stored_articles(path)
    return 0 if df is None else len(df)


def results_table(at: AppTest):
    """The per-input results table of a multi-input upload."""
    [df] = [d.value for d in at.dataframe if {"input", "status", "reason"} <= set(d.value.columns)]
    return df


def page_text(at: AppTest) -> str:
    """Every piece of text the page shows, for searching."""
    parts = []
    for kind in ("markdown", "caption", "error", "warning", "info", "success", "html", "title"):
        parts.extend(str(e.value) for e in getattr(at, kind))
    return "\n".join(parts)


def shown_text(fragment: str) -> str:
    """The text a browser shows for an HTML fragment (tags dropped, entities decoded)."""
    return html.unescape(re.sub(r"<br>", "\n", re.sub(r"<(?!br>)[^>]+>", "", fragment)))


def pdf_bytes(text: str | None, *, title: str = "", password: str | None = None) -> bytes:
    """A real PDF made with fpdf2: a text layer, only a drawing (no text), or encrypted."""
    from fpdf import FPDF

    pdf = FPDF()
    if title:
        pdf.set_title(title)
    pdf.add_page()
    if text:
        pdf.set_font("Helvetica", size=11)
        pdf.multi_cell(0, 6, text)
    else:
        pdf.rect(10, 10, 50, 50)
    if password:
        pdf.set_encryption(owner_password=password, user_password=password)
    return bytes(pdf.output())


def pdf_bomb(inflated_mb: int, pages: int = 1) -> bytes:
    """A small PDF whose page content streams inflate to `inflated_mb` MB of text operators each."""
    op = b"BT /F1 12 Tf 72 712 Td (Deterrence) Tj ET\n"
    stream = zlib.compress(op * (inflated_mb * 1024 * 1024 // len(op)), 9)
    font = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>", b"", font]
    kids = []
    for _ in range(pages):
        kids.append(len(objs) + 1)
        objs.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> "
            b"/Contents %d 0 R >>" % (len(objs) + 2)
        )
        objs.append(b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream")
    objs[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join(b"%d 0 R" % k for k in kids), pages)
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for n, body in enumerate(objs, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % n + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    return bytes(out)


def docx_bytes(paragraphs: list[str], *, title: str = "") -> bytes:
    """A real .docx made with python-docx."""
    import docx

    d = docx.Document()
    if title:
        d.core_properties.title = title
    for p in paragraphs:
        d.add_paragraph(p)
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def docx_bomb(inflated_mb: int) -> bytes:
    """A .docx-shaped zip whose document part inflates to `inflated_mb` MB."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        zf.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        with zf.open("word/document.xml", "w", force_zip64=True) as f:
            block = b" " * (1024 * 1024)
            for _ in range(inflated_mb):
                f.write(block)
    return buf.getvalue()


# -- pasted text ---------------------------------------------------------------------------------------------


def test_upload_pasted_text_shows_analysis_before_saving(db, seed_text):
    at = paste(open_page(), seed_text)
    assert n_stored(db) == 0  # analysed, not stored
    countries = at.dataframe[0].value
    assert {"JPN", "CHN", "USA"} <= set(countries["country"])
    assert "Japan" in set(countries["name"])
    html_all = "\n".join(h.value for h in at.html)
    assert "Alliances & partnerships" in shown_text(html_all) and "Military technology" in shown_text(html_all)
    assert "<mark" in html_all and ">Japan</mark>" in html_all
    assert 'class="gl-card"' in html_all and 'class="gl-theme"' in html_all  # evidence sentences, cues marked
    [title] = keyed(at.text_input, "upload:title:")
    assert title.value == "Japan's Security Awakening: Beyond American Dependence"


def test_upload_save_stores_edited_fields_and_links_to_article(db, seed_text):
    import datetime

    at = paste(open_page(), seed_text)
    keyed(at.text_input, "upload:title:")[0].set_value("Japan charts its own course")
    keyed(at.text_input, "upload:source:")[0].set_value("Seed Weekly")
    keyed(at.date_input, "upload:published:")[0].set_value(datetime.date(2025, 3, 1))
    at = save(at)
    aid = article_id(seed_text)
    [row] = stored_articles(db).to_dict("records")
    assert row["article_id"] == aid
    assert row["title"] == "Japan charts its own course"
    assert row["source"] == "Seed Weekly"
    assert str(row["published"].date()) == "2025-03-01"
    assert any("Saved" in s.value for s in at.success)
    assert f"./article?article={aid}" in page_text(at)
    stored = Store(db).article(aid)
    assert len(stored["mentions"]) > 10 and stored["article_themes"]["assigned"].any()


def test_upload_reupload_of_stored_article_says_so_and_links_to_it(db, seed_text):
    save(paste(open_page(), seed_text))
    again = upload(open_page(), ("copy of seed.txt", seed_text.encode("utf-8")))
    assert any("already stored" in i.value for i in again.info)
    assert f"./article?article={article_id(seed_text)}" in page_text(again)
    assert not keyed(again.button, "upload:save:")  # nothing to save twice
    assert n_stored(db) == 1


def test_upload_under_the_app_links_to_the_article_page(db, seed_text):
    """Run through app.py's navigation: the link is a real page link to /article?article=ID."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
    at.run()  # a fresh database is seeded with the sample (the seed article)
    at.switch_page("pages/upload.py")
    at.run()
    at = upload(at, ("seed again.txt", seed_text.encode("utf-8")))
    assert any("already stored" in i.value for i in at.info)
    [link] = at.get("page_link")
    assert link.proto.page == "article"
    assert link.proto.query_string == f"article={article_id(seed_text)}"


# -- a URL served by this test ------------------------------------------------------------------------------


class _Pages(BaseHTTPRequestHandler):
    routes: dict[str, tuple[int, str, bytes]] = {}

    def log_message(self, *args):
        pass

    def do_GET(self):  # noqa: N802
        status, ctype, body = self.routes.get(self.path, (404, "text/plain", b"not found"))
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def site(seed_text):
    """A web server on 127.0.0.1 serving an article page (in Windows-1252), its redirect and a PDF."""
    paras = "".join(f"<p>{line}</p>" for line in seed_text.splitlines()[2:])
    page = (
        "<html><head><title>Japan’s security awakening</title><meta name='date' content='2025-02-14'>"
        "<script>document.title='pwned'</script></head><body><nav>Home | World | Sport</nav>"
        f"<article><h1>Japan’s security awakening</h1>{paras}</article><footer>© Example</footer></body></html>"
    )
    _Pages.routes = {
        "/world/japan-security": (200, "text/html; charset=windows-1252", page.encode("cp1252", "replace")),
        "/short": (302, "text/plain", b""),
        "/report.pdf": (200, "application/pdf", pdf_bytes(BODY + " " + BODY, title="Allies drill")),
        "/logo.png": (200, "image/png", b"\x89PNG\r\n\x1a\n"),
    }
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Pages)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()
    httpd.server_close()


def fetch(at: AppTest, url: str) -> AppTest:
    """Give a URL and press Fetch."""
    at.text_input(key="upload:url").set_value(url)
    at.button(key="upload:url_go").click()
    at.run()
    assert not at.exception, at.exception
    return at


def test_upload_url_fetches_page_and_prefills_fields(db, site):
    at = fetch(open_page(), site + "/world/japan-security")
    assert not at.error, [e.value for e in at.error]
    assert keyed(at.text_input, "upload:title:")[0].value == "Japan’s security awakening"
    assert keyed(at.text_input, "upload:source:")[0].value
    assert str(keyed(at.date_input, "upload:published:")[0].value) == "2025-02-14"
    assert "JPN" in set(at.dataframe[0].value["country"])
    html_all = "\n".join(h.value for h in at.html)
    assert "Home | World | Sport" not in html_all and "pwned" not in html_all
    at = save(at)
    [row] = stored_articles(db).to_dict("records")
    assert row["url"] == site + "/world/japan-security"


def test_upload_url_reads_pdf(db, site):
    at = fetch(open_page(), site + "/report.pdf")
    assert not at.error, [e.value for e in at.error]
    assert keyed(at.text_input, "upload:title:")[0].value == "Allies drill"


@pytest.mark.parametrize(
    ("path", "message"),
    [("/missing", "HTTP 404"), ("/logo.png", "image/png"), ("/short", "without a target")],
)
def test_upload_url_that_cannot_be_fetched_gets_clear_message(db, site, path, message):
    at = fetch(open_page(), site + path)
    [err] = at.error
    assert message in err.value and "Nothing was stored" in err.value
    assert n_stored(db) == 0


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://127.0.0.1/a.txt", "not a url"])
def test_upload_url_refuses_non_http_schemes(db, url):
    at = fetch(open_page(), url)
    assert "only http" in at.error[0].value or "spaces" in at.error[0].value
    assert n_stored(db) == 0


# -- files: every format, and every bad input ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "data", "title"),
    [
        ("note.txt", ("Allies meet\n" + BODY).encode("utf-8"), "Allies meet"),
        ("note.md", ("# Allies meet\n\n" + BODY).encode("utf-8"), "Allies meet"),
        ("page.html", f"<html><head><title>Allies meet</title></head><body><p>{BODY}</p></body></html>".encode(), "Allies meet"),
        ("paper.pdf", pdf_bytes(BODY, title="Allies meet"), "Allies meet"),
        ("memo.docx", docx_bytes([BODY], title="Allies meet"), "Allies meet"),
    ],
    ids=["txt", "md", "html", "pdf", "docx"],
)
def test_upload_reads_each_single_article_format(db, name, data, title):
    at = upload(open_page(), (name, data))
    assert not at.error, [e.value for e in at.error]
    assert keyed(at.text_input, "upload:title:")[0].value == title
    assert {"JPN", "KOR"} <= set(at.dataframe[0].value["country"])


@pytest.mark.parametrize(
    ("encoding", "prefix"),
    [("utf-8", b""), ("utf-8", b"\xef\xbb\xbf"), ("utf-16", b""), ("cp1252", b"")],
    ids=["utf8", "utf8-bom", "utf16-bom", "windows-1252"],
)
def test_upload_reads_legacy_encodings_correctly(db, encoding, prefix):
    text = "Café diplomacy – “Señor” Müller’s talks in Zürich\n" + BODY
    at = upload(open_page(), ("legacy.txt", prefix + text.encode(encoding)))
    assert not at.error, [e.value for e in at.error]
    assert keyed(at.text_input, "upload:title:")[0].value == "Café diplomacy – “Señor” Müller’s talks in Zürich"
    assert "Café diplomacy – “Señor” Müller’s talks in Zürich" in shown_text(at.html[-1].value)


def test_upload_batch_csv_gives_one_draft_per_row_and_reports_bad_rows(db):
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["url", "date", "title", "text"])
    w.writerow(["https://en.wikinews.org/a", "2019-01-04", "Drills", BODY])
    w.writerow(["https://en.wikinews.org/b", "2019-01-05", "Too short", "A few words only."])
    w.writerow(["https://en.wikinews.org/c", "2019-01-06", "En français", FRENCH])
    at = upload(open_page(), ("batch.csv", buf.getvalue().encode()))
    results = results_table(at)
    assert list(results["status"]) == ["analysed, not saved yet", "refused", "refused"]
    assert "only 4 words" in results["reason"][1] and "not in English" in results["reason"][2]
    keyed(at.button, "upload:save_all")[0].click()
    at.run()
    assert stored_articles(db)["title"].tolist() == ["Drills"]


BAD_INPUTS = [
    ("empty.txt", b"", "the file is empty"),
    ("blank.txt", b"  \n\t \n", "the file is empty"),
    ("photo.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 8, "binary"),
    ("scan.pdf", pdf_bytes(None), "no text layer"),
    ("broken.pdf", b"%PDF-1.4\n1 0 obj << /Type /Catalog >> garbage garbage", "not a readable PDF"),
    ("locked.pdf", pdf_bytes(BODY, password="s3cret"), "encrypted"),
    ("broken.docx", b"PK\x03\x04" + b"\x00garbage" * 50, "not a readable DOCX"),
    ("notext.csv", b"title,date,url\nA,2020-01-01,http://x\n", "no 'text' column"),
    ("french.txt", FRENCH.encode("utf-8"), "not in English"),
    ("tiny.txt", b"Only five words here, sorry.", "at least 20"),
    ("program.exe", b"MZ\x90\x00" + b"\x00" * 64, "unsupported file type"),
]


@pytest.mark.parametrize(("name", "data", "message"), BAD_INPUTS, ids=[b[0] for b in BAD_INPUTS])
def test_upload_bad_input_gets_clear_message_and_stores_nothing(db, name, data, message):
    at = upload(open_page(), (name, data))
    [err] = at.error
    assert message in err.value, err.value
    assert "refused" in err.value and "Nothing was stored" in err.value
    assert "Traceback" not in page_text(at)
    assert not keyed(at.button, "upload:save")
    assert n_stored(db) == 0


def test_upload_oversize_file_is_refused_on_the_server(db, monkeypatch):
    monkeypatch.setenv("GEOLENS_MAX_MB", "1")
    big = ("Allies meet\n" + BODY + "\n").encode() * 6000  # about 2 MB
    at = upload(open_page(), ("big.txt", big))
    assert "over the 1 MB limit" in at.error[0].value
    assert n_stored(db) == 0


def test_upload_ten_megabyte_single_line_is_refused_clearly(db):
    line = ("The ministers said that the talks in Tokyo were over and that the allies would meet again. " * 110_000)
    data = line.strip().encode()
    assert len(data) >= 10_000_000 and b"\n" not in data
    at = upload(open_page(), ("one-line.txt", data))
    [err] = at.error
    assert "characters long" in err.value and "refused" in err.value
    assert n_stored(db) == 0


@pytest.mark.parametrize(
    ("kind", "data_fn", "reason"),
    [
        # one stream past pypdf's own decompression limit
        ("pdf", lambda: pdf_bomb(100), r"decompression bomb"),
        # several streams under that limit: the worker process is stopped at its time or memory bound
        ("pdf", lambda: pdf_bomb(40, pages=4), r"took longer than 5 s|memory limit"),
        # a zip whose parts inflate past the DOCX bound
        ("docx", lambda: docx_bomb(300), r"decompression bomb|memory limit|took longer"),
    ],
    ids=["pdf-one-stream", "pdf-many-streams", "docx"],
)
def test_upload_decompression_bomb_is_refused(db, monkeypatch, kind, data_fn, reason):
    monkeypatch.setenv("GEOLENS_PARSE_TIMEOUT", "5")
    monkeypatch.setenv("GEOLENS_PARSE_MEMORY_MB", "400")
    data = data_fn()
    assert len(data) < 2 * 1024 * 1024  # small on disk, huge once inflated
    at = upload(open_page(), (f"bomb.{kind}", data))
    [err] = at.error
    assert "refused" in err.value and re.search(reason, err.value), err.value
    assert n_stored(db) == 0


@pytest.mark.parametrize(
    "name",
    ["../../etc/passwd.txt", "..\\..\\windows\\evil.txt", "/abs/path/x.txt", "new\nline\r\x1b[31mred\x07.txt",
     "tab\there\x00.txt", "[link](javascript:alert(1)).txt"],
)
def test_upload_file_name_with_path_separators_or_control_chars_is_cleaned(db, name):
    at = upload(open_page(), (name, ("Allies meet\n" + BODY).encode()))
    assert not at.error, [e.value for e in at.error]
    shown = [c.value for c in at.caption if c.value.startswith("From:")][0]
    raw = re.sub(r"\\(.)", r"\1", shown)  # undo the Markdown escaping
    assert "/" not in raw and "\\" not in raw
    assert not any(unicodedata.category(ch) == "Cc" for ch in shown)
    assert "](" not in shown  # markdown in a file name is shown as text, not as a link
    save(at)
    assert n_stored(db) == 1
    assert sorted(p.name for p in db.parent.iterdir() if not p.name.startswith("upload.duckdb")) == []


def test_upload_fifty_files_at_once_gives_progress_and_per_file_results(db, corpus_csvs):
    rows = []
    with open(corpus_csvs[0], newline="", encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            if len(r["text"].split()) > 60:
                rows.append(r)
            if len(rows) == 49:
                break
    files = [(f"wikinews-{i:02d}.txt", f"{r['title']}\n{r['text']}".encode()) for i, r in enumerate(rows)]
    files.append(("broken.pdf", b"%PDF-1.4 nothing"))
    at = upload(open_page(), *files)
    [bar] = at.get("progress")
    assert "50 file(s)" in bar.proto.text
    results = results_table(at)
    assert len(results) == 50
    assert (results["status"] == "analysed, not saved yet").sum() == 49
    assert results.loc[results["input"] == "broken.pdf", "reason"].str.contains("PDF").all()
    [save_all] = keyed(at.button, "upload:save_all")
    assert save_all.label == "Save all 49 analysed article(s)"
    save_all.click()
    at.run()
    assert not at.exception
    assert n_stored(db) == 49
    results = results_table(at)
    assert (results["status"] == "saved").sum() == 49
    assert results["article"].dropna().str.startswith("./article?article=").all()


def test_upload_same_text_twice_in_one_batch_is_stored_once(db):
    data = ("Allies meet\n" + BODY).encode()
    at = upload(open_page(), ("a.txt", data), ("b.txt", data))
    keyed(at.button, "upload:save_all")[0].click()
    at.run()
    statuses = sorted(results_table(at)["status"])
    assert statuses == ["already stored", "saved"]
    assert n_stored(db) == 1


def test_upload_clear_forgets_drafts_and_files(db):
    at = upload(open_page(), ("a.txt", ("Allies meet\n" + BODY).encode()))
    at.button(key="upload:clear").click()
    at.run()
    assert not keyed(at.text_input, "upload:title:")
    assert any("analysis shows here" in i.value for i in at.info)
    assert n_stored(db) == 0


# -- concurrency -------------------------------------------------------------------------------------------


_SESSION = """
import sys, time
from pathlib import Path
from streamlit.testing.v1 import AppTest
page, text_file, go_file = sys.argv[1:4]
at = AppTest.from_file(page, default_timeout=180)
at.run()
at.text_area(key="upload:paste_text").set_value(Path(text_file).read_text(encoding="utf-8"))
at.button(key="upload:paste_go").click()
at.run()
print("ready", flush=True)
while not Path(go_file).exists():
    time.sleep(0.01)
[save] = [b for b in at.button if (b.key or "").startswith("upload:save:")]
save.click()
at.run()
print("saved" if any("Saved" in s.value for s in at.success) else "not saved", [e.value for e in at.exception], flush=True)
"""


def test_upload_two_sessions_saving_at_once_both_succeed(db, tmp_path, seed_text):
    """Two sessions (in two processes, as two app servers would be) press Save at the same moment."""
    texts = [seed_text, "Allies meet\n" + BODY]
    go = tmp_path / "go"
    procs = []
    for i, text in enumerate(texts):
        (tmp_path / f"t{i}.txt").write_text(text, encoding="utf-8")
        procs.append(
            subprocess.Popen(
                [sys.executable, "-c", _SESSION, PAGE, str(tmp_path / f"t{i}.txt"), str(go)],
                cwd=ROOT, env={**os.environ, "GEOLENS_DB": str(db)}, stdout=subprocess.PIPE, text=True,
            )
        )
    try:
        for p in procs:
            assert p.stdout.readline().strip() == "ready"
        go.touch()
        outs = [p.communicate(timeout=300)[0] for p in procs]
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
    assert all(o.strip().startswith("saved []") for o in outs), outs
    assert sorted(stored_articles(db)["article_id"]) == sorted(article_id(t) for t in texts)  # each once
    third = upload(open_page(), *[(f"{i}.txt", t.encode()) for i, t in enumerate(texts)])
    assert sorted(results_table(third)["status"]) == ["already stored", "already stored"]


def test_upload_saves_from_two_threads_of_one_server_both_land(db, seed_text):
    """Sessions of one Streamlit server are threads of one process: both saves land, none twice."""
    from geolens.drafts import draft_from_text, save_drafts

    drafts = [draft_from_text(seed_text), draft_from_text("Allies meet\n" + BODY), draft_from_text(seed_text)]
    barrier = threading.Barrier(len(drafts))
    errors: list[BaseException] = []

    def press(d) -> None:
        try:
            barrier.wait()
            save_drafts(Store(db), [d])
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            errors.append(exc)

    threads = [threading.Thread(target=press, args=(d,)) for d in drafts]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not errors, errors
    assert sorted(d.status for d in drafts) == ["saved", "saved", "stored"]
    assert n_stored(db) == 2


def _hold_write_lock(path: Path, seconds: float) -> subprocess.Popen:
    """Another process that opens the database for writing and keeps it for `seconds`."""
    code = (
        "import duckdb, sys, time\n"
        "con = duckdb.connect(sys.argv[1])\n"
        "con.execute('BEGIN TRANSACTION'); con.execute(\"UPDATE meta SET value = value WHERE key = 'version'\")\n"
        "print('locked', flush=True)\n"
        "time.sleep(float(sys.argv[2]))\n"
        "con.execute('COMMIT'); con.close()\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", code, str(path), str(seconds)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "locked"
    return proc


def test_upload_waits_for_another_writer_then_saves(db, seed_text):
    Store(db).init()
    at = paste(open_page(), seed_text)
    holder = _hold_write_lock(db, 2.0)
    try:
        at = save(at)
    finally:
        holder.wait(30)
    assert any("Saved" in s.value for s in at.success)
    assert n_stored(db) == 1


def test_upload_busy_database_says_try_again_and_loses_nothing(db, seed_text):
    Store(db).init()
    at = paste(open_page(), seed_text)
    holder = _hold_write_lock(db, 9.0)  # longer than the dashboard's 5 s wait for the lock
    try:
        at = save(at)
        assert any("busy" in w.value and "Nothing was lost" in w.value for w in at.warning)
        assert keyed(at.button, "upload:save:")  # the draft is still there, ready to save again
    finally:
        holder.wait(30)
    at = save(at)
    assert any("Saved" in s.value for s in at.success)
    assert n_stored(db) == 1


def test_upload_while_cli_ingest_runs_both_complete(db, tmp_path, corpus_csvs):
    batch = tmp_path / "batch.csv"
    with open(corpus_csvs[1], newline="", encoding="utf-8") as src, open(batch, "w", newline="", encoding="utf-8") as dst:
        reader = csv.DictReader(src)
        writer = csv.DictWriter(dst, fieldnames=reader.fieldnames)
        writer.writeheader()
        for i, row in enumerate(reader):
            if i == 70:
                break
            writer.writerow(row)
    env = {**os.environ, "GEOLENS_DB": str(db), "GEOLENS_WORKERS": "1"}
    cli = subprocess.Popen(
        [sys.executable, "-m", "geolens", "ingest", str(batch), "--no-progress"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    saved = []
    try:
        variants = [f"Allies meet, part {i}\n" + BODY for i in range(4)]
        for text in variants:
            at = save(paste(open_page(), text))
            assert any("Saved" in s.value for s in at.success), [w.value for w in at.warning]
            saved.append(article_id(text))
            time.sleep(0.5)
    finally:
        out, _ = cli.communicate(timeout=600)
    ids = set(stored_articles(db)["article_id"])
    assert set(saved) <= ids
    assert cli.returncode in (0, 1), out  # 1 only when some corpus rows were rejected, never a crash
    assert "Traceback" not in out
    added = re.search(r"added (\d+), duplicates (\d+)", out)
    assert added, out
    assert len(ids) == int(added.group(1)) + len(saved)  # nothing from either side lost or doubled


def test_upload_save_into_a_vanished_folder_names_the_cause_and_keeps_the_draft(tmp_path, monkeypatch, nlp, seed_text):
    folder = tmp_path / "dbdir"
    folder.mkdir()
    db = folder / "upload.duckdb"
    monkeypatch.setenv("GEOLENS_DB", str(db))
    at = paste(open_page(), seed_text)
    folder.rmdir()  # the database folder goes away (an unmounted disk, a deleted directory) before Save
    at = save(at)
    [warning] = [w.value for w in at.warning]
    assert f"database folder {folder} does not exist" in warning.replace("\\", "")
    assert "Nothing was stored" in warning
    assert keyed(at.button, "upload:save:")  # still ready: Save can be pressed once the folder is back
    assert not folder.exists()


def test_upload_over_the_total_limit_reads_nothing_says_so_and_takes_a_smaller_upload(db, monkeypatch):
    monkeypatch.setenv("GEOLENS_MAX_UPLOAD_TOTAL_MB", "0.008")  # 8.4 KB for all files together
    files = [(f"part{i}.txt", (f"Allies meet, part {i}\n" + (BODY + " ") * 10).encode()) for i in range(3)]
    assert 2 * 4000 < 8389 < 3 * 3000 and all(3000 < len(d) < 4000 for _, d in files)  # two fit together, three not
    at = open_page()
    assert "Up to 20 MB per file and 0.008 MB for all the files of one upload together." in page_text(at)
    at = upload(at, *files)
    table = results_table(at)
    assert list(table["status"]) == ["refused"] * 3
    assert all("over the 0.008 MB limit for one upload" in r for r in table["reason"])
    assert not keyed(at.button, "upload:save")
    assert n_stored(db) == 0
    at = upload(at, *files[:2])  # two of them fit: read and analysed now
    table = results_table(at)
    assert list(table["status"]) == ["analysed, not saved yet"] * 2


# -- the same verdict from the Upload page and the command line ---------------------------------------------------

SAME_VERDICT_INPUTS = [(name, data) for name, data, _ in BAD_INPUTS] + [
    ("big.txt", ("Allies meet\n" + BODY + "\n").encode() * 8000),  # 2.6 MB: over the 2 MB limit set below
    ("long.txt", ("Allies meet\n" + (BODY + " ") * 3300).encode()),  # 1.0 MB: fits, but over a million characters
]


def test_upload_and_cli_give_the_same_verdict_on_every_bad_input(tmp_path, monkeypatch, nlp):
    monkeypatch.setenv("GEOLENS_MAX_MB", "2")
    folder = tmp_path / "inputs"
    folder.mkdir()
    files = SAME_VERDICT_INPUTS
    assert 2 * 1048576 < len(files[-2][1]) and 1_000_000 < len(files[-1][1]) < 2 * 1048576
    for name, data in files:
        (folder / name).write_bytes(data)
    db = tmp_path / "verdict.duckdb"
    cli = subprocess.run(
        [sys.executable, "-m", "geolens", "ingest", "--no-progress", "--db", str(db), *(str(folder / n) for n, _ in files)],
        capture_output=True, text=True, cwd=ROOT, env={**os.environ, "GEOLENS_MAX_MB": "2"}, timeout=600,
    )
    assert cli.returncode == 1, cli.stderr
    from_cli = {}
    for line in cli.stdout.splitlines():
        if line.startswith("rejected: "):
            origin, reason = line.removeprefix("rejected: ").split(": ", 1)
            from_cli[Path(origin).name] = reason
    monkeypatch.setenv("GEOLENS_DB", str(tmp_path / "page.duckdb"))
    at = upload(open_page(), *files)
    table = results_table(at)
    from_page = dict(zip(table["input"], table["reason"], strict=True))
    assert set(table["status"]) == {"refused"}
    assert from_page == from_cli


def test_upload_says_before_analysing_when_saving_cannot_work(tmp_path, monkeypatch, nlp, seed_text):
    monkeypatch.setenv("GEOLENS_DB", str(tmp_path / "gone" / "upload.duckdb"))
    at = paste(open_page(), seed_text)
    [warning] = [w.value for w in at.warning]
    assert "Saving will not work until this is fixed" in warning and "does not exist" in warning
    assert at.dataframe  # the analysis is shown all the same
    assert not (tmp_path / "gone").exists()
