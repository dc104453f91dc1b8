"""Benchmark: server-side run time of each dashboard page after a filter change (Streamlit AppTest).

Measures every page on the ingested Wikinews corpus and on a synthetic enlargement of it (the corpus tables
repeated FACTOR times with new ids and dates shifted copy by copy, written straight into a DuckDB file: no
spaCy), against an empty Streamlit page timed in the same run. Prints medians and ratios.

    python -m geolens --db bench/out/corpus.duckdb ingest ../shared/corpus   # once
    python bench/bench_pages.py --db bench/out/corpus.duckdb [--factor 20] [--repeats 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from geolens.store import Store  # noqa: E402
from geolens.tables import SCHEMA  # noqa: E402

PAGES = ["overview", "map", "themes", "relations", "excerpts", "article"]
TARGET_S = 0.5


def enlarge(src: Path, dst: Path, factor: int, shift_days: int = 30) -> Path:
    """Write `factor` copies of every table of `src` into a new database `dst` (new ids, shifted dates)."""
    if dst.exists():
        dst.unlink()
    Store(dst).init()
    con = duckdb.connect(str(dst))
    try:
        con.execute(f"ATTACH '{src}' AS src (READ_ONLY)")
        for k in range(factor):
            new_id = f"substr(md5(article_id || '#{k}'), 1, 16)"
            for name, cols in SCHEMA.items():
                sel = []
                for c in cols:
                    if c == "article_id":
                        sel.append(f"{new_id} AS article_id")
                    elif c == "published":
                        sel.append(f"published + INTERVAL ({k * shift_days}) DAY AS published")
                    elif c == "text" and name == "articles":
                        # Same offsets, distinct text: a marker after the end keeps every span valid.
                        sel.append(f"text || '\n#{k}' AS text")
                    else:
                        sel.append(f'"{c}"')
                con.execute(f"INSERT INTO {name} SELECT {', '.join(sel)} FROM src.{name}")
        con.execute("UPDATE meta SET value = CAST(CAST(value AS BIGINT) + 1 AS VARCHAR) WHERE key = 'version'")
    finally:
        con.close()
    return dst


def _time(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def bench_db(db: Path, repeats: int) -> dict[str, list[float]]:
    """Per page, the AppTest run times after `repeats` country-filter changes (each a cache miss)."""
    from streamlit.testing.v1 import AppTest

    os.environ["GEOLENS_DB"] = str(db)
    stats = Store(db).stats()
    out: dict[str, list[float]] = {}
    empty = AppTest.from_string("import streamlit as st\nst.write('empty page')", default_timeout=600)
    empty.run()
    out["(empty page)"] = [_time(empty.run) for _ in range(repeats)]
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=600)
    at.run()  # loads the tables of this database version once (cached resource)
    options = at.sidebar.multiselect(key="flt_country").options
    print(f"  {db.name}: {stats['articles']:,} articles, {stats['sentences']:,} sentences, "
          f"{stats['mentions']:,} mentions", flush=True)
    # The picker shows labels; the filter values are the ISO3 codes at the end of each label.
    codes = [o.rsplit("(", 1)[-1].rstrip(")") for o in options]
    for i, page in enumerate(PAGES):
        at.switch_page(f"pages/{page}.py").run()
        at.sidebar.multiselect(key="flt_country").set_value([]).run()
        times = []
        for r in range(repeats):
            # A country not used before on this page: the query cache cannot answer, the tables are cached.
            iso = codes[(i * repeats + r) % min(len(codes), 40)]
            ms = at.sidebar.multiselect(key="flt_country").set_value([iso])
            times.append(_time(ms.run))
            if at.exception:
                raise RuntimeError(f"{page}: {at.exception[0].value}")
        out[page] = times
    return out


def report(label: str, res: dict[str, list[float]]) -> list[str]:
    """Print and return markdown table rows: page, median seconds, ratio to the empty page, target check."""
    base = statistics.median(res["(empty page)"])
    rows = []
    print(f"\n{label}")
    print(f"  {'page':<14}{'median s':>10}{'x empty':>10}  target <{TARGET_S}s")
    for page, times in res.items():
        med = statistics.median(times)
        ok = "" if page == "(empty page)" else ("ok" if med < TARGET_S else "SLOW")
        print(f"  {page:<14}{med:>10.3f}{med / base:>10.1f}  {ok}")
        rows.append(f"| {label} | {page} | {med:.3f} | {med / base:.1f} | {ok} |")
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", type=Path, default=ROOT / "bench" / "out" / "corpus.duckdb",
                    help="database with the ingested corpus")
    ap.add_argument("--factor", type=int, default=20, help="copies of the corpus in the synthetic database")
    ap.add_argument("--repeats", type=int, default=5, help="filter changes timed per page")
    args = ap.parse_args()
    if not args.db.exists():
        sys.exit(f"{args.db} is missing: python -m geolens --db {args.db} ingest ../shared/corpus")
    big = enlarge(args.db, args.db.with_name(f"{args.db.stem}_x{args.factor}.duckdb"), args.factor)
    print(f"page run time after a country-filter change (AppTest, median of {args.repeats})", flush=True)
    rows = report("corpus", bench_db(args.db, args.repeats))
    rows += report(f"corpus x{args.factor}", bench_db(big, args.repeats))
    print("\n| database | page | median s | × empty page | < 0.5 s |\n|---|---|---|---|---|")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
