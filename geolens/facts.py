"""Derived tables the dashboard reads instead of the raw tidy tables, kept exact by every write.

Every stored row also carries `a`, the article's number: 1, 2, 3… in the order articles were stored. Rows are
appended in that order, so DuckDB's per-row-group min/max of `a` skips almost the whole file when a query
wants the rows of a few articles (one page of excerpts, one article): no index to hold in memory, and joins
run on integers instead of 16-character ids. `a` is storage, not part of the tidy tables' contract
(tables.SCHEMA): reads and exports of the tidy tables do not show it.

The fact tables are small projections of the tidy tables that a query would otherwise rebuild from millions of
rows on every page: article metadata without the text, which countries each article and sentence names (per
measure), the pairs of countries in a sentence, the cues of assigned themes per sentence, cue counts, and
people and organisations per article. The Store rebuilds the facts of exactly the articles a write touches,
inside the same transaction as the write, so a reader never sees tidy tables and facts that disagree.
"""

from __future__ import annotations

FACTS_VERSION = "5"  # bump when a fact table changes: open databases then rebuild them once
# Older versions whose facts stand but for the tables named: those are rebuilt and the totals recomputed (seconds,
# even at a million articles). Any other version gets a full rebuild.
PARTIAL_UPGRADES = {"3": ("facts_entity",), "4": ("facts_entity",)}
NUMBERED = ("articles", "sentences", "mentions", "themes", "article_themes")  # tidy tables with `a`

# A mention names its country when it is the country itself or the demonym of its people; anything else with a
# country (a place, a person, an organisation, a capital standing for a place) attributes it.
_NAMED = "(m.kind = 'country' OR m.via = 'demonym')"

DDL = {
    "facts_article": "a BIGINT, article_id VARCHAR, published TIMESTAMP, added_at TIMESTAMP, source VARCHAR, "
                     "n_sentences BIGINT, n_excerpts BIGINT",
    "facts_article_theme": "a BIGINT, theme VARCHAR, n_cues BIGINT, confidence DOUBLE",
    "facts_article_country": "a BIGINT, country VARCHAR, named BIGINT, attributed BIGINT",
    "facts_sentence_country": "a BIGINT, sent_idx BIGINT, country VARCHAR, named BOOLEAN, attributed BOOLEAN",
    "facts_sentence_pair": "a BIGINT, sent_idx BIGINT, source VARCHAR, target VARCHAR, named BOOLEAN, "
                           "attributed BOOLEAN",
    "facts_sentence_theme": "a BIGINT, sent_idx BIGINT, theme VARCHAR, hits BIGINT",
    "facts_cue": "a BIGINT, theme VARCHAR, cue VARCHAR, hits BIGINT",
    "facts_entity": "a BIGINT, kind VARCHAR, entity VARCHAR, country VARCHAR, mentions BIGINT",
}
TABLES = tuple(DDL)

_INSERTS = {
    "facts_article_theme": """
        INSERT INTO facts_article_theme
        SELECT t.a, t.theme, t.n_cues, t.confidence FROM {article_themes} t WHERE t.assigned""",
    "facts_article_country": """
        INSERT INTO facts_article_country
        SELECT m.a, m.country, count(*) FILTER (WHERE {named}), count(*) FILTER (WHERE NOT {named})
        FROM {mentions} m WHERE m.country IS NOT NULL GROUP BY ALL""",
    "facts_sentence_country": """
        INSERT INTO facts_sentence_country
        SELECT m.a, m.sent_idx, m.country, bool_or({named}), bool_or(NOT {named})
        FROM {mentions} m WHERE m.country IS NOT NULL AND m.sent_idx IS NOT NULL GROUP BY ALL""",
    "facts_sentence_pair": """
        INSERT INTO facts_sentence_pair
        SELECT x.a, x.sent_idx, x.country, y.country, x.named AND y.named, x.attributed AND y.attributed
        FROM facts_sentence_country x JOIN facts_sentence_country y
          ON x.a = y.a AND x.sent_idx = y.sent_idx AND x.country < y.country
        WHERE x.a IN (SELECT a FROM _touched)""",
    "facts_sentence_theme": """
        INSERT INTO facts_sentence_theme
        SELECT h.a, h.sent_idx, h.theme, count(*)
        FROM {themes} h JOIN {article_themes} t ON t.a = h.a AND t.theme = h.theme AND t.assigned
        WHERE h.sent_idx IS NOT NULL GROUP BY ALL""",
    "facts_cue": """
        INSERT INTO facts_cue
        SELECT h.a, h.theme, lower(h.cue), count(*) FROM {themes} h GROUP BY ALL""",
    # The publisher naming itself ("Wikinews asked…" in an article from en.wikinews.org) is not a subject of the
    # news: an entity whose letters are a label of its article's source host is left out.
    "facts_entity": """
        INSERT INTO facts_entity
        SELECT m.a, m.kind, m.entity, mode(m.country), count(*)
        FROM {mentions} m JOIN {articles} x USING (a)
        WHERE m.kind IN ('person', 'org') AND m.entity IS NOT NULL AND m.entity <> ''
          AND NOT list_contains(string_split(lower(coalesce(x.source, '')), '.'),
                                regexp_replace(lower(m.entity), '[^a-z0-9]', '', 'g'))
        GROUP BY m.a, m.kind, m.entity""",
    # Last: it counts the excerpts (sentences naming a country or carrying a cue of an assigned theme).
    "facts_article": """
        INSERT INTO facts_article
        SELECT a.a, a.article_id, a.published, a.added_at, a.source, coalesce(s.n, 0), coalesce(x.n, 0)
        FROM {articles} a
        LEFT JOIN (SELECT a, count(*) AS n FROM {sentences} GROUP BY a) s USING (a)
        LEFT JOIN (SELECT a, count(*) AS n FROM (
                       SELECT a, sent_idx FROM facts_sentence_country WHERE a IN (SELECT a FROM _touched)
                       UNION SELECT a, sent_idx FROM facts_sentence_theme WHERE a IN (SELECT a FROM _touched))
                   GROUP BY a) x USING (a)""",
}

# Totals over the whole database, for the view with no filter (every page's first view): one row per country,
# theme, or country and theme. A write adds the contributions of the articles it stores and subtracts those of
# the articles it replaces or deletes, so they stay exact without a rescan.
TOTALS = {
    "totals_country": "country VARCHAR PRIMARY KEY, art_named BIGINT, art_attributed BIGINT, art_all BIGINT, "
                      "men_named BIGINT, men_attributed BIGINT",
    "totals_theme": "theme VARCHAR PRIMARY KEY, articles BIGINT, cues BIGINT, confidence_sum DOUBLE, "
                    "confidence_n BIGINT",
    "totals_country_theme": "country VARCHAR, theme VARCHAR, art_named BIGINT, art_attributed BIGINT, "
                            "art_all BIGINT, PRIMARY KEY (country, theme)",
    # A person or organisation per country it was given (NULL counts as '' so it can be part of a key).
    "totals_entity": "kind VARCHAR, entity VARCHAR, country VARCHAR, articles BIGINT, mentions BIGINT, "
                     "PRIMARY KEY (kind, entity, country)",
}
_CONTRIBUTIONS = {
    "totals_country": """
        SELECT country, {s} * (named > 0)::BIGINT, {s} * (attributed > 0)::BIGINT, {s}, {s} * named,
               {s} * attributed
        FROM facts_article_country WHERE a IN (SELECT a FROM _touched)""",
    "totals_theme": """
        SELECT theme, {s}, {s} * coalesce(n_cues, 0), {s} * coalesce(confidence, 0),
               {s} * (confidence IS NOT NULL)::BIGINT
        FROM facts_article_theme WHERE a IN (SELECT a FROM _touched)""",
    "totals_country_theme": """
        SELECT ac.country, t.theme, {s} * (ac.named > 0)::BIGINT, {s} * (ac.attributed > 0)::BIGINT, {s}
        FROM facts_article_country ac JOIN facts_article_theme t USING (a)
        WHERE ac.a IN (SELECT a FROM _touched)""",
    "totals_entity": """
        SELECT kind, entity, coalesce(country, ''), {s}, {s} * mentions
        FROM facts_entity WHERE a IN (SELECT a FROM _touched)""",
}
_TOTAL_KEYS = {"totals_country": ["country"], "totals_theme": ["theme"], "totals_country_theme": ["country", "theme"],
               "totals_entity": ["kind", "entity", "country"]}
_TOTAL_VALUES = {
    "totals_country": ["art_named", "art_attributed", "art_all", "men_named", "men_attributed"],
    "totals_theme": ["articles", "cues", "confidence_sum", "confidence_n"],
    "totals_country_theme": ["art_named", "art_attributed", "art_all"],
    "totals_entity": ["articles", "mentions"],
}


def create(con) -> None:
    """Create the fact and total tables that are missing."""
    for name, cols in (DDL | TOTALS).items():
        con.execute(f"CREATE TABLE IF NOT EXISTS {name} ({cols})")


def _collect(con, sign: int) -> None:
    """Add the touched articles' contributions to the totals (sign +1) or take them away (sign -1) into _delta_*."""
    for name, sql in _CONTRIBUTIONS.items():
        con.execute(f"INSERT INTO _delta_{name} {sql.format(s=int(sign))}")


def _apply(con) -> None:
    """Fold the collected deltas into the totals and drop the rows that fell to zero."""
    for name in TOTALS:
        keys, values = _TOTAL_KEYS[name], _TOTAL_VALUES[name]
        sums = ", ".join(f"sum({v})" for v in values)
        updates = ", ".join(f"{v} = {name}.{v} + excluded.{v}" for v in values)
        con.execute(f"INSERT INTO {name} SELECT {', '.join(keys)}, {sums} FROM _delta_{name} GROUP BY ALL "
                    f"ON CONFLICT ({', '.join(keys)}) DO UPDATE SET {updates}")
        zero = "articles" if name in ("totals_theme", "totals_entity") else "art_all"
        con.execute(f"DELETE FROM {name} WHERE {zero} <= 0")
        con.execute(f"DROP TABLE _delta_{name}")


def _start_deltas(con) -> None:
    for name in TOTALS:
        con.execute(f"CREATE OR REPLACE TEMP TABLE _delta_{name} AS SELECT * FROM {name} LIMIT 0")


def present(con) -> bool:
    """True when the open database holds facts of the current shape."""
    return _version(con) == FACTS_VERSION


def _version(con) -> str | None:
    try:
        rows = con.execute("SELECT value FROM meta WHERE key = 'facts_version'").fetchall()
    except Exception:  # noqa: BLE001 - a database without meta has no facts either
        return None
    return rows[0][0] if rows else None


def ensure(con) -> None:
    """Bring the facts of an open database to the current shape: nothing when current, the totals alone when
    only they changed since (seconds, even at a million articles), else a full rebuild."""
    version = _version(con)
    if version == FACTS_VERSION:
        return
    if version in PARTIAL_UPGRADES:
        create(con)
        con.execute("CREATE OR REPLACE TEMP TABLE _touched AS SELECT a FROM articles")
        for name in PARTIAL_UPGRADES[version]:
            con.execute(f"DELETE FROM {name}")
            con.execute(_INSERTS[name].format(named=_NAMED, **{t: t for t in NUMBERED}))
        con.execute("DROP TABLE _touched")
        rebuild_totals(con)
        con.execute("INSERT OR REPLACE INTO meta VALUES ('facts_version', ?)", [FACTS_VERSION])
        return
    rebuild(con)


def next_number(con) -> int:
    """The article number `a` the next stored article gets."""
    return int(con.execute("SELECT coalesce(max(a), 0) + 1 FROM articles").fetchall()[0][0])


def _scoped(touched: str) -> dict[str, str]:
    """The tidy tables restricted to the articles numbered in `touched` (column a)."""
    return {t: f"(SELECT * FROM {t} WHERE a IN (SELECT a FROM {touched}))" for t in NUMBERED}


def refresh(con, numbers: list[int]) -> None:
    """Rebuild the facts of the articles numbered `numbers` from the tidy tables (in the caller's transaction).

    Articles that no longer exist lose their facts.
    """
    con.execute("CREATE OR REPLACE TEMP TABLE _touched AS SELECT unnest(?::BIGINT[]) AS a", [list(numbers)])
    _start_deltas(con)
    _collect(con, -1)  # what the touched articles counted for before this write
    for name in TABLES:
        con.execute(f"DELETE FROM {name} WHERE a IN (SELECT a FROM _touched)")
    for sql in _INSERTS.values():  # in dependency order: pairs after sentence countries, articles last
        con.execute(sql.format(named=_NAMED, **_scoped("_touched")))
    _collect(con, +1)
    _apply(con)
    con.execute("DROP TABLE _touched")


def numbers_of(con, article_ids: list[str]) -> list[int]:
    """The article numbers of stored article ids."""
    rows = con.execute("SELECT a FROM articles WHERE article_id IN (SELECT unnest(?::VARCHAR[]))",
                       [list(article_ids)]).fetchall()
    return [int(r[0]) for r in rows]


def rebuild_totals(con) -> None:
    """Compute the totals from the fact tables of every article (after the facts were written in bulk)."""
    for name in TOTALS:
        con.execute(f"DELETE FROM {name}")
    con.execute("CREATE OR REPLACE TEMP TABLE _touched AS SELECT a FROM facts_article")
    _start_deltas(con)
    _collect(con, +1)
    _apply(con)
    con.execute("DROP TABLE _touched")


def rebuild(con) -> None:
    """Number every article and build every fact table from scratch (a database from before the facts, or of
    an older shape)."""
    for name in NUMBERED:
        con.execute(f"ALTER TABLE {name} ADD COLUMN IF NOT EXISTS a BIGINT")
    # Keep the numbers articles already have; number the others after them, in the order they were stored.
    con.execute("""
        UPDATE articles SET a = n.a FROM (
            SELECT article_id, coalesce((SELECT max(a) FROM articles), 0)
                               + row_number() OVER (ORDER BY rowid) AS a
            FROM articles WHERE a IS NULL) n
        WHERE articles.article_id = n.article_id""")
    for name in NUMBERED[1:]:
        con.execute(f"UPDATE {name} SET a = x.a FROM articles x WHERE {name}.article_id = x.article_id "
                    f"AND {name}.a IS DISTINCT FROM x.a")
    for name in (*TABLES, *TOTALS):
        con.execute(f"DROP TABLE IF EXISTS {name}")
    create(con)
    con.execute("CREATE OR REPLACE TEMP TABLE _touched AS SELECT a FROM articles")
    for sql in _INSERTS.values():
        con.execute(sql.format(named=_NAMED, **{t: t for t in NUMBERED}))
    con.execute("DROP TABLE _touched")
    rebuild_totals(con)
    con.execute("INSERT OR REPLACE INTO meta VALUES ('facts_version', ?)", [FACTS_VERSION])
