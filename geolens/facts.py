"""Derived tables the dashboard reads instead of the raw tidy tables, kept exact by every write.

Each fact table is a small projection of the tidy tables that a query would otherwise rebuild from millions of
rows on every page: which countries each article and sentence names (per measure), the pairs of countries in a
sentence, the cues of assigned themes per sentence, cue counts, people and organisations per article, and the
sentence count per article. The Store rebuilds the facts of exactly the articles a write touches, inside the
same transaction as the write, so a reader never sees tidy tables and facts that disagree.
"""

from __future__ import annotations

FACTS_VERSION = "1"  # bump when a fact table changes shape: open databases then rebuild them once

# A mention names its country when it is the country itself or the demonym of its people; anything else with a
# country (a place, a person, an organisation, a capital standing for a place) attributes it.
_NAMED = "(m.kind = 'country' OR m.via = 'demonym')"

DDL = {
    "facts_article": "article_id VARCHAR, seq BIGINT, n_sentences BIGINT",
    "facts_article_country": "article_id VARCHAR, country VARCHAR, named BIGINT, attributed BIGINT",
    "facts_sentence_country": "article_id VARCHAR, sent_idx BIGINT, country VARCHAR, named BOOLEAN, "
                              "attributed BOOLEAN",
    "facts_sentence_pair": "article_id VARCHAR, sent_idx BIGINT, source VARCHAR, target VARCHAR, named BOOLEAN, "
                           "attributed BOOLEAN",
    "facts_sentence_theme": "article_id VARCHAR, sent_idx BIGINT, theme VARCHAR, hits BIGINT",
    "facts_cue": "article_id VARCHAR, theme VARCHAR, cue VARCHAR, hits BIGINT",
    "facts_entity": "article_id VARCHAR, kind VARCHAR, entity VARCHAR, country VARCHAR, mentions BIGINT",
}
TABLES = tuple(DDL)

# Rows of the tidy tables restricted to the articles in the temporary table _touched (column article_id).
_SCOPED = {
    t: f"(SELECT * FROM {t} WHERE article_id IN (SELECT article_id FROM _touched))"
    for t in ("articles", "sentences", "mentions", "themes", "article_themes")
}

_INSERTS = {
    "facts_article": """
        INSERT INTO facts_article
        SELECT a.article_id,
               (SELECT coalesce(max(seq), 0) FROM facts_article) + row_number() OVER (ORDER BY t.pos),
               coalesce(s.n, 0)
        FROM {articles} a JOIN _touched t USING (article_id)
        LEFT JOIN (SELECT article_id, count(*) AS n FROM {sentences} GROUP BY ALL) s USING (article_id)""",
    "facts_article_country": """
        INSERT INTO facts_article_country
        SELECT m.article_id, m.country, count(*) FILTER (WHERE {named}), count(*) FILTER (WHERE NOT {named})
        FROM {mentions} m WHERE m.country IS NOT NULL GROUP BY ALL""",
    "facts_sentence_country": """
        INSERT INTO facts_sentence_country
        SELECT m.article_id, m.sent_idx, m.country, bool_or({named}), bool_or(NOT {named})
        FROM {mentions} m WHERE m.country IS NOT NULL AND m.sent_idx IS NOT NULL GROUP BY ALL""",
    "facts_sentence_pair": """
        INSERT INTO facts_sentence_pair
        SELECT x.article_id, x.sent_idx, x.country, y.country, x.named AND y.named, x.attributed AND y.attributed
        FROM facts_sentence_country x JOIN facts_sentence_country y
          ON x.article_id = y.article_id AND x.sent_idx = y.sent_idx AND x.country < y.country
        WHERE x.article_id IN (SELECT article_id FROM _touched)""",
    "facts_sentence_theme": """
        INSERT INTO facts_sentence_theme
        SELECT h.article_id, h.sent_idx, h.theme, count(*)
        FROM {themes} h JOIN {article_themes} t ON t.article_id = h.article_id AND t.theme = h.theme AND t.assigned
        WHERE h.sent_idx IS NOT NULL GROUP BY ALL""",
    "facts_cue": """
        INSERT INTO facts_cue
        SELECT h.article_id, h.theme, lower(h.cue), count(*) FROM {themes} h GROUP BY ALL""",
    "facts_entity": """
        INSERT INTO facts_entity
        SELECT m.article_id, m.kind, m.entity, mode(m.country), count(*)
        FROM {mentions} m WHERE m.kind IN ('person', 'org') AND m.entity IS NOT NULL AND m.entity <> ''
        GROUP BY m.article_id, m.kind, m.entity""",
}


def create(con) -> None:
    """Create the fact tables that are missing."""
    for name, cols in DDL.items():
        con.execute(f"CREATE TABLE IF NOT EXISTS {name} ({cols})")


def present(con) -> bool:
    """True when the open database holds facts of the current shape."""
    try:
        row = con.execute("SELECT value FROM meta WHERE key = 'facts_version'").fetchone()
    except Exception:  # noqa: BLE001 - a database without meta has no facts either
        return False
    return bool(row) and row[0] == FACTS_VERSION


def _touch(con, article_ids: list[str] | None) -> None:
    con.execute("CREATE OR REPLACE TEMP TABLE _touched (article_id VARCHAR, pos BIGINT)")
    if article_ids is None:  # every article, in the order they were stored
        con.execute("INSERT INTO _touched SELECT article_id, rowid FROM articles")
    else:
        con.execute("INSERT INTO _touched SELECT * FROM unnest(?) WITH ORDINALITY", [list(article_ids)])


def refresh(con, article_ids: list[str], *, renumber: bool = False) -> None:
    """Rebuild the facts of `article_ids` from the tidy tables (inside the caller's transaction).

    Articles that no longer exist lose their facts. Their order number (`seq`, the tie-break of "newest first")
    is kept unless `renumber`, so a retag does not reorder anything.
    """
    _touch(con, article_ids)
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _kept AS SELECT article_id, seq FROM facts_article "
        "WHERE article_id IN (SELECT article_id FROM _touched)" + (" AND false" if renumber else "")
    )
    for name in TABLES:
        con.execute(f"DELETE FROM {name} WHERE article_id IN (SELECT article_id FROM _touched)")
    for name in TABLES:
        con.execute(_INSERTS[name].format(named=_NAMED, **_SCOPED))
    con.execute("UPDATE facts_article SET seq = k.seq FROM _kept k WHERE facts_article.article_id = k.article_id")
    con.execute("DROP TABLE _kept")
    con.execute("DROP TABLE _touched")


def rebuild(con) -> None:
    """Build every fact table from scratch (a database from before the facts, or of an older shape)."""
    for name in TABLES:
        con.execute(f"DROP TABLE IF EXISTS {name}")
    create(con)
    _touch(con, None)
    for name in TABLES:
        con.execute(_INSERTS[name].format(named=_NAMED, **{t: t for t in _SCOPED}))
    con.execute("DROP TABLE _touched")
    con.execute("INSERT OR REPLACE INTO meta VALUES ('facts_version', ?)", [FACTS_VERSION])
