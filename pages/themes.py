"""Themes: volume over time, each theme's share of the selection, top cue words; selecting a theme filters."""

import streamlit as st

from components import charts, data, filters
from components.layout import ensure_routed, guard

ensure_routed()
f = filters.get()
st.title("Themes")

total = data.total_articles()
n_sel = int(data.summary(f)["articles"])
if not guard(total, n_sel, f):
    st.stop()
counts = data.theme_counts(f)
if counts.empty:
    st.info(f"None of the {n_sel:,} selected articles is assigned a theme. Try removing a filter.")
    st.stop()

freq = st.segmented_control("Period", ["week", "month"], default="month", key="themes_freq",
                            format_func=str.capitalize) or "month"
volume = data.theme_volume(f, freq=freq)
if volume.empty:
    st.info("The selected articles have no publication date, so there is no timeline.")
else:
    st.plotly_chart(charts.theme_volume_chart(volume, freq=freq, title=f"Articles per {freq} and theme"),
                    key="themes_volume")

names_to_ids = dict(zip(counts["name"], counts["theme"], strict=True))


def _on_select() -> None:
    state = st.session_state.get("themes_share")
    points = state.selection.points if state else []
    picked = [names_to_ids.get(p.get("y")) for p in points]
    picked = [t for t in picked if t]
    if picked:
        filters.set_themes(picked)


left, right = st.columns(2)
with left:
    st.plotly_chart(
        charts.theme_bar(counts, value="share", title="Share of selected articles"),
        key="themes_share",
        on_select=_on_select,
        selection_mode="points",
    )
    st.caption("Click a bar to filter every page by that theme.")
with right:
    cues = data.top_cues(f, per_theme=5, themes=6)
    if cues.empty:
        st.info("No cue words in the selection.")
    else:
        st.plotly_chart(charts.cue_bar(cues, title="Top cue words of the leading themes"), key="themes_cues")
