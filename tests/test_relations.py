"""Relations between countries per sentence (issue 15): pair-level classes, rules, table, store, dev floor."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from geolens.ingest import from_text
from geolens.pipeline import analyse
from geolens.relations import load_lexicon
from geolens.store import Store
from geolens.tables import TABLES

ARTICLE = (
    "Leaders gathered in Brussels on Monday for a long summit on energy prices and the coming winter. "
    "Germany condemned Russia's attack on Ukraine."
)


def _pairs(nlp, text: str) -> dict[tuple[str, str], str]:
    doc = nlp(text)
    return {(r.a, r.b): r.quad for r in doc._.relations}


def test_one_sentence_holds_different_relations_per_pair(nlp):
    got = _pairs(nlp, "Germany condemned Russia's attack on Ukraine.")
    assert got == {("DEU", "RUS"): "verbal_conflict", ("RUS", "UKR"): "material_conflict", ("DEU", "UKR"): "none"}


@pytest.mark.parametrize(
    ("text", "pair", "quad"),
    [
        ("Greece and Turkey held talks on maritime borders.", ("GRC", "TUR"), "verbal_cooperation"),
        ("China accused Japan of provoking tensions in the East China Sea.", ("CHN", "JPN"), "verbal_conflict"),
        ("Japan sent humanitarian aid to the Philippines after the typhoon.", ("JPN", "PHL"), "material_cooperation"),
        ("The United States imposed new sanctions on Iran over its missile programme.", ("IRN", "USA"),
         "material_conflict"),
        ("Japan and the Philippines signed a defence pact on Monday.", ("JPN", "PHL"), "material_cooperation"),
    ],
)
def test_each_class(nlp, text, pair, quad):
    assert _pairs(nlp, text)[pair] == quad


def test_two_countries_without_interaction_are_none(nlp):
    assert _pairs(nlp, "France and Brazil both reported record temperatures this summer.") == {("BRA", "FRA"): "none"}


def test_planned_act_counts_as_words(nlp):
    assert _pairs(nlp, "India plans to send troops to Sri Lanka.")[("IND", "LKA")] == "verbal_cooperation"
    assert _pairs(nlp, "Pakistan will attack India.")[("IND", "PAK")] == "verbal_conflict"


def test_venue_is_none(nlp):
    got = _pairs(nlp, "Egyptian and Israeli officials met for talks in Qatar.")
    assert got[("EGY", "ISR")] == "verbal_cooperation"
    assert got[("EGY", "QAT")] == got[("ISR", "QAT")] == "none"


def test_fighting_for_a_country_is_on_its_side(nlp):
    got = _pairs(nlp, "Over 10,000 North Korean troops are reportedly fighting for Russia in Ukraine.")
    assert got[("PRK", "RUS")] == "material_cooperation"
    assert got[("PRK", "UKR")] == got[("RUS", "UKR")] == "material_conflict"


def test_seed_article_pairs(seed_doc):
    def pairs_of(fragment: str) -> dict[tuple[str, str], str]:
        return {(r.a, r.b): r.quad for r in seed_doc._.relations if fragment in seed_doc.text[r.start:r.end]}

    troops = pairs_of("North Korean troops are reportedly fighting for Russia")
    assert troops[("PRK", "RUS")] == "material_cooperation"
    assert troops[("PRK", "UKR")] == troops[("RUS", "UKR")] == "material_conflict"
    assert pairs_of("refusing to rule out force")[("CHN", "TWN")] == "verbal_conflict"
    alliance = pairs_of("maintaining the US alliance")
    assert alliance[("JPN", "USA")].endswith("cooperation")
    assert all(not q.endswith("conflict") for q in alliance.values())
    assert pairs_of("China adds 20 Japanese entities")[("CHN", "JPN")] == "material_conflict"


def test_seed_sentences_read_as_a_human_would(nlp):
    assert _pairs(nlp, "China has refused to rule out force for Taiwan reunification.")[("CHN", "TWN")] == (
        "verbal_conflict"
    )
    assert _pairs(nlp, "Japan is maintaining the US alliance.")[("JPN", "USA")].endswith("cooperation")


def test_lexicon_is_data_with_every_class():
    lex = load_lexicon()
    assert {"material_conflict", "verbal_conflict", "verbal_cooperation", "material_cooperation"} == set(
        lex.lemmas.values()
    )
    assert "talks" in lex.symmetric and "will" in lex.irrealis


def test_relations_table_rows(nlp):
    tables = analyse(from_text(ARTICLE, title="t"), nlp)
    rel = tables.relations
    assert list(rel.columns) == ["article_id", "sent_idx", "a", "b", "quad", "cue"]
    assert (rel["a"] < rel["b"]).all() and set(rel["sent_idx"]) == {1}
    assert rel.set_index(["a", "b"]).loc[("DEU", "RUS"), "cue"] == "condemned"


def test_store_round_trip_delete_and_upgrade(tmp_path, nlp):
    import duckdb

    tables = analyse(from_text(ARTICLE, title="t"), nlp)
    store = Store(tmp_path / "r.duckdb", timeout=5)
    assert store.add(tables)
    stored = store.table("relations")
    assert len(stored) == 3 and set(stored["quad"]) == {"verbal_conflict", "material_conflict", "none"}
    assert store.delete(tables.article_id)
    assert len(store.table("relations")) == 0
    # A database written before the relations table existed gains it.
    con = duckdb.connect(str(tmp_path / "r.duckdb"))
    con.execute("DROP TABLE relations")
    con.close()
    assert store.upgrade() is True
    assert store.add(tables) and len(store.table("relations")) == 3
    assert {p.name for p in store.export(tmp_path / "out")} == {f"{t}.csv" for t in TABLES}


def test_dev_set_floor(eval_dir, tmp_path):
    out = tmp_path / "rel.jsonl"
    gold = eval_dir / "relations_dev.jsonl"
    subprocess.run([sys.executable, "-m", "geolens", "annotate", str(gold), "-o", str(out)], check=True,
                   capture_output=True)
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert all("relations" in r for r in rows)
    score = subprocess.run([sys.executable, str(eval_dir / "score_relations.py"), str(gold), str(out)],
                           check=True, capture_output=True, text=True).stdout
    quad = float(score.split("quad: macro-F1=")[1].split()[0])
    coarse = float(score.split("coarse: macro-F1=")[1].split()[0])
    assert quad >= 0.70 and coarse >= 0.72, score  # keyword baseline: 0.285 / 0.405; docs/accuracy.md has the rest


def _open_page(tmp_path, nlp, monkeypatch, text: str, page: str):
    """An AppTest of `page` on a database holding one article with `text` (the article is preselected)."""
    from pathlib import Path

    from streamlit.testing.v1 import AppTest

    db = tmp_path / "page.duckdb"
    tables = analyse(from_text(text, title="t"), nlp)
    Store(db, timeout=5).add(tables)
    monkeypatch.setenv("GEOLENS_DB", str(db))
    at = AppTest.from_file(str(Path(__file__).resolve().parent.parent / "app.py"), default_timeout=120)
    at.query_params["article"] = tables.article_id
    at.run()
    at.switch_page(f"pages/{page}.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_relations_page_opens_a_pair_with_its_sentences_by_class(tmp_path, nlp, monkeypatch):
    at = _open_page(tmp_path, nlp, monkeypatch, ARTICLE, "relations")
    picker = at.selectbox(key="rel_pair_pick")
    assert picker.value is None and not any("every sentence naming both" in str(e.value) for e in at.subheader)
    picker.set_value(("RUS", "UKR")).run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("every sentence naming both" in str(e.value) for e in at.subheader)
    counts = "\n".join(str(e.value) for e in at.markdown)
    assert "**Verbal conflict**" in counts or "**Material conflict**" in counts
    cards = "\n".join(h.value for h in at.get("html") if 'class="gl-group"' in h.value)
    assert "Verbal conflict" in cards or "Material conflict" in cards  # the class chip on its sentence


def test_article_page_lists_the_relations(tmp_path, nlp, monkeypatch):
    at = _open_page(tmp_path, nlp, monkeypatch, ARTICLE, "article")
    shown = "\n".join(h.value for h in at.get("html"))  # the page's relations table is HTML (wrapping cells)
    assert "verbal conflict" in shown and "material conflict" in shown and "condemned" in shown


def test_relations_page_shows_article_markup_as_plain_text(tmp_path, nlp, monkeypatch):
    text = ("Germany [condemned](http://evil.example/p) Russia's *brutal* attack on Ukraine on Monday. "
            "Officials in Berlin said talks would go on.")
    at = _open_page(tmp_path, nlp, monkeypatch, text, "relations")
    at.selectbox(key="rel_pair_pick").set_value(("RUS", "UKR")).run()
    cards = [h.value for h in at.get("html") if "evil.example" in h.value]
    assert cards, "the sentence is listed"
    for card in cards:
        assert '<a href="http://evil' not in card and "[condemned](http://evil.example/p)" in card  # stays text
        assert "*brutal*" in card and "<em>" not in card  # the article's asterisks are shown, not rendered
