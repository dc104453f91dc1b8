"""Score the learned layer of geolens_relations (geolens.relation_model) against the rules, by nested CV.

Every gold pair of relations_dev.jsonl becomes one example: the feature rows of the pair in the sentence(s) that
name it, computed with the rules and lexicon as shipped. The L2 strength is the only setting chosen on labels; in
the cross-validated figures each outer fold chooses it by an inner cross-validation on the other four folds only,
so no fold is scored with settings tuned on it.

usage: python -m geolens.relation_training [GOLD.jsonl] [--folds 5] [--seed 0]
"""

from __future__ import annotations

import argparse
import json
import random
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from geolens.relation_model import CLASSES, NONE, QUADS, RelationModel, fit

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_GOLD = ROOT.parent / "shared" / "eval" / "relations_dev.jsonl"
L2_GRID = (1.0, 3.0, 10.0, 30.0, 100.0, 300.0)


@dataclass
class Example:
    """One gold pair: its sentence id, gold class, the rules' class, and its feature rows (one per sentence)."""

    sid: str
    gold: str
    rule: str
    rows: list[np.ndarray] = field(default_factory=list)


def macro_f1(items: list[tuple[str, str]], coarse: bool = False) -> float:
    """Macro-F1 over the interaction classes, `none` being the negative class (as score_relations.py)."""
    def c(q: str) -> str:
        return q if not coarse or q == NONE else q.split("_", 1)[1]
    classes = ["conflict", "cooperation"] if coarse else list(QUADS)
    pairs = [(c(g), c(p)) for g, p in items]
    f = []
    for k in classes:
        tp = sum(g == k and p == k for g, p in pairs)
        fp = sum(g != k and p == k for g, p in pairs)
        fn = sum(g == k and p != k for g, p in pairs)
        f.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    return sum(f) / len(f)


def scores(items: list[tuple[str, str]]) -> tuple[float, float, float]:
    """Quad macro-F1, coarse macro-F1 and accuracy of (gold, predicted) pairs."""
    acc = sum(g == p for g, p in items) / len(items) if items else 0.0
    return macro_f1(items), macro_f1(items, coarse=True), acc


def collect(gold: list[dict], nlp) -> list[Example]:
    """The examples of a gold file, from the pipeline's own country mentions and the rules as shipped."""
    tagger = nlp.get_pipe("geolens_relations")
    docs = list(nlp.pipe([g["text"] for g in gold]))
    out = []
    for g, doc in zip(gold, docs, strict=True):
        found: dict[frozenset, list[tuple]] = {}
        for sent, ms, sdoc in tagger.parsed_sentences(doc):
            for a, b, rule, rows, _words in tagger.evidence(sdoc, sent.start_char, ms):
                found.setdefault(frozenset((a, b)), []).append((rule[0], rows))
        for p in g["pairs"]:
            seen = found.get(frozenset((p["a"], p["b"])), [])
            rule = next((q for q, _ in seen if q != NONE), NONE)
            out.append(Example(g["id"], p["quad"], rule, [r for _, r in seen if r is not None]))
    return out


def predict(examples: list[Example], w: np.ndarray) -> list[str]:
    """The class of each example as annotate gives it: the first sentence that states a relation wins over none."""
    model = RelationModel(w)
    out = []
    for e in examples:
        got = [model.choose(r) for r in e.rows]
        out.append(next((q for q in got if q != NONE), NONE))
    return out


def _train(examples: list[Example], l2: float) -> np.ndarray:
    """Fit on the examples that have rows (the first sentence stating a relation, else the first)."""
    use = [e for e in examples if e.rows]
    X = np.stack([e.rows[0] for e in use])
    y = np.array([CLASSES.index(e.gold) for e in use])
    return fit(X, y, l2=l2)


def folds_of(examples: list[Example], k: int, seed: int) -> dict[str, int]:
    """Sentence id -> fold (all pairs of a sentence stay in one fold)."""
    ids = sorted({e.sid for e in examples})
    random.Random(seed).shuffle(ids)
    return {s: i % k for i, s in enumerate(ids)}


def choose_l2(examples: list[Example], k: int, seed: int) -> float:
    """The L2 strength with the best inner cross-validated quad macro-F1 (ties: the stronger)."""
    fold = folds_of(examples, k, seed + 1)
    best, best_l2 = -1.0, L2_GRID[-1]
    for l2 in L2_GRID:
        items = []
        for f in range(k):
            train = [e for e in examples if fold[e.sid] != f]
            test = [e for e in examples if fold[e.sid] == f]
            items += list(zip([e.gold for e in test], predict(test, _train(train, l2)), strict=True))
        s = macro_f1(items)
        if s >= best:
            best, best_l2 = s, l2
    return best_l2


def nested_cv(examples: list[Example], k: int = 5, seed: int = 0) -> tuple[list[tuple[str, str]], list[float]]:
    """(gold, predicted) for every example, each outer fold trained and tuned on the other folds only."""
    fold = folds_of(examples, k, seed)
    pred: dict[int, str] = {}
    chosen = []
    for f in range(k):
        train = [e for e in examples if fold[e.sid] != f]
        test = [(i, e) for i, e in enumerate(examples) if fold[e.sid] == f]
        l2 = choose_l2(train, k - 1, seed)
        chosen.append(l2)
        for (i, _), q in zip(test, predict([e for _, e in test], _train(train, l2)), strict=True):
            pred[i] = q
    return [(e.gold, pred[i]) for i, e in enumerate(examples)], chosen


def main(argv: list[str] | None = None) -> int:
    """Print the rules' figures and the learned layer's (nested CV) on the gold file."""
    ap = argparse.ArgumentParser(prog="python -m geolens.relation_training")
    ap.add_argument("gold", nargs="?", default=str(DEFAULT_GOLD))
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args(argv)

    from geolens.nlp import build_pipeline

    gold = [json.loads(line) for line in Path(a.gold).read_text(encoding="utf-8").splitlines() if line.strip()]
    examples = collect(gold, build_pipeline())
    rules = scores([(e.gold, e.rule) for e in examples])
    cv, chosen = nested_cv(examples, a.folds, a.seed)
    learned = scores(cv)
    print(f"pairs: {len(examples)}")
    print(f"{'method':52}{'quad F1':>9}{'coarse F1':>11}{'acc':>7}")
    print(f"{'rules alone (nothing fitted on labels)':52}{rules[0]:9.3f}{rules[1]:11.3f}{rules[2]:7.3f}")
    print(f"{f'rules + learned layer, nested {a.folds}-fold CV':52}{learned[0]:9.3f}{learned[1]:11.3f}{learned[2]:7.3f}")
    print(f"L2 chosen per outer fold: {chosen}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
