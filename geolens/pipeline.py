"""Articles -> analysed tidy tables -> database: the preprocessing flow shared by the CLI and the dashboard."""

from __future__ import annotations

import logging
import multiprocessing as mp
import os
import signal
from collections.abc import Callable, Iterable, Iterator
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
    """Run the pipeline over one article and return its tidy tables (nothing is stored)."""
    if nlp is None:
        from geolens.nlp import get_pipeline

        nlp = get_pipeline()
    return doc_to_tables(nlp(_prepared(nlp, article)), _meta(article))


@dataclass
class AnalysisFailure:
    """An article the pipeline could not analyse, with the reason."""

    reason: str


def _analyse_chunk(chunk: list[Article]) -> list[ArticleTables | AnalysisFailure]:
    from geolens.nlp import get_pipeline

    nlp = get_pipeline()
    try:
        docs = list(nlp.pipe((_prepared(nlp, a) for a in chunk), batch_size=16))
    except Exception:  # noqa: BLE001 - one bad article must not sink its chunk: redo them one by one
        return [_analyse_one(nlp, a) for a in chunk]
    return [doc_to_tables(doc, _meta(a)) for doc, a in zip(docs, chunk, strict=True)]


def analyse_checked(article: Article, nlp=None) -> ArticleTables | AnalysisFailure:
    """The analysis step of every ingest (CLI, Upload page, batches): the tables of one article, or why not.

    A text longer than the pipeline takes is refused with its length; a pipeline error on one article becomes
    its AnalysisFailure (and is logged), never an exception that would sink a batch or a page.
    """
    if nlp is None:
        from geolens.nlp import get_pipeline

        nlp = get_pipeline()
    limit = nlp.max_length
    if len(article.text) > limit:
        return AnalysisFailure(
            f"could not be analysed: the text is {len(article.text):,} characters long; geolens analyses articles of "
            f"up to {limit:,} characters"
        )
    try:
        return doc_to_tables(nlp(_prepared(nlp, article)), _meta(article))
    except Exception as exc:  # noqa: BLE001
        _log.exception("analysis failed on %s", article.origin)
        return AnalysisFailure(f"could not be analysed: {' '.join(str(exc).split())[:200]}")


def _analyse_one(nlp, article: Article) -> ArticleTables | AnalysisFailure:
    return analyse_checked(article, nlp)


def _worker_init(parent_pid: int) -> None:
    die_with_parent(parent_pid)
    # Ctrl-C reaches the whole process group: the parent handles it and ends the pool; workers stay quiet.
    # (Set last: the tests read this disposition to know a worker is armed.)
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def default_workers() -> int:
    """Worker processes for batch analysis: $GEOLENS_WORKERS, else the number of CPUs (at most 4)."""
    return settings.workers()


def analyse_many(
    articles: list[Article], *, n_process: int | None = None, chunk_size: int = 8
) -> Iterator[ArticleTables | AnalysisFailure]:
    """Analyse many articles, in worker processes when there are enough of them; yields in input order.

    An article the pipeline fails on comes back as an AnalysisFailure instead of stopping the batch.
    """
    n_process = default_workers() if n_process is None else n_process
    chunks = [articles[i : i + chunk_size] for i in range(0, len(articles), chunk_size)]
    if n_process <= 1 or len(articles) < 4 * chunk_size:
        for chunk in chunks:
            yield from _analyse_chunk(chunk)
        return
    # Fork so workers inherit the loaded model where the parent already has it; each builds it at most once.
    method = "fork" if "fork" in mp.get_all_start_methods() else "spawn"
    with mp.get_context(method).Pool(n_process, initializer=_worker_init, initargs=(os.getpid(),)) as pool:
        for result in pool.imap(_analyse_chunk, chunks):
            yield from result


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
) -> list[Outcome]:
    """Analyse and store articles; duplicates (already stored, or repeated in the batch) are skipped unanalysed."""
    results: dict[int, Outcome] = {}
    if articles:
        store.check_writable(sum(len(a.text.encode("utf-8", "surrogatepass")) for a in articles))
    stored = store.stored_ids([article_id(a.text) for a in articles])
    todo: list[tuple[int, Article]] = []
    seen: set[str] = set()
    for i, a in enumerate(articles):
        aid = article_id(a.text)
        if aid in stored or aid in seen:
            results[i] = Outcome(a.origin, "duplicate", aid, a.title)
            if progress:
                progress(1)
        else:
            seen.add(aid)
            todo.append((i, a))
    batch: list[tuple[int, Article, ArticleTables]] = []

    def flush() -> None:
        for (i, _, _), outcome in zip(batch, _write(store, [(a, t) for _, a, t in batch]), strict=True):
            results[i] = outcome
        if progress:
            progress(len(batch))
        batch.clear()

    analysed = analyse_many([a for _, a in todo], n_process=n_process)
    for (i, a), tables in zip(todo, analysed, strict=True):
        if isinstance(tables, AnalysisFailure):
            results[i] = Outcome(a.origin, "rejected", article_id(a.text), a.title, reason=tables.reason)
            if progress:
                progress(1)
            continue
        batch.append((i, a, tables))
        if len(batch) >= WRITE_BATCH:
            flush()
    if batch:
        flush()
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
