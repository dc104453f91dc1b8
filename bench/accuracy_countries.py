"""Country resolution accuracy: plain spaCy (GPE entities looked up by name) vs geolens, in the same run.

usage: python bench/accuracy_countries.py [--set geowebnews|lgl|both] [--eval-dir ../shared/eval] [--errors N]
                                          [--keep DIR]
GeoWebNews (international news) and LGL (local US news, where namesakes are the hard case: Paris, Texas; London,
Ont.). Writes both prediction files per set (to a temp dir, or --keep DIR) and scores them with the shared
score_countries.py; LGL, whose gold does not annotate demonyms, is scored with and without --skip-via demonym.
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
from geolens.nlp import line_breaks, model_name  # noqa: E402,F401  (registers geolens_line_breaks)


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


SETS = {"geowebnews": "geowebnews_countries.jsonl", "lgl": "lgl_countries.jsonl"}


def _score(eval_dir: Path, gold: Path, path: Path, errors: int, extra: list[str]) -> str:
    res = subprocess.run([sys.executable, str(eval_dir / "score_countries.py"), str(gold), str(path),
                          "--errors", str(errors), *extra], capture_output=True, text=True, check=True)
    return res.stdout.rstrip()


def run_set(nlp, name: str, eval_dir: Path, out_dir: Path, errors: int) -> None:
    """Both systems over one gold file; prints the scorer's figures for each."""
    gold = eval_dir / SETS[name]
    # split on newlines only: texts may hold Unicode line separators that str.splitlines() would cut at
    rows = [json.loads(line) for line in gold.read_text(encoding="utf-8").split("\n") if line.strip()]
    t0 = time.perf_counter()
    docs = list(nlp.pipe((r["text"] for r in rows), batch_size=16))
    t_model = time.perf_counter() - t0

    base = [[{"start": e.start_char, "end": e.end_char, "iso3": iso}
             for e in d.ents if e.label_ == "GPE" and (iso := _baseline_lookup(e.text))] for d in docs]
    component = nlp.get_pipe("geolens_countries")
    t0 = time.perf_counter()
    for d in docs:
        component(d)
    t_comp = time.perf_counter() - t0
    ours = [[{"start": m.start, "end": m.end, "iso3": m.country, "surface": m.surface, "via": m.via}
             for m in d._.geo_mentions if m.country and m.kind in ("country", "place")] for d in docs]

    for label, preds in (("baseline", base), ("geolens", ours)):
        path = out_dir / f"{name}_{label}.jsonl"
        _write(path, rows, preds)
        what = "plain spaCy GPE -> pycountry name" if label == "baseline" else "geolens_countries"
        print(f"== {name}: {label} ({what})")
        print(_score(eval_dir, gold, path, errors, []))
        if name == "lgl" and label == "geolens":
            print(f"== {name}: {label}, --skip-via demonym (LGL gold does not annotate demonyms)")
            print(_score(eval_dir, gold, path, errors, ["--skip-via", "demonym"]))
    print(f"== {name} speed: model {t_model:.1f}s, geolens_countries {t_comp:.2f}s "
          f"({1000 * t_comp / len(docs):.1f} ms/article) over {len(docs)} articles")


def main() -> None:
    """Run both systems over the chosen gold files and print the scorer's figures for each."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--set", choices=(*SETS, "both"), default="both")
    ap.add_argument("--eval-dir", default=str(ROOT.parent / "shared" / "eval"))
    ap.add_argument("--errors", type=int, default=10)
    ap.add_argument("--keep", help="directory to keep the prediction files in")
    a = ap.parse_args()
    eval_dir = Path(a.eval_dir)

    nlp = spacy.load(model_name(), exclude=["parser"])
    if "senter" in nlp.disabled:
        nlp.enable_pipe("senter")
    nlp.add_pipe("geolens_line_breaks", after="senter")  # as the shipped pipeline (geolens.nlp) has it
    nlp.add_pipe("geolens_countries")
    nlp.disable_pipe("geolens_countries")  # run by hand after the model, to time it apart

    out_dir = Path(a.keep) if a.keep else Path(tempfile.mkdtemp(prefix="geolens_acc_"))
    out_dir.mkdir(parents=True, exist_ok=True)
    for name in (SETS if a.set == "both" else (a.set,)):
        run_set(nlp, name, eval_dir, out_dir, a.errors)


if __name__ == "__main__":
    main()
