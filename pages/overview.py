"""Overview: headline figures, top countries and themes, attention over time, people and organisations,
the theme-by-country heatmap and the latest articles. Every figure opens the sentences behind it."""

from datetime import timedelta

import streamlit as st

from components import charts, data, filters
from components.layout import article_url, ensure_routed, guard, links_params
from geolens import aggregations as agg
from geolens import attention
from geolens.filters import Filters
from geolens.names import theme_ids

LATEST_STEP = 12
K_LATEST = "ov_latest_n"

ensure_routed()
f = filters.get()
st.title("Overview")
measure = filters.country_measure()
counted = filters.measure_phrase(measure)

total = data.summary(Filters())
s = data.summary(f, measure=measure)
if not guard(int(total["articles"]), int(s["articles"]), f):
    st.stop()
themes = data.theme_counts(f)

# A wrapping row of two pairs: on a narrow window the second pair moves to a second line as a whole, instead of
# the figures being cut to "16 o…" or the last one left alone on a line of its own.
span = "—" if str(s["first"]) == "NaT" else f"{s['first']:%b %Y} – {s['last']:%b %Y}"
with st.container(horizontal=True, wrap=True, gap="medium"):
    with st.container(horizontal=True, wrap=False, gap="medium", width="content"):
        st.metric("Articles", f"{int(s['articles']):,}", help=f"of {int(total['articles']):,} in the database",
                  width="content")
        st.metric("Countries", f"{int(s['countries']):,}", width="content",
                  help=f"Number of {counted} in the selected articles (the “Count countries” control above).")
    with st.container(horizontal=True, wrap=False, gap="medium", width="content"):
        # The themes the charts below show: under a theme filter, only the filtered themes count.
        st.metric("Themes", f"{len(themes)} of {len(theme_ids())}", width="content",
                  help="Themes assigned to the selected articles" + (" (within the theme filter)" if f.themes else ""))
        st.metric("Dates", span, width="content",
                  help=(f"{int(s['undated'])} selected article{'s have' if s['undated'] != 1 else ' has'} no date"
                        if s["undated"] else None))

# One article: every count of articles would be 1, so rank countries by mentions and themes by confidence.
single = int(s["articles"]) == 1
left, right = st.columns(2)
with left:
    countries = data.country_counts(f, measure=measure)
    if countries.empty:
        st.info(f"The selected articles have no {counted}. Switch “Count countries” to see the other measure.")
    else:
        title = ("Countries named in this article" if measure == "named" else "Countries attributed in this article"
                 ) if single else f"Top {filters.measure_phrase(measure, short=True)}"
        st.plotly_chart(
            charts.country_bar(countries, top=15, value="mentions" if single else "articles", title=title),
            key="ov_countries",
        )
with right:
    if themes.empty:
        st.info("No theme is assigned to the selected articles.")
    else:
        st.plotly_chart(charts.theme_bar(themes, value="confidence" if single else "articles",
                                         title="Themes of this article" if single else "Themes"), key="ov_themes")

# -- what changed --------------------------------------------------------------------------------
freq = "month"
totals = data.period_totals(f, freq=freq)
if len(totals) >= 3:
    st.subheader("What changed")
    by = st.segmented_control("Attention to", ["country", "theme"], default="country", key="ov_att_by",
                              format_func={"country": "Countries", "theme": "Themes"}.get) or "country"
    value = st.segmented_control("Show", ["share", "count"], default="share", key="ov_att_value",
                                 format_func={"share": "Share of articles", "count": "Articles"}.get) or "share"
    counts = data.period_counts(f, by=by, freq=freq, top=8, measure=measure)
    att = attention.attention(counts[["period", "key", "count"]], totals.set_index("period")["articles"])
    names = dict(zip(counts["key"], counts["name"], strict=False))
    st.plotly_chart(charts.attention_chart(att, names=names, kind=by, freq=freq, top=6, value=value,
                                           title=f"{'Countries' if by == 'country' else 'Themes'} per month"),
                    key="ov_attention")
    flagged = attention.spikes(counts[["period", "key", "count"]], totals.set_index("period")["articles"])
    if len(flagged):
        st.markdown("**Spikes** (open the sentences behind each)")
        for r in flagged.head(6).itertuples(index=False):
            start = r.period.date()
            end = (r.period + (timedelta(days=31))).replace(day=1).date() - timedelta(days=1)
            params = links_params(Filters(countries=(r.key,) if by == "country" else f.countries,
                                          themes=(r.key,) if by == "theme" else f.themes,
                                          start=max(start, f.start or start), end=min(end, f.end or end),
                                          sources=f.sources, entities=f.entities))
            label = (f"{names.get(r.key, r.key)}, {r.period:%b %Y}: {int(r.count)} articles "
                     f"({r.share:.0%} of the month; about {r.baseline:.1f} expected)")
            st.page_link("pages/excerpts.py", label=label, icon=":material/trending_up:", query_params=params)
    st.caption(attention.rule_text())

# -- people and organisations ----------------------------------------------------------------------
people = data.entity_counts(f, limit=12)
if len(people):
    st.subheader("People and organisations")
    shown = people.assign(kind=people["kind"].map({"person": "Person", "org": "Organisation"}))
    st.dataframe(
        shown[["entity", "kind", "country_name", "articles", "mentions", "themes"]],
        hide_index=True, width="stretch", key="ov_people", on_select="rerun", selection_mode="single-row",
        column_config={
            # Widths that keep every column in view at 1000 px with the sidebar open; full text on hover.
            "entity": st.column_config.TextColumn("Name", width=116),
            "kind": st.column_config.TextColumn("Kind", width=92),
            "country_name": st.column_config.TextColumn("Country", width=80),
            "articles": st.column_config.NumberColumn("Articles", width=56),
            "mentions": st.column_config.NumberColumn("Mentions", width=60),
            "themes": st.column_config.TextColumn("Themes", width=80, help="Themes of their articles"),
        },
    )
    window = "" if not f.active() or int(total["articles"]) <= agg.ENTITY_WINDOW else (
        f" Counted in the selected articles among the {agg.ENTITY_WINDOW:,} most recently added.")
    st.caption("Select a row to filter every page by that person or organisation." + window)
    picked = st.session_state.get("ov_people")
    rows = picked.selection.rows if picked else []
    if rows:
        entity = str(people.iloc[rows[0]]["entity"])
        if entity not in f.entities:
            filters.set_entities([*f.entities, entity])
            st.rerun()

# -- themes by country ---------------------------------------------------------------------------
matrix = data.theme_country_matrix(f, top=12, measure=measure)


def _open_cell() -> None:
    state = st.session_state.get("ov_heatmap")
    for point in (state.selection.points if state else []):
        ids = point.get("customdata")
        if isinstance(ids, list) and len(ids) >= 4:
            st.session_state["_ov_cell"] = (str(ids[3]), str(ids[2]))


if matrix.empty:
    st.info("The selected articles carry no theme together with a country, so there is no heatmap to draw.")
elif single:
    st.caption("Themes by country needs more than one article: with one, every cell would read 1.")
elif matrix["theme"].nunique() < 2 or matrix["country"].nunique() < 2:
    st.caption("Themes by country: the selection holds a single theme or a single country, so the bars above "
               "already say it all.")
else:
    st.plotly_chart(charts.theme_country_heatmap(matrix, title="Themes by country (articles with both)"),
                    key="ov_heatmap", on_select=_open_cell, selection_mode="points")
    st.caption("Click a cell to read the sentences behind it.")
cell = st.session_state.pop("_ov_cell", None)
if cell:
    iso, theme = cell
    st.switch_page("pages/excerpts.py", query_params=links_params(
        Filters(countries=(iso,), themes=(theme,), start=f.start, end=f.end, sources=f.sources,
                entities=f.entities, text=f.text)))

# -- latest articles -----------------------------------------------------------------------------
st.subheader("Latest articles")
n_sel = int(s["articles"])
limit = min(st.session_state.get(K_LATEST, LATEST_STEP), n_sel)
latest = data.latest_articles(f, limit=limit, measure=measure)
table = latest.assign(
    link=[article_url(f, a) for a in latest["article_id"]],
    published=latest["published"].dt.strftime("%Y-%m-%d").fillna("undated"),  # no "None" for undated articles
)
event = st.dataframe(
    table[["published", "title", "countries", "themes", "source", "link"]],
    hide_index=True,
    width="stretch",
    height=min(35 * (len(table) + 1) + 3, 35 * 25),  # every row of a short list visible, longer ones scroll
    on_select="rerun",
    selection_mode="single-row",
    key="ov_latest",
    column_config={
        # Widths that fit a 1000 px window with the sidebar open; long lists show in full on hover.
        "published": st.column_config.TextColumn("Date", width=76),
        "title": st.column_config.TextColumn("Title", width=138),
        "countries": st.column_config.TextColumn("Countries", width=80, help=f"Top {counted}"),
        "themes": st.column_config.TextColumn("Themes", width=88),
        "source": st.column_config.TextColumn("Source", width=62),
        "link": st.column_config.LinkColumn("Open", display_text="Read →", width=48),
    },
)
more = st.columns([3, 1])
more[0].caption(f"The {len(table):,} newest of {n_sel:,} selected articles (undated ones last). "
                "Select a row to read the article with its highlights.")
if len(table) < n_sel:
    more[1].button(f"Show {min(LATEST_STEP * 2, n_sel - len(table)):,} more", key="ov_more",
                   on_click=lambda: st.session_state.update({K_LATEST: limit + LATEST_STEP * 2}))
rows = event.selection.rows if event else []
if rows:
    st.switch_page("pages/article.py", query_params=links_params(f, article=str(latest.iloc[rows[0]]["article_id"])))
