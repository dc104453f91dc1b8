"""Ingest on a Dask LocalCluster of 2 worker processes: the same tables as a local ingest, a worker killed mid-run,
a rerun after an interrupted run.

The runs use every sixth article of ../shared/corpus (49 articles from both years, 4 shards of 16 per run) rather
than all 294: each test ingests it once or twice on top of a local reference ingest, and on a 2-core CI machine
the whole corpus would make this module take several minutes. What is tested (same ids, same rows, nothing lost
or doubled) does not depend on the count; bench/bench_dask.py runs the whole corpus through a scheduler and two
workers and checks the same equality.
"""

from __future__ import annotations

import os
import signal

import pandas as pd
import pytest

pytest.importorskip("distributed")

from geolens import pipeline  # noqa: E402
from geolens.distributed import DaskEngine, parse_address  # noqa: E402
from geolens.pipeline import ingest_articles, read_inputs  # noqa: E402
from geolens.store import Store  # noqa: E402
from geolens.tables import SCHEMA  # noqa: E402


@pytest.fixture(scope="module")
def subset(corpus_csvs):
    articles, _ = read_inputs(corpus_csvs)
    return articles[::6]


@pytest.fixture(scope="module")
def reference(tmp_path_factory, subset, nlp) -> Store:
    """The subset ingested the local way, in this process."""
    store = Store(tmp_path_factory.mktemp("ref") / "local.duckdb")
    outcomes = ingest_articles(store, subset, n_process=1)
    assert {o.status for o in outcomes} == {"added"}
    return store


@pytest.fixture(scope="module")
def engine():
    """One LocalCluster of 2 single-threaded worker processes for the module (started once: ~10 s)."""
    with DaskEngine("local:2") as e:
        assert e.workers() == 2
        yield e


def tables_of(store: Store) -> dict[str, pd.DataFrame]:
    """Every tidy table, rows in a canonical order (the time of writing left out)."""
    out = {}
    for name, cols in SCHEMA.items():
        df = store.table(name)
        if name == "articles":
            df = df.drop(columns=["added_at"])
        out[name] = df.sort_values([c for c in df.columns if c != "text"] or list(cols)).reset_index(drop=True)
    return out


def assert_same_tables(store: Store, reference: Store) -> None:
    got, want = tables_of(store), tables_of(reference)
    assert sorted(got["articles"]["article_id"]) == sorted(want["articles"]["article_id"])
    assert {n: len(df) for n, df in got.items()} == {n: len(df) for n, df in want.items()}
    for name in SCHEMA:
        pd.testing.assert_frame_equal(got[name], want[name], obj=name)
    assert got["articles"]["article_id"].is_unique


def test_parse_address_takes_a_scheduler_or_a_local_cluster_and_refuses_the_rest():
    assert parse_address("tcp://10.0.0.5:8786") == ("tcp://10.0.0.5:8786", 0)
    assert parse_address("local:3") == (None, 3)
    assert parse_address("local")[0] is None
    for bad in ("", "local:0", "10.0.0.5:8786", "local:two", "tcp://"):
        with pytest.raises(ValueError, match="--dask"):
            parse_address(bad)


def test_local_cluster_of_two_workers_gives_the_tables_of_a_local_ingest(tmp_path, engine, subset, reference):
    store = Store(tmp_path / "dask.duckdb")
    seen = []
    outcomes = ingest_articles(store, subset, engine=engine, progress=seen.append)
    assert [o.status for o in outcomes] == ["added"] * len(subset)
    assert [o.origin for o in outcomes] == [a.origin for a in subset]  # reported in input order
    assert sum(seen) == len(subset) and len(seen) == -(-len(subset) // engine.shard_size)  # one tick per shard
    assert_same_tables(store, reference)
    # Both workers analysed: the pipeline was loaded once in each (by the plugin), not shipped with the tasks.
    loaded = engine.client.run(lambda: __import__("geolens.nlp", fromlist=["x"])._PIPELINE is not None)
    assert list(loaded.values()) == [True, True]


def test_a_worker_killed_mid_run_loses_and_doubles_nothing(tmp_path, engine, subset, reference):
    before = engine.client.run(os.getpid)
    victim = sorted(before.values())[0]
    killed = []

    def progress(n):  # the first shard is back, the others are in flight on both workers: kill one of them
        if not killed:
            os.kill(victim, signal.SIGKILL)
            killed.append(victim)

    store = Store(tmp_path / "killed.duckdb")
    outcomes = ingest_articles(store, subset, engine=engine, progress=progress)
    assert killed
    assert [o.status for o in outcomes] == ["added"] * len(subset)
    assert_same_tables(store, reference)
    engine.client.wait_for_workers(2, timeout=120)  # the nanny brings a fresh worker up for the next test
    assert victim not in engine.client.run(os.getpid).values()


def test_a_rerun_after_an_interrupted_run_adds_only_what_is_missing(tmp_path, engine, subset, reference, monkeypatch):
    monkeypatch.setattr(pipeline, "WRITE_INTERVAL", 0.0)
    monkeypatch.setattr(pipeline, "WRITE_BATCH", 1)  # a write after every shard
    calls = []

    def interrupt(n):  # Ctrl-C as the third shard comes back: two shards are written, the rest is not
        calls.append(n)
        if len(calls) == 3:
            raise KeyboardInterrupt

    store = Store(tmp_path / "rerun.duckdb")
    with pytest.raises(KeyboardInterrupt):
        ingest_articles(store, subset, engine=engine, progress=interrupt)
    first = store.table("articles")
    assert len(first) == calls[0] + calls[1] and 0 < len(first) < len(subset)
    sentences = store.table("sentences")
    assert set(sentences["article_id"]) == set(first["article_id"])  # whole articles only

    outcomes = ingest_articles(store, subset, engine=engine)
    statuses = [o.status for o in outcomes]
    assert statuses.count("duplicate") == len(first)
    assert statuses.count("added") == len(subset) - len(first)
    assert_same_tables(store, reference)
