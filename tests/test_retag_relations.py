"""Retag recomputes the relations table (issue 15) from the stored sentences and mentions, with the edited cue file."""

from __future__ import annotations

import pytest

from geolens.ingest import from_text
from geolens.pipeline import analyse
from geolens.relations import DEFAULT_CUES, load_lexicon
from geolens.retag import retag
from geolens.store import Store

TEXT = ("Leaders met in Brussels on Monday for a long summit on energy prices and the coming winter. "
        "Germany condemned Russia's attack on Ukraine. U.S. troops have remained in Iraq since 2014. "
        "Japan and China held talks on trade, while India criticised Pakistan.")


def _sorted(df):
    return df.sort_values(["article_id", "sent_idx", "a", "b"]).reset_index(drop=True)


def _edited_cues(tmp_path):
    """The default lexicon with "condemn" moved from verbal conflict to material cooperation."""
    text = DEFAULT_CUES.read_text(encoding="utf-8")
    assert "blame, condemn, condemnation," in text and "lemmas: [aid, " in text
    path = tmp_path / "cues.yaml"
    path.write_text(text.replace("blame, condemn, condemnation,", "blame, condemnation,")
                    .replace("lemmas: [aid, ", "lemmas: [condemn, aid, "), encoding="utf-8")
    return path


def test_retag_with_an_edited_cue_file_stores_what_a_fresh_ingest_would(tmp_path, nlp):
    store = Store(tmp_path / "r.duckdb", timeout=5)
    assert store.add(analyse(from_text(TEXT, title="t"), nlp))
    before = _sorted(store.table("relations"))
    themes = store.table("themes")
    edited = _edited_cues(tmp_path)

    summary = retag(store, cues_path=edited)
    after = _sorted(store.table("relations"))
    tagger = nlp.get_pipe("geolens_relations")
    default = tagger.lex
    try:
        tagger.lex = load_lexicon(edited)
        fresh_tables = analyse(from_text(TEXT, title="t"), nlp)
    finally:
        tagger.lex = default
    fresh = Store(tmp_path / "fresh.duckdb", timeout=5)
    assert fresh.add(fresh_tables)
    pd_fresh = _sorted(fresh.table("relations"))
    assert after.equals(pd_fresh)
    quads = {(r.a, r.b): r.quad for r in after.itertuples()}
    assert quads[("DEU", "RUS")] == "material_cooperation"  # the edit took effect
    assert not after.equals(before)
    assert summary.relations == len(after) and summary.relations_before == len(before)
    assert "country pairs re-read" in str(summary)
    # themes were re-tagged with the same taxonomy: unchanged
    key = ["article_id", "start", "theme"]
    assert store.table("themes").sort_values(key).reset_index(drop=True).equals(
        themes.sort_values(key).reset_index(drop=True))

    retag(store)  # back to the default lexicon: back to what the ingest stored
    assert _sorted(store.table("relations")).equals(before)


def test_retag_can_leave_relations_alone_and_a_broken_cue_file_changes_nothing(tmp_path, nlp):
    store = Store(tmp_path / "r.duckdb", timeout=5)
    assert store.add(analyse(from_text(TEXT, title="t"), nlp))
    before, version = _sorted(store.table("relations")), store.version()
    summary = retag(store, cues_path=_edited_cues(tmp_path), relations=False)
    assert summary.relations is None and "country pairs" not in str(summary)
    assert _sorted(store.table("relations")).equals(before)
    broken = tmp_path / "broken.yaml"
    broken.write_text("classes: {material_conflict: {lemmas: [attack}\n", encoding="utf-8")
    version = store.version()
    with pytest.raises(ValueError, match=r"broken.yaml is not valid YAML \(line 1\)"):
        retag(store, cues_path=broken)
    assert store.version() == version and _sorted(store.table("relations")).equals(before)


def test_cli_retag_says_in_one_line_what_is_wrong_with_a_cue_file_and_keeps_relations_on_request(
        tmp_path, nlp, capsys):
    from geolens.cli import main

    db = tmp_path / "r.duckdb"
    store = Store(db, timeout=5)
    assert store.add(analyse(from_text(TEXT, title="t"), nlp))
    before, version = _sorted(store.table("relations")), store.version()
    for bad, says in ((tmp_path / "missing.yaml", "cannot read the relation cue file"),
                      (tmp_path / "list.yaml", "needs a 'classes' mapping")):
        if bad.name == "list.yaml":
            bad.write_text("- attack\n- condemn\n", encoding="utf-8")
        assert main(["--db", str(db), "retag", "--relation-cues", str(bad)]) == 2
        err = capsys.readouterr().err.strip()
        assert says in err and len(err.splitlines()) == 1
        assert store.version() == version
    assert main(["--db", str(db), "retag", "--themes-only", "--relation-cues", str(_edited_cues(tmp_path))]) == 0
    assert "country pairs" not in capsys.readouterr().out
    assert _sorted(store.table("relations")).equals(before)
    assert main(["--db", str(db), "retag", "--relation-cues", str(_edited_cues(tmp_path))]) == 0
    assert "country pairs re-read" in capsys.readouterr().out
    assert not _sorted(store.table("relations")).equals(before)
