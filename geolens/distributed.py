"""Analysis on Dask.distributed: `ingest --dask tcp://HOST:PORT` or `--dask local[:N]`.

The client reads the input and cuts it into shards; every worker loads the pipeline once (PipelinePlugin: only
the model's name travels, never a pickled pipeline) and runs geolens.pipeline.analyse_shard, the very function of
a local ingest, on each shard it is given. The tidy tables come back to the client, which writes them through the
Store in batches (geolens.pipeline.ingest_articles). A shard lost with its worker is recomputed by the scheduler.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os
import re
from collections.abc import Iterator

from geolens import settings
from geolens.ingest import Article
from geolens.pipeline import Result, analyse_shard, load_pipeline
from geolens.tables import article_id

try:
    from distributed import WorkerPlugin
except ImportError:  # the engine is optional: a local ingest needs no Dask
    WorkerPlugin = object

_LOCAL = re.compile(r"local(?::(\d+))?")
_REMOTE = re.compile(r"(tcp|tls|ws|wss|inproc)://[^\s/]+")
# Analysis settings a worker must share with the client (files they name must exist on the workers too).
_FORWARDED = (settings.SPACY_MODEL_ENV, settings.TAXONOMY_ENV, settings.THEME_MODEL_ENV)
SHARD_SIZE = 16
CONNECT_TIMEOUT = 30  # seconds to reach a scheduler
RETRIES = 2  # a task that raised is tried again; a task whose worker died is rescheduled by Dask itself


def parse_address(value: str) -> tuple[str | None, int]:
    """(scheduler address, 0) for tcp://HOST:PORT and the like, or (None, N workers) for local[:N]; ValueError."""
    value = (value or "").strip()
    m = _LOCAL.fullmatch(value)
    if m:
        n = int(m.group(1)) if m.group(1) else settings.workers()
        if n < 1:
            raise ValueError(f"--dask {value}: a local cluster needs at least 1 worker")
        return None, n
    if _REMOTE.fullmatch(value):
        return value, 0
    raise ValueError(f"--dask {value!r} is not a scheduler address (use tcp://HOST:PORT, or local[:N] for N local workers)")


class PipelinePlugin(WorkerPlugin):
    """Loads the geolens pipeline once in every worker, when it joins (in a thread: the worker keeps answering)."""

    name = "geolens-pipeline"

    def __init__(self, env: dict[str, str] | None = None):
        self.env = dict(env or {})

    async def setup(self, worker) -> None:
        """Apply the client's analysis settings and build the process-wide pipeline."""
        os.environ.update(self.env)
        await asyncio.to_thread(load_pipeline)


def shard_key(shard: list[Article]) -> str:
    """A task key that names the shard's content, so a rerun asks for the same keys."""
    h = hashlib.sha256("\n".join(article_id(a.text) for a in shard).encode()).hexdigest()[:20]
    return f"geolens-shard-{h}"


class DaskEngine:
    """Runs analyse_shard on a Dask cluster: an existing scheduler, or a LocalCluster started for the run."""

    shard_size = SHARD_SIZE

    def __init__(self, address: str):
        self.address, self.n_local = parse_address(address)
        self.label = address
        self.client = None
        self._cluster = None

    def start(self) -> DaskEngine:
        """Connect (or start the local cluster) and load the pipeline on every worker."""
        if self.client is not None:
            return self
        try:
            from distributed import Client, LocalCluster
        except ImportError as exc:
            raise RuntimeError("--dask needs dask.distributed: pip install -r requirements.txt") from exc
        try:
            if self.address is None:
                self._cluster = LocalCluster(
                    n_workers=self.n_local, threads_per_worker=1, processes=True, dashboard_address=None,
                    silence_logs=logging.ERROR,
                )
                self.client = Client(self._cluster)
            else:
                self.client = Client(self.address, timeout=CONNECT_TIMEOUT)
        except (OSError, TimeoutError) as exc:
            self.close()
            raise RuntimeError(f"cannot reach the Dask scheduler at {self.label}: {_one_line(exc)}") from exc
        env = {k: os.environ[k] for k in _FORWARDED if os.environ.get(k)}
        try:
            self.client.register_plugin(PipelinePlugin(env))
        except Exception as exc:  # noqa: BLE001 - whatever the worker raised, the user gets one line
            self.close()
            raise RuntimeError(
                f"the Dask workers at {self.label} could not load the geolens pipeline (is geolens installed on "
                f"every worker?): {_one_line(exc)}"
            ) from exc
        return self

    def workers(self) -> int:
        """How many workers the scheduler has now."""
        return len(self.client.scheduler_info().get("workers", {})) if self.client is not None else 0

    def run(self, shards: list[list[Article]]) -> Iterator[tuple[int, list[Result]]]:
        """(shard index, its results) for every shard, in the order they finish; a few shards per worker are
        in flight at a time, so neither the client nor the scheduler holds the whole input twice."""
        from distributed import as_completed

        self.start()
        window = 4 * max(2, self.workers())
        pending = iter(enumerate(shards))
        index: dict[str, int] = {}
        done = as_completed()

        def submit_next() -> None:
            item = next(pending, None)
            if item is not None:
                i, shard = item
                key = shard_key(shard)
                index[key] = i
                done.add(self.client.submit(analyse_shard, shard, key=key, retries=RETRIES))

        for _ in range(window):
            submit_next()
        for future in done:
            try:
                results = future.result()
            except Exception as exc:  # noqa: BLE001 - a shard that failed on every try ends the run in one line
                raise RuntimeError(f"the Dask cluster could not analyse a shard: {_one_line(exc)}") from exc
            i = index.pop(future.key)
            future.release()
            submit_next()
            yield i, results

    def close(self) -> None:
        """Disconnect, and stop the local cluster if this engine started one."""
        if self.client is not None:
            self.client.close()
            self.client = None
        if self._cluster is not None:
            self._cluster.close()
            self._cluster = None

    def __enter__(self) -> DaskEngine:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.close()


def _one_line(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {' '.join(str(exc).split())[:300]}"
