"""Articles -> analysed tidy tables -> database: the preprocessing flow shared by the CLI and the dashboard."""

from __future__ import annotations

import logging
import multiprocessing as mp
import os
import signal
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack, contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path

from geolens import settings
from geolens.countries import HOME_HINT_KEY
from geolens.ingest import Article, IngestError, Rejected, iter_input_files, read_file
from geolens.provenance import publication_country
from geolens.sandbox import die_with_parent
from geolens.store import Store, StoreError
from geolens.tables import ArticleTables, article_id, doc_to_tables

SAMPLE_DIR = settings.SAMPLE_DIR
WRITE_BATCH = 32
# A write transaction has a fixed cost (open, checks, derived rows) that the analysing workers wait on when the
# client shares their cores: while results keep coming, batches grow until this much time has passed since the last.
WRITE_INTERVAL = 10.0
WRITE_BATCH_MAX = 512
_log = logging.getLogger(__name__)


def _meta(article: Article) -> dict:
    return {
        "title": article.title,
        "source": article.source,
        "url": article.url,
        "published": article.published,
        "language": article.language,
    }


def _prepared(nlp, article: Article):
    """The article's Doc before the components run, carrying the publication's country when its address gives it."""
    doc = nlp.make_doc(article.text)
    home = publication_country(article.url) if article.url else None
    if home:
        doc.user_data[HOME_HINT_KEY] = home
    return doc


def analyse(article: Article, nlp=None) -> ArticleTables:
    """Run the pipeline over one article and return its tidy tables (nothing is stored); ValueError if it cannot."""
    result = analyse_checked(article, nlp)
    if isinstance(result, AnalysisFailure):
        raise ValueError(result.reason)
    return result


@dataclass
class AnalysisFailure:
    """An article the pipeline could not analyse, with the reason."""

    reason: str


Result = ArticleTables | AnalysisFailure


def _too_long(article: Article, limit: int) -> AnalysisFailure | None:
    if len(article.text) <= limit:
        return None
    return AnalysisFailure(
        f"could not be analysed: the text is {len(article.text):,} characters long; geolens analyses articles of "
        f"up to {limit:,} characters"
    )


def _analyse_one(nlp, article: Article) -> Result:
    try:
        return doc_to_tables(nlp(_prepared(nlp, article)), _meta(article))
    except Exception as exc:  # noqa: BLE001
        _log.exception("analysis failed on %s", article.origin)
        return AnalysisFailure(f"could not be analysed: {' '.join(str(exc).split())[:200]}")


@contextmanager
def _memory_zones(nlp):
    """spaCy memory zones over the pipeline and the relations parser, so a long-running worker's string stores
    stay bounded (a Doc must not outlive the zone: its tables are plain Python values)."""
    with ExitStack() as stack:
        stack.enter_context(nlp.memory_zone())
        relations = nlp.get_pipe("geolens_relations") if "geolens_relations" in nlp.pipe_names else None
        parser = getattr(relations, "parser", None)  # its own vocab: a zone of its own
        if parser is not None and parser is not nlp:
            stack.enter_context(parser.memory_zone())
        yield


def analyse_shard(articles: list[Article], nlp=None, batch_size: int = 16, memory_zone: bool = True) -> list[Result]:
    """The one analysis function of every ingest (CLI, pool worker, Dask worker, Upload page): the tables of
    each article of a shard, or why not, in input order.

    Runs nlp.pipe in this process (n_process=1) inside a memory zone (unless the caller holds one open over
    several shards: `memory_zone=False`). A text longer than the pipeline takes is
    refused with its length; a pipeline error on one article becomes its AnalysisFailure (and is logged), never an
    exception that would sink the shard.
    """
    if nlp is None:
        from geolens.nlp import get_pipeline

        nlp = get_pipeline()
    out: list[Result | None] = [_too_long(a, nlp.max_length) for a in articles]
    todo = [a for a, r in zip(articles, out, strict=True) if r is None]
    with _memory_zones(nlp) if memory_zone else nullcontext():
        try:
            docs = nlp.pipe((_prepared(nlp, a) for a in todo), batch_size=batch_size, n_process=1)
            done = [doc_to_tables(doc, _meta(a)) for doc, a in zip(docs, todo, strict=True)]
        except Exception:  # noqa: BLE001 - one bad article must not sink its shard: redo them one by one
            done = [_analyse_one(nlp, a) for a in todo]
    it = iter(done)
    return [r if r is not None else next(it) for r in out]


def analyse_checked(article: Article, nlp=None) -> Result:
    """The analysis of one article (analyse_shard of a one-article shard): its tables, or why not."""
    return analyse_shard([article], nlp)[0]


def _worker_init(parent_pid: int) -> None:
    die_with_parent(parent_pid)
    # Ctrl-C reaches the whole process group: the parent handles it and ends the pool; workers stay quiet.
    # (Set last: the tests read this disposition to know a worker is armed.)
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def load_pipeline():
    """Build this process's pipeline, with the parser the relations component loads on first need."""
    from geolens.nlp import get_pipeline

    nlp = get_pipeline()
    if "geolens_relations" in nlp.pipe_names:
        getattr(nlp.get_pipe("geolens_relations"), "parser", None)
    return nlp


# A pool worker keeps one memory zone open over this many articles: a zone per 8-article shard made the worker
# create its rare words again and again (~5 % of the analysis), while a zone per worker would let a long ingest grow.
WORKER_ZONE_ARTICLES = 1000
_worker_zone: dict = {"stack": None, "articles": 0}


def _indexed_shard(item: tuple[int, list[Article]]) -> tuple[int, list[Result]]:
    """A pool worker's task: analyse_shard under the worker's long memory zone."""
    zone = _worker_zone
    if zone["stack"] is None:
        from geolens.nlp import get_pipeline

        zone["stack"] = ExitStack()
        zone["stack"].enter_context(_memory_zones(get_pipeline()))
    try:
        results = analyse_shard(item[1], memory_zone=False)
    finally:
        zone["articles"] += len(item[1])
        if zone["articles"] >= WORKER_ZONE_ARTICLES:
            zone["stack"].close()  # the Docs are gone: the results are plain values
            zone["stack"], zone["articles"] = None, 0
    return item[0], results


def default_workers() -> int:
    """Worker processes for batch analysis: $GEOLENS_WORKERS, else the number of CPUs (at most 4)."""
    return settings.workers()


def shards_of(articles: list[Article], size: int) -> list[list[Article]]:
    """The articles cut into shards of `size` (the last one may be smaller)."""
    return [articles[i : i + size] for i in range(0, len(articles), size)]


def longest_first(shards: list[list[Article]]) -> list[int]:
    """Shard indices, the most text first: a long shard handed out last would keep one worker busy while the
    others have nothing left (the corpus has shards of 5x the mean length near its end)."""
    return sorted(range(len(shards)), key=lambda i: -sum(len(a.text) for a in shards[i]))


class LocalEngine:
    """Runs analyse_shard here, or in a pool of forked worker processes that each load the pipeline once."""

    shard_size = 8

    def __init__(self, n_process: int | None = None):
        self.n_process = default_workers() if n_process is None else max(1, n_process)
        self._pool = None

    def start(self) -> LocalEngine:
        """Start the worker processes (a no-op for one process)."""
        if self.n_process > 1 and self._pool is None:
            method = "fork" if "fork" in mp.get_all_start_methods() else "spawn"
            if method == "fork":
                # Loaded once here and inherited by every worker: one load's CPU instead of one per worker, and no
                # slower in wall time, since each worker would otherwise spend the same seconds loading its own.
                load_pipeline()
            ctx = mp.get_context(method)
            self._pool = ctx.Pool(self.n_process, initializer=_worker_init, initargs=(os.getpid(),))
        return self

    def run(self, shards: list[list[Article]]) -> Iterator[tuple[int, list[Result]]]:
        """(shard index, its results) for every shard, in the order they finish."""
        if self._pool is None and (self.n_process <= 1 or sum(map(len, shards)) < 4 * self.shard_size):
            for i, shard in enumerate(shards):
                yield i, analyse_shard(shard)
            return
        self.start()
        yield from self._pool.imap_unordered(_indexed_shard, ((i, shards[i]) for i in longest_first(shards)))

    def close(self) -> None:
        """End the worker processes."""
        if self._pool is not None:
            self._pool.terminate()
            self._pool.join()
            self._pool = None

    def __enter__(self) -> LocalEngine:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def analyse_many(
    articles: list[Article], *, n_process: int | None = None, chunk_size: int = 8, engine=None
) -> Iterator[Result]:
    """Analyse many articles with an engine (local worker processes by default); yields in input order.

    An article the pipeline fails on comes back as an AnalysisFailure instead of stopping the batch.
    """
    owned = engine is None
    engine = LocalEngine(n_process) if owned else engine
    shards = shards_of(articles, getattr(engine, "shard_size", chunk_size))
    waiting: dict[int, list[Result]] = {}
    nxt = 0
    try:
        for i, results in engine.run(shards):
            waiting[i] = results
            while nxt in waiting:
                yield from waiting.pop(nxt)
                nxt += 1
    finally:
        if owned:
            engine.close()


@dataclass
class Outcome:
    """What became of one input: added, duplicate or rejected (with the reason)."""

    origin: str
    status: str  # added | duplicate | rejected
    article_id: str = ""
    title: str = ""
    reason: str = ""


def read_inputs(
    paths: Iterable[str | os.PathLike], *, max_bytes: int | None = None, **overrides
) -> tuple[list[Article], list[Outcome]]:
    """Read files and folders into Articles (explicit title/source/url/published win over the files' own);
    `max_bytes` is the size limit per file (default: settings.max_file_bytes())."""
    articles: list[Article] = []
    rejected: list[Outcome] = []
    overrides = {k: v for k, v in overrides.items() if v}
    for path in iter_input_files(paths):
        try:
            items = read_file(path, max_bytes=max_bytes, **overrides)
        except IngestError as exc:
            rejected.append(Outcome(str(path), "rejected", reason=str(exc)))
            continue
        for item in items:
            if isinstance(item, Rejected):
                rejected.append(Outcome(f"{path.parent / item.origin}" if path.parent != Path(".") else item.origin,
                                        "rejected", reason=item.reason))
            else:
                articles.append(item)
    return articles, rejected


def ingest_articles(
    store: Store,
    articles: list[Article],
    *,
    n_process: int | None = None,
    progress: Callable[[int], None] | None = None,
    engine=None,
) -> list[Outcome]:
    """Analyse and store articles; duplicates (already stored, or repeated in the batch) are skipped unanalysed.

    `engine` runs the analysis (a LocalEngine of `n_process` workers by default, or geolens.distributed's
    DaskEngine); whichever it is, results are written here in batches of whole articles, one transaction each.
    """
    results: dict[int, Outcome] = {}
    if articles:
        store.check_writable(sum(len(a.text.encode("utf-8", "surrogatepass")) for a in articles))
    ids = [article_id(a.text) for a in articles]
    stored = store.stored_ids(ids)
    todo: list[tuple[int, Article]] = []
    seen: set[str] = set()
    for i, (a, aid) in enumerate(zip(articles, ids, strict=True)):
        if aid in stored or aid in seen:
            results[i] = Outcome(a.origin, "duplicate", aid, a.title)
            if progress:
                progress(1)
        else:
            seen.add(aid)
            todo.append((i, a))
    batch: list[tuple[int, Article, ArticleTables]] = []
    last_write = time.monotonic()

    def flush() -> None:
        nonlocal last_write
        for (i, _, _), outcome in zip(batch, _write(store, [(a, t) for _, a, t in batch]), strict=True):
            results[i] = outcome
        batch.clear()
        last_write = time.monotonic()

    owned = engine is None
    engine = LocalEngine(n_process) if owned else engine
    try:
        size = getattr(engine, "shard_size", 8)
        shards = [todo[k : k + size] for k in range(0, len(todo), size)]
        for s, shard_results in engine.run([[a for _, a in shard] for shard in shards]):
            for (i, a), tables in zip(shards[s], shard_results, strict=True):
                if isinstance(tables, AnalysisFailure):
                    results[i] = Outcome(a.origin, "rejected", article_id(a.text), a.title, reason=tables.reason)
                else:
                    batch.append((i, a, tables))
            if progress:
                progress(len(shard_results))
            due = len(batch) >= WRITE_BATCH and time.monotonic() - last_write >= WRITE_INTERVAL
            if due or len(batch) >= WRITE_BATCH_MAX:
                flush()
        if batch:
            flush()
    finally:
        if owned:
            engine.close()
    return [results[i] for i in range(len(articles))]


def _write(store: Store, batch: list[tuple[Article, ArticleTables]]) -> list[Outcome]:
    """Write a batch in one transaction; if it fails, fall back to one transaction per article."""
    try:
        flags = store.add_many([t for _, t in batch])
        return [
            Outcome(a.origin, "added" if ok else "duplicate", t.article_id, a.title) for (a, t), ok in zip(batch, flags, strict=True)
        ]
    except StoreError:
        raise
    except Exception:  # noqa: BLE001 - isolate the article that breaks the batch
        out = []
        for a, t in batch:
            try:
                ok = store.add(t)
                out.append(Outcome(a.origin, "added" if ok else "duplicate", t.article_id, a.title))
            except StoreError:
                raise
            except Exception as exc:  # noqa: BLE001
                out.append(Outcome(a.origin, "rejected", t.article_id, a.title, reason=f"could not be stored: {exc}"))
        return out


def ensure_seeded(store: Store) -> bool:
    """Create the database if it does not exist and load the bundled sample into it; True when seeded now."""
    if store.exists():
        store.upgrade()
        return False
    articles, _ = read_inputs([SAMPLE_DIR])
    store.init()
    ingest_articles(store, articles, n_process=1)
    return True
