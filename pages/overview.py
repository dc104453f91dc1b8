"""Overview: headline figures, top countries and themes, theme-by-country heatmap, latest articles."""

import streamlit as st

from components import charts, data, filters
from components.layout import article_url, ensure_routed, guard, links_params
from geolens.filters import Filters

ensure_routed()
f = filters.get()
st.title("Overview")
measure = filters.country_measure()
counted = filters.measure_phrase(measure)

total = data.summary(Filters())
s = data.summary(f, measure=measure)
if not guard(int(total["articles"]), int(s["articles"]), f):
    st.stop()

# A wrapping row: on a narrow window the figures move to a second line instead of being cut to "16 o…".
span = "—" if str(s["first"]) == "NaT" else f"{s['first']:%b %Y} – {s['last']:%b %Y}"
with st.container(horizontal=True, wrap=True, gap="large"):
    st.metric("Articles", f"{int(s['articles']):,}", help=f"of {int(total['articles']):,} in the database",
              width="content")
    st.metric("Countries mentioned", f"{int(s['countries']):,}", width="content",
              help=f"Number of {counted} in the selected articles (the “Count countries” control above).")
    st.metric("Themes assigned", f"{int(s['themes'])} of 16", width="content")
    st.metric("Date span", span, width="content",
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
    themes = data.theme_counts(f)
    if themes.empty:
        st.info("No theme is assigned to the selected articles.")
    else:
        st.plotly_chart(charts.theme_bar(themes, value="confidence" if single else "articles",
                                         title="Themes of this article" if single else "Themes"), key="ov_themes")

matrix = data.theme_country_matrix(f, top=12, measure=measure)
if matrix.empty:
    st.info("The selected articles carry no theme together with a country, so there is no heatmap to draw.")
elif single:
    st.caption("Themes by country needs more than one article: with one, every cell would read 1.")
elif matrix["theme"].nunique() < 2 or matrix["country"].nunique() < 2:
    st.caption("Themes by country: the selection holds a single theme or a single country, so the bars above "
               "already say it all.")
else:
    st.plotly_chart(charts.theme_country_heatmap(matrix, title="Themes by country (articles with both)"),
                    key="ov_heatmap")

st.subheader("Latest articles")
latest = data.latest_articles(f, limit=12, measure=measure)
table = latest.assign(
    link=[article_url(f, a) for a in latest["article_id"]],
    published=latest["published"].dt.strftime("%Y-%m-%d").fillna("undated"),  # no "None" for undated articles
)
event = st.dataframe(
    table[["published", "title", "countries", "themes", "source", "link"]],
    hide_index=True,
    width="stretch",
    height=35 * (len(table) + 1) + 3,  # every row visible: no scrollbar inside a 12-row table
    on_select="rerun",
    selection_mode="single-row",
    key="ov_latest",
    column_config={
        # Fixed widths keep the whole table in view; long lists of countries or themes show in full on hover.
        "published": st.column_config.TextColumn("Date", width=90),
        "title": st.column_config.TextColumn("Title", width=300),
        "countries": st.column_config.TextColumn("Countries", width=170, help=f"Top {counted}"),
        "themes": st.column_config.TextColumn("Themes", width=170),
        "source": st.column_config.TextColumn("Source", width=105),
        "link": st.column_config.LinkColumn("Open", display_text="Read →", width=60),
    },
)
st.caption("Select a row to read the article with its highlights.")
rows = event.selection.rows if event else []
if rows:
    st.switch_page("pages/article.py", query_params=links_params(f, article=str(latest.iloc[rows[0]]["article_id"])))
