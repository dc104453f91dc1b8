"""Re-tag stored articles with the (edited) taxonomy and relation cues, without re-running NER or the country component.

Themes come from the stored text and sentences; relations (geolens_relations) from the stored sentences and country
mentions, with the parser-only pipeline on the sentences naming two or more countries. Both swap in one transaction.
"""

from __future__ import annotations

import bisect
import os
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import spacy
from spacy.language import Language
from spacy.tokens import Doc

from geolens.records import Mention
from geolens.tables import SCHEMA, coerce
from geolens.themes import default_taxonomy_path, load_taxonomy

# Only what the theme matchers need: tokens, tags and lemmas (sentence bounds come from the store).
_EXCLUDE = ["parser", "ner", "senter", "sentencizer"]


@dataclass(frozen=True)
class RetagSummary:
    """What a retag did: articles re-tagged, cue hits and assigned article themes before and after."""

    taxonomy: str
    articles: int
    hits: int
    assigned: int
    assigned_before: int
    hits_before: int
    relations: int | None = None  # relation rows after (None: relations were left as they were)
    relations_before: int = 0
    interactions: int = 0  # of which not "none"
    interactions_before: int = 0

    def __str__(self) -> str:
        out = (
            f"re-tagged {self.articles} articles with {self.taxonomy}: {self.hits} cue hits "
            f"(was {self.hits_before}), {self.assigned} article themes assigned (was {self.assigned_before})"
        )
        if self.relations is not None:
            out += (f"; {self.relations} country pairs re-read, {self.interactions} of them an interaction "
                    f"(was {self.interactions_before} of {self.relations_before})")
        return out


def light_pipeline(taxonomy_path: str | os.PathLike | None = None, model: str | None = None) -> Language:
    """Tokenizer, tagger, attribute ruler and lemmatizer of the model plus the theme component."""
    from geolens.nlp import model_name

    name = model or model_name()
    try:
        nlp = spacy.load(name, exclude=_EXCLUDE)
    except OSError as exc:
        raise RuntimeError(f"spaCy model {name!r} is not installed: pip install -r requirements.txt") from exc
    path = str(Path(taxonomy_path).expanduser()) if taxonomy_path else None
    nlp.add_pipe("geolens_themes", config={"taxonomy_path": path}, last=True)
    return nlp


def _doc_with_sentences(nlp: Language, text: str, bounds: list[tuple[int, int]]) -> Doc:
    """A tokenised Doc whose sentence boundaries are the stored sentences' starts."""
    doc = nlp.make_doc(text)
    starts = sorted(s for s, _ in bounds)
    j = 0
    for tok in doc:
        if tok.i == 0:
            tok.is_sent_start = True
            continue
        new = False
        while j + 1 < len(starts) and tok.idx >= starts[j + 1]:
            j += 1
            new = True
        tok.is_sent_start = new
    return doc


def tag_texts(nlp: Language, items: list[tuple[str, str, list[tuple[int, int]]]], batch_size: int = 32):
    """Yield (article_id, themes rows, article_themes rows) for (article_id, text, sentence bounds) items."""
    docs = (_doc_with_sentences(nlp, text, bounds) for _, text, bounds in items)
    for (aid, _, bounds), doc in zip(items, nlp.pipe(docs, batch_size=batch_size), strict=True):
        starts = sorted(s for s, _ in bounds) or [0]
        hits = [
            {"article_id": aid, "sent_idx": max(0, bisect.bisect_right(starts, h.start) - 1), "start": h.start, "end": h.end,
             "theme": h.theme, "cue": h.cue}
            for h in doc._.theme_hits or []
        ]
        decisions = [
            {"article_id": aid, "theme": t.theme, "n_cues": t.n_cues, "score": t.score, "assigned": t.assigned,
             "confidence": t.confidence}
            for t in doc._.article_themes or []
        ]
        yield aid, hits, decisions


def relation_rows(tagger, items: list[tuple[str, str, list[tuple[int, int]]]], mentions: pd.DataFrame,
                  chunk: int = 500) -> pd.DataFrame:
    """The relations table recomputed for (article_id, text, sentence bounds) items from their stored mentions."""
    by_article: dict[str, list[Mention]] = {}
    cols = ["article_id", "start", "end", "surface", "kind", "entity", "country", "via"]
    for aid, start, end, surface, kind, entity, country, via in mentions[cols].itertuples(index=False):
        if pd.isna(country):
            continue
        by_article.setdefault(str(aid), []).append(Mention(
            start=int(start), end=int(end), surface=str(surface), kind=str(kind),
            entity=None if pd.isna(entity) else str(entity), country=str(country), via=None if pd.isna(via) else str(via)))
    rows: list[dict] = []
    for i in range(0, len(items), chunk):
        part = [(aid, text, bounds, by_article.get(aid, [])) for aid, text, bounds in items[i:i + chunk]]
        for aid, rels in tagger.relate_stored(part):
            rows.extend({"article_id": aid, "sent_idx": k, "a": r.a, "b": r.b, "quad": r.quad, "cue": r.cue}
                        for k, r in rels)
    return coerce(pd.DataFrame(rows, columns=list(SCHEMA["relations"])), "relations")


def retag(store, taxonomy_path: str | os.PathLike | None = None, *, nlp: Language | None = None,
          cues_path: str | os.PathLike | None = None, relations: bool = True) -> RetagSummary:
    """Re-tag every stored article from articles.text and its stored sentences; swap the theme rows in one go.

    With `relations` (the default) the relations table is recomputed too, from the stored sentences and country
    mentions with the cue lexicon at `cues_path` (data/relations/cues.yaml by default), in the same transaction:
    what an ingest with that lexicon would store. The taxonomy and the cue file are validated first: a broken file
    raises (geolens.themes.TaxonomyError naming the line, or the cue loader's error) and the stored rows stay as
    they were.
    """
    taxonomy = load_taxonomy(taxonomy_path)
    tagger = None
    if relations:
        from geolens.relations import RelationTagger

        tagger = RelationTagger(None, "geolens_relations", str(cues_path) if cues_path else None)
    nlp = nlp or light_pipeline(taxonomy.path)
    store.upgrade()  # a database from before the confidence column gets it first
    articles = store.table("articles")
    sentences = store.table("sentences")
    before = store.table("article_themes")
    hits_before = len(store.table("themes"))

    bounds: dict[str, list[tuple[int, int]]] = {}
    for row in sentences.sort_values(["article_id", "sent_idx"]).itertuples(index=False):
        bounds.setdefault(row.article_id, []).append((int(row.start), int(row.end)))
    items = [
        (str(a.article_id), str(a.text) if pd.notna(a.text) else "", bounds.get(str(a.article_id), []))
        for a in articles.itertuples(index=False)
    ]
    theme_rows: list[dict] = []
    decision_rows: list[dict] = []
    for _, hits, decisions in tag_texts(nlp, items):
        theme_rows.extend(hits)
        decision_rows.extend(decisions)
    themes = coerce(pd.DataFrame(theme_rows, columns=list(SCHEMA["themes"])), "themes")
    article_themes = coerce(pd.DataFrame(decision_rows, columns=list(SCHEMA["article_themes"])), "article_themes")
    ids = [aid for aid, _, _ in items]
    rel_before = store.table("relations") if tagger is not None else None
    rels = relation_rows(tagger, items, store.table("mentions")) if tagger is not None else None
    if ids:
        store.replace_themes(themes, article_themes, ids, relations=rels)
    extra = {}
    if rels is not None:
        extra = {"relations": len(rels), "relations_before": len(rel_before),
                 "interactions": int((rels["quad"] != "none").sum()),
                 "interactions_before": int((rel_before["quad"] != "none").sum())}
    return RetagSummary(
        taxonomy=str(taxonomy.path or default_taxonomy_path()),
        articles=len(ids),
        hits=len(themes),
        assigned=int(article_themes["assigned"].fillna(False).sum()),
        assigned_before=int(before["assigned"].fillna(False).sum()),
        hits_before=hits_before,
        **extra,
    )
