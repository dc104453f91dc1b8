"""Article: one article with every mention highlighted by kind, its countries, its themes with evidence."""

import html
from urllib.parse import urlparse

import pandas as pd
import streamlit as st

from components import data, filters, highlight
from components.layout import empty_database, ensure_routed
from geolens import aggregations as agg
from geolens.names import country_name

EVIDENCE_SHOWN = 6

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

text_col, side = st.columns([3, 2])
with text_col:
    m = frames["mentions"]
    kinds = [k for k in ("country", "person", "org", "place") if k in set(m["kind"].dropna())]
    spans = [
        (s, e, k, f"{k}: {ent}" + (f" → {c}" if isinstance(c, str) and c else ""))
        for s, e, k, ent, c in zip(m["start"], m["end"], m["kind"], m["entity"].fillna(""), m["country"],
                                   strict=True)
    ]
    st.html(highlight.STYLE)
    st.html(highlight.legend(kinds or ["country"]))
    text = str(a["text"])
    # Short articles get a short box; long ones scroll inside a box of at most 620 px.
    est = 40 + 28 * (len(text) // 85 + text.count("\n\n") + 1)
    with st.container(height=min(620, est)):
        st.html(highlight.text_block(highlight.highlight(text, spans)))
with side:
    st.subheader("Countries")
    countries = agg.article_countries(frames)
    if countries.empty:
        st.caption("No country is mentioned.")
    else:
        # Name, count and the words used fit the side column; the ISO3 code is in the Map page's table.
        st.dataframe(countries[["name", "mentions", "surfaces"]], hide_index=True, width="stretch",
                     height=min(400, 35 * (len(countries) + 1) + 3),
                     column_config={"name": st.column_config.TextColumn("Country", width=115),
                                    "mentions": st.column_config.NumberColumn("Mentions", width=75),
                                    "surfaces": st.column_config.TextColumn("Named as", width="medium")})
    st.subheader("Themes")
    ev = agg.article_theme_evidence(frames)
    if ev.empty:
        st.caption("No theme cue in this article.")
    sents = frames["sentences"].set_index("sent_idx")
    marks_by: dict[tuple[str, int], list] = {}
    for t, i, s0, e0, cue in frames["themes"][["theme", "sent_idx", "start", "end", "cue"]].itertuples(index=False):
        marks_by.setdefault((t, int(i)), []).append((s0, e0, "theme", f"cue: {cue}"))
    weak = []
    n_open = 0
    for theme, part in ev.groupby("theme", sort=False):
        first = part.iloc[0]
        evidence = part.dropna(subset=["sent_idx"])
        if not bool(first["assigned"]):
            weak.append((theme, first["name"], evidence))
            continue
        # Only the strongest theme opens: all of them open would stretch the page far below the text.
        n_open += 1
        conf = first["confidence"]
        sure = f"confidence {float(conf):.2f}" if pd.notna(conf) else f"score {first['score']:.1f}"
        with st.expander(f"{first['name']} — {sure}, {len(evidence)} sentences",
                         expanded=n_open == 1):
            cards = [highlight.theme_chips([(theme, first["name"])])]
            for row in evidence.head(EVIDENCE_SHOWN).itertuples(index=False):
                sent = sents.loc[row.sent_idx]
                cards.append(highlight.excerpt_card(
                    str(sent["text"]), marks_by.get((theme, int(row.sent_idx)), []), offset=int(sent["start"]),
                    meta=f"sentence {int(row.sent_idx) + 1} · cues: {row.cues}"))
            st.html("".join(cards))
            if len(evidence) > EVIDENCE_SHOWN:
                st.caption(f"…and {len(evidence) - EVIDENCE_SHOWN} more sentences.")
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
        st.dataframe(pd.DataFrame({
            "Countries": [f"{country_name(x)} – {country_name(y)}" for x, y in zip(rel["a"], rel["b"], strict=True)],
            "How": rel["quad"].str.replace("_", " ").tolist(),
            "Words": rel["cue"].tolist(),
            "Sentence": (rel["sent_idx"] + 1).tolist(),
        }), hide_index=True, width="stretch")

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
