"""Themes: attention over time (share and count, spikes), each theme's share of the selection, top cue words;
selecting a theme filters, a spike opens its excerpts."""

from datetime import timedelta

import streamlit as st

from components import charts, data, filters
from components.layout import ensure_routed, guard, links_params
from geolens import attention
from geolens.filters import Filters
from geolens.names import theme_name

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

single = n_sel == 1
months = data.period_totals(f, freq="month")
if single:
    st.caption("One article is selected: its themes are ranked by the model's confidence, and there is no "
               "timeline to draw.")
elif len(months) < 2:
    st.caption("The selected articles fall in a single month (or have no date), so there is no timeline to draw.")
else:
    freq = st.segmented_control("Period", ["week", "month"], default="month", key="themes_freq",
                                format_func=str.capitalize) or "month"
    value = st.segmented_control("Show", ["share", "count"], default="share", key="themes_value",
                                 format_func={"share": "Share of articles", "count": "Articles"}.get) or "share"
    totals = data.period_totals(f, freq=freq).set_index("period")["articles"]
    per = data.period_counts(f, by="theme", freq=freq, top=16)
    att = attention.attention(per[["period", "key", "count"]], totals)
    st.plotly_chart(charts.attention_chart(att, names={t: theme_name(t) for t in per["key"]}, kind="theme",
                                           freq=freq, top=6, value=value,
                                           title=f"Themes per {freq}: the six most frequent"),
                    key="themes_attention")
    flagged = attention.spikes(per[["period", "key", "count"]], totals)
    if len(flagged):
        st.markdown("**Spikes** (open the sentences behind each)")
        for r in flagged.head(8).itertuples(index=False):
            start = r.period.date()
            end = (start + timedelta(days=6)) if freq == "week" else (
                (r.period + timedelta(days=31)).replace(day=1).date() - timedelta(days=1))
            params = links_params(Filters(countries=f.countries, themes=(r.key,),
                                          start=max(start, f.start or start), end=min(end, f.end or end),
                                          sources=f.sources, entities=f.entities, text=f.text))
            when = f"week of {r.period:%d %b %Y}" if freq == "week" else f"{r.period:%b %Y}"
            st.page_link("pages/excerpts.py", icon=":material/trending_up:", query_params=params,
                         label=f"{theme_name(r.key)}, {when}: {int(r.count)} articles ({r.share:.0%}; about "
                               f"{r.baseline:.1f} expected)")
    st.caption(attention.rule_text())
    volume = data.theme_volume(f, freq=freq)
    with st.expander(f"Articles per {freq} and theme, stacked"):
        st.plotly_chart(charts.theme_volume_chart(volume, freq=freq, title=f"Articles per {freq} and theme"),
                        key="themes_volume")


def _on_select() -> None:
    state = st.session_state.get("themes_share")
    points = state.selection.points if state else []
    # The bar's label may be wrapped or shortened: the theme id travels in customdata.
    picked = [p["customdata"][0] for p in points if isinstance(p.get("customdata"), list) and p["customdata"]]
    picked = [t for t in picked if t in set(counts["theme"])]
    if picked:
        filters.set_themes(picked)


left, right = st.columns(2)
with left:
    st.plotly_chart(
        charts.theme_bar(counts, value="confidence" if single else "share",
                         title="Confidence of each theme" if single else "Share of selected articles"),
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
