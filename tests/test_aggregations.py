"""geolens.queries on a small hand-made corpus: filters, aggregations, excerpts, co-mentions, URL round-trip."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from geolens import queries as q
from geolens.store import Store

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


@pytest.fixture(scope="module")
def corpus() -> q.Corpus:
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
    return q.Corpus.from_frames(
        dict(articles=articles, sentences=_sentences(), mentions=mentions, themes=themes,
             article_themes=article_themes),
        version=3,
    )


@pytest.mark.parametrize(
    "filters, expected",
    [
        (q.Filters(), {"a1", "a2", "a3"}),
        (q.Filters(countries=("JPN",)), {"a1"}),
        (q.Filters(countries=("CHN",)), {"a1", "a2"}),
        (q.Filters(countries=("JPN", "FRA")), {"a1", "a3"}),
        (q.Filters(themes=("diplomacy",)), {"a2"}),  # a1's diplomacy cue is not an assigned theme
        (q.Filters(countries=("CHN",), themes=("economic_security",)), {"a1"}),
        (q.Filters(start=date(2024, 2, 1)), {"a2"}),  # an undated article drops out of a date filter
        (q.Filters(end=date(2024, 1, 10)), {"a1"}),
        (q.Filters(sources=("example.org",)), {"a1", "a3"}),
        (q.Filters(text="WEAPONIZED"), {"a1"}),
        (q.Filters(text="tariff talks"), {"a2"}),  # matches the title
        (q.Filters(countries=("DEU",)), set()),
    ],
)
def test_select_articles_applies_every_filter(corpus, filters, expected):
    got = q.select_articles(corpus, filters)
    assert set(got["article_id"]) == expected
    assert "text" not in got.columns


def test_summary_counts_the_selection(corpus):
    s = q.summary(corpus, q.Filters(countries=("CHN",))).iloc[0]
    assert (s["articles"], s["countries"], s["themes"], s["undated"]) == (2, 3, 3, 0)
    assert s["first"] == pd.Timestamp("2024-01-10") and s["last"] == pd.Timestamp("2024-03-05")


def test_country_counts_rank_by_articles_with_names_and_continents(corpus):
    df = q.country_counts(corpus, q.Filters())
    assert list(df["country"])[0] == "CHN"
    row = df.set_index("country").loc["CHN"]
    assert (row["articles"], row["mentions"], row["name"], row["continent"]) == (2, 3, "China", "AS")


def test_country_counts_under_a_country_filter_show_its_neighbours(corpus):
    df = q.country_counts(corpus, q.Filters(countries=("JPN",)))
    assert set(df["country"]) == {"JPN", "CHN"}


def test_theme_counts_share_is_of_selected_articles(corpus):
    df = q.theme_counts(corpus, q.Filters()).set_index("theme")
    assert df.loc["diplomacy", "articles"] == 1
    assert df.loc["diplomacy", "share"] == pytest.approx(1 / 3)
    assert df.loc["economic_security", "name"] == "Economic security & coercion"


def test_theme_counts_under_theme_filter_keep_only_those_themes(corpus):
    df = q.theme_counts(corpus, q.Filters(themes=("trade_sanctions",)))
    assert list(df["theme"]) == ["trade_sanctions"]


def test_theme_country_matrix_counts_articles_with_both(corpus):
    df = q.theme_country_matrix(corpus, q.Filters())
    cell = df[(df.country == "CHN") & (df.theme == "economic_security")]
    assert int(cell["articles"].iloc[0]) == 1
    assert not ((df.country == "JPN") & (df.theme == "diplomacy")).any()


def test_latest_articles_newest_first_with_countries_and_themes(corpus):
    df = q.latest_articles(corpus, q.Filters(), limit=2)
    assert list(df["article_id"]) == ["a2", "a1"]
    assert df.iloc[1]["countries"] in ("Japan, China", "China, Japan")
    assert df.iloc[1]["themes"] == "Economic security & coercion"


def test_latest_articles_with_no_theme_and_no_country_are_blank_not_errors(corpus):
    bare = q.Corpus.from_frames({"articles": corpus.articles.iloc[[2]]})
    df = q.latest_articles(bare, q.Filters())
    assert df.iloc[0]["countries"] == "" and df.iloc[0]["themes"] == ""


@pytest.mark.parametrize("freq, periods", [("month", ["2024-01-01", "2024-03-01"]), ("week", ["2024-01-08", "2024-03-04"])])
def test_theme_volume_buckets_dated_articles(corpus, freq, periods):
    df = q.theme_volume(corpus, q.Filters(), freq=freq)
    assert sorted({str(p.date()) for p in df["period"]}) == periods
    assert df["articles"].sum() == 3  # a1: 1 theme, a2: 2 themes, a3 undated


def test_theme_volume_rejects_unknown_frequency(corpus):
    with pytest.raises(ValueError):
        q.theme_volume(corpus, q.Filters(), freq="year")


def test_top_cues_lists_cues_of_the_leading_themes(corpus):
    df = q.top_cues(corpus, q.Filters(countries=("JPN",)))
    assert set(df["cue"]) == {"supply chains", "weaponized"}


def test_co_mentions_pairs_countries_in_one_sentence(corpus):
    df = q.co_mentions(corpus, q.Filters())
    pairs = {(r.source, r.target): r for r in df.itertuples()}
    assert set(pairs) == {("CHN", "JPN"), ("CHN", "USA")}
    assert pairs[("CHN", "USA")].theme == "trade_sanctions"
    assert pairs[("CHN", "USA")].example == "China and the United States agreed tariffs."
    assert pairs[("CHN", "JPN")].sentences == 1


def test_co_mentions_with_a_country_filter_keep_its_edges(corpus):
    df = q.co_mentions(corpus, q.Filters(countries=("USA",)))
    assert list(zip(df.source, df.target, strict=True)) == [("CHN", "USA")]


def test_co_mentions_empty_selection_gives_typed_empty_frame(corpus):
    df = q.co_mentions(corpus, q.Filters(countries=("FRA",)))
    assert df.empty and "example" in df.columns


def test_excerpts_under_country_and_theme_are_the_sentences_with_both(corpus):
    df = q.excerpts(corpus, q.Filters(countries=("CHN",), themes=("economic_security",)))
    assert list(df["text"]) == ["Beijing has weaponized supply chains."]
    assert df.iloc[0]["countries"] == "CHN" and df.iloc[0]["themes"] == "economic_security"


def test_excerpts_keyword_search_is_case_insensitive(corpus):
    df = q.excerpts(corpus, q.Filters(), keyword="TARIFFS")
    assert list(df["article_id"]) == ["a2"]


def test_excerpts_without_filters_skip_sentences_without_country_or_assigned_theme(corpus):
    df = q.excerpts(corpus, q.Filters())
    assert "Talks go on." in set(df["text"])  # diplomacy is assigned to a2
    assert len(df) == 5


def test_sentence_spans_cover_mentions_and_assigned_theme_cues(corpus):
    rows = pd.DataFrame({"article_id": ["a1"], "sent_idx": [0]})
    spans = q.sentence_spans(corpus, rows)
    assert set(spans["kind"]) == {"country"}  # "warns" cues diplomacy, which a1 is not assigned
    assert set(spans["label"]) == {"Japan (JPN)", "China (CHN)"}


def test_article_choices_label_date_and_title(corpus):
    df = q.article_choices(corpus, q.Filters())
    assert list(df["label"]) == ["2024-03-05 · Tariff talks", "2024-01-10 · Japan and China", "undated · French vote"]


def test_article_theme_evidence_lists_sentences_per_theme(corpus):
    frames = {name: getattr(corpus, name)[getattr(corpus, name)["article_id"] == "a1"] for name in
              ("articles", "sentences", "mentions", "themes", "article_themes")}
    ev = q.article_theme_evidence(frames)
    top = ev.iloc[0]
    assert top["theme"] == "economic_security" and bool(top["assigned"])
    assert top["sentence"] == "Beijing has weaponized supply chains."
    assert set(top["cues"].split(", ")) == {"supply chains", "weaponized"}
    countries = q.article_countries(frames)
    assert countries.set_index("country").loc["CHN", "surfaces"] == "China, Beijing"


@pytest.mark.parametrize(
    "filters",
    [
        q.Filters(),
        q.Filters(countries=("JPN", "CHN"), themes=("economic_security",), start=date(2024, 1, 1),
                  end=date(2024, 2, 1), sources=("example.org",), text="supply chain"),
    ],
)
def test_filters_round_trip_through_url_params(filters):
    assert q.Filters.from_params(filters.to_params()) == filters


def test_filters_from_params_accept_commas_and_ignore_bad_dates():
    f = q.Filters.from_params({"country": "jpn,CHN", "from": "not-a-date", "to": ["2024-05-01"]})
    assert f.countries == ("JPN", "CHN") and f.start is None and f.end == date(2024, 5, 1)
    assert not q.Filters().active() and f.active()


@pytest.mark.parametrize("iso3, name", [("KOR", "South Korea"), ("RUS", "Russia"), ("TWN", "Taiwan"),
                                        ("XXX", "XXX"), (None, "")])
def test_country_name_is_short_and_readable(iso3, name):
    assert q.country_name(iso3) == name


def test_theme_catalog_has_the_sixteen_themes_in_order():
    cat = q.theme_catalog()
    assert len(cat) == 16 and cat["theme"].iloc[0] == "alliances_partnerships"


def test_load_corpus_reads_every_table_and_the_version(tmp_path, corpus):
    store = Store(tmp_path / "q.duckdb")
    assert q.load_corpus(store).articles.empty and not store.exists()  # a missing file stays missing
    store.init()
    with store.writer() as con:
        for name in ("articles", "sentences", "mentions", "themes", "article_themes"):
            Store._insert(con, name, getattr(corpus, name))
    loaded = q.load_corpus(store)
    assert loaded.version == store.version() and len(loaded.articles) == 3 and len(loaded.mentions) == 7
    assert set(q.select_articles(loaded, q.Filters(countries=("JPN",)))["article_id"]) == {"a1"}


def test_as_csv_writes_dates_as_iso(corpus):
    csv = q.as_csv(q.excerpts(corpus, q.Filters(countries=("JPN",)))).decode()
    assert csv.splitlines()[0].startswith("article_id,title,published")
    assert "2024-01-10" in csv


def test_article_frames_match_the_store_rows(tmp_path, corpus):
    store = Store(tmp_path / "a.duckdb")
    store.init()
    with store.writer() as con:
        for name in ("articles", "sentences", "mentions", "themes", "article_themes"):
            Store._insert(con, name, getattr(corpus, name))
    loaded = q.load_corpus(store)
    mine, theirs = q.article_frames(loaded, "a1"), store.article("a1")
    for name in theirs:
        key = [c for c in ("sent_idx", "start", "theme") if c in theirs[name].columns]
        a = mine[name].sort_values(key).reset_index(drop=True) if key else mine[name]
        b = theirs[name].sort_values(key).reset_index(drop=True) if key else theirs[name]
        pd.testing.assert_frame_equal(a, b, check_dtype=False)
    assert all(df.empty for df in q.article_frames(loaded, "nope").values())
