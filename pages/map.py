"""Map: world choropleth of country mentions; selecting a country filters every page by it."""

import streamlit as st

from components import charts, data, filters
from components.geo import shapeless_points, world_geojson
from components.layout import ensure_routed, guard

ensure_routed()
f = filters.get()
st.title("Map")
measure = filters.country_measure()
counted = filters.measure_phrase(measure)

total = data.total_articles()
counts = data.country_counts(f, measure=measure)
n_sel = int(data.summary(f)["articles"])
if not guard(total, n_sel, f):
    st.stop()
if counts.empty:
    st.info(f"The selected articles have no {counted}, so the map would be blank. "
            "Switch “Count countries” to see the other measure.")
    st.stop()


def _on_select() -> None:
    state = st.session_state.get("map_chart")
    points = (state or {}).get("selection", {}).get("points", []) if isinstance(state, dict) else (
        state.selection.points if state else [])
    # Shapes report their ISO3 as `location`; the dots of small countries carry it last in customdata.
    picked = [p.get("location") or (p.get("customdata") or [None])[-1] for p in points]
    picked = [c for c in picked if isinstance(c, str) and c]
    if picked:
        filters.set_countries(picked)


if n_sel == 1:
    # One article: every country would be "1 article", a colour scale of a single value; mentions tell them apart.
    metric = "mentions"
    st.caption("One article is selected: countries are coloured by how often it mentions them.")
else:
    metric = st.segmented_control("Colour by", ["articles", "mentions"], default="articles", key="map_metric",
                                  format_func=str.capitalize) or "articles"
st.plotly_chart(
    charts.choropleth(counts, world=world_geojson(), points=shapeless_points(counts["country"]),
                     selected=f.countries, value=metric),
    key="map_chart",
    on_select=_on_select,
    selection_mode="points",
    config={"scrollZoom": True, "displaylogo": False, "topojsonURL": charts.NO_TOPOJSON_URL},
)
what = filters.measure_phrase(measure, short=True)
what = what.replace("countries", "country", 1) if len(counts) == 1 else what
where = f"the {n_sel:,} selected article{'' if n_sel == 1 else 's'}"
st.caption(
    f"Colour = {counted}. Click a country to filter every page by it (outlined in orange); clear it in the "
    "sidebar. Zoom with the mouse wheel or the region buttons, drag to pan. "
    f"{len(counts)} {what} in {where}."
)
st.dataframe(
    # With one article every row would read 1 article: the mentions are the figure that differs.
    counts[["name", "country", "mentions"] if n_sel == 1 else ["name", "country", "articles", "mentions"]],
    hide_index=True,
    width="stretch",
    height=min(420, 36 * (len(counts) + 1)),
    column_config={
        "name": "Country",
        "country": "ISO3",
        "articles": st.column_config.ProgressColumn("Articles", format="%d", min_value=0,
                                                   max_value=int(counts["articles"].max())),
        "mentions": "Mentions",
    },
)
