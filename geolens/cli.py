"""`python -m geolens ...`: ingest, annotate, export, stats, delete, retag."""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

from geolens.ingest import IngestError
from geolens.store import Store, StoreError, default_db_path


def _db_option(default) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(add_help=False)
    p.add_argument("--db", metavar="PATH", default=default, help="database file (default: $GEOLENS_DB or data/geolens.duckdb)")
    return p


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the geolens command line."""
    # --db works before or after the command; the command's copy must not reset the global one.
    db = _db_option(argparse.SUPPRESS)
    parser = argparse.ArgumentParser(prog="python -m geolens", description=__doc__, parents=[_db_option(None)])
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("ingest", parents=[db], help="read articles from files or folders and store their tables")
    p.add_argument("paths", nargs="+", metavar="PATH", help=".txt .md .html .pdf .docx .csv .jsonl files or folders")
    p.add_argument("--workers", type=int, default=None, help="analysis processes (default: CPUs, at most 4)")
    p.add_argument("--dask", metavar="ADDRESS", help="analyse on a Dask cluster: tcp://HOST:PORT of its scheduler, "
                   "or local[:N] for a local cluster of N single-threaded worker processes")
    p.add_argument("--max-mb", type=float, default=None, help="size limit per file in MB (default 20)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.add_argument("--title", help="title for the article (instead of the one found in the file)")
    p.add_argument("--source", help="source name (publisher) for the articles")
    p.add_argument("--url", help="URL of the article")
    p.add_argument("--date", help="publication date, YYYY-MM-DD")

    p = sub.add_parser("annotate", parents=[db], help="JSONL {id,text} -> JSONL {id,countries,mentions,themes}")
    p.add_argument("input", metavar="IN.jsonl")
    p.add_argument("-o", "--output", metavar="OUT.jsonl", help="output file (default: standard output)")
    p.add_argument("--workers", type=int, default=None)

    p = sub.add_parser("export", parents=[db], help="write the tidy tables to a folder")
    p.add_argument("directory", metavar="DIR")
    p.add_argument("--format", choices=("csv", "parquet"), default="csv")
    p.add_argument("--partition", choices=("month",), help="hive-style folders per table by publication month")

    sub.add_parser("stats", parents=[db], help="row counts of the database")

    p = sub.add_parser("delete", parents=[db], help="delete an article and all its rows")
    p.add_argument("article_id")

    p = sub.add_parser("retag", parents=[db],
                       help="re-tag stored articles with the current taxonomy and re-read their relations")
    p.add_argument("--taxonomy", metavar="PATH", help="taxonomy file (default data/taxonomy.yaml)")
    p.add_argument("--relation-cues", metavar="PATH", help="relation cue file (default data/relations/cues.yaml)")
    p.add_argument("--themes-only", action="store_true",
                   help="keep the stored relations (faster: no parsing of the sentences that name two countries)")
    return parser


def _store(args) -> Store:
    return Store(args.db) if args.db else Store(default_db_path())


def _existing_store(args) -> Store:
    """The database of the command, which must exist and be intact (StoreError otherwise)."""
    store = _store(args)
    if not store.exists():
        raise StoreError(f"no database at {store.path}; ingest something first")
    store.check_intact()
    store.upgrade()  # a database written by an older geolens gains the columns it lacks
    return store


def _engine(args):
    """The analysis engine of an ingest: a Dask cluster with --dask, else this machine's worker processes."""
    from geolens.pipeline import LocalEngine

    if args.dask is None:
        return LocalEngine(args.workers)
    from geolens.distributed import DaskEngine, parse_address

    parse_address(args.dask)  # a bad address is refused before anything else happens
    if args.workers is not None:
        raise IngestError("--workers applies to a local ingest; with --dask, the cluster's workers analyse (local:N)")
    return DaskEngine(args.dask)


def cmd_ingest(args) -> int:
    """Read, analyse and store articles; print a summary; exit 1 when anything was rejected."""
    from tqdm import tqdm

    from geolens.pipeline import ingest_articles, read_inputs

    if args.max_mb is not None and args.max_mb <= 0:
        raise IngestError(f"--max-mb {args.max_mb:g} is not a size (give megabytes above 0)")
    max_bytes = int(args.max_mb * 1024 * 1024) if args.max_mb else None
    published = None
    if args.date:
        from geolens.ingest import parse_date

        published = parse_date(args.date)
        if published is None:
            raise IngestError(f"--date {args.date!r} is not a date (use YYYY-MM-DD)")
    engine = _engine(args)
    store = _store(args)
    store.check_writable()  # a bad database path is reported now, once, not after the analysis
    store.check_intact()
    missing = [p for p in args.paths if not Path(p).exists()]
    for p in missing:
        print(f"error: {p}: no such file or folder", file=sys.stderr)
    present = [p for p in args.paths if Path(p).exists()]
    with engine:
        if args.dask is not None:
            engine.start()  # an unreachable cluster is reported before the input is read
        articles, rejected = read_inputs(
            present, max_bytes=max_bytes, title=args.title, source=args.source, url=args.url, published=published,
        )
        with tqdm(total=len(articles), unit="article", disable=args.no_progress or not articles, file=sys.stderr) as bar:
            outcomes = ingest_articles(store, articles, progress=bar.update, engine=engine)
    outcomes += rejected
    added = [o for o in outcomes if o.status == "added"]
    dups = [o for o in outcomes if o.status == "duplicate"]
    bad = [o for o in outcomes if o.status == "rejected"]
    for o in dups:
        print(f"duplicate: {o.origin} (already stored as {o.article_id})")
    for o in bad:
        print(f"rejected: {o.origin}: {o.reason}")
    print(f"added {len(added)}, duplicates {len(dups)}, rejected {len(bad) + len(missing)} -> {store.path}")
    return 1 if (bad or missing) else 0


def cmd_annotate(args) -> int:
    """Annotate a JSONL file of {id,text} with countries, mentions and themes (the evaluation contract)."""
    from geolens.ingest import Article
    from geolens.pipeline import AnalysisFailure, analyse_many

    rows = []
    with open(args.input, encoding="utf-8") as f:
        for i, line in enumerate(f, start=1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
                rows.append((obj["id"], str(obj["text"])))
            except (json.JSONDecodeError, KeyError, TypeError) as exc:
                raise IngestError(f"{args.input} line {i}: expected a JSON object with 'id' and 'text' ({exc})") from exc
    articles = [Article(text=t, origin=str(i)) for i, t in rows]
    out_lines = []
    for (rid, _), tables in zip(rows, analyse_many(articles, n_process=args.workers), strict=True):
        if isinstance(tables, AnalysisFailure):
            print(f"warning: {rid}: {tables.reason}; written with no annotations", file=sys.stderr)
            out_lines.append(json.dumps({"id": rid, "countries": [], "mentions": [], "themes": [], "relations": []}))
            continue
        m = tables.mentions
        # The contract lists geographic mentions (toponyms and demonyms); people and organisations that carry
        # a country stay in the tables but are not places.
        with_country = m[m["country"].notna() & m["kind"].isin(["country", "place"])]
        mentions = [
            {
                "start": int(r.start),
                "end": int(r.end),
                "iso3": r.country,
                "surface": r.surface,
                "kind": r.kind,
                "via": r.via,
            }
            for r in with_country.itertuples(index=False)
        ]
        at = tables.article_themes
        pairs: dict[tuple[str, str], dict] = {}  # one relation per pair: a sentence that states one wins over none
        for r in tables.relations.itertuples(index=False):
            if (r.a, r.b) not in pairs or pairs[(r.a, r.b)]["quad"] == "none":
                pairs[(r.a, r.b)] = {"a": r.a, "b": r.b, "quad": r.quad, "cue": r.cue}
        out_lines.append(
            json.dumps(
                {
                    "id": rid,
                    "countries": sorted(set(with_country["country"].tolist())),
                    "mentions": mentions,
                    "themes": sorted(at.loc[at["assigned"].fillna(False).astype(bool), "theme"].tolist()),
                    "relations": list(pairs.values()),
                },
                ensure_ascii=False,
            )
        )
    text = "\n".join(out_lines) + ("\n" if out_lines else "")
    if args.output:
        out = Path(args.output)
        out.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=out.parent, delete=False, suffix=".tmp") as tmp:
            tmp.write(text)
        os.replace(tmp.name, out)
        print(f"annotated {len(out_lines)} articles -> {out}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


def cmd_export(args) -> int:
    """Export every tidy table as CSV or Parquet, hive-partitioned by month with --partition month."""
    from geolens.export import export_tables

    store = _existing_store(args)
    for path in export_tables(store, args.directory, args.format, args.partition):
        print(path)
    return 0


def cmd_stats(args) -> int:
    """Print row counts per table."""
    store = _existing_store(args)
    for k, v in store.stats().items():
        print(f"{k:20} {v}")
    return 0


def cmd_delete(args) -> int:
    """Delete one article by id."""
    store = _store(args)
    if store.exists():
        store.check_intact()
    if not store.exists() or not store.delete(args.article_id):
        print(f"error: no article with id {args.article_id} in {store.path}", file=sys.stderr)
        return 1
    print(f"deleted {args.article_id}")
    return 0


def cmd_retag(args) -> int:
    """Re-tag stored articles with the taxonomy file and re-read their relations with the cue file, without
    re-running the rest of the pipeline."""
    from geolens.retag import retag

    store = _existing_store(args)
    summary = retag(store, taxonomy_path=args.taxonomy, cues_path=args.relation_cues, relations=not args.themes_only)
    print(summary)
    return 0


COMMANDS = {
    "ingest": cmd_ingest,
    "annotate": cmd_annotate,
    "export": cmd_export,
    "stats": cmd_stats,
    "delete": cmd_delete,
    "retag": cmd_retag,
}


def main(argv: list[str] | None = None) -> int:
    """Entry point: parse arguments, run the command, turn known errors into one-line messages."""
    args = build_parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except (IngestError, StoreError, ValueError, OSError, RuntimeError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted; nothing half-written was kept", file=sys.stderr)
        return 130
