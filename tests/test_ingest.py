"""Readers: every supported format on real files the tests make, and every kind of bad input."""

from __future__ import annotations

import io
import json
import sys
import zipfile
import zlib
from datetime import date

import pytest

from geolens import ingest
from geolens.ingest import Article, IngestError, Rejected, read_bytes, read_file

ROOT = __import__("pathlib").Path(__file__).resolve().parent.parent
BODY = (
    "Japan and South Korea agreed on Tuesday to deepen their security cooperation after a series of North Korean "
    "missile tests. The defence ministers said the two countries would share more intelligence and hold joint "
    "drills with the United States later this year, while China warned against what it called bloc politics."
)


def _pdf_bytes(text: str | None, *, title: str = "PDF headline", password: str | None = None) -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_title(title)
    pdf.add_page()
    if text:
        pdf.set_font("Helvetica", size=11)
        pdf.multi_cell(0, 6, text)
    else:
        pdf.rect(10, 10, 50, 50)  # a page with a drawing and no text layer, like a scan
    if password:
        pdf.set_encryption(owner_password=password, user_password=password)
    return bytes(pdf.output())


def _docx_bytes(paragraphs: list[str], *, title: str = "") -> bytes:
    import docx

    d = docx.Document()
    if title:
        d.core_properties.title = title
    for p in paragraphs:
        d.add_paragraph(p)
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def test_ingest_reads_plain_text_with_first_line_as_title(seed_text):
    [art] = read_bytes("seed.txt", seed_text.encode("utf-8"))
    assert art.title == "Japan's Security Awakening: Beyond American Dependence"
    assert art.text.startswith("Japan's Security Awakening")
    assert art.origin == "seed.txt"


@pytest.mark.parametrize(
    "encoding,prefix",
    [("utf-8", b""), ("utf-8", b"\xef\xbb\xbf"), ("utf-16", b""), ("cp1252", b"")],
    ids=["utf8", "utf8-bom", "utf16-bom", "windows-1252"],
)
def test_ingest_decodes_legacy_encodings(encoding, prefix):
    text = "Café diplomacy – “Señor” Müller’s talks in Zürich. " + BODY
    data = prefix + text.encode(encoding)  # Python's utf-16 codec writes a BOM itself
    [art] = read_bytes("note.txt", data)
    assert "Café diplomacy – “Señor” Müller’s talks in Zürich." in art.text


def test_ingest_reads_markdown_without_markup():
    md = f"# Alliance news\n\nSome **bold** words and a [link](http://x.org).\n\n{BODY}\n"
    [art] = read_bytes("a.md", md.encode())
    assert art.title == "Alliance news"
    assert "**" not in art.text and "](" not in art.text
    assert "Some bold words and a link." in art.text


def test_ingest_reads_html_main_text_without_scripts_or_navigation():
    html = f"""<html><head><title>Allies meet in Tokyo</title>
    <meta property="og:site_name" content="Example Times"><meta name="date" content="2024-03-05">
    <script>var tracker = "SECRET_SCRIPT";</script><style>.nav {{ color: red }}</style></head>
    <body><nav><a href="/">Home</a> | <a href="/world">World NAVLINK</a></nav>
    <header>Subscribe now HEADERTEXT</header>
    <article><h1>Allies meet in Tokyo</h1><p>{BODY}</p><p>{BODY.replace('Tuesday', 'Wednesday')}</p></article>
    <footer>Copyright FOOTERTEXT</footer><script>alert("x")</script></body></html>"""
    [art] = read_bytes("page.html", html.encode())
    assert "Japan and South Korea agreed" in art.text
    for junk in ("SECRET_SCRIPT", "NAVLINK", "FOOTERTEXT", "alert(", "color: red"):
        assert junk not in art.text
    assert art.title == "Allies meet in Tokyo"


def test_ingest_reads_pdf_text_layer_and_title():
    [art] = read_bytes("report.pdf", _pdf_bytes(BODY, title="Security report"))
    assert "North Korean missile tests" in " ".join(art.text.split())
    assert art.title == "Security report"


def test_ingest_reads_docx_paragraphs_and_title():
    [art] = read_bytes("memo.docx", _docx_bytes(["Heading line", BODY], title="Memo title"))
    assert "Japan and South Korea agreed" in art.text
    assert art.title == "Memo title"


def test_ingest_reads_corpus_style_csv_with_dateline_and_url():
    import csv

    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["url", "date", "title", "text"])
    w.writerow(["https://en.wikinews.org/wiki/A", "2019-01-04", "Talks held", "Friday, January 4, 2019\n\n" + BODY])
    w.writerow(["https://en.wikinews.org/wiki/B", "", "Empty one", ""])
    items = read_bytes("batch.csv", buf.getvalue().encode())
    arts = [i for i in items if isinstance(i, Article)]
    rejected = [i for i in items if isinstance(i, Rejected)]
    assert len(arts) == 1 and arts[0].published == date(2019, 1, 4)
    assert arts[0].source == "en.wikinews.org" and arts[0].title == "Talks held"
    assert rejected and rejected[0].origin == "batch.csv row 2" and "empty" in rejected[0].reason


def test_ingest_reads_jsonl_batch():
    lines = [json.dumps({"title": f"T{i}", "date": "2020-02-0" + str(i + 1), "url": "", "text": BODY + f" Item {i}."}) for i in range(3)]
    items = read_bytes("b.jsonl", "\n".join(lines).encode())
    assert [a.title for a in items] == ["T0", "T1", "T2"]
    assert items[2].published == date(2020, 2, 3)


def test_ingest_takes_dateline_as_published_date():
    [art] = read_bytes("wn.txt", ("Friday, January 4, 2019\n\n" + BODY).encode())
    assert art.published == date(2019, 1, 4)


def test_ingest_explicit_fields_override_file_metadata():
    [art] = read_bytes("x.txt", ("Headline here\n" + BODY).encode(), title="Mine", source="Desk", published="2021-05-06")
    assert (art.title, art.source, art.published) == ("Mine", "Desk", date(2021, 5, 6))


def _corrupt_docx() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("[Content_Types].xml", "<not really xml")
    return buf.getvalue()


@pytest.mark.parametrize(
    "name,data,message",
    [
        ("empty.txt", b"", "empty"),
        ("blank.txt", b"   \n\n  ", "empty"),
        ("image.txt", bytes(range(256)) * 40, "binary"),
        ("scan.pdf", None, "no text layer"),
        ("broken.pdf", b"%PDF-1.4\n1 0 obj << /Type /Catalog >>\ngarbage" * 3, "not a readable PDF"),
        ("locked.pdf", "encrypted", "encrypted"),
        ("broken.docx", b"PK\x03\x04 this is not a zip", "not a readable DOCX"),
        ("broken2.docx", "corrupt-docx", "not a readable DOCX"),
        ("nocol.csv", b"title,date,url\nA,2019-01-01,http://x\n", "no 'text' column"),
        ("french.txt", ("Le gouvernement français a annoncé mardi une nouvelle loi sur la sécurité intérieure et les "
                        "frontières de l'Union européenne, selon le ministre de l'Intérieur qui a parlé devant les "
                        "députés à Paris pendant plus de deux heures.").encode(), "not in English"),
        ("tiny.txt", b"Japan protests.", "at least"),
        ("table.xlsx", b"PK\x03\x04xx", "unsupported file type"),
    ],
)
def test_ingest_rejects_bad_input_with_clear_message(name, data, message):
    if data is None:
        data = _pdf_bytes(None)
    elif data == "encrypted":
        data = _pdf_bytes(BODY, password="s3cret")
    elif data == "corrupt-docx":
        data = _corrupt_docx()
    with pytest.raises(IngestError) as err:
        read_bytes(name, data)
    assert message in str(err.value)
    assert "\n" not in str(err.value)


def test_ingest_rejects_file_over_size_limit(tmp_path, monkeypatch):
    monkeypatch.setenv("GEOLENS_MAX_MB", "0.01")
    p = tmp_path / "big.txt"
    p.write_text(BODY * 100)
    with pytest.raises(IngestError, match="over the"):
        read_file(p)


def test_ingest_refuses_docx_decompression_bomb():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", b"<" + b"a" * (300 * 1024 * 1024))
    with pytest.raises(IngestError, match="decompression bomb"):
        read_bytes("bomb.docx", buf.getvalue())


def _pdf_inflating_to(mb: int) -> bytes:
    """A valid one-page PDF whose content stream is ~70 KB on disk and inflates to `mb` MB when read."""
    content = b"BT /F1 12 Tf 72 712 Td (" + BODY[:60].encode() + b") Tj ET\n" + b" " * (mb * 1024 * 1024)
    stream = zlib.compress(content, 9)
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for i, obj in enumerate(objs, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % i + obj + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1))
    out.write(b"".join(b"%010d 00000 n \n" % o for o in offsets))
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref))
    return out.getvalue()


def _docx_with_paragraphs_of(mb: int) -> bytes:
    """A valid DOCX (~100 KB zipped) whose document.xml holds `mb` MB of one-letter paragraphs."""
    src = zipfile.ZipFile(io.BytesIO(_docx_bytes([BODY])))
    out = io.BytesIO()
    para = b"<w:p><w:r><w:t>x</w:t></w:r></w:p>"
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "word/document.xml":
                data = data.replace(b"<w:body>", b"<w:body>" + para * (mb * 1024 * 1024 // len(para)), 1)
            zf.writestr(item.filename, data)
    return out.getvalue()


needs_rlimit = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="the parse memory cap uses RLIMIT_AS, enforced on Linux only"
)


@needs_rlimit
@pytest.mark.parametrize(
    "name,make",
    [("inflating.pdf", lambda: _pdf_inflating_to(70)), ("many-paragraphs.docx", lambda: _docx_with_paragraphs_of(20))],
    ids=["pdf-stream-inflating-to-70MB", "docx-with-20MB-of-xml"],
)
def test_ingest_refuses_a_file_whose_parsing_needs_more_memory_than_the_cap(monkeypatch, name, make):
    # The cap counts from the worker's own footprint, so 40 MB means the same on every machine: the PDF's stream
    # alone inflates to 70 MB, the DOCX's XML tree needs several times its 20 MB of text.
    data = make()
    assert len(data) < 200_000
    monkeypatch.setenv("GEOLENS_PARSE_MEMORY_MB", "40")
    with pytest.raises(IngestError) as err:
        read_bytes(name, data)
    assert f"the {name.rsplit('.', 1)[1].upper()} file was refused: reading it exceeded the 40 MB memory limit" in str(err.value)
    assert "\n" not in str(err.value)


@needs_rlimit
@pytest.mark.parametrize("name,make", [("report.pdf", lambda: _pdf_bytes(BODY)), ("memo.docx", lambda: _docx_bytes([BODY]))])
def test_ingest_reads_ordinary_files_under_the_same_small_memory_cap(monkeypatch, name, make):
    monkeypatch.setenv("GEOLENS_PARSE_MEMORY_MB", "40")
    [art] = read_bytes(name, make())
    assert "North Korean missile tests" in " ".join(art.text.split())


@needs_rlimit
def test_ingest_parser_worker_dies_with_a_killed_parent(tmp_path):
    import os
    import signal
    import subprocess

    from test_cli import KILL_HARNESS

    pdf = tmp_path / "slow.pdf"
    pdf.write_bytes(_pdf_inflating_to(70))  # seconds of parsing under the default 1 GB cap
    reader = "import sys; from geolens.ingest import read_file; read_file(sys.argv[1])"
    err = tmp_path / "stderr.txt"
    r = subprocess.run(
        [sys.executable, "-c", KILL_HARNESS, sys.executable, "-c", reader, str(pdf)],
        capture_output=True, text=True, cwd=ROOT, env={**os.environ, "ERR_FILE": str(err), "KIDS": "1", "READY": "memory-capped"}, timeout=300,
    )
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out == {"workers": 1, "ended": [f"signal {int(signal.SIGKILL)}"]}
    assert "Traceback" not in err.read_text()


@pytest.mark.parametrize("raw,expected", [("../../etc/passwd", "passwd"), ("a\\b\\c.txt", "c.txt"), ("bad\x00na\nme.txt", "badname.txt"), ("", "unnamed")])
def test_ingest_cleans_hostile_file_names(raw, expected):
    assert ingest.clean_filename(raw) == expected


def test_ingest_expands_folders_to_supported_files(tmp_path):
    (tmp_path / "a.txt").write_text(BODY)
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.html").write_text(f"<p>{BODY}</p>")
    (tmp_path / "skip.bin").write_bytes(b"\x00\x01")
    (tmp_path / ".hidden.txt").write_text(BODY)
    (tmp_path / "ATTRIBUTION.md").write_text(BODY)
    (tmp_path / "README.txt").write_text(BODY)
    files = ingest.iter_input_files([tmp_path])
    assert [f.name for f in files] == ["a.txt", "b.html"]
    assert [f.name for f in ingest.iter_input_files([tmp_path / "README.txt"])] == ["README.txt"]


def test_ingest_rejects_text_longer_than_one_article_can_be():
    with pytest.raises(IngestError, match="characters long"):
        read_bytes("long.txt", (BODY + " ") .encode() * 4000)
