"""The preprocessing flow end to end: seeding, batch ingest, and the whole Wikinews corpus in tidy tables."""

from __future__ import annotations

import pytest
import yaml

from geolens.ingest import from_text
from geolens.pipeline import ensure_seeded, ingest_articles, read_inputs
from geolens.store import Store
from geolens.tables import SCHEMA

SPEC_THEMES = {
    "alliances_partnerships", "defense_posture", "armed_conflict", "terrorism_violence", "nuclear_wmd",
    "military_technology", "economic_security", "trade_sanctions", "technology_innovation", "territorial_disputes",
    "diplomacy", "international_order", "domestic_politics", "cyber_information", "energy_infrastructure",
    "humanitarian",
}


def test_pipeline_seeds_fresh_database_with_the_sample(tmp_path, nlp):
    store = Store(tmp_path / "fresh.duckdb")
    assert ensure_seeded(store) is True
    titles = store.table("articles")["title"].tolist()
    assert titles == ["Japan's Security Awakening: Beyond American Dependence"]
    assert ensure_seeded(store) is False  # an existing database is left alone


def test_pipeline_skips_duplicates_within_a_batch_and_across_runs(tmp_path, nlp, seed_text):
    store = Store(tmp_path / "d.duckdb")
    a = from_text(seed_text, origin="one.txt")
    b = from_text("  " + seed_text.replace("\n", "\n\n") + "  ", origin="same-text-other-spacing.txt")
    first = ingest_articles(store, [a, b], n_process=1)
    assert [o.status for o in first] == ["added", "duplicate"]
    again = ingest_articles(store, [a], n_process=1)
    assert [o.status for o in again] == ["duplicate"]
    assert len(store.table("articles")) == 1


def test_pipeline_reports_bad_files_and_ingests_the_rest(tmp_path, nlp, seed_text):
    (tmp_path / "good.txt").write_text(seed_text, encoding="utf-8")
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "binary.txt").write_bytes(bytes(range(256)) * 10)
    articles, rejected = read_inputs([tmp_path])
    assert len(articles) == 1
    assert sorted((r.origin.split("/")[-1], r.reason) for r in rejected) == [
        ("binary.txt", "this is a binary file, not text"),
        ("empty.txt", "the file is empty"),
    ]


@pytest.fixture(scope="module")
def corpus(corpus_db_path):
    store = Store(corpus_db_path)
    return {t: store.table(t) for t in SCHEMA}


@pytest.mark.slow
def test_corpus_ingest_stores_every_real_article(corpus, corpus_csvs):
    import pandas as pd

    rows = pd.concat([pd.read_csv(p) for p in corpus_csvs])
    real = rows[rows["text"].fillna("").str.split().str.len() >= 20]
    assert len(corpus["articles"]) == len(real) == 294
    assert corpus["articles"]["article_id"].is_unique
    assert corpus["articles"]["published"].notna().all()


@pytest.mark.slow
def test_corpus_mention_offsets_point_at_their_surface_text(corpus):
    text = dict(zip(corpus["articles"]["article_id"], corpus["articles"]["text"], strict=True))
    m = corpus["mentions"]
    assert len(m) > 5000
    bad = [r for r in m.itertuples() if text[r.article_id][r.start: r.end] != r.surface]
    assert bad == []
    assert set(m["kind"].dropna()) <= {"country", "person", "org", "place"}
    assert m["country"].dropna().str.fullmatch(r"[A-Z]{3}").all()


@pytest.mark.slow
def test_corpus_sentences_lie_inside_their_article_and_in_order(corpus):
    lengths = dict(zip(corpus["articles"]["article_id"], corpus["articles"]["text"].str.len(), strict=True))
    text = dict(zip(corpus["articles"]["article_id"], corpus["articles"]["text"], strict=True))
    s = corpus["sentences"]
    assert ((s["start"] >= 0) & (s["start"] < s["end"])).all()
    assert (s["end"] <= s["article_id"].map(lengths)).all()
    assert all(text[r.article_id][r.start: r.end] == r.text for r in s.itertuples())
    for _, g in s.groupby("article_id"):
        assert list(g.sort_values("sent_idx")["start"]) == sorted(g["start"])
        assert list(g["sent_idx"].sort_values()) == list(range(len(g)))


@pytest.mark.slow
def test_corpus_theme_ids_are_the_sixteen_of_the_spec(corpus):
    assert set(corpus["themes"]["theme"]) <= SPEC_THEMES
    assert set(corpus["article_themes"]["theme"]) <= SPEC_THEMES
    taxonomy = yaml.safe_load(open("data/taxonomy.yaml", encoding="utf-8"))
    ids = {t["id"] for t in (taxonomy["themes"] if isinstance(taxonomy, dict) else taxonomy)}
    assert ids == SPEC_THEMES
    t = corpus["themes"]
    text = dict(zip(corpus["articles"]["article_id"], corpus["articles"]["text"], strict=True))
    assert all(len(text[r.article_id][r.start: r.end]) == r.end - r.start > 0 for r in t.itertuples())


@pytest.mark.slow
def test_corpus_every_row_belongs_to_a_stored_article(corpus):
    ids = set(corpus["articles"]["article_id"])
    for name in ("sentences", "mentions", "themes", "article_themes"):
        assert set(corpus[name]["article_id"]) <= ids, name


def test_pipeline_article_the_model_cannot_take_is_rejected_and_the_rest_stored(tmp_path, nlp, seed_text):
    from geolens.ingest import Article

    store = Store(tmp_path / "iso.duckdb")
    too_long = Article(text="Japan and China held talks. " * 40_000, origin="huge.txt")  # past spaCy's max_length
    outcomes = ingest_articles(store, [too_long, from_text(seed_text, origin="seed.txt")], n_process=1)
    assert [o.status for o in outcomes] == ["rejected", "added"]
    assert "could not be analysed" in outcomes[0].reason
    assert len(store.table("articles")) == 1


@pytest.mark.parametrize(
    ("url", "country"),
    [("https://www.cbc.ca/news/x", "CAN"), ("https://www.abc.net.au/news/x", "AUS"), ("bbc.co.uk/news", "GBR"),
     ("https://www.nytimes.com/x", None), ("https://en.wikinews.org/wiki/x", None), ("https://x.io/a", None)],
)
def test_publication_country_comes_from_a_country_code_domain(url, country):
    from geolens.provenance import publication_country

    assert publication_country(url) == country


def test_pipeline_publication_address_decides_a_local_namesake(nlp):
    from geolens.ingest import Article
    from geolens.pipeline import analyse

    text = "The council in Richmond approved a new library on Tuesday. Work will start in the spring, the mayor said."

    def richmond(url: str) -> str:
        m = analyse(Article(text=text, url=url), nlp).mentions
        return m.loc[m["surface"] == "Richmond", "country"].iloc[0]

    assert richmond("") == "USA"  # the largest namesake, with nothing else to go on
    assert richmond("https://www.cbc.ca/news/local") == "CAN"
    assert richmond("https://www.abc.net.au/news/local") == "AUS"


def test_sped_up_model_components_annotate_exactly_as_the_model_does(seed_text):
    """geolens.nlp.speed_up swaps in an indexed attribute-ruler matcher and a cached rule lemmatizer: every token
    gets the same tag, POS, morphology, lemma and dependency as with the model's own components."""
    import spacy

    from geolens.nlp import IndexedAttributeRuler, model_name, speed_up

    texts = [
        seed_text,
        "I ain't gonna do it, y'all. Let's go, c'mon! He gets it, she got it; nothin' there.",
        "There is a dog.  It is here\n\nand you know it, but they did it for you. Which one? That one did.",
        " ",
        "x",
    ]
    for exclude in (["parser", "ner"], ["ner", "senter"]):  # the main pipeline, the relations parser
        plain = spacy.load(model_name(), exclude=exclude)
        fast = speed_up(spacy.load(model_name(), exclude=exclude))
        assert isinstance(fast.get_pipe("attribute_ruler").match, IndexedAttributeRuler)
        for _ in range(2):  # the second pass answers from the lemmatizer's cache
            for a, b in zip(plain.pipe(texts), fast.pipe(texts), strict=True):
                assert [(t.tag_, t.pos_, str(t.morph), t.lemma_, t.dep_, t.head.i) for t in a] == [
                    (t.tag_, t.pos_, str(t.morph), t.lemma_, t.dep_, t.head.i) for t in b
                ]


def test_gazetteer_cache_gives_the_built_gazetteer_and_follows_its_sources(tmp_path, monkeypatch):
    import shutil

    from geolens import gazetteer

    monkeypatch.setenv("GEOLENS_CACHE_DIR", str(tmp_path / "cache"))
    src = tmp_path / "countries"
    shutil.copytree(gazetteer.DATA_DIR, src)
    built = gazetteer.build_gazetteer(src)
    assert gazetteer.cached_gazetteer(src) == built  # built and cached
    assert len(list((tmp_path / "cache").glob("gazetteer-*.marshal"))) == 1
    assert gazetteer.cached_gazetteer(src) == built  # read back
    with (src / "regions.jsonl").open("a", encoding="utf-8") as f:
        f.write('{"pattern": "Middle Earth"}\n')
    changed = gazetteer.cached_gazetteer(src)  # a changed source is a new key: built again
    assert "Middle Earth" in changed.regions and "Middle Earth" not in built.regions
    monkeypatch.setenv("GEOLENS_CACHE_DIR", str(src / "regions.jsonl"))  # a cache that cannot be one: built
    assert gazetteer.cached_gazetteer(src) == changed


def test_pool_worker_shards_share_a_memory_zone_that_is_renewed(nlp, seed_text, monkeypatch):
    import geolens.pipeline as gp
    from geolens.pipeline import analyse_shard

    monkeypatch.setattr(gp, "WORKER_ZONE_ARTICLES", 2)
    arts = [from_text(seed_text, origin="a.txt"), from_text("Japan and China met in Beijing. " * 8, origin="b.txt")]
    expected = analyse_shard(arts, nlp)
    _, first = gp._indexed_shard((0, arts[:1]))
    assert gp._worker_zone["stack"] is not None and gp._worker_zone["articles"] == 1  # kept open
    _, second = gp._indexed_shard((1, arts[1:]))
    assert gp._worker_zone["stack"] is None and gp._worker_zone["articles"] == 0  # closed after 2 articles
    for table in ("sentences", "mentions", "themes", "relations"):
        assert [t.frame(table).to_dict("records") for t in first + second] == [
            t.frame(table).to_dict("records") for t in expected
        ]


def test_pool_is_given_the_longest_shards_first():
    from geolens.pipeline import longest_first

    sentence = "The ministers of the two countries met in the capital and talked about the trade agreement. "
    shards = [[from_text(sentence * n, origin=f"{n}.txt")] for n in (3, 30, 3, 300, 10)]
    assert longest_first(shards) == [3, 1, 4, 0, 2]  # ties keep their input order
