"""Export of the tidy tables: CSV/Parquet files, and hive-partitioned Parquet that DuckDB and pandas read as one
dataset per table."""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from geolens.export import export_tables
from geolens.ingest import from_text
from geolens.pipeline import analyse
from geolens.store import Store, StoreError
from geolens.tables import SCHEMA

ROOT = Path(__file__).resolve().parent.parent
BODY = (
    "Japan and South Korea agreed to deepen their security cooperation after a series of North Korean missile "
    "tests. The defence ministers said the two countries would share more intelligence and hold joint drills with "
    "the United States later this year, while China warned against what it called bloc politics."
)


@pytest.fixture(scope="module")
def db(tmp_path_factory, nlp) -> Store:
    """Three articles: two months of 2019 and one without a date."""
    store = Store(tmp_path_factory.mktemp("export") / "e.duckdb")
    store.add_many([
        analyse(from_text(f"{lead} {BODY}", title=lead, published=when), nlp)
        for lead, when in (("January talks.", date(2019, 1, 4)), ("March talks.", date(2019, 3, 9)),
                           ("Undated talks.", None))
    ])
    return store


def counts(store: Store) -> dict[str, int]:
    return {name: len(store.table(name)) for name in SCHEMA}


def test_partitioned_parquet_reads_as_one_dataset_per_table_in_duckdb_and_pandas(tmp_path, db):
    written = export_tables(db, tmp_path / "lake", "parquet", "month")
    assert [p.name for p in written] == list(SCHEMA)
    months = sorted(p.name for p in (tmp_path / "lake" / "articles").iterdir())
    assert months == ["published_month=2019-01", "published_month=2019-03", "published_month=unknown"]
    con = duckdb.connect()
    for name in SCHEMA:
        folder = tmp_path / "lake" / name
        via_pandas = pd.read_parquet(folder)
        via_duckdb = con.execute(
            f"SELECT * FROM read_parquet('{folder}/**/*.parquet', hive_partitioning = true)"
        ).df()
        assert len(via_pandas) == len(via_duckdb) == counts(db)[name], name
        assert set(via_pandas.columns) == set(SCHEMA[name]) | {"published_month"}
    mentions = pd.read_parquet(tmp_path / "lake" / "mentions")
    arts = db.table("articles")
    month_of = {r.article_id: (r.published.strftime("%Y-%m") if pd.notna(r.published) else "unknown")
                for r in arts.itertuples()}
    assert (mentions["published_month"].astype(str) == mentions["article_id"].map(month_of)).all()


def test_export_again_replaces_the_old_dataset_and_keeps_no_temporary_folder(tmp_path, db):
    out = tmp_path / "lake"
    (out / "mentions" / "published_month=1999-12").mkdir(parents=True)  # left from an older export
    export_tables(db, out, "parquet", "month")
    export_tables(db, out, "parquet", "month")
    assert not (out / "mentions" / "published_month=1999-12").exists()
    assert sorted(p.name for p in out.iterdir()) == sorted(SCHEMA)
    assert len(pd.read_parquet(out / "relations").columns) == len(SCHEMA["relations"]) + 1


def test_an_empty_table_still_exports_a_readable_dataset(tmp_path):
    store = Store(tmp_path / "empty.duckdb")
    store.init()
    export_tables(store, tmp_path / "lake", "parquet", "month")
    df = pd.read_parquet(tmp_path / "lake" / "themes")
    assert len(df) == 0 and set(SCHEMA["themes"]) <= set(df.columns)


def test_unpartitioned_export_writes_one_file_per_table_and_bad_options_are_refused(tmp_path, db):
    written = export_tables(db, tmp_path / "flat", "csv")
    assert [p.name for p in written] == [f"{n}.csv" for n in SCHEMA]
    assert len(pd.read_csv(written[0])) == 3
    with pytest.raises(StoreError, match="use month"):
        export_tables(db, tmp_path / "x", "parquet", "week")
    with pytest.raises(StoreError, match="use csv or parquet"):
        export_tables(db, tmp_path / "x", "xlsx")


def test_cli_export_partition_month(tmp_path, db):
    r = subprocess.run([sys.executable, "-m", "geolens", "export", str(tmp_path / "lake"), "--format", "parquet",
                        "--partition", "month", "--db", str(db.path)], capture_output=True, text=True, cwd=ROOT,
                       timeout=300)
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == [str(tmp_path / "lake" / n) for n in SCHEMA]
    assert len(pd.read_parquet(tmp_path / "lake" / "sentences")) == counts(db)["sentences"]
    bad = subprocess.run([sys.executable, "-m", "geolens", "export", str(tmp_path / "x"), "--partition", "year",
                          "--db", str(db.path)], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert bad.returncode == 2 and "invalid choice: 'year'" in bad.stderr
