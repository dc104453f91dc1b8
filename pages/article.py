"""Article: one article with every mention highlighted by kind, its countries, its themes with evidence."""

import html
from urllib.parse import urlparse

import pandas as pd
import streamlit as st

from components import data, filters, highlight
from components.layout import article_url, empty_database, ensure_routed
from geolens import aggregations as agg
from geolens.names import country_name

EVIDENCE_SHOWN = 6
# The text box grows with its text; a long article scrolls inside it, at most 75% of the window high.
ARTICLE_STYLE = """<style>
.gl-article-box{border:1px solid #ddd;border-radius:.5rem;padding:.6rem .9rem;max-height:75vh;overflow-y:auto;}
.gl-article-box .gl-text{margin:0;}
.gl-h{font-weight:700;font-size:1.12em;color:#111;}
.gl-target{background:#FFF3B0;box-shadow:0 0 0 2px #E0A800;border-radius:.2em;}
.gl-ctab-box{max-height:26rem;overflow-y:auto;}
.gl-ctab{width:100%;border-collapse:collapse;font-size:.9rem;line-height:1.35;}
.gl-ctab th{text-align:left;font-weight:600;color:#444;border-bottom:1px solid #ccc;padding:.2rem .4rem;}
.gl-ctab td{vertical-align:top;border-bottom:1px solid #eee;padding:.25rem .4rem;overflow-wrap:break-word;}
.gl-countries,.gl-rel{table-layout:fixed;}
.gl-count{color:#666;font-size:.8rem;white-space:nowrap;}
.gl-target{box-decoration-break:clone;-webkit-box-decoration-break:clone;}
.gl-ctab td.n{text-align:right;white-space:nowrap;}
</style>"""
_END = tuple(".,;:!?\"'”’)…")


def heading_lines(text: str) -> list[tuple[int, int]]:
    """(start, end) of the lines that read as subheadings: short, alone on their line, no closing punctuation.

    Plain-text articles keep their section titles ("The Shifting Threat Landscape") as lines of their own; the
    page sets them in bold so they do not read as body text. A heading's position never changes an offset.
    """
    out = []
    pos = 0
    for line in text.split("\n"):
        stripped = line.strip()
        words = stripped.split()
        if (1 <= len(words) <= 10 and len(stripped) <= 90 and not stripped.endswith(_END)
                and (stripped[0].isupper() or stripped[0].isdigit())):
            lead = len(line) - len(line.lstrip())
            out.append((pos + lead, pos + lead + len(stripped)))
        pos += len(line) + 1
    return out


def article_html(text: str, spans: list, *, target: int | None = None,
                 bounds: tuple[int, int] | None = None) -> str:
    """The article as safe HTML: every piece escaped (components.highlight), mentions marked, subheadings bold, and
    sentence `target` (character `bounds`) highlighted behind an anchor id="gl-s-<target>" to scroll to."""
    cuts = {0, len(text)}
    heads = heading_lines(text)
    for a0, b0 in heads:
        cuts.update((a0, b0))
    if bounds:
        cuts.update(bounds)
    edges = sorted(c for c in cuts if 0 <= c <= len(text))
    parts = []
    for a0, b0 in zip(edges, edges[1:], strict=False):
        if a0 == b0:
            continue
        piece = highlight.highlight(text[a0:b0], spans, offset=a0)
        if any(h0 <= a0 and b0 <= h1 for h0, h1 in heads):
            piece = f'<span class="gl-h">{piece}</span>'
        if bounds and bounds[0] <= a0 and b0 <= bounds[1]:
            anchor = f'<span id="gl-s-{int(target)}"></span>' if a0 == bounds[0] else ""
            piece = f'{anchor}<span class="gl-target" title="The linked sentence">{piece}</span>'
        parts.append(piece)
    return highlight.text_block("".join(parts))


def scroll_script(target: int) -> str:
    """A script (no article text in it, nothing fetched) that scrolls sentence `target` into the middle of the view
    once it is on the page, and back into view while the page settles: the text box and the page both scroll."""
    # No "<" in the code: the browser's sanitiser drops a script whose text holds "<" before a letter or digit.
    # Charts and tables drawn after the text shift the layout, so for 4 s the sentence is brought back whenever it
    # has left the view (never while it is visible, so a reader's own scrolling is not fought).
    js = ("(function(){var n=0,seen=0;function go(){var e=document.getElementById('gl-s-TARGET');"
          "if(e){var r=e.getBoundingClientRect();if(!seen||0>r.top||r.bottom>window.innerHeight){"
          "e.scrollIntoView({block:'center'});}seen+=1;if(seen>20){return;}setTimeout(go,200);return;}"
          "n+=1;if(n>150){return;}setTimeout(go,100);}go();})();")
    return "<script>" + js.replace("TARGET", str(int(target))) + "</script>"


def relations_table(rel: pd.DataFrame, f, aid: str) -> str:
    """Pairs of countries, how they relate (CAMEO quad class) and the deciding words, escaped, each row linking to its
    sentence highlighted in the text (article?article=ID&sent=K)."""
    rows = []
    for x, y, quad, cue, k in zip(rel["a"], rel["b"], rel["quad"], rel["cue"], rel["sent_idx"], strict=True):
        href = highlight.safe_url(article_url(f, aid, sent_idx=int(k)))
        rows.append(f"<tr><td>{html.escape(country_name(x))} – {html.escape(country_name(y))}</td>"
                    f"<td>{html.escape(str(quad).replace('_', ' '))}</td><td>{html.escape(str(cue or ''))}</td>"
                    f"<td class='n'><a href=\"{href}\" target=\"_self\" title=\"Show it in the text\">{int(k) + 1}</a>"
                    "</td></tr>")
    return (ARTICLE_STYLE + "<div class='gl-ctab-box'><table class='gl-ctab gl-rel'><colgroup><col style='width:36%'>"
            "<col style='width:24%'><col><col style='width:2.6rem'></colgroup><thead><tr><th>Countries</th><th>How</th>"
            f"<th>Words</th><th title='The sentence: opens it in the text'>#</th></tr></thead><tbody>{''.join(rows)}</tbody></table></div>")


def countries_table(countries: pd.DataFrame) -> str:
    """Country (with its mention count) and the words used, as an escaped HTML table whose cells wrap between words
    in a narrow column: nothing is cut off."""
    rows = "".join(
        f"<tr><td>{html.escape(str(r.name))} <span class='gl-count'>{int(r.mentions)}</span></td>"
        f"<td class='gl-named'>{html.escape(str(r.surfaces))}</td></tr>"
        for r in countries.itertuples(index=False))
    return (ARTICLE_STYLE + "<div class='gl-ctab-box'><table class='gl-ctab gl-countries'><colgroup><col style='width:40%'>"
            "<col></colgroup><thead><tr><th>Country <span class='gl-count'>mentions</span></th><th>Named as</th>"
            f"</tr></thead><tbody>{rows}</tbody></table></div>")


ensure_routed()
f = filters.get()
st.title("Article")
if st.session_state.get("art_flash"):
    st.success(st.session_state.pop("art_flash"))

total = data.total_articles()
if total == 0:
    empty_database()
    st.stop()

wanted = st.query_params.get("article", "")
linked = wanted
choices = data.article_choices(f, limit=500)
ids = list(choices["article_id"])
labels = dict(zip(choices["article_id"], choices["label"], strict=True))
# A link (?article=ID) that differs from what this page last wrote to the URL opens that article even when
# the filters exclude it, until the filters change; otherwise the picker, limited to the filters, decides.
if wanted and wanted != st.session_state.get("_art_url"):
    st.session_state["_art_link"] = (wanted, f)
if wanted and wanted not in labels:
    one = data.article(wanted)["articles"]
    if one.empty:
        st.warning("That article is not in the database (it may have been deleted). Pick another one below.")
        wanted = ""
    elif st.session_state.get("_art_link") == (wanted, f):
        labels[wanted] = f"{one['title'].iloc[0] or '(untitled)'} (outside the current filters)"
        ids.insert(0, wanted)
    else:
        wanted = ""
if not ids:
    st.info("No article matches the current filters; clear a filter to pick one.")
    st.stop()
if wanted and wanted != st.session_state.get("_art_url"):
    st.session_state["art_pick"] = wanted
if st.session_state.get("art_pick") not in ids:
    st.session_state["art_pick"] = ids[0]
aid = st.selectbox("Article", ids, key="art_pick", format_func=lambda a: labels.get(a, a),
                   help="Newest first; limited to the current filters.")
st.session_state["_art_url"] = aid
st.query_params["article"] = aid

frames = data.article(aid)
art = frames["articles"]
if art.empty:
    st.warning("This article is no longer in the database.")
    st.stop()
a = art.iloc[0]
st.html(f"<h2 style='margin:.2rem 0'>{html.escape(str(a['title'] or '(untitled)'))}</h2>")

meta = []
if str(a["published"]) != "NaT" and a["published"] is not None:
    meta.append(f"<b>Published</b> {a['published']:%d %B %Y}")
if a["source"]:
    meta.append(f"<b>Source</b> {html.escape(str(a['source']))}")
url = str(a["url"] or "")
if url and urlparse(url).scheme in ("http", "https"):
    meta.append(f'<a href="{html.escape(url, quote=True)}" target="_blank" rel="noopener noreferrer">original</a>')
meta.append(f"<b>Words</b> {int(a['n_words'] or 0):,}")
meta.append(f"<b>Added</b> {a['added_at']:%Y-%m-%d %H:%M}")
meta.append(f"<b>ID</b> <code>{html.escape(aid)}</code>")
st.html("<div style='color:#444'>" + " · ".join(meta) + "</div>")

sent_param = st.query_params.get("sent", "")
# ?sent=K names a sentence of the linked article (components.layout.article_url): it is highlighted and scrolled to.
target = int(sent_param) if sent_param.isdigit() and aid == linked else None
if sent_param and aid != linked:
    del st.query_params["sent"]  # another article was picked: the sentence belonged to the linked one

text_col, side = st.columns([3, 2])
with text_col:
    m = frames["mentions"]
    kinds = [k for k in ("country", "person", "org", "place") if k in set(m["kind"].dropna())]
    spans = [
        (s, e, k, f"{k}: {ent}" + (f" → {c}" if isinstance(c, str) and c else ""))
        for s, e, k, ent, c in zip(m["start"], m["end"], m["kind"], m["entity"].fillna(""), m["country"],
                                   strict=True)
    ]
    st.html(highlight.STYLE + ARTICLE_STYLE)
    st.html(highlight.legend(kinds or ["country"]))
    text = str(a["text"])
    sents_df = frames["sentences"]
    bounds = None
    if target is not None:
        row = sents_df[sents_df["sent_idx"] == target]
        if row.empty:
            st.caption(f"This article has no sentence {target + 1}.")
            target = None
        else:
            bounds = (int(row["start"].iloc[0]), int(row["end"].iloc[0]))
    # The box is as tall as its text; only a long article scrolls inside it, capped at most of the window's height.
    st.html(f'<div class="gl-article-box">{article_html(text, spans, target=target, bounds=bounds)}</div>')
    if target is not None:
        st.html(scroll_script(target), unsafe_allow_javascript=True)
with side:
    st.subheader("Countries")
    countries = agg.article_countries(frames)
    if countries.empty:
        st.caption("No country is mentioned.")
    else:
        # An HTML table: the words used ("Named as") wrap in the narrow column instead of being cut off.
        st.html(countries_table(countries))
    st.subheader("Themes")
    ev = agg.article_theme_evidence(frames)
    if ev.empty:
        st.caption("No theme cue in this article.")
    sents = sents_df.set_index("sent_idx")
    marks_by: dict[tuple[str, int], list] = {}
    for t, i, s0, e0, cue in frames["themes"][["theme", "sent_idx", "start", "end", "cue"]].itertuples(index=False):
        marks_by.setdefault((t, int(i)), []).append((s0, e0, "theme", f"cue: {cue}"))
    weak = []
    shown = []
    for theme, part in ev.groupby("theme", sort=False):
        first = part.iloc[0]
        evidence = part.dropna(subset=["sent_idx"])
        if not bool(first["assigned"]) and theme not in f.themes:
            weak.append((theme, first["name"], evidence))
            continue
        shown.append((theme, first, evidence))
    # The themes the filters ask for come first and open; then the others by confidence, the strongest open
    # only when no filtered theme is here (all of them open would stretch the column far below the text).
    wanted_themes = [t for t in f.themes if any(t == x[0] for x in shown)]
    shown.sort(key=lambda x: (0, wanted_themes.index(x[0])) if x[0] in wanted_themes else (1, 0))
    for n, (theme, first, evidence) in enumerate(shown):
        conf = first["confidence"]
        sure = f"confidence {float(conf):.2f}" if pd.notna(conf) else f"score {first['score']:.1f}"
        tag = "" if bool(first["assigned"]) else ", not assigned"
        opened = theme in wanted_themes or (not wanted_themes and n == 0)
        with st.expander(f"{first['name']} — {sure}, {len(evidence)} sentences{tag}", expanded=opened,
                         icon=":material/filter_alt:" if theme in wanted_themes else None):
            every = len(evidence) > EVIDENCE_SHOWN and st.toggle(
                f"Show all {len(evidence)} sentences", key=f"art_all:{aid}:{theme}")
            cards = [highlight.theme_chips([(theme, first["name"])])]
            for row in (evidence if every else evidence.head(EVIDENCE_SHOWN)).itertuples(index=False):
                sent = sents.loc[row.sent_idx]
                cards.append(highlight.excerpt_card(
                    str(sent["text"]), marks_by.get((theme, int(row.sent_idx)), []), offset=int(sent["start"]),
                    meta=f"sentence {int(row.sent_idx) + 1} · cues: {row.cues}"))
            st.html("".join(cards))
            if len(evidence) > EVIDENCE_SHOWN and not every:
                st.caption(f"Showing {EVIDENCE_SHOWN} of {len(evidence)} sentences, those with the most cues first.")
    if not (ev["assigned"].fillna(False).astype(bool)).any() and len(ev):
        st.caption("No theme is assigned: no sentence is substantially about any theme.")
    if weak:
        with st.expander(f"{len(weak)} more themes with stray cues (not assigned)"):
            items = []
            for theme, name, evidence in weak:
                cues = ", ".join(dict.fromkeys(c for cs in evidence["cues"].dropna() for c in cs.split(", ")))
                items.append(f"<div style='margin:.2rem 0'>{highlight.theme_chips([(theme, name)])}"
                             f"<span style='color:#555;font-size:.85rem'>{len(evidence)} sentences · cues: "
                             f"{html.escape(cues)}</span></div>")
            st.html("".join(items))
    rel = frames["relations"]
    rel = rel[rel["quad"] != "none"]
    if len(rel):
        st.subheader("Relations")
        # An HTML table: the cue words wrap in the side column, and each sentence number opens it in the text.
        st.html(relations_table(rel, f, aid))

st.divider()
CONFIRM = "art_confirm_delete"


def _ask(article_id: str) -> None:
    st.session_state[CONFIRM] = article_id


def _cancel() -> None:
    st.session_state.pop(CONFIRM, None)


def _delete(article_id: str) -> None:
    deleted = data.delete_article(article_id)
    st.session_state.pop(CONFIRM, None)
    st.session_state.pop("art_pick", None)
    st.session_state["_art_url"] = None
    if "article" in st.query_params:
        del st.query_params["article"]
    st.session_state["art_flash"] = "Article deleted." if deleted else "The article was already gone."


if st.session_state.get(CONFIRM) != aid:
    st.button("Delete this article…", icon=":material/delete:", key="art_delete", on_click=_ask, args=(aid,))
else:
    st.warning("Delete this article and all its mentions and themes from the database? This cannot be undone.")
    yes, no = st.columns(2)
    yes.button("Yes, delete it", type="primary", key="art_delete_yes", on_click=_delete, args=(aid,))
    no.button("Cancel", key="art_delete_no", on_click=_cancel)
