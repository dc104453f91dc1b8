"""Upload page: add articles from files, pasted text or a URL; see the analysis at once; save on request."""

import streamlit as st

from components import data
from components.layout import ensure_routed
from components.upload import render_upload

ensure_routed()
st.title("Upload articles")
st.caption(
    "The analysis appears before anything is saved. Edit the title, date and source, then save: "
    "the article joins every page and filter."
)
data.pipeline()  # loaded once per server, so a new article's analysis shows at once
render_upload(store=data.store())
