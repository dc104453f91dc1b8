"""Country resolution accuracy on GeoWebNews: plain spaCy (GPE entities looked up by name) vs geolens, same run.

usage: python bench/accuracy_countries.py [--eval-dir ../shared/eval] [--errors N] [--keep DIR]
Writes both prediction files (to a temp dir, or --keep DIR) and scores them with the shared score_countries.py.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pycountry
import spacy

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from geolens import countries  # noqa: E402,F401  (registers the factory)
from geolens.nlp import model_name  # noqa: E402


def _baseline_lookup(name: str) -> str | None:
    """The plain baseline: a GPE's text looked up as a country name by pycountry."""
    try:
        return pycountry.countries.lookup(name).alpha_3
    except LookupError:
        return None


def _write(path: Path, rows: list[dict], per_doc) -> None:
    with path.open("w", encoding="utf-8") as f:
        for row, ms in zip(rows, per_doc, strict=True):
            f.write(json.dumps({"id": row["id"], "countries": sorted({m["iso3"] for m in ms}), "mentions": ms}) + "\n")


def main() -> None:
    """Run both systems over the gold file and print the scorer's figures for each."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--eval-dir", default=str(ROOT.parent / "shared" / "eval"))
    ap.add_argument("--errors", type=int, default=10)
    ap.add_argument("--keep", help="directory to keep the two prediction files in")
    a = ap.parse_args()
    eval_dir = Path(a.eval_dir)
    gold = eval_dir / "geowebnews_countries.jsonl"
    rows = [json.loads(line) for line in gold.read_text(encoding="utf-8").splitlines() if line.strip()]

    nlp = spacy.load(model_name(), exclude=["parser"])
    if "senter" in nlp.disabled:
        nlp.enable_pipe("senter")
    t0 = time.perf_counter()
    docs = list(nlp.pipe((r["text"] for r in rows), batch_size=16))
    t_model = time.perf_counter() - t0

    base = [[{"start": e.start_char, "end": e.end_char, "iso3": iso}
             for e in d.ents if e.label_ == "GPE" and (iso := _baseline_lookup(e.text))] for d in docs]
    component = nlp.add_pipe("geolens_countries")
    t0 = time.perf_counter()
    for d in docs:
        component(d)
    t_comp = time.perf_counter() - t0
    ours = [[{"start": m.start, "end": m.end, "iso3": m.country, "surface": m.surface, "via": m.via}
             for m in d._.geo_mentions if m.country and m.kind in ("country", "place")] for d in docs]

    out_dir = Path(a.keep) if a.keep else Path(tempfile.mkdtemp(prefix="geolens_acc_"))
    out_dir.mkdir(parents=True, exist_ok=True)
    for label, preds in (("baseline", base), ("geolens", ours)):
        path = out_dir / f"{label}.jsonl"
        _write(path, rows, preds)
        res = subprocess.run([sys.executable, str(eval_dir / "score_countries.py"), str(gold), str(path),
                              "--errors", str(a.errors)], capture_output=True, text=True, check=True)
        print(f"== {label} ({'plain spaCy GPE -> pycountry name' if label == 'baseline' else 'geolens_countries'})")
        print(res.stdout.rstrip())
    print(f"== speed: model {t_model:.1f}s, geolens_countries {t_comp:.2f}s "
          f"({1000 * t_comp / len(docs):.1f} ms/article) over {len(docs)} articles")


if __name__ == "__main__":
    main()
