"""Doc -> tidy DataFrames: the contract between preprocessing and the pages."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from datetime import UTC, date, datetime

import pandas as pd

# Column -> pandas dtype for every tidy table. Offsets are character offsets into articles.text.
SCHEMA: dict[str, dict[str, str]] = {
    "articles": {
        "article_id": "string",
        "title": "string",
        "source": "string",
        "url": "string",
        "published": "datetime64[us]",
        "added_at": "datetime64[us]",
        "language": "string",
        "n_words": "Int64",
        "text": "string",
    },
    "sentences": {
        "article_id": "string",
        "sent_idx": "Int64",
        "start": "Int64",
        "end": "Int64",
        "text": "string",
    },
    "mentions": {
        "article_id": "string",
        "sent_idx": "Int64",
        "start": "Int64",
        "end": "Int64",
        "surface": "string",
        "kind": "string",
        "entity": "string",
        "country": "string",
        "via": "string",
    },
    "themes": {
        "article_id": "string",
        "sent_idx": "Int64",
        "start": "Int64",
        "end": "Int64",
        "theme": "string",
        "cue": "string",
    },
    "article_themes": {
        "article_id": "string",
        "theme": "string",
        "n_cues": "Int64",
        "score": "float64",
        "assigned": "boolean",
        "confidence": "float64",
    },
    "relations": {
        "article_id": "string",
        "sent_idx": "Int64",
        "a": "string",
        "b": "string",
        "quad": "string",
        "cue": "string",
    },
}
TABLES = tuple(SCHEMA)


def empty(table: str) -> pd.DataFrame:
    """An empty DataFrame with the columns and dtypes of `table`."""
    return pd.DataFrame({c: pd.Series(dtype=t) for c, t in SCHEMA[table].items()})


def coerce(df: pd.DataFrame, table: str) -> pd.DataFrame:
    """Return `df` with exactly the columns of `table`, in order, with the schema's dtypes."""
    cols = SCHEMA[table]
    out = pd.DataFrame(index=df.index)
    for c, t in cols.items():
        s = df[c] if c in df.columns else pd.Series([None] * len(df), index=df.index, dtype="object")
        if t.startswith("datetime64"):
            s = pd.to_datetime(s, errors="coerce")
            if getattr(s.dt, "tz", None) is not None:
                s = s.dt.tz_convert("UTC").dt.tz_localize(None)
        out[c] = s.astype(t)
    return out.reset_index(drop=True)


def frame(table: str, columns: dict[str, list]) -> pd.DataFrame:
    """Build a table from column lists in one step (the fast path used for every analysed article)."""
    dtypes = SCHEMA[table]
    plain = {c: t for c, t in dtypes.items() if not t.startswith("datetime64")}
    df = pd.DataFrame({c: columns[c] for c in dtypes}, columns=list(dtypes))
    for c, t in dtypes.items():
        if t.startswith("datetime64"):
            df[c] = pd.to_datetime(df[c], errors="coerce").astype(t)
    return df.astype(plain)


_WS = re.compile(r"\s+")


def normalise_text(text: str) -> str:
    """The form of a text that decides whether two articles are the same."""
    return _WS.sub(" ", unicodedata.normalize("NFKC", text)).strip().casefold()


def article_id(text: str) -> str:
    """A stable id for an article: a hash of its normalised text."""
    return hashlib.sha256(normalise_text(text).encode("utf-8")).hexdigest()[:16]


class ArticleTables:
    """The tidy rows of one analysed article, one DataFrame per table.

    Built either from DataFrames or from plain column lists; in the second form a DataFrame is made only when
    asked for, so batch ingest can merge the lists of many articles and convert each table once per batch.
    """

    def __init__(self, articles=None, sentences=None, mentions=None, themes=None, article_themes=None,
                 relations=None, *, columns: dict[str, dict[str, list]] | None = None):
        self._columns: dict[str, dict[str, list]] = dict(columns or {})
        self._frames: dict[str, pd.DataFrame] = {}
        for name, df in zip(TABLES, (articles, sentences, mentions, themes, article_themes, relations), strict=True):
            if df is not None:
                self._frames[name] = df
        if "relations" not in self._frames and "relations" not in self._columns:
            self._frames["relations"] = empty("relations")  # rows analysed before relations existed
        missing = [t for t in TABLES if t not in self._frames and t not in self._columns]
        if missing:
            raise ValueError(f"ArticleTables lacks {', '.join(missing)}")

    def frame(self, name: str) -> pd.DataFrame:
        """One table as a DataFrame with the schema's dtypes."""
        if name not in self._frames:
            self._frames[name] = frame(name, self._columns.pop(name))
        return self._frames[name]

    def columns(self, name: str) -> dict[str, list] | None:
        """One table as plain column lists, when it has not been turned into a DataFrame yet."""
        return self._columns.get(name)

    def _set(self, name: str, df: pd.DataFrame) -> None:
        self._columns.pop(name, None)
        self._frames[name] = df

    articles = property(lambda self: self.frame("articles"), lambda self, df: self._set("articles", df))
    sentences = property(lambda self: self.frame("sentences"), lambda self, df: self._set("sentences", df))
    mentions = property(lambda self: self.frame("mentions"), lambda self, df: self._set("mentions", df))
    themes = property(lambda self: self.frame("themes"), lambda self, df: self._set("themes", df))
    article_themes = property(
        lambda self: self.frame("article_themes"), lambda self, df: self._set("article_themes", df)
    )
    relations = property(lambda self: self.frame("relations"), lambda self, df: self._set("relations", df))

    @property
    def article_id(self) -> str:
        """The id of the article these rows belong to."""
        cols = self._columns.get("articles")
        if cols is not None:
            return str(cols["article_id"][0])
        return str(self.articles["article_id"].iloc[0])

    def frames(self) -> dict[str, pd.DataFrame]:
        """The tables by name, in schema order."""
        return {t: self.frame(t) for t in TABLES}


def merge_frames(batch: list[ArticleTables], name: str) -> pd.DataFrame:
    """One table of many articles as a single DataFrame, converting their column lists in one step."""
    merged: dict[str, list] = {c: [] for c in SCHEMA[name]}
    frames = []
    for t in batch:
        cols = t.columns(name)
        if cols is None:
            frames.append(t.frame(name))
        else:
            for c in merged:
                merged[c].extend(cols[c])
    if any(merged.values()) or not frames:
        frames.insert(0, frame(name, merged))
    frames = [f for f in frames if len(f)] or frames[:1]
    return frames[0] if len(frames) == 1 else pd.concat(frames, ignore_index=True)


def _sent_index(starts: list[int], pos: int) -> int:
    """Index of the sentence containing character `pos` (binary search over sentence starts)."""
    lo, hi = 0, len(starts) - 1
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if starts[mid] <= pos:
            lo = mid
        else:
            hi = mid - 1
    return lo


def doc_to_tables(doc, meta: dict) -> ArticleTables:
    """Turn an analysed spaCy Doc plus article metadata into the tidy tables (DataFrames made on demand)."""
    from geolens.extensions import doc_text

    text = doc_text(doc)
    aid = meta.get("article_id") or article_id(text)
    sents = [(s.start_char, s.end_char) for s in doc.sents] or [(0, len(text))]
    # Trim whitespace so every sentence's text is exactly text[start:end].
    sent_rows = []
    for s, e in sents:
        raw = text[s:e]
        ls = len(raw) - len(raw.lstrip())
        rs = len(raw.rstrip())
        if rs <= ls:
            continue
        sent_rows.append((s + ls, s + rs))
    if not sent_rows:
        sent_rows = [(0, len(text))]
    starts = [s for s, _ in sent_rows]

    from spacy.attrs import IS_ALPHA, IS_DIGIT  # here, not at import: the dashboard reads tables without spaCy

    n_words = int(doc.to_array([IS_ALPHA]).sum() + doc.to_array([IS_DIGIT]).sum()) if len(doc) else 0
    articles = (
        {
            "article_id": [aid],
            "title": [meta.get("title") or ""],
            "source": [meta.get("source") or ""],
            "url": [meta.get("url") or ""],
            "published": [_as_date(meta.get("published"))],
            "added_at": [meta.get("added_at") or datetime.now(UTC).replace(tzinfo=None)],
            "language": [meta.get("language") or "en"],
            "n_words": [n_words],
            "text": [text],
        }
    )
    sentences = (
        {
            "article_id": [aid] * len(sent_rows),
            "sent_idx": list(range(len(sent_rows))),
            "start": [s for s, _ in sent_rows],
            "end": [e for _, e in sent_rows],
            "text": [text[s:e] for s, e in sent_rows],
        }
    )
    ms = list(getattr(doc._, "geo_mentions", None) or [])
    mentions = (
        {
            "article_id": [aid] * len(ms),
            "sent_idx": [_sent_index(starts, m.start) for m in ms],
            "start": [m.start for m in ms],
            "end": [m.end for m in ms],
            "surface": [m.surface for m in ms],
            "kind": [m.kind for m in ms],
            "entity": [m.entity for m in ms],
            "country": [m.country for m in ms],
            "via": [m.via for m in ms],
        }
    )
    hits = list(getattr(doc._, "theme_hits", None) or [])
    themes = (
        {
            "article_id": [aid] * len(hits),
            "sent_idx": [_sent_index(starts, h.start) for h in hits],
            "start": [h.start for h in hits],
            "end": [h.end for h in hits],
            "theme": [h.theme for h in hits],
            "cue": [h.cue for h in hits],
        }
    )
    ats = list(getattr(doc._, "article_themes", None) or [])
    article_themes = (
        {
            "article_id": [aid] * len(ats),
            "theme": [t.theme for t in ats],
            "n_cues": [t.n_cues for t in ats],
            "score": [float(t.score) for t in ats],
            "assigned": [bool(t.assigned) for t in ats],
            "confidence": [float(t.confidence) for t in ats],
        }
    )
    rels = list(getattr(doc._, "relations", None) or [])
    relations = {
        "article_id": [aid] * len(rels),
        "sent_idx": [_sent_index(starts, r.start) for r in rels],
        "a": [r.a for r in rels],
        "b": [r.b for r in rels],
        "quad": [r.quad for r in rels],
        "cue": [r.cue for r in rels],
    }
    return ArticleTables(
        columns={
            "articles": articles,
            "sentences": sentences,
            "mentions": mentions,
            "themes": themes,
            "article_themes": article_themes,
            "relations": relations,
        }
    )


def _as_date(value) -> datetime | None:
    """A date-like value as a naive datetime at midnight, or None."""
    if value is None or value == "" or (isinstance(value, float) and pd.isna(value)):
        return None
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    ts = pd.to_datetime(str(value), errors="coerce")
    if pd.isna(ts):
        return None
    return datetime(ts.year, ts.month, ts.day)
