"""Relations: countries named in the same sentence as a network; open a link to read every sentence behind it."""

import math

import streamlit as st

from components import charts, data, filters, highlight, pair_charts
from components.layout import article_url, ensure_routed, guard
from geolens.aggregations import QUADS
from geolens.names import country_name, theme_name

PAGE_SIZE = 25
QUAD_LABELS = {"material_conflict": "Material conflict", "verbal_conflict": "Verbal conflict",
               "verbal_cooperation": "Verbal cooperation", "material_cooperation": "Material cooperation",
               "none": "No interaction stated"}
QUAD_COLORS = {"material_conflict": "#b2182b", "verbal_conflict": "#ef8a62", "verbal_cooperation": "#7fbf7b",
               "material_cooperation": "#1b7837"}
K_PAIR = "rel_pair_pick"

ensure_routed()
f = filters.get()
st.title("Relations")

total = data.total_articles()
n_sel = int(data.summary(f)["articles"])
if not guard(total, n_sel, f):
    st.stop()

measure = filters.country_measure()
counted = filters.measure_phrase(measure)
top = st.columns([2, 2])
max_edges = top[0].slider("Strongest links shown", 10, 150, 50, step=10, key="rel_edges")
color_by = top[1].segmented_control("Colour links by", ["balance", "theme"], default="balance", key="rel_color",
                                    format_func={"balance": "Cooperation – conflict", "theme": "Theme"}.get
                                    ) or "balance"
edges = data.co_mentions(f, max_edges=max_edges, measure=measure)
if edges.empty:
    st.info(f"No sentence of the selected articles has two {counted}. "
            "Remove a filter, or switch “Count countries”, to see more links.")
    st.stop()
quads = data.relation_counts(f)
edges = edges.merge(quads, on=["source", "target"], how="left").fillna({q: 0 for q in QUADS})
if color_by == "balance" and not edges[list(QUADS)].to_numpy().sum():
    st.caption("No sentence of these links states an interaction, so the links are coloured by theme.")
    color_by = "theme"

names = {c: country_name(c) for c in set(edges["source"]) | set(edges["target"])}
pairs = [(a, b) for a, b in zip(edges["source"], edges["target"], strict=True)]
labels = {p: f"{names[p[0]]} – {names[p[1]]}" for p in pairs}


def _open_pair_from_chart() -> None:
    state = st.session_state.get("rel_network")
    for point in (state.selection.points if state else []):
        ids = point.get("customdata")
        if isinstance(ids, list) and len(ids) == 2 and tuple(ids) in labels:
            st.session_state[K_PAIR] = tuple(ids)
            st.session_state["rel_pair_page"] = 1
            return


def _open_pair_from_table() -> None:
    state = st.session_state.get("rel_pairs")
    rows = state.selection.rows if state else []
    if rows:
        st.session_state[K_PAIR] = pairs[rows[0]]
        st.session_state["rel_pair_page"] = 1


if st.session_state.get(K_PAIR) not in labels:
    st.session_state.pop(K_PAIR, None)  # a pair of an earlier selection


st.plotly_chart(charts.network(edges, names=names, color_by=color_by, max_drawn=max_edges), key="rel_network",
                on_select=_open_pair_from_chart, selection_mode="points")
colour_text = ("the balance of cooperation against conflict in the sentences that state an interaction "
               "(blue: cooperation, grey: balanced, red: conflict)" if color_by == "balance"
               else "the theme most of those sentences carry")
st.caption(f"Links between {counted} in one sentence. Edge width = number of such sentences; edge colour = "
           f"{colour_text}; node colour = continent. Click a link's middle, or a row below, to read its sentences.")

st.subheader("Strongest pairs")
table = edges.assign(
    pair=[labels[p] for p in pairs],
    interactions=edges[list(QUADS)].sum(axis=1).astype(int),
)
st.dataframe(
    table[["pair", "sentences", "interactions", "theme_name", "example"]],
    hide_index=True, width="stretch", key="rel_pairs", on_select=_open_pair_from_table,
    selection_mode="single-row",
    column_config={
        # Widths that keep every column in view at 1000 px; the full example shows on hover, all sentences below.
        "pair": st.column_config.TextColumn("Countries", width=130),
        "sentences": st.column_config.NumberColumn("Sentences", width=68),
        "interactions": st.column_config.NumberColumn("Interactions", width=78,
                                                      help="Sentences that state how the two relate"),
        "theme_name": st.column_config.TextColumn("Dominant theme", width=105),
        "example": st.column_config.TextColumn("Example", width=110,
                                               help="One sentence; select the row to read them all below"),
    },
)

pair = st.selectbox("Read every sentence of", pairs, format_func=labels.get, index=None, key=K_PAIR,
                    placeholder="choose a pair (or click a link, or select a row above)")
if pair is None:
    st.caption("Choose a pair of countries to read every sentence of the selection that names both, grouped by "
               "article, with how they relate.")
    st.stop()
a, b = pair
st.subheader(f"{labels[pair]}: every sentence naming both")
n_pair = data.pair_totals(f, a, b, measure=measure)
classified = data.pair_relations(f, a, b)
by_quad = classified[classified["quad"].isin(QUADS)]
if len(by_quad):
    counts = by_quad["quad"].value_counts()
    st.markdown(" · ".join(f"**{QUAD_LABELS[q]}** {int(counts[q])}" for q in QUADS if q in counts))
    balance = data.relation_balance(f, a, b)
    if len(balance) > 1:
        st.plotly_chart(pair_charts.balance_chart(balance, title="Cooperation and conflict per month"),
                        key="rel_balance")
n_pages = max(1, math.ceil(n_pair / PAGE_SIZE))
if st.session_state.get("rel_pair_page", 1) > n_pages:
    st.session_state["rel_pair_page"] = 1
page = st.session_state.get("rel_pair_page", 1)
rows = data.pair_sentences(f, a, b, measure=measure, offset=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE)
st.caption(f"{n_pair:,} sentence{'s' if n_pair != 1 else ''} of the selected articles name both countries "
           f"({counted}); newest article first.")
spans = data.spans(rows)
cues = {(r.article_id, int(r.sent_idx)): (r.quad, r.cue) for r in classified.itertuples(index=False)}
st.html(highlight.STYLE)
for article_id, part in highlight.group_by_article(rows):
    items = []
    for r in part.itertuples(index=False):
        mine = spans[(spans["article_id"] == r.article_id) & (spans["sent_idx"] == r.sent_idx)]
        marks = highlight.spans_from_frame(mine)
        quad, cue = cues.get((r.article_id, int(r.sent_idx)), ("", ""))
        if cue:
            marks += [(s + r.start, e + r.start, "keyword", QUAD_LABELS.get(quad, quad))
                      for s, e, _, _ in highlight.keyword_spans(r.text, cue)]
        chips = highlight.theme_chips((t, theme_name(t)) for t in str(r.themes).split(", ") if t)
        if quad in QUADS:
            chips = highlight.chip(QUAD_LABELS[quad], QUAD_COLORS[quad]) + chips
        items.append(highlight.Excerpt(text=r.text, spans=tuple(marks), offset=int(r.start), chips_html=chips,
                                       url=article_url(f, r.article_id, sent_idx=int(r.sent_idx))))
    first = part.iloc[0]
    date = "undated" if str(first["published"]) in ("NaT", "None") else f"{first['published']:%Y-%m-%d}"
    st.html(highlight.excerpt_group(str(first["title"] or "(untitled)"), f"{first['source'] or ''} · {date}", items,
                                    url=article_url(f, article_id)))
if n_pages > 1:
    st.pagination(n_pages, key="rel_pair_page", max_visible_pages=9)
