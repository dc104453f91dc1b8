"""Readers: .txt .md .html .pdf .docx .csv .jsonl files, pasted text and raw bytes -> Article records."""

from __future__ import annotations

import codecs
import csv
import io
import json
import os
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from geolens import sandbox, settings
from geolens.errors import IngestError

TEXT_SUFFIXES = {".txt", ".text", ".md", ".markdown"}
HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
BATCH_SUFFIXES = {".csv", ".jsonl", ".ndjson"}
SUPPORTED = TEXT_SUFFIXES | HTML_SUFFIXES | BATCH_SUFFIXES | {".pdf", ".docx"}
MIN_WORDS = 20
MAX_CHARS = 1_000_000  # spaCy's default max_length: the longest text one article may have
_DATA = Path(__file__).resolve().parent.parent / "data"


@dataclass(frozen=True)
class Article:
    """One article ready for analysis: its text and what is known about it."""

    text: str
    title: str = ""
    source: str = ""
    url: str = ""
    published: date | None = None
    language: str = "en"
    origin: str = ""  # where it came from: a file name, "file.csv row 3", "pasted text", a URL


@dataclass(frozen=True)
class Rejected:
    """One input (a file or a batch row) that was refused, with the reason."""

    origin: str
    reason: str


def max_bytes_default() -> int:
    """The size limit for one input: $GEOLENS_MAX_MB megabytes, else 20 MB."""
    return settings.max_file_bytes()


def check_size(size: int, limit: int) -> None:
    """Raise IngestError when an input of `size` bytes is over the `limit` (the one message for every caller)."""
    if size > limit:
        raise IngestError(f"the file is {size / 1048576:.1f} MB, over the {limit / 1048576:.3g} MB limit")


def clean_filename(name: str) -> str:
    """A display-safe file name: the last path component, without control characters."""
    base = re.split(r"[\\/]", str(name or ""))[-1]
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C").strip()
    return base[:200] or "unnamed"


# -- text decoding --------------------------------------------------------------------------


def decode_text(data: bytes) -> str:
    """Decode bytes as UTF-8 (with or without BOM), UTF-16/32 with BOM, or Windows-1252; refuse binary."""
    for bom, enc in (
        (codecs.BOM_UTF32_LE, "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            try:
                return _check_textual(data.decode(enc))
            except UnicodeDecodeError as exc:
                raise IngestError(f"the file starts with a {enc.upper()} byte-order mark but does not decode as {enc.upper()}") from exc
    if b"\x00" in data[:65536]:
        raise IngestError("this is a binary file, not text")
    for enc in ("utf-8", "cp1252"):
        try:
            return _check_textual(data.decode(enc))
        except UnicodeDecodeError:
            continue
    return _check_textual(data.decode("latin-1"))


def _check_textual(text: str) -> str:
    sample = text[:65536]
    if sample:
        ctrl = sum(1 for ch in sample if unicodedata.category(ch) == "Cc" and ch not in "\n\r\t\f\v")
        if ctrl / len(sample) > 0.01:
            raise IngestError("this is a binary file, not text")
    return text


# Unicode's control characters (category Cc: U+0000-001F, U+007F-009F) but for tab and newline.
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def normalise_newlines(text: str) -> str:
    """Unix newlines, no NUL or stray control characters, no surrounding blank space."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROLS.sub("", text).strip()


# -- language -------------------------------------------------------------------------------

_FUNCTION_WORDS: frozenset[str] | None = None


def _function_words() -> frozenset[str]:
    global _FUNCTION_WORDS
    if _FUNCTION_WORDS is None:
        path = _DATA / "english_function_words.txt"
        words = [w.strip() for w in path.read_text(encoding="utf-8").split() if w.strip()]
        _FUNCTION_WORDS = frozenset(words)
    return _FUNCTION_WORDS


_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?", re.UNICODE)


def english_share(text: str) -> float:
    """Share of the words in `text` that are common English function words (about 0.4 for English prose)."""
    words = _WORD.findall(text[:20000].lower())
    if not words:
        return 0.0
    fw = _function_words()
    return sum(1 for w in words if w in fw) / len(words)


def looks_english(text: str) -> bool:
    """True when the text reads as English prose."""
    return english_share(text) >= 0.15


# -- metadata from text ----------------------------------------------------------------------

_DATELINE = re.compile(
    r"^\s*(?:(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday),?\s+)?"
    r"(January|February|March|April|May|June|July|August|September|October|November|December)\s+(\d{1,2}),\s+(\d{4})\b"
)
_MONTHS = {m: i for i, m in enumerate(
    "January February March April May June July August September October November December".split(), start=1)}


def dateline(text: str) -> date | None:
    """The date of a Wikinews-style dateline ("Friday, January 4, 2019") at the start of the text."""
    m = _DATELINE.match(text[:200])
    if not m:
        return None
    try:
        return date(int(m.group(3)), _MONTHS[m.group(1)], int(m.group(2)))
    except ValueError:
        return None


def parse_date(value) -> date | None:
    """A date from a string or date-like value; None when it is empty or not a date."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    s = str(value).strip()
    if not s:
        return None
    m = re.match(r"(\d{4})-(\d{1,2})-(\d{1,2})", s)
    if m:
        try:
            return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            return None
    return dateline(s)


def first_line_title(text: str) -> str:
    """The first line of a text when it looks like a headline."""
    for line in text.splitlines():
        line = line.strip().lstrip("#").strip()
        if not line:
            continue
        if len(line) <= 200 and not _DATELINE.match(line):
            return line
        return ""
    return ""


_MD_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_MD_EMPH = re.compile(r"(\*\*|__|\*|_|`)(?=\S)(.+?)(?<=\S)\1")


def markdown_to_text(md: str) -> str:
    """Plain text of a Markdown document: headings, links, emphasis and list markers removed."""
    out = []
    for line in md.splitlines():
        line = re.sub(r"^\s{0,3}#{1,6}\s*", "", line)
        line = re.sub(r"^\s*(?:[-*+]|\d+\.)\s+", "", line)
        line = re.sub(r"^\s*>\s?", "", line)
        line = _MD_LINK.sub(r"\1", line)
        line = _MD_EMPH.sub(r"\2", line)
        out.append(line)
    return "\n".join(out)


# -- building articles ------------------------------------------------------------------------


def from_text(
    text: str,
    *,
    title: str | None = None,
    source: str | None = None,
    url: str | None = None,
    published=None,
    origin: str = "pasted text",
) -> Article:
    """Validate a text and make it an Article; raises IngestError for empty, tiny or non-English text."""
    text = normalise_newlines(text or "")
    if not text:
        raise IngestError("the text is empty")
    if len(text) > MAX_CHARS:
        raise IngestError(
            f"the text is {len(text):,} characters long; geolens analyses articles of up to {MAX_CHARS:,} characters"
        )
    n_words = len(_WORD.findall(text))
    if n_words < MIN_WORDS:
        raise IngestError(f"the text has only {n_words} words; an article needs at least {MIN_WORDS}")
    if not looks_english(text):
        raise IngestError("the text is not in English (geolens analyses English articles only)")
    pub = parse_date(published) or dateline(text)
    return Article(
        text=text,
        title=(title or "").strip() or first_line_title(text) or text[:80].split("\n")[0],
        source=(source or "").strip(),
        url=(url or "").strip(),
        published=pub,
        language="en",
        origin=origin,
    )


def read_file(path: str | os.PathLike, *, max_bytes: int | None = None, **overrides) -> list[Article | Rejected]:
    """Read one file into Articles (a CSV/JSONL batch gives many; its bad rows come back as Rejected)."""
    p = Path(path)
    limit = max_bytes or max_bytes_default()
    try:
        size = p.stat().st_size
    except OSError as exc:
        raise IngestError(f"cannot read {p.name}: {exc.strerror or exc}") from exc
    if not p.is_file():
        raise IngestError(f"{p.name} is not a file")
    check_size(size, limit)
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise IngestError(f"cannot read {p.name}: {exc.strerror or exc}") from exc
    return read_bytes(p.name, data, max_bytes=limit, **overrides)


def read_bytes(name: str, data: bytes, *, max_bytes: int | None = None, **overrides) -> list[Article | Rejected]:
    """Read an uploaded file's bytes into Articles; the suffix of `name` decides the format."""
    limit = max_bytes or max_bytes_default()
    name = clean_filename(name)
    check_size(len(data), limit)
    if not data.strip():
        raise IngestError("the file is empty")
    suffix = Path(name).suffix.lower()
    if suffix in BATCH_SUFFIXES:
        return _read_batch(name, data, suffix, overrides)
    if suffix in HTML_SUFFIXES:
        text, meta = html_to_text(decode_text(data))
    elif suffix == ".pdf":
        text, meta = sandbox.run_parser("pdf", data)
    elif suffix == ".docx":
        text, meta = sandbox.run_parser("docx", data)
    elif suffix in (".md", ".markdown"):
        raw = decode_text(data)
        text, meta = markdown_to_text(raw), {"title": first_line_title(raw)}
    elif suffix in TEXT_SUFFIXES or suffix == "":
        text, meta = decode_text(data), {}
    else:
        raise IngestError(f"unsupported file type {suffix!r} (use one of {', '.join(sorted(SUPPORTED))})")
    fields = {k: meta.get(k) for k in ("title", "source", "url", "published") if meta.get(k)}
    fields.update({k: v for k, v in overrides.items() if v})
    return [from_text(text, origin=name, **fields)]


def html_to_text(html: str) -> tuple[str, dict]:
    """Main text and metadata of an HTML page (scripts, styles, navigation and boilerplate dropped)."""
    meta: dict = {}
    text = ""
    try:
        import trafilatura

        doc = trafilatura.bare_extraction(
            html, include_comments=False, include_tables=False, with_metadata=True, favor_precision=True
        )
        if doc is not None:
            d = doc if isinstance(doc, dict) else doc.as_dict()
            text = d.get("text") or ""
            meta = {"title": d.get("title") or "", "published": parse_date(d.get("date")),
                    "source": d.get("sitename") or "", "url": d.get("url") or ""}
    except Exception:  # noqa: BLE001 - any extractor failure falls back to the plain cleaner
        text = ""
    if len(_WORD.findall(text)) < MIN_WORDS:
        text, title = _html_fallback(html)
        meta.setdefault("title", title)
        if not meta.get("title"):
            meta["title"] = title
    return text, meta


def _html_fallback(html: str) -> tuple[str, str]:
    """Visible text of the page's body minus script, style, nav, header, footer, aside and forms."""
    import lxml.html

    try:
        root = lxml.html.document_fromstring(html)
    except Exception as exc:  # noqa: BLE001
        raise IngestError("the HTML page could not be parsed") from exc
    title = (root.findtext(".//title") or "").strip()
    for bad in root.xpath("//script|//style|//noscript|//nav|//header|//footer|//aside|//form|//template|//iframe"):
        bad.drop_tree()
    blocks = []
    for el in root.xpath("//body//*[self::p or self::h1 or self::h2 or self::h3 or self::li or self::blockquote]"):
        t = " ".join(el.text_content().split())
        if t:
            blocks.append(t)
    text = "\n\n".join(blocks) or " ".join(root.text_content().split())
    return text, title


_BATCH_COLUMNS = ("title", "date", "url", "text")


def _read_batch(name: str, data: bytes, suffix: str, overrides: dict) -> list[Article | Rejected]:
    text = decode_text(data)
    rows: list[dict] = []
    if suffix == ".csv":
        try:
            reader = csv.DictReader(io.StringIO(text, newline=""))
            cols = [c.strip().lower() for c in (reader.fieldnames or [])]
            if "text" not in cols:
                raise IngestError(f"the CSV has no 'text' column (columns: {', '.join(cols) or 'none'}); expected title,date,url,text")
            for raw in reader:
                rows.append({(k or "").strip().lower(): v for k, v in raw.items()})
        except csv.Error as exc:
            raise IngestError(f"the CSV could not be parsed: {exc}") from exc
    else:
        for i, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                raise IngestError(f"line {i} is not valid JSON: {exc.msg}") from exc
            if not isinstance(obj, dict):
                raise IngestError(f"line {i} is not a JSON object")
            rows.append({str(k).lower(): v for k, v in obj.items()})
        if rows and not any("text" in r for r in rows):
            raise IngestError("the JSONL lines have no 'text' field; expected title,date,url,text")
    if not rows:
        raise IngestError("the file holds no articles")
    out: list[Article | Rejected] = []
    for i, r in enumerate(rows, start=1):
        origin = f"{name} row {i}"
        try:
            out.append(
                from_text(
                    str(r.get("text") or ""),
                    title=str(r.get("title") or "") or None,
                    url=str(r.get("url") or "") or None,
                    published=r.get("date") or r.get("published"),
                    source=overrides.get("source") or str(r.get("source") or "") or _source_from_url(str(r.get("url") or "")),
                    origin=origin,
                )
            )
        except IngestError as exc:
            out.append(Rejected(origin, str(exc)))
    return out


def _source_from_url(url: str) -> str:
    m = re.match(r"https?://(?:www\.)?([^/:]+)", url or "")
    return m.group(1) if m else ""


# A folder's own documentation is not an article: skipped when a folder is expanded (named explicitly, it is read).
_FOLDER_DOCS = {"readme", "license", "licence", "copying", "attribution", "notice", "changelog", "authors", "contributing"}


def _is_folder_doc(path: Path) -> bool:
    return path.stem.lower().split(".")[0] in _FOLDER_DOCS


def iter_input_files(paths) -> list[Path]:
    """Expand files and folders into the supported files beneath them (hidden and README-like files skipped)."""
    out: list[Path] = []
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            out.extend(sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in SUPPORTED
                              and not _is_folder_doc(f)
                              and not any(part.startswith(".") for part in f.relative_to(p).parts)))
        else:
            out.append(p)
    return out
