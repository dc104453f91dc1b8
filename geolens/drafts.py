"""Drafts: one flow from an input (uploaded file, pasted text, URL) to stored rows, shared by the Upload page.

read (geolens.ingest) -> analyse (geolens.pipeline.analyse_checked) -> already stored? (Store.stored_ids)
-> save (Store.add_many, in small transactions). The page only renders drafts and their results.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import urlsplit

import pandas as pd

from geolens.fetch import FetchError, fetch_url
from geolens.ingest import Article, IngestError, Rejected, clean_filename, from_text, read_bytes
from geolens.pipeline import AnalysisFailure, analyse_checked
from geolens.store import Store, StoreError
from geolens.tables import ArticleTables, coerce

_log = logging.getLogger(__name__)
SAVE_CHUNK = 10
# One analysis at a time per process: sessions share the spaCy pipeline, whose components keep per-call state.
_ANALYSE_LOCK = threading.Lock()


@dataclass
class Draft:
    """One input on its way to the database: the article with its analysis, or why it was refused."""

    key: str
    origin: str
    article: Article | None = None
    tables: ArticleTables | None = None
    error: str = ""
    status: str = "ready"  # ready | stored (was already in the database) | saved | refused
    file_id: str | None = None
    over_total: bool = False  # refused only because the upload as a whole was too big: tried again when it shrinks
    fields: dict = field(default_factory=dict)  # title, source, published as the user edited them

    @property
    def article_id(self) -> str:
        """The id the article has (or will have) in the database; empty when refused."""
        return self.tables.article_id if self.tables is not None else ""


def analyse_article(article: Article) -> ArticleTables | AnalysisFailure:
    """The library's analysis step (geolens.pipeline.analyse_checked), one session at a time."""
    with _ANALYSE_LOCK:
        return analyse_checked(article)


def _draft_key(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode("utf-8", "surrogatepass")).hexdigest()[:16]


def _fields(article: Article) -> dict:
    return {"title": article.title, "source": article.source, "published": article.published}


def draft_from_article(article: Article, *, key: str, origin: str, file_id: str | None = None) -> Draft:
    """Analyse an article into a ready draft, or a refused one when the analysis cannot take it."""
    tables = analyse_article(article)
    if isinstance(tables, AnalysisFailure):
        return Draft(key, origin, article=article, error=tables.reason, status="refused", file_id=file_id)
    return Draft(key, origin, article=article, tables=tables, file_id=file_id, fields=_fields(article))


def drafts_from_bytes(
    name: str, data: bytes, *, max_bytes: int, file_id: str | None = None, **overrides
) -> list[Draft]:
    """Read one uploaded file (a batch file gives many articles) and analyse each article in it."""
    origin = clean_filename(name)
    base = file_id or _draft_key(origin, hashlib.sha256(data).hexdigest())
    try:
        items = read_bytes(name, data, max_bytes=max_bytes, **overrides)  # the size check included
    except IngestError as exc:
        return [Draft(base, origin, error=str(exc), status="refused", file_id=file_id)]
    except Exception as exc:  # noqa: BLE001 - a reader bug on one file must not take the page (or a batch) down
        _log.exception("reading %s failed", origin)
        reason = f"the file could not be read (internal error: {type(exc).__name__}); please report it"
        return [Draft(base, origin, error=reason, status="refused", file_id=file_id)]
    out = []
    for i, item in enumerate(items):
        key = base if len(items) == 1 else f"{base}-{i}"
        if isinstance(item, Rejected):
            out.append(Draft(key, clean_filename(item.origin), error=item.reason, status="refused", file_id=file_id))
        else:
            out.append(draft_from_article(item, key=key, origin=clean_filename(item.origin), file_id=file_id))
    return out


def draft_from_text(text: str, *, title: str = "", source: str = "") -> Draft:
    """Analyse pasted text."""
    key = _draft_key("pasted", text)
    try:
        article = from_text(text, title=title or None, source=source or None, origin="pasted text")
    except IngestError as exc:
        return Draft(key, "pasted text", error=str(exc), status="refused")
    return draft_from_article(article, key=key, origin="pasted text")


def _as_utf8(data: bytes, charset: str | None) -> bytes:
    """Re-encode a text body in UTF-8 when the server declared another charset that decodes it cleanly."""
    if not charset or charset.lower().replace("_", "-") in ("utf-8", "utf8"):
        return data
    try:
        return data.decode(charset).encode("utf-8")
    except (LookupError, UnicodeDecodeError):
        return data


def drafts_from_url(url: str, *, max_bytes: int, timeout: float = 15.0) -> list[Draft]:
    """Fetch a URL (bounded in time and size) and analyse the article(s) it holds."""
    shown = " ".join(url.split())[:300] or "URL"
    try:
        got = fetch_url(url, timeout=timeout, max_bytes=max_bytes)
    except FetchError as exc:
        return [Draft(_draft_key("url", url), shown, error=str(exc), status="refused")]
    data = got.data
    if got.content_type.startswith("text/") or got.content_type == "application/xhtml+xml":
        data = _as_utf8(data, got.charset)
    host = (urlsplit(got.url).hostname or "").removeprefix("www.")
    drafts = drafts_from_bytes(got.name, data, max_bytes=max_bytes, file_id=None, url=got.url)
    for d in drafts:
        d.key = _draft_key("url", got.url, d.key)
        d.origin = got.url if len(drafts) == 1 else f"{got.url} ({d.origin})"
        if d.article is not None and not d.fields.get("source"):
            d.fields["source"] = host
    return drafts


def with_fields(tables: ArticleTables, *, title: str, source: str, published: date | None) -> ArticleTables:
    """The same tables with the article's title, source and date replaced (the id depends on the text only)."""
    articles = tables.articles.copy()
    articles["title"] = (title or "").strip()
    articles["source"] = (source or "").strip()
    articles["published"] = pd.Timestamp(published) if published else pd.NaT
    return ArticleTables(
        coerce(articles, "articles"), tables.sentences, tables.mentions, tables.themes, tables.article_themes,
        tables.relations,
    )


def mark_stored(store: Store, drafts: list[Draft]) -> None:
    """Flag ready drafts whose article is already stored; a busy database just leaves them as they are."""
    ready = [d for d in drafts if d.status == "ready"]
    try:
        found = store.stored_ids([d.article_id for d in ready])
    except StoreError:
        return
    for d in ready:
        if d.article_id in found:
            d.status = "stored"


def save_drafts(store: Store, drafts: list[Draft], *, progress: Callable[[int], None] | None = None) -> None:
    """Store the ready drafts in small transactions; each becomes saved, or stored when it was already there.

    StoreBusy/StoreError propagate: drafts not yet written stay ready, so nothing is lost and Save can be pressed again.
    """
    ready = [d for d in drafts if d.status == "ready"]
    if ready:
        store.check_writable(sum(len(d.article.text.encode("utf-8", "surrogatepass")) for d in ready if d.article))
    for i in range(0, len(ready), SAVE_CHUNK):
        chunk = ready[i : i + SAVE_CHUNK]
        batch = [with_fields(d.tables, **d.fields) for d in chunk]
        flags = store.add_many(batch)
        for d, added in zip(chunk, flags, strict=True):
            d.status = "saved" if added else "stored"
        if progress:
            progress(len(chunk))
