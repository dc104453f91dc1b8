"""Doc -> tidy DataFrames: the contract between preprocessing and the pages."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
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


_WS = re.compile(r"\s+")


def normalise_text(text: str) -> str:
    """The form of a text that decides whether two articles are the same."""
    return _WS.sub(" ", unicodedata.normalize("NFKC", text)).strip().casefold()


def article_id(text: str) -> str:
    """A stable id for an article: a hash of its normalised text."""
    return hashlib.sha256(normalise_text(text).encode("utf-8")).hexdigest()[:16]


@dataclass
class ArticleTables:
    """The tidy rows of one analysed article, one DataFrame per table."""

    articles: pd.DataFrame
    sentences: pd.DataFrame
    mentions: pd.DataFrame
    themes: pd.DataFrame
    article_themes: pd.DataFrame
    extra: dict = field(default_factory=dict)

    @property
    def article_id(self) -> str:
        """The id of the article these rows belong to."""
        return str(self.articles["article_id"].iloc[0])

    def frames(self) -> dict[str, pd.DataFrame]:
        """The tables by name, in schema order."""
        return {t: getattr(self, t) for t in TABLES}


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
    """Turn an analysed spaCy Doc plus article metadata into the five tidy tables."""
    text = doc.text
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

    articles = coerce(
        pd.DataFrame(
            [
                {
                    "article_id": aid,
                    "title": meta.get("title") or "",
                    "source": meta.get("source") or "",
                    "url": meta.get("url") or "",
                    "published": _as_date(meta.get("published")),
                    "added_at": meta.get("added_at") or datetime.now(UTC).replace(tzinfo=None),
                    "language": meta.get("language") or "en",
                    "n_words": sum(1 for t in doc if t.is_alpha or t.is_digit),
                    "text": text,
                }
            ]
        ),
        "articles",
    )
    sentences = coerce(
        pd.DataFrame(
            [
                {"article_id": aid, "sent_idx": i, "start": s, "end": e, "text": text[s:e]}
                for i, (s, e) in enumerate(sent_rows)
            ],
            columns=list(SCHEMA["sentences"]),
        ),
        "sentences",
    )
    mentions = coerce(
        pd.DataFrame(
            [
                {
                    "article_id": aid,
                    "sent_idx": _sent_index(starts, m.start),
                    "start": m.start,
                    "end": m.end,
                    "surface": m.surface,
                    "kind": m.kind,
                    "entity": m.entity,
                    "country": m.country,
                    "via": m.via,
                }
                for m in getattr(doc._, "geo_mentions", None) or []
            ],
            columns=list(SCHEMA["mentions"]),
        ),
        "mentions",
    )
    themes = coerce(
        pd.DataFrame(
            [
                {
                    "article_id": aid,
                    "sent_idx": _sent_index(starts, h.start),
                    "start": h.start,
                    "end": h.end,
                    "theme": h.theme,
                    "cue": h.cue,
                }
                for h in getattr(doc._, "theme_hits", None) or []
            ],
            columns=list(SCHEMA["themes"]),
        ),
        "themes",
    )
    article_themes = coerce(
        pd.DataFrame(
            [
                {
                    "article_id": aid,
                    "theme": t.theme,
                    "n_cues": t.n_cues,
                    "score": t.score,
                    "assigned": t.assigned,
                }
                for t in getattr(doc._, "article_themes", None) or []
            ],
            columns=list(SCHEMA["article_themes"]),
        ),
        "article_themes",
    )
    return ArticleTables(articles, sentences, mentions, themes, article_themes)


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
