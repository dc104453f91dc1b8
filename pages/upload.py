"""Upload page: add articles from files, pasted text or a URL; see the analysis at once; save on request."""

import streamlit as st

from components.upload import render_upload
from geolens.store import Store

st.title("Upload articles")
st.caption(
    "The analysis appears before anything is saved. Edit the title, date and source, then save: "
    "the article joins every page and filter."
)
render_upload(store=Store())
