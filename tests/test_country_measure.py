"""Countries named vs countries attributed (issue 11): the two measures in the queries and on the pages."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from geolens import aggregations as agg
from geolens.filters import Filters
from geolens.store import Store
from geolens.tables import ArticleTables, coerce


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Store:
    """Two articles: one names Japan and Mexico; one names only Osaka, Kishida and the Self-Defense Forces."""
    articles = pd.DataFrame({"article_id": ["a1", "a2"], "title": ["Named", "Attributed"], "text": ["x", "y"],
                             "published": pd.to_datetime(["2024-01-02", "2024-01-03"])})
    rows = [
        ("a1", 0, "Japan", "country", "JPN", "name"),
        ("a1", 0, "Japanese", "country", "JPN", "demonym"),
        ("a1", 1, "Mexicans", "person", "MEX", "demonym"),
        ("a1", 1, "Tokyo", "country", "JPN", "capital"),
        ("a2", 0, "Osaka", "place", "JPN", "city"),
        ("a2", 0, "Kishida", "person", "JPN", "leader"),
        ("a2", 1, "Self-Defense Forces", "org", "JPN", "institution"),
        ("a2", 1, "Ohio", "place", "USA", "subdivision"),
    ]
    mentions = pd.DataFrame(rows, columns=["article_id", "sent_idx", "surface", "kind", "country", "via"])
    mentions = mentions.assign(start=0, end=1, entity=mentions["surface"])
    sentences = pd.DataFrame({"article_id": ["a1", "a1", "a2", "a2"], "sent_idx": [0, 1, 0, 1],
                              "start": [0, 10, 0, 10], "end": [9, 20, 9, 20], "text": ["s0", "s1", "t0", "t1"]})
    frames = {"articles": articles, "sentences": sentences, "mentions": mentions}
    store = Store(tmp_path_factory.mktemp("measure") / "m.duckdb")
    store.add_many([ArticleTables(**{name: coerce(frames.get(name, pd.DataFrame())[
        frames.get(name, pd.DataFrame(columns=["article_id"]))["article_id"] == aid] if name in frames else
        pd.DataFrame(), name) for name in ("articles", "sentences", "mentions", "themes", "article_themes")})
        for aid in ("a1", "a2")])
    return store


def counts(df: pd.DataFrame) -> dict[str, tuple[int, int]]:
    return {r.country: (r.articles, r.mentions) for r in df.itertuples()}


def test_named_measure_counts_names_demonyms_and_capitals_as_the_state(corpus):
    assert counts(agg.country_counts(corpus, Filters(), measure="named")) == {"JPN": (1, 3), "MEX": (1, 1)}


def test_attributed_measure_counts_places_people_and_organisations(corpus):
    assert counts(agg.country_counts(corpus, Filters(), measure="attributed")) == {"JPN": (1, 3), "USA": (1, 1)}


def test_all_measure_is_both_and_stays_the_library_default(corpus):
    assert counts(agg.country_counts(corpus, Filters())) == {"JPN": (2, 6), "MEX": (1, 1), "USA": (1, 1)}
    assert agg.summary(corpus, Filters(), measure="named").iloc[0]["countries"] == 2


def test_relations_follow_the_measure(corpus):
    named = agg.co_mentions(corpus, Filters(), measure="named")
    attributed = agg.co_mentions(corpus, Filters(), measure="attributed")
    assert set(zip(named["source"], named["target"], strict=True)) == {("JPN", "MEX")}  # "Tokyo" and "Mexicans"
    assert set(zip(attributed["source"], attributed["target"], strict=True)) == {("JPN", "USA")}


def test_unknown_measure_is_refused(corpus):
    with pytest.raises(ValueError):
        agg.country_counts(corpus, Filters(), measure="everything")


# -- the pages -----------------------------------------------------------------------------------

def _control(at: AppTest):
    return next(w for w in at.get("button_group") if w.label == "Count countries")


def _bar_countries(at: AppTest) -> dict[str, int]:
    fig = json.loads(at.get("plotly_chart")[0].proto.spec)
    return {n: int(v) for tr in fig["data"] for n, v in zip(tr["y"], tr["text"], strict=True)}


def test_overview_counts_named_countries_by_default_and_switches_to_attributed(open_app, sample_db_path):
    at = open_app(sample_db_path)
    control = _control(at)
    assert control.value == "named"
    assert "Named" in control.help and "Attributed" in control.help
    named = _bar_countries(at)
    assert named and "Japan" in named
    help_text = next(m for m in at.metric if m.label == "Countries").help
    assert "named" in help_text

    _control(at).set_value("attributed").run()
    assert not at.exception
    attributed = _bar_countries(at)
    assert attributed != named
    title = json.loads(at.get("plotly_chart")[0].proto.spec)["layout"]["title"]["text"]
    assert "attributed" in title.lower()
    assert "attributed" in next(m for m in at.metric if m.label == "Countries").help


@pytest.mark.parametrize("page", ["map", "relations"])
def test_map_and_relations_offer_the_same_control_and_say_what_they_count(open_app, sample_db_path, page):
    at = open_app(sample_db_path, page)
    assert _control(at).value == "named"
    assert any("countries named" in str(c.value) for c in at.caption)
    _control(at).set_value("attributed").run()
    assert not at.exception
    shown = " ".join(str(c.value) for c in at.caption) + " ".join(str(i.value) for i in at.info)
    assert "attributed" in shown
