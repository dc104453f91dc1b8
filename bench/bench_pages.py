"""Benchmark: the dashboard at scale (Streamlit AppTest, one fresh process per database).

For each database it reports, beside an empty Streamlit page timed in the same process:
- the first page after start (the Overview, cold caches);
- every page after a country-filter change (median of --repeats changes, each a cache miss);
- the first page after one article is added (the version changes: every cached result is stale);
- the Excerpts keyword search;
- the app process's peak RSS.

Databases of N articles are built from an ingested one with bench/synthetic.py (no spaCy):

    python -m geolens --db bench/out/corpus.duckdb ingest ../shared/corpus        # once
    python bench/synthetic.py bench/out/corpus.duckdb bench/out/100k.duckdb --articles 100000
    python bench/bench_pages.py bench/out/corpus.duckdb bench/out/100k.duckdb [--repeats 5]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PAGES = ["overview", "map", "themes", "relations", "excerpts", "article", "compare"]
TARGETS = {100_000: (3.0, 0.5, 1.5), 1_000_000: (5.0, 1.0, 2.0)}  # first page s, filter change s, RSS GB


def _time(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def _add_one_article(db: Path) -> None:
    """Store a copy of the newest article under a new id (what an upload does to the database)."""
    from geolens import aggregations as agg
    from geolens.filters import Filters
    from geolens.store import Store
    from geolens.tables import ArticleTables

    store = Store(db)
    aid = agg.latest_articles(store, Filters(), limit=1)["article_id"].iloc[0]
    frames = store.article(aid)
    new_id = f"bench{time.time_ns() % 10**11:011d}"
    store.add_many([ArticleTables(**{name: df.assign(article_id=new_id) for name, df in frames.items()})])


def measure(db: Path, repeats: int) -> dict:
    """All figures for one database, in this process (run it in a fresh one)."""
    from streamlit.testing.v1 import AppTest

    os.environ["GEOLENS_DB"] = str(db)
    out: dict = {"db": db.name}
    empty = AppTest.from_string("import streamlit as st\nst.write('empty page')", default_timeout=600)
    empty.run()
    out["empty"] = statistics.median(_time(empty.run) for _ in range(repeats))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=600)
    out["first_page"] = _time(at.run)
    if at.exception:
        raise RuntimeError(at.exception[0].value)
    from geolens.store import Store

    out["articles"] = Store(db).stats()["articles"]
    codes = [o.rsplit("(", 1)[-1].rstrip(")") for o in at.sidebar.multiselect(key="flt_country").options]
    out["pages"] = {}
    for i, page in enumerate(PAGES):
        at.switch_page(f"pages/{page}.py").run()
        at.sidebar.multiselect(key="flt_country").set_value([]).run()
        times = []
        for r in range(repeats):
            iso = codes[(i * repeats + r + 1) % min(len(codes), 40)]  # a country not used before on this page
            # Compare has its own filters (side A's country changes); every other page reads the sidebar's.
            widget = (at.multiselect(key="cmp_a_country") if page == "compare"
                      else at.sidebar.multiselect(key="flt_country"))
            times.append(_time(widget.set_value([iso]).run))
            if at.exception:
                raise RuntimeError(f"{page}: {at.exception[0].value}")
        out["pages"][page] = statistics.median(times)
    at.switch_page("pages/excerpts.py").run()
    at.sidebar.multiselect(key="flt_country").set_value([]).run()
    out["keyword"] = statistics.median(_time(at.text_input(key="exc_kw").set_value(word).run)
                                       for word in ("sanctions", "missile", "minister")[:max(1, repeats)])
    at.switch_page("pages/overview.py").run()
    # The write happens in another process (an upload in another session, or the CLI), as in real use: the
    # app's own memory and time are what is measured.
    started = time.perf_counter()
    subprocess.run([sys.executable, __file__, "--add-one", str(db)], check=True)
    out["add_s"] = time.perf_counter() - started
    out["after_add"] = _time(at.run)
    out["rss_gb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 / 1024
    return out


def main() -> None:
    """Measure each database in a fresh process and print a markdown table."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("dbs", type=Path, nargs="*", help="databases to measure (copies are made: one article is added)")
    ap.add_argument("--repeats", type=int, default=5, help="filter changes timed per page")
    ap.add_argument("--one", type=Path, help=argparse.SUPPRESS)  # internal: measure one database, print JSON
    ap.add_argument("--add-one", type=Path, help=argparse.SUPPRESS)  # internal: store one more article
    args = ap.parse_args()
    if args.add_one:
        _add_one_article(args.add_one)
        return
    if args.one:
        print(json.dumps(measure(args.one, args.repeats)))
        return
    rows = []
    for db in args.dbs:
        res = subprocess.run([sys.executable, __file__, "--one", str(db), "--repeats", str(args.repeats)],
                             capture_output=True, text=True, check=False)
        if res.returncode:
            sys.exit(f"{db}: {res.stderr.strip().splitlines()[-1]}")
        rows.append(json.loads(res.stdout.strip().splitlines()[-1]))
        r = rows[-1]
        print(f"{db.name}: {r['articles']:,} articles; first page {r['first_page']:.2f} s; empty page "
              f"{r['empty']:.3f} s; RSS {r['rss_gb']:.2f} GB; adding one article took {r['add_s']:.1f} s "
          "(another process)", flush=True)
    print("\n| database | articles | empty page s | first page s | " + " | ".join(PAGES)
          + " | median page s | keyword search s | first page after adding one s | peak RSS GB |")
    print("|---" * (10 + len(PAGES)) + "|")
    for r in rows:
        med = statistics.median(r["pages"].values())
        print(f"| {r['db']} | {r['articles']:,} | {r['empty']:.3f} | {r['first_page']:.2f} | "
              + " | ".join(f"{r['pages'][p]:.2f}" for p in PAGES)
              + f" | {med:.2f} | {r['keyword']:.2f} | {r['after_add']:.2f} | {r['rss_gb']:.2f} |")


if __name__ == "__main__":
    main()
