"""components/: plotly figure builders, safe highlighting, palette and world shapes, without Streamlit."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import pytest

from components import charts, highlight, palette
from components.geo import topo_to_geojson, world_geojson


@pytest.fixture
def countries() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "country": ["USA", "JPN", "CHN", "FRA"],
            "name": ["United States", "Japan", "China", "France"],
            "continent": ["NA", "AS", "AS", "EU"],
            "articles": [10, 6, 5, 1],
            "mentions": [40, 20, 12, 2],
        }
    )


@pytest.fixture
def themes() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "theme": ["diplomacy", "economic_security"],
            "name": ["Diplomacy & summitry", "Economic security & coercion"],
            "articles": [8, 3],
            "cues": [20, 5],
            "share": [0.8, 0.3],
        }
    )


@pytest.fixture
def edges() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "source": ["CHN", "CHN", "ARM"],
            "target": ["JPN", "USA", "AZE"],
            "sentences": [4, 2, 1],
            "theme": ["economic_security", None, "armed_conflict"],
            "theme_name": ["Economic security & coercion", None, "Armed conflict"],
            "example": ["Beijing <b>pressed</b> Tokyo.", "China and the US talked.", "Fighting resumed."],
            "article_id": ["a1", "a2", "a3"],
        }
    )


def test_country_bar_colours_countries_by_continent(countries):
    fig = charts.country_bar(countries, top=3)
    assert isinstance(fig, go.Figure)
    by_name = {tr.name: list(tr.y) for tr in fig.data}
    assert by_name == {"North America": ["United States"], "Asia": ["China", "Japan"]}
    asia = next(tr for tr in fig.data if tr.name == "Asia")
    assert asia.marker.color == palette.CONTINENT_COLORS["AS"]
    assert sum(len(tr.y) for tr in fig.data) == 3  # top=3 drops France


@pytest.mark.parametrize("value, first_label", [("articles", "8"), ("share", "80%")])
def test_theme_bar_uses_theme_colours_and_labels(themes, value, first_label):
    fig = charts.theme_bar(themes, value=value)
    bar = fig.data[0]
    # largest on top; long names break onto two lines to fit a half-width column
    assert [y.replace("<br>", " ") for y in bar.y] == ["Economic security & coercion", "Diplomacy & summitry"]
    assert all(len(line) <= 20 for y in bar.y for line in y.split("<br>"))
    assert list(bar.marker.color) == [palette.THEME_COLORS["economic_security"], palette.THEME_COLORS["diplomacy"]]
    assert bar.text[-1] == first_label


def test_country_bar_ranks_by_the_chosen_value_and_labels_whole_counts(countries):
    fig = charts.country_bar(countries.assign(mentions=[2, 20, 40, 1]), value="mentions")
    bars = {n: t for tr in fig.data for n, t in zip(tr.y, tr.text, strict=True)}
    order = [n for tr in fig.data for n in tr.y]
    assert bars == {"China": "40", "Japan": "20", "United States": "2", "France": "1"}
    assert fig.layout.xaxis.title.text == "Mentions"
    assert set(order) == set(bars) and list(fig.layout.yaxis.categoryarray)[-1] == "China"  # largest on top


def test_country_bar_legend_sits_below_the_plot_clear_of_the_title(countries):
    fig = charts.country_bar(countries, title="Top countries")
    assert fig.layout.legend.orientation == "h" and fig.layout.legend.y < 0 and fig.layout.legend.yanchor == "top"


@pytest.mark.parametrize("share, label", [(0.41, "41%"), (0.042, "4.2%"), (0.003, "0.3%"), (0.0, "0%")])
def test_theme_share_labels_never_round_a_small_share_to_zero(themes, share, label):
    fig = charts.theme_bar(themes.assign(share=[share, 0.5]), value="share")
    assert label in fig.data[0].text


def test_theme_bar_by_cues_ranks_by_cue_count(themes):
    fig = charts.theme_bar(themes.assign(cues=[1, 9]), value="cues")
    assert list(fig.data[0].y)[-1].replace("<br>", " ") == "Economic security & coercion"
    assert fig.layout.xaxis.title.text == "Cue words found"


def test_theme_bar_by_confidence_ranks_by_it_on_a_zero_to_one_axis(themes):
    fig = charts.theme_bar(themes.assign(confidence=[0.97, 0.42]), value="confidence")
    assert list(fig.data[0].y)[-1] == "Diplomacy & summitry"  # most confident on top
    assert list(fig.data[0].text) == ["0.42", "0.97"]
    assert fig.layout.xaxis.range[1] > 1 and "confidence" in fig.layout.xaxis.title.text.lower()


def test_heatmap_leaves_empty_cells_blank_and_ticks_whole_counts():
    df = pd.DataFrame(
        {
            "country": ["USA", "USA", "JPN"],
            "theme": ["diplomacy", "armed_conflict", "diplomacy"],
            "articles": [2, 1, 1],
            "country_name": ["United States", "United States", "Japan"],
            "theme_name": ["Diplomacy", "Armed conflict", "Diplomacy"],
        }
    )
    hm = charts.theme_country_heatmap(df).data[0]
    assert hm.text.tolist() == [["2", "1"], ["1", ""]]
    assert hm.colorbar.dtick == 1


def test_heatmap_keeps_country_order_and_fills_missing_cells_with_zero():
    df = pd.DataFrame(
        {
            "country": ["USA", "USA", "JPN"],
            "theme": ["diplomacy", "armed_conflict", "diplomacy"],
            "articles": [5, 2, 3],
            "country_name": ["United States", "United States", "Japan"],
            "theme_name": ["Diplomacy", "Armed conflict", "Diplomacy"],
        }
    )
    hm = charts.theme_country_heatmap(df).data[0]
    assert list(hm.y) == ["United States", "Japan"] and list(hm.x) == ["Diplomacy", "Armed conflict"]
    assert hm.z.tolist() == [[5, 2], [3, 0]]


def test_choropleth_draws_world_then_counts_then_selection(countries):
    world = world_geojson()
    fig = charts.choropleth(countries, world=world, selected=("JPN",))
    base, data, sel = fig.data
    assert len(base.locations) == len(world["features"])
    assert list(data.locations) == ["USA", "JPN", "CHN", "FRA"]
    assert list(sel.locations) == ["JPN"] and sel.marker.line.color == "#D55E00"
    assert fig.layout.geo.visible is False  # no base map to fetch from a CDN
    # Log colour scale: the colour bar is labelled with real counts.
    assert "10" in data.colorbar.ticktext


def test_choropleth_without_selection_has_two_traces(countries):
    assert len(charts.choropleth(countries, world=world_geojson()).data) == 2


def test_map_dots_of_small_countries_never_take_a_neighbours_hover_or_click(countries):
    # Vatican-sized dots answered the pointer 20 px away (plotly's default): inside Germany, a click chose the Vatican.
    fig = charts.choropleth(countries, world=world_geojson(), points=[("FRA", 43.9, 12.4)])
    assert fig.layout.hoverdistance <= 3
    assert fig.layout.clickmode == "event+select"


def test_map_hover_uses_the_right_plural(countries):
    one = countries.assign(articles=[1, 2, 1, 1], mentions=[1, 3, 1, 2])
    fig = charts.choropleth(one, world=world_geojson(), points=[("FRA", 48.9, 2.4)])
    data, dots = fig.data[1], fig.data[2]
    assert data.hovertext[0] == "<b>United States</b><br>1 article, 1 mention"
    assert data.hovertext[1] == "<b>Japan</b><br>2 articles, 3 mentions"
    assert dots.hovertext[0] == "<b>France</b><br>1 article, 2 mentions"


def test_map_with_a_single_count_shows_no_one_stop_scale_but_says_it(countries):
    fig = charts.choropleth(countries.assign(articles=1), world=world_geojson())
    assert fig.data[1].showscale is False
    assert fig.layout.meta["note"] == "Every country on the map: 1 article."
    assert any(a.text == "Every country on the map: 1 article." for a in fig.layout.annotations)


def test_map_with_small_counts_uses_a_linear_scale_with_a_tick_per_count(countries):
    fig = charts.choropleth(countries.assign(articles=[3, 2, 1, 1]), world=world_geojson())
    bar = fig.data[1].colorbar
    assert list(bar.ticktext) == ["1", "2", "3"] and list(bar.tickvals) == [1, 2, 3]
    assert fig.data[1].showscale is not False


def test_map_can_zoom_to_a_region_and_pan(countries):
    fig = charts.choropleth(countries, world=world_geojson())
    labels = [b.label for b in fig.layout.updatemenus[0].buttons]
    assert labels[0] == "World" and "Europe" in labels and "E. Asia" in labels
    europe = fig.layout.updatemenus[0].buttons[labels.index("Europe")].args[0]
    assert europe["geo.projection.scale"] > 2
    assert fig.layout.dragmode == "pan"
    assert fig.layout.margin.l == 0 and fig.layout.margin.r == 0  # the map takes the whole width


def test_theme_volume_chart_stacks_one_trace_per_theme():
    df = pd.DataFrame(
        {
            "period": pd.to_datetime(["2024-01-01", "2024-01-01", "2024-02-01"]),
            "theme": ["diplomacy", "armed_conflict", "diplomacy"],
            "name": ["Diplomacy", "Armed conflict", "Diplomacy"],
            "articles": [3, 1, 2],
        }
    )
    fig = charts.theme_volume_chart(df, freq="week")
    assert [tr.name for tr in fig.data] == ["Diplomacy", "Armed conflict"]  # biggest first
    assert fig.layout.barmode == "stack" and fig.layout.xaxis.title.text == "Week starting"
    assert fig.data[0].marker.color == palette.THEME_COLORS["diplomacy"]


def _ties_frame() -> pd.DataFrame:
    # 3 leaders, then 8 countries tied at 9 articles, then one at 2 (the corpus case: 8 tie at 9, 2 were shown).
    names = ["Zambia", "Spain", "Syria", "Turkey", "Ukraine", "Hong Kong", "Philippines", "Saudi Arabia"]
    return pd.DataFrame({
        "country": ["USA", "GBR", "FRA"] + [n[:3].upper() for n in names] + ["ISL"],
        "name": ["United States", "United Kingdom", "France"] + names + ["Iceland"],
        "continent": ["NA", "EU", "EU"] + ["AF", "EU", "AS", "AS", "EU", "AS", "AS", "AS"] + ["EU"],
        "articles": [40, 20, 15] + [9] * 8 + [2],
        "mentions": [90, 50, 30] + [12] * 8 + [2],
    })


def test_country_bar_shows_every_country_tied_at_the_cut_and_says_so():
    fig = charts.country_bar(_ties_frame(), top=5, title="Top countries")
    shown = [n for tr in fig.data for n in tr.y]
    assert len(shown) == 11 and "Iceland" not in shown  # 3 leaders + all 8 tied, not 2 of them
    assert fig.layout.meta["note"] == "8 countries tie at 9 articles: all shown."
    assert "8 countries tie" in fig.layout.title.subtitle.text


def test_country_bar_caps_a_large_tie_and_says_how_many_are_left_out():
    fig = charts.country_bar(_ties_frame(), top=5, max_ties=3)
    shown = [n for tr in fig.data for n in tr.y]
    assert len(shown) == 5
    assert {"Hong Kong", "Philippines"} <= set(shown)  # the tied rows kept are the first alphabetically
    assert fig.layout.meta["note"] == "8 countries tie at 9 articles: 2 shown (A–Z), 6 more not shown."
    assert any("8 countries tie" in a.text for a in fig.layout.annotations)  # no title: an annotation instead


def test_country_bar_without_a_tie_at_the_cut_has_no_note(countries):
    fig = charts.country_bar(countries, top=2)
    assert sum(len(tr.y) for tr in fig.data) == 2 and not fig.layout.meta


@pytest.mark.parametrize("builder", ["country", "theme"])
def test_axis_titles_are_short_enough_for_a_half_width_column_at_1000_px(builder, countries, themes):
    # A centred axis title longer than the plot is cut at both ends ("rticles mentioning the countr").
    fig = charts.country_bar(countries) if builder == "country" else charts.theme_bar(themes)
    assert len(fig.layout.xaxis.title.text) <= 22


def test_heatmap_uses_short_theme_labels_with_the_full_name_on_hover():
    df = pd.DataFrame({
        "country": ["USA", "USA"], "theme": ["domestic_politics", "energy_infrastructure"], "articles": [4, 2],
        "country_name": ["United States"] * 2,
        "theme_name": ["Domestic politics & governance", "Energy & critical infrastructure"],
    })
    hm = charts.theme_country_heatmap(df).data[0]
    assert list(hm.x) == ["Domestic politics", "Energy & infra"]
    assert max(len(x) for x in hm.x) <= 18
    assert hm.customdata[0][0][0] == "Domestic politics &amp; governance"  # escaped for plotly's HTML hover
    assert "customdata[0]" in hm.hovertemplate


def _volume(periods, articles, theme="diplomacy"):
    return pd.DataFrame({"period": pd.to_datetime(periods), "theme": theme, "name": "Diplomacy & summitry",
                         "articles": articles})


def test_theme_volume_single_month_reads_as_a_month_not_a_clock_time():
    fig = charts.theme_volume_chart(_volume(["2020-09-01"], [5]))
    assert list(fig.layout.xaxis.ticktext) == ["Sep 2020"]
    assert fig.layout.xaxis.tickmode == "array"
    # The bar is a month wide (plotly would otherwise draw a single bar one millisecond wide).
    assert fig.data[0].width > 20 * 86_400_000


def test_theme_volume_weeks_are_labelled_by_their_first_day():
    fig = charts.theme_volume_chart(_volume(["2020-09-07", "2020-09-14"], [1, 2]), freq="week")
    assert list(fig.layout.xaxis.ticktext) == ["07 Sep 2020", "14 Sep 2020"]


def test_theme_volume_leaves_off_an_isolated_stray_date_and_says_so():
    months = pd.date_range("2019-01-01", "2020-12-01", freq="MS")
    df = _volume(list(months) + [pd.Timestamp("2025-03-01")], [5] * len(months) + [1])
    fig = charts.theme_volume_chart(df)
    xs = pd.to_datetime(list(fig.data[0].x))
    assert xs.max() < pd.Timestamp("2021-01-01")
    assert fig.layout.xaxis.range[1] < pd.Timestamp("2021-02-01")
    assert fig.layout.meta["note"] == "Not shown: 1 article dated Mar 2025, isolated from the rest of the timeline."


@pytest.mark.parametrize("counts, hidden", [
    ({"2019-01-01": 15, "2019-02-01": 16, "2025-03-01": 1}, ["2025-03-01"]),  # a far stray at the end
    ({"2001-05-01": 2, "2019-01-01": 15, "2019-02-01": 16}, ["2001-05-01"]),  # ... or at the start
    ({"2019-01-01": 15, "2019-02-01": 16, "2019-09-01": 1}, []),  # a gap under a year is real data
    ({"2019-01-01": 15, "2025-03-01": 9}, []),  # too many articles to be a stray
    ({"2019-01-01": 5, "2025-03-01": 1}, []),  # a sixth of a tiny selection is data, not a stray
])
def test_isolated_periods_rule(counts, hidden):
    s = pd.Series(counts).rename(index=pd.Timestamp)
    assert charts.isolated_periods(s) == [pd.Timestamp(h) for h in hidden]


def test_cue_bar_labels_each_cue_with_its_theme():
    df = pd.DataFrame({"theme": ["diplomacy"], "name": ["Diplomacy"], "cue": ["summit"], "hits": [4], "articles": [2]})
    fig = charts.cue_bar(df)
    assert "summit" in fig.layout.yaxis.ticktext[0] and "Diplomacy" in fig.layout.yaxis.ticktext[0]


def test_cue_bar_labels_fit_a_narrow_column_with_the_full_names_on_hover():
    df = pd.DataFrame({"theme": ["domestic_politics"], "name": ["Domestic politics & governance"],
                       "cue": ["constitutional amendment referendum"], "hits": [4], "articles": [2]})
    fig = charts.cue_bar(df)
    label = fig.layout.yaxis.ticktext[0]
    assert label.startswith("constitutional…")  # 16 characters at most
    assert "(Domestic politics)" in label and "governance" not in label
    assert fig.data[0].customdata[0][2] == "constitutional amendment referendum"
    assert fig.data[0].customdata[0][0] == "Domestic politics &amp; governance"


def test_network_layout_is_deterministic_and_separates_components(edges):
    a = charts.network_layout(edges)
    b = charts.network_layout(edges)
    assert a == b and set(a) == {"CHN", "JPN", "USA", "ARM", "AZE"}
    main_right = max(a[n][0] for n in ("CHN", "JPN", "USA"))
    assert min(a["ARM"][0], a["AZE"][0]) > main_right  # the small component sits beside the big one


def test_network_edges_coloured_by_dominant_theme_with_escaped_example(edges):
    fig = charts.network(edges, names={"CHN": "China", "JPN": "Japan"})
    lines = [tr for tr in fig.data if tr.mode == "lines"]
    assert {tr.line.color for tr in lines} == {palette.THEME_COLORS["economic_security"],
                                               palette.THEME_COLORS["armed_conflict"], palette.OTHER}
    widest = max(lines, key=lambda tr: tr.line.width)
    assert widest.line.color == palette.THEME_COLORS["economic_security"]
    hover = next(tr for tr in fig.data if tr.name == "edges").hovertext
    assert any("China – Japan" in h and "4 sentences" in h for h in hover)
    assert any("&lt;b&gt;pressed&lt;/b&gt;" in h for h in hover) and not any("<b>pressed" in h for h in hover)
    nodes = next(tr for tr in fig.data if tr.name == "countries")
    assert "China" in nodes.text


def test_network_labels_point_away_from_the_centre_and_legend_runs_below(edges):
    fig = charts.network(edges)
    nodes = next(tr for tr in fig.data if tr.name == "countries")
    xs = dict(zip([c[0] for c in nodes.customdata], nodes.x, strict=True))
    pos = dict(zip(xs, nodes.textposition, strict=True))
    rightmost = max(xs, key=xs.get)
    leftmost = min(xs, key=xs.get)
    assert pos[rightmost] in ("middle right", "top center", "bottom center")
    assert pos[leftmost] in ("middle left", "top center", "bottom center")
    assert fig.layout.legend.orientation == "h"
    swatches = [tr for tr in fig.data if tr.mode == "lines" and tr.showlegend]
    assert {tr.line.width for tr in swatches} == {4}  # one swatch per theme, all the same width


def _hub_edges(n: int) -> pd.DataFrame:
    """A hub (USA) with n spokes of falling strength, like the corpus at 150 links."""
    rows = [("USA", f"C{i:03d}", n - i, "diplomacy", "Diplomacy & summitry", f"ex {i}", "a1") for i in range(n)]
    return pd.DataFrame(rows, columns=["source", "target", "sentences", "theme", "theme_name", "example",
                                       "article_id"])


def test_network_draws_only_the_strongest_links_and_says_so():
    fig = charts.network(_hub_edges(150), max_drawn=60)
    drawn = [tr for tr in fig.data if tr.mode == "lines" and not tr.showlegend]
    assert len(drawn) == 60
    assert fig.layout.meta["note"] == ("Drawn: the 60 strongest of 150 links (91+ sentences each); every link is in "
                                       "the table below.")
    assert charts.network(_hub_edges(20), max_drawn=60).layout.meta is None


def test_network_always_names_the_hub_and_labels_have_a_halo_above_the_edges():
    names = {"USA": "United States"} | {f"C{i:03d}": f"Country {i}" for i in range(40)}
    fig = charts.network(_hub_edges(40), names=names)
    nodes = fig.data[-1 - sum(1 for tr in fig.data if tr.legendgroup == "continents")]
    assert nodes.name == "countries"
    assert "United States" in nodes.text  # the busiest country is named even in a crowd
    assert "#fff" in nodes.textfont.shadow
    first_line = min(i for i, tr in enumerate(fig.data) if tr.mode == "lines")
    assert list(fig.data).index(nodes) > first_line  # nodes and labels are drawn after (above) the edges


def test_network_legend_has_its_own_room_so_the_drawing_keeps_its_height():
    fig = charts.network(_hub_edges(10))
    assert fig.layout.legend.yref == "container" and fig.layout.legend.y == 0
    assert fig.layout.height - fig.layout.margin.b - fig.layout.margin.t >= 500


def _quad_edges() -> pd.DataFrame:
    e = _hub_edges(3)
    return e.assign(material_conflict=[5, 0, 0], verbal_conflict=[1, 0, 1], verbal_cooperation=[0, 2, 1],
                    material_cooperation=[0, 4, 0])


def test_network_colours_edges_by_conflict_cooperation_balance():
    fig = charts.network(_quad_edges(), color_by="balance")
    lines = [tr for tr in fig.data if tr.mode == "lines"]
    colors = [tr.line.color for tr in lines]
    assert colors[0] == "rgb(178, 24, 43)"  # all conflict: the red end
    assert colors[1] == "rgb(33, 102, 172)"  # all cooperation: the blue end
    assert colors[2] == "rgb(160, 160, 160)"  # balanced: mid grey
    scale = next(tr for tr in fig.data if tr.name == "balance scale")
    assert scale.marker.showscale and list(scale.marker.colorbar.ticktext) == ["conflict", "balanced", "cooperation"]
    hover = next(tr for tr in fig.data if tr.name == "edges").hovertext
    assert "Material conflict: 5 · Verbal conflict: 1 · Verbal cooperation: 0 · Material cooperation: 0" in hover[0]
    assert not any(tr.legendgrouptitle.text == "Edge colour: dominant theme" for tr in fig.data)


def test_network_balance_needs_the_quad_counts_and_theme_colouring_still_works_with_them():
    with pytest.raises(ValueError, match="material_conflict"):
        charts.network(_hub_edges(3), color_by="balance")
    fig = charts.network(_quad_edges())  # theme colouring (the default) is one argument away
    assert {tr.line.color for tr in fig.data if tr.mode == "lines"} == {palette.THEME_COLORS["diplomacy"]}


def test_network_on_no_edges_is_an_empty_figure():
    empty = pd.DataFrame(columns=["source", "target", "sentences", "theme", "theme_name", "example", "article_id"])
    fig = charts.network(empty)
    assert all(len(tr.x or []) == 0 or tr.x == (None,) for tr in fig.data)


# -- highlighting --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "text",
    [
        "<script>alert('x')</script> Japan",
        '<img src=x onerror="alert(1)"> Japan',
        "Japan & <b>China</b>",
    ],
)
def test_highlight_escapes_article_text_around_marks(text):
    start = text.index("Japan")
    out = highlight.highlight(text, [(start, start + 5, "country", 'Japan "JPN" <x>')])
    assert "<script" not in out and "<img" not in out and "<b>" not in out
    assert '<mark class="gl-country"' in out and ">Japan</mark>" in out
    assert 'title="Japan &quot;JPN&quot; &lt;x&gt;"' in out


def test_highlight_resolves_overlaps_by_priority_then_position():
    text = "rare earth supply chains"
    spans = [
        (0, 10, "theme", "cue"),
        (5, 10, "country", "x"),  # overlaps the cue: a mention wins over a theme cue
        (0, 4, "keyword", "kw"),  # a search match wins over both
        (11, 24, "theme", "cue2"),
    ]
    out = highlight.highlight(text, spans)
    assert out.count("<mark") == 3
    assert '<mark class="gl-keyword"' in out and ">rare</mark>" in out and ">earth</mark>" in out


def test_highlight_offsets_are_relative_to_the_sentence_start():
    out = highlight.highlight("Tokyo said", [(100, 105, "place", "Tokyo")], offset=100)
    assert out.startswith('<mark class="gl-place"')


def test_highlight_drops_spans_outside_the_text():
    assert highlight.highlight("abc", [(2, 9, "country", "x"), (-1, 1, "org", "y")]) == "abc"


def test_keyword_spans_find_every_case_insensitive_occurrence():
    assert [s[:2] for s in highlight.keyword_spans("Drone drones DRONE", "drone")] == [(0, 5), (6, 11), (13, 18)]
    assert highlight.keyword_spans("x", "  ") == []


def test_excerpt_card_escapes_meta_and_chips():
    card = highlight.excerpt_card("x", [], offset=0, meta="<i>t</i> · 2024",
                                  chips_html=highlight.theme_chips([("diplomacy", "A & <B>")]))
    assert "&lt;i&gt;t&lt;/i&gt;" in card and "A &amp; &lt;B&gt;" in card


def test_excerpt_group_has_one_header_and_one_link_per_article():
    sents = [highlight.Excerpt(f"Japan said thing {i}.", ((0, 5, "country", "JPN"),), offset=0) for i in range(5)]
    out = highlight.excerpt_group("Japan's awakening", "2024-05-01 · example.org", sents, url="article?article=a1")
    assert out.count("Japan&#x27;s awakening") == 1 and out.count("Open article") == 1
    assert out.count("<li>") == 5 and out.count('<mark class="gl-country"') == 5
    assert 'href="article?article=a1"' in out


@pytest.mark.parametrize("field", ["title", "meta", "text", "label"])
def test_excerpt_group_escapes_everything_from_the_article(field):
    evil = '<img src=x onerror="alert(1)">'
    kw = {"title": "T", "meta": "M", "text": "Japan rose.", "label": "JPN"} | {field: evil + " Japan rose."}
    ex = highlight.Excerpt(kw["text"], ((kw["text"].index("Japan"), kw["text"].index("Japan") + 5, "country",
                                         kw["label"]),))
    out = highlight.excerpt_group(kw["title"], kw["meta"], [ex], url="article?article=a1")
    assert "<img" not in out and "&lt;img" in out


@pytest.mark.parametrize("url, ok", [("article?article=a1&country=JPN", True), ("https://example.org/a?b=1", True),
                                     ("javascript:alert(1)", False), ("JaVaScRiPt:alert(1)", False),
                                     ("data:text/html,<b>x</b>", False), ('article?x="><script>', True)])
def test_excerpt_links_are_relative_or_http_and_escaped(url, ok):
    out = highlight.excerpt_group("T", "M", [highlight.Excerpt("s", url=url)], url=url)
    assert ("href=" in out) is ok
    assert "javascript" not in out.lower() and "<script" not in out and 'x="' not in out


def test_group_by_article_keeps_first_seen_order():
    rows = pd.DataFrame({"article_id": ["b", "a", "b", "c", "a"], "sent_idx": [1, 4, 2, 0, 5]})
    groups = highlight.group_by_article(rows)
    assert [a for a, _ in groups] == ["b", "a", "c"]
    assert list(groups[0][1]["sent_idx"]) == [1, 2]


def test_text_block_collapses_long_runs_of_blank_lines():
    assert "\n\n\n" not in highlight.text_block("a\n\n\n\n\nb")


def test_legend_names_each_kind():
    out = highlight.legend(["country", "org"])
    assert "Country" in out and "Organisation" in out


# -- palette and shapes --------------------------------------------------------------------------
def test_every_taxonomy_theme_has_its_own_colour():
    from geolens.names import theme_ids

    ids = theme_ids()
    assert set(ids) <= set(palette.THEME_COLORS)
    assert len({palette.theme_color(t) for t in ids}) == len(ids)
    assert palette.theme_color(None) == palette.theme_color("unknown") == palette.OTHER


def test_every_taxonomy_theme_belongs_to_exactly_one_family_in_the_data_file():
    from geolens.names import theme_ids

    listed = [t for spec in palette.load_families().values() for t in spec["themes"]]
    assert sorted(listed) == sorted(theme_ids())  # each theme once, none unknown
    assert set(palette.load_families()) == {"security", "politics", "economy", "society"}


def test_palette_is_built_from_the_families_file(tmp_path):
    f = tmp_path / "fam.yaml"
    f.write_text("economy:\n  name: Money\n  themes: [trade_sanctions, humanitarian]\n")
    colors = palette.build_theme_colors(palette.load_families(f))
    assert colors == {"trade_sanctions": palette.FAMILY_SHADES["economy"][0],
                      "humanitarian": palette.FAMILY_SHADES["economy"][1]}


def _hue(hex_color: str) -> float:
    import math

    _, a, b = palette.to_lab([hex_color])[0]
    return math.degrees(math.atan2(b, a)) % 360


def test_theme_families_have_distinct_hues():
    # Every shade of a family lies in its own band of CIELAB hue angle, and the bands do not overlap.
    bands = {"security": (10, 60), "economy": (70, 125), "politics": (235, 295), "society": (295, 340)}
    for theme, color in palette.THEME_COLORS.items():
        lo, hi = bands[palette.theme_family(theme)]
        assert lo <= _hue(color) <= hi, (theme, color, _hue(color))


@pytest.mark.parametrize("cvd", [None, "deuteranopia", "protanopia"])
def test_all_theme_colours_stay_apart_with_colour_blind_vision(cvd):
    # A stacked chart or a legend can show all 16 themes at once: any two must differ by ΔE76 >= 15 for normal
    # vision and for the simulated (Machado 2009) red-green deficiencies. Tol's rainbow scheme reached 10.6.
    from geolens.names import theme_ids

    colors = [palette.theme_color(t) for t in theme_ids()]
    assert palette.min_distance(colors, cvd) >= 15


def test_cvd_simulation_merges_red_and_green_but_keeps_black_and_white():
    red, green = "#D62728", "#2CA02C"
    assert palette.min_distance([red, green]) > 60
    assert palette.min_distance([red, green], "deuteranopia") < 25
    assert palette.min_distance(["#000000", "#FFFFFF"], "protanopia") == pytest.approx(100, abs=0.5)


@pytest.mark.parametrize("iso3, continent", [("JPN", "AS"), ("FRA", "EU"), ("BRA", "SA"), ("NGA", "AF")])
def test_country_colour_is_its_continent_colour(iso3, continent):
    assert palette.country_color(iso3) == palette.CONTINENT_COLORS[continent]


@pytest.mark.parametrize("bg, fg", [("#FFFFFF", "#000000"), ("#08306B", "#FFFFFF"), ("#F6C141", "#000000")])
def test_text_on_picks_the_readable_colour(bg, fg):
    assert palette.text_on(bg) == fg


def test_topo_to_geojson_decodes_quantised_delta_arcs():
    topo = {
        "type": "Topology",
        "transform": {"scale": [1, 1], "translate": [10, 20]},
        "arcs": [[[0, 0], [1, 0], [0, 1], [-1, 0], [0, -1]]],
        "objects": {"countries": {"type": "GeometryCollection",
                                  "geometries": [{"type": "Polygon", "arcs": [[0]], "id": "392"}]}},
    }
    feat = topo_to_geojson(topo)["features"][0]
    assert feat["geometry"]["coordinates"] == [[[10, 20], [11, 20], [11, 21], [10, 21], [10, 20]]]


def test_world_geojson_is_keyed_by_iso3():
    ids = {f["id"] for f in world_geojson()["features"]}
    assert {"JPN", "CHN", "USA", "FRA", "NOR", "TWN", "XKX"} <= ids
    assert all(len(i) == 3 and i.isupper() for i in ids)


def test_small_countries_without_shapes_get_dots_in_the_map_colours(countries):
    from components.geo import shapeless_points

    small = pd.DataFrame({"country": ["SGP", "HKG"], "name": ["Singapore", "Hong Kong"], "continent": ["AS", "AS"],
                          "articles": [3, 1], "mentions": [5, 1]})
    df = pd.concat([countries, small], ignore_index=True)
    pts = shapeless_points(df["country"])
    assert [p[0] for p in pts] == ["SGP", "HKG"]  # the others have shapes
    assert pts[0][1] == pytest.approx(1.29, abs=0.1)  # Singapore's latitude
    fig = charts.choropleth(df, world=world_geojson(), points=pts, selected=("SGP",))
    dots = next(tr for tr in fig.data if tr.name == "small countries")
    assert [row[3] for row in dots.customdata] == ["SGP", "HKG"]  # ISO3 last: what a click on a dot selects
    assert list(dots.marker.line.color) == ["#D55E00", "#555555"]


def test_network_labels_of_crowded_nodes_never_overlap():
    # Five countries packed around one hub: every label shown must sit clear of the others.
    hub = [("USA", t, 3) for t in ("IRN", "ARE", "BHR", "SAU", "QAT")]
    crowd = pd.DataFrame(
        [(s, t, n, "diplomacy", "Diplomacy & summitry", "x", "a1") for s, t, n in hub]
        + [("IRN", "ARE", 2, "diplomacy", "Diplomacy & summitry", "x", "a1"),
           ("ARE", "BHR", 2, "diplomacy", "Diplomacy & summitry", "x", "a1")],
        columns=["source", "target", "sentences", "theme", "theme_name", "example", "article_id"],
    )
    names = {"USA": "United States", "IRN": "Iran", "ARE": "United Arab Emirates", "BHR": "Bahrain",
             "SAU": "Saudi Arabia", "QAT": "Qatar"}
    fig = charts.network(crowd, names=names)
    nodes = next(tr for tr in fig.data if tr.name == "countries")
    xs, ys = list(nodes.x), list(nodes.y)
    xmin, xspan = min(xs), max(xs) - min(xs)
    ymin, yspan = min(ys), max(ys) - min(ys)
    boxes = []
    for x, y, text, side, size in zip(xs, ys, nodes.text, nodes.textposition, nodes.marker.size, strict=True):
        if text:
            px, py = (x - xmin) / xspan * charts._NET_W, (1 - (y - ymin) / yspan) * charts._NET_H
            boxes.append(charts._label_box(px, py, size / 2, side, charts._CHAR_W * len(text)))
    assert "United States" in nodes.text
    assert all(not charts._overlaps(a, b) for i, a in enumerate(boxes) for b in boxes[i + 1:])


# -- new-capability builders (attention, comparison) ----------------------------------------------
def _attention_frame() -> pd.DataFrame:
    from geolens.attention import attention

    weeks = list(pd.date_range("2020-01-06", periods=8, freq="7D"))
    rows = [(w, "armed_conflict", c) for w, c in zip(weeks, [4, 3, 5, 4, 4, 3, 18, 5], strict=True)]
    rows += [(w, "diplomacy", 5) for w in weeks]
    counts = pd.DataFrame(rows, columns=["period", "key", "count"])
    return attention(counts, pd.Series([40] * 8, index=weeks))


def test_attention_chart_draws_shares_marks_spikes_and_states_the_rule():
    att = _attention_frame()
    fig = charts.attention_chart(att, names={"armed_conflict": "Armed conflict", "diplomacy": "Diplomacy"},
                                 freq="week")
    lines = [tr for tr in fig.data if tr.mode == "lines+markers"]
    assert [tr.name for tr in lines] == ["Armed conflict", "Diplomacy"]  # most articles first
    assert lines[0].line.color == palette.THEME_COLORS["armed_conflict"]
    assert max(lines[0].y) == pytest.approx(45.0)  # 18 of 40 articles, in percent
    stars = [tr for tr in fig.data if tr.mode == "markers"]
    assert len(stars) == 1 and len(stars[0].x) == 1 and stars[0].marker.symbol == "star"
    assert "18 articles of 40 (45.0%)" in stars[0].hovertext[0] and "Spike" in stars[0].hovertext[0]
    assert "Poisson" in fig.layout.meta["note"]
    assert fig.layout.yaxis.title.text == "Share of articles (%)"


def test_attention_chart_can_show_raw_counts_and_colours_countries_apart():
    att = _attention_frame().assign(key=lambda d: d["key"].map({"armed_conflict": "UKR", "diplomacy": "RUS"}))
    fig = charts.attention_chart(att, kind="country", value="count")
    lines = [tr for tr in fig.data if tr.mode == "lines+markers"]
    assert max(lines[0].y) == 18 and lines[0].line.color != lines[1].line.color
    assert fig.layout.yaxis.title.text == "Articles"


def test_distinctive_chart_puts_each_side_on_its_own_side_in_its_colour():
    from geolens.distinctive import distinctive

    a = pd.DataFrame({"term": ["alliance", "tokyo", "the", "said"], "count": [45, 35, 900, 120]})
    b = pd.DataFrame({"term": ["war", "kyiv", "the", "said"], "count": [80, 45, 950, 125]})
    fig = charts.distinctive_chart(distinctive(a, b, n=2), label_a="Japan", label_b="Ukraine")
    bar = fig.data[0]
    colours = dict(zip(fig.layout.yaxis.ticktext, bar.marker.color, strict=True))
    xs = dict(zip(fig.layout.yaxis.ticktext, bar.x, strict=True))
    assert xs["tokyo"] > 0 and xs["war"] < 0
    assert colours["tokyo"] == charts.SIDE_COLORS["A"] and colours["war"] == charts.SIDE_COLORS["B"]
    assert "Ukraine" in fig.layout.xaxis.title.text and "Japan" in fig.layout.xaxis.title.text


def test_theme_share_compare_sorts_by_difference_and_escapes_labels(themes):
    b = themes.assign(share=[0.2, 0.6])
    fig = charts.theme_share_compare(themes, b, label_a="<b>A</b>", label_b="B")
    dots = [tr for tr in fig.data if tr.mode == "markers"]
    assert [tr.name for tr in dots] == ["&lt;b&gt;A&lt;/b&gt;", "B"]
    # Economic security leans to B (30% vs 60%), Diplomacy to A (80% vs 20%): sorted by A - B, rising.
    assert [y.replace("<br>", " ") for y in dots[0].y] == ["Economic security & coercion", "Diplomacy & summitry"]
    assert "+60.0 points" in dots[0].hovertext[1]


def test_heatmap_cells_and_network_edges_carry_the_ids_a_click_needs(edges):
    df = pd.DataFrame({"country": ["USA", "JPN"], "theme": ["diplomacy", "diplomacy"], "articles": [2, 1],
                       "country_name": ["United States", "Japan"], "theme_name": ["Diplomacy & summitry"] * 2})
    hm = charts.theme_country_heatmap(df).data[0]
    assert list(hm.customdata[1][0]) == ["Diplomacy &amp; summitry", "Japan", "diplomacy", "JPN"]
    mids = next(tr for tr in charts.network(edges).data if tr.name == "edges")
    assert [list(c) for c in mids.customdata] == [["CHN", "JPN"], ["CHN", "USA"], ["ARM", "AZE"]]


def test_article_url_keeps_filters_and_can_name_a_sentence():
    from components.layout import article_url
    from geolens.filters import Filters

    assert article_url(Filters(countries=("JPN",)), "a1") == "article?country=JPN&article=a1"
    assert article_url(Filters(), "a1", sent_idx=12) == "article?article=a1&sent=12"
