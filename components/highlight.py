"""Safe HTML for article text: every piece of article text is html.escape'd before <mark> tags are added."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

from components.palette import KIND_COLORS, KIND_NAMES, text_on, theme_color

STYLE = """<style>
.gl-text{line-height:1.75;font-size:1rem;white-space:pre-wrap;}
.gl-text mark{padding:0 .15em;border-radius:.2em;color:#111;}
.gl-card{border:1px solid #ddd;border-radius:.4rem;padding:.55rem .8rem;margin:.1rem 0 .2rem 0;line-height:1.6;}
.gl-meta{color:#555;font-size:.85rem;margin-bottom:.2rem;}
.gl-chip{display:inline-block;border-radius:.8rem;padding:.05rem .55rem;margin:.1rem .25rem .1rem 0;
 font-size:.8rem;border:1px solid rgba(0,0,0,.25);}
.gl-legend span{margin-right:.9rem;white-space:nowrap;}
.gl-group{border:1px solid #ddd;border-radius:.4rem;padding:.45rem .8rem .3rem .8rem;margin:.15rem 0 .5rem 0;}
.gl-group-head{display:flex;flex-wrap:wrap;align-items:baseline;gap:.2rem .8rem;margin-bottom:.15rem;}
.gl-group-title{font-weight:600;}
.gl-group-title a{text-decoration:none;}
.gl-group ul{margin:0;padding-left:1.1rem;}
.gl-group li{line-height:1.55;margin:.1rem 0 .25rem 0;}
.gl-group li .gl-chip{font-size:.72rem;padding:0 .45rem;margin:0 0 0 .3rem;}
.gl-go{font-size:.8rem;margin-left:.35rem;text-decoration:none;white-space:nowrap;}
</style>"""


def _mark(kind: str) -> str:
    return KIND_COLORS.get(kind, "#EEEEEE")


# Where spans overlap, the higher-priority one is kept: a search match over a mention over a theme cue.
_PRIORITY = {"keyword": 0, "country": 1, "person": 1, "org": 1, "place": 1, "theme": 2}


def highlight(text: str, spans: Iterable[tuple[int, int, str, str]], *, offset: int = 0) -> str:
    """HTML for `text` with spans (start, end, kind, label) wrapped in <mark>; offsets are relative to `offset`.

    Overlapping spans are resolved by kind priority (search match, mention, theme cue), then the earlier and
    longer span; the text and the labels are escaped.
    """
    n = len(text)
    cands = []
    for s, e, kind, label in spans:
        s, e = int(s) - offset, int(e) - offset
        if 0 <= s < e <= n:
            cands.append((s, e, kind, label))
    cands.sort(key=lambda x: (_PRIORITY.get(x[2], 3), x[0], -(x[1] - x[0])))
    kept: list[tuple[int, int, str, str]] = []
    for cand in cands:
        if all(cand[1] <= k[0] or cand[0] >= k[1] for k in kept):
            kept.append(cand)
    kept.sort()
    out: list[str] = []
    pos = 0
    for s, e, kind, label in kept:
        out.append(html.escape(text[pos:s]))
        out.append(
            f'<mark class="gl-{html.escape(kind)}" style="background:{_mark(kind)}" '
            f'title="{html.escape(str(label), quote=True)}">{html.escape(text[s:e])}</mark>'
        )
        pos = e
    out.append(html.escape(text[pos:]))
    return "".join(out)


def keyword_spans(text: str, keyword: str) -> list[tuple[int, int, str, str]]:
    """Case-insensitive occurrences of `keyword` in `text` as highlight spans."""
    if not keyword or not keyword.strip():
        return []
    pat = re.compile(re.escape(keyword.strip()), re.IGNORECASE)
    return [(m.start(), m.end(), "keyword", f"matches “{keyword.strip()}”") for m in pat.finditer(text)]


def spans_from_frame(df: pd.DataFrame) -> list[tuple[int, int, str, str]]:
    """(start, end, kind, label) tuples from a frame with those columns."""
    if df is None or df.empty:
        return []
    return list(zip(df["start"].astype(int), df["end"].astype(int), df["kind"].astype(str),
                    df["label"].fillna("").astype(str), strict=True))


def chip(label: str, color: str) -> str:
    """A small coloured pill with escaped text."""
    return (f'<span class="gl-chip" style="background:{color};color:{text_on(color)}">'
            f"{html.escape(str(label))}</span>")


def theme_chips(themes: Iterable[tuple[str, str]]) -> str:
    """Chips for (theme id, display name) pairs in the themes' colours."""
    return "".join(chip(name, theme_color(tid)) for tid, name in themes)


def legend(kinds: Iterable[str]) -> str:
    """A legend of highlight colours for the given mention kinds."""
    items = "".join(
        f'<span><mark style="background:{_mark(k)};padding:0 .3em;border-radius:.2em">'
        f"{html.escape(KIND_NAMES.get(k, k))}</mark></span>"
        for k in kinds
    )
    return f'<div class="gl-legend">{items}</div>'


def text_block(body_html: str) -> str:
    """Wrap already-safe highlighted HTML in the styled text container."""
    # Runs of blank lines (common in scraped text) would stretch the page; offsets are unaffected.
    body_html = re.sub(r"\n{3,}", "\n\n", body_html)
    return f'{STYLE}<div class="gl-text">{body_html}</div>'


def excerpt_card(sentence: str, spans: Iterable[tuple[int, int, str, str]], *, offset: int, meta: str,
                 chips_html: str = "") -> str:
    """One excerpt: escaped meta line (title · date), highlighted sentence and theme chips."""
    return (
        f'<div class="gl-card"><div class="gl-meta">{html.escape(meta)}</div>'
        f'<div>{highlight(sentence, spans, offset=offset)}</div>'
        f'{"<div>" + chips_html + "</div>" if chips_html else ""}</div>'
    )


@dataclass(frozen=True)
class Excerpt:
    """One sentence of an article for excerpt_group: its text, highlight spans (absolute offsets) and extras."""

    text: str
    spans: tuple[tuple[int, int, str, str], ...] = ()
    offset: int = 0
    chips_html: str = ""
    url: str = ""


def safe_url(url: str) -> str:
    """`url` escaped for an href attribute, or "" unless it is relative or http(s) (no javascript: or data:)."""
    url = str(url or "").strip()
    scheme = re.match(r"^([A-Za-z][A-Za-z0-9+.-]*):", url)
    if scheme and scheme.group(1).lower() not in ("http", "https"):
        return ""
    return html.escape(url, quote=True)


def excerpt_group(title: str, meta: str, excerpts: Iterable[Excerpt], *, url: str = "",
                  link_label: str = "Open article") -> str:
    """One compact card per article: the escaped title (linked) and meta line once, its sentences listed below.

    Every piece of article text (title, meta, sentences, labels) is escaped; links must be relative or http(s).
    A sentence with its own `url` gets a small arrow link (e.g. to the article scrolled to that sentence).
    """
    href = safe_url(url)
    head_title = html.escape(str(title) or "Untitled")
    if href:
        head_title = f'<a href="{href}" target="_self">{head_title}</a>'
    link = f'<a class="gl-go" href="{href}" target="_self">{html.escape(link_label)} →</a>' if href else ""
    items = []
    for ex in excerpts:
        go = safe_url(ex.url)
        arrow = f'<a class="gl-go" href="{go}" target="_self" title="Read it in the article">↗</a>' if go else ""
        items.append(f"<li>{highlight(ex.text, ex.spans, offset=ex.offset)}{ex.chips_html}{arrow}</li>")
    return (f'<div class="gl-group"><div class="gl-group-head"><span class="gl-group-title">{head_title}</span>'
            f'<span class="gl-meta">{html.escape(str(meta))}</span>{link}</div><ul>{"".join(items)}</ul></div>')


def group_by_article(rows: pd.DataFrame) -> list[tuple[str, pd.DataFrame]]:
    """Rows (with an article_id column) grouped per article, articles and rows in their first-seen order."""
    if rows is None or rows.empty:
        return []
    return [(str(a), part) for a, part in rows.groupby("article_id", sort=False)]


_MD_SPECIAL = set("\\`*_{}[]()#+-.!|<>~$:=")


def md_escape(text: str) -> str:
    """`text` made inert inside Streamlit Markdown (labels, captions, alerts): every markup character escaped."""
    return "".join("\\" + ch if ch in _MD_SPECIAL else ch for ch in " ".join(str(text).split()))
