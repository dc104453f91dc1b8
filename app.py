"""geolens dashboard: page config, the shared sidebar filters and the page navigation (pages/ hold the pages)."""

from pathlib import Path

import streamlit as st

from components import data, filters

st.set_page_config(page_title="geolens", page_icon=":material/travel_explore:", layout="wide")

HERE = Path(__file__).resolve().parent
pages = [
    st.Page("pages/overview.py", title="Overview", icon=":material/dashboard:", url_path="overview", default=True),
    st.Page("pages/map.py", title="Map", icon=":material/public:", url_path="map"),
    st.Page("pages/themes.py", title="Themes", icon=":material/category:", url_path="themes"),
    st.Page("pages/relations.py", title="Relations", icon=":material/hub:", url_path="relations"),
    st.Page("pages/excerpts.py", title="Excerpts", icon=":material/format_quote:", url_path="excerpts"),
    st.Page("pages/article.py", title="Article", icon=":material/article:", url_path="article"),
]
if (HERE / "pages" / "upload.py").exists():
    pages.append(st.Page("pages/upload.py", title="Upload", icon=":material/upload_file:", url_path="upload"))

nav = st.navigation(pages)
data.seeded(data.db_path())
data.refresh_version()
filters.sidebar(data.options())
nav.run()
