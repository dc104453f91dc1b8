"""The gated matcher finds exactly what spaCy's Matcher finds, and skips patterns whose words a Doc lacks."""

import spacy
from spacy.attrs import LEMMA, LOWER
from spacy.matcher import Matcher

from geolens.gated_matcher import GatedMatcher, anchors

PATTERNS = {
    "conflict_in": [{"LOWER": {"IN": ["war", "conflict"]}}, {"LOWER": {"IN": ["in", "with"]}}, {"IS_TITLE": True}],
    "deploy": [{"LOWER": {"IN": ["deploy", "deployed"]}}, {"IS_DIGIT": True, "OP": "?"},
               {"LOWER": {"IN": ["troops", "soldiers"]}}],
    "counterpart": [{"LOWER": {"IN": ["his", "her"]}}, {"IS_TITLE": True}, {"LOWER": "counterpart"}],
    "leaders_met": [{"LOWER": "leaders"}, {"OP": "*", "IS_PUNCT": False}, {"LOWER": "met"}],
    "withdraw": [{"LOWER": "withdraw"}, {"IS_PUNCT": False, "OP": "{0,3}"}, {"LOWER": "forces"}],
    "x_war": [{"IS_TITLE": True}, {"ORTH": "-", "OP": "?"}, {"IS_TITLE": True, "OP": "?"}, {"LOWER": "war"}],
    "title_pair": [{"IS_TITLE": True}, {"IS_TITLE": True}],  # no words: runs on every Doc
}

TEXTS = [
    "The war in Ukraine entered its third year. Leaders of the G7 met in Rome.",
    "Japan deployed 300 troops. The minister called his Australian counterpart.",
    "Nothing here names a pattern's words at all.",
    "Russia refused to withdraw its remaining forces, and the Iran-Iraq War was recalled.",
    "",
]


def _both(nlp):
    gated, plain = GatedMatcher(nlp.vocab), Matcher(nlp.vocab)
    for key, pattern in PATTERNS.items():
        gated.add(key, [pattern])
        plain.add(key, [pattern])
    return gated, plain


def test_gated_matcher_finds_exactly_the_matches_of_spacys_matcher():
    nlp = spacy.blank("en")
    gated, plain = _both(nlp)
    for text in TEXTS:
        doc = nlp(text)
        assert set(gated(doc)) == set(plain(doc)), text
    assert len(gated) == len(PATTERNS)


def test_gated_matcher_runs_a_pattern_only_where_its_words_occur():
    nlp = spacy.blank("en")
    gated, _ = _both(nlp)
    calls = []

    class Spy:
        def __init__(self, matcher):
            self.matcher = matcher

        def __call__(self, doc):
            calls.append(doc.text)
            return self.matcher(doc)

    gated._gated = [(need, Spy(m)) for need, m in gated._gated]
    assert len(gated._gated) == len(PATTERNS) - 1  # the wordless pattern is not gated
    gated(nlp(TEXTS[2]))
    assert calls == []  # no worded pattern ran on a text without its words
    found = gated(nlp("The leaders met."))
    assert calls == ["The leaders met."]  # only "leaders ... met" had both its words there
    assert [nlp.vocab.strings[m] for m, _, _ in found] == ["leaders_met"]


def test_anchors_are_the_words_of_the_mandatory_tokens_only():
    need = anchors(PATTERNS["deploy"])
    assert [attr for attr, _ in need] == [LOWER, LOWER]  # the optional digit adds nothing
    assert anchors(PATTERNS["withdraw"])[0][0] == LOWER and len(anchors(PATTERNS["withdraw"])) == 2
    assert anchors([{"LEMMA": "war", "OP": "+"}])[0][0] == LEMMA
    assert anchors([{"LOWER": "war", "OP": "?"}, {"IS_TITLE": True}]) == []
