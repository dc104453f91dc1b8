"""The pipeline's own sentence rules and its assembly."""

from __future__ import annotations

import pytest
import spacy

from geolens import nlp as geo_nlp


@pytest.fixture(scope="module")
def blank():
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    nlp.add_pipe("geolens_line_breaks")
    return nlp


def sents(nlp, text):
    return [s.text.strip() for s in nlp(text).sents if s.text.strip()]


def test_nlp_line_break_starts_a_sentence(blank):
    assert sents(blank, "Japan's Security Awakening\nAs Trump reshapes alliances, Japan charts a path.") == [
        "Japan's Security Awakening",
        "As Trump reshapes alliances, Japan charts a path.",
    ]


def test_nlp_dateline_is_its_own_sentence(blank):
    assert sents(blank, "Friday, January 4, 2019\n\nA fire broke out in Tokyo.")[0] == "Friday, January 4, 2019"


def test_nlp_lowercase_word_mid_line_does_not_start_a_sentence():
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer", config={"punct_chars": ["—", "."]})  # a segmenter that wrongly splits at the dash
    nlp.add_pipe("geolens_line_breaks")
    text = 'Tokyo is building "strategic hedging"—maintaining the alliance. Then it waits.'
    assert sents(nlp, text) == ['Tokyo is building "strategic hedging"—maintaining the alliance.', "Then it waits."]


def test_nlp_pipeline_has_geolens_components_and_no_parser(nlp):
    names = nlp.pipe_names
    assert "parser" not in nlp.component_names
    assert names.index("geolens_line_breaks") < names.index("geolens_countries") < names.index("geolens_themes")
    assert geo_nlp.get_pipeline() is geo_nlp.get_pipeline()


def test_nlp_unknown_model_name_gives_install_hint(monkeypatch):
    monkeypatch.setenv(geo_nlp.MODEL_ENV, "no_such_model_xyz")
    with pytest.raises(RuntimeError, match="not installed"):
        geo_nlp.build_pipeline()
