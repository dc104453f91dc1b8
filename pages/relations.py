"""Relations: countries named in the same sentence, as a network (edge = sentences, colour = dominant theme)."""

import streamlit as st

from components import charts, data, filters
from components.highlight import md_escape
from components.layout import ensure_routed, guard
from geolens.aggregations import QUADS
from geolens.names import country_name

ensure_routed()
f = filters.get()
st.title("Relations")

total = data.total_articles()
n_sel = int(data.summary(f)["articles"])
if not guard(total, n_sel, f):
    st.stop()

measure = filters.country_measure()
counted = filters.measure_phrase(measure)
max_edges = st.slider("Strongest links shown", 10, 150, 50, step=10, key="rel_edges")
edges = data.co_mentions(f, max_edges=max_edges, measure=measure)
if edges.empty:
    st.info(f"No sentence of the selected articles has two {counted}. "
            "Remove a filter, or switch “Count countries”, to see more links.")
    st.stop()

names = {c: country_name(c) for c in set(edges["source"]) | set(edges["target"])}
st.plotly_chart(charts.network(edges, names=names), key="rel_network")
st.caption(f"Links between {counted} in one sentence. Edge width = number of such sentences; edge colour = "
           "the theme most of those sentences carry; node colour = continent. Hover an edge's middle for an "
           "example sentence.")

st.subheader("Strongest pairs")
table = edges.assign(
    pair=[f"{names[a]} – {names[b]}" for a, b in zip(edges["source"], edges["target"], strict=True)]
)
st.dataframe(
    table[["pair", "sentences", "theme_name", "example"]],
    hide_index=True,
    width="stretch",
    column_config={
        "pair": "Countries",
        "sentences": "Sentences",
        "theme_name": "Dominant theme",
        "example": st.column_config.TextColumn("Example sentence", width="large"),
    },
)

st.subheader("How they relate")
rel = data.relation_sentences(f)
if rel.empty:
    st.info("No sentence of the selected articles states an interaction between two countries.")
    st.stop()
rel = rel.assign(pair=[f"{country_name(a)} – {country_name(b)}" for a, b in zip(rel["a"], rel["b"], strict=True)])
counts = rel.pivot_table(index="pair", columns="quad", values="text", aggfunc="size", fill_value=0)
counts = counts.reindex(columns=[q for q in QUADS if q in counts.columns])
QUAD_LABELS = {"material_conflict": "Material conflict", "verbal_conflict": "Verbal conflict",
               "verbal_cooperation": "Verbal cooperation", "material_cooperation": "Material cooperation",
               "none": "No interaction"}
table = counts.rename(columns=QUAD_LABELS)
table.insert(0, "Sentences", counts.sum(axis=1))
table.index.name = "Countries"
st.dataframe(table.sort_values("Sentences", ascending=False), width="stretch")
st.caption("Sentences per pair and CAMEO quad class (material/verbal conflict, verbal/material cooperation), "
           "decided by the cue words shown below.")
pair = st.selectbox("Sentences of one pair", counts.index.tolist(), key="rel_pair")
for quad in QUADS:
    rows = rel[(rel["pair"] == pair) & (rel["quad"] == quad)]
    if len(rows):
        st.markdown(f"**{QUAD_LABELS.get(quad, quad)}** ({len(rows)})")
        for r in rows.itertuples(index=False):
            # Article text is escaped first: its own * _ [ ] ( ) must not become formatting, links or images.
            text, cue = md_escape(str(r.text)), md_escape(str(r.cue)) if r.cue else ""
            st.markdown("- " + (text.replace(cue, f"**{cue}**", 1) if cue else text))
