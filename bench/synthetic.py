"""Synthetic scale: a database of N articles built from an ingested one, straight in DuckDB (no spaCy).

Every tidy table and every fact table of the source is copied as often as it takes to reach N articles. Copy k
gets new article ids (k in hex in front of the original id's tail) and dates shifted by k mod 730 days, so the
copies spread over about two more years instead of stacking on the same days, and its texts end in " k", so
the file compresses (and a keyword scan costs) about as much as distinct articles would. Facts are copied with the rows
they describe, so the result is exactly what ingesting those articles would have written.

    python bench/synthetic.py SRC.duckdb DST.duckdb --articles 1000000
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from geolens import facts  # noqa: E402
from geolens.store import Store  # noqa: E402
from geolens.tables import SCHEMA  # noqa: E402

SHIFT_CYCLE_DAYS = 730
COPIES_PER_BLOCK = 100


def _columns(con, table: str) -> list[str]:
    return [r[0] for r in con.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_catalog = 'src' AND table_name = ? "
        "ORDER BY ordinal_position", [table]).fetchall()]


def build(src: Path, dst: Path, n_articles: int, *, memory_limit: str = "4GB") -> dict[str, int]:
    """Write a database of `n_articles` copied from `src` into `dst` (replaced); returns its row counts."""
    if dst.exists():
        dst.unlink()
    Store(dst).init()
    con = duckdb.connect(str(dst))
    try:
        con.execute(f"SET memory_limit = '{memory_limit}'")
        con.execute(f"ATTACH '{src}' AS src (READ_ONLY)")
        n_src = con.execute("SELECT count(*) FROM src.articles").fetchone()[0]
        if not n_src:
            raise SystemExit(f"{src} holds no article")
        if n_articles > 16 ** 4 * n_src:
            raise SystemExit(f"at most {16 ** 4 * n_src:,} articles from this source")
        full, rest = divmod(n_articles, n_src)
        copies = full + (1 if rest else 0)
        # The source articles in a fixed order: the last, partial copy takes the first `rest` of them.
        con.execute("CREATE TEMP TABLE _order AS SELECT article_id, a, row_number() OVER (ORDER BY a) AS r "
                    "FROM src.articles")
        stride = con.execute("SELECT max(a) FROM src.articles").fetchall()[0][0]
        con.execute(f"CREATE TEMP TABLE _copies AS SELECT range AS k FROM range({copies})")
        keep = f"(c.k < {full} OR o.r <= {rest})"
        new_id = "printf('%04x', c.k) || substr(t.article_id, 5)"
        for name in (*SCHEMA, *facts.TABLES):
            cols = _columns(con, name)
            sel = []
            for col in cols:
                if col == "article_id":
                    sel.append(f"{new_id}")
                elif col == "published":
                    sel.append(f"t.published + INTERVAL (c.k % {SHIFT_CYCLE_DAYS}) DAY")
                elif col == "text" and name in ("articles", "sentences"):
                    # Distinct text per copy, so compression and keyword scans cost what real text costs.
                    sel.append("t.text || ' ' || c.k")
                elif col == "a" and name in facts.NUMBERED + facts.TABLES:
                    sel.append(f"c.k * {stride} + t.a")
                else:
                    sel.append(f't."{col}"')
            started = time.perf_counter()
            on = "o.a = t.a" if name in facts.TABLES else "o.article_id = t.article_id"
            # In blocks of copies, each sorted: rows stay in article-number order (what the zone maps of `a`
            # need) without one sort of the whole table.
            for k0 in range(0, copies, COPIES_PER_BLOCK):
                con.execute(
                    f"INSERT INTO {name} ({', '.join(chr(34) + c + chr(34) for c in cols)}) "
                    f"SELECT {', '.join(sel)} FROM src.{name} t JOIN _order o ON {on} "
                    f"CROSS JOIN _copies c WHERE {keep} AND c.k >= {k0} AND c.k < {k0 + COPIES_PER_BLOCK} "
                    f"ORDER BY c.k, t.a"
                )
            print(f"  {name}: {time.perf_counter() - started:.1f} s", flush=True)
        started = time.perf_counter()
        facts.rebuild_totals(con)
        print(f"  totals: {time.perf_counter() - started:.1f} s", flush=True)
        con.execute("UPDATE meta SET value = CAST(CAST(value AS BIGINT) + 1 AS VARCHAR) WHERE key = 'version'")
        con.execute("CHECKPOINT")
    finally:
        con.close()
    return Store(dst).stats()


def main(argv: list[str] | None = None) -> int:
    """Command line: build DST from SRC with --articles N."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("src", type=Path, help="an ingested database (e.g. of ../shared/corpus)")
    ap.add_argument("dst", type=Path, help="the database to write (replaced)")
    ap.add_argument("--articles", type=int, required=True, help="how many articles to write")
    args = ap.parse_args(argv)
    started = time.perf_counter()
    stats = build(args.src, args.dst, args.articles)
    size = args.dst.stat().st_size
    print(f"{args.dst}: {stats['articles']:,} articles, {stats['sentences']:,} sentences, "
          f"{stats['mentions']:,} mentions, {stats['themes']:,} theme cues; {size / 1e9:.2f} GB "
          f"({size / stats['articles'] * 1000 / 1e6:.1f} MB per 1,000 articles); "
          f"built in {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
