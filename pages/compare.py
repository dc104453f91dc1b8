"""Compare: two selections side by side (A and B), their theme shares, countries, people and distinctive words."""

from datetime import date
from urllib.parse import urlencode

import pandas as pd
import streamlit as st

from components import charts, data, filters
from components.layout import ensure_routed
from geolens.distinctive import distinctive
from geolens.filters import PARAM_KEYS, Filters
from geolens.names import country_name, theme_name

ensure_routed()
st.title("Compare")
st.caption("Two selections side by side. Each has its own filters, kept in the URL; the sidebar filters do not "
           "apply on this page.")

opts = data.options()
if not opts["countries"]:
    st.info("The database has no articles yet: add some on the Upload page.")
    st.stop()


def _seed(side: str, default_country: str | None) -> None:
    """On the first run, set a side's widgets from the URL (a_country=…, b_from=…), else a default country."""
    if st.session_state.get(f"_cmp_{side}_seeded"):
        return
    st.session_state[f"_cmp_{side}_seeded"] = True
    params = {k: st.query_params.get_all(k) for k in (f"{side}_{p}" for p in PARAM_KEYS) if k in st.query_params}
    f = Filters.from_params(params, prefix=f"{side}_")
    if not f.active() and default_country:
        f = Filters(countries=(default_country,))
    st.session_state[f"cmp_{side}_country"] = [c for c in f.countries if c in opts["countries"]]
    st.session_state[f"cmp_{side}_theme"] = [t for t in f.themes if t in opts["themes"]]
    st.session_state[f"cmp_{side}_source"] = [s for s in f.sources if s in opts["sources"]]
    lo, hi = opts["dates"]
    if lo is not None:
        st.session_state[f"cmp_{side}_dates"] = (min(max(f.start or lo, lo), hi), max(min(f.end or hi, hi), lo))


def _side(side: str, label: str) -> Filters:
    """The widgets of one side; returns its Filters."""
    st.subheader(label)
    st.multiselect("Countries", opts["countries"], key=f"cmp_{side}_country", format_func=filters.country_label,
                   placeholder="All countries")
    st.multiselect("Themes", opts["themes"], key=f"cmp_{side}_theme", format_func=theme_name,
                   placeholder="All themes")
    lo, hi = opts["dates"]
    start = end = None
    if lo is not None:
        dates = st.date_input("Published between", key=f"cmp_{side}_dates", min_value=lo, max_value=hi,
                              format="YYYY-MM-DD")
        if isinstance(dates, tuple | list) and len(dates) == 2:
            start, end = (dates[0] if dates[0] != lo else None), (dates[1] if dates[1] != hi else None)
    if opts["sources"]:
        st.multiselect("Sources", opts["sources"], key=f"cmp_{side}_source", placeholder="All sources")
    return Filters(countries=tuple(st.session_state[f"cmp_{side}_country"]),
                   themes=tuple(st.session_state[f"cmp_{side}_theme"]),
                   start=start if isinstance(start, date) else None, end=end if isinstance(end, date) else None,
                   sources=tuple(st.session_state.get(f"cmp_{side}_source") or ()))


def _describe(f: Filters) -> str:
    return f.describe(country_name, theme_name) if f.active() else "all articles"


_seed("a", opts["countries"][0])
_seed("b", opts["countries"][1] if len(opts["countries"]) > 1 else None)
col_a, col_b = st.columns(2, gap="large")
with col_a:
    fa = _side("a", "A")
with col_b:
    fb = _side("b", "B")
for side, f in (("a", fa), ("b", fb)):  # both selections in the URL, so the comparison can be shared
    for key in PARAM_KEYS:
        st.query_params.pop(f"{side}_{key}", None)
    for key, value in f.to_params().items():
        st.query_params[f"{side}_{key}"] = value

sa, sb = data.summary(fa), data.summary(fb)
na, nb = int(sa["articles"]), int(sb["articles"])
m1, m2 = st.columns(2, gap="large")
m1.metric("Articles in A", f"{na:,}", help=_describe(fa))
m2.metric("Articles in B", f"{nb:,}", help=_describe(fb))
if not na or not nb:
    empty = "A" if not na else "B"
    st.warning(f"Selection {empty} holds no article: widen its dates or remove one of its filters.")
    st.stop()

st.subheader("Theme shares")
ta, tb = data.theme_counts(fa), data.theme_counts(fb)
if ta.empty and tb.empty:
    st.info("Neither selection has an assigned theme.")
else:
    st.plotly_chart(charts.theme_share_compare(ta, tb, label_a="A", label_b="B",
                                               title="Share of each side's articles assigned the theme"),
                    key="cmp_themes")
    both = ta[["theme", "name", "share"]].merge(tb[["theme", "share"]], on="theme", how="outer",
                                                suffixes=("_a", "_b")).fillna({"share_a": 0.0, "share_b": 0.0})
    both["name"] = both["theme"].map(theme_name)
    both["difference"] = both["share_a"] - both["share_b"]
    st.dataframe(both.sort_values("difference", key=abs, ascending=False)[["name", "share_a", "share_b",
                                                                            "difference"]],
                 hide_index=True, width="stretch", key="cmp_theme_table", column_config={
                     "name": st.column_config.TextColumn("Theme"),
                     "share_a": st.column_config.NumberColumn("A", format="percent"),
                     "share_b": st.column_config.NumberColumn("B", format="percent"),
                     "difference": st.column_config.NumberColumn("A − B", format="percent")})

st.subheader("Countries, people and organisations")
left, right = st.columns(2, gap="large")
for col, f, label in ((left, fa, "A"), (right, fb, "B")):
    with col:
        countries = data.country_counts(f, measure="named").head(10)
        st.markdown(f"**{label}: countries named**")
        st.dataframe(countries[["name", "articles"]], hide_index=True, width="stretch", key=f"cmp_c_{label}",
                     column_config={"name": "Country", "articles": "Articles"})
        people = data.entity_counts(f, limit=10)
        st.markdown(f"**{label}: people and organisations**")
        # Three narrow columns: a half-width column at 1000 px holds them all (the kind shows on hover).
        st.dataframe(people[["entity", "country_name", "articles"]], hide_index=True, width="stretch",
                     key=f"cmp_e_{label}", column_config={
                         "entity": st.column_config.TextColumn("Name", width=108),
                         "country_name": st.column_config.TextColumn("Country", width=70),
                         "articles": st.column_config.NumberColumn("Articles", width=56)})

st.subheader("Distinctive words and phrases")
st.caption("Weighted log-odds with an informative Dirichlet prior (Monroe, Colaresi & Quinn 2008): a z-score per "
           "term, |z| ≥ 1.96 shown; counted in the sentences of each side's most recently added articles (at most 1,000 articles and 25,000 sentences). "
           "Each term opens its excerpts on that side.")
words = distinctive(data.term_counts(fa), data.term_counts(fb), n=15)
if words.empty:
    st.info("No word or phrase sets the two selections apart.")
else:
    st.plotly_chart(charts.distinctive_chart(words, label_a="A", label_b="B"), key="cmp_words")

    def _link(f: Filters, term: str) -> str:
        return "excerpts?" + urlencode({**f.to_params(), "kw": term}, doseq=True)

    table = pd.DataFrame({
        "term": words["term"], "side": words["side"], "z": words["z"].round(1),
        "count_a": words["count_a"], "count_b": words["count_b"],
        "excerpts": [_link(fa if s == "A" else fb, t) for t, s in zip(words["term"], words["side"], strict=True)],
    })
    st.dataframe(table, hide_index=True, width="stretch", key="cmp_words_table", column_config={
        "term": "Term", "side": "More typical of", "z": st.column_config.NumberColumn("z", format="%.1f"),
        "count_a": "Count in A", "count_b": "Count in B",
        "excerpts": st.column_config.LinkColumn("Excerpts", display_text="Read →")})
