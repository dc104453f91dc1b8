"""A token-pattern matcher that skips the patterns a Doc cannot match: spaCy's Matcher's matches, found with less work.

spaCy's Matcher tries every pattern at every token, and a token spec with a set of words ("LOWER": {"IN": [...]})
costs a Python call per token and open state. A pattern whose mandatory tokens ask for words (ORTH, LOWER or LEMMA
equal to a word or in a list) cannot match a Doc that has none of them, so it need not run there. The themes'
patterns each name such words ("war", "sovereignty", "counterpart"), and most articles lack most of them.
"""

from __future__ import annotations

import re

from spacy.attrs import LEMMA, LOWER, ORTH
from spacy.matcher import Matcher
from spacy.strings import get_string_id
from spacy.tokens import Doc
from spacy.vocab import Vocab

_WORD_ATTRS = {"ORTH": ORTH, "LOWER": LOWER, "TEXT": ORTH, "LEMMA": LEMMA}
_OPTIONAL_OPS = {"?", "*", "!"}
_REPEAT = re.compile(r"^\{\s*(\d*)\s*(?:,\s*\d*\s*)?\}$")

Anchor = tuple[int, frozenset[int]]  # (attribute id, the hashes of the words one token must have)


def _mandatory(spec: dict) -> bool:
    """True when a token spec must match at least one token ("+", "{2}", "{1,3}", no operator)."""
    op = spec.get("OP")
    if op is None or op in ("+", "1"):
        return True
    if op in _OPTIONAL_OPS:
        return False
    m = _REPEAT.match(str(op))
    return bool(m and m.group(1) and int(m.group(1)) >= 1)


def _token_anchor(spec: dict) -> Anchor | None:
    """The words a token spec requires, as (attribute, hashes), or None if it matches on anything else."""
    for key, value in spec.items():
        attr = _WORD_ATTRS.get(str(key).upper())
        if attr is None:
            continue
        if isinstance(value, str):
            return attr, frozenset([get_string_id(value)])
        if isinstance(value, dict) and set(value) == {"IN"} and isinstance(value["IN"], list | tuple):
            return attr, frozenset(get_string_id(v) for v in value["IN"])
    return None


def anchors(pattern: list[dict]) -> list[Anchor]:
    """What a Doc must contain for the pattern to match: one (attribute, hashes) per mandatory token with words."""
    return [a for spec in pattern if _mandatory(spec) and (a := _token_anchor(spec)) is not None]


class GatedMatcher:
    """A drop-in for spaCy's Matcher (`add`, `len`, calling it on a Doc) that runs each pattern only on the Docs
    that contain the words its mandatory tokens require. Patterns without such words run on every Doc."""

    def __init__(self, vocab: Vocab):
        self.vocab = vocab
        self._always = Matcher(vocab)
        self._gated: list[tuple[list[Anchor], Matcher]] = []
        self._keys: set[str] = set()

    def __len__(self) -> int:
        return len(self._keys)

    def add(self, key: str, patterns: list[list[dict]]) -> None:
        """Add patterns under a match key, as Matcher.add does."""
        self._keys.add(key)
        for pattern in patterns:
            need = anchors(pattern)
            if not need:
                self._always.add(key, [pattern])
                continue
            matcher = Matcher(self.vocab)
            matcher.add(key, [pattern])
            self._gated.append((need, matcher))

    def __call__(self, doc: Doc) -> list[tuple[int, int, int]]:
        """(match id, start, end) of every match, as the Matcher with all the patterns finds them (order aside)."""
        out = list(self._always(doc)) if len(self._always) else []
        present: dict[int, set[int]] = {}
        for need, matcher in self._gated:
            for attr, words in need:
                if attr not in present:
                    present[attr] = set(doc.to_array(attr).tolist()) if len(doc) else set()
                if present[attr].isdisjoint(words):
                    break
            else:
                out.extend(matcher(doc))
        return out
