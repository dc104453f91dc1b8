"""Theme accuracy on a gold file: geolens vs a one-cue baseline, both scored by ../shared/eval/score_themes.py.

usage: python bench/accuracy_themes.py [GOLD.jsonl] [--taxonomy PATH]

The baseline uses the same cue lists and exclusions but assigns a theme as soon as a single strong or
weak cue hits anywhere in the article (no sentence rule, no learned layer). The shipped model was trained on
the labelled files of ../shared/eval, so on those files this is an in-sample figure; the cross-validated
figures come from `python -m geolens.theme_training`.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from geolens.nlp import build_pipeline  # noqa: E402
from geolens.themes import Scoring, ThemeTagger, load_taxonomy  # noqa: E402

EVAL = ROOT.parent / "shared" / "eval"


def _score(scorer: Path, gold: Path, rows: list[dict]) -> str:
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False, encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps(r) + "\n")
    try:
        return subprocess.run(
            [sys.executable, str(scorer), str(gold), f.name], capture_output=True, text=True, check=True
        ).stdout
    finally:
        Path(f.name).unlink(missing_ok=True)


def _summary(out: str) -> str:
    return re.search(r"^micro: .*$", out, flags=re.M).group(0)


def main() -> int:
    """Print per-theme tables and micro/macro F1 of geolens and of the baseline."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("gold", nargs="?", default=str(EVAL / "themes_dev.jsonl"))
    ap.add_argument("--taxonomy", default=None)
    args = ap.parse_args()
    gold = Path(args.gold)
    scorer = gold.parent / "score_themes.py"
    if not gold.exists() or not scorer.exists():
        print(f"{gold} or its score_themes.py is not here (../shared comes with the project's CI)", file=sys.stderr)
        return 2

    taxonomy = load_taxonomy(args.taxonomy)
    nlp = build_pipeline()  # the real pipeline, so sentence boundaries are the ones ingest stores
    tagger = ThemeTagger(nlp, taxonomy=taxonomy)
    one_cue = dataclasses.replace(
        taxonomy,
        scoring=Scoring(weights={"strong": 1.0, "weak": 1.0, "hint": 0.0}, sentence_min=1.0, sentence_cap=1.0,
                        article_min=1.0),
    )
    baseline = ThemeTagger(nlp, taxonomy=one_cue, use_model=False)

    rows = [json.loads(line) for line in gold.read_text(encoding="utf-8").splitlines() if line.strip()]
    ours, base = [], []
    t_tag = 0.0
    for row, doc in zip(rows, nlp.pipe(r["text"] for r in rows), strict=True):
        t0 = time.perf_counter()
        _, decided = tagger.analyse(doc)
        t_tag += time.perf_counter() - t0
        ours.append({"id": row["id"], "themes": sorted(t.theme for t in decided if t.assigned)})
        _, decided = baseline.analyse(doc)
        base.append({"id": row["id"], "themes": sorted(t.theme for t in decided if t.assigned)})

    out_ours, out_base = _score(scorer, gold, ours), _score(scorer, gold, base)
    print(f"== geolens themes ({taxonomy.path}) on {gold}")
    print(out_ours)
    print("== baseline: any single strong/weak cue hit assigns the theme")
    print(out_base)
    print(f"geolens : {_summary(out_ours)}")
    print(f"baseline: {_summary(out_base)}")
    print(f"theme component: {1000 * t_tag / max(1, len(rows)):.1f} ms per article ({len(rows)} articles)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
