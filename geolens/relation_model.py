"""A learned layer for geolens_relations, evaluated and not shipped: a conditional logit over the rules and cues.

For one pair of countries in a parsed sentence, each of the five classes gets a feature row. A quad class's row
describes the class's nearest cue in the sentence (is there one, is it on the tree path between the two countries,
does it govern both, how far is it) and whether the rules chose that class; the `none` row describes the pair (the
rule that settled it, a list, a venue, a subject). One weight vector is shared by the four quad rows, so "a cue on
the path" counts the same for every class; the model has a few dozen weights, pulled toward the weights that
reproduce the rules. A class the sentence has no cue for is never chosen. geolens.relation_training scores it by
nested cross-validation on relations_dev.jsonl: the inner search always keeps the rules (docs/accuracy.md), so
the component ships the rules alone; the layer stays as the yardstick a new feature must beat.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from spacy.tokens import Token

QUADS = ("material_conflict", "verbal_conflict", "verbal_cooperation", "material_cooperation")
NONE = "none"
CLASSES = QUADS + (NONE,)
REASONS = ("cue", "presence", "nolink", "patient", "outsider", "one_side", "own", "nocue", "list", "venue")
CUE_FEATURES = ("rule", "has", "onpath", "governs", "between", "tree1", "tree2", "tree4", "near3", "mood")
PAIR_FEATURES = ("rule", *(f"why_{r}" for r in REASONS), "conj", "many", "venue", "actor", "far", "quiet")
FEATURES = (*(f"bias_{q}" for q in QUADS), *CUE_FEATURES, *(f"none_{f}" for f in PAIR_FEATURES))
ACTOR_DEPS = frozenset({"nsubj", "nsubjpass", "agent", "poss"})


@dataclass
class Candidate:
    """A cue of the sentence with the class it has after its mood (planned material acts are words)."""

    token: Token
    quad: str
    words: str
    lexicon_quad: str


def candidates(tagger, sdoc, cues) -> list[Candidate]:
    """Every cue token of a parsed sentence with its mood-adjusted class (negated conflict cues drop out)."""
    out = []
    for i, (quad, words) in sorted(cues.by_token.items()):
        tok = sdoc[i]
        q = tagger._mood(tok, quad)
        if q != NONE:
            out.append(Candidate(tok, q, words, quad))
    return out


def _chain(t: Token) -> list[int]:
    out = [t.i]
    while t.head.i != t.i and len(out) < 64:
        t = t.head
        out.append(t.i)
    return out


def _tree_dist(chain_a: list[int], chain_b: list[int]) -> int:
    pos_b = {j: k for k, j in enumerate(chain_b)}
    for k, j in enumerate(chain_a):
        if j in pos_b:
            return k + pos_b[j]
    return 99


def _conjoined(ta: Token, tb: Token) -> bool:
    """True when the two country words are items of one coordination ("Greece, Cyprus and Israel")."""
    def root(t: Token) -> Token:
        while t.dep_ in ("conj", "appos") and t.head.i != t.i:
            t = t.head
        return t
    for t in (ta, tb):
        for u in (ta, tb):  # "Israeli and Egyptian officials": the adjectives hang on one noun
            if t.i != u.i and t.head.i == u.head.i and t.dep_ in ("amod", "compound") and u.dep_ in ("amod", "compound"):
                return True
    return root(ta).i == root(tb).i


def _actor(t: Token) -> bool:
    """True when a country word is (part of) the subject or possessor of a predicate."""
    for _ in range(4):
        if t.dep_ in ACTOR_DEPS:
            return True
        if t.dep_ not in ("compound", "amod", "conj", "appos", "pobj", "prep") or t.head.i == t.i:
            return False
        if t.dep_ == "prep" and t.lower_ not in ("of", "from"):
            return False
        t = t.head
    return False


def pair_rows(tagger, cands: list[Candidate], ta: Token, tb: Token, rule: tuple, n_countries: int
              ) -> tuple[np.ndarray, dict[str, str]]:
    """The 5 x len(FEATURES) feature rows of one pair and, per quad class, the words of its nearest cue."""
    quad, _cue, _dist, why = rule
    rows = np.zeros((len(CLASSES), len(FEATURES)))
    col = {f: k for k, f in enumerate(FEATURES)}
    chain_a, chain_b = _chain(ta), _chain(tb)
    ids_b = set(chain_b)
    lca = next((j for j in chain_a if j in ids_b), None)
    path = set()
    if lca is not None:
        path = set(chain_a[: chain_a.index(lca) + 1]) | set(chain_b[: chain_b.index(lca) + 1])
    above = set(_chain(ta.doc[lca])) if lca is not None else set()
    lo, hi = sorted((ta.i, tb.i))
    words: dict[str, str] = {}
    for qi, q in enumerate(QUADS):
        r = rows[qi]
        r[col[f"bias_{q}"]] = 1.0
        r[col["rule"]] = float(quad == q)
        mine = [c for c in cands if c.quad == q and c.token.i not in (ta.i, tb.i)]
        if not mine:
            continue
        dists = [min(_tree_dist(_chain(c.token), chain_a), _tree_dist(_chain(c.token), chain_b)) for c in mine]
        k = min(range(len(mine)), key=lambda j: (mine[j].token.i not in path, dists[j],
                                                 min(abs(mine[j].token.i - ta.i), abs(mine[j].token.i - tb.i))))
        c, d = mine[k], dists[k]
        words[q] = c.words
        r[col["has"]] = 1.0
        r[col["onpath"]] = float(c.token.i in path)
        r[col["governs"]] = float(c.token.i in above)
        r[col["between"]] = float(lo < c.token.i < hi)
        r[col["tree1"]] = float(d <= 1)
        r[col["tree2"]] = float(d <= 2)
        r[col["tree4"]] = float(d <= 4)
        r[col["near3"]] = float(min(abs(c.token.i - ta.i), abs(c.token.i - tb.i)) <= 3)
        r[col["mood"]] = float(c.lexicon_quad != q)
    r = rows[len(QUADS)]
    r[col["none_rule"]] = float(quad == NONE)
    r[col[f"none_why_{why}"]] = 1.0
    r[col["none_conj"]] = float(_conjoined(ta, tb))
    r[col["none_many"]] = float(n_countries >= 3)
    r[col["none_venue"]] = float(any(t.dep_ == "pobj" and t.head.lower_ in tagger.lex.venue_preps for t in (ta, tb)))
    r[col["none_actor"]] = float(_actor(ta) or _actor(tb))
    r[col["none_far"]] = float(hi - lo > 12)
    r[col["none_quiet"]] = float(not cands)
    return rows, words


def _softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


def allowed_mask(rows: np.ndarray) -> np.ndarray:
    """Which classes a pair may take: none, the rules' class, and any class the sentence has a cue for."""
    col = {f: k for k, f in enumerate(FEATURES)}
    ok = (rows[:, col["has"]] > 0) | (rows[:, col["rule"]] > 0)
    ok[len(QUADS)] = True
    return ok


def rules_prior(strength: float = 4.0) -> np.ndarray:
    """The weights that reproduce the rules: their class scores `strength`, everything else 0."""
    w = np.zeros(len(FEATURES))
    w[FEATURES.index("rule")] = w[FEATURES.index("none_rule")] = strength
    return w


def fit(X: np.ndarray, y: np.ndarray, l2: float = 1.0, iters: int = 50, prior: np.ndarray | None = None) -> np.ndarray:
    """Weights of the conditional logit (X: pairs x 5 x features, y: class indices), by Newton steps.

    The L2 penalty pulls the weights toward `prior` (default: the rules' weights), so a strong penalty keeps the
    rules and the data only move what they consistently contradict.
    """
    n, _, d = X.shape
    mask = np.stack([allowed_mask(x) for x in X])
    w0 = rules_prior() if prior is None else prior
    w = w0.copy()
    onehot = np.zeros((n, len(CLASSES)))
    onehot[np.arange(n), y] = 1.0

    def loss(v: np.ndarray) -> float:
        z = np.where(mask, X @ v, -1e9)
        z = z - z.max(axis=1, keepdims=True)
        logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
        return float(-(onehot * logp).sum() + 0.5 * l2 * ((v - w0) ** 2).sum())

    current = loss(w)
    for _ in range(iters):
        p = _softmax(np.where(mask, X @ w, -1e9))
        grad = np.einsum("nc,ncd->d", p - onehot, X) + l2 * (w - w0)
        mean = np.einsum("nc,ncd->nd", p, X)
        hess = np.einsum("nc,ncd,nce->de", p, X, X) - np.einsum("nd,ne->de", mean, mean) + l2 * np.eye(d)
        step = np.linalg.solve(hess, grad)
        t = 1.0
        while t > 1e-4 and loss(w - t * step) > current:  # backtracking: a full Newton step can overshoot
            t /= 2
        w = w - t * step
        new = loss(w)
        if current - new < 1e-8:
            break
        current = new
    return w


@dataclass
class RelationModel:
    """Shared weights over the FEATURES rows; `choose` picks a pair's class."""

    weights: np.ndarray

    def choose(self, rows: np.ndarray) -> str:
        """The most likely allowed class of one pair."""
        z = np.where(allowed_mask(rows), rows @ self.weights, -np.inf)
        return CLASSES[int(np.argmax(z))]
