"""DuckDB store: idempotent insert, delete, atomic batches, export, and two processes sharing one file."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time

import pandas as pd
import pytest

from geolens.ingest import from_text
from geolens.pipeline import analyse
from geolens.store import Store, StoreBusy
from geolens.tables import TABLES

TEXT = (
    "Japan and the Philippines signed a defence pact in Manila on Monday, allowing troops to train on each "
    "other's soil. China's foreign ministry said the agreement threatened regional stability. The United States "
    "welcomed the deal as a step for its alliance network in Asia."
)


@pytest.fixture(scope="module")
def tables(nlp):
    return analyse(from_text(TEXT, title="Pact"), nlp)


@pytest.fixture
def store(tmp_path):
    return Store(tmp_path / "t.duckdb", timeout=5)


def _counts(store):
    return {t: len(store.table(t)) for t in TABLES}


def test_store_adds_article_once_and_reports_duplicate(store, tables):
    assert store.add(tables) is True
    before = _counts(store)
    assert store.add(tables) is False
    assert _counts(store) == before
    assert before["articles"] == 1 and before["sentences"] >= 3 and before["mentions"] > 0


def test_store_delete_removes_every_row_of_the_article(store, tables, seed_doc):
    from geolens.tables import doc_to_tables

    other = doc_to_tables(seed_doc, {"title": "seed"})
    store.add_many([tables, other])
    assert store.delete(tables.article_id) is True
    for t in TABLES:
        assert tables.article_id not in set(store.table(t)["article_id"]), t
    assert store.has(other.article_id)
    assert store.delete(tables.article_id) is False


def test_store_failed_batch_leaves_database_unchanged(store, tables, seed_doc):
    from geolens.tables import doc_to_tables

    store.add(doc_to_tables(seed_doc, {"title": "seed"}))
    before, version = _counts(store), store.version()
    broken = analyse(from_text(TEXT + " Another sentence about Korea.", title="Broken"))
    broken.mentions = broken.mentions.assign(start="not a number")  # fails mid-transaction, after articles went in
    with pytest.raises((ValueError, TypeError)):
        store.add_many([tables, broken])
    assert _counts(store) == before
    assert store.version() == version


def test_store_version_bumps_on_every_write(store, tables):
    v0 = store.version()
    store.add(tables)
    v1 = store.version()
    store.delete(tables.article_id)
    assert v0 < v1 < store.version()


def test_store_tables_keep_schema_dtypes(store, tables):
    store.add(tables)
    m = store.table("mentions")
    assert str(m["start"].dtype) == "Int64" and str(m["country"].dtype).startswith("str")
    a = store.table("articles")
    assert a.loc[0, "text"][m.loc[0, "start"]: m.loc[0, "end"]] == m.loc[0, "surface"]


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_store_exports_every_table(store, tables, tmp_path, fmt):
    store.add(tables)
    files = store.export(tmp_path / "out", fmt)
    assert sorted(f.name for f in files) == sorted(f"{t}.{fmt}" for t in TABLES)
    read = pd.read_csv if fmt == "csv" else pd.read_parquet
    assert len(read(tmp_path / "out" / f"mentions.{fmt}")) == len(tables.mentions)


HOLD_LOCK = textwrap.dedent(
    """
    import sys, time, duckdb
    con = duckdb.connect(sys.argv[1])
    con.execute("BEGIN TRANSACTION")
    print("locked", flush=True)
    time.sleep(float(sys.argv[2]))
    con.execute("COMMIT")
    con.close()
    """
)


def _hold(path, seconds):
    proc = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(path), str(seconds)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "locked"
    return proc


def test_store_writer_waits_for_another_process_then_succeeds(store, tables):
    store.init()
    holder = _hold(store.path, 1.5)
    try:
        assert store.add(tables) is True  # waits for the other process to let go
    finally:
        holder.wait(10)
    assert store.has(tables.article_id)


def test_store_writer_gives_up_with_clear_message_when_lock_held_too_long(tmp_path, tables):
    store = Store(tmp_path / "busy.duckdb", timeout=0.5)
    store.init()
    holder = _hold(store.path, 3)
    try:
        t0 = time.monotonic()
        with pytest.raises(StoreBusy, match="busy"):
            store.add(tables)
        waited = time.monotonic() - t0
    finally:
        holder.wait(10)
    assert waited >= 0.4
    assert not store.has(tables.article_id)
