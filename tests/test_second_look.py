"""Issue 13 on the pages (AppTest): what changed, people and organisations, links that open their sentences,
and the defects a new user tripped on."""

from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest

from geolens import aggregations as agg
from geolens.filters import Filters
from geolens.store import Store


def _metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def _titles(at: AppTest) -> list[str]:
    return [json.dumps(json.loads(c.proto.spec)["layout"].get("title")) for c in at.get("plotly_chart")]


def test_overview_theme_count_follows_the_theme_filter(open_app, corpus_db_path):
    at = open_app(corpus_db_path, theme="armed_conflict")
    assert _metric(at, "Themes").startswith("1 of ")  # was "Themes assigned 3 of 16" beside a one-theme chart


def test_overview_lists_every_selected_article_undated_ones_too(open_app, corpus_db_path):
    store = Store(corpus_db_path)
    country = next(c for c in agg.country_counts(store, Filters())["country"]
                   if 12 < agg.summary(store, Filters(countries=(c,))).iloc[0]["articles"] <= 36)
    n = int(agg.summary(store, Filters(countries=(country,))).iloc[0]["articles"])
    at = open_app(corpus_db_path, country=country)
    assert len(at.dataframe(key="ov_latest").value) == 12
    at.button(key="ov_more").click().run()
    assert len(at.dataframe(key="ov_latest").value) == min(n, 36)
    assert f"of {n} selected articles" in " ".join(c.value for c in at.caption)


def test_overview_shows_attention_with_its_stated_rule_and_people(open_app, corpus_db_path):
    at = open_app(corpus_db_path)
    assert any("per month" in t for t in _titles(at))
    assert any("Poisson" in c.value for c in at.caption)
    people = at.dataframe(key="ov_people").value
    assert len(people) and {"Person", "Organisation"} & set(people["kind"])


def test_an_entity_in_the_url_filters_every_page(open_app, corpus_db_path):
    store = Store(corpus_db_path)
    top = agg.entity_counts(store, Filters(), limit=1).iloc[0]
    at = open_app(corpus_db_path, entity=top["entity"])
    assert _metric(at, "Articles") == f"{int(top['articles']):,}"
    assert at.sidebar.multiselect(key="flt_entity").value == [top["entity"]]
    at.switch_page("pages/excerpts.py").run()
    assert at.query_params["entity"] in (top["entity"], [top["entity"]])


def test_themes_on_one_article_rank_by_confidence_without_a_dead_toggle(open_app, sample_db_path):
    at = open_app(sample_db_path, "themes")
    assert not [w for w in at.get("button_group") if w.label == "Period"]  # no timeline: no Week/Month toggle
    assert any("Confidence of each theme" in t for t in _titles(at))
    assert not any("Share of selected" in t for t in _titles(at))  # every theme would read 100%


def test_themes_on_the_corpus_show_attention_and_spikes_open_their_excerpts(open_app, corpus_db_path):
    at = open_app(corpus_db_path, "themes")
    assert any("Themes per month" in t for t in _titles(at))
    links = list(at.get("page_link"))
    assert links, "the corpus has spikes (three under the stated rule)"
    for link in links:  # each spike opens the Excerpts of its theme and period
        assert "excerpts" in link.proto.page and "theme=" in link.proto.query_string
        assert "from=" in link.proto.query_string and "to=" in link.proto.query_string


@pytest.mark.parametrize("page", ["overview", "themes", "relations", "excerpts", "compare"])
def test_new_and_changed_pages_render_on_an_empty_database(open_app, empty_db_path, page):
    at = open_app(empty_db_path, page)
    assert at.info, "an empty database explains how to add articles"



def test_overview_top_countries_chart_keeps_every_country_tied_at_the_cut(open_app, corpus_db_path):
    from geolens.names import country_name

    counts = agg.country_counts(Store(corpus_db_path), Filters(), measure="named")
    cut = int(counts["articles"].iloc[14])
    tied = {country_name(c) for c in counts.loc[counts["articles"] == cut, "country"]}
    assert len(tied) > 1 and int(counts["articles"].iloc[15]) == cut  # the corpus ties at the 15th place
    at = open_app(corpus_db_path)
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)  # the first chart: top countries
    shown = {str(v) for trace in spec["data"] for v in trace.get("y") or []}
    assert tied <= shown, sorted(tied - shown)  # no country tied at the cut is silently dropped
    assert f"tie at {cut}" in json.dumps(spec["layout"])  # and the chart says so


def test_excerpts_keyword_under_two_countries_and_a_theme_finds_the_sentences(open_app, corpus_db_path):
    at = open_app(corpus_db_path, "excerpts", country=["USA", "CHN"], theme="trade_sanctions", kw="trade")
    assert at.text_input(key="exc_kw").value == "trade"
    assert at.sidebar.multiselect(key="flt_country").value == ["USA", "CHN"]
    shown = " ".join(h.value for h in at.get("html"))
    assert "No sentence containing" not in " ".join(m.value for m in at.markdown) + shown
    assert shown.count("gl-keyword") >= 2  # several sentences, the keyword highlighted in each
