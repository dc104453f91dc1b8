"""Theme tagging with evidence: the taxonomy file, its validation, and the spaCy component "geolens_themes".

The taxonomy (data/taxonomy.yaml) lists per theme its cue phrases (strong and weak), spaCy Matcher
patterns and exclusions. The component finds every cue hit (a ThemeHit with character offsets), scores
each sentence per theme, and decides at article level (ArticleTheme) with the rule of spec/themes.md:
at least one sentence substantially about the theme, plus enough evidence overall.
"""

import bisect
import os
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

import yaml
from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc
from spacy.vocab import Vocab

import geolens.extensions  # noqa: F401  (registers the Doc extensions)
from geolens import settings
from geolens.gated_matcher import GatedMatcher
from geolens.records import ArticleTheme, EvidenceFeatures, ThemeHit
from geolens.theme_model import ThemeModel, assignable, load_theme_model

DEFAULT_TAXONOMY = settings.TAXONOMY
TAXONOMY_ENV = settings.TAXONOMY_ENV
TIERS = ("strong", "weak", "hint")
# Components that never help the lemma matcher; everything else up to the lemmatizer runs on cue phrases.
_NOT_FOR_CUES = {"ner", "parser", "senter", "sentencizer", "entity_ruler", "entity_linker", "textcat"}
_ID_RE = re.compile(r"^[a-z][a-z0-9_]*$")
_STR_TAG = "tag:yaml.org,2002:str"
# libyaml's loader when PyYAML was built with it: the same nodes and marks, ~10x faster to read the taxonomy.
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_NUM_TAGS = ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float")




class TaxonomyError(ValueError):
    """A broken taxonomy file; the message names the file and the line."""

    def __init__(self, message: str, path: str | None = None, line: int | None = None):
        self.path = path
        self.line = line
        self.problem = message
        where = f"{path or 'taxonomy'}" + (f", line {line}" if line else "")
        super().__init__(f"{where}: {message}")


@dataclass(frozen=True)
class CuePattern:
    """A spaCy Matcher token pattern with the cue name reported as evidence."""

    cue: str
    tier: str
    pattern: list = field(hash=False, compare=False)
    line: int = 0


@dataclass(frozen=True)
class Theme:
    """One theme of the taxonomy with its cues and exclusions."""

    id: str
    name: str
    description: str
    strong: tuple[str, ...]
    weak: tuple[str, ...]
    hint: tuple[str, ...] = ()
    patterns: tuple[CuePattern, ...] = ()
    exclude: tuple[str, ...] = ()
    exclude_in_context: dict = field(default_factory=dict, hash=False, compare=False)

    def cue_names(self) -> set[str]:
        """Every cue name of the theme (phrases and pattern names)."""
        return {_cue_text(c) for c in self.strong + self.weak + self.hint} | {p.cue for p in self.patterns}


@dataclass(frozen=True)
class Scoring:
    """The article-level decision rule (see the header of data/taxonomy.yaml)."""

    weights: dict = field(default_factory=lambda: {"strong": 2.0, "weak": 1.0, "hint": 0.5}, hash=False, compare=False)
    sentence_min: float = 2.0
    sentence_cap: float = 4.0
    article_min: float = 3.0


@dataclass(frozen=True)
class Taxonomy:
    """The validated taxonomy file."""

    themes: tuple[Theme, ...]
    scoring: Scoring
    contexts: dict = field(default_factory=dict, hash=False, compare=False)
    path: str = ""

    @property
    def ids(self) -> list[str]:
        """Theme ids in file order."""
        return [t.id for t in self.themes]

    def names(self) -> dict[str, str]:
        """Theme id -> display name."""
        return {t.id: t.name for t in self.themes}

    def theme(self, theme_id: str) -> Theme:
        """The theme with this id (KeyError when unknown)."""
        for t in self.themes:
            if t.id == theme_id:
                return t
        raise KeyError(theme_id)


def default_taxonomy_path() -> Path:
    """The taxonomy file: $GEOLENS_TAXONOMY if set, else data/taxonomy.yaml in the project."""
    return settings.taxonomy_path()


def _cue_text(cue: str) -> str:
    """The canonical name of a cue (the "=" exact-match marker removed)."""
    return cue[1:].strip() if cue.startswith("=") else cue


# -- loading and validation -----------------------------------------------------------------------


class _Reader:
    """Walks the YAML node tree so every problem can name its line."""

    def __init__(self, source: str):
        self.source = source
        self._loader = yaml.SafeLoader("")

    def fail(self, node, message: str):
        line = node.start_mark.line + 1 if node is not None and getattr(node, "start_mark", None) else None
        raise TaxonomyError(message, self.source, line)

    def mapping(self, node, what: str, required=(), optional=()) -> dict:
        if not isinstance(node, yaml.MappingNode):
            self.fail(node, f"{what} must be a mapping of 'key: value' lines")
        out: dict = {}
        allowed = tuple(required) + tuple(optional)
        for knode, vnode in node.value:
            if not isinstance(knode, yaml.ScalarNode) or knode.tag != _STR_TAG:
                self.fail(knode, f"keys in {what} must be plain words")
            key = knode.value
            if key in out:
                self.fail(knode, f"duplicate key {key!r} in {what}")
            if allowed and key not in allowed:
                self.fail(knode, f"unknown key {key!r} in {what} (expected one of: {', '.join(allowed)})")
            out[key] = vnode
        for key in required:
            if key not in out:
                self.fail(node, f"{what} is missing the key {key!r}")
        return out

    def text(self, node, what: str) -> str:
        if not isinstance(node, yaml.ScalarNode) or node.tag != _STR_TAG or not str(node.value).strip():
            shown = getattr(node, "value", None)
            shown = shown if isinstance(shown, str) else type(node).__name__
            self.fail(node, f"{what} must be non-empty text, got {shown!r} (quote words like yes/no/on/off)")
        return " ".join(str(node.value).split())

    def number(self, node, what: str) -> float:
        if not isinstance(node, yaml.ScalarNode) or node.tag not in _NUM_TAGS:
            self.fail(node, f"{what} must be a number")
        value = float(self._loader.construct_object(node))
        if value < 0:
            self.fail(node, f"{what} must not be negative")
        return value

    def text_list(self, node, what: str) -> list[tuple[str, object]]:
        if not isinstance(node, yaml.SequenceNode):
            self.fail(node, f"{what} must be a list, e.g. [first cue, second cue] or '- cue' lines")
        return [(self.text(item, f"an item of {what}"), item) for item in node.value]

    def plain(self, node):
        return self._loader.construct_object(node, deep=True)


def _check_pattern(reader: _Reader, node, what: str) -> list:
    """A Matcher pattern from its node, validated by spaCy's own pattern schema."""
    pattern = reader.plain(node)
    if not isinstance(pattern, list) or not pattern or not all(isinstance(t, dict) for t in pattern):
        reader.fail(node, f"{what} must be a non-empty list of token dicts like [{{LOWER: word}}]")
    try:
        Matcher(Vocab(), validate=True).add("check", [pattern])
    except Exception as exc:  # spaCy raises several types for malformed patterns
        first = str(exc).strip().splitlines()
        reader.fail(node, f"{what} is not a valid spaCy pattern: {' '.join(first)[:300]}")
    return pattern


def parse_taxonomy(text: str, source: str = "taxonomy") -> Taxonomy:
    """Validate taxonomy YAML text and build a Taxonomy; raises TaxonomyError naming the line."""
    try:
        root = yaml.compose(text, Loader=_YAML_LOADER)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        problem = " ".join(filter(None, [exc.context, exc.problem]))
        raise TaxonomyError(f"not valid YAML: {problem}", source, line) from None
    except yaml.YAMLError as exc:
        raise TaxonomyError(f"not valid YAML: {exc}", source) from None
    r = _Reader(source)
    if root is None:
        raise TaxonomyError("the file is empty", source, 1)
    top = r.mapping(root, "the taxonomy", required=("themes",), optional=("version", "scoring", "contexts"))

    scoring = Scoring()
    if "scoring" in top:
        s = r.mapping(top["scoring"], "scoring", optional=("weights", "sentence_min", "sentence_cap", "article_min"))
        weights = dict(scoring.weights)
        if "weights" in s:
            w = r.mapping(s["weights"], "scoring.weights", optional=TIERS)
            weights.update({k: r.number(v, f"the weight of {k!r}") for k, v in w.items()})
        nums = {k: r.number(s[k], f"scoring.{k}") for k in ("sentence_min", "sentence_cap", "article_min") if k in s}
        scoring = Scoring(weights=weights, **nums)

    contexts: dict[str, tuple[str, ...]] = {}
    if "contexts" in top:
        for name, node in r.mapping(top["contexts"], "contexts").items():
            words = r.text_list(node, f"context {name!r}")
            if not words:
                r.fail(node, f"context {name!r} has no words")
            contexts[name] = tuple(w for w, _ in words)

    tnode = top["themes"]
    if not isinstance(tnode, yaml.SequenceNode) or not tnode.value:
        r.fail(tnode, "themes must be a non-empty list of '- id: ...' entries")
    themes: list[Theme] = []
    seen: set[str] = set()
    for item in tnode.value:
        m = r.mapping(
            item,
            "a theme",
            required=("id", "name"),
            optional=("description", *TIERS, "patterns", "exclude", "exclude_in_context"),
        )
        tid = r.text(m["id"], "id")
        if not _ID_RE.match(tid):
            r.fail(m["id"], f"theme id {tid!r} must be lower_snake_case (letters, digits, underscores)")
        if tid in seen:
            r.fail(m["id"], f"duplicate theme id {tid!r}")
        seen.add(tid)
        name = r.text(m["name"], f"the name of {tid}")
        desc = r.text(m["description"], f"the description of {tid}") if "description" in m else ""
        tiers = {}
        for tier in TIERS:
            cues = r.text_list(m[tier], f"{tid}.{tier}") if tier in m else []
            for cue, node in cues:
                if not _cue_text(cue):
                    r.fail(node, f"empty exact cue in {tid}.{tier}")
            tiers[tier] = tuple(c for c, _ in cues)
        patterns = []
        if "patterns" in m:
            pnode = m["patterns"]
            if not isinstance(pnode, yaml.SequenceNode):
                r.fail(pnode, f"{tid}.patterns must be a list of '- cue: ... tier: ... pattern: [...]' entries")
            for p in pnode.value:
                pm = r.mapping(p, f"a pattern of {tid}", required=("cue", "tier", "pattern"))
                tier = r.text(pm["tier"], "tier")
                if tier not in TIERS:
                    r.fail(pm["tier"], f"tier must be one of {', '.join(TIERS)}, not {tier!r}")
                pat = _check_pattern(r, pm["pattern"], f"the pattern of {tid}")
                patterns.append(CuePattern(r.text(pm["cue"], "cue"), tier, pat, p.start_mark.line + 1))
        if not (tiers["strong"] or tiers["weak"] or patterns):
            r.fail(item, f"theme {tid!r} has no cues (add 'strong' or 'weak' cues, or 'patterns')")
        exclude = tuple(c for c, _ in r.text_list(m["exclude"], f"{tid}.exclude")) if "exclude" in m else ()
        theme = Theme(tid, name, desc, patterns=tuple(patterns), exclude=exclude, **tiers)
        in_ctx: dict[str, tuple[str, ...]] = {}
        if "exclude_in_context" in m:
            names = theme.cue_names()
            for ctx, node in r.mapping(m["exclude_in_context"], f"{tid}.exclude_in_context").items():
                if ctx not in contexts:
                    r.fail(node, f"unknown context {ctx!r} in {tid}.exclude_in_context (define it under 'contexts')")
                cues = r.text_list(node, f"{tid}.exclude_in_context.{ctx}")
                for cue, cnode in cues:
                    if cue not in names:
                        r.fail(cnode, f"{cue!r} in {tid}.exclude_in_context.{ctx} is not a cue of {tid}")
                in_ctx[ctx] = tuple(c for c, _ in cues)
        themes.append(
            Theme(tid, name, desc, patterns=tuple(patterns), exclude=exclude, exclude_in_context=in_ctx, **tiers)
        )
    return Taxonomy(tuple(themes), scoring, contexts, source)


def load_taxonomy(path: str | os.PathLike | None = None) -> Taxonomy:
    """Read and validate a taxonomy YAML file; a broken file raises TaxonomyError naming the line."""
    p = Path(path).expanduser() if path else default_taxonomy_path()
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise TaxonomyError(f"cannot read the taxonomy file: {exc.strerror or exc}", str(p)) from None
    except UnicodeDecodeError as exc:
        raise TaxonomyError(f"the file is not UTF-8 text ({exc.reason})", str(p)) from None
    return parse_taxonomy(text, str(p))


# -- matching -----------------------------------------------------------------------------------


def _inflections(word: str) -> set[str]:
    """Regular English inflections of a word, so a lower-case match also finds plurals and verb forms."""
    out = {word}
    if not word.isalpha() or len(word) < 3:
        return out
    vowels = "aeiou"
    if word.endswith(("s", "x", "z", "ch", "sh")):
        out.add(word + "es")
    elif word.endswith("y") and word[-2] not in vowels:
        out |= {word[:-1] + "ies", word[:-1] + "ied", word + "ing"}
    else:
        out.add(word + "s")
    if word.endswith("e"):
        out |= {word + "d", word[:-1] + "ing"}
    elif not word.endswith("y"):
        out |= {word + "ed", word + "ing"}
        if word[-1] not in vowels + "wxy" and word[-2] in vowels and word[-3] not in vowels:
            out |= {word + word[-1] + "ed", word + word[-1] + "ing"}
    return out


_ANNOTATION_KEYS = {"LEMMA", "POS", "TAG", "MORPH", "DEP", "ENT_TYPE", "ENT_IOB", "ENT_ID", "ENT_KB_ID"}


def _needs_annotation(pattern: list) -> bool:
    """True when a Matcher pattern looks at lemmas, tags, parses or entities (not there on a blank pipeline)."""
    return any(str(k).upper() in _ANNOTATION_KEYS for tok in pattern for k in tok)


def _lemma_bag(tokens) -> dict[str, int]:
    """Lower-case lemma counts of the content words of a Doc or Span (the learned layer's lexical features)."""
    out: dict[str, int] = defaultdict(int)
    for tok in tokens:
        if tok.is_alpha and not tok.is_stop and len(tok) > 2:
            out[(tok.lemma_ or tok.text).lower()] += 1
    return out


@dataclass
class _Hit:
    start: int  # token offsets
    end: int
    weight: float
    cue: str
    exact: bool = False  # the cue is spelled as in the text (preferred among equal hits)
    hint: bool = False
    pattern: bool = False  # found by a token pattern: the evidence label is the matched words


class ThemeTagger:
    """The "geolens_themes" component: cue hits per theme and the article-level decision."""

    def __init__(self, nlp: Language, name: str = "geolens_themes", taxonomy_path: str | None = None,
                 taxonomy: Taxonomy | None = None, model_path: str | None = None, use_model: bool = True,
                 model: ThemeModel | None = None):
        self.name = name
        self.taxonomy = taxonomy or load_taxonomy(taxonomy_path)
        self.scoring = self.taxonomy.scoring
        vocab = nlp.vocab
        self._keys: dict[int, tuple[str, str, str, str]] = {}  # match id -> (kind, theme|ctx, tier, cue)
        self._pattern_ids: set[int] = set()
        self.model = model if model is not None else (load_theme_model(model_path) if use_model else None)
        self._lower = PhraseMatcher(vocab, attr="LOWER")
        self._matcher = GatedMatcher(vocab)
        self._matcher_lemma = GatedMatcher(vocab)  # patterns that need lemmas or tags run only on annotated docs
        lemma_procs = self._lemma_components(nlp)
        self._lemma = PhraseMatcher(vocab, attr="LEMMA") if lemma_procs else None

        phrases: list[tuple[str, str]] = []  # (key, phrase)
        for theme in self.taxonomy.themes:
            for tier in TIERS:
                for cue in getattr(theme, tier):
                    phrases.append((self._key(vocab, "cue", theme.id, tier, _cue_text(cue)), cue))
            for cue in theme.exclude:
                phrases.append((self._key(vocab, "x", theme.id, "", cue), cue))
            for p in theme.patterns:
                target = self._matcher_lemma if _needs_annotation(p.pattern) else self._matcher
                key = self._key(vocab, "cue", theme.id, p.tier, p.cue)
                target.add(key, [p.pattern])
                self._pattern_ids.add(vocab.strings[key])
        for ctx, words in self.taxonomy.contexts.items():
            for w in words:
                phrases.append((self._key(vocab, "ctx", ctx, "", ctx), w))

        lower: dict[str, list] = defaultdict(list)
        lemma_src: dict[str, list[str]] = defaultdict(list)
        for key, phrase in phrases:
            exact = phrase.startswith("=")
            text = _cue_text(phrase)
            doc = nlp.make_doc(text.lower())
            if not len(doc):
                continue
            variants = {text.lower()}
            if not exact:
                last = doc[-1]
                head = text.lower()[: last.idx]
                variants |= {head + v for v in _inflections(last.text)}
                lemma_src[key].append(text)
            lower[key].extend(nlp.make_doc(v) for v in sorted(variants))
        for key, docs in lower.items():
            self._lower.add(key, docs)
        if self._lemma is not None:
            flat = [(k, t) for k, ts in lemma_src.items() for t in ts]
            docs = [nlp.make_doc(t) for _, t in flat]
            for _, proc in lemma_procs:
                docs = list(proc.pipe(docs)) if hasattr(proc, "pipe") else [proc(d) for d in docs]
            by_key: dict[str, list] = defaultdict(list)
            for (k, _), d in zip(flat, docs, strict=True):
                by_key[k].append(d)
            for k, ds in by_key.items():
                self._lemma.add(k, ds)

        self._ctx_cues = {
            t.id: {ctx: set(cues) for ctx, cues in t.exclude_in_context.items()} for t in self.taxonomy.themes
        }
        self._order = {t.id: i for i, t in enumerate(self.taxonomy.themes)}

    def _key(self, vocab, kind: str, owner: str, tier: str, cue: str) -> str:
        key = f"geolens_themes|{kind}|{owner}|{tier}|{cue}"
        self._keys[vocab.strings.add(key)] = (kind, owner, tier, cue)
        return key

    @staticmethod
    def _lemma_components(nlp: Language) -> list:
        """The pipeline components needed to lemmatise cue phrases ([] when there is no lemmatizer)."""
        names = nlp.pipe_names
        if "lemmatizer" not in names:
            return []
        upto = names[: names.index("lemmatizer") + 1]
        return [(n, nlp.get_pipe(n)) for n in upto if n not in _NOT_FOR_CUES and not n.startswith("geolens")]

    def __call__(self, doc: Doc) -> Doc:
        """Set doc._.theme_hits and doc._.article_themes."""
        hits, assigned = self.analyse(doc)
        doc._.theme_hits = hits
        doc._.article_themes = assigned
        return doc

    def analyse(self, doc: Doc) -> tuple[list[ThemeHit], list[ArticleTheme]]:
        """The cue hits and article-level themes of one Doc (sentences from doc.sents when set)."""
        found = self._evidence(doc)
        confidences = {}
        if self.model is not None and found:
            feats = {t: f for t, (_, f) in found.items()}
            confidences = self.model.confidences(feats, _lemma_bag(doc))
        all_hits: list[ThemeHit] = []
        decisions: list[ArticleTheme] = []
        for theme, (kept, feats) in found.items():
            conf = confidences.get(theme)
            if conf is None:  # no learned layer: the sentence rule decides, its confidence is 0 or 1
                ok, conf = feats.rule_assigned, float(feats.rule_assigned)
            else:
                ok = conf >= self.model.threshold and assignable(feats)
            decisions.append(ArticleTheme(theme, len(kept), round(feats.score, 3), bool(ok), round(float(conf), 4)))
            for h in kept:
                last = doc[h.end - 1]
                label = doc[h.start:h.end].text if h.pattern else h.cue
                all_hits.append(ThemeHit(doc[h.start].idx, last.idx + len(last), theme, label))
        all_hits.sort(key=lambda h: (h.start, h.end, self._order[h.theme]))
        return all_hits, decisions

    def evidence(self, doc: Doc) -> tuple[dict[str, EvidenceFeatures], dict[str, int]]:
        """What the model reads: the evidence features of every theme with a cue hit, and the article's lemmas."""
        return {t: f for t, (_, f) in self._evidence(doc).items()}, _lemma_bag(doc)

    def _evidence(self, doc: Doc) -> dict[str, tuple[list[_Hit], EvidenceFeatures]]:
        """Per theme with a hit: its kept hits and their evidence features, in taxonomy order."""
        matches = set(self._lower(doc))
        matches.update(self._matcher(doc))
        if doc.has_annotation("LEMMA"):
            matches.update(self._matcher_lemma(doc))
            if self._lemma is not None:
                matches.update(self._lemma(doc))
        if doc.has_annotation("SENT_START"):
            sent_starts = [s.start for s in doc.sents]
        else:
            sent_starts = [0]

        def sent_of(i: int) -> int:
            return bisect.bisect_right(sent_starts, i) - 1

        cues: dict[str, list[_Hit]] = defaultdict(list)
        excl: dict[str, list[tuple[int, int]]] = defaultdict(list)
        ctx_sents: dict[str, set[int]] = defaultdict(set)
        weights = self.scoring.weights
        for mid, s, e in matches:
            kind, owner, tier, cue = self._keys[mid]
            if kind == "cue":
                exact = doc[s:e].text.lower() == cue.lower()
                cues[owner].append(
                    _Hit(s, e, float(weights.get(tier, 1.0)), cue, exact, tier == "hint", mid in self._pattern_ids)
                )
            elif kind == "x":
                excl[owner].append((s, e))
            else:
                ctx_sents[owner].add(sent_of(s))

        found: dict[str, tuple[list[_Hit], EvidenceFeatures]] = {}
        n_sents = len(sent_starts)
        for theme in sorted(cues, key=self._order.__getitem__):
            kept = self._resolve(cues[theme], excl.get(theme, ()), self._ctx_cues.get(theme, {}), ctx_sents, sent_of)
            if kept:
                found[theme] = (kept, self._features(kept, sent_of, n_sents))
        return found

    def _features(self, kept: list[_Hit], sent_of, n_sents: int) -> EvidenceFeatures:
        """Summarise one theme's cue hits: the sentence rule's score plus the shape of the evidence."""
        sc = self.scoring
        per_sent: dict[int, dict[str, float]] = defaultdict(dict)
        with_cue: set[int] = set()  # hints only add to sentences that have a strong or weak cue
        strong = self.scoring.weights.get("strong", 2.0)
        for h in kept:
            k = sent_of(h.start)
            per_sent[k][h.cue] = max(per_sent[k].get(h.cue, 0.0), h.weight)
            if not h.hint:
                with_cue.add(k)
        sent_scores = {k: sum(d.values()) for k, d in per_sent.items() if k in with_cue}
        # Only sentences substantially about the theme count: passing words elsewhere add nothing.
        about = [v for v in sent_scores.values() if v >= sc.sentence_min]
        score = sum(min(v, sc.sentence_cap) for v in about)
        return EvidenceFeatures(
            score=score,
            max_sentence=max(sent_scores.values(), default=0.0),
            n_about=len(about),
            n_with_cue=len(with_cue),
            share_with_cue=len(with_cue) / max(1, n_sents),
            has_strong=any(h.weight >= strong for h in kept),
            n_distinct=len({h.cue for h in kept if not h.hint}),
            lead=max((v for k, v in sent_scores.items() if k < 3), default=0.0),
            rule_assigned=bool(about) and score >= sc.article_min,
        )

    @staticmethod
    def _resolve(hits: list[_Hit], excl, ctx_cues: dict, ctx_sents: dict, sent_of) -> list[_Hit]:
        """Drop hits inside exclusions or excluded contexts; keep the longest of overlapping hits."""
        out: list[_Hit] = []
        for h in hits:
            # An exclusion wins over any hit it overlaps, unless the hit is a longer cue containing it.
            if any(xs < h.end and h.start < xe and not (h.start <= xs and xe <= h.end and h.end - h.start > xe - xs)
                   for xs, xe in excl):
                continue
            if any(h.cue in cues and sent_of(h.start) in ctx_sents.get(ctx, ()) for ctx, cues in ctx_cues.items()):
                continue
            out.append(h)
        out.sort(key=lambda h: (-h.weight, -(h.end - h.start), h.start, not h.exact, h.cue))
        taken: list[_Hit] = []
        for h in out:
            if all(h.end <= t.start or t.end <= h.start for t in taken):
                taken.append(h)
        taken.sort(key=lambda h: h.start)
        return taken


@Language.factory(
    "geolens_themes",
    default_config={"taxonomy_path": None, "model_path": None, "use_model": True},
    assigns=["doc._.theme_hits", "doc._.article_themes"],
)
def make_theme_tagger(
    nlp: Language, name: str, taxonomy_path: Optional[str], model_path: Optional[str], use_model: bool  # noqa: UP045
) -> ThemeTagger:
    """spaCy factory for the theme component (None paths = the default taxonomy and model files)."""
    return ThemeTagger(nlp, name, taxonomy_path, model_path=model_path, use_model=use_model)
