"""The Map page (AppTest), issue 13: wheel zoom, one selected article coloured by mentions, plurals, the filter."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from geolens.store import Store

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "data" / "sample" / "japan_security_awakening.txt"
FRANCE = (
    "France will hold a referendum on its new constitution next year, the government in Paris said on "
    "Tuesday. The French president told parliament that voters would decide on the reform of the "
    "senate and of regional councils, and that Germany had been told in advance."
)
INDIA = (
    "Japan and India agreed on Monday in Tokyo to expand joint naval exercises, officials said. "
    "The Japanese defence minister said the drills would start next spring and involve destroyers "
    "and patrol aircraft from both navies."
)


@pytest.fixture(scope="module")
def db(tmp_path_factory, nlp) -> Path:
    from geolens.ingest import from_text
    from geolens.pipeline import analyse

    path = tmp_path_factory.mktemp("db_map_page") / "map.duckdb"
    Store(path).add_many([
        analyse(from_text(SEED.read_text(encoding="utf-8"), title="Japan's Security Awakening")),
        analyse(from_text(FRANCE, title="Referendum", published="2024-05-01")),
        analyse(from_text(INDIA, title="Navies drill", published="2024-05-02")),
    ])
    return path


@pytest.fixture
def open_map(db, open_app):
    """Open the Map page through app.py with query parameters; returns the ran AppTest."""
    return lambda **params: open_app(db, "map", **params)


def the_map(at: AppTest):
    [el] = at.get("plotly_chart")
    return el, json.loads(el.proto.spec), json.loads(el.proto.config)


def countries_trace(spec: dict) -> dict:
    [trace] = [t for t in spec["data"] if t.get("name") == "countries"]
    return trace


def test_the_mouse_wheel_zooms_the_map(open_map):
    _, spec, config = the_map(open_map())
    assert config["scrollZoom"] is True
    assert spec["layout"]["dragmode"] == "pan"
    assert "topojsonURL" in config and not config["topojsonURL"].startswith("http")  # nothing from the internet


def test_one_selected_article_is_coloured_by_mentions_with_a_real_scale(open_map, db):
    # FRA is named by one article only: its countries differ in mentions, never in articles (all 1).
    at = open_map(country="FRA")
    _, spec, _ = the_map(at)
    trace = countries_trace(spec)
    assert trace["showscale"] is True
    assert trace["colorbar"]["title"]["text"] == "Mentions"
    mentions = {row[3]: row[2] for row in trace["customdata"]}  # name, articles, mentions, country
    assert len(set(mentions.values())) > 1
    assert not (spec["layout"].get("meta") or {}).get("note")  # no "Every country on the map: 1 article"
    assert "map_metric" not in at.session_state  # no Articles/Mentions switch that would show one colour
    assert any("coloured by how often it mentions them" in c.value for c in at.caption)
    [table] = at.dataframe
    assert "articles" not in table.value.columns and "mentions" in table.value.columns


def test_several_articles_are_coloured_by_articles_and_the_choice_stays(open_map):
    at = open_map()
    _, spec, _ = the_map(at)
    assert countries_trace(spec)["colorbar"]["title"]["text"] == "Articles"
    assert at.session_state["map_metric"] == "articles"
    assert "articles" in at.dataframe[0].value.columns


def test_caption_counts_in_the_right_plural(open_map):
    one = open_map(country="FRA")
    text = " ".join(c.value for c in one.caption)
    assert "in the 1 selected article." in text and "1 selected articles" not in text
    three = open_map()
    assert "in the 3 selected articles." in " ".join(c.value for c in three.caption)


def test_a_country_filter_outlines_the_country_and_keeps_the_map(open_map):
    at = open_map(country="JPN")
    _, spec, _ = the_map(at)
    [sel] = [t for t in spec["data"] if t.get("name") == "selected"]
    assert sel["locations"] == ["JPN"]
    assert the_map(at)[0].proto.selection_mode  # the chart answers clicks (points), which set the filter
