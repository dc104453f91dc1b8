"""Whole-process ingest against the plain spaCy loop in its own process, as a user runs them.

geolens: `python -m geolens --db FRESH ingest ../shared/corpus --no-progress` (reading, model loading in the
workers, analysis, writing: everything the user waits for). Plain loop: a fresh `python` that imports spaCy, loads
the same model and runs `[nlp(t) for t in texts]` over the same texts (the ones geolens reads, handed over as a
JSON file). Rounds alternate; prints wall and CPU time of each, the medians and the median of per-round ratios,
and checks that every round stored the same articles. Asserts nothing about time.

usage: python bench/bench_ingest_process.py [--rounds 2] [--workers N]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
CORPUS = ROOT.parent / "shared" / "corpus"

PLAIN = """
import json, sys, spacy
texts = json.load(open(sys.argv[1], encoding="utf-8"))
nlp = spacy.load(sys.argv[2])
docs = [nlp(t) for t in texts]
print(sum(len(d) for d in docs))
"""


def _timed(cmd: list[str], **kw) -> tuple[float, float, subprocess.CompletedProcess]:
    """Wall seconds and CPU seconds (user + system, the process and its children) of one command."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, **kw)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, proc


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--workers", type=int, default=None, help="geolens --workers (default: its own default)")
    args = ap.parse_args()
    if not CORPUS.exists():
        print(f"{CORPUS} not found: the benchmark needs ../shared/corpus")
        return 1
    from geolens.nlp import model_name
    from geolens.pipeline import read_inputs

    articles, _ = read_inputs([CORPUS])
    texts = [a.text for a in articles]
    tmp = Path(tempfile.mkdtemp(prefix="geolens-bench-"))
    texts_file = tmp / "texts.json"
    texts_file.write_text(json.dumps(texts), encoding="utf-8")
    geo_cmd = [sys.executable, "-m", "geolens", "ingest", str(CORPUS), "--no-progress"]
    if args.workers:
        geo_cmd += ["--workers", str(args.workers)]
    plain_cmd = [sys.executable, "-c", PLAIN, str(texts_file), model_name()]
    rows = []
    print(f"articles: {len(texts)}  rounds: {args.rounds}  load average at start: {os.getloadavg()[0]:.1f} "
          f"on {os.cpu_count()} CPUs")
    from geolens import gazetteer, settings

    cached = (settings.cache_dir() / f"gazetteer-{gazetteer._cache_key(gazetteer.DATA_DIR)}.marshal").exists()
    print(f"gazetteer cache ({settings.cache_dir()}): {'warm' if cached else 'cold: the first round builds it'}")
    for r in range(args.rounds):
        db = tmp / f"round{r}.duckdb"
        g_wall, g_cpu, g = _timed([*geo_cmd, "--db", str(db)])
        summary = (g.stdout.strip().splitlines() or ["(no output)"])[-1].split(" -> ")[0]
        if g.returncode not in (0, 1):
            print(f"geolens ingest failed: {g.stderr.strip()}")
            return 1
        p_wall, p_cpu, p = _timed(plain_cmd)
        if p.returncode != 0:
            print(f"plain loop failed: {p.stderr.strip()}")
            return 1
        rows.append((g_wall, g_cpu, p_wall, p_cpu, summary))
        print(f"round {r + 1}: geolens {g_wall:6.1f} s wall {g_cpu:6.1f} s CPU ({summary}) | "
              f"plain loop {p_wall:6.1f} s wall {p_cpu:6.1f} s CPU | ratio {p_wall / g_wall:.2f}x")
    g_med = statistics.median(r[0] for r in rows)
    p_med = statistics.median(r[2] for r in rows)
    print(f"median wall: geolens ingest {g_med:.1f} s, plain loop {p_med:.1f} s")
    print(f"median CPU: geolens ingest {statistics.median(r[1] for r in rows):.1f} s, "
          f"plain loop {statistics.median(r[3] for r in rows):.1f} s")
    print(f"speed-up, median of per-round ratios: {statistics.median(r[2] / r[0] for r in rows):.2f}x "
          f"(ratio of medians {p_med / g_med:.2f}x)")
    print(f"every round stored the same: {len({r[4] for r in rows}) == 1}; load average at end: {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
