"""geolens.aggregations on a small hand-made database: filters, aggregations, excerpts, co-mentions, names."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from geolens import aggregations as agg
from geolens.filters import Filters
from geolens.names import country_name, theme_ids
from geolens.store import Store
from geolens.tables import ArticleTables

# Three articles: a1 (Japan + China, economic security), a2 (China + USA, trade), a3 (France, undated).
TEXTS = {
    "a1": "Japan warns China. Beijing has weaponized supply chains.",
    "a2": "China and the United States agreed tariffs. Talks go on.",
    "a3": "France held an election in Paris.",
}


def _sentences() -> pd.DataFrame:
    rows = []
    for aid, text in TEXTS.items():
        start = 0
        for i, part in enumerate(text.split(". ")):
            s = part if part.endswith(".") else part + "."
            pos = text.index(s, start)
            rows.append((aid, i, pos, pos + len(s), s))
            start = pos + len(s)
    return pd.DataFrame(rows, columns=["article_id", "sent_idx", "start", "end", "text"])


def _mention(aid: str, surface: str, kind: str, entity: str, country: str | None, nth: int = 0) -> dict:
    text = TEXTS[aid]
    pos = -1
    for _ in range(nth + 1):
        pos = text.index(surface, pos + 1)
    sents = _sentences()
    s = sents[(sents.article_id == aid) & (sents.start <= pos) & (sents.end > pos)].iloc[0]
    return dict(article_id=aid, sent_idx=int(s.sent_idx), start=pos, end=pos + len(surface), surface=surface,
                kind=kind, entity=entity, country=country, via="name")


def _hit(aid: str, cue: str, theme: str) -> dict:
    m = _mention(aid, cue, "x", cue, None)
    return dict(article_id=aid, sent_idx=m["sent_idx"], start=m["start"], end=m["end"], theme=theme, cue=cue)


def _frames() -> dict[str, pd.DataFrame]:
    articles = pd.DataFrame(
        [
            dict(article_id="a1", title="Japan and China", source="example.org", url="", published="2024-01-10",
                 added_at="2024-02-01", language="en", n_words=9, text=TEXTS["a1"]),
            dict(article_id="a2", title="Tariff talks", source="news.test", url="", published="2024-03-05",
                 added_at="2024-03-06", language="en", n_words=10, text=TEXTS["a2"]),
            dict(article_id="a3", title="French vote", source="example.org", url="", published=None,
                 added_at="2024-04-01", language="en", n_words=6, text=TEXTS["a3"]),
        ]
    )
    mentions = pd.DataFrame(
        [
            _mention("a1", "Japan", "country", "Japan", "JPN"),
            _mention("a1", "China", "country", "China", "CHN"),
            _mention("a1", "Beijing", "place", "Beijing", "CHN"),
            _mention("a2", "China", "country", "China", "CHN"),
            _mention("a2", "United States", "country", "United States", "USA"),
            _mention("a3", "France", "country", "France", "FRA"),
            _mention("a3", "Paris", "place", "Paris", "FRA"),
        ]
    )
    themes = pd.DataFrame(
        [
            _hit("a1", "supply chains", "economic_security"),
            _hit("a1", "weaponized", "economic_security"),
            _hit("a1", "warns", "diplomacy"),
            _hit("a2", "tariffs", "trade_sanctions"),
            _hit("a2", "Talks", "diplomacy"),
            _hit("a3", "election", "domestic_politics"),
        ]
    )
    article_themes = pd.DataFrame(
        [
            dict(article_id="a1", theme="economic_security", n_cues=2, score=4.0, assigned=True),
            dict(article_id="a1", theme="diplomacy", n_cues=1, score=1.0, assigned=False),
            dict(article_id="a2", theme="trade_sanctions", n_cues=1, score=3.0, assigned=True),
            dict(article_id="a2", theme="diplomacy", n_cues=1, score=3.0, assigned=True),
            dict(article_id="a3", theme="domestic_politics", n_cues=1, score=3.0, assigned=True),
        ]
    )
    return dict(articles=articles, sentences=_sentences(), mentions=mentions, themes=themes,
                article_themes=article_themes)


def _store(path, frames: dict[str, pd.DataFrame]) -> Store:
    """A database holding `frames`, written article by article through Store.add_many (which keeps the facts)."""
    store = Store(path)
    batch = [ArticleTables(**{name: df[df["article_id"] == aid] for name, df in frames.items()})
             for aid in frames["articles"]["article_id"]]
    store.add_many(batch)
    return store


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Store:
    return _store(tmp_path_factory.mktemp("agg") / "small.duckdb", _frames())


@pytest.mark.parametrize(
    "filters, expected",
    [
        (Filters(), {"a1", "a2", "a3"}),
        (Filters(countries=("JPN",)), {"a1"}),
        (Filters(countries=("CHN",)), {"a1", "a2"}),
        (Filters(countries=("JPN", "FRA")), {"a1", "a3"}),
        (Filters(themes=("diplomacy",)), {"a2"}),  # a1's diplomacy cue is not an assigned theme
        (Filters(countries=("CHN",), themes=("economic_security",)), {"a1"}),
        (Filters(start=date(2024, 2, 1)), {"a2"}),  # an undated article drops out of a date filter
        (Filters(end=date(2024, 1, 10)), {"a1"}),
        (Filters(sources=("example.org",)), {"a1", "a3"}),
        (Filters(text="WEAPONIZED"), {"a1"}),
        (Filters(text="tariff talks"), {"a2"}),  # matches the title
        (Filters(countries=("DEU",)), set()),
    ],
)
def test_select_articles_applies_every_filter(corpus, filters, expected):
    got = agg.article_choices(corpus, filters)
    assert set(got["article_id"]) == expected
    assert agg.summary(corpus, filters).iloc[0]["articles"] == len(expected)


def test_summary_counts_the_selection(corpus):
    s = agg.summary(corpus, Filters(countries=("CHN",))).iloc[0]
    assert (s["articles"], s["countries"], s["themes"], s["undated"]) == (2, 3, 3, 0)
    assert s["first"] == pd.Timestamp("2024-01-10") and s["last"] == pd.Timestamp("2024-03-05")


def test_country_counts_rank_by_articles_with_names_and_continents(corpus):
    df = agg.country_counts(corpus, Filters())
    assert list(df["country"])[0] == "CHN"
    row = df.set_index("country").loc["CHN"]
    assert (row["articles"], row["mentions"], row["name"], row["continent"]) == (2, 3, "China", "AS")


def test_country_counts_under_a_country_filter_show_its_neighbours(corpus):
    df = agg.country_counts(corpus, Filters(countries=("JPN",)))
    assert set(df["country"]) == {"JPN", "CHN"}


def test_theme_counts_share_is_of_selected_articles(corpus):
    df = agg.theme_counts(corpus, Filters()).set_index("theme")
    assert df.loc["diplomacy", "articles"] == 1
    assert df.loc["diplomacy", "share"] == pytest.approx(1 / 3)
    assert df.loc["economic_security", "name"] == "Economic security & coercion"


def test_theme_counts_under_theme_filter_keep_only_those_themes(corpus):
    df = agg.theme_counts(corpus, Filters(themes=("trade_sanctions",)))
    assert list(df["theme"]) == ["trade_sanctions"]


def test_theme_country_matrix_counts_articles_with_both(corpus):
    df = agg.theme_country_matrix(corpus, Filters())
    cell = df[(df.country == "CHN") & (df.theme == "economic_security")]
    assert int(cell["articles"].iloc[0]) == 1
    assert not ((df.country == "JPN") & (df.theme == "diplomacy")).any()


def test_latest_articles_newest_first_with_countries_and_themes(corpus):
    df = agg.latest_articles(corpus, Filters(), limit=2)
    assert list(df["article_id"]) == ["a2", "a1"]
    assert df.iloc[1]["countries"] in ("Japan, China", "China, Japan")
    assert df.iloc[1]["themes"] == "Economic security & coercion"


def test_latest_articles_with_no_theme_and_no_country_are_blank_not_errors(tmp_path):
    frames = _frames()
    bare = _store(tmp_path / "bare.duckdb", {"articles": frames["articles"].iloc[[2]], **{
        name: df.iloc[0:0] for name, df in frames.items() if name != "articles"}})
    df = agg.latest_articles(bare, Filters())
    assert df.iloc[0]["countries"] == "" and df.iloc[0]["themes"] == ""


@pytest.mark.parametrize("freq, periods", [("month", ["2024-01-01", "2024-03-01"]), ("week", ["2024-01-08", "2024-03-04"])])
def test_theme_volume_buckets_dated_articles(corpus, freq, periods):
    df = agg.theme_volume(corpus, Filters(), freq=freq)
    assert sorted({str(p.date()) for p in df["period"]}) == periods
    assert df["articles"].sum() == 3  # a1: 1 theme, a2: 2 themes, a3 undated


def test_theme_volume_rejects_unknown_frequency(corpus):
    with pytest.raises(ValueError):
        agg.theme_volume(corpus, Filters(), freq="year")


def test_top_cues_lists_cues_of_the_leading_themes(corpus):
    df = agg.top_cues(corpus, Filters(countries=("JPN",)))
    assert set(df["cue"]) == {"supply chains", "weaponized"}


def test_co_mentions_pairs_countries_in_one_sentence(corpus):
    df = agg.co_mentions(corpus, Filters())
    pairs = {(r.source, r.target): r for r in df.itertuples()}
    assert set(pairs) == {("CHN", "JPN"), ("CHN", "USA")}
    assert pairs[("CHN", "USA")].theme == "trade_sanctions"
    assert pairs[("CHN", "USA")].example == "China and the United States agreed tariffs."
    assert pairs[("CHN", "JPN")].sentences == 1


def test_co_mentions_with_a_country_filter_keep_its_edges(corpus):
    df = agg.co_mentions(corpus, Filters(countries=("USA",)))
    assert list(zip(df.source, df.target, strict=True)) == [("CHN", "USA")]


def test_co_mentions_empty_selection_gives_typed_empty_frame(corpus):
    df = agg.co_mentions(corpus, Filters(countries=("FRA",)))
    assert df.empty and "example" in df.columns


def test_excerpts_under_country_and_theme_are_the_sentences_with_either_in_articles_with_both(corpus):
    df = agg.excerpts(corpus, Filters(countries=("CHN",), themes=("economic_security",)))
    # a1 names China in its first sentence and the coercion in its second: both are evidence; a2 (China, no
    # economic security) is not selected at all.
    assert list(df["text"]) == ["Japan warns China.", "Beijing has weaponized supply chains."]
    assert df.iloc[1]["countries"] == "CHN" and df.iloc[1]["themes"] == "economic_security"


def test_excerpts_keyword_search_is_case_insensitive(corpus):
    df = agg.excerpts(corpus, Filters(), keyword="TARIFFS")
    assert list(df["article_id"]) == ["a2"]


def test_excerpts_without_filters_skip_sentences_without_country_or_assigned_theme(corpus):
    df = agg.excerpts(corpus, Filters())
    assert "Talks go on." in set(df["text"])  # diplomacy is assigned to a2
    assert len(df) == 5


def test_sentence_spans_cover_mentions_and_assigned_theme_cues(corpus):
    rows = pd.DataFrame({"article_id": ["a1"], "sent_idx": [0]})
    spans = agg.sentence_spans(corpus, rows)
    assert set(spans["kind"]) == {"country"}  # "warns" cues diplomacy, which a1 is not assigned
    assert set(spans["label"]) == {"Japan (JPN)", "China (CHN)"}


def test_article_choices_label_date_and_title(corpus):
    df = agg.article_choices(corpus, Filters())
    assert list(df["label"]) == ["2024-03-05 · Tariff talks", "2024-01-10 · Japan and China", "undated · French vote"]


def test_article_theme_evidence_lists_sentences_per_theme(corpus):
    frames = agg.article_frames(corpus, "a1")
    ev = agg.article_theme_evidence(frames)
    top = ev.iloc[0]
    assert top["theme"] == "economic_security" and bool(top["assigned"])
    assert top["sentence"] == "Beijing has weaponized supply chains."
    assert set(top["cues"].split(", ")) == {"supply chains", "weaponized"}
    countries = agg.article_countries(frames)
    assert countries.set_index("country").loc["CHN", "surfaces"] == "China, Beijing"


@pytest.mark.parametrize(
    "filters",
    [
        Filters(),
        Filters(countries=("JPN", "CHN"), themes=("economic_security",), start=date(2024, 1, 1),
                  end=date(2024, 2, 1), sources=("example.org",), text="supply chain"),
    ],
)
def test_filters_round_trip_through_url_params(filters):
    assert Filters.from_params(filters.to_params()) == filters


def test_filters_from_params_accept_commas_and_ignore_bad_dates():
    f = Filters.from_params({"country": "jpn,CHN", "from": "not-a-date", "to": ["2024-05-01"]})
    assert f.countries == ("JPN", "CHN") and f.start is None and f.end == date(2024, 5, 1)
    assert not Filters().active() and f.active()


@pytest.mark.parametrize("iso3, name", [("KOR", "South Korea"), ("RUS", "Russia"), ("TWN", "Taiwan"),
                                        ("XXX", "XXX"), (None, "")])
def test_country_name_is_short_and_readable(iso3, name):
    assert country_name(iso3) == name


def test_theme_catalog_has_the_sixteen_themes_in_order():
    ids = theme_ids()
    assert len(ids) == 16 and ids[0] == "alliances_partnerships"


def test_as_csv_writes_dates_as_iso(corpus):
    csv = agg.as_csv(agg.excerpts(corpus, Filters(countries=("JPN",)))).decode()
    assert csv.splitlines()[0].startswith("article_id,title,published")
    assert "2024-01-10" in csv


def test_a_missing_database_is_not_created_by_reading_options(tmp_path):
    store = Store(tmp_path / "missing.duckdb")
    assert not store.exists()
    store.init()
    opts = agg.filter_options(store)
    assert opts["countries"] == [] and opts["dates"] == (None, None) and len(opts["themes"]) == 16


def _facts(store: Store) -> dict[str, pd.DataFrame]:
    from geolens import facts

    with store.reader() as con:
        # By article id: the numbers differ between a database that lost an article and one that never had it.
        out = {t: con.execute(f"SELECT fa.article_id, t.* EXCLUDE (a) FROM {t} t JOIN facts_article fa USING (a) "
                              "ORDER BY ALL").df() for t in facts.TABLES if t != "facts_article"}
        # The totals were kept by adding and subtracting contributions: they must equal a fresh count.
        out |= {t: con.execute(f"SELECT * FROM {t} ORDER BY ALL").df() for t in facts.TOTALS}
        return out


def test_facts_stay_exact_after_delete_and_retag(tmp_path):
    frames = _frames()
    store = _store(tmp_path / "w.duckdb", frames)
    store.delete("a2")
    store.replace_themes(frames["themes"][frames["themes"].article_id == "a1"].assign(theme="diplomacy"),
                         frames["article_themes"][frames["article_themes"].article_id == "a1"]
                         .drop_duplicates("article_id").assign(theme="diplomacy", assigned=True), ["a1"])
    # The same database written from scratch with the final rows must hold the same facts.
    final = {name: df[df["article_id"] != "a2"] for name, df in frames.items()}
    final["themes"] = pd.concat([final["themes"][final["themes"].article_id != "a1"],
                                 frames["themes"][frames["themes"].article_id == "a1"].assign(theme="diplomacy")])
    ats = final["article_themes"]
    final["article_themes"] = pd.concat([ats[ats.article_id != "a1"], ats[ats.article_id == "a1"]
                                         .drop_duplicates("article_id").assign(theme="diplomacy", assigned=True)])
    fresh = _store(tmp_path / "fresh.duckdb", final)
    for name, df in _facts(fresh).items():
        pd.testing.assert_frame_equal(_facts(store)[name], df, obj=name)
    assert agg.theme_counts(store, Filters())["theme"].tolist() == ["diplomacy", "domestic_politics"]
    pairs = agg.co_mentions(store, Filters())
    assert list(zip(pairs.source, pairs.target, strict=True)) == [("CHN", "JPN")]  # a2's China-USA pair went


def test_a_database_from_before_the_facts_gains_them_on_upgrade(tmp_path):
    store = _store(tmp_path / "old.duckdb", _frames())
    with store.writer() as con:  # make it look like a geolens 0.1 file
        for name in ("facts_sentence_pair", "facts_article"):
            con.execute(f"DROP TABLE {name}")
        con.execute("DELETE FROM meta WHERE key = 'facts_version'")
    assert store.upgrade()
    assert agg.summary(store, Filters()).iloc[0]["sentences"] == 5
    assert len(agg.co_mentions(store, Filters())) == 2


def test_keyword_search_beyond_its_scope_reads_the_most_recently_added_articles(corpus):
    assert agg.keyword_floor(corpus) == 0  # three articles: all are searched
    floor = agg.keyword_floor(corpus, scope=1)
    assert floor == 3  # a3 was stored last
    assert agg.articles_from(corpus, Filters(), floor) == (1, 3)
    assert agg.articles_from(corpus, Filters(countries=("JPN",)), floor) == (0, 1)
    assert agg.excerpt_totals(corpus, Filters(), keyword="e", floor=floor) == (1, 1)
    assert set(agg.excerpts(corpus, Filters(), keyword="e", floor=floor)["article_id"]) == {"a3"}
    assert agg.excerpt_totals(corpus, Filters(), keyword="e")[1] == 3


def test_period_totals_and_counts_give_attention_per_month(corpus):
    totals = agg.period_totals(corpus, Filters())
    assert [str(p.date()) for p in totals["period"]] == ["2024-01-01", "2024-03-01"]
    assert list(totals["articles"]) == [1, 1]  # the undated article is in no period
    china = agg.period_counts(corpus, Filters(), by="country")
    assert set(china.loc[china["key"] == "CHN", "count"]) == {1} and len(china[china["key"] == "CHN"]) == 2
    themes = agg.period_counts(corpus, Filters(), by="theme", freq="week")
    assert set(themes["key"]) == {"economic_security", "trade_sanctions", "diplomacy"}


def test_pair_sentences_list_every_sentence_naming_both(corpus):
    assert agg.pair_totals(corpus, Filters(), "USA", "CHN") == 1
    rows = agg.pair_sentences(corpus, Filters(), "USA", "CHN")
    assert list(rows["text"]) == ["China and the United States agreed tariffs."]
    assert agg.pair_sentences(corpus, Filters(countries=("FRA",)), "USA", "CHN").empty


def test_term_counts_skip_function_words_and_count_phrases(corpus):
    terms = dict(zip(*agg.term_counts(corpus, Filters()).pipe(lambda d: (d.term, d["count"])), strict=True))
    assert terms["china"] == 2 and "has" not in terms and "the" not in terms  # function words never count
    assert "weaponized" not in terms and "supply chains" not in terms  # a term must be seen twice


def test_entity_filter_selects_the_articles_naming_them(tmp_path):
    frames = _frames()
    frames["mentions"] = pd.concat([frames["mentions"], pd.DataFrame([
        _mention("a2", "United States", "org", "White House", "USA")])], ignore_index=True)
    store = _store(tmp_path / "ent.duckdb", frames)
    top = agg.entity_counts(store, Filters())
    assert list(top["entity"]) == ["White House"] and top.iloc[0]["articles"] == 1
    from geolens.names import theme_name

    assert top.iloc[0]["themes"] == f"{theme_name('diplomacy')}, {theme_name('trade_sanctions')}"
    assert set(agg.article_choices(store, Filters(entities=("White House",)))["article_id"]) == {"a2"}


@pytest.mark.parametrize("filters", [Filters(), Filters(countries=("CHN",)), Filters(sources=("example.org",))])
def test_excerpt_pages_of_any_size_add_up_to_the_whole_list(corpus, filters):
    whole = agg.excerpt_keys(corpus, filters)
    n, _ = agg.excerpt_totals(corpus, filters)
    assert n == len(whole) > 0
    for size in (1, 2, 3):
        pages = [agg.excerpt_keys(corpus, filters, offset=o, limit=size) for o in range(0, n + size, size)]
        pd.testing.assert_frame_equal(pd.concat(pages, ignore_index=True), whole)


def test_theme_names_come_from_the_taxonomy_in_effect(tmp_path, monkeypatch, corpus):
    import yaml

    from geolens import settings
    from geolens.names import theme_name

    data = yaml.safe_load(settings.TAXONOMY.read_text(encoding="utf-8"))
    themes = data["themes"] if isinstance(data, dict) else data
    for spec in themes:
        if spec["id"] == "economic_security":
            spec["name"] = "Geoeconomics"
    custom = tmp_path / "taxonomy.yaml"
    custom.write_text(yaml.safe_dump(data), encoding="utf-8")
    monkeypatch.setenv("GEOLENS_TAXONOMY", str(custom))
    assert theme_name("economic_security") == "Geoeconomics"
    counts = agg.theme_counts(corpus, Filters(countries=("JPN",)))
    assert counts.set_index("theme").loc["economic_security", "name"] == "Geoeconomics"


def test_importing_the_palette_loads_neither_spacy_nor_duckdb():
    import subprocess
    import sys

    code = ("import sys, components.palette, components.charts; "
            "print(sorted(m for m in ('spacy', 'duckdb') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).resolve().parent.parent)
    assert out.stdout.strip() == "[]"


def test_csv_download_is_built_in_pages_and_stops_at_its_cap(corpus):
    whole = agg.excerpt_keys(corpus, Filters())
    chunks = list(agg.excerpts_csv_chunks(corpus, Filters(), cap=3, chunk=2))
    assert [len(c) for c in chunks] == [2, 1]  # read two at a time, never more than the cap
    rows = pd.concat(chunks, ignore_index=True)
    assert list(zip(rows["article_id"], rows["sent_idx"], strict=True)) == list(
        zip(whole["article_id"][:3], whole["sent_idx"][:3], strict=True))
    assert "start" not in rows.columns and "text" in rows.columns


def test_a_database_one_version_behind_gains_only_the_new_totals(tmp_path):
    store = _store(tmp_path / "v3.duckdb", _frames())
    want = agg.entity_counts(store, Filters())
    with store.writer() as con:  # as a file written before people and organisations had totals
        con.execute("DROP TABLE totals_entity")
        con.execute("UPDATE meta SET value = '3' WHERE key = 'facts_version'")
    assert store.upgrade()
    pd.testing.assert_frame_equal(agg.entity_counts(store, Filters()), want)


def test_a_publisher_naming_itself_is_not_among_people_and_organisations(tmp_path):
    frames = _frames()
    frames["mentions"] = pd.concat([frames["mentions"], pd.DataFrame([
        _mention("a2", "Talks", "org", "News", None),  # a2 comes from news.test: the publisher naming itself
        _mention("a1", "Japan", "org", "News", None)])], ignore_index=True)  # a1 comes from example.org
    store = _store(tmp_path / "publisher.duckdb", frames)
    for f in (Filters(), Filters(countries=("CHN",))):
        people = agg.entity_counts(store, f)
        assert list(people["entity"]) == ["News"] and people.iloc[0]["articles"] == 1
    assert set(agg.article_choices(store, Filters(entities=("News",)))["article_id"]) == {"a1"}


def test_a_database_of_the_previous_facts_version_drops_the_publisher_on_upgrade(tmp_path):
    frames = _frames()
    frames["mentions"] = pd.concat([frames["mentions"], pd.DataFrame([
        _mention("a2", "Talks", "org", "News", None)])], ignore_index=True)
    store = _store(tmp_path / "v4.duckdb", frames)
    with store.writer() as con:  # as a file written before the rule: its entity facts hold the publisher
        con.execute("INSERT INTO facts_entity SELECT a, 'org', 'News', NULL, 1 FROM articles WHERE article_id = 'a2'")
        con.execute("INSERT INTO totals_entity VALUES ('org', 'News', '', 1, 1)")
        con.execute("UPDATE meta SET value = '4' WHERE key = 'facts_version'")
    assert "News" in set(agg.entity_counts(store, Filters())["entity"])
    assert store.upgrade()
    assert "News" not in set(agg.entity_counts(store, Filters())["entity"])
    assert "News" not in set(agg.entity_counts(store, Filters(countries=("CHN",)))["entity"])


def test_people_of_articles_without_a_theme_have_no_themes_not_an_error(tmp_path):
    frames = _frames()
    frames["mentions"] = pd.concat([frames["mentions"], pd.DataFrame([
        _mention("a3", "Paris", "person", "Paris Hilton", None)])], ignore_index=True)
    frames["article_themes"] = frames["article_themes"][frames["article_themes"]["article_id"] != "a3"]
    store = _store(tmp_path / "nothemes.duckdb", frames)
    for f in (Filters(), Filters(countries=("FRA",))):
        people = agg.entity_counts(store, f)
        assert list(people["entity"]) == ["Paris Hilton"] and people.iloc[0]["themes"] == ""
