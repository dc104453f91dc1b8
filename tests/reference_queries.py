"""The pandas queries of geolens 0.1, kept as the oracle the SQL aggregations are tested against.

They load every table into memory, which is exactly what geolens.aggregations avoids; the tests run both on a
small database and require the same answers, so moving the queries into DuckDB changed no figure.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from geolens.aggregations import QUADS
from geolens.filters import MEASURES, Filters
from geolens.names import country_continent, country_name, theme_ids, theme_name
from geolens.store import Store
from geolens.tables import SCHEMA, coerce, empty

FREQS = {"week": "W-MON", "month": "MS"}
def named_mask(mentions: pd.DataFrame) -> pd.Series:
    """True for the mentions that name a country (kind country, or a demonym naming its people)."""
    return (mentions["kind"] == "country").fillna(False) | (mentions["via"] == "demonym").fillna(False)


def _measure_rows(mentions: pd.DataFrame, measure: str) -> pd.DataFrame:
    """The mentions with a country that count under `measure` (named / attributed / all)."""
    if measure not in MEASURES:
        raise ValueError(f"measure must be one of {MEASURES}")
    m = mentions.dropna(subset=["country"])
    if measure == "all":
        return m
    named = named_mask(m)
    return m[named] if measure == "named" else m[~named]


# -- the loaded corpus ---------------------------------------------------------------------------
_K = 1_000_000  # sentence key = article code * _K + sent_idx (an article has far fewer sentences)


@dataclass
class Corpus:
    """All tidy tables of one database version, with the derived lookups the queries share.

    Derived tables carry `a`, the article's row number in `articles`, so a filter is one boolean array over the
    articles and selecting the rows of any table is a vectorised lookup instead of a string join.
    """

    version: int
    articles: pd.DataFrame
    sentences: pd.DataFrame
    mentions: pd.DataFrame
    themes: pd.DataFrame
    article_themes: pd.DataFrame
    # Every table of tables.SCHEMA is a field (from_frames and article_frames walk SCHEMA); a table added there
    # later (relations) must not break the pages before a query uses it.
    relations: pd.DataFrame = field(default_factory=lambda: empty("relations"))
    _memo: dict = field(default_factory=dict, repr=False)

    @classmethod
    def from_frames(cls, frames: Mapping[str, pd.DataFrame], version: int = 0) -> Corpus:
        """Build from DataFrames keyed by table name (missing tables are empty)."""
        tables = {name: coerce(frames[name], name) if name in frames else empty(name) for name in SCHEMA}
        return cls(version=version, **tables)

    def _cached(self, key: str, build):
        if key not in self._memo:
            self._memo[key] = build()
        return self._memo[key]

    def code(self, article_ids) -> np.ndarray:
        """Row numbers in `articles` of the given ids (-1 for unknown ids)."""
        index = self._cached("aid_index", lambda: pd.Index(self.articles["article_id"].astype(str)))
        return index.get_indexer(pd.Index(pd.Series(article_ids, dtype="object").astype(str)))

    def _with_code(self, df: pd.DataFrame) -> pd.DataFrame:
        out = df.copy()
        out["a"] = self.code(df["article_id"]) if len(df) else np.array([], dtype="int64")
        return out[out["a"] >= 0].reset_index(drop=True)

    @property
    def sent(self) -> pd.DataFrame:
        """Sentences with `a` and `k` (the sentence key)."""

        def build():
            s = self._with_code(self.sentences)
            s["k"] = s["a"].astype("int64") * _K + s["sent_idx"].astype("int64")
            return s

        return self._cached("sent", build)

    @property
    def sent_index(self) -> pd.Index:
        """Sentence key -> row of `sent`."""
        return self._cached("sent_index", lambda: pd.Index(self.sent["k"].to_numpy()))

    @property
    def sent_lower(self) -> np.ndarray:
        """Lower-cased sentence texts, aligned with `sent` (for keyword search)."""
        return self._cached("sent_lower", lambda: self.sent["text"].fillna("").str.lower().to_numpy(dtype=object))

    @property
    def art_country(self) -> pd.DataFrame:
        """(a, article_id, country, mentions): which countries each article mentions, how often (all measures)."""
        return self.art_country_by("all")

    def art_country_by(self, measure: str) -> pd.DataFrame:
        """art_country counting only the mentions of one measure (named / attributed / all)."""
        return self._cached(
            f"art_country:{measure}",
            lambda: self._with_code(
                _measure_rows(self.mentions, measure)
                .groupby(["article_id", "country"], observed=True)
                .size()
                .rename("mentions")
                .reset_index()
            ),
        )

    @property
    def sent_country(self) -> pd.DataFrame:
        """(a, sent_idx, k, country): each country once per sentence that names it (all measures)."""
        return self.sent_country_by("all")

    def sent_country_by(self, measure: str) -> pd.DataFrame:
        """sent_country counting only the mentions of one measure."""

        def build():
            m = self._with_code(_measure_rows(self.mentions, measure)[["article_id", "sent_idx", "country"]])
            m = m.drop_duplicates(["a", "sent_idx", "country"]).reset_index(drop=True)
            m["k"] = m["a"].astype("int64") * _K + m["sent_idx"].astype("int64")
            return m

        return self._cached(f"sent_country:{measure}", build)

    @property
    def assigned(self) -> pd.DataFrame:
        """(a, article_id, theme, n_cues, confidence) for every theme assigned at article level."""
        return self._cached(
            "assigned",
            lambda: self._with_code(
                self.article_themes.loc[
                    self.article_themes["assigned"].fillna(False).astype(bool),
                    ["article_id", "theme", "n_cues", "confidence"],
                ]
            ),
        )

    @property
    def sent_theme(self) -> pd.DataFrame:
        """(a, sent_idx, k, theme, hits): cue hits per sentence of the themes assigned to the article.

        A stray cue of a theme the article is not assigned is noise for every view built on sentences.
        """

        def build():
            t = self._with_code(self.themes)
            t = t.groupby(["a", "sent_idx", "theme"], observed=True).size().rename("hits").reset_index()
            t = t.merge(self.assigned[["a", "theme"]], on=["a", "theme"])
            t["k"] = t["a"].astype("int64") * _K + t["sent_idx"].astype("int64")
            return t

        return self._cached("sent_theme", build)

    @property
    def cue_counts(self) -> pd.DataFrame:
        """(a, theme, cue, hits): lower-cased cue hits per article and theme."""

        def build():
            t = self._with_code(self.themes)
            t["cue"] = t["cue"].str.lower()
            return t.groupby(["a", "theme", "cue"], observed=True).size().rename("hits").reset_index()

        return self._cached("cue_counts", build)

    @property
    def pairs(self) -> pd.DataFrame:
        """(a, sent_idx, k, source, target): each pair of distinct countries named in one sentence."""
        return self.pairs_by("all")

    def pairs_by(self, measure: str) -> pd.DataFrame:
        """pairs counting only the mentions of one measure."""

        def build():
            sc = self.sent_country_by(measure)[["a", "sent_idx", "k", "country"]]
            p = sc.merge(sc[["k", "country"]], on="k", suffixes=("_a", "_b"))
            p = p[p["country_a"] < p["country_b"]]
            return p.rename(columns={"country_a": "source", "country_b": "target"}).reset_index(drop=True)

        return self._cached(f"pairs:{measure}", build)

    @property
    def search_text(self) -> pd.Series:
        """Lower-cased title + text per article (aligned with `articles`), for free-text search."""
        return self._cached(
            "search_text",
            lambda: (self.articles["title"].fillna("") + "\n" + self.articles["text"].fillna("")).str.lower(),
        )


def load_corpus(store: Store) -> Corpus:
    """Every tidy table of the store as a Corpus (an empty Corpus for a missing database)."""
    version, frames = store.snapshot()
    return Corpus.from_frames(frames, version)


# -- selection -----------------------------------------------------------------------------------
def select_mask(c: Corpus, f: Filters) -> np.ndarray:
    """Boolean array over `c.articles`: True for the articles that pass the article-level filters."""
    a = c.articles
    mask = np.ones(len(a), dtype=bool)
    if f.countries:
        ac = c.art_country
        mask &= np.isin(np.arange(len(a)), ac.loc[ac["country"].isin(f.countries), "a"].to_numpy())
    if f.themes:
        at = c.assigned
        mask &= np.isin(np.arange(len(a)), at.loc[at["theme"].isin(f.themes), "a"].to_numpy())
    if f.start:
        mask &= (a["published"] >= pd.Timestamp(f.start)).fillna(False).to_numpy(dtype=bool)
    if f.end:
        mask &= (a["published"] < pd.Timestamp(f.end) + pd.Timedelta(days=1)).fillna(False).to_numpy(dtype=bool)
    if f.sources:
        mask &= a["source"].isin(f.sources).fillna(False).to_numpy(dtype=bool)
    if f.text.strip():
        mask &= c.search_text.str.contains(f.text.strip().lower(), regex=False).fillna(False).to_numpy(dtype=bool)
    return mask


def _rows(df: pd.DataFrame, mask: np.ndarray) -> pd.DataFrame:
    """The rows of a derived table (with column `a`) whose article is selected."""
    return df[mask[df["a"].to_numpy()]] if len(df) else df


def select_articles(c: Corpus, f: Filters) -> pd.DataFrame:
    """The articles (without their text) that pass the article-level filters."""
    cols = [col for col in c.articles.columns if col != "text"]
    return c.articles.loc[select_mask(c, f), cols].reset_index(drop=True)


def filter_options(c: Corpus) -> dict:
    """What the filter widgets offer: countries (by frequency), themes, sources and the date span."""
    ac = c.art_country
    countries = ac.groupby("country").size().sort_values(ascending=False).index.astype(str).tolist() if len(ac) else []
    catalog = theme_ids()
    present = c.article_themes["theme"].dropna().astype(str).unique().tolist()
    themes = catalog + sorted(t for t in present if t not in catalog)
    sources = sorted(s for s in c.articles["source"].dropna().astype(str).unique() if s)
    pub = c.articles["published"].dropna()
    span = (pub.min().date(), pub.max().date()) if len(pub) else (None, None)
    return {"countries": countries, "themes": themes, "sources": sources, "dates": span}


# -- aggregations --------------------------------------------------------------------------------
def summary(c: Corpus, f: Filters, *, measure: str = "all") -> pd.DataFrame:
    """One row of headline figures: articles, sentences, mentions, countries, themes, first and last date
    (mentions and countries counted under `measure`)."""
    mask = select_mask(c, f)
    ac = _rows(c.art_country_by(measure), mask)
    pub = c.articles.loc[mask, "published"]
    dated = pub.dropna()
    return pd.DataFrame(
        [
            {
                "articles": int(mask.sum()),
                "sentences": int(mask[c.sent["a"].to_numpy()].sum()) if len(c.sent) else 0,
                "mentions": int(ac["mentions"].sum()) if len(ac) else 0,
                "countries": int(ac["country"].nunique()),
                "themes": int(_rows(c.assigned, mask)["theme"].nunique()),
                "first": dated.min() if len(dated) else pd.NaT,
                "last": dated.max() if len(dated) else pd.NaT,
                "undated": int(pub.isna().sum()),
            }
        ]
    )


def _country_counts(c: Corpus, mask: np.ndarray, measure: str = "all") -> pd.DataFrame:
    ac = _rows(c.art_country_by(measure), mask)
    out = (
        ac.groupby("country", observed=True)
        .agg(articles=("a", "size"), mentions=("mentions", "sum"))
        .reset_index()
        .sort_values(["articles", "mentions", "country"], ascending=[False, False, True])
        .reset_index(drop=True)
    )
    out["country"] = out["country"].astype("string")
    out["articles"] = out["articles"].astype("int64")
    out["mentions"] = out["mentions"].astype("int64")
    out.insert(1, "name", out["country"].map(country_name).astype("string"))
    out.insert(2, "continent", out["country"].map(country_continent).astype("string"))
    return out


def country_counts(c: Corpus, f: Filters, *, measure: str = "all") -> pd.DataFrame:
    """Per country in the selected articles: articles and mentions (most articles first), counting the mentions
    of one measure: "named" (name, demonym, capital as the state), "attributed" (places, people, organisations)
    or "all"."""
    return _country_counts(c, select_mask(c, f), measure)


def _assigned(c: Corpus, mask: np.ndarray, f: Filters) -> pd.DataFrame:
    at = _rows(c.assigned, mask)
    return at[at["theme"].isin(f.themes)] if f.themes else at


def theme_counts(c: Corpus, f: Filters) -> pd.DataFrame:
    """Per theme assigned in the selected articles: articles, share of the selection, cue hits, mean confidence."""
    mask = select_mask(c, f)
    n = int(mask.sum())
    at = _assigned(c, mask, f)
    out = at.groupby("theme", observed=True).agg(
        articles=("a", "size"), cues=("n_cues", "sum"), confidence=("confidence", "mean")
    ).reset_index()
    out["articles"] = out["articles"].astype("int64")
    out["cues"] = out["cues"].fillna(0).astype("int64")
    out["share"] = out["articles"] / n if n else 0.0
    out["theme"] = out["theme"].astype("string")
    out.insert(1, "name", out["theme"].map(theme_name).astype("string"))
    return out.sort_values(["articles", "theme"], ascending=[False, True]).reset_index(drop=True)


def theme_country_matrix(c: Corpus, f: Filters, *, top: int = 12, measure: str = "all") -> pd.DataFrame:
    """Articles per (country, theme) for the `top` countries of the selection (countries under `measure`)."""
    mask = select_mask(c, f)
    top_c = _country_counts(c, mask, measure).head(top)
    ac = _rows(c.art_country_by(measure), mask)
    ac = ac[ac["country"].isin(top_c["country"])]
    m = ac[["a", "country"]].merge(_assigned(c, mask, f)[["a", "theme"]], on="a")
    out = m.groupby(["country", "theme"], observed=True).size().rename("articles").reset_index()
    out["country"] = out["country"].astype("string")
    out["theme"] = out["theme"].astype("string")
    out["articles"] = out["articles"].astype("int64")
    out["country_name"] = out["country"].map(country_name).astype("string")
    out["theme_name"] = out["theme"].map(theme_name).astype("string")
    order = {iso: i for i, iso in enumerate(top_c["country"])}
    out["_o"] = out["country"].map(order)
    return out.sort_values(["_o", "theme"]).drop(columns="_o").reset_index(drop=True)


def _newest(c: Corpus, mask: np.ndarray, limit: int) -> pd.DataFrame:
    cols = [col for col in c.articles.columns if col != "text"]
    sel = c.articles.loc[mask, cols].assign(a=np.flatnonzero(mask))
    return sel.sort_values(["published", "added_at", "a"], ascending=[False, False, True], na_position="last").head(
        limit)


def latest_articles(c: Corpus, f: Filters, *, limit: int = 10, measure: str = "all") -> pd.DataFrame:
    """The most recent selected articles, with their top countries (under `measure`) and assigned themes."""
    sel = _newest(c, select_mask(c, f), limit)
    codes = set(sel["a"].tolist())
    acm = c.art_country_by(measure)
    ac = acm[acm["a"].isin(codes)].sort_values(["mentions", "country"], ascending=[False, True])
    countries: dict[int, list[str]] = {}
    for a, iso in zip(ac["a"], ac["country"], strict=True):
        countries.setdefault(a, []).append(country_name(iso))
    at = c.assigned[c.assigned["a"].isin(codes)]
    themes: dict[int, list[str]] = {}
    for a, t in zip(at["a"], at["theme"], strict=True):
        themes.setdefault(a, []).append(theme_name(t))
    out = sel[["article_id", "title", "published", "source", "n_words"]].copy()
    out["countries"] = pd.array([", ".join(countries.get(a, [])[:4]) for a in sel["a"]], dtype="string")
    out["themes"] = pd.array([", ".join(themes.get(a, [])) for a in sel["a"]], dtype="string")
    return out.reset_index(drop=True)


def theme_volume(c: Corpus, f: Filters, *, freq: str = "month") -> pd.DataFrame:
    """Selected dated articles per period and assigned theme: columns period, theme, name, articles."""
    if freq not in FREQS:
        raise ValueError(f"freq must be one of {sorted(FREQS)}")
    at = _assigned(c, select_mask(c, f), f)
    m = at.assign(published=c.articles["published"].to_numpy()[at["a"].to_numpy()]).dropna(subset=["published"])
    if m.empty:
        return pd.DataFrame(
            {"period": pd.Series(dtype="datetime64[us]"), "theme": pd.Series(dtype="string"),
             "name": pd.Series(dtype="string"), "articles": pd.Series(dtype="int64")}
        )
    m["period"] = m["published"].dt.to_period("W-SUN" if freq == "week" else "M").dt.start_time
    out = m.groupby(["period", "theme"], observed=True).size().rename("articles").reset_index()
    out["theme"] = out["theme"].astype("string")
    out["articles"] = out["articles"].astype("int64")
    out.insert(2, "name", out["theme"].map(theme_name).astype("string"))
    return out.sort_values(["period", "theme"]).reset_index(drop=True)


def top_cues(c: Corpus, f: Filters, *, per_theme: int = 6, themes: int = 6) -> pd.DataFrame:
    """The cue words that most often triggered each of the selection's top themes."""
    mask = select_mask(c, f)
    tc = theme_counts(c, f).head(themes)
    h = _rows(c.cue_counts, mask)
    h = h[h["theme"].isin(tc["theme"])]
    out = (
        h.groupby(["theme", "cue"], observed=True)
        .agg(hits=("hits", "sum"), articles=("a", "size"))
        .reset_index()
        .sort_values(["theme", "hits", "cue"], ascending=[True, False, True])
    )
    out = out.groupby("theme", observed=True).head(per_theme)
    order = {t: i for i, t in enumerate(tc["theme"])}
    out["_o"] = out["theme"].map(order)
    out = out.sort_values(["_o", "hits"], ascending=[True, False]).drop(columns="_o")
    out["theme"] = out["theme"].astype("string")
    out["hits"] = out["hits"].astype("int64")
    out["articles"] = out["articles"].astype("int64")
    out.insert(1, "name", out["theme"].map(theme_name).astype("string"))
    return out.reset_index(drop=True)


def co_mentions(c: Corpus, f: Filters, *, max_edges: int = 60, measure: str = "all") -> pd.DataFrame:
    """Country pairs in the same sentence (counted under `measure`): sentences, dominant theme and an example
    sentence per pair."""
    cols = ["source", "target", "sentences", "theme", "theme_name", "example", "article_id"]
    mask = select_mask(c, f)
    pr = _rows(c.pairs_by(measure), mask)
    if f.countries:
        pr = pr[pr["source"].isin(f.countries) | pr["target"].isin(f.countries)]
    if pr.empty:
        return pd.DataFrame({k: pd.Series(dtype="string") for k in cols}).astype({"sentences": "int64"})
    w = pr.groupby(["source", "target"], observed=True).size().rename("sentences").reset_index()
    w = w.sort_values(["sentences", "source", "target"], ascending=[False, True, True]).head(max_edges)
    pr = pr.merge(w[["source", "target"]], on=["source", "target"])
    # Dominant theme: the (assigned) theme carried by most of the pair's sentences.
    st = _rows(c.sent_theme, mask)
    if f.themes:
        st = st[st["theme"].isin(f.themes)]
    st = st[st["k"].isin(set(pr["k"].tolist()))]
    pt = pr[["source", "target", "k"]].merge(st[["k", "theme", "hits"]], on="k")
    dom = (
        pt.groupby(["source", "target", "theme"], observed=True)
        .agg(n=("k", "size"), hits=("hits", "sum"))
        .reset_index()
        .sort_values(["n", "hits", "theme"], ascending=[False, False, True])
        .drop_duplicates(["source", "target"])
    )
    out = w.merge(dom[["source", "target", "theme"]], on=["source", "target"], how="left")
    # Example: the first sentence carrying the dominant theme, else the pair's first sentence.
    has = pt.merge(out[["source", "target", "theme"]], on=["source", "target", "theme"])[["source", "target", "k"]]
    first_any = pr.sort_values("k").drop_duplicates(["source", "target"])[["source", "target", "k"]]
    first_dom = has.sort_values("k").drop_duplicates(["source", "target"])
    ex = pd.concat([first_dom, first_any]).drop_duplicates(["source", "target"])
    rows = c.sent.iloc[c.sent_index.get_indexer(ex["k"].to_numpy())]
    ex = ex.assign(example=rows["text"].to_numpy(), article_id=rows["article_id"].to_numpy())
    out = out.merge(ex[["source", "target", "example", "article_id"]], on=["source", "target"], how="left")
    out["theme_name"] = out["theme"].map(theme_name)
    out = out.astype({"source": "string", "target": "string", "theme": "string", "theme_name": "string",
                      "example": "string", "article_id": "string", "sentences": "int64"})
    return out[cols].sort_values(["sentences", "source", "target"], ascending=[False, True, True]).reset_index(
        drop=True)


def excerpt_keys(c: Corpus, f: Filters, *, keyword: str = "") -> pd.DataFrame:
    """The sentences behind the filters as (article_id, sent_idx), newest article first, in text order.

    A sentence qualifies when its article passes the filters and it names one of the filtered countries,
    carries a cue of one of the filtered themes, and contains the free text and the keyword (each only when
    set). With no country or theme filter, sentences naming any country or carrying a cue of a theme assigned
    to their article qualify.
    """
    mask = select_mask(c, f)
    sc = _rows(c.sent_country, mask)
    st = _rows(c.sent_theme, mask)
    want = None
    if f.countries:
        want = np.unique(sc.loc[sc["country"].isin(f.countries), "k"].to_numpy())
    if f.themes:
        kt = np.unique(st.loc[st["theme"].isin(f.themes), "k"].to_numpy())
        # 0.1 intersected the two (a sentence had to carry both); issue 13 made it either, in articles with both.
        want = kt if want is None else np.union1d(want, kt)
    if want is None:
        want = np.union1d(sc["k"].to_numpy(), st["k"].to_numpy())
    pos = c.sent_index.get_indexer(want)
    pos = pos[pos >= 0]
    for needle in (f.text, keyword):
        if needle and needle.strip():
            low = c.sent_lower[pos]
            n = needle.strip().lower()
            pos = pos[np.fromiter((n in t for t in low), dtype=bool, count=len(low))]
    rows = c.sent[["a", "article_id", "sent_idx"]].iloc[pos]
    rows = rows.assign(published=c.articles["published"].to_numpy()[rows["a"].to_numpy()])
    rows = rows.sort_values(["published", "a", "sent_idx"], ascending=[False, True, True], na_position="last")
    return rows[["article_id", "sent_idx"]].reset_index(drop=True)


def _joined(rows: pd.DataFrame, col: str, keys: np.ndarray) -> list[str]:
    """Per sentence key, the sorted distinct `col` values of `rows` (with column k), comma-joined."""
    kr = rows["k"].to_numpy()
    sel = np.isin(kr, keys)
    sub = pd.DataFrame({"k": kr[sel], "v": rows[col].astype(str).to_numpy()[sel]}).drop_duplicates()
    sub = sub.sort_values(["k", "v"])
    ks, vs = sub["k"].to_numpy(), sub["v"].to_numpy(dtype=object)
    uk, starts = np.unique(ks, return_index=True)
    ends = np.append(starts[1:], len(ks))[: len(starts)]
    joined = {int(k): ", ".join(vs[i:j]) for k, i, j in zip(uk, starts, ends, strict=True)}
    return [joined.get(int(k), "") for k in keys]


def excerpt_details(c: Corpus, keys: pd.DataFrame) -> pd.DataFrame:
    """The excerpt rows for sentence keys (article_id, sent_idx): article metadata, text, countries, themes."""
    cols = ["article_id", "title", "published", "source", "url", "sent_idx", "start", "end", "text", "countries",
            "themes"]
    if keys.empty:
        return pd.DataFrame({k: pd.Series(dtype="string") for k in cols}).astype(
            {"published": "datetime64[us]", "sent_idx": "Int64", "start": "Int64", "end": "Int64"})
    k = c.code(keys["article_id"]).astype("int64") * _K + keys["sent_idx"].astype("int64").to_numpy()
    pos = c.sent_index.get_indexer(k)
    s = c.sent[["a", "k", "article_id", "sent_idx", "start", "end", "text"]].iloc[pos[pos >= 0]].reset_index(drop=True)
    # Never take the `text` column here: copying article texts row by row would dominate the cost.
    meta = c.articles[["title", "published", "source", "url"]].iloc[s["a"].to_numpy()].reset_index(drop=True)
    out = pd.DataFrame({
        "article_id": s["article_id"], "title": meta["title"], "published": meta["published"],
        "source": meta["source"], "url": meta["url"], "sent_idx": s["sent_idx"], "start": s["start"],
        "end": s["end"], "text": s["text"],
    })
    kk = s["k"].to_numpy()
    out["countries"] = pd.array(_joined(c.sent_country, "country", kk), dtype="string")
    out["themes"] = pd.array(_joined(c.sent_theme, "theme", kk), dtype="string")
    return out[cols]


def excerpts(c: Corpus, f: Filters, *, keyword: str = "") -> pd.DataFrame:
    """Every excerpt behind the filters with its details (see excerpt_keys); what the CSV download holds."""
    return excerpt_details(c, excerpt_keys(c, f, keyword=keyword))


def sentence_spans(c: Corpus, rows: pd.DataFrame) -> pd.DataFrame:
    """Mentions and cues of assigned themes inside the given sentences (article_id, sent_idx): start, end, kind,
    label."""
    key = ["article_id", "sent_idx"]
    cols = ["article_id", "sent_idx", "start", "end", "kind", "label"]
    if rows.empty:
        return pd.DataFrame({k: pd.Series(dtype="object") for k in cols})
    want = rows[key].drop_duplicates().astype({"article_id": "string", "sent_idx": "Int64"})
    ids = set(want["article_id"].tolist())
    m = c.mentions[c.mentions["article_id"].isin(ids)].merge(want, on=key)
    m = m.assign(label=m["entity"].fillna(m["surface"]) + m["country"].map(lambda x: f" ({x})" if pd.notna(x) else ""))
    t = c.themes[c.themes["article_id"].isin(ids)].merge(want, on=key)
    t = t.merge(c.assigned[["article_id", "theme"]], on=["article_id", "theme"])
    t = t.assign(kind="theme", label=t["theme"].map(theme_name) + ": " + t["cue"].fillna(""))
    return pd.concat([m[cols], t[cols]], ignore_index=True)


def article_choices(c: Corpus, f: Filters, *, limit: int = 500) -> pd.DataFrame:
    """Selected articles for a picker: article_id and a label 'date · title', newest first."""
    sel = _newest(c, select_mask(c, f), limit)
    day = sel["published"].dt.strftime("%Y-%m-%d").fillna("undated")
    title = sel["title"].fillna("").where(sel["title"].fillna("") != "", "(untitled)")
    return pd.DataFrame({"article_id": sel["article_id"], "label": day + " · " + title}).reset_index(drop=True)


def relation_sentences(c: Corpus, f: Filters, *, limit: int = 2000) -> pd.DataFrame:
    """Country pairs that interact in a sentence of the selected articles: the class, the cue and the sentence."""
    cols = ["a", "b", "quad", "cue", "text", "article_id", "sent_idx"]
    r = c.relations
    if len(r):
        r = r[r["quad"].isin(QUADS)]
        code = c.code(r["article_id"])
        keep = code >= 0
        keep[keep] = select_mask(c, f)[code[keep]]
        r = r[keep]
        if f.countries:
            r = r[r["a"].isin(f.countries) | r["b"].isin(f.countries)]
    if not len(r):
        return pd.DataFrame({k: pd.Series(dtype="string") for k in cols}).astype({"sent_idx": "Int64"})
    s = c.sentences[["article_id", "sent_idx", "text"]]
    out = r.head(limit).merge(s, on=["article_id", "sent_idx"], how="left")
    return out[cols].reset_index(drop=True)
