"""The learned theme layer: its model file, its confidences, and its cross-validated accuracy."""

from __future__ import annotations

import json

import pytest

from geolens.records import EvidenceFeatures
from geolens.theme_model import DEFAULT_MODEL, ThemeModelError, load_theme_model
from geolens.theme_training import Example, choose_threshold, cross_validate, fit, folds, prf, read_gold


def _features(score: float, sentences: int) -> EvidenceFeatures:
    return EvidenceFeatures(
        score=score, max_sentence=min(score, 4.0), n_about=sentences, n_with_cue=sentences,
        share_with_cue=sentences / 10, has_strong=score >= 2, n_distinct=sentences, lead=score,
        rule_assigned=score >= 3,
    )


def test_theme_model_ships_and_knows_every_theme():
    from geolens.themes import load_taxonomy

    model = load_theme_model()
    assert model is not None, f"{DEFAULT_MODEL} is missing: python -m geolens.theme_training --write {DEFAULT_MODEL}"
    assert set(model.bias) == set(load_taxonomy().ids)
    assert 0.0 < model.threshold < 1.0
    assert DEFAULT_MODEL.stat().st_size < 1_500_000  # small enough to ship in data/


def test_theme_model_confidence_grows_with_the_evidence():
    model = load_theme_model()
    lemmas = {"war": 2, "troops": 1}
    weak = model.confidences({"armed_conflict": _features(0.5, 1)}, lemmas)["armed_conflict"]
    strong = model.confidences({"armed_conflict": _features(8.0, 5)}, lemmas)["armed_conflict"]
    assert 0.0 <= weak < strong <= 1.0


def test_theme_model_round_trips_through_json(tmp_path):
    model = load_theme_model()
    path = tmp_path / "m.json"
    path.write_text(json.dumps(model.to_json()), encoding="utf-8")
    again = load_theme_model(path)
    feats = {"diplomacy": _features(3.0, 2)}
    lemmas = {"summit": 1, "talk": 2}
    assert again.confidences(feats, lemmas)["diplomacy"] == pytest.approx(model.confidences(feats, lemmas)["diplomacy"], abs=1e-3)


@pytest.mark.parametrize(
    ("content", "words"),
    [("{not json", "cannot read"), ('{"format": 1, "features": []}', "other features"), ('{"format": 1}', "not a theme model")],
)
def test_broken_theme_model_file_is_a_clear_error(tmp_path, content, words):
    path = tmp_path / "m.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ThemeModelError, match=words):
        load_theme_model(path)


def test_missing_named_theme_model_is_a_clear_error(tmp_path):
    with pytest.raises(ThemeModelError, match="no such theme model"):
        load_theme_model(tmp_path / "none.json")


def test_theme_training_is_deterministic_and_learns_the_evidence():
    # Two themes, twenty articles: the gold theme always has the stronger evidence.
    examples = [
        Example(f"a{i}", "g", frozenset({"diplomacy"}),
                {"diplomacy": _features(6.0, 3), "armed_conflict": _features(0.5, 1)}, {"summit": 1, "talk": 1})
        for i in range(10)
    ] + [
        Example(f"b{i}", "g", frozenset({"armed_conflict"}),
                {"armed_conflict": _features(6.0, 3), "diplomacy": _features(0.5, 1)}, {"shell": 1, "troop": 1})
        for i in range(10)
    ]
    themes = ["diplomacy", "armed_conflict"]
    one, two = fit(examples, themes), fit(examples, themes)
    assert one.to_json() == two.to_json()
    conf = one.confidences(examples[0].features, examples[0].lemmas)
    assert conf["diplomacy"] > 0.5 > conf["armed_conflict"]
    assert sorted(i for f in folds(examples, 5) for i in f) == list(range(20))


def test_theme_cross_validation_repeats_over_other_outer_splits():
    # The same articles, another seed: other outer folds, and still one prediction per article.
    examples = [
        Example(f"a{i}", "g", frozenset({"diplomacy"} if i % 2 else set()),
                {"diplomacy": _features(6.0 if i % 2 else 1.0, 3 if i % 2 else 1)}, {"summit": 1})
        for i in range(20)
    ]
    assert folds(examples, 5, seed=0) != folds(examples, 5, seed=100)
    for seed in (0, 1):
        predicted = cross_validate(examples, ["diplomacy"], k=5, seed=seed)
        assert len(predicted) == 20
        assert sum("diplomacy" in p for p, e in zip(predicted, examples, strict=True) if e.gold) >= 8


def test_theme_without_a_sentence_about_it_is_never_predicted_whatever_its_confidence():
    from geolens.theme_training import predict

    passing = EvidenceFeatures(score=0.0, max_sentence=1.0, n_about=0, n_with_cue=1, share_with_cue=1.0,
                               has_strong=False, n_distinct=1, lead=1.0, rule_assigned=False)
    ex = Example("x", "g", frozenset(), {"armed_conflict": passing, "diplomacy": _features(6.0, 3)}, {"war": 1})
    got = predict(load_theme_model(), ex)
    assert "armed_conflict" not in got and "diplomacy" in got


def test_theme_threshold_is_chosen_from_the_predictions():
    ex = [Example(str(i), "g", frozenset({"x"} if i < 5 else set()), {}, {}) for i in range(10)]
    preds = [{"x": 0.9 if i < 5 else 0.3} for i in range(10)]
    t = choose_threshold(ex, preds)
    assert 0.3 < t <= 0.9


def test_themes_cross_validated_micro_f1_floor(eval_dir):
    """Nested 3-fold CV on the security statements and the dev set (a fast subset of the full 5-fold run)."""
    from geolens.theme_training import collect_examples
    from geolens.themes import load_taxonomy

    rows = read_gold([eval_dir / "themes_security_train.jsonl", eval_dir / "themes_dev.jsonl"])
    examples = collect_examples(rows)
    predicted = cross_validate(examples, load_taxonomy().ids, k=3)
    tp = sum(len(p & e.gold) for e, p in zip(examples, predicted, strict=True))
    fp = sum(len(p - e.gold) for e, p in zip(examples, predicted, strict=True))
    fn = sum(len(e.gold - p) for e, p in zip(examples, predicted, strict=True))
    p, r, f = prf(tp, fp, fn)
    # 0.852 (P 0.890) with the cues and model of the evening round of issue 10; the floor leaves room for parser changes.
    assert f >= 0.80 and p >= 0.82, (p, r, f)


def test_theme_model_is_optional(tmp_path, monkeypatch):
    """Without a model file the sentence rule decides alone, with confidence 0 or 1."""
    import spacy

    import geolens.themes  # noqa: F401

    monkeypatch.setenv("GEOLENS_THEME_MODEL", str(tmp_path / "absent.json"))
    assert load_theme_model() is None
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    nlp.add_pipe("geolens_themes")
    doc = nlp("Russian troops shelled the city. Heavy shelling and air strikes continued along the front line.")
    decided = {t.theme: t for t in doc._.article_themes}
    assert decided["armed_conflict"].assigned and decided["armed_conflict"].confidence == 1.0

