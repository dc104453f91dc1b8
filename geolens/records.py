"""Plain records that pipeline components attach to a Doc and tables.py turns into rows."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Mention:
    """One entity mention: character offsets into the article text plus its resolution."""

    start: int
    end: int
    surface: str
    kind: str  # country | person | org | place
    entity: str  # canonical name, one per entity within an article
    country: str | None  # ISO 3166 alpha-3, or None
    # name | demonym | capital | city | subdivision | leader | institution | org | context | qualifier | region
    via: str | None


@dataclass(frozen=True, slots=True)
class ThemeHit:
    """One cue-phrase hit for a theme: character offsets into the article text."""

    start: int
    end: int
    theme: str
    cue: str


@dataclass(frozen=True, slots=True)
class ArticleTheme:
    """The article-level decision for one theme."""

    theme: str
    n_cues: int
    score: float
    assigned: bool
    confidence: float = 0.0  # 0-1: the learned layer's probability that the article is about the theme


@dataclass(frozen=True)
class EvidenceFeatures:
    """One theme's evidence in one article, as the learned layer reads it."""

    score: float  # the sentence rule's article score
    max_sentence: float
    n_about: int  # sentences substantially about the theme
    n_with_cue: int
    share_with_cue: float
    has_strong: bool
    n_distinct: int
    lead: float  # best sentence score among the first three (headline and lede)
    rule_assigned: bool


@dataclass(frozen=True, slots=True)
class Relation:
    """How two countries named in one sentence relate: a CAMEO quad class and the words that decided it."""

    start: int  # the sentence's character offsets into the article text
    end: int
    a: str  # ISO3, a < b
    b: str
    quad: str  # material_conflict | verbal_conflict | verbal_cooperation | material_cooperation | none
    cue: str
