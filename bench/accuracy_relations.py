"""Relations accuracy on ../shared/eval/relations_dev.jsonl: the keyword baseline and the component, 5-fold CV.

Settings fitted on dev labels are cross-validated: the component's `window` (a fallback cue between two country
words when the tree links them through none) is picked per fold on the other four folds, and the learned layer
(geolens.relation_model) is scored by nested CV (its L2 strength chosen inside the training folds). The keyword
baseline (the first class whose words appear, applied to every pair) runs in the same process over the same
country mentions. `--speed N` also times the pipeline on N Wikinews articles with and without the component
(alternating rounds, same process).

usage: python bench/accuracy_relations.py [GOLD.jsonl] [--set A|B] [--folds 5] [--seed 0] [--out PRED.jsonl]
       [--speed N] [--rounds 3]
(--set keeps the rows of one set of a file that has them: bench/relations_selfcheck.jsonl has A and B,
bench/relations_heldout.jsonl has C to F; without --set such a file is also scored set by set)
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from itertools import combinations
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CLASSES = ["material_conflict", "verbal_conflict", "verbal_cooperation", "material_cooperation"]
WINDOWS = (0, 3, 5, 8, 12)


def scores(gold: list[dict], pred: dict[str, dict[frozenset, str]]) -> tuple[float, float, float]:
    """Quad macro-F1, coarse macro-F1 and accuracy, as ../shared/eval/score_relations.py computes them."""
    pairs = [(p["quad"], pred.get(g["id"], {}).get(frozenset((p["a"], p["b"])), "none")) for g in gold
             for p in g["pairs"]]

    def macro(items, classes):
        f = []
        for c in classes:
            tp = sum(g == c and p == c for g, p in items)
            fp = sum(g != c and p == c for g, p in items)
            fn = sum(g == c and p != c for g, p in items)
            pr = tp / (tp + fp) if tp + fp else 0.0
            rc = tp / (tp + fn) if tp + fn else 0.0
            f.append(2 * pr * rc / (pr + rc) if pr + rc else 0.0)
        return sum(f) / len(f)

    def coarse(q):
        return "none" if q == "none" else q.split("_", 1)[1]

    acc = sum(g == p for g, p in pairs) / len(pairs) if pairs else 0.0
    return macro(pairs, CLASSES), macro([(coarse(g), coarse(p)) for g, p in pairs], ["conflict", "cooperation"]), acc


def keyword_baseline(doc, lex) -> dict[frozenset, str]:
    """The first class (in CLASSES order) whose words appear in the sentence, for every pair of its countries."""
    words = {t.lemma_.lower() for t in doc} | {t.lower_ for t in doc}
    text = " ".join(t.lower_ for t in doc)
    quad = "none"
    for c in CLASSES:
        if any(w in words for w, q in lex.lemmas.items() if q == c) or any(
            " ".join(p) in text for p, q in lex.phrases.items() if q == c
        ):
            quad = c
            break
    countries = sorted({m.country for m in doc._.geo_mentions or [] if m.country})
    return {frozenset(p): quad for p in combinations(countries, 2)}


def main() -> int:
    """Run the baseline and the component over the gold file and print both, with the cross-validated figures."""
    ap = argparse.ArgumentParser()
    ap.add_argument("gold", nargs="?", default=str(ROOT.parent / "shared" / "eval" / "relations_dev.jsonl"))
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", help="write the component's predictions (default settings) as annotate would")
    ap.add_argument("--set", dest="subset", help="only the rows whose 'set' is this (bench/relations_selfcheck.jsonl)")
    ap.add_argument("--speed", type=int, default=0, help="also time N corpus articles with and without the component")
    ap.add_argument("--rounds", type=int, default=3)
    a = ap.parse_args()

    from geolens.nlp import build_pipeline
    from geolens.relation_training import collect, nested_cv
    from geolens.relation_training import scores as pair_scores

    gold = [json.loads(line) for line in Path(a.gold).read_text(encoding="utf-8").splitlines() if line.strip()]
    if a.subset:
        gold = [g for g in gold if g.get("set") == a.subset]
    nlp = build_pipeline()
    tagger = nlp.get_pipe("geolens_relations")
    docs = list(nlp.pipe([g["text"] for g in gold]))
    base = {g["id"]: keyword_baseline(d, tagger.lex) for g, d in zip(gold, docs, strict=True)}
    by_window: dict[int, dict[str, dict[frozenset, str]]] = {}
    default = tagger.window
    for w in WINDOWS:
        tagger.window = w
        by_window[w] = {}
        for g, d in zip(gold, docs, strict=True):
            rels = tagger(d)._.relations
            by_window[w][g["id"]] = {frozenset((r.a, r.b)): r.quad for r in rels}
    tagger.window = default

    ids = [g["id"] for g in gold]
    random.Random(a.seed).shuffle(ids)
    fold_of = {k: i % a.folds for i, k in enumerate(ids)}
    cv_pred: dict[str, dict[frozenset, str]] = {}
    chosen = []
    for f in range(a.folds):
        train = [g for g in gold if fold_of[g["id"]] != f]
        best = max(WINDOWS, key=lambda w: (scores(train, by_window[w])[0], -w))
        chosen.append(best)
        for g in gold:
            if fold_of[g["id"]] == f:
                cv_pred[g["id"]] = by_window[best][g["id"]]
    print(f"sentences: {len(gold)}; gold pairs: {sum(len(g['pairs']) for g in gold)}")
    print(f"{'method':44}{'quad F1':>9}{'coarse F1':>11}{'acc':>7}")
    rows = [("keyword baseline (first class, every pair)", base)]
    rows += [(f"component, window={w}{' (default)' if w == default else ''}", by_window[w]) for w in WINDOWS]
    rows.append((f"component, window chosen per fold ({a.folds}-fold CV)", cv_pred))
    for name, pred in rows:
        q, c, acc = scores(gold, pred)
        print(f"{name:44}{q:9.3f}{c:11.3f}{acc:7.3f}")
    print(f"windows chosen per fold: {chosen}")
    sets = sorted({g["set"] for g in gold if g.get("set")})
    for name in sets if len(sets) > 1 else []:
        part = [g for g in gold if g.get("set") == name]
        kq, kc, ka = scores(part, base)
        q, c, acc = scores(part, by_window[default])
        print(f"set {name} ({len(part)} sentences, {sum(len(g['pairs']) for g in part)} pairs): keyword baseline "
              f"{kq:.3f} / {kc:.3f} / {ka:.3f}, component {q:.3f} / {c:.3f} / {acc:.3f} (quad / coarse / acc)")
    examples = collect(gold, nlp)
    learned, l2s = nested_cv(examples, a.folds, a.seed)
    q, c, acc = pair_scores(learned)
    print(f"{'learned layer over the rules, nested CV':44}{q:9.3f}{c:11.3f}{acc:7.3f}")
    print(f"L2 chosen per outer fold (300 = the rules' own weights): {l2s}")
    if a.speed:
        speed(nlp, a.speed, a.rounds)
    if a.out:
        with open(a.out, "w", encoding="utf-8") as fh:
            for g in gold:
                rel = [{"a": min(p), "b": max(p), "quad": q} for p, q in by_window[default][g["id"]].items()]
                fh.write(json.dumps({"id": g["id"], "relations": rel}) + "\n")
    return 0


def speed(nlp, n: int, rounds: int) -> None:
    """Tokens per second of the pipeline on n corpus articles, with and without geolens_relations (alternating)."""
    import pandas as pd

    frames = [pd.read_csv(p) for p in sorted((ROOT.parent / "shared" / "corpus").glob("wikinews_*.csv"))]
    texts = [str(t) for t in pd.concat(frames)["text"].dropna().tolist()[:n]]
    timings: dict[bool, list[float]] = {True: [], False: []}
    tokens = relations = 0
    for _ in range(rounds):
        for with_rel in (True, False):
            disable = [] if with_rel else ["geolens_relations"]
            t0 = time.perf_counter()
            with nlp.select_pipes(disable=disable):
                docs = list(nlp.pipe(texts))
            timings[with_rel].append(time.perf_counter() - t0)
            tokens = sum(len(d) for d in docs)
            if with_rel:
                relations = sum(len(d._.relations) for d in docs)
    on, off = (tokens / statistics.median(timings[k]) for k in (True, False))
    print(f"speed on {len(texts)} articles ({tokens} tokens, {relations} relations), median of {rounds} rounds: "
          f"{on:,.0f} tokens/s with the component, {off:,.0f} without ({on / off:.3f} of it)")
    # The component alone on documents analysed without it: less exposed to other processes than the ratio above.
    tagger = nlp.get_pipe("geolens_relations")
    with nlp.select_pipes(disable=["geolens_relations"]):
        docs = list(nlp.pipe(texts))
    alone = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        for d in docs:
            tagger(d)
        alone.append(time.perf_counter() - t0)
    share = statistics.median(alone) / statistics.median(timings[False])
    print(f"the component alone: {statistics.median(alone):.2f} s per round, {share:.3f} of the pipeline's time "
          f"without it (throughput {1 / (1 + share):.3f} of it)")


if __name__ == "__main__":
    raise SystemExit(main())
