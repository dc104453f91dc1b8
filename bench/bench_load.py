"""Benchmark: the dashboard under load, with and without a writer.

N sessions (Streamlit AppTest sessions, each in its own process, as separate browser tabs would be) change
filters and pages for DURATION seconds while a writer ingests articles into the same database; the same
sessions are first timed with no writer (the baseline of this run). Prints the server-side run times (p50,
p95), the runs, the errors and whether every session saw the writer's articles.

    python -m geolens --db bench/out/corpus.duckdb ingest ../shared/corpus/wikinews_2019.csv   # once
    python bench/bench_load.py --db bench/out/corpus.duckdb --write ../shared/corpus/wikinews_2020.csv \
        [--sessions 20] [--duration 60]
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# What an analyst does in turn: filter by a country, by a theme, clear, switch page.
STEPS = [
    ("overview", "flt_country", ["USA"]),
    ("themes", "flt_theme", ["armed_conflict"]),
    ("map", "flt_country", []),
    ("excerpts", "flt_theme", []),
    ("relations", "flt_country", ["CHN"]),
    ("overview", "flt_country", []),
]


def session(db: str, duration: float, seed: int, out, written) -> None:
    """One dashboard session: loop over STEPS for `duration` s; put (run times, errors, article count once the
    writer is done)."""
    os.environ["GEOLENS_DB"] = db
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.run()
    times: list[float] = []
    errors = 0
    end = time.monotonic() + duration
    k = seed
    while time.monotonic() < end:
        page, key, value = STEPS[k % len(STEPS)]
        k += 1
        t0 = time.perf_counter()
        try:
            at.switch_page(f"pages/{page}.py").run()
            at.sidebar.multiselect(key=key).set_value(value).run()
            if at.exception:
                errors += 1
        except Exception:  # noqa: BLE001 - a benchmark counts failures instead of stopping on them
            errors += 1
        times.append((time.perf_counter() - t0) / 2)  # two script runs per step
    written.wait(timeout=900)  # then the session must see everything the writer added
    at.switch_page("pages/overview.py").run()
    at.sidebar.multiselect(key="flt_country").set_value([]).run()
    at.sidebar.multiselect(key="flt_theme").set_value([]).run()
    articles = next((m.value for m in at.metric if m.label == "Articles"), "?")
    out.put((times, errors, str(articles).replace(",", "")))


def drive(db: str, sessions: int, duration: float, writer_cmd: list[str] | None) -> dict:
    """Run the sessions (and the writer, when given) at once; gather their figures."""
    ctx = mp.get_context("spawn")
    out = ctx.Queue()
    written = ctx.Event()
    procs = [ctx.Process(target=session, args=(db, duration, i, out, written)) for i in range(sessions)]
    for p in procs:
        p.start()
    writer = None
    if writer_cmd:
        time.sleep(min(10.0, duration / 4))  # let the sessions load first, then write under them
        writer = subprocess.Popen(writer_cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    write_log = writer.communicate()[0].strip().splitlines()[-1:] if writer else []
    written.set()
    results = [out.get() for _ in procs]
    for p in procs:
        p.join()
    times = sorted(t for r in results for t in r[0])
    return {
        "runs": len(times),
        "p50": statistics.median(times) if times else float("nan"),
        "p95": times[min(len(times) - 1, int(0.95 * len(times)))] if times else float("nan"),
        "errors": sum(r[1] for r in results),
        "articles_seen": sorted({r[2] for r in results}),
        "writer": write_log,
    }


def main() -> int:
    """Print p50/p95 server run times of N sessions without and with a concurrent writer."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", required=True)
    ap.add_argument("--write", required=True, help="a file or folder the writer ingests during the loaded run")
    ap.add_argument("--sessions", type=int, default=20)
    ap.add_argument("--duration", type=float, default=60.0)
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="geolens-load-"))
    try:
        db = work / "load.duckdb"
        shutil.copy(args.db, db)
        base = drive(str(db), args.sessions, args.duration, None)
        cmd = [sys.executable, "-m", "geolens", "ingest", args.write, "--db", str(db)]
        loaded = drive(str(db), args.sessions, args.duration, cmd)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"{args.sessions} sessions x {args.duration:.0f} s, {os.cpu_count()} CPUs")
    print(f"{'':22} {'runs':>6} {'p50 s':>7} {'p95 s':>7} {'errors':>7}  articles seen at the end")
    for name, r in (("no writer (baseline)", base), ("with a writer", loaded)):
        print(f"{name:22} {r['runs']:6d} {r['p50']:7.2f} {r['p95']:7.2f} {r['errors']:7d}  {', '.join(r['articles_seen'])}")
    print(f"p50 ratio (writer / baseline): {loaded['p50'] / base['p50']:.2f}x; "
          f"p95 ratio: {loaded['p95'] / base['p95']:.2f}x")
    print(f"writer: {' '.join(loaded['writer'])}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
