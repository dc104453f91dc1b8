"""The dashboard's questions as SQL over the tidy tables and their facts: filters in, small DataFrames out.

Every function takes the Store (the one gate to the database) and the Filters, runs its aggregation inside
DuckDB and returns only the rows a page shows. Nothing here loads a whole table into memory, so the same code
serves a hundred articles and a million. See geolens/facts.py for the derived tables these queries read.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from datetime import timedelta

import pandas as pd

from geolens import settings
from geolens.filters import MEASURES, Filters
from geolens.names import country_continent, country_name, theme_ids, theme_name
from geolens.store import Store

FREQS = ("week", "month")
QUADS = ("material_conflict", "verbal_conflict", "verbal_cooperation", "material_cooperation")
EXCERPT_COLUMNS = ["article_id", "title", "published", "source", "url", "sent_idx", "start", "end", "text",
                   "countries", "themes"]


# -- the selection -------------------------------------------------------------------------------
def _selection(f: Filters) -> tuple[str, dict]:
    """SQL selecting the articles that pass `f`: a, article_id, published, added_at, source, n_sentences."""
    conds, params = [], {}
    if f.countries:
        conds.append("a IN (SELECT a FROM facts_article_country WHERE country IN (SELECT unnest($countries)))")
        params["countries"] = list(f.countries)
    if f.themes:
        conds.append("a IN (SELECT a FROM facts_article_theme WHERE theme IN (SELECT unnest($themes)))")
        params["themes"] = list(f.themes)
    if f.entities:
        conds.append("a IN (SELECT a FROM facts_entity WHERE entity IN (SELECT unnest($entities)))")
        params["entities"] = list(f.entities)
    if f.start:
        conds.append("published >= $start")
        params["start"] = pd.Timestamp(f.start).to_pydatetime()
    if f.end:
        conds.append("published < $end")
        params["end"] = pd.Timestamp(f.end + timedelta(days=1)).to_pydatetime()
    if f.sources:
        conds.append("source IN (SELECT unnest($sources))")
        params["sources"] = list(f.sources)
    if f.text.strip():
        conds.append("a IN (SELECT a FROM articles WHERE "
                     "contains(lower(coalesce(title, '') || chr(10) || coalesce(text, '')), $text))")
        params["text"] = f.text.strip().lower()
    where = (" WHERE " + " AND ".join(conds)) if conds else ""
    return (f"SELECT a, article_id, published, added_at, source, n_sentences, n_excerpts FROM facts_article{where}",
            params)


def _with_selection(f: Filters, body: str, **extra) -> tuple[str, dict]:
    sel, params = _selection(f)
    params.update(extra)
    return f"WITH sel AS MATERIALIZED ({sel})\n{body}", params


def _measure(measure: str, alias: str = "ac") -> str:
    """The mention count of facts_article_country under `measure` (named / attributed / all)."""
    if measure not in MEASURES:
        raise ValueError(f"measure must be one of {MEASURES}")
    return {"named": f"{alias}.named", "attributed": f"{alias}.attributed"}.get(
        measure, f"({alias}.named + {alias}.attributed)")


def _total_columns(measure: str) -> tuple[str, str]:
    """The totals_country columns of articles and mentions under `measure`."""
    if measure not in MEASURES:
        raise ValueError(f"measure must be one of {MEASURES}")
    return {"named": ("art_named", "men_named"), "attributed": ("art_attributed", "men_attributed")}.get(
        measure, ("art_all", "(men_named + men_attributed)"))


def _sentence_measure(measure: str, alias: str) -> str:
    """The flag of facts_sentence_country / facts_sentence_pair rows that count under `measure`."""
    if measure not in MEASURES:
        raise ValueError(f"measure must be one of {MEASURES}")
    return {"named": f"{alias}.named", "attributed": f"{alias}.attributed"}.get(measure, "true")


def _assigned_clause(f: Filters, alias: str = "t") -> str:
    """The condition on facts_article_theme rows (assigned themes only) under the theme filter."""
    return f"{alias}.theme IN (SELECT unnest($themes))" if f.themes else "true"


def _strings(df: pd.DataFrame, *cols: str) -> pd.DataFrame:
    for c in cols:
        df[c] = df[c].astype("string")
    return df


def _ints(df: pd.DataFrame, *cols: str) -> pd.DataFrame:
    for c in cols:
        df[c] = df[c].fillna(0).astype("int64")
    return df


# -- options and headline figures ----------------------------------------------------------------
def filter_options(store: Store) -> dict:
    """What the filter widgets offer: countries (most articles first), themes, sources and the date span."""
    countries, present, sources, span = store.read_many([
        ("SELECT country FROM totals_country ORDER BY art_all DESC, country", None),
        ("SELECT theme FROM totals_theme", None),
        ("SELECT DISTINCT source FROM facts_article WHERE source IS NOT NULL AND source <> '' ORDER BY source", None),
        ("SELECT min(published) AS lo, max(published) AS hi FROM facts_article", None),
    ])
    catalog = theme_ids()
    extra = sorted(t for t in present["theme"].astype(str) if t not in catalog)
    lo, hi = span.iloc[0]["lo"], span.iloc[0]["hi"]
    dates = (lo.date(), hi.date()) if pd.notna(lo) else (None, None)
    return {"countries": countries["country"].astype(str).tolist(), "themes": catalog + extra,
            "sources": sources["source"].astype(str).tolist(), "dates": dates}


def summary(store: Store, f: Filters, *, measure: str = "all") -> pd.DataFrame:
    """One row of headline figures: articles, sentences, mentions, countries, themes, first and last date and
    undated articles (mentions and countries counted under `measure`)."""
    m = _measure(measure)
    if not f.active():  # the whole database: read the totals a write keeps, not millions of facts
        art, men = _total_columns(measure)
        out = store.read(f"""
            SELECT count(*) AS articles, coalesce(sum(n_sentences), 0) AS sentences,
                   (SELECT coalesce(sum({men}), 0) FROM totals_country WHERE {art} > 0) AS mentions,
                   (SELECT count(*) FROM totals_country WHERE {art} > 0) AS countries,
                   (SELECT count(*) FROM totals_theme) AS themes,
                   min(published) AS first, max(published) AS last, count(*) - count(published) AS undated
            FROM facts_article""")
        return _ints(out, "articles", "sentences", "mentions", "countries", "themes", "undated")
    sql, params = _with_selection(f, f"""
        , ac AS (SELECT ac.country, {m} AS n FROM facts_article_country ac JOIN sel USING (a) WHERE {m} > 0)
        SELECT (SELECT count(*) FROM sel) AS articles,
               (SELECT coalesce(sum(n_sentences), 0) FROM sel) AS sentences,
               (SELECT coalesce(sum(n), 0) FROM ac) AS mentions,
               (SELECT count(DISTINCT country) FROM ac) AS countries,
               (SELECT count(DISTINCT t.theme) FROM facts_article_theme t JOIN sel USING (a)) AS themes,
               (SELECT min(published) FROM sel) AS first,
               (SELECT max(published) FROM sel) AS last,
               (SELECT count(*) - count(published) FROM sel) AS undated""")
    out = store.read(sql, params)
    return _ints(out, "articles", "sentences", "mentions", "countries", "themes", "undated")


def country_counts(store: Store, f: Filters, *, measure: str = "all", limit: int | None = None) -> pd.DataFrame:
    """Per country in the selected articles: articles and mentions (most articles first), counting the mentions
    of one measure: "named" (name, demonym, capital as the state), "attributed" (places, people, organisations)
    or "all"."""
    m = _measure(measure)
    page = {"limit": limit} if limit else {}
    if not f.active():
        art, men = _total_columns(measure)
        sql, params = f"""
            SELECT country, {art} AS articles, {men} AS mentions FROM totals_country WHERE {art} > 0
            ORDER BY articles DESC, mentions DESC, country {'LIMIT $limit' if limit else ''}""", page
    else:
        sql, params = _with_selection(f, f"""
            SELECT ac.country, count(*) AS articles, sum({m}) AS mentions
            FROM facts_article_country ac JOIN sel USING (a) WHERE {m} > 0
            GROUP BY ac.country ORDER BY articles DESC, mentions DESC, ac.country
            {'LIMIT $limit' if limit else ''}""", **page)
    out = _ints(_strings(store.read(sql, params), "country"), "articles", "mentions")
    out.insert(1, "name", out["country"].map(country_name).astype("string"))
    out.insert(2, "continent", out["country"].map(country_continent).astype("string"))
    return out


def theme_counts(store: Store, f: Filters) -> pd.DataFrame:
    """Per theme assigned in the selected articles: articles, share of the selection, cue hits, mean confidence."""
    if not f.active():
        out = store.read("""
            SELECT theme, articles, cues, confidence_sum / nullif(confidence_n, 0) AS confidence,
                   articles / (SELECT count(*) FROM facts_article) AS share
            FROM totals_theme ORDER BY articles DESC, theme""")
        out = _ints(_strings(out, "theme"), "articles", "cues")
        out["share"] = out["share"].astype("float64")
        out.insert(1, "name", out["theme"].map(theme_name).astype("string"))
        return out[["theme", "name", "articles", "cues", "confidence", "share"]]
    sql, params = _with_selection(f, f"""
        SELECT t.theme, count(*) AS articles, sum(t.n_cues) AS cues, avg(t.confidence) AS confidence,
               count(*) / (SELECT count(*) FROM sel) AS share
        FROM facts_article_theme t JOIN sel USING (a) WHERE {_assigned_clause(f)}
        GROUP BY t.theme ORDER BY articles DESC, t.theme""")
    out = _ints(_strings(store.read(sql, params), "theme"), "articles", "cues")
    out["share"] = out["share"].astype("float64")
    out.insert(1, "name", out["theme"].map(theme_name).astype("string"))
    return out[["theme", "name", "articles", "cues", "confidence", "share"]]


def theme_country_matrix(store: Store, f: Filters, *, top: int = 12, measure: str = "all") -> pd.DataFrame:
    """Articles per (country, theme) for the `top` countries of the selection (countries under `measure`)."""
    m = _measure(measure)
    if not f.active():
        art, men = _total_columns(measure)
        sql, params = f"""
            WITH top_c AS (SELECT country, row_number() OVER (ORDER BY {art} DESC, {men} DESC, country) AS o
                           FROM totals_country WHERE {art} > 0 ORDER BY o LIMIT $top)
            SELECT ct.country, ct.theme, ct.{art} AS articles FROM totals_country_theme ct JOIN top_c USING (country)
            WHERE ct.{art} > 0 ORDER BY top_c.o, ct.theme""", {"top": top}
    else:
        sql, params = _matrix_sql(f, m, top)
    out = _ints(_strings(store.read(sql, params), "country", "theme"), "articles")
    out["country_name"] = out["country"].map(country_name).astype("string")
    out["theme_name"] = out["theme"].map(theme_name).astype("string")
    return out


def _matrix_sql(f: Filters, m: str, top: int) -> tuple[str, dict]:
    return _with_selection(f, f"""
        , ac AS (SELECT ac.a, ac.country, {m} AS n FROM facts_article_country ac JOIN sel USING (a)
                 WHERE {m} > 0)
        , top_c AS (SELECT country, row_number() OVER (ORDER BY count(*) DESC, sum(n) DESC, country) AS o
                    FROM ac GROUP BY country ORDER BY o LIMIT $top)
        SELECT ac.country, t.theme, count(*) AS articles
        FROM ac JOIN top_c USING (country)
        JOIN facts_article_theme t ON t.a = ac.a AND {_assigned_clause(f)}
        GROUP BY ac.country, t.theme, top_c.o ORDER BY top_c.o, t.theme""", top=top)


def _newest(f: Filters, limit: int) -> tuple[str, dict]:
    """The newest `limit` selected articles (undated last, then latest added, then first stored)."""
    return _with_selection(f, """
        , newest AS (SELECT * FROM sel ORDER BY published DESC NULLS LAST, added_at DESC NULLS LAST, a LIMIT $limit)
        """, limit=limit)


def latest_articles(store: Store, f: Filters, *, limit: int = 10, measure: str = "all") -> pd.DataFrame:
    """The most recent selected articles, with their top countries (under `measure`) and assigned themes."""
    m = _measure(measure)
    head, params = _newest(f, limit)
    sql = head + f"""
        SELECT n.article_id, x.title, n.published, n.source, x.n_words,
               coalesce((SELECT list(country ORDER BY {m} DESC, country) FROM facts_article_country ac
                         WHERE ac.a = n.a AND {m} > 0), []) AS countries,
               coalesce((SELECT list(t.theme ORDER BY t.rowid) FROM article_themes t
                         WHERE t.a = n.a AND t.assigned), []) AS themes
        FROM newest n JOIN articles x ON x.a = n.a AND x.a IN (SELECT a FROM newest)
        ORDER BY n.published DESC NULLS LAST, n.added_at DESC NULLS LAST, n.a"""
    out = store.read(sql, params)
    out["countries"] = pd.array([", ".join(country_name(c) for c in list(v)[:4])
                                 for v in out["countries"]], dtype="string")
    out["themes"] = pd.array([", ".join(theme_name(t) for t in list(v))
                              for v in out["themes"]], dtype="string")
    return _strings(out, "article_id", "title", "source")


def article_choices(store: Store, f: Filters, *, limit: int = 500) -> pd.DataFrame:
    """Selected articles for a picker: article_id and a label 'date · title', newest first."""
    head, params = _newest(f, limit)
    out = store.read(head + """
        SELECT n.article_id, coalesce(strftime(n.published, '%Y-%m-%d'), 'undated') || ' · ' ||
               coalesce(nullif(x.title, ''), '(untitled)') AS label
        FROM newest n JOIN articles x ON x.a = n.a AND x.a IN (SELECT a FROM newest)
        ORDER BY n.published DESC NULLS LAST, n.added_at DESC NULLS LAST, n.a""", params)
    return _strings(out, "article_id", "label")


def theme_volume(store: Store, f: Filters, *, freq: str = "month") -> pd.DataFrame:
    """Selected dated articles per period and assigned theme: columns period, theme, name, articles."""
    if freq not in FREQS:
        raise ValueError(f"freq must be one of {sorted(FREQS)}")
    sql, params = _with_selection(f, f"""
        SELECT date_trunc('{freq}', sel.published) AS period, t.theme, count(*) AS articles
        FROM facts_article_theme t JOIN sel USING (a)
        WHERE {_assigned_clause(f)} AND sel.published IS NOT NULL
        GROUP BY ALL ORDER BY period, t.theme""")
    out = _ints(_strings(store.read(sql, params), "theme"), "articles")
    out["period"] = pd.to_datetime(out["period"]).astype("datetime64[us]")
    out.insert(2, "name", out["theme"].map(theme_name).astype("string"))
    return out


def top_cues(store: Store, f: Filters, *, per_theme: int = 6, themes: int = 6) -> pd.DataFrame:
    """The cue words that most often triggered each of the selection's top themes."""
    sql, params = _with_selection(f, f"""
        , top_t AS (SELECT t.theme, row_number() OVER (ORDER BY count(*) DESC, t.theme) AS o
                    FROM facts_article_theme t JOIN sel USING (a) WHERE {_assigned_clause(f)}
                    GROUP BY t.theme ORDER BY o LIMIT $n_themes)
        , hits AS (SELECT c.theme, c.cue, sum(c.hits) AS hits, count(*) AS articles, any_value(top_t.o) AS o
                   FROM facts_cue c JOIN sel USING (a) JOIN top_t USING (theme) GROUP BY c.theme, c.cue)
        SELECT theme, cue, hits, articles FROM (
            SELECT *, row_number() OVER (PARTITION BY theme ORDER BY hits DESC, cue) AS r FROM hits)
        WHERE r <= $per_theme ORDER BY o, hits DESC, cue""", n_themes=themes, per_theme=per_theme)
    out = _ints(_strings(store.read(sql, params), "theme", "cue"), "hits", "articles")
    out.insert(1, "name", out["theme"].map(theme_name).astype("string"))
    return out


def co_mentions(store: Store, f: Filters, *, max_edges: int = 60, measure: str = "all") -> pd.DataFrame:
    """Country pairs in the same sentence (counted under `measure`): sentences, dominant theme and an example
    sentence per pair."""
    flag = _sentence_measure(measure, "p")
    pair_filter = ("AND (p.source IN (SELECT unnest($countries)) OR p.target IN (SELECT unnest($countries)))"
                   if f.countries else "")
    theme_filter = "AND st.theme IN (SELECT unnest($themes))" if f.themes else ""
    sql, params = _with_selection(f, f"""
        , pr AS MATERIALIZED (SELECT p.a, p.sent_idx, p.source, p.target
               FROM facts_sentence_pair p JOIN sel USING (a) WHERE {flag} {pair_filter})
        , w AS (SELECT source, target, count(*) AS sentences FROM pr GROUP BY ALL
                ORDER BY sentences DESC, source, target LIMIT $max_edges)
        , pw AS MATERIALIZED (SELECT pr.* FROM pr JOIN w USING (source, target))
        , pt AS MATERIALIZED (SELECT pw.source, pw.target, pw.a, pw.sent_idx, st.theme, st.hits
                 FROM pw JOIN facts_sentence_theme st USING (a, sent_idx) WHERE true {theme_filter})
        , dom AS (SELECT source, target, arg_min(theme, (-n, -hits, theme)) AS theme
                  FROM (SELECT source, target, theme, count(*) AS n, sum(hits) AS hits FROM pt GROUP BY ALL)
                  GROUP BY ALL)
        , first_dom AS (SELECT pt.source, pt.target, min((pt.a, pt.sent_idx)) AS k
                        FROM pt JOIN dom USING (source, target, theme) GROUP BY ALL)
        , first_any AS (SELECT source, target, min((a, sent_idx)) AS k FROM pw GROUP BY ALL)
        , ex AS (SELECT w.source, w.target, w.sentences, dom.theme,
                        coalesce(first_dom.k, first_any.k) AS k
                 FROM w LEFT JOIN dom USING (source, target) LEFT JOIN first_dom USING (source, target)
                 JOIN first_any USING (source, target))
        , ex_k AS (SELECT *, struct_extract(k, 1) AS ka, struct_extract(k, 2) AS ki FROM ex)
        SELECT ex_k.source, ex_k.target, ex_k.sentences, ex_k.theme, s.text AS example, fa.article_id
        FROM ex_k
        LEFT JOIN sentences s ON s.a = ex_k.ka AND s.sent_idx = ex_k.ki AND s.a IN (SELECT ka FROM ex_k)
        LEFT JOIN facts_article fa ON fa.a = ex_k.ka
        ORDER BY ex_k.sentences DESC, ex_k.source, ex_k.target""", max_edges=max_edges)
    out = store.read(sql, params)
    out["theme_name"] = out["theme"].map(theme_name)
    out = _ints(_strings(out, "source", "target", "theme", "theme_name", "example", "article_id"), "sentences")
    return out[["source", "target", "sentences", "theme", "theme_name", "example", "article_id"]]


def relation_sentences(store: Store, f: Filters, *, limit: int = 2000) -> pd.DataFrame:
    """Country pairs that interact in a sentence of the selected articles: the class, the cue and the sentence."""
    pair_filter = ("AND (r.a IN (SELECT unnest($countries)) OR r.b IN (SELECT unnest($countries)))"
                   if f.countries else "")
    sql, params = _with_selection(f, f"""
        , r AS (SELECT r.a AS ca, r.b AS cb, r.quad, r.cue, r.article_id, r.sent_idx, r.rowid AS o, sel.a AS n
                FROM relations r JOIN sel USING (article_id)
                WHERE r.quad IN (SELECT unnest($quads)) {pair_filter} ORDER BY o LIMIT $limit)
        SELECT r.ca AS a, r.cb AS b, r.quad, r.cue, s.text, r.article_id, r.sent_idx
        FROM r LEFT JOIN sentences s ON s.a = r.n AND s.sent_idx = r.sent_idx AND s.a IN (SELECT n FROM r)
        ORDER BY r.o""", quads=list(QUADS), limit=limit)
    out = _strings(store.read(sql, params), "a", "b", "quad", "cue", "text", "article_id")
    out["sent_idx"] = out["sent_idx"].astype("Int64")
    return out


# -- excerpts ------------------------------------------------------------------------------------
KEYWORD_SCOPE = 20_000  # a keyword search reads the sentences of at most this many most recently added articles


def keyword_floor(store: Store, *, scope: int = KEYWORD_SCOPE) -> int:
    """The lowest article number a keyword search reads: 0 when the database holds at most `scope` articles,
    else the number of the `scope`-th most recently added one.

    A keyword has no index to use, so it is matched against sentence text; with the bound as a constant,
    DuckDB skips every row group of older articles, and a search costs the same on any size of database.
    """
    top = int(store.read("SELECT coalesce(max(a), 0) AS top FROM facts_article").iloc[0]["top"])
    return top - scope + 1 if top > scope else 0


def articles_from(store: Store, f: Filters, floor: int) -> tuple[int, int]:
    """Of the selected articles, how many are numbered from `floor` on (what a keyword search reads), and how
    many there are in all."""
    sql, params = _with_selection(f, "SELECT count(*) FILTER (WHERE a >= $floor) AS searched, count(*) AS n "
                                     "FROM sel", floor=int(floor))
    row = store.read(sql, params).iloc[0]
    return int(row["searched"]), int(row["n"])


def _excerpt_rows(f: Filters, keyword: str, floor: int = 0) -> tuple[str, dict]:
    """SQL of the sentences behind the filters: rows (a, sent_idx, published), with `sel` defined.

    A sentence qualifies when its article passes the filters (so it names a filtered country and carries a
    filtered theme), the sentence itself names one of the filtered countries or carries a cue of one of the
    filtered themes, and it contains the free text and the keyword (each only when set). Either is enough: an
    article about China's economic coercion often names China in one sentence and the coercion in the next.
    With no country or theme filter, sentences naming any country or carrying a cue of a theme assigned to
    their article qualify.
    """
    parts = []
    extra: dict = {}
    if f.countries:
        parts.append("SELECT DISTINCT a, sent_idx FROM facts_sentence_country JOIN sel USING (a) "
                     "WHERE country IN (SELECT unnest($countries))")
    if f.themes:
        parts.append("SELECT DISTINCT a, sent_idx FROM facts_sentence_theme JOIN sel USING (a) "
                     "WHERE theme IN (SELECT unnest($themes))")
    if parts:
        keys = " UNION ".join(parts)
    else:
        keys = ("SELECT a, sent_idx FROM facts_sentence_country JOIN sel USING (a) UNION "
                "SELECT a, sent_idx FROM facts_sentence_theme JOIN sel USING (a)")
    needles = []
    for i, needle in enumerate(n.strip().lower() for n in (f.text, keyword) if n and n.strip()):
        needles.append(f"contains(lower(s.text), $needle{i})")
        extra[f"needle{i}"] = needle
    if needles and floor:
        needles.insert(0, "s.a >= $floor")
        extra["floor"] = int(floor)
    join = (" JOIN sentences s USING (a, sent_idx) WHERE " + " AND ".join(needles)) if needles else ""
    body = f"""
        , keys AS ({keys})
        , rows AS (SELECT k.a, k.sent_idx, sel.published FROM keys k JOIN sel USING (a){join})"""
    return _with_selection(f, body, **extra)


_EXCERPT_ORDER = "ORDER BY published DESC NULLS LAST, a, sent_idx"


def _by_article_counts(f: Filters, keyword: str) -> bool:
    """True when the excerpts are every excerpt of the selected articles, so the per-article counts kept in
    facts_article (n_excerpts) answer totals and paging without touching a sentence."""
    return not (f.countries or f.themes or f.text.strip() or keyword.strip())


def excerpt_totals(store: Store, f: Filters, *, keyword: str = "", floor: int = 0) -> tuple[int, int]:
    """How many sentences the filters and keyword select (see excerpt_keys), and from how many articles."""
    if _by_article_counts(f, keyword):
        sql, params = _with_selection(f, "SELECT coalesce(sum(n_excerpts), 0) AS n, "
                                         "count(*) FILTER (WHERE n_excerpts > 0) AS articles FROM sel")
        row = store.read(sql, params).iloc[0]
        return int(row["n"]), int(row["articles"])
    head, params = _excerpt_rows(f, keyword, floor)
    row = store.read(head + "\nSELECT count(*) AS n, count(DISTINCT a) AS articles FROM rows", params).iloc[0]
    return int(row["n"]), int(row["articles"])


def excerpt_keys(store: Store, f: Filters, *, keyword: str = "", offset: int = 0,
                 limit: int | None = None, floor: int = 0) -> pd.DataFrame:
    """The sentences behind the filters as (article_id, sent_idx), newest article first, in text order;
    `offset` and `limit` page through them; with `floor` (see keyword_floor) a keyword reads only articles
    numbered from it on."""
    if _by_article_counts(f, keyword) and limit is not None:
        return _excerpt_page_by_article(store, f, offset, limit)
    head, params = _excerpt_rows(f, keyword, floor)
    page = ""
    if limit is not None:
        page = " LIMIT $limit OFFSET $offset"
        params.update(limit=int(limit), offset=int(offset))
    out = store.read(head + f"""
        , page AS (SELECT a, sent_idx, published FROM rows {_EXCERPT_ORDER}{page})
        SELECT fa.article_id, page.sent_idx FROM page JOIN facts_article fa USING (a)
        ORDER BY page.published DESC NULLS LAST, page.a, page.sent_idx""", params)
    out["article_id"] = out["article_id"].astype("string")
    out["sent_idx"] = out["sent_idx"].astype("int64")
    return out


def _excerpt_page_by_article(store: Store, f: Filters, offset: int, limit: int) -> pd.DataFrame:
    """A page of excerpts found by walking the selected articles newest first and summing their excerpt counts:
    only the articles that hold the page are opened, whatever the size of the selection."""
    sql, params = _with_selection(f, f"""
        , ordered AS (SELECT a, published, n_excerpts,
                             sum(n_excerpts) OVER (ORDER BY published DESC NULLS LAST, a
                                                   ROWS UNBOUNDED PRECEDING) AS upto
                      FROM sel WHERE n_excerpts > 0)
        , pick AS MATERIALIZED (SELECT a, published, upto - n_excerpts AS before FROM ordered
                                WHERE upto > $offset AND upto - n_excerpts < $offset + $limit)
        , keys AS (SELECT a, sent_idx FROM facts_sentence_country WHERE a IN (SELECT a FROM pick)
                   UNION SELECT a, sent_idx FROM facts_sentence_theme WHERE a IN (SELECT a FROM pick))
        , rows AS (SELECT k.a, k.sent_idx, pick.published, pick.before FROM keys k JOIN pick USING (a))
        SELECT fa.article_id, r.sent_idx FROM rows r JOIN facts_article fa USING (a)
        {_EXCERPT_ORDER.replace("published", "r.published").replace(", a,", ", r.a,").replace("sent_idx", "r.sent_idx")}
        LIMIT $limit OFFSET $offset - (SELECT coalesce(min(before), 0) FROM pick)""",
        offset=int(offset), limit=int(limit))
    out = store.read(sql, params)
    out["article_id"] = out["article_id"].astype("string")
    out["sent_idx"] = out["sent_idx"].astype("int64")
    return out


def _keys_params(keys: pd.DataFrame) -> dict:
    return {"ids": keys["article_id"].astype(str).tolist(), "idx": [int(i) for i in keys["sent_idx"]]}


# The wanted sentences by number: (a, article_id, sent_idx, o) in the order given.
_WANT = """WITH given AS (SELECT unnest($ids::VARCHAR[]) AS article_id, unnest($idx::BIGINT[]) AS sent_idx,
                                 generate_subscripts($ids::VARCHAR[], 1) AS o)
    , want AS MATERIALIZED (SELECT fa.a, given.* FROM given JOIN facts_article fa USING (article_id))
"""


def excerpt_details(store: Store, keys: pd.DataFrame) -> pd.DataFrame:
    """The excerpt rows for sentence keys (article_id, sent_idx): article metadata, text, countries, themes."""
    if keys.empty:
        return pd.DataFrame({k: pd.Series(dtype="string") for k in EXCERPT_COLUMNS}).astype(
            {"published": "datetime64[us]", "sent_idx": "Int64", "start": "Int64", "end": "Int64"})
    out = store.read(_WANT + """
        , c AS (SELECT c.a, c.sent_idx, string_agg(c.country, ', ' ORDER BY c.country) AS countries
                FROM facts_sentence_country c JOIN want USING (a, sent_idx)
                WHERE c.a IN (SELECT a FROM want) GROUP BY ALL)
        , t AS (SELECT t.a, t.sent_idx, string_agg(t.theme, ', ' ORDER BY t.theme) AS themes
                FROM facts_sentence_theme t JOIN want USING (a, sent_idx)
                WHERE t.a IN (SELECT a FROM want) GROUP BY ALL)
        SELECT w.article_id, x.title, x.published, x.source, x.url, w.sent_idx, s.start, s."end", s.text,
               c.countries, t.themes
        FROM want w
        JOIN sentences s ON s.a = w.a AND s.sent_idx = w.sent_idx AND s.a IN (SELECT a FROM want)
        JOIN articles x ON x.a = w.a AND x.a IN (SELECT a FROM want)
        LEFT JOIN c ON c.a = w.a AND c.sent_idx = w.sent_idx
        LEFT JOIN t ON t.a = w.a AND t.sent_idx = w.sent_idx
        ORDER BY w.o""", _keys_params(keys))
    out = _strings(out, "article_id", "title", "source", "url", "text")
    out["countries"] = out["countries"].fillna("").astype("string")
    out["themes"] = out["themes"].fillna("").astype("string")
    out["published"] = pd.to_datetime(out["published"]).astype("datetime64[us]")
    for c in ("sent_idx", "start", "end"):
        out[c] = out[c].astype("Int64")
    return out[EXCERPT_COLUMNS]


def excerpts(store: Store, f: Filters, *, keyword: str = "", offset: int = 0, limit: int = 50,
             floor: int = 0) -> pd.DataFrame:
    """One page of excerpts behind the filters, with their details (see excerpt_keys)."""
    return excerpt_details(store, excerpt_keys(store, f, keyword=keyword, offset=offset, limit=limit, floor=floor))


def excerpts_csv_chunks(store: Store, f: Filters, *, keyword: str = "", cap: int, chunk: int = 5_000,
                        floor: int = 0) -> Iterator[pd.DataFrame]:
    """The excerpts behind the filters (at most `cap`), in pages of `chunk` rows, for a bounded CSV download."""
    for offset in range(0, cap, chunk):
        keys = excerpt_keys(store, f, keyword=keyword, offset=offset, limit=min(chunk, cap - offset), floor=floor)
        if keys.empty:
            return
        yield excerpt_details(store, keys).drop(columns=["start", "end"])
        if len(keys) < chunk:
            return


def sentence_spans(store: Store, rows: pd.DataFrame) -> pd.DataFrame:
    """Mentions and cues of assigned themes inside the given sentences (article_id, sent_idx): start, end, kind,
    label."""
    cols = ["article_id", "sent_idx", "start", "end", "kind", "label"]
    if rows.empty:
        return pd.DataFrame({k: pd.Series(dtype="object") for k in cols})
    keys = rows[["article_id", "sent_idx"]].drop_duplicates()
    m, t = store.read_many([
        (_WANT + """
            SELECT w.article_id, m.sent_idx, m.start, m."end", m.kind, m.entity, m.surface, m.country
            FROM mentions m JOIN want w ON m.a = w.a AND m.sent_idx = w.sent_idx
            WHERE m.a IN (SELECT a FROM want)""", _keys_params(keys)),
        (_WANT + """
            SELECT w.article_id, h.sent_idx, h.start, h."end", 'theme' AS kind, h.theme, h.cue
            FROM themes h JOIN want w ON h.a = w.a AND h.sent_idx = w.sent_idx
            JOIN article_themes t ON t.a = h.a AND t.theme = h.theme AND t.assigned AND t.a IN (SELECT a FROM want)
            WHERE h.a IN (SELECT a FROM want)""", _keys_params(keys)),
    ])
    m["label"] = m["entity"].fillna(m["surface"]) + m["country"].map(lambda x: f" ({x})" if pd.notna(x) else "")
    t["label"] = t["theme"].map(theme_name) + ": " + t["cue"].fillna("")
    return pd.concat([m[cols], t[cols]], ignore_index=True)


# -- attention, people, pairs, words (the analyst's second look) -------------------------------------
def period_totals(store: Store, f: Filters, *, freq: str = "month") -> pd.DataFrame:
    """Selected dated articles per period: columns period, articles (the denominator of attention shares)."""
    if freq not in FREQS:
        raise ValueError(f"freq must be one of {sorted(FREQS)}")
    sql, params = _with_selection(f, f"""
        SELECT date_trunc('{freq}', published) AS period, count(*) AS articles FROM sel
        WHERE published IS NOT NULL GROUP BY ALL ORDER BY period""")
    out = _ints(store.read(sql, params), "articles")
    out["period"] = pd.to_datetime(out["period"]).astype("datetime64[us]")
    return out


def period_counts(store: Store, f: Filters, *, by: str, freq: str = "month", top: int = 8,
                  measure: str = "all") -> pd.DataFrame:
    """Selected dated articles per period for each of the selection's `top` countries or themes (`by`):
    columns period, key, name, count."""
    if freq not in FREQS:
        raise ValueError(f"freq must be one of {sorted(FREQS)}")
    if by == "country":
        m = _measure(measure)
        rows = f"SELECT ac.a, ac.country AS key FROM facts_article_country ac JOIN sel USING (a) WHERE {m} > 0"
    elif by == "theme":
        rows = f"SELECT t.a, t.theme AS key FROM facts_article_theme t JOIN sel USING (a) WHERE {_assigned_clause(f)}"
    else:
        raise ValueError("by must be country or theme")
    sql, params = _with_selection(f, f"""
        , r AS MATERIALIZED ({rows})
        , top_k AS (SELECT key FROM r GROUP BY key ORDER BY count(*) DESC, key LIMIT $top)
        SELECT date_trunc('{freq}', sel.published) AS period, r.key, count(*) AS count
        FROM r JOIN top_k USING (key) JOIN sel USING (a) WHERE sel.published IS NOT NULL
        GROUP BY ALL ORDER BY period, r.key""", top=top)
    out = _ints(_strings(store.read(sql, params), "key"), "count")
    out["period"] = pd.to_datetime(out["period"]).astype("datetime64[us]")
    out.insert(2, "name", out["key"].map(country_name if by == "country" else theme_name).astype("string"))
    return out


ENTITY_WINDOW = 100_000  # most recently added articles whose people and organisations a filtered view counts


def entity_counts(store: Store, f: Filters, *, limit: int = 15) -> pd.DataFrame:
    """The selection's most mentioned people and organisations: kind, entity, country (most often given),
    articles, mentions and the themes most often assigned to their articles."""
    if not f.active():  # the whole database: the totals a write keeps
        top_sql, params = """
            , top_e AS (SELECT kind, entity, arg_max(nullif(country, ''), articles) AS country,
                               sum(articles) AS articles, sum(mentions) AS mentions
                        FROM totals_entity GROUP BY kind, entity
                        ORDER BY articles DESC, mentions DESC, entity LIMIT $limit)
            , e AS (SELECT e.kind, e.entity, e.a FROM facts_entity e
                    WHERE e.entity IN (SELECT entity FROM top_e))""", {"limit": limit}
        sql = "WITH sel AS (SELECT 1)" + top_sql
    else:
        # Counted in the selected articles among the ENTITY_WINDOW most recently added: a constant bound that
        # skips the older row groups of the largest fact table (all of them on a database of that size or less).
        top = int(store.read("SELECT coalesce(max(a), 0) AS top FROM facts_article").iloc[0]["top"])
        sql, params = _with_selection(f, """
            , e AS MATERIALIZED (SELECT e.kind, e.entity, e.a, e.country, e.mentions
                                 FROM facts_entity e JOIN sel USING (a) WHERE e.a >= $floor)
            , top_e AS (SELECT kind, entity, mode(country) AS country, count(*) AS articles,
                               sum(mentions) AS mentions
                        FROM e GROUP BY kind, entity ORDER BY articles DESC, mentions DESC, entity LIMIT $limit)""",
            limit=limit, floor=max(0, top - ENTITY_WINDOW + 1))
    sql += """
        , th AS (SELECT e.kind, e.entity, t.theme, count(*) AS n
                 FROM e JOIN top_e USING (kind, entity) JOIN facts_article_theme t ON t.a = e.a
                 GROUP BY ALL)
        SELECT top_e.*, coalesce((SELECT list(theme ORDER BY n DESC, theme)[1:3] FROM th
                                  WHERE th.kind = top_e.kind AND th.entity = top_e.entity), []) AS themes
        FROM top_e ORDER BY articles DESC, mentions DESC, entity"""
    out = _ints(_strings(store.read(sql, params), "kind", "entity", "country"), "articles", "mentions")
    out["country_name"] = out["country"].map(country_name).astype("string")
    out["themes"] = pd.array([", ".join(theme_name(t) for t in list(v)) for v in out["themes"]], dtype="string")
    return out[["kind", "entity", "country", "country_name", "articles", "mentions", "themes"]]


def pair_totals(store: Store, f: Filters, a: str, b: str, *, measure: str = "all") -> int:
    """How many sentences of the selection name both countries (under `measure`)."""
    flag = _sentence_measure(measure, "p")
    sql, params = _with_selection(f, f"""
        SELECT count(*) AS n FROM facts_sentence_pair p JOIN sel USING (a)
        WHERE p.source = $x AND p.target = $y AND {flag}""", x=min(a, b), y=max(a, b))
    return int(store.read(sql, params).iloc[0]["n"])


def pair_sentences(store: Store, f: Filters, a: str, b: str, *, measure: str = "all", offset: int = 0,
                   limit: int = 50) -> pd.DataFrame:
    """Every sentence of the selection that names both countries (a page of them, newest article first), with
    the excerpt columns."""
    flag = _sentence_measure(measure, "p")
    sql, params = _with_selection(f, f"""
        , rows AS (SELECT p.a, p.sent_idx, sel.published FROM facts_sentence_pair p JOIN sel USING (a)
                   WHERE p.source = $x AND p.target = $y AND {flag})
        , page AS (SELECT * FROM rows {_EXCERPT_ORDER} LIMIT $limit OFFSET $offset)
        SELECT fa.article_id, page.sent_idx FROM page JOIN facts_article fa USING (a)
        ORDER BY page.published DESC NULLS LAST, page.a, page.sent_idx""",
        x=min(a, b), y=max(a, b), limit=limit, offset=offset)
    return excerpt_details(store, store.read(sql, params))


def relation_counts(store: Store, f: Filters) -> pd.DataFrame:
    """Sentences per pair of countries and CAMEO quad class in the selection: source, target and one column per
    class (material_conflict … material_cooperation), pairs ordered as in co_mentions (source < target)."""
    pair_filter = ("AND (r.a IN (SELECT unnest($countries)) OR r.b IN (SELECT unnest($countries)))"
                   if f.countries else "")
    sql, params = _with_selection(f, f"""
        SELECT least(r.a, r.b) AS source, greatest(r.a, r.b) AS target, r.quad, count(*) AS n
        FROM relations r JOIN sel USING (article_id)
        WHERE r.quad IN (SELECT unnest($quads)) {pair_filter} GROUP BY ALL""", quads=list(QUADS))
    long = store.read(sql, params)
    wide = long.pivot_table(index=["source", "target"], columns="quad", values="n", aggfunc="sum", fill_value=0)
    wide = wide.reindex(columns=list(QUADS), fill_value=0).reset_index()
    wide.columns.name = None
    return _ints(_strings(wide, "source", "target"), *QUADS)


def relation_balance(store: Store, f: Filters, a: str, b: str, *, freq: str = "month") -> pd.DataFrame:
    """A pair's cooperation minus conflict per period (Goldstein-style, one point per sentence): period,
    cooperation, conflict, balance."""
    if freq not in FREQS:
        raise ValueError(f"freq must be one of {sorted(FREQS)}")
    sql, params = _with_selection(f, f"""
        SELECT date_trunc('{freq}', sel.published) AS period,
               count(*) FILTER (WHERE r.quad LIKE '%cooperation') AS cooperation,
               count(*) FILTER (WHERE r.quad LIKE '%conflict') AS conflict
        FROM relations r JOIN sel USING (article_id)
        WHERE least(r.a, r.b) = $x AND greatest(r.a, r.b) = $y AND sel.published IS NOT NULL
        GROUP BY ALL ORDER BY period""", x=min(a, b), y=max(a, b))
    out = _ints(store.read(sql, params), "cooperation", "conflict")
    out["period"] = pd.to_datetime(out["period"]).astype("datetime64[us]")
    out["balance"] = out["cooperation"] - out["conflict"]
    return out


def pair_relations(store: Store, f: Filters, a: str, b: str) -> pd.DataFrame:
    """The classified sentences of one pair in the selection: article_id, sent_idx, quad, cue."""
    sql, params = _with_selection(f, """
        SELECT r.article_id, r.sent_idx, r.quad, r.cue FROM relations r JOIN sel USING (article_id)
        WHERE least(r.a, r.b) = $x AND greatest(r.a, r.b) = $y""", x=min(a, b), y=max(a, b))
    out = _strings(store.read(sql, params), "article_id", "quad", "cue")
    out["sent_idx"] = out["sent_idx"].astype("int64")
    return out


TERM_ARTICLES = 1_000  # most recently added articles per side whose words are counted for Compare
# ...and at most this many of their sentences: the cost of the word count follows the text read, and a side
# of long articles would otherwise read ten times more than a side of short ones.
TERM_SENTENCES = 25_000


@functools.cache
def function_words() -> tuple[str, ...]:
    """English function words (data/english_function_words.txt): never distinctive, left out of term counts."""
    path = settings.DATA_DIR / "english_function_words.txt"
    return tuple(sorted({w.strip().lower() for w in path.read_text(encoding="utf-8").split() if w.strip()}))


def term_counts(store: Store, f: Filters, *, articles: int = TERM_ARTICLES, sentences: int = TERM_SENTENCES,
                stopwords: tuple[str, ...] | None = None) -> pd.DataFrame:
    """Words and two-word phrases in the sentences of the selection's most recently added articles: term, count.

    Articles are taken newest first, at most `articles` of them, until they hold `sentences` sentences.
    Words are lower-cased runs of letters (at least three); a phrase is two adjacent words, neither a stopword.
    A term seen once on a side cannot be distinctive of it, so only terms seen twice or more are returned.
    The articles are read by number, between constant bounds, so the cost does not grow with the database.
    """
    pick_sql, pick_params = _with_selection(f, """
        , recent AS (SELECT a, n_sentences FROM sel ORDER BY a DESC LIMIT $n)
        SELECT a FROM (SELECT a, sum(n_sentences) OVER (ORDER BY a DESC) - n_sentences AS before FROM recent)
        WHERE before < $budget""", n=articles, budget=sentences)
    numbers = [int(x) for x in store.read(pick_sql, pick_params)["a"]]
    if not numbers:
        return pd.DataFrame({"term": pd.Series(dtype="string"), "count": pd.Series(dtype="int64")})
    sql = r"""
        WITH texts AS MATERIALIZED (SELECT s.a, s.sent_idx, regexp_extract_all(lower(s.text), '[a-z][a-z\-]+[a-z]') AS ws
                    FROM sentences s
                    WHERE s.a BETWEEN $lo AND $hi AND s.a IN (SELECT unnest($numbers::BIGINT[])))
        , words AS (SELECT a, sent_idx, unnest(ws) AS word, generate_subscripts(ws, 1) AS pos FROM texts)
        , kept AS (SELECT * FROM words WHERE word NOT IN (SELECT unnest($stop::VARCHAR[])))
        SELECT word AS term, count(*) AS count FROM kept GROUP BY word HAVING count(*) >= 2
        UNION ALL
        SELECT x.word || ' ' || y.word AS term, count(*) AS count
        FROM kept x JOIN kept y ON x.a = y.a AND x.sent_idx = y.sent_idx AND y.pos = x.pos + 1
        GROUP BY ALL HAVING count(*) >= 2"""
    params = {"lo": min(numbers), "hi": max(numbers), "numbers": numbers,
              "stop": list(function_words() if stopwords is None else stopwords)}
    return _ints(_strings(store.read(sql, params), "term"), "count")


# -- one article ---------------------------------------------------------------------------------
def article_frames(store: Store, article_id: str) -> dict[str, pd.DataFrame]:
    """All rows of one article by table name (empty frames when it is not stored)."""
    return store.article(article_id)


def article_countries(frames: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Countries of one article: country, name, mentions, surfaces (how they were named)."""
    m = frames["mentions"].dropna(subset=["country"])
    out = (
        m.groupby("country", observed=True)
        .agg(mentions=("surface", "size"), surfaces=("surface", lambda s: ", ".join(dict.fromkeys(s))))
        .reset_index()
        .sort_values(["mentions", "country"], ascending=[False, True])
    )
    out["country"] = out["country"].astype("string")
    out.insert(1, "name", out["country"].map(country_name).astype("string"))
    return out.reset_index(drop=True)


def article_theme_evidence(frames: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Themes of one article with their evidence, most confident first.

    Columns: theme, name, assigned, confidence, score, n_cues, sent_idx, sentence, cues.
    """
    at = frames["article_themes"]
    hits = frames["themes"]
    sents = frames["sentences"][["sent_idx", "text"]]
    ev = (
        hits.groupby(["theme", "sent_idx"], observed=True)["cue"]
        .agg(lambda s: ", ".join(dict.fromkeys(s)))
        .rename("cues")
        .reset_index()
        .merge(sents, on="sent_idx", how="left")
        .rename(columns={"text": "sentence"})
    )
    at = at.assign(confidence=at["confidence"] if "confidence" in at else float("nan"))
    out = at[["theme", "assigned", "confidence", "score", "n_cues"]].merge(ev, on="theme", how="left")
    out["name"] = out["theme"].map(theme_name).astype("string")
    out["_n"] = out["cues"].fillna("").str.count(",")
    out = out.sort_values(["assigned", "confidence", "score", "theme", "_n", "sent_idx"],
                          ascending=[False, False, False, True, False, True], na_position="last").drop(columns="_n")
    cols = ["theme", "name", "assigned", "confidence", "score", "n_cues", "sent_idx", "sentence", "cues"]
    return out[cols].reset_index(drop=True)


def as_csv(df: pd.DataFrame, *, header: bool = True) -> bytes:
    """A DataFrame as UTF-8 CSV bytes (dates as ISO strings)."""
    out = df.copy()
    for col in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[col]):
            out[col] = out[col].dt.strftime("%Y-%m-%d")
    return out.to_csv(index=False, header=header).encode("utf-8")
