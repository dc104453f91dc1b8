"""Export the tidy tables (geolens.tables.SCHEMA) as CSV or Parquet, optionally hive-partitioned by month.

`--partition month` writes one folder per table, `DIR/<table>/published_month=YYYY-MM/data_0.parquet`, the month
being the article's publication month (`unknown` for undated articles, a value every reader takes as a string, where
a null partition would trip pyarrow). Each folder reads as one dataset: `pandas.read_parquet("DIR/mentions")`,
DuckDB's `read_parquet('DIR/mentions/**/*.parquet', hive_partitioning = true)`, Spark's `spark.read.parquet`.
Only the tidy tables are exported, never the store's own bookkeeping or derived tables.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from geolens.store import Store, StoreError
from geolens.tables import SCHEMA

FORMATS = ("csv", "parquet")
PARTITIONS = ("month",)
PARTITION_COLUMN = "published_month"
UNDATED = "unknown"
_OPTIONS = {"csv": "FORMAT CSV, HEADER", "parquet": "FORMAT PARQUET"}


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _sql_path(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def _select(table: str, partition: str | None) -> str:
    cols = ", ".join(f"t.{_q(c)}" for c in SCHEMA[table])
    if partition is None:
        return f"SELECT {cols} FROM {table} t ORDER BY ALL"
    month = f"coalesce(strftime(a.published, '%Y-%m'), '{UNDATED}') AS {PARTITION_COLUMN}"
    source = f"{table} t" if table == "articles" else f"{table} t JOIN articles a USING (article_id)"
    if table == "articles":
        month = month.replace("a.published", "t.published")
    return f"SELECT {cols}, {month} FROM {source} ORDER BY ALL"


def export_tables(store: Store, out_dir: str | os.PathLike, fmt: str = "csv", partition: str | None = None) -> list[Path]:
    """Write every tidy table to `out_dir` (a file per table, or a hive-partitioned folder per table with
    `partition="month"`); each replaces its old copy only once it is complete. Returns what was written."""
    if fmt not in FORMATS:
        raise StoreError(f"unknown export format {fmt!r} (use csv or parquet)")
    if partition is not None and partition not in PARTITIONS:
        raise StoreError(f"unknown partitioning {partition!r} (use month)")
    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(f"cannot create the export folder {out}: {exc.strerror or exc}") from exc
    written = []
    with store.reader() as con:
        for table in SCHEMA:
            if partition is None:
                dest = out / f"{table}.{fmt}"
                tmp = out / f".{table}.{fmt}.tmp"
                con.execute(f"COPY ({_select(table, None)}) TO {_sql_path(tmp)} ({_OPTIONS[fmt]})")
                os.replace(tmp, dest)
            else:
                dest = out / table
                tmp = Path(tempfile.mkdtemp(prefix=f".{table}.", dir=out))
                try:
                    con.execute(
                        f"COPY ({_select(table, partition)}) TO {_sql_path(tmp / 'data')} "
                        f"({_OPTIONS[fmt]}, PARTITION_BY ({PARTITION_COLUMN}))"
                    )
                    if not any((tmp / "data").rglob(f"*.{fmt}")):  # no rows: an empty file still gives readers the schema
                        (tmp / "data" / f"{PARTITION_COLUMN}={UNDATED}").mkdir(parents=True, exist_ok=True)
                        empty = tmp / "data" / f"{PARTITION_COLUMN}={UNDATED}" / f"data_0.{fmt}"
                        con.execute(f"COPY ({_select(table, None)} LIMIT 0) TO {_sql_path(empty)} ({_OPTIONS[fmt]})")
                    _swap(tmp / "data", dest)
                finally:
                    shutil.rmtree(tmp, ignore_errors=True)
            written.append(dest)
    return written


def _swap(new: Path, dest: Path) -> None:
    """Put the folder `new` in the place of `dest` (a file or folder of an earlier export, if any)."""
    old = None
    if dest.exists() or dest.is_symlink():
        old = dest.with_name(f".{dest.name}.old")
        if old.exists():
            shutil.rmtree(old) if old.is_dir() else old.unlink()
        os.replace(dest, old)
    os.replace(new, dest)
    if old is not None:
        shutil.rmtree(old) if old.is_dir() and not old.is_symlink() else old.unlink()
