"""geolens dashboard: page config, the shared sidebar filters and the page navigation (pages/ hold the pages)."""

from pathlib import Path

import streamlit as st

from components import data, filters
from geolens.store import StoreDamaged, StoreError


def explain_database_problem(exc: StoreError, path: str) -> None:
    """Say what is wrong with the database and what to do, instead of any page."""
    st.title("The database cannot be opened")
    st.error(" ".join(str(exc).split()), icon=":material/error:")
    moved = f"{path}.damaged"
    if isinstance(exc, StoreDamaged):
        st.markdown(
            "Nothing was changed: geolens does not write over a damaged file.\n\n"
            "**What to do**\n\n"
            "1. Restore the file from a backup, then reload this page; or\n"
            f"2. move it aside (`mv '{path}' '{moved}'`) and reload this page: a new database is created with the "
            "bundled sample; add your articles again on the Upload page or with `python -m geolens ingest PATH...`; or\n"
            "3. open another database: set `GEOLENS_DB` to its path and restart the app."
        )
    else:
        st.markdown(
            "Nothing was changed.\n\n**What to do**: check that the folder exists and that this user may read and "
            "write it (and that its disk is not full), or set `GEOLENS_DB` to another path and restart the app."
        )

HERE = Path(__file__).resolve().parent
# A local image, served by the app itself: a material-icon favicon would be fetched from a font CDN on every load.
st.set_page_config(page_title="geolens", page_icon=str(HERE / "assets" / "icon.png"), layout="wide")
overview = st.Page("pages/overview.py", title="Overview", icon=":material/dashboard:", url_path="overview")
pages = [
    overview,
    st.Page("pages/map.py", title="Map", icon=":material/public:", url_path="map"),
    st.Page("pages/themes.py", title="Themes", icon=":material/category:", url_path="themes"),
    st.Page("pages/relations.py", title="Relations", icon=":material/hub:", url_path="relations"),
    st.Page("pages/excerpts.py", title="Excerpts", icon=":material/format_quote:", url_path="excerpts"),
    st.Page("pages/article.py", title="Article", icon=":material/article:", url_path="article"),
]
for name, title, icon in (("compare", "Compare", ":material/compare_arrows:"), ("upload", "Upload", ":material/upload_file:")):
    if (HERE / "pages" / f"{name}.py").exists():
        pages.append(st.Page(f"pages/{name}.py", title=title, icon=icon, url_path=name))


def _home() -> None:
    """The app's root URL: go to the Overview, keeping the query string (a shared link's filters)."""
    params = {k: st.query_params.get_all(k) for k in st.query_params}
    st.switch_page(overview, query_params=params)


# Streamlit serves the default page at the root URL only (its url_path becomes ""), so a default Overview made
# `/overview` a "Page not found". A hidden default page sends the root URL to /overview instead, and every page,
# the Overview included, answers at its own path.
home = st.Page(_home, title="Overview", url_path="home", default=True, visibility="hidden")
nav = st.navigation([home, *pages])
if (problem := data.open_database()) is not None:
    explain_database_problem(problem, data.db_path())
    st.stop()  # no page runs: nothing can write over the file
with data.reading():  # about ten queries per page share one connection and its warm caches
    filters.sidebar(data.options())
    nav.run()
