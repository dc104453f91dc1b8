"""DuckDB persistence: schema, idempotent insert, delete, export, with short-lived connections."""

from __future__ import annotations

import os
import random
import shutil
import tempfile
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pandas as pd

from geolens import facts, settings
from geolens.tables import SCHEMA, TABLES, ArticleTables, coerce, merge_frames

DEFAULT_DB = settings.DEFAULT_DB
DB_ENV = settings.DB_ENV
# Room a write must find on the disk before it starts, on top of about four times the text to be stored.
MIN_FREE_BYTES = 16 * 1024 * 1024

_SQL_TYPES = {
    "string": "VARCHAR",
    "Int64": "BIGINT",
    "float64": "DOUBLE",
    "boolean": "BOOLEAN",
    "datetime64[us]": "TIMESTAMP",
}
_KEYS = {
    "articles": "PRIMARY KEY (article_id)",
    "article_themes": "PRIMARY KEY (article_id, theme)",
}
# In-process: DuckDB refuses a second connection to one file with another configuration
# (read-only vs read-write), so all opens of one path in this process take turns.
_LOCKS: dict[str, threading.RLock] = {}
_LOCKS_GUARD = threading.Lock()
# The read-only connection a thread holds for a burst of reads (one dashboard run): see Store.reading.
_BURST = threading.local()


class StoreError(Exception):
    """A database problem worth a one-line message to the user."""


class StoreBusy(StoreError):
    """Another process held the database lock for longer than we were willing to wait."""


class StoreDamaged(StoreError):
    """The database file is truncated or corrupt: it cannot be read, and geolens will not write over it."""


def default_db_path() -> Path:
    """The database path: $GEOLENS_DB if set, else data/geolens.duckdb in the project."""
    return settings.db_path()


def _q(col: str) -> str:
    return f'"{col}"'


def _create_sql() -> list[str]:
    stmts = []
    for table, cols in SCHEMA.items():
        defs = [f"{_q(c)} {_SQL_TYPES[t]}" for c, t in cols.items()]
        if table in facts.NUMBERED:
            defs.append("a BIGINT")  # the article's number (see geolens/facts.py), storage only
        if table in _KEYS:
            defs.append(_KEYS[table])
        stmts.append(f"CREATE TABLE IF NOT EXISTS {table} ({', '.join(defs)})")
    stmts.append("CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR)")
    stmts.append("INSERT INTO meta VALUES ('version', '0') ON CONFLICT DO NOTHING")
    return stmts


def _upgrade_sql(present: dict[str, set[str]]) -> list[str]:
    """Statements adding the schema's tables and columns that an older database file lacks (relations, confidence)."""
    tables = [s for s in _create_sql() if s.startswith("CREATE TABLE IF NOT EXISTS ") and s.split()[5] not in present]
    return tables + [
        f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS {_q(c)} {_SQL_TYPES[t]}"
        for table, cols in SCHEMA.items()
        if table in present
        for c, t in cols.items()
        if c not in present[table]
    ]


def _columns(con) -> dict[str, set[str]]:
    """Column names per table of the open database."""
    out: dict[str, set[str]] = {}
    for table, col in con.execute("SELECT table_name, column_name FROM information_schema.columns").fetchall():
        out.setdefault(table, set()).add(col)
    return out


def _rollback_quietly(con) -> None:
    """Roll back if a transaction is still open; a failed COMMIT has already ended it."""
    try:
        con.execute("ROLLBACK")
    except duckdb.Error:
        pass


_WRITE_FAILURES = (
    "no space left",
    "disk full",
    "disk quota",
    "permission denied",
    "read-only file system",
    "could not write",
    "cannot open file",
    "could not read enough bytes",
    "input/output error",
)


def _is_write_failure(exc: BaseException) -> bool:
    """True for errors of the file system under the database, as opposed to errors of the data written."""
    msg = str(exc).lower()
    return isinstance(exc, OSError | duckdb.IOException) or any(m in msg for m in _WRITE_FAILURES)


def _cause(exc: BaseException) -> str:
    """DuckDB's message on one line, without its class prefixes ("TransactionContext Error: Failed to commit: ")."""
    if isinstance(exc, OSError) and exc.strerror:
        return f"{exc.strerror} ({exc.filename})" if exc.filename else exc.strerror
    msg = " ".join(str(exc).split())
    for prefix in ("TransactionContext Error: ", "IO Error: ", "Failed to commit: "):
        msg = msg.removeprefix(prefix)
    return msg


_DAMAGE = (
    "could not read enough bytes",
    "not a valid duckdb database",
    "checksum",
    "corrupt",
    "invalid block",
    "block id",
)
# DuckDB's file layout: three 4 KB headers, then the blocks.
_HEADER_BYTES = 3 * 4096


def _is_damage(exc: BaseException) -> bool:
    msg = str(exc).lower()
    return isinstance(exc, duckdb.Error) and any(m in msg for m in _DAMAGE)


def _damaged(path: Path, detail: str) -> StoreDamaged:
    return StoreDamaged(
        f"database {path} is damaged ({detail}); nothing was changed. Restore it from a backup, or move it aside "
        f"(or set GEOLENS_DB to a new path) and ingest your articles again"
    )


def _release_burst() -> None:
    """Close this thread's burst connection (Store.reading), if any."""
    con, _BURST.con = getattr(_BURST, "con", None), None
    if con is not None:
        try:
            con.close()
        except duckdb.Error:
            pass


def _is_lock_error(exc: Exception) -> bool:
    msg = str(exc).lower()
    return "lock" in msg or "conflicting lock" in msg or "resource temporarily unavailable" in msg


class Store:
    """One DuckDB file. No connection outlives a single operation, so other processes can write."""

    def __init__(self, path: str | os.PathLike | None = None, *, timeout: float | None = None):
        self.path = Path(path).expanduser() if path else default_db_path()
        self.timeout = timeout if timeout is not None else settings.db_timeout()
        with _LOCKS_GUARD:
            self._lock = _LOCKS.setdefault(str(self.path.resolve()), threading.RLock())

    # -- connections -------------------------------------------------------------------------
    def exists(self) -> bool:
        """True when the database file has been created."""
        return self.path.exists()

    def _connect(self, read_only: bool, timeout: float | None = None) -> duckdb.DuckDBPyConnection:
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        delay = 0.02
        while True:
            try:
                return duckdb.connect(str(self.path), read_only=read_only)
            except duckdb.Error as exc:
                if _is_damage(exc):
                    raise _damaged(self.path, _cause(exc)) from exc
                if not _is_lock_error(exc):
                    raise StoreError(f"cannot open database {self.path}: {exc}") from exc
                if time.monotonic() >= deadline:
                    raise StoreBusy(
                        f"database {self.path} is busy (another process is writing); try again shortly"
                    ) from exc
                time.sleep(delay * (0.5 + random.random()))
                delay = min(delay * 2, 0.5)

    def init(self) -> None:
        """Create the file and the schema if they do not exist yet."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"cannot create the database folder {self.path.parent}: {_cause(exc)}") from exc
        with self._lock:
            con = self._connect(read_only=False)
            try:
                for stmt in _create_sql():
                    con.execute(stmt)
                if not facts.present(con):
                    con.execute("BEGIN TRANSACTION")
                    facts.ensure(con)
                    con.execute("COMMIT")
            finally:
                con.close()

    def upgrade(self) -> bool:
        """Add the columns that a database written by an older geolens lacks; True when it changed the file."""
        if not self.exists():
            return False
        with self.reader() as con:
            missing = _upgrade_sql(_columns(con))
            current = facts.present(con)
        if not missing and current:
            return False
        with self.writer():
            pass  # the writer adds missing columns before its transaction
        return True

    @contextmanager
    def reading(self):
        """Share one read-only connection among the reads of this thread until the block ends (a page run: about
        ten queries that would each open the file again and start with cold caches).

        The connection opens at the first read (a run answered from caches opens nothing) and the file is held
        for the run only; a write in this thread closes it first, and other threads of this process wait for the
        run to end (they would otherwise take turns query by query).
        """
        if getattr(_BURST, "path", None) is not None or not self.exists():
            yield
            return
        with self._lock:
            _BURST.con, _BURST.path = None, self.path.resolve()
            try:
                yield
            finally:
                _release_burst()
                _BURST.path = None

    @contextmanager
    def reader(self, timeout: float | None = None):
        """A read-only connection for one operation; the file is closed again on exit."""
        if not self.exists():
            self.init()
        if getattr(_BURST, "path", None) == self.path.resolve():
            with self._lock:
                if _BURST.con is None:
                    _BURST.con = self._connect(read_only=True, timeout=timeout)
                try:
                    yield _BURST.con
                except duckdb.Error as exc:
                    if _is_damage(exc):
                        raise _damaged(self.path, _cause(exc)) from exc
                    raise
            return
        with self._lock:
            con = self._connect(read_only=True, timeout=timeout)
            try:
                yield con
            except duckdb.Error as exc:
                if _is_damage(exc):
                    raise _damaged(self.path, _cause(exc)) from exc
                raise
            finally:
                con.close()

    @contextmanager
    def writer(self):
        """A read-write connection inside one transaction; commits on success, rolls back on error.

        A failure to write the file (permission denied, read-only or full disk) becomes a StoreError that names
        the real cause, never the error of the rollback that follows it.
        """
        if not self.exists():
            self.init()
        with self._lock:
            if getattr(_BURST, "path", None) == self.path.resolve():
                _release_burst()  # DuckDB opens a file read-only or read-write in a process, not both at once
            con = self._connect(read_only=False)
            try:
                self._refuse_truncated(con)
                for stmt in _upgrade_sql(_columns(con)):
                    con.execute(stmt)
                con.execute("BEGIN TRANSACTION")
                committing = False
                try:
                    if not facts.present(con):  # a database from before the facts gains them with this write
                        facts.ensure(con)
                    yield con
                    con.execute(
                        "UPDATE meta SET value = CAST(CAST(value AS BIGINT) + 1 AS VARCHAR) WHERE key = 'version'"
                    )
                    committing = True
                    con.execute("COMMIT")
                except BaseException as exc:
                    _rollback_quietly(con)
                    if isinstance(exc, StoreError) or not isinstance(exc, duckdb.Error | OSError):
                        raise
                    if _is_damage(exc):
                        raise _damaged(self.path, _cause(exc)) from exc
                    if committing or _is_write_failure(exc):
                        raise StoreError(f"cannot write to database {self.path}: {_cause(exc)}") from exc
                    raise
            finally:
                try:
                    con.close()
                except duckdb.Error:
                    pass  # closing after a failed write may fail again for the same reason; the first error stands

    def check_intact(self) -> None:
        """Raise StoreDamaged when the file is shorter than the blocks it declares (cut short by a copy or a
        full disk) or cannot be opened as a database; reads only the header, so it is cheap enough for every start."""
        if not self.exists():
            return
        with self.reader() as con:
            self._refuse_truncated(con)

    def _refuse_truncated(self, con) -> None:
        """StoreDamaged when the file ends before the blocks its tables use (read from metadata, no data read)."""
        try:
            block_size, used_blocks = con.execute(
                "SELECT block_size, used_blocks FROM pragma_database_size() WHERE database_name = current_database()"
            ).fetchone()
            tables = [r[0] for r in con.execute(
                "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database()"
            ).fetchall()]
            last = -1
            for table in tables:
                top = con.execute(
                    "SELECT max(block_id) FROM pragma_storage_info(?) WHERE block_id >= 0", [table]
                ).fetchone()[0]
                if top is not None:
                    last = max(last, int(top))
        except duckdb.Error as exc:
            if _is_damage(exc):
                raise _damaged(self.path, _cause(exc)) from exc
            return  # no sizes to compare with: reading the blocks themselves still reports damage
        except TypeError:
            return
        # Every block a table uses must lie in the file; so must as many blocks as are in use (the count also
        # covers metadata blocks). Free blocks at the end are cut off by a checkpoint and need not be there.
        expected = _HEADER_BYTES + int(block_size) * max(int(used_blocks), last + 1)
        size = self.path.stat().st_size
        if size < expected:
            raise _damaged(
                self.path, f"truncated: {size / 1048576:.1f} MB of the {expected / 1048576:.1f} MB it should hold"
            )

    def check_writable(self, expected_bytes: int = 0) -> None:
        """Raise StoreError, changing nothing, when a write is bound to fail: the folder is missing or not
        writable, the database file is read-only, or the disk lacks room for about `expected_bytes` more.

        Called before any analysis, so a bad --db is reported at once, in one line, not once per article.
        """
        folder = self.path.parent
        if not folder.is_dir():
            what = "is not a folder" if folder.exists() else "does not exist"
            raise StoreError(f"database folder {folder} {what}; create it first or choose another database path")
        if self.path.exists() and not self.path.is_file():
            raise StoreError(f"database path {self.path} is not a file")
        try:
            # A real write, not os.access: it also catches read-only mounts and a root user on a locked folder.
            fd, probe = tempfile.mkstemp(prefix=".geolens-write-probe-", dir=folder)
            try:
                os.write(fd, b"\0" * 4096)
                os.fsync(fd)
            finally:
                os.close(fd)
                os.unlink(probe)
            if self.path.exists():
                with open(self.path, "r+b"):
                    pass
        except OSError as exc:
            raise StoreError(f"cannot write to database {self.path}: {exc.strerror or exc}") from exc
        need = MIN_FREE_BYTES + 4 * max(0, expected_bytes)
        free = shutil.disk_usage(folder).free
        if free < need:
            raise StoreError(
                f"cannot write to database {self.path}: only {free / 1048576:.1f} MB free on its disk, "
                f"about {need / 1048576:.0f} MB needed; free some space or choose another database path"
            )

    # -- reads ------------------------------------------------------------------------------
    def version(self) -> int:
        """The write counter: every committed write bumps it by one (0 for a missing database)."""
        if not self.exists():
            return 0
        with self.reader() as con:
            row = con.execute("SELECT value FROM meta WHERE key = 'version'").fetchone()
        return int(row[0]) if row else 0

    def read(self, sql: str, params: dict | list | None = None) -> pd.DataFrame:
        """The one gate for the dashboard's queries: run one read-only SELECT and return its (small) result."""
        with self.reader() as con:
            return con.execute(sql, params or {}).df()

    def read_many(self, statements: list[tuple[str, dict | list | None]]) -> list[pd.DataFrame]:
        """Several read-only SELECTs on one connection (one consistent view of the database)."""
        with self.reader() as con:
            return [con.execute(sql, params or {}).df() for sql, params in statements]

    def has(self, article_id: str) -> bool:
        """True when the article is stored."""
        if not self.exists():
            return False
        with self.reader() as con:
            return con.execute("SELECT 1 FROM articles WHERE article_id = ?", [article_id]).fetchone() is not None

    def stored_ids(self, ids: list[str]) -> set[str]:
        """Which of `ids` are stored already (one short read; empty for a missing database)."""
        if not ids or not self.exists():
            return set()
        with self.reader() as con:
            rows = con.execute(
                "SELECT article_id FROM articles WHERE article_id IN (SELECT unnest(?))", [list(ids)]
            ).fetchall()
        return {r[0] for r in rows}

    def snapshot(self) -> tuple[int, dict[str, pd.DataFrame]]:
        """The version and every tidy table, read in one short read-only connection (0 and {} when missing)."""
        if not self.exists():
            return 0, {}
        frames = {}
        with self.reader() as con:
            row = con.execute("SELECT value FROM meta WHERE key = 'version'").fetchone()
            version = int(row[0]) if row else 0
            for name, cols in SCHEMA.items():
                frames[name] = con.execute(f"SELECT {', '.join(_q(c) for c in cols)} FROM {name}").df()
        return version, frames

    def table(self, name: str, where: str = "", params: list | None = None) -> pd.DataFrame:
        """Load one tidy table (optionally filtered by a SQL `where` clause) with the schema's dtypes."""
        if name not in SCHEMA:
            raise StoreError(f"unknown table {name!r}")
        cols = ", ".join(_q(c) for c in SCHEMA[name])
        sql = f"SELECT {cols} FROM {name}" + (f" WHERE {where}" if where else "")
        with self.reader() as con:
            df = con.execute(sql, params or []).df()
        return coerce(df, name)

    def article(self, article_id: str) -> dict[str, pd.DataFrame]:
        """All rows of one article, by table name (empty frames when it is not stored)."""
        out = {}
        with self.reader() as con:
            row = con.execute("SELECT a FROM articles WHERE article_id = ?", [article_id]).fetchone()
            # By number: min/max of `a` per row group skip the rest of the file (see geolens/facts.py).
            number = row[0] if row else None
            for name, cols in SCHEMA.items():
                sel = ", ".join(_q(c) for c in cols)
                if number is not None and name in facts.NUMBERED:
                    df = con.execute(f"SELECT {sel} FROM {name} WHERE a = ?", [number]).df()
                else:
                    df = con.execute(f"SELECT {sel} FROM {name} WHERE article_id = ?", [article_id]).df()
                out[name] = coerce(df, name)
        return out

    def stats(self) -> dict[str, int]:
        """Row counts per table plus the version."""
        out = {}
        with self.reader() as con:
            for name in TABLES:
                out[name] = con.execute(f"SELECT count(*) FROM {name}").fetchone()[0]
            out["distinct_countries"] = con.execute(
                "SELECT count(DISTINCT country) FROM mentions WHERE country IS NOT NULL"
            ).fetchone()[0]
            out["version"] = int(con.execute("SELECT value FROM meta WHERE key='version'").fetchone()[0])
        return out

    # -- writes -----------------------------------------------------------------------------
    def add(self, tables: ArticleTables) -> bool:
        """Store one article with all its rows; False (and nothing written) when it is already stored."""
        return self.add_many([tables])[0]

    def add_many(self, batch: list[ArticleTables]) -> list[bool]:
        """Store a batch of articles in one transaction; per article, True if added, False if a duplicate."""
        results: list[bool] = []
        if not batch:
            return results
        with self.writer() as con:
            seen: set[str] = set()
            existing = set()
            ids = [t.article_id for t in batch]
            if ids:
                rows = con.execute(
                    "SELECT article_id FROM articles WHERE article_id IN (SELECT unnest(?))", [ids]
                ).fetchall()
                existing = {r[0] for r in rows}
            fresh: list[ArticleTables] = []
            for t in batch:
                aid = t.article_id
                if aid in existing or aid in seen:
                    results.append(False)
                    continue
                seen.add(aid)
                results.append(True)
                fresh.append(t)
            if fresh:
                first = facts.next_number(con)
                numbers = {t.article_id: first + i for i, t in enumerate(fresh)}
                for name in TABLES:
                    df = merge_frames(fresh, name)
                    if len(df):
                        self._insert(con, name, df, numbers)
                facts.refresh(con, list(numbers.values()))
        return results

    @staticmethod
    def _insert(con, name: str, df: pd.DataFrame, numbers: dict[str, int]) -> None:
        df = coerce(df, name)
        names = list(SCHEMA[name])
        if name in facts.NUMBERED:  # (relations has columns a and b of its own: the two countries)
            df["a"] = df["article_id"].map(numbers).astype("Int64")
            names.append("a")
        con.register("_incoming", df)
        try:
            cols = ", ".join(_q(c) for c in names)
            con.execute(f"INSERT INTO {name} ({cols}) SELECT {cols} FROM _incoming")
        finally:
            con.unregister("_incoming")

    def delete(self, article_id: str) -> bool:
        """Delete an article and every row that belongs to it; False when it was not stored."""
        if not self.has(article_id):
            return False
        with self.writer() as con:
            numbers = facts.numbers_of(con, [article_id])
            for name in reversed(TABLES):
                con.execute(f"DELETE FROM {name} WHERE article_id = ?", [article_id])
            facts.refresh(con, numbers)
        return True

    def replace_themes(self, themes: pd.DataFrame, article_themes: pd.DataFrame, article_ids: list[str],
                       relations: pd.DataFrame | None = None) -> None:
        """Swap the theme rows of the given articles for new ones, and their relations rows too when given, in one
        transaction."""
        tables = {"themes": themes, "article_themes": article_themes}
        if relations is not None:
            tables["relations"] = relations
        with self.writer() as con:
            numbers = dict(con.execute(
                "SELECT article_id, a FROM articles WHERE article_id IN (SELECT unnest(?::VARCHAR[]))",
                [list(article_ids)]).fetchall())
            for name in tables:
                con.execute(f"DELETE FROM {name} WHERE article_id IN (SELECT unnest(?))", [article_ids])
            for name, df in tables.items():
                if len(df):
                    self._insert(con, name, df, numbers)
            facts.refresh(con, list(numbers.values()))

    def export(self, out_dir: str | os.PathLike, fmt: str = "csv") -> list[Path]:
        """Write every tidy table to `out_dir` as CSV or Parquet; returns the files written."""
        if fmt not in ("csv", "parquet"):
            raise StoreError(f"unknown export format {fmt!r} (use csv or parquet)")
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        written = []
        with self.reader() as con:
            for name in TABLES:
                dest = out / f"{name}.{fmt}"
                tmp = out / f".{name}.{fmt}.tmp"
                opts = "(FORMAT CSV, HEADER)" if fmt == "csv" else "(FORMAT PARQUET)"
                sql_path = str(tmp).replace("'", "''")
                cols = ", ".join(_q(c) for c in SCHEMA[name])
                con.execute(f"COPY (SELECT {cols} FROM {name} ORDER BY ALL) TO '{sql_path}' {opts}")
                os.replace(tmp, dest)
                written.append(dest)
        return written
