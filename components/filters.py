"""The shared sidebar filters: widgets with namespaced keys, mirrored in the URL query string."""

from __future__ import annotations

from datetime import date

import streamlit as st

from geolens.filters import MEASURE_LABELS, PARAM_KEYS, Filters
from geolens.names import country_name, theme_name

K_COUNTRY = "flt_country"
K_THEME = "flt_theme"
K_DATES = "flt_dates"
K_SOURCE = "flt_source"
K_TEXT = "flt_text"
K_ENTITY = "flt_entity"
_SEEDED = "_flt_seeded_from_url"
_SPAN = "_flt_span"
_CURRENT = "_flt_current"
K_MEASURE = "cm_measure"
_MEASURE_KEPT = "_cm_measure_kept"  # the choice outlives the widget when another page is shown
MEASURE_HELP = (
    "**Named**: the article names the country itself: its name (“Japan”), a demonym (“Japanese”) or a capital "
    "standing for the state (“Tokyo said”, “the Kremlin”). This is what “articles mentioning the country” "
    "usually means.  \n**Attributed**: the article names something that belongs to the country: a place "
    "(“Osaka”), a person (“Kishida”) or an organisation (“the Self-Defense Forces”), without necessarily "
    "naming the country."
)
MEASURE_PHRASES = {
    "named": "countries named (name, demonym, capital)",
    "attributed": "countries attributed (through places, people, organisations)",
}


def country_label(iso3: str) -> str:
    """'Japan (JPN)' for the country picker."""
    return f"{country_name(iso3)} ({iso3})"


def describe(f: Filters) -> str:
    """A short human description of the filters that are set."""
    return f.describe(country_name, theme_name)


def _seed_from_url(opts: dict) -> None:
    """On a session's first run, set the widgets from the URL (unknown values are dropped)."""
    if st.session_state.get(_SEEDED):
        return
    st.session_state[_SEEDED] = True
    params = {k: st.query_params.get_all(k) for k in PARAM_KEYS if k in st.query_params}
    f = Filters.from_params(params)
    st.session_state[K_COUNTRY] = [c for c in f.countries if c in opts["countries"]]
    st.session_state[K_THEME] = [t for t in f.themes if t in opts["themes"]]
    st.session_state[K_SOURCE] = [s for s in f.sources if s in opts["sources"]]
    st.session_state[K_TEXT] = f.text
    st.session_state[K_ENTITY] = list(f.entities)
    lo, hi = opts["dates"]
    if lo and (f.start or f.end):
        start = min(max(f.start or lo, lo), hi)
        end = max(min(f.end or hi, hi), start)
        st.session_state[K_DATES] = (start, end)


def _sanitise(opts: dict) -> None:
    """Keep widget state valid after the database changed (a deleted article may take an option with it)."""
    for key, name in ((K_COUNTRY, "countries"), (K_THEME, "themes"), (K_SOURCE, "sources")):
        cur = st.session_state.get(key) or []
        st.session_state[key] = [v for v in cur if v in opts[name]]
    st.session_state.setdefault(K_TEXT, "")
    st.session_state.setdefault(K_ENTITY, [])
    lo, hi = opts["dates"]
    cur = st.session_state.get(K_DATES)
    prev = st.session_state.get(_SPAN)
    if lo is None:
        st.session_state.pop(K_DATES, None)
    elif not cur:
        st.session_state[K_DATES] = (lo, hi)
    elif prev != (lo, hi):
        # The data's span changed (articles added or deleted): a full-span selection follows it,
        # any other selection is clamped into it.
        if prev and tuple(cur) == tuple(prev):
            st.session_state[K_DATES] = (lo, hi)
        else:
            st.session_state[K_DATES] = tuple(min(max(d, lo), hi) for d in cur)
    st.session_state[_SPAN] = (lo, hi)


def clear() -> None:
    """Reset every filter (usable as a button callback)."""
    st.session_state[K_COUNTRY] = []
    st.session_state[K_THEME] = []
    st.session_state[K_SOURCE] = []
    st.session_state[K_TEXT] = ""
    st.session_state[K_ENTITY] = []
    span = st.session_state.get(_SPAN)
    if span and span[0]:
        st.session_state[K_DATES] = span


def set_countries(iso3s: list[str]) -> None:
    """Filter by these countries (callback-safe: call it before the widgets render, e.g. from on_select)."""
    st.session_state[K_COUNTRY] = list(dict.fromkeys(iso3s))


def set_themes(themes: list[str]) -> None:
    """Filter by these themes (callback-safe)."""
    st.session_state[K_THEME] = list(dict.fromkeys(themes))


def set_entities(entities: list[str]) -> None:
    """Filter by these people or organisations (callback-safe)."""
    st.session_state[K_ENTITY] = list(dict.fromkeys(entities))


def sidebar(opts: dict) -> Filters:
    """Render the filters in the sidebar and return them; the URL is kept in step with them."""
    _seed_from_url(opts)
    _sanitise(opts)
    with st.sidebar:
        st.subheader("Filters")
        st.multiselect(
            "Countries", opts["countries"], key=K_COUNTRY, format_func=country_label,
            placeholder="All countries", help="Articles that mention any of these countries.",
        )
        st.multiselect(
            "Themes", opts["themes"], key=K_THEME, format_func=theme_name,
            placeholder="All themes", help="Articles assigned any of these themes.",
        )
        lo, hi = opts["dates"]
        if lo is not None:
            st.date_input("Published between", key=K_DATES, min_value=lo, max_value=hi, format="YYYY-MM-DD")
        if opts["sources"]:
            st.multiselect("Sources", opts["sources"], key=K_SOURCE, placeholder="All sources")
        st.text_input("Free text", key=K_TEXT, placeholder="e.g. drone, rare earth",
                      help="Articles whose title or text contains this (case-insensitive).")
        chosen = st.session_state.get(K_ENTITY) or []
        if chosen:  # set from the Overview's people and organisations (or a link); removable here
            st.multiselect("People and organisations", chosen, key=K_ENTITY,
                           help="Articles naming any of them. Pick more on the Overview.")
        f = current(opts)
        st.button("Clear filters", on_click=clear, disabled=not f.active(), key="flt_clear",
                  icon=":material/filter_alt_off:")
    sync_url(f)
    st.session_state[_CURRENT] = f
    return f


def get() -> Filters:
    """The filters of this run, as app.py's sidebar read them (no filter before the sidebar ran)."""
    return st.session_state.get(_CURRENT) or Filters()


def current(opts: dict) -> Filters:
    """The Filters described by the widget state (a full date span counts as no date filter)."""
    start = end = None
    dates = st.session_state.get(K_DATES)
    lo, hi = opts["dates"]
    if lo is not None and dates and len(dates) == 2:
        start = dates[0] if dates[0] != lo else None
        end = dates[1] if dates[1] != hi else None
    elif lo is not None and dates and len(dates) == 1:  # the user has picked only the first day so far
        start = dates[0] if dates[0] != lo else None
    return Filters(
        countries=tuple(st.session_state.get(K_COUNTRY) or ()),
        themes=tuple(st.session_state.get(K_THEME) or ()),
        start=start if isinstance(start, date) else None,
        end=end if isinstance(end, date) else None,
        sources=tuple(st.session_state.get(K_SOURCE) or ()),
        text=(st.session_state.get(K_TEXT) or "").strip(),
        entities=tuple(st.session_state.get(K_ENTITY) or ()),
    )


def sync_url(f: Filters) -> None:
    """Write the filters into st.query_params (only what changed; other parameters are left alone)."""
    want = f.to_params()
    for k in PARAM_KEYS:
        new = want.get(k)
        new_list = [] if new is None else ([new] if isinstance(new, str) else list(new))
        if st.query_params.get_all(k) != new_list:
            if new_list:
                st.query_params[k] = new_list if len(new_list) > 1 else new_list[0]
            else:
                del st.query_params[k]


def country_measure() -> str:
    """The control choosing which countries a page counts: "named" (the default) or "attributed".

    One choice for every page that counts countries: it is kept in the session when another page is shown.
    """
    choice = st.segmented_control(
        "Count countries", list(MEASURE_PHRASES), key=K_MEASURE, format_func=lambda m: MEASURE_LABELS[m],
        default=st.session_state.get(_MEASURE_KEPT, "named"), help=MEASURE_HELP,
    ) or "named"
    st.session_state[_MEASURE_KEPT] = choice
    return choice


def measure_phrase(measure: str, *, short: bool = False) -> str:
    """How a page says which countries it counts: 'countries named (name, demonym, capital)', or with short=True
    'countries named' (for chart titles)."""
    phrase = MEASURE_PHRASES.get(measure, "countries")
    return phrase.split(" (")[0] if short else phrase
