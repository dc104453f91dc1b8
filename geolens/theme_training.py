"""Train and cross-validate the learned theme layer (data/theme_model.json) on labelled articles.

usage: python -m geolens.theme_training [GOLD.jsonl ...] [--folds 5] [--repeats N] [--write data/theme_model.json]
                                       [--baseline-taxonomy OLD.yaml ...]

With no files it reads ../shared/eval/themes_train.jsonl, themes_security_train.jsonl and themes_dev.jsonl.
It prints nested cross-validated figures (the decision threshold of each fold is chosen by an inner
cross-validation on that fold's training part only, so no fold is scored with settings tuned on it),
then, with --write, trains on everything and writes the model. Training is deterministic.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from geolens.records import EvidenceFeatures
from geolens.theme_model import FEATURE_NAMES, ThemeModel, assignable, feature_vector

EVAL_DIR = Path(__file__).resolve().parent.parent.parent / "shared" / "eval"
DEFAULT_GOLD = ("themes_train.jsonl", "themes_security_train.jsonl", "themes_dev.jsonl")
MIN_DF = 3
L2_SHARED = 1e-3
L2_LEXICAL = 1e-5
L2_THEME = 1e-1
ITERATIONS = 400
# The threshold is chosen for F-beta with beta < 1: a wrong theme costs an analyst more than a missed one.
BETA = 0.8
PRUNE = 0.2


@dataclass(frozen=True)
class Example:
    """One labelled article as the learned layer sees it."""

    id: str
    group: str  # the file it came from (folds are stratified by it)
    gold: frozenset[str]
    features: dict[str, EvidenceFeatures]
    lemmas: dict[str, int]


def read_gold(paths: list[Path]) -> list[dict]:
    """Labelled rows {id, text, themes} from JSONL files, each tagged with its file name as group."""
    rows = []
    for p in paths:
        with open(p, encoding="utf-8") as f:
            for line in f:
                if line.strip():
                    r = json.loads(line)
                    rows.append({"id": r["id"], "text": r["text"], "themes": r["themes"], "group": p.stem})
    return rows


def parse_docs(rows: list[dict]):
    """Parse the labelled texts once with the shipped pipeline; returns (nlp, docs) for collect_examples."""
    from geolens.nlp import build_pipeline

    nlp = build_pipeline()
    with nlp.select_pipes(disable=["geolens_countries", "geolens_themes"]):
        return nlp, list(nlp.pipe((r["text"] for r in rows), batch_size=16))


def collect_examples(rows: list[dict], taxonomy_path: Path | None = None, parsed=None) -> list[Example]:
    """Run the cue matcher of a taxonomy (without the learned layer) and keep what the model reads of each article."""
    from geolens.themes import ThemeTagger, load_taxonomy

    nlp, docs = parsed if parsed is not None else parse_docs(rows)
    tagger = ThemeTagger(nlp, taxonomy=load_taxonomy(taxonomy_path), use_model=False)
    out = []
    for r, doc in zip(rows, docs, strict=True):
        feats, lemmas = tagger.evidence(doc)
        out.append(Example(r["id"], r["group"], frozenset(r["themes"]), feats, dict(lemmas)))
    return out


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * z))


def fit(examples: list[Example], themes: list[str], threshold: float = 0.5) -> ThemeModel:
    """Fit the logistic layer on every (article, theme) pair with a cue hit (Adam, fixed iterations)."""
    df = Counter(w for ex in examples for w in ex.lemmas)
    vocab = sorted(w for w, n in df.items() if n >= MIN_DF)
    n = len(examples)
    idf = {w: math.log((n + 1) / (df[w] + 1)) + 1.0 for w in vocab}
    col = {w: i for i, w in enumerate(vocab)}
    tix = {t: i for i, t in enumerate(themes)}
    X = np.zeros((n, len(vocab)))
    for i, ex in enumerate(examples):
        for w in ex.lemmas:
            if w in col:
                X[i, col[w]] = idf[w]
    X /= np.maximum(np.linalg.norm(X, axis=1, keepdims=True), 1e-12)
    d_idx, t_idx, rows, y = [], [], [], []
    for i, ex in enumerate(examples):
        for t, f in ex.features.items():
            if t in tix:
                d_idx.append(i)
                t_idx.append(tix[t])
                rows.append(feature_vector(f))
                y.append(1.0 if t in ex.gold else 0.0)
    d_idx, t_idx = np.array(d_idx, dtype=int), np.array(t_idx, dtype=int)
    F, y = np.array(rows, dtype=float).reshape(-1, len(FEATURE_NAMES)), np.array(y)
    w, b, W = np.zeros(F.shape[1]), np.zeros(len(themes)), np.zeros((len(vocab), len(themes)))
    wt = np.zeros((len(themes), F.shape[1]))  # per-theme adjustments of the shared evidence weights
    params = [w, b, W, wt]
    m = [np.zeros_like(p) for p in params]
    v = [np.zeros_like(p) for p in params]
    lr, b1, b2, eps = 0.05, 0.9, 0.999, 1e-8
    npairs = max(1, len(y))
    for it in range(1, ITERATIONS + 1):
        z = F @ w + (F * wt[t_idx]).sum(1) + b[t_idx] + (X @ W)[d_idx, t_idx]
        g = (_sigmoid(z) - y) / npairs
        G = np.zeros((n, len(themes)))
        np.add.at(G, (d_idx, t_idx), g)
        Gt = np.zeros_like(wt)
        np.add.at(Gt, t_idx, F * g[:, None])
        grads = [
            F.T @ g + L2_SHARED * w,
            np.bincount(t_idx, g, minlength=len(themes)),
            X.T @ G + L2_LEXICAL * W,
            Gt + L2_THEME * wt,
        ]
        for k, (p, gr) in enumerate(zip(params, grads, strict=True)):
            m[k] = b1 * m[k] + (1 - b1) * gr
            v[k] = b2 * v[k] + (1 - b2) * gr * gr
            p -= lr * (m[k] / (1 - b1**it)) / (np.sqrt(v[k] / (1 - b2**it)) + eps)
    # Tiny lexical weights change no decision; dropping them keeps the shipped file small.
    lexical = {t: {w_: float(W[j, k]) for w_, j in col.items() if abs(W[j, k]) >= PRUNE} for t, k in tix.items()}
    return ThemeModel(
        threshold=threshold,
        shared=tuple(float(x) for x in w),
        per_theme={t: tuple(float(x) for x in wt[k]) for t, k in tix.items()},
        bias={t: float(b[k]) for t, k in tix.items()},
        idf={w_: idf[w_] for w_ in vocab},
        lexical=lexical,
    )


def predict(model: ThemeModel, ex: Example) -> dict[str, float]:
    """Confidence per theme that can be assigned (a cue hit and a sentence about it, see theme_model.assignable)."""
    conf = model.confidences(ex.features, ex.lemmas)
    return {t: c for t, c in conf.items() if assignable(ex.features[t])}


def _counts(examples: list[Example], preds: list[dict[str, float]], threshold: float) -> tuple[int, int, int]:
    tp = fp = fn = 0
    for ex, p in zip(examples, preds, strict=True):
        got = {t for t, c in p.items() if c >= threshold}
        tp += len(got & ex.gold)
        fp += len(got - ex.gold)
        fn += len(ex.gold - got)
    return tp, fp, fn


def prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    """Precision, recall and F1 from counts."""
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def choose_threshold(examples: list[Example], preds: list[dict[str, float]]) -> float:
    """The confidence threshold with the best F-beta (beta = BETA) on these predictions."""
    best, best_t = -1.0, 0.5
    for t in np.arange(0.2, 0.81, 0.025):
        p, r, _ = prf(*_counts(examples, preds, float(t)))
        fb = (1 + BETA**2) * p * r / (BETA**2 * p + r) if p + r else 0.0
        if fb > best + 1e-9:
            best, best_t = fb, float(t)
    return round(best_t, 3)


def folds(examples: list[Example], k: int, seed: int = 0) -> list[list[int]]:
    """k folds, stratified by source file, deterministic."""
    rng = np.random.default_rng(seed)
    out: list[list[int]] = [[] for _ in range(k)]
    by_group: dict[str, list[int]] = {}
    for i, ex in enumerate(examples):
        by_group.setdefault(ex.group, []).append(i)
    offset = 0
    for g in sorted(by_group):
        idx = list(rng.permutation(by_group[g]))
        for j, i in enumerate(idx):
            out[(j + offset) % k].append(int(i))
        offset += len(idx)
    return out


def fit_tuned(examples: list[Example], themes: list[str], k: int = 5) -> ThemeModel:
    """Choose the threshold by an inner k-fold cross-validation, then fit on all of these examples."""
    preds: list[dict[str, float] | None] = [None] * len(examples)
    for fold in folds(examples, k, seed=1):
        held = set(fold)
        model = fit([ex for i, ex in enumerate(examples) if i not in held], themes)
        for i in fold:
            preds[i] = predict(model, examples[i])
    return fit(examples, themes, choose_threshold(examples, preds))  # type: ignore[arg-type]


def cross_validate(examples: list[Example], themes: list[str], k: int = 5, seed: int = 0) -> list[set[str]]:
    """Nested k-fold predictions: each fold is scored by a model and threshold chosen without it.

    seed picks the outer folds (0 = the folds of the reported figures); the inner folds stay fixed.
    """
    out: list[set[str]] = [set() for _ in examples]
    for fold in folds(examples, k, seed=100 * seed if seed else 0):
        held = set(fold)
        model = fit_tuned([ex for i, ex in enumerate(examples) if i not in held], themes, k=4)
        for i in fold:
            out[i] = {t for t, c in predict(model, examples[i]).items() if c >= model.threshold}
    return out


def report(examples: list[Example], predicted: list[set[str]], title: str) -> str:
    """Per-group and per-theme P/R/F1 and the most confused theme pairs, as Markdown."""
    lines = [f"### {title}", "", "| set | articles | P | R | F1 | tp | fp | fn |", "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    groups = sorted({ex.group for ex in examples}) + ["all"]
    for g in groups:
        tp = fp = fn = n = 0
        for ex, p in zip(examples, predicted, strict=True):
            if g in ("all", ex.group):
                n += 1
                tp += len(p & ex.gold)
                fp += len(p - ex.gold)
                fn += len(ex.gold - p)
        pr, rc, f = prf(tp, fp, fn)
        lines.append(f"| {g} | {n} | {pr:.3f} | {rc:.3f} | {f:.3f} | {tp} | {fp} | {fn} |")
    lines += ["", "| theme | tp | fp | fn | P | R | F1 |", "| --- | --- | --- | --- | --- | --- | --- |"]
    per: dict[str, list[int]] = {}
    confused: Counter = Counter()
    for ex, p in zip(examples, predicted, strict=True):
        for t in p | ex.gold:
            c = per.setdefault(t, [0, 0, 0])
            c[0 if t in p and t in ex.gold else 1 if t in p else 2] += 1
        for wrong in p - ex.gold:
            for missed in ex.gold - p:
                confused[(missed, wrong)] += 1
    for t in sorted(per):
        pr, rc, f = prf(*per[t])
        lines.append(f"| {t} | {per[t][0]} | {per[t][1]} | {per[t][2]} | {pr:.2f} | {rc:.2f} | {f:.2f} |")
    if confused:
        lines += ["", "Most confused pairs (gold theme missed while another was wrongly assigned in the same article):", ""]
        top = sorted(confused.items(), key=lambda kv: (-kv[1], kv[0]))[:6]  # ties in a fixed order
        lines += [f"- {a} -> {b}: {c}" for (a, b), c in top]
    return "\n".join(lines)


def _repeated(examples: list[Example], themes: list[str], k: int, repeats: int, label: str) -> str:
    """One Markdown row: mean P/R/F1 of the nested CV over `repeats` outer splits, and F1 per split."""
    scores = []
    for seed in range(repeats):
        predicted = cross_validate(examples, themes, k, seed=seed)
        scores.append(prf(sum(len(p & e.gold) for e, p in zip(examples, predicted, strict=True)),
                          sum(len(p - e.gold) for e, p in zip(examples, predicted, strict=True)),
                          sum(len(e.gold - p) for e, p in zip(examples, predicted, strict=True))))
    mean = [sum(s[i] for s in scores) / len(scores) for i in range(3)]
    per = ", ".join(f"{s[2]:.3f}" for s in scores)
    return f"| {label} | {mean[0]:.3f} | {mean[1]:.3f} | {mean[2]:.3f} | {per} |"


def main(argv: list[str] | None = None) -> int:
    """Print cross-validated figures, the sentence-rule baseline, and optionally write the trained model."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("gold", nargs="*", type=Path, default=[EVAL_DIR / g for g in DEFAULT_GOLD])
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--repeats", type=int, default=1,
                    help="also repeat the nested cross-validation with this many outer fold splits (seeds 0..N-1) "
                         "and print the mean P/R/F1 of each taxonomy: a check that a difference is not one split's luck")
    ap.add_argument("--write", type=Path, default=None, help="train on all files and write the model here")
    ap.add_argument("--baseline-taxonomy", type=Path, action="append", default=[],
                    help="also score another taxonomy file (e.g. the previous release's) in the same run: its sentence "
                         "rule and its learned layer under the same nested cross-validation; may be repeated")
    args = ap.parse_args(argv)
    missing = [str(p) for p in args.gold if not p.exists()]
    if missing:
        print(f"error: labelled files not found: {', '.join(missing)} (../shared comes with the project's CI)",
              file=sys.stderr)
        return 2
    from geolens.themes import load_taxonomy

    themes = load_taxonomy().ids
    rows = read_gold(args.gold)
    parsed = parse_docs(rows)
    repeated: list[str] = []
    for old in args.baseline_taxonomy:
        before = collect_examples(rows, old, parsed)
        if args.repeats > 1:
            repeated.append(_repeated(before, themes, args.folds, args.repeats, str(old)))
        rule = [{t for t, f in ex.features.items() if f.rule_assigned} for ex in before]
        print(report(before, rule, f"Baseline: the sentence rule of {old}"))
        print()
        print(report(before, cross_validate(before, themes, args.folds),
                     f"Baseline: the cues of {old} + learned layer, nested {args.folds}-fold CV"))
        print()
    examples = collect_examples(rows, None, parsed)
    baseline = [{t for t, f in ex.features.items() if f.rule_assigned} for ex in examples]
    print(report(examples, baseline, "The sentence rule alone on the current cues (same run)"))
    print()
    print(report(examples, cross_validate(examples, themes, args.folds), f"Learned layer, nested {args.folds}-fold CV"))
    if args.repeats > 1:
        repeated.append(_repeated(examples, themes, args.folds, args.repeats, "current cues"))
        print(f"\n### Nested {args.folds}-fold CV repeated over {args.repeats} outer splits (mean over splits)\n")
        print("| cues + learned layer | P | R | F1 | F1 per split |\n| --- | --- | --- | --- | --- |")
        print("\n".join(repeated))
    if args.write:
        model = fit_tuned(examples, themes)
        model = dataclasses.replace(model, trained_on=", ".join(p.name for p in args.gold))
        args.write.write_text(json.dumps(model.to_json(), ensure_ascii=False, separators=(",", ":")) + "\n",
                              encoding="utf-8")
        size = args.write.stat().st_size
        print(f"\nwrote {args.write} ({size / 1024:.0f} KiB, threshold {model.threshold})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
