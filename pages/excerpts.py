"""Excerpts: the sentences behind the filters, highlighted, with theme chips, search, pages and CSV download."""

import math

import streamlit as st

from components import data, filters, highlight
from components.layout import article_url, ensure_routed, guard
from geolens import aggregations as agg
from geolens.names import theme_name

PAGE_SIZE = 20

ensure_routed()
f = filters.get()
st.title("Excerpts")

total = data.total_articles()
n_sel = int(data.summary(f)["articles"])
if not guard(total, n_sel, f):
    st.stop()

if "exc_kw" not in st.session_state:
    st.session_state["exc_kw"] = st.query_params.get("kw", "")
keyword = st.text_input("Search in these sentences", key="exc_kw", placeholder="keyword, e.g. supply chain").strip()
if keyword:
    st.query_params["kw"] = keyword
elif "kw" in st.query_params:
    del st.query_params["kw"]

floor, searched, _ = data.keyword_scope(f) if keyword else (0, n_sel, n_sel)
n_rows, n_art = data.excerpt_totals(f, keyword=keyword, floor=floor)
if keyword and searched < n_sel:
    st.caption(f"“{keyword}” was looked for in the {searched:,} selected articles that are among the "
               f"{agg.KEYWORD_SCOPE:,} most recently added to the database, not in the other {n_sel - searched:,}: "
               "a keyword search reads sentence text, so it is bounded. To search the rest, find them by the "
               "sidebar's Free text (articles), or export the tables (`python -m geolens export DIR`).")
if not n_rows:
    what = f"containing “{keyword}”" if keyword else "naming a country or carrying a theme cue"
    st.warning(f"No sentence {what} in the {n_sel:,} selected articles. Try another keyword or remove a filter.")
    st.stop()

n_pages = max(1, math.ceil(n_rows / PAGE_SIZE))
if st.session_state.get("exc_page", 1) > n_pages:
    st.session_state["exc_page"] = 1
top = st.columns([3, 1])
top[0].markdown(f"**{n_rows:,} sentence{'s' if n_rows != 1 else ''}** from {n_art:,} "
                f"article{'s' if n_art != 1 else ''}")
top[1].download_button(
    "Download CSV",
    data=data.excerpts_csv(f, keyword, floor),
    file_name="geolens_excerpts.csv",
    mime="text/csv",
    icon=":material/download:",
    on_click="ignore",
    key="exc_csv",
    help=(f"Every sentence the filters and the search select (not only this page), up to {data.CSV_CAP:,}; "
          "for more, narrow the filters or export the tables with `python -m geolens export DIR`."),
)

page = st.session_state.get("exc_page", 1)
chunk = data.excerpts(f, keyword=keyword, offset=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE, floor=floor)
spans = data.spans(chunk)
st.html(highlight.STYLE)
st.html(highlight.legend(["country", "person", "org", "place", "theme"] + (["keyword"] if keyword else [])))
# One card per article: its title and link once, its sentences below, each linking to itself in the article.
for article_id, part in highlight.group_by_article(chunk):
    items = []
    for row in part.itertuples(index=False):
        mine = spans[(spans["article_id"] == row.article_id) & (spans["sent_idx"] == row.sent_idx)]
        marks = highlight.spans_from_frame(mine) + [
            (s + row.start, e + row.start, k, lab) for s, e, k, lab in highlight.keyword_spans(row.text, keyword)
        ]
        chips = highlight.theme_chips((t, theme_name(t)) for t in row.themes.split(", ") if t)
        items.append(highlight.Excerpt(text=row.text, spans=tuple(marks), offset=int(row.start), chips_html=chips,
                                       url=article_url(f, row.article_id, sent_idx=int(row.sent_idx))))
    first = part.iloc[0]
    date = "undated" if str(first["published"]) in ("NaT", "None") else f"{first['published']:%Y-%m-%d}"
    meta = " · ".join(x for x in (str(first["source"] or ""), date) if x)
    st.html(highlight.excerpt_group(str(first["title"] or "(untitled)"), meta, items, url=article_url(f, article_id)))
if n_rows > data.CSV_CAP:
    st.caption(f"The CSV download holds the first {data.CSV_CAP:,} of these {n_rows:,} sentences. Narrow the "
               "filters for the rest, or export every table with `python -m geolens export DIR`.")
if n_pages > 1:
    st.pagination(n_pages, key="exc_page", max_visible_pages=9)
