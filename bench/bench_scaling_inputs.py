"""The per-article costs behind docs/scaling.md, measured on an ingested database (no analysis is run).

- the single DuckDB writer: CPU and wall seconds per article to store whole articles with Store.add_many, in
  batches of 32 and of 512 (the stored articles are re-read and written again into fresh databases);
- the network: bytes a worker sends back per article (the pickled tidy tables of a shard, as Dask ships them)
  and bytes the client sends (the pickled articles);
- Parquet: seconds per article of `export --format parquet --partition month`, and its size on disk.

usage: python bench/bench_scaling_inputs.py --db DB   (e.g. a database made by `python -m geolens ingest ../shared/corpus`)
"""

from __future__ import annotations

import argparse
import pickle
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from geolens.export import export_tables  # noqa: E402
from geolens.ingest import Article  # noqa: E402
from geolens.store import Store  # noqa: E402
from geolens.tables import SCHEMA, ArticleTables  # noqa: E402


def _per_article(store: Store) -> list[ArticleTables]:
    frames = {name: store.table(name) for name in SCHEMA}
    groups = {name: dict(tuple(df.groupby("article_id", sort=False))) for name, df in frames.items()}
    out = []
    for aid in frames["articles"]["article_id"]:
        parts = [groups[name].get(aid, frames[name].iloc[0:0]).reset_index(drop=True) for name in SCHEMA]
        out.append(ArticleTables(*parts))
    return out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", required=True)
    args = ap.parse_args()
    src = Store(args.db)
    batch = _per_article(src)
    n = len(batch)
    tmp = Path(tempfile.mkdtemp(prefix="geolens-scaling-"))
    print(f"articles: {n} from {args.db}")
    for size in (32, 512):
        dest = Store(tmp / f"w{size}.duckdb")
        dest.init()
        c0, t0 = time.process_time(), time.perf_counter()
        for i in range(0, n, size):
            dest.add_many(batch[i : i + size])
        cpu, wall = time.process_time() - c0, time.perf_counter() - t0
        print(f"writer, batches of {size:3}: {wall / n * 1000:6.2f} ms wall, {cpu / n * 1000:6.2f} ms CPU per article "
              f"-> at most {n / wall:5.0f} articles/s on one writer")
    texts = [Article(text=t.articles["text"].iloc[0]) for t in batch]
    shipped = [ArticleTables(*(t.frame(name) for name in SCHEMA)) for t in batch]
    print(f"network: client -> worker {len(pickle.dumps(texts)) / n / 1024:5.1f} KB per article (pickled articles); "
          f"worker -> client {len(pickle.dumps(shipped)) / n / 1024:5.1f} KB per article (pickled tidy tables)")
    t0 = time.perf_counter()
    export_tables(src, tmp / "lake", "parquet", "month")
    wall = time.perf_counter() - t0
    size = sum(f.stat().st_size for f in (tmp / "lake").rglob("*.parquet"))
    print(f"parquet export partitioned by month: {wall / n * 1000:6.2f} ms per article, {size / n / 1024:5.1f} KB per "
          f"article on disk ({len(list((tmp / 'lake').rglob('*.parquet')))} files)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
