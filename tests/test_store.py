"""DuckDB store: idempotent insert, delete, atomic batches, export, and two processes sharing one file."""

from __future__ import annotations

import json
import pickle
import random
import subprocess
import sys
import textwrap
import time

import faults
import pandas as pd
import pytest

from geolens.ingest import from_text
from geolens.pipeline import analyse
from geolens.store import Store, StoreBusy, StoreDamaged, StoreError
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



# -- write failures on real file systems --------------------------------------------------------------------------

WRITE_AFTER_FAULT = textwrap.dedent(
    """
    import json, os, pickle, sys
    from geolens.store import Store, StoreError
    db, tables_file, fill = sys.argv[1], sys.argv[2], sys.argv[3] == "fill"
    first, second = pickle.load(open(tables_file, "rb"))
    store = Store(db, timeout=5)
    if not store.exists():
        store.add(first)
    before = store.stats()
    filler = os.path.join(os.path.dirname(db), "filler")
    if fill:  # leave 16 KB free: the next transaction cannot fit
        st = os.statvfs(os.path.dirname(db))
        with open(filler, "wb") as f:
            f.write(b"\\0" * (st.f_bavail * st.f_frsize - 16384))
    out = {"error": None}
    try:
        store.add(second)
    except StoreError as exc:
        out["error"] = str(exc)
    except Exception as exc:
        out.update(error=str(exc), not_a_store_error=type(exc).__name__)
    try:
        store.check_writable()
    except StoreError as exc:
        out["check"] = str(exc)
    if fill:
        os.remove(filler)
    out["unchanged"] = store.stats() == before
    print(json.dumps(out))
    """
)


@pytest.fixture
def two_articles(tables, seed_doc, tmp_path):
    """Two analysed articles pickled to a file, so fault scripts need no spaCy of their own."""
    from geolens.tables import doc_to_tables

    path = tmp_path / "tables.pickle"
    path.write_bytes(pickle.dumps((tables, doc_to_tables(seed_doc, {"title": "seed"}))))
    return path


def _write_after_fault(setup, db, tables_file, mode):
    if reason := faults.mount_namespace_unavailable():
        pytest.skip(reason)
    r = faults.run_in_private_mounts(setup, [sys.executable, "-c", WRITE_AFTER_FAULT, str(db), str(tables_file), mode])
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout.strip().splitlines()[-1])


def test_store_full_disk_reports_no_space_not_the_rollback_error(tmp_path, two_articles):
    disk = tmp_path / "disk"
    disk.mkdir()
    db = disk / "g.duckdb"
    out = _write_after_fault(faults.full_disk(disk, 8), db, two_articles, "fill")
    assert "not_a_store_error" not in out, out
    assert out["error"].startswith(f"cannot write to database {db}: ")
    assert "No space left on device" in out["error"] and "rollback" not in out["error"]
    assert "\n" not in out["error"]
    assert "MB free on its disk" in out["check"]  # the check made before an ingest sees it too
    assert out["unchanged"] is True


def test_store_read_only_folder_reports_the_refused_log_file_not_the_rollback_error(tmp_path, two_articles):
    # As after `chmod 555` on the folder: the database file is writable, but DuckDB's .wal beside it cannot be made.
    folder = tmp_path / "locked"
    folder.mkdir()
    db = folder / "g.duckdb"
    first, _ = pickle.loads(two_articles.read_bytes())
    Store(db).add(first)
    out = _write_after_fault(faults.read_only(folder, keep_writable=db), db, two_articles, "no-fill")
    assert "not_a_store_error" not in out, out
    assert out["error"].startswith(f"cannot write to database {db}: ")
    assert "Read-only file system" in out["error"] and "rollback" not in out["error"]
    assert "Read-only file system" in out["check"]
    assert out["unchanged"] is True


def test_store_check_writable_refuses_a_missing_folder_and_creates_nothing(tmp_path):
    store = Store(tmp_path / "nowhere" / "g.duckdb")
    with pytest.raises(StoreError, match="nowhere does not exist"):
        store.check_writable()
    assert not (tmp_path / "nowhere").exists()


# -- damaged database files ----------------------------------------------------------------------------------------


def _big_database(path):
    """A real database of ~6 MB (100,000 sentences) written the way geolens writes it."""
    import duckdb

    Store(path).init()
    con = duckdb.connect(str(path))
    con.execute(
        "INSERT INTO sentences (article_id, sent_idx, text) "
        "SELECT 'a' || (i // 50)::VARCHAR, i % 50, md5(i::VARCHAR) || repeat('x', 200) FROM range(100000) t(i)"
    )
    con.close()
    return path


def damage(path, how: str) -> bytes:
    """Damage a database file as a cut copy, a stray write or a wrong file would; returns its bytes."""
    import os

    if how == "truncated":
        os.truncate(path, os.path.getsize(path) // 2)
    elif how == "overwritten-block":
        with open(path, "r+b") as f:
            f.seek(2 * 1024 * 1024)
            f.write(b"\xff" * (1024 * 1024))
    elif how == "random-bytes":
        path.write_bytes(random.Random(9).randbytes(3 * 1024 * 1024))
    return path.read_bytes()


DAMAGE = {"truncated": "truncated: ", "overwritten-block": "checksum", "random-bytes": "not a valid DuckDB database"}


@pytest.mark.parametrize("how", list(DAMAGE))
def test_store_damaged_file_is_named_damaged_in_one_line_and_left_as_it_was(tmp_path, how, tables):
    db = _big_database(tmp_path / "g.duckdb")
    before = damage(db, how)
    store = Store(db)
    with pytest.raises(StoreDamaged) as err:
        store.check_intact()
        store.table("sentences")  # a damaged block the size check cannot see shows on reading it
    msg = str(err.value)
    assert msg.startswith(f"database {db} is damaged (") and DAMAGE[how] in msg and "\n" not in msg
    if how != "overwritten-block":  # a bad block elsewhere shows only when read; a full scan per write is too dear
        with pytest.raises(StoreDamaged):
            store.add(tables)  # nothing is written over it
    assert db.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["g.duckdb"]


def test_store_check_intact_passes_a_sound_file_with_a_pending_log(tmp_path):
    # A process killed after COMMIT leaves its rows in the .wal, not yet in the file: that is not damage.
    db = Store(tmp_path / "g.duckdb")
    db.init()
    script = (
        "import duckdb, os, sys; con = duckdb.connect(sys.argv[1]); con.execute('PRAGMA disable_checkpoint_on_shutdown');"
        "con.execute(\"INSERT INTO sentences (article_id, sent_idx, text) SELECT 'a', i, repeat('x', 300) FROM range(50000) t(i)\");"
        "os._exit(0)"
    )
    subprocess.run([sys.executable, "-c", script, str(db.path)], check=True, timeout=120)
    assert (tmp_path / "g.duckdb.wal").exists()
    db.check_intact()
    assert len(db.table("sentences")) == 50000


def test_store_many_writes_leave_free_blocks_that_are_not_taken_for_truncation(tmp_path, tables):
    # A checkpoint cuts free blocks off the end of the file while DuckDB still counts them: only blocks in use
    # must lie in the file. Six writes make the file shrink and grow again.
    from geolens.tables import ArticleTables

    store = Store(tmp_path / "g.duckdb")
    for i in range(6):
        store.add(ArticleTables(*(tables.frames()[name].assign(article_id=f"copy{i}") for name in TABLES)))
        store.check_intact()
    assert store.stats()["articles"] == 6


def test_store_a_short_cut_is_found_even_when_free_blocks_hide_it_from_the_block_count(tmp_path, tables):
    # Free blocks in the middle (a dropped table) keep the file longer than the blocks in use add up to, so a cut
    # off its end is seen only by where the tables' blocks lie.
    import duckdb

    db = tmp_path / "g.duckdb"
    Store(db).init()
    con = duckdb.connect(str(db))
    con.execute("CREATE TABLE scratch AS SELECT repeat('y', 200) || i::VARCHAR AS t FROM range(60000) r(i)")
    con.execute("CHECKPOINT")
    con.execute(
        "INSERT INTO sentences (article_id, sent_idx, text) "
        "SELECT 'a', i, md5(i::VARCHAR) || repeat('x', 200) FROM range(60000) t(i)"
    )
    con.execute("CHECKPOINT")
    con.execute("DROP TABLE scratch")
    con.execute("CHECKPOINT")
    total, used = con.execute("SELECT total_blocks, used_blocks FROM pragma_database_size()").fetchone()
    con.close()
    assert used < total
    Store(db).check_intact()
    import os

    os.truncate(db, os.path.getsize(db) - 100_000)
    before = db.read_bytes()
    with pytest.raises(StoreDamaged, match="truncated: "):
        Store(db).check_intact()
    with pytest.raises(StoreDamaged):
        Store(db).add(tables)
    assert db.read_bytes() == before


def test_a_burst_of_reads_shares_one_connection_and_a_write_still_goes_through(tmp_path):
    from geolens import aggregations as agg
    from geolens.filters import Filters
    from geolens.tables import ArticleTables, coerce

    store = Store(tmp_path / "burst.duckdb")
    store.init()
    opened = []
    real = store._connect
    store._connect = lambda read_only, timeout=None: opened.append(read_only) or real(read_only, timeout)
    article = {"article_id": "x1", "title": "t", "text": "France.", "published": "2024-01-01"}
    tables = {name: coerce(pd.DataFrame([article]) if name == "articles" else pd.DataFrame(), name)
              for name in ("articles", "sentences", "mentions", "themes", "article_themes")}
    with store.reading():
        pass
    assert opened == []  # a run answered from caches opens nothing (another process may hold the lock)
    with store.reading():
        for _ in range(5):
            agg.summary(store, Filters())
        assert opened == [True]  # five queries, one connection
        store.add_many([ArticleTables(**tables)])  # a write in the same run closes it first
        assert agg.summary(store, Filters()).iloc[0]["articles"] == 1
    assert opened[:2] == [True, False]
