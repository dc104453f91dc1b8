"""Small render helpers shared by the pages: routing guard, headers, empty states."""

from __future__ import annotations

import streamlit as st

from components import filters as flt
from geolens.filters import Filters


def ensure_routed() -> None:
    """Make sure a page runs under app.py's st.navigation (with the shared sidebar), never on its own.

    Streamlit still treats a pages/ folder next to the entry point as a legacy multipage app until the first
    st.navigation call of the process; a deep link opened first would then run the page file alone. Switching
    that legacy mode off and re-running lands on the same URL, now routed through app.py.
    """
    from streamlit.runtime.pages_manager import PagesManager

    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()


def empty_database() -> None:
    """Explain what to do when the database holds no article yet."""
    st.info(
        "The database has no articles yet. Add some on the **Upload** page, or from a shell: "
        "`python -m geolens ingest PATH...` (files, folders, CSV/JSONL).",
        icon=":material/inbox:",
    )


def nothing_selected(f: Filters, what: str = "articles") -> None:
    """Explain that the filters select nothing, say which are set, and offer to clear them."""
    hint = "Remove a filter or widen the dates." if (f.start or f.end) else "Remove a filter."
    st.warning(f"No {what} match the current filters: {flt.describe(f)}. {hint}", icon=":material/filter_alt_off:")
    st.button("Clear all filters", on_click=flt.clear, key=f"clear_empty_{what.replace(' ', '_')}")


def guard(n_articles_total: int, n_selected: int, f: Filters, what: str = "articles") -> bool:
    """Render the right message and return False when there is nothing to show."""
    if n_articles_total == 0:
        empty_database()
        return False
    if n_selected == 0:
        nothing_selected(f, what)
        return False
    return True


def links_params(f: Filters, **extra: str) -> dict[str, str | list[str]]:
    """Query parameters reproducing the current filters, plus `extra` (e.g. article=ID)."""
    params = f.to_params()
    params.update({k: v for k, v in extra.items() if v})
    return params


def article_url(f: Filters, article_id: str, *, sent_idx: int | None = None) -> str:
    """A relative link to the Article page that keeps the current filters (and names a sentence to scroll to)."""
    from urllib.parse import urlencode

    extra = {"article": article_id} | ({"sent": str(int(sent_idx))} if sent_idx is not None else {})
    return "article?" + urlencode(links_params(f, **extra), doseq=True)
