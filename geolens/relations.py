"""spaCy component "geolens_relations": how each pair of countries named in a sentence relates (CAMEO quad class).

For every sentence whose mentions name two or more countries, the sentence's text is parsed by a parser-only
pipeline (the main pipeline runs without the parser, so only these sentences pay for it). Each pair of countries
gets the class of the event cue that links them in the dependency tree: the cue at or below their lowest common
ancestor, on the path between them. A country that is the patient of an event someone else performs is not a
party to the outer event ("Germany condemned Russia's attack on Ukraine": Germany-Ukraine is none), countries
listed together only relate through a symmetric cue ("talks between"), a material act that is planned,
hypothetical or asked for counts as words, and a country that is the venue of a verbal event is none.
The cue lexicon is data: data/relations/cues.yaml. Sets Doc._.relations: list[geolens.records.Relation].
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path

import yaml
from spacy.language import Language
from spacy.tokens import Doc, Token

import geolens.extensions  # noqa: F401  (registers the Doc extensions)
from geolens.records import Relation
from geolens.relation_model import candidates, pair_rows

DEFAULT_CUES = Path(__file__).resolve().parent.parent / "data" / "relations" / "cues.yaml"
QUADS = ("material_conflict", "verbal_conflict", "verbal_cooperation", "material_cooperation")
NONE = "none"
# Dependency labels that make a country the doer of the event its head names ("Russia's attack", "Turkish drilling").
AGENT_DEPS = frozenset({"nsubj", "poss", "agent", "amod", "compound", "csubj"})
# Labels a list of countries climbs through to reach the predicate it is an argument of.
GROUP_UP = frozenset({"conj", "appos", "pobj", "prep", "compound", "poss", "nmod", "amod", "dobj", "nsubj",
                      "nsubjpass", "attr", "cc", "npadvmod", "case", "agent"})
# "talks between A and B", "attended by A's and B's leaders", "representatives from A, B and C held a signing".
GROUP_PREPS = frozenset({"between", "among", "amongst", "of", "by", "from"})
LIGHT_OBJECTS = frozenset({"dobj", "attr", "oprd", "xcomp", "nsubjpass", "acomp"})
MODAL_DEPS = frozenset({"aux", "auxpass", "amod", "advmod"})
MAX_PARSE_CHARS = 2000


@dataclass(frozen=True)
class Lexicon:
    """The cue lexicon: lemma and phrase -> quad class, plus the symmetric, irrealis, negator and venue words."""

    lemmas: dict[str, str]
    phrases: dict[tuple[str, ...], str]
    symmetric: frozenset[str]
    irrealis: frozenset[str]
    negators: frozenset[str]
    venue_preps: frozenset[str]
    stop: frozenset[str] = frozenset()
    outsider_preps: frozenset[str] = frozenset()
    side_preps: frozenset[str] = frozenset()
    only_pos: dict[str, str] = field(default_factory=dict)  # "host/VERB": the word is a cue only as that part of speech
    partner_preps: frozenset[str] = frozenset()
    presence_nouns: frozenset[str] = frozenset()
    presence_preps: frozenset[str] = frozenset()
    presence_hosts: frozenset[str] = frozenset()
    appeal_cues: frozenset[str] = frozenset()
    verbal_objects: frozenset[str] = frozenset()
    speech: frozenset[str] = frozenset()
    not_actor_suffixes: tuple[str, ...] = ()
    appeal_demands: frozenset[str] = frozenset()
    appeal_cooperative: frozenset[str] = frozenset()
    participation: frozenset[str] = frozenset()
    topic_preps: frozenset[str] = frozenset()
    topic_verbs: frozenset[str] = frozenset()
    target_nouns: frozenset[str] = frozenset()
    mediation: frozenset[str] = frozenset()
    person_nouns: frozenset[str] = frozenset()
    currencies: frozenset[str] = frozenset()
    membership: frozenset[str] = frozenset()
    enders: frozenset[str] = frozenset()
    joint_heads: frozenset[str] = frozenset()
    senders: frozenset[str] = frozenset()
    send_preps: frozenset[str] = frozenset()
    cutters: frozenset[str] = frozenset()
    contrast_marks: frozenset[str] = frozenset()
    side_nouns: frozenset[str] = frozenset()
    place_vias: frozenset[str] = frozenset()
    pronouns: frozenset[str] = frozenset()
    blame_nouns: frozenset[str] = frozenset()
    settle_verbs: frozenset[str] = frozenset()
    release_verbs: frozenset[str] = frozenset()
    release_objects: frozenset[str] = frozenset()
    military_targets: frozenset[str] = frozenset()
    state_nouns: frozenset[str] = frozenset()
    state_judges: frozenset[str] = frozenset()
    settle_preps: frozenset[str] = frozenset()


def load_lexicon(path: str | Path | None = None) -> Lexicon:
    """Read the cue lexicon (data/relations/cues.yaml by default); the first class listing a word keeps it."""
    source = Path(path or DEFAULT_CUES)
    try:
        data = yaml.safe_load(source.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ValueError(f"cannot read the relation cue file {source}: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise ValueError(f"the relation cue file {source} is not UTF-8 text ({exc.reason})") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark else ""
        raise ValueError(f"the relation cue file {source} is not valid YAML{where}: "
                         f"{getattr(exc, 'problem', None) or exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("classes"), dict) or not all(
            isinstance(spec, dict) for spec in data["classes"].values()):
        raise ValueError(f"the relation cue file {source} needs a 'classes' mapping: class -> lemmas, phrases")
    presence = data.get("presence") or {}
    appeal = data.get("appeal") or {}

    def words(items) -> frozenset[str]:
        if any(isinstance(w, bool) for w in items or []):  # YAML reads a bare on, off, yes or no as a boolean
            raise ValueError(f"{path or DEFAULT_CUES}: quote on/off/yes/no in word lists ({items!r})")
        return frozenset(str(w).lower() for w in items or [])
    lemmas: dict[str, str] = {}
    only_pos: dict[str, str] = {}
    phrases: dict[tuple[str, ...], str] = {}
    symmetric: set[str] = set()
    for quad, spec in data["classes"].items():
        if quad not in QUADS:
            raise ValueError(f"{path or DEFAULT_CUES}: unknown class {quad!r}")
        for w in spec.get("lemmas") or []:
            word, _, pos = str(w).lower().partition("/")
            lemmas.setdefault(word, quad)
            if pos:
                only_pos[word] = pos.upper()
        for p in spec.get("phrases") or []:
            phrases.setdefault(tuple(str(p).lower().split()), quad)
        symmetric.update(str(w).lower() for w in spec.get("symmetric") or [])
    return Lexicon(
        lemmas=lemmas,
        phrases=phrases,
        symmetric=frozenset(symmetric),
        irrealis=words(data.get("irrealis")),
        negators=words(data.get("negators")),
        venue_preps=words(data.get("venue_preps")),
        stop=words(data.get("stop")),
        outsider_preps=words(data.get("outsider_preps")),
        only_pos=only_pos,
        side_preps=words(data.get("side_preps")),
        partner_preps=words(data.get("partner_preps")),
        presence_nouns=words(presence.get("nouns")),
        presence_preps=words(presence.get("preps")),
        presence_hosts=words(presence.get("hosts")),
        appeal_cues=words(appeal.get("cues")),
        verbal_objects=words(data.get("verbal_objects")),
        speech=words(data.get("speech")),
        not_actor_suffixes=tuple(str(w).lower() for w in data.get("not_actor_suffixes") or []),
        appeal_demands=words(appeal.get("demands")),
        appeal_cooperative=words(appeal.get("cooperative")),
        participation=words(data.get("participation")),
        topic_preps=words(data.get("topic_preps")),
        topic_verbs=words(data.get("topic_verbs")),
        target_nouns=words(data.get("target_nouns")),
        mediation=words(data.get("mediation")),
        person_nouns=words(data.get("person_nouns")),
        currencies=words(data.get("currencies")),
        membership=words(data.get("membership")),
        enders=words(data.get("enders")),
        joint_heads=words(data.get("joint_heads")),
        senders=words(presence.get("senders")),
        send_preps=words(presence.get("send_preps")),
        cutters=words(data.get("cutters")),
        contrast_marks=words(data.get("contrast_marks")),
        side_nouns=words(data.get("side_nouns")),
        place_vias=words(data.get("place_vias")),
        pronouns=words(data.get("pronouns")),
        blame_nouns=words(data.get("blame_nouns")),
        settle_verbs=words((data.get("settle") or {}).get("verbs")),
        release_verbs=words((data.get("release") or {}).get("verbs")),
        release_objects=words((data.get("release") or {}).get("objects")),
        military_targets=words(data.get("military_targets")),
        state_nouns=words(data.get("state_nouns")),
        state_judges=words(data.get("state_judges")),
        settle_preps=words((data.get("settle") or {}).get("preps")),
    )


_PARSERS: dict[str, Language] = {}
_PARSER_GUARD = threading.Lock()


def parser_pipeline(model: str | None = None) -> Language | None:
    """A parser-only copy of the model (cached per process), or None when the model has no parser."""
    import spacy

    from geolens.nlp import model_name, speed_up

    name = model or model_name()
    with _PARSER_GUARD:
        if name not in _PARSERS:
            nlp = speed_up(spacy.load(name, exclude=["ner", "senter"]))
            _PARSERS[name] = nlp if "parser" in nlp.pipe_names else None
        return _PARSERS[name]


class _Cues:
    """The cue tokens of one parsed sentence: token index -> (quad, words)."""

    def __init__(self, sdoc: Doc, lex: Lexicon):
        self.by_token: dict[int, tuple[str, str]] = {}
        words = [t.lemma_.lower() for t in sdoc]
        lowers = [t.lower_ for t in sdoc]
        for t in sdoc:
            if lowers[t.i] in lex.stop:
                continue
            key = words[t.i] if words[t.i] in lex.lemmas else lowers[t.i]
            quad = lex.lemmas.get(key)
            if quad and lex.only_pos.get(key, t.pos_) != t.pos_:
                continue
            # A capitalised cue inside a name ("an Iraq War veteran") names a thing, not an event.
            if quad and t.pos_ == "PROPN" and t.dep_ == "compound" and t.i > 0:
                continue
            if quad and t.pos_ in ("VERB", "NOUN", "ADJ", "PROPN"):
                self.by_token[t.i] = (quad, t.text)
        for t in sdoc:  # "delay US$400 million in military aid", "suspended trade with Iran" (CAMEO 16)
            if words[t.i] in lex.cutters and t.pos_ == "VERB" and not any(c.dep_ == "neg" for c in t.children):
                below, given = [c for c in t.children if c.dep_ in ("dobj", "nsubjpass")], None
                for _ in range(3):
                    given = next((x for x in below if (self.by_token.get(x.i) or ("",))[0] == "material_cooperation"),
                                 None)
                    if given is not None:
                        break
                    below = [o for x in below for c in x.children if c.dep_ == "prep" for o in c.children
                             if o.dep_ == "pobj"] + [c for x in below for c in x.children if c.dep_ == "compound"]
                if given is not None:
                    self.by_token[t.i] = ("material_conflict", _words_between(t, given))
        for t in sdoc:  # "released a captured Indian pilot" (CAMEO 0841)
            if words[t.i] in lex.release_verbs and t.pos_ == "VERB" and t.i not in self.by_token and any(
                c.dep_ in ("dobj", "nsubjpass") and (words[c.i] in lex.release_objects or words[c.i] in lex.person_nouns)
                for c in t.children
            ):
                self.by_token[t.i] = ("material_cooperation", t.text)
        # A phrase matches consecutive words, or words with determiners and possessives between them ("recalled
        # its ambassador", "lift the sanctions", "cut all ties").
        for phrase, quad in lex.phrases.items():
            n = len(phrase)
            for i in range(len(sdoc) - n + 1):
                if words[i] != phrase[0] and lowers[i] != phrase[0]:
                    continue
                j, k = i + 1, 1
                while k < n and j < len(sdoc) and j - i - k <= 2:
                    if words[j] == phrase[k] or lowers[j] == phrase[k]:
                        k += 1
                    elif not (sdoc[j].pos_ == "DET" or sdoc[j].tag_ == "PRP$"):
                        break
                    j += 1
                if k == n:
                    span = sdoc[i:j]
                    self.by_token[span.root.i] = (quad, span.text)

    def get(self, t: Token) -> tuple[str, str] | None:
        return self.by_token.get(t.i)


def _ancestors(t: Token) -> list[Token]:
    out = [t]
    while out[-1].head.i != out[-1].i and len(out) < 64:
        out.append(out[-1].head)
    return out


def _agent_child(event: Token, exclude: set[int]) -> bool:
    """True when someone other than the path's country is named as the doer of `event`."""
    return any(
        (c.dep_ in ("nsubj", "poss", "agent") or (c.dep_ == "compound" and c.pos_ == "PROPN" and not event.is_title))
        and c.i not in exclude and c.tag_ not in ("WDT", "WP", "WP$")  # "the Abraham Accords" is a name, not a doer
        for c in event.children
    )


def _rank(quad: str, dist: int) -> tuple:
    """Across several mentions of the same two countries: an act beats words, words beat none, then the nearest."""
    return (quad != NONE, quad.startswith("material"), -dist)


# "the agreement signed between Turkey and Libya infringes ...": the parties of a subject's own event act through it.
ACTOR_LINKS = frozenset({"compound", "amod", "poss", "appos", "pobj", "conj", "nmod", "nsubj", "nsubjpass", "agent",
                         "cc", "case", "acl"})
ACTOR_PREPS = frozenset({"of", "from", "for", "between"})


def _actor_path(path: list[Token]) -> bool:
    """True when a country stands for the subject of the event its path reaches ("US Secretary of State Pompeo"), or
    for whoever acts on its behalf ("Kushner, on behalf of the White House, helped broker a deal")."""
    if len(path) >= 3 and path[-1].dep_ == "prep" and path[-1].lower_ == "on" and path[-2].lower_ == "behalf" and (
        path[-1].head.pos_ in ("VERB", "AUX")
    ):
        return len(path) == 3 and path[0].dep_ == "poss" or path[-3].lower_ == "of" and all(
            t.dep_ in ACTOR_LINKS or (t.dep_ == "prep" and t.lower_ in ACTOR_PREPS) for t in path[:-3])
    for t in path:
        if t.dep_ == "prep":
            if t.lower_ not in ACTOR_PREPS:
                return False
        elif t.dep_ not in ACTOR_LINKS:
            return False
    return bool(path) and path[-1].dep_ in ("nsubj", "agent", "poss", "compound", "amod", "csubj")


def _said_by(target: list[Token], speaker: list[Token]) -> bool:
    """True when one country is the passive subject of a verbal event that the other's words perform: "Turkey was
    condemned in a joint statement by Egypt"."""
    return len(target) == 1 and target[0].dep_ == "nsubjpass" and any(
        t.dep_ in ("prep", "agent") and t.lower_ == "by" for t in speaker
    )


def _words_between(x: Token, y: Token, most: int = 6) -> str:
    """The sentence's own text from x to y (so a page can find and highlight it), or x alone when far apart."""
    lo, hi = sorted((x.i, y.i))
    return x.doc[lo:hi + 1].text if hi - lo < most else x.text


def _conj_items(t: Token) -> tuple[Token, list[Token]]:
    """The first item of the coordination a token belongs to, and all its items in order."""
    while t.dep_ == "conj" and t.head.i != t.i:
        t = t.head
    items, todo = [t], [t]
    while todo:
        more = [c for c in todo.pop().children if c.dep_ == "conj"]
        items += more
        todo += more
    return t, sorted(items, key=lambda x: x.i)


def _first_against_rest(ta: Token, tb: Token) -> bool:
    """True for two later items of "A and B, C, and D": the list pairs A with each of the others, not them."""
    head, items = _conj_items(ta)
    if len(items) < 3 or head.i in (ta.i, tb.i) or tb not in items:
        return False
    second = items[1]
    gap = ta.doc[head.i + 1: second.left_edge.i]
    return any(t.dep_ == "cc" for t in gap) and not any(t.text == "," for t in gap)


def _one_clause(path: list[Token]) -> bool:
    """True when no verb of a coordinated clause stands between the countries and the predicate they share."""
    return not any(t.pos_ in ("VERB", "AUX") and t.dep_ == "conj" for t in path)


class RelationTagger:
    """Classifies every pair of countries named in a sentence."""

    def __init__(self, nlp: Language, name: str, cues_path: str | None = None, parser_model: str | None = None,
                 window: int = 0):
        self.name = name
        self.lex = load_lexicon(cues_path)
        self.window = window  # > 0: when the tree links a pair through no cue, take a cue between them this close
        self.parser_model = parser_model
        self._parser: Language | None | bool = False  # False = not loaded yet

    @property
    def parser(self) -> Language | None:
        """The parser-only pipeline, loaded on first need."""
        if self._parser is False:
            self._parser = parser_pipeline(self.parser_model)
        return self._parser

    def __call__(self, doc: Doc) -> Doc:
        """Set doc._.relations for the sentences that name two or more countries."""
        self._set_relations(doc, self.parsed_sentences(doc))
        return doc

    def pipe(self, docs, batch_size: int = 128):
        """Set doc._.relations on a stream of Docs (what nlp.pipe calls): the sentences of a whole batch of Docs
        go to the parser in one call, rather than one small call per Doc."""
        from spacy.util import minibatch

        for batch in minibatch(docs, size=batch_size):
            for doc, parsed in zip(batch, self._parse([self.sentences_to_parse(d) for d in batch]), strict=True):
                self._set_relations(doc, parsed)
                yield doc

    def _set_relations(self, doc: Doc, parsed: list[tuple]) -> None:
        out = []
        for sent, ms, sdoc in parsed:
            out.extend(self.relate(sdoc, sent.start_char, sent.end_char, ms))
        doc._.relations = out

    def parsed_sentences(self, doc: Doc) -> list[tuple]:
        """(sentence, its country mentions, its parsed copy) for each sentence naming two or more countries."""
        return self._parse([self.sentences_to_parse(doc)])[0]

    def _parse(self, todos: list[list[tuple]]) -> list[list[tuple]]:
        """Per Doc, (sentence, mentions, parsed copy) for its (sentence, mentions): one parser call for them all."""
        texts = [s.text for todo in todos for s, _ in todo]
        parser = self.parser if texts else None
        parsed = iter(list(parser.pipe(texts)) if parser is not None else [None] * len(texts))
        return [[(sent, ms, next(parsed)) for sent, ms in todo] for todo in todos]

    def sentences_to_parse(self, doc: Doc) -> list[tuple]:
        """(sentence, its country mentions) for each sentence naming two or more countries."""
        sents = list(doc.sents)
        chosen = self.select(doc.text, [(s.start_char, s.end_char) for s in sents], getattr(doc._, "geo_mentions", None))
        return [(sents[k], ms) for k, ms in chosen]

    def select(self, text: str, bounds: list[tuple[int, int]], mentions) -> list[tuple[int, list]]:
        """(index into bounds, its country mentions) for each sentence (start, end) naming two or more countries."""
        # An organisation that only bears a country's name ("Chinese University", "US Chess Federation") is not
        # that country acting; national institutions, leaders, places and the country's own words are.
        suffixes = self.lex.not_actor_suffixes
        mentions = [
            m for m in (mentions or []) if m.country and not (m.kind == "org" and m.via == "org")
            and not (suffixes and text[m.end:m.end + 16].lower().startswith(suffixes))
        ]
        if len({m.country for m in mentions}) < 2:
            return []
        todo = []
        for k, (start, end) in enumerate(bounds):
            ms = [m for m in mentions if start <= m.start < end]
            if len({m.country for m in ms}) >= 2 and end - start <= MAX_PARSE_CHARS:
                todo.append((k, ms))
        return todo

    def relate_stored(self, items) -> list[tuple[str, list[tuple[int, Relation]]]]:
        """Relations recomputed from stored text: for (article_id, text, sentence bounds, mentions) items, the
        (sentence index, relation) pairs of each article, as an ingest with the same lexicon would find them (the
        parser sees the same sentence text, the rules the same mentions). One parser call for all the items."""
        todos = [[(k, bounds[k], ms) for k, ms in self.select(text, bounds, mentions)]
                 for _, text, bounds, mentions in items]
        texts = [text[s:e] for (_, text, _, _), todo in zip(items, todos, strict=True) for _, (s, e), _ in todo]
        parser = self.parser if texts else None
        parsed = iter(list(parser.pipe(texts)) if parser is not None else [None] * len(texts))
        out = []
        for (aid, _, _, _), todo in zip(items, todos, strict=True):
            rels = []
            for k, (s, e), ms in todo:
                rels.extend((k, r) for r in self.relate(next(parsed), s, e, ms))
            out.append((aid, rels))
        return out

    def relate(self, sdoc: Doc | None, start: int, end: int, mentions) -> list[Relation]:
        """The relations of one sentence: a parsed copy of its text, its offsets and its country mentions."""
        out = []
        for a, b, rule, _rows, _words in self.evidence(sdoc, start, mentions, rows=False):
            out.append(Relation(start=start, end=end, a=a, b=b, quad=rule[0], cue=rule[1]))
        return out

    def evidence(self, sdoc: Doc | None, start: int, mentions, rows: bool = True) -> list[tuple]:
        """Per pair (a, b): the rules' verdict (quad, cue, distance, reason) and, with `rows`, the feature rows and
        cue words of geolens.relation_model (the learned layer evaluated by geolens.relation_training)."""
        toks: dict[str, list[Token]] = {}
        cues = _Cues(sdoc, self.lex) if sdoc is not None else None
        for m in mentions:
            if sdoc is None:
                continue
            span = sdoc.char_span(m.start - start, m.end - start, alignment_mode="expand")
            if span is not None and len(span):
                if m.via in self.lex.place_vias and self._signing_place(span.root, cues):
                    toks.setdefault(m.country, [])
                    continue
                toks.setdefault(m.country, []).append(span.root)
        if sdoc is not None:
            for who, extra in self._speakers(sdoc, toks).items():
                toks[who] = toks[who] + extra
        countries = sorted({m.country for m in mentions})
        cands = candidates(self, sdoc, cues) if rows and sdoc is not None else []
        out = []
        for a, b in combinations(countries, 2):
            best, where = (NONE, "", 99, "nolink"), None
            for ta in toks.get(a, []):
                for tb in toks.get(b, []):
                    if ta.i == tb.i:
                        continue
                    got = self.explain(ta, tb, cues)
                    if where is None or _rank(got[0], got[2]) > _rank(best[0], best[2]):
                        best, where = got, (ta, tb)
            feats, words = (None, {})
            if rows and where is not None:
                feats, words = pair_rows(self, cands, where[0], where[1], best, len(countries))
            out.append((a, b, best, feats, words))
        return out

    def decide(self, ta: Token, tb: Token, cues: _Cues) -> tuple[str, str, int]:
        """The class, cue words and tree distance linking two country tokens of one parsed sentence."""
        return self.explain(ta, tb, cues)[:3]

    def explain(self, ta: Token, tb: Token, cues: _Cues) -> tuple[str, str, int, str]:
        """decide() and the rule that settled it (one of geolens.relation_model.REASONS)."""
        got = self._explain(ta, tb, cues)
        if got[0] == NONE and got[3] in ("nocue", "one_side", "own", "list"):
            present = self._presence(ta, tb, cues)
            if present is not None:
                return self._mood(present[0], "material_cooperation"), present[1], got[2], "presence"
        return got

    def _explain(self, ta: Token, tb: Token, cues: _Cues) -> tuple[str, str, int, str]:
        anc_a, anc_b = _ancestors(ta), _ancestors(tb)
        ids_b = {t.i for t in anc_b}
        lca = next((t for t in anc_a if t.i in ids_b), None)
        if lca is None:
            return NONE, "", 99, "nolink"
        path_a = anc_a[: [t.i for t in anc_a].index(lca.i)]
        path_b = anc_b[: [t.i for t in anc_b].index(lca.i)]
        dist = len(path_a) + len(path_b)
        country_ids = {ta.i, tb.i}
        if any(t.head.lemma_.lower() in self.lex.currencies and t.dep_ in ("compound", "nmod", "amod", "nummod")
               for t in (ta, tb)):
            return NONE, "", dist, "outsider"  # "nine billion US dollars" names a currency, not the United States
        blamed = self._blame(lca, path_a, path_b) or self._blame(lca, path_b, path_a)
        if blamed is not None:
            return "verbal_conflict", blamed.text, dist, "cue"  # "Pompeo said the crash was Iran's doing"
        joint = self._joint(ta, tb, cues)
        if joint is not None:
            quad = (cues.get(joint) or ("material_cooperation",))[0]
            return self._mood(joint, quad), ta.doc[min(ta.i, tb.i):joint.i + 1].text, dist, "cue"
        for path in (path_a, path_b):
            for child, event in zip(path, path[1:], strict=False):
                # A country that is the patient of an event someone else performs is no party to what is above it.
                if cues.get(event) and child.dep_ not in AGENT_DEPS and _agent_child(event, country_ids | {child.i}):
                    other = path_b if path is path_a else path_a
                    if self._mediator(event, other):
                        return "verbal_cooperation", cues.get(event)[1], dist, "cue"
                    return NONE, "", dist, "patient"
            # A country attached by a comparison ("Like the UAE, ...") is no party at all.
            if any(t.dep_ == "prep" and t.lower_ in self.lex.outsider_preps for t in path):
                return NONE, "", dist, "outsider"
        found = None
        climbed = False
        if lca.i in country_ids and lca.dep_ == "pobj" and cues.get(lca.head.head) and any(
            t.dep_ == "prep" and t.head.i == lca.i for t in path_a + path_b
        ):
            # "fighting for Russia in Ukraine": "in Ukraine" hangs on "Russia" in the parse but belongs to the event.
            event = lca.head.head
            quad, words = cues.get(event)
            return self._mood(event, quad), words, dist, "cue"
        lca_cue = cues.get(lca) if lca.i not in country_ids else None
        if lca_cue and lca_cue[0].startswith("verbal") and not (
            _actor_path(path_a) or _actor_path(path_b) or _said_by(path_a, path_b) or _said_by(path_b, path_a)
        ):
            lca_cue = None  # a third party's words about them, not theirs to each other
        if lca_cue and not _one_clause(path_a + path_b):
            return NONE, "", dist, "one_side"  # "X proposes ..., and candidates discuss the war between Y and Z"
        # The cue nearest the top of the path decides who does what to whom.
        if lca_cue:
            found = lca
        else:
            on_path = [t for t in (path_a[1:] + path_b[1:]) if cues.get(t)]
            if on_path:
                found = min(on_path, key=lambda t: len(_ancestors(t)))
                own, other = (path_a, path_b) if found in path_a else (path_b, path_a)
                says = cues.get(found)[0].startswith("verbal") and _actor_path(own[: own.index(found)]) and not any(
                    t.dep_ in ("relcl", "acl") for t in own[own.index(found):]
                )  # "denounced the memoranda in which Turkey and Libya agreed": their words describe a thing
                # An event on one country's side reaches the other only through a predicate the other performs,
                # unless it is the first country's own words about a clause naming the other.
                rest, below = own[own.index(found) + 1:], own[: own.index(found)]
                anaphor = any(c.dep_ == "poss" and c.pos_ == "PRON" for c in found.children)  # "their Syrian allies"
                if any(t.dep_ == "conj" and t.pos_ in ("NOUN", "PROPN") and not (t is found and anaphor)
                       for t in [found, *rest]) or self._contrast([found, *rest]):
                    return NONE, "", dist, "one_side"  # a cue inside one item of a list, or in a "while" clause
                if any(t.dep_ == "relcl" and not cues.get(t.head) and any(cues.get(x) for x in below[:k])
                       for k, t in enumerate(below)):
                    return NONE, "", dist, "one_side"  # "aid slated for Ukraine, which is in a conflict with Russia"
                if other and not says and not (
                    _actor_path(other) and lca.i in [t.i for t in _ancestors(found)[1:5]]
                ) and not self._partner(found, own, other, cues):
                    return NONE, "", dist, "one_side"  # the event hangs within four links of the predicate the other performs
                # An event below a predicate that is none of theirs, performed by one of them, is that one's own.
                if not cues.get(lca) and lca.pos_ in ("VERB", "AUX") and not self._symmetric(
                    found, cues.get(found)[1]
                ) and any(
                    c.dep_ in AGENT_DEPS and c.i in {p.i for p in path_a + path_b} for c in found.children
                ) and found not in (path_a[-1:] + path_b[-1:]) and not self._target_of(lca, path_a + path_b):
                    return NONE, "", dist, "own"
                # A conflict noun with its own party, which the other country only handles as the object of a verb of
                # none of theirs ("Trump addressed the Arab–Israeli conflict"), is not the other's conflict (an
                # alliance it maintains is its own: "Japan is maintaining the US alliance").
                if not cues.get(lca) and lca.pos_ in ("VERB", "AUX") and found.pos_ == "NOUN" and (
                    found.head.i == lca.i and found.dep_ == "dobj" and cues.get(found)[0].endswith("conflict")
                ) and any(c.dep_ in ("amod", "poss", "compound") and c.i in {p.i for p in own} for c in found.children
                          ) and other[-1].dep_ in ("nsubj", "nsubjpass"):
                    return NONE, "", dist, "own"
            elif lca.pos_ in ("VERB", "AUX") and lca_cue is None and not cues.get(lca):
                objs = [c for c in lca.children if c.dep_ in LIGHT_OBJECTS and cues.get(c)] + [
                    o for c in lca.children if c.dep_ == "prep" for o in c.children if o.dep_ == "pobj" and cues.get(o)
                ]  # "imposed sanctions on ...", "placed companies on export control lists"
                found = objs[0] if objs and (_actor_path(path_a) or _actor_path(path_b)) and _one_clause(
                    path_a + path_b) else None
                if found is None and lca.dep_ in ("acl", "relcl") and cues.get(lca.head) and any(
                    t.dep_ == "agent" for t in path_a + path_b
                ):
                    found = lca.head  # "a phone call made by Trump to Zelensky", "aid sent by Japan to Peru"
            elif lca.pos_ not in ("VERB", "AUX"):
                # Both countries sit in one noun group: they relate only through a symmetric event of the group.
                found = self._climb(lca, cues)
                climbed = True
        if found is None and self.window and not climbed:
            found = self._between(ta, tb, cues)
        if found is None:
            return NONE, "", dist, "nocue"
        quad, words = cues.get(found)
        judged = self._judged(found, cues)
        if judged is not None:  # "relations between China and India have been tense"
            quad, words = cues.get(judged)
        if climbed and (not self._symmetric(found, cues.get(found)[1]) or _first_against_rest(ta, tb)):
            return NONE, "", dist, "list"
        groups = [{t.i for t in p if t.pos_ == "ADP" and t.lower_ in ("between", "among", "amongst")}
                  for p in (path_a, path_b)]
        if len(groups[0] | groups[1]) > 1 or (climbed and groups[0] | groups[1]):
            return NONE, "", dist, "list"  # "deals between Israel and Bahrain and between Serbia and Kosovo"
        if not climbed and bool(groups[0]) != bool(groups[1]) and self._symmetric(found, words) and (
            found in path_a or found in path_b
        ):
            return NONE, "", dist, "one_side"  # "X announced deals between Y and Z": the list names the parties
        if quad.startswith("verbal") and self._venue(found, path_a, path_b):
            return NONE, "", dist, "venue"
        if quad == "material_conflict" and self._scene(found, path_a, path_b):
            return NONE, "", dist, "venue"  # "he was killed by a US airstrike in Iraq": Iraq is where, not whom
        if quad.startswith("verbal") and self._topic(found, words, path_a, path_b, cues):
            return NONE, "", dist, "venue"  # what the talks are about, not who holds them
        if quad == "material_conflict" and self._at_words(found):
            quad = "verbal_conflict"
        if quad.endswith("conflict") and self._ended(found):
            quad = "material_cooperation"  # "an end to the conflict between Israel and Egypt" (CAMEO 08, yield)
        elif quad == "verbal_cooperation" and self._settled(found):
            quad = "material_cooperation"  # "Turkey and Libya agreed on a maritime border" (CAMEO 057)
        elif quad == "material_cooperation" and self._cut(found):
            if climbed:  # "the United States and South Korea suspended their joint exercises": cut together
                return NONE, "", dist, "list"
            quad = "material_conflict"  # "ordered his staff to delay US$400 million in military aid" (CAMEO 16)
        quad = self._appeal(found, self._mood(found, quad), words, cues)
        if quad == NONE:
            return NONE, "", dist, "cue"  # a negated conflict cue decides nothing
        if quad.endswith("conflict"):
            quad = self._sides(found, quad, path_a, path_b)
        if quad == "material_conflict" and self._reported(found, lca, path_a, path_b):
            quad = "verbal_conflict"  # "Germany said Russia attacked Ukraine": for Germany, an accusation
        return quad, words, dist, "cue"

    def _signing_place(self, t: Token, cues: _Cues) -> bool:
        """True for a city inside the name of an agreement ("the Paris Agreement", "the Paris Climate Accord"): the
        name says where it was signed, not who is party to it."""
        while t.dep_ == "compound" and t.head.i != t.i:
            t = t.head
            got = cues.get(t)
            if got and got[0] == "material_cooperation" and t.is_title and t.pos_ == "PROPN":
                return True
        return False

    def _joint(self, ta: Token, tb: Token, cues: _Cues) -> Token | None:
        """The noun of joint action that nationalities joined by hyphens qualify ("an Israeli-Cypriot-Greek effort",
        "Franco-German exercises"), or None: the countries act together."""
        doc = ta.doc
        lo, hi = sorted((ta.i, tb.i))
        hyphens = ("-", "\u2013", "\u2010")

        def named(x: Token) -> bool:
            return x.pos_ in ("ADJ", "PROPN") and x.dep_ in ("amod", "compound", "nmod", "npadvmod")

        k = lo
        while k < hi:  # A-B-C: a name, a hyphen, a name, ...
            if k + 2 > hi or doc[k + 1].text not in hyphens or not named(doc[k + 2]):
                return None
            k += 2
        while k + 2 < len(doc) and doc[k + 1].text in hyphens and named(doc[k + 2]):
            k += 2
        if not named(doc[lo]):
            return None
        noun = doc[k].head
        group = set(range(lo, k + 1)) | {t.i for t in doc[lo:k + 1] if t.text in hyphens}
        if noun.i <= k or noun.pos_ not in ("NOUN", "PROPN") or any(
            doc[j].head.i not in group | {noun.i} for j in range(lo, k + 1)
        ):
            return None
        got = cues.get(noun)
        if got:
            return noun if self._symmetric(noun, got[1]) else None
        return noun if noun.lemma_.lower() in self.lex.joint_heads or noun.lower_ in self.lex.joint_heads else None

    def _blame(self, lca: Token, speaker: list[Token], blamed: list[Token]) -> Token | None:
        """The blame noun ("fault", "doing") a speaker country's statement gives the other country, or None."""
        if lca.lemma_.lower() not in self.lex.speech or lca.pos_ not in ("VERB", "AUX") or not _actor_path(speaker):
            return None
        if len(blamed) < 2 or blamed[0].dep_ != "poss" or blamed[1].lemma_.lower() not in self.lex.blame_nouns:
            return None
        noun = blamed[1]
        if noun.dep_ not in ("attr", "ccomp", "acomp", "dobj") or any(
            c.dep_ == "neg" for t in (noun, noun.head) for c in t.children
        ):
            return None  # "Russia's responsibility was to ...", "was not Russia's fault"
        return noun if any(t.dep_ in ("ccomp", "parataxis") for t in blamed[1:]) else None

    def _judged(self, cue: Token, cues: _Cues) -> Token | None:
        """The adjective that judges a state of relations ("tense", "strained", "cordial"), if any."""
        if cue.lemma_.lower() not in self.lex.state_nouns and cue.lower_ not in self.lex.state_nouns:
            return None
        adjs = [c for c in cue.children if c.dep_ == "amod"]
        if cue.dep_ in ("nsubj", "nsubjpass"):
            adjs += [c for c in cue.head.children if c.dep_ in ("acomp", "attr", "oprd")]
        return next((a for a in adjs if cues.get(a) and (a.lemma_.lower() in self.lex.state_judges
                                                         or a.lower_ in self.lex.state_judges)), None)

    def _settled(self, cue: Token) -> bool:
        """True for an agreement reached on something ("agreed on a line as their border", "agreed to a ceasefire"),
        not an intent ("agreed to talk"): a settlement is a formal agreement (CAMEO 057)."""
        if cue.lemma_.lower() not in self.lex.settle_verbs or cue.pos_ != "VERB":
            return False
        return any(p.dep_ == "prep" and p.lower_ in self.lex.settle_preps and any(
            o.dep_ == "pobj" and o.pos_ in ("NOUN", "PROPN") for o in p.children) for p in cue.children)

    def _cut(self, cue: Token) -> bool:
        """True when a material cooperation cue is what a verb cuts ("delay US$400 million in military aid",
        "suspended trade with Iran"): reducing relations (CAMEO 16), material conflict."""
        t = cue
        for _ in range(4):
            if t.dep_ not in ("dobj", "pobj", "prep", "nsubjpass", "compound") or t.head.i == t.i:
                return False
            t = t.head
            if t.pos_ in ("VERB", "AUX"):
                negated = any(c.dep_ == "neg" for c in t.children)
                return t.lemma_.lower() in self.lex.cutters and not negated
        return False

    def _contrast(self, path: list[Token]) -> bool:
        """True when the path leaves a contrasting clause ("..., while Russia called for ...")."""
        return any(t.dep_ == "advcl" and any(c.dep_ == "mark" and c.lower_ in self.lex.contrast_marks
                                             for c in t.children) for t in path)

    def _membership(self, verb: Token, cues: _Cues) -> list[Token]:
        """The cooperative bodies a clause's participants belong to: "were part of the task force", "stands with
        leaders from A and B as part of the Abraham Accords"."""
        nouns = [c for c in verb.children if c.dep_ in ("attr", "acomp") and c.lemma_.lower() in self.lex.membership]
        nouns += [o for c in verb.children if c.dep_ == "prep" and c.lower_ == "as" for o in c.children
                  if o.dep_ == "pobj" and o.lemma_.lower() in self.lex.membership]
        return [o for c in nouns for p in c.children if p.dep_ == "prep" and p.lower_ == "of"
                for o in p.children if o.dep_ == "pobj" and cues.get(o)]

    def _sides(self, cue: Token, quad: str, path_a: list[Token], path_b: list[Token]) -> str:
        """A country fighting (or speaking) for the doer of a conflict event is on its side, not against it."""
        path_a, path_b = (p[: p.index(cue)] if cue in p else p for p in (path_a, path_b))
        entries = [p[-1] if p else None for p in (path_a, path_b)]
        side = [e is not None and ((len(p) == 2 and e.dep_ == "prep" and e.lower_ in self.lex.side_preps) or (
            e.dep_ == "prep" and e.lower_ == "on" and p[-2].lemma_.lower() in self.lex.side_nouns and (
                (len(p) == 3 and p[0].dep_ == "poss") or (len(p) == 4 and p[1].lower_ == "of"))
        )) for e, p in zip(entries, (path_a, path_b), strict=True)]  # "on Azerbaijan's behalf", "on the side of Russia"
        agent = [e is not None and e.dep_ in ("nsubj", "agent", "poss", "amod", "compound") for e in entries]
        if (side[0] and agent[1]) or (side[1] and agent[0]):
            return quad.replace("conflict", "cooperation")
        return quad

    def _at_words(self, cue: Token) -> bool:
        """True when a conflict verb's target is words or a decision ("attacked the proclamation")."""
        targets = [c for c in cue.children if c.dep_ in ("dobj", "nsubjpass")]
        targets += [o for c in cue.children if c.dep_ == "prep" and c.lower_ in ("at", "on", "against")
                    for o in c.children if o.dep_ == "pobj"]
        return any((t.lemma_.lower() in self.lex.verbal_objects or t.lower_ in self.lex.verbal_objects)
                   and t.lower_ not in self.lex.military_targets for t in targets)

    def _speakers(self, sdoc: Doc, toks: dict[str, list[Token]]) -> dict[str, list[Token]]:
        """First-person words inside the quotation of the sentence's one country speaker, and third-person pronouns a
        country reports about itself (_reporters), as that country's tokens."""
        lex = self.lex
        owner = {t.i: c for c, ts in toks.items() for t in ts}
        speakers = set()
        for v in sdoc:
            if v.lemma_.lower() in lex.speech and v.pos_ in ("VERB", "AUX"):
                for subj in (c for c in v.children if c.dep_ in ("nsubj", "nsubjpass")):
                    speakers |= {owner[t.i] for t in subj.subtree if t.i in owner}
        found = self._reporters(sdoc, owner)
        if len(speakers) != 1:
            return found
        (who,) = speakers
        quotes = 0
        for t in sdoc:
            quotes += sum(t.text.count(q) for q in ('"', "\u201c", "\u201d"))
            if quotes % 2 == 1 and t.lower_ in ("i", "we", "me", "us", "my", "our") and t.pos_ == "PRON":
                found.setdefault(who, []).append(t)
        return found

    def _reporters(self, sdoc: Doc, owner: dict[int, str]) -> dict[str, list[Token]]:
        """Third-person pronouns that a country's own report names as the doer: the subject (or the subject's owner)
        of the clause a speech verb with that one country as subject reports ("Iran acknowledged their government
        had shot down ...", "the Armenians claim they were retaliating")."""
        lex = self.lex
        found: dict[str, list[Token]] = {}
        for v in sdoc:
            if v.lemma_.lower() not in lex.speech or v.pos_ not in ("VERB", "AUX"):
                continue
            who = {owner[t.i] for c in v.children if c.dep_ in ("nsubj", "nsubjpass") for t in c.subtree if t.i in owner}
            if len(who) != 1:
                continue
            for comp in (c for c in v.children if c.dep_ == "ccomp"):
                subjects = [c for c in comp.children if c.dep_ in ("nsubj", "nsubjpass")]
                subjects += [p for c in subjects for p in c.children if p.dep_ == "poss"]
                for t in subjects:
                    if t.pos_ == "PRON" and t.lower_ in lex.pronouns:
                        found.setdefault(next(iter(who)), []).append(t)
        return found

    def _appeal(self, cue: Token, quad: str, words: str, cues: _Cues) -> str:
        """An appeal to cooperate ("urged China to resume talks") is verbal cooperation; a demand stays conflict."""
        lex = self.lex
        said = " ".join([cue.lemma_.lower(), *words.lower().split()[1:]])  # "called on" -> "call on"
        if quad != "verbal_conflict" or said not in lex.appeal_cues:
            return quad
        comp = next((c for c in cue.children if c.dep_ in ("xcomp", "ccomp") and c.pos_ in ("VERB", "AUX")), None)
        if comp is None or comp.lemma_.lower() in lex.appeal_demands:
            return quad
        objects = [c for c in comp.children if c.dep_ in ("dobj", "attr") or c.dep_ == "prep"]
        objects += [o for c in objects if c.dep_ == "prep" for o in c.children if o.dep_ == "pobj"]
        if comp.lemma_.lower() in lex.appeal_cooperative or any(
            (cues.get(t) or ("", ""))[0].endswith("cooperation") for t in [comp, *objects]
        ):
            return "verbal_cooperation"
        return quad

    def _partner(self, cue: Token, own: list[Token], other: list[Token], cues: _Cues) -> bool:
        """True for a symmetric cooperation cue that reaches one country through "with" ("in cooperation with
        Iraqi forces"): the other country, unless it is only a place, is the partner's counterpart."""
        quad, words = cues.get(cue)
        with_phrase = any(w in self.lex.partner_preps for w in words.lower().split()[1:])
        if not quad.endswith("cooperation") or not (self._symmetric(cue, words) or with_phrase):
            return False
        below = own[: own.index(cue)]
        entry = next((t for t in reversed(below) if t.dep_ == "prep"), None)
        if entry is None or entry.lower_ not in self.lex.partner_preps or entry.head not in (cue, *below):
            return False
        return not any(t.dep_ == "prep" and (t.lower_ in self.lex.venue_preps or t.lower_ in self.lex.outsider_preps
                                            or t.lower_ == "from") for t in other)

    def _forces_of(self, t: Token) -> Token | None:
        """The military noun a country word qualifies ("U.S. troops", "troops of Turkey"), if any."""
        for _ in range(3):
            if t.dep_ in ("compound", "amod", "poss", "nmod"):
                t = t.head
            elif t.dep_ == "pobj" and t.head.lower_ == "of":
                t = t.head.head
            else:
                return None
            if t.lemma_.lower() in self.lex.presence_nouns or t.lower_ in self.lex.presence_nouns:
                return t
        return None

    def _presence(self, ta: Token, tb: Token, cues: _Cues) -> tuple[Token, str] | None:
        """Forces of one country stationed in or hosted by the other (CAMEO 074): (their noun, the words), else None."""
        lex = self.lex
        for x, y in ((ta, tb), (tb, ta)):
            n = self._forces_of(x)
            if n is None:
                continue
            if n.dep_ in ("nsubj", "nsubjpass", "agent") and cues.get(n.head):
                continue  # the forces attack, occupy or withdraw: what they do decides, not where they are
            if n.dep_ == "pobj" and n.head.dep_ == "agent" and cues.get(n.head.head):
                continue  # "Osama was killed by US special forces in Pakistan"
            prep = y.head if y.dep_ == "pobj" else None
            if prep is not None and prep.lower_ in lex.presence_preps and (
                prep.head.i == n.i or (n.dep_ in ("nsubj", "nsubjpass") and prep.head.i == n.head.i)
            ):
                return n, _words_between(n, y)
            sender = n.head if n.dep_ == "dobj" and n.head.lemma_.lower() in lex.senders else None
            if sender is not None and prep is not None and prep.lower_ in lex.send_preps and prep.head.i == sender.i:
                return n, _words_between(sender, y)  # "sending Turkish soldiers to Libya"
            host = n.head if n.dep_ == "dobj" and n.head.lemma_.lower() in lex.presence_hosts else None
            if host is not None:
                owner = host.head if host.dep_ in ("acl", "relcl") else next(
                    (c for c in host.children if c.dep_ == "nsubj"), None)
                if owner is not None and y.head.i == owner.i and y.dep_ in ("amod", "compound", "poss", "nmod"):
                    return n, _words_between(host, n)
        return None

    def _between(self, ta: Token, tb: Token, cues: _Cues) -> Token | None:
        """The cue between two country words at most `window` tokens apart (a fallback for a broken parse)."""
        lo, hi = sorted((ta.i, tb.i))
        if hi - lo > self.window:
            return None
        inside = [t for t in ta.doc[lo + 1:hi] if cues.get(t)]
        return inside[0] if inside else None

    def _symmetric(self, tok: Token, words: str) -> bool:
        span = tok.doc[tok.i: tok.i + len(words.split())]
        lemmas = " ".join(t.lemma_.lower() for t in span if t.pos_ != "DET" and t.tag_ != "PRP$")
        return tok.lemma_.lower() in self.lex.symmetric or tok.lower_ in self.lex.symmetric or (
            words.lower() in self.lex.symmetric or lemmas in self.lex.symmetric
        )  # "exchanged accusations" as "exchange accusation"

    def _climb(self, lca: Token, cues: _Cues) -> Token | None:
        """From a group of countries up to the predicate it belongs to: its symmetric cue, else its nearest cue."""
        t = lca
        seen: list[Token] = []
        for _ in range(9):
            if cues.get(t) and t.i != lca.i:
                seen.append(t)
            if t.pos_ in ("VERB", "AUX"):
                seen.extend(c for c in t.children if c.dep_ in LIGHT_OBJECTS and cues.get(c))
                # "remain at odds", "are at war": a cue reached through the verb's preposition
                seen.extend(x for c in t.children if c.dep_ == "prep" and c.lower_ == "at" for x in (c, *c.children)
                            if (x is c or x.dep_ == "pobj") and cues.get(x))
                # "agencies from A, B and C were part of the task force", "members of the coalition"
                seen.extend(self._membership(t, cues))
                if t.dep_ in ("relcl", "acl") and cues.get(t.head):
                    seen.append(t.head)  # "deals (that) the administration brokered between ..."
                break
            if t.dep_ not in GROUP_UP or t.head.i == t.i:
                break
            if t.dep_ == "prep" and t.lower_ not in GROUP_PREPS:
                if t.head.pos_ in ("VERB", "AUX"):  # "stands with leaders from A and B as part of the Accords"
                    seen.extend(x for x in self._membership(t.head, cues) if self._symmetric(x, cues.get(x)[1]))
                break  # "cooperation with China and India": the list is one side, not the parties
            if t.dep_ == "agent" and t.head.lemma_.lower() not in self.lex.participation:
                break  # "the call was seconded by A and B": they back it, they are not its parties
            t = t.head
        sym = [c for c in seen if self._symmetric(c, cues.get(c)[1])]
        return (sym or seen or [None])[0]

    def _venue(self, cue: Token, path_a: list[Token], path_b: list[Token]) -> bool:
        """True when one country only says where a verbal event took place ("talks in Cairo"), or where someone
        taking part lives or works ("she, who studies in the United States, discussed ...")."""
        for path in (path_a, path_b):
            for k, t in enumerate(path):
                if any(x.dep_ == "prep" and x.lower_ != "of" for x in path[:k]):
                    break  # "condemned in a statement by Egypt": the place is the statement, Egypt speaks in it
                if t.dep_ == "prep" and t.lower_ in self.lex.venue_preps and t.head.dep_ in ("relcl", "acl") and (
                    t.head.lemma_.lower() not in self.lex.lemmas
                ):
                    return True
                head_cue = t.head.i == cue.i or (t.head.lemma_.lower() in self.lex.lemmas
                                                 and self.lex.lemmas[t.head.lemma_.lower()].startswith("verbal"))
                if t.dep_ == "prep" and t.lower_ in self.lex.venue_preps and head_cue:
                    return True
                if k == 1 and t.dep_ == "prep" and t.lower_ in self.lex.venue_preps and t.head.pos_ == "PROPN" and (
                    path[0].dep_ == "pobj"
                ):
                    return True  # "met with Zalmay Khalilzad in Qatar": where the person was met
        return False

    def _topic(self, cue: Token, words: str, path_a: list[Token], path_b: list[Token], cues: _Cues) -> bool:
        """True when one country is only what a symmetric verbal event on its path is about: "(met to) discuss
        Libya–Turkey relations", "talks on Syria" (not "called on Turkey": there the preposition is the cue's)."""
        if not self._symmetric(cue, words):
            return False
        for path in (path_a, path_b):
            for entry in path:
                head = entry.head
                said = cues.get(head) if head.i != entry.i else None
                if not said or not said[0].startswith("verbal") or not self._symmetric(head, said[1]):
                    continue
                if entry.dep_ == "dobj" and head.lemma_.lower() in self.lex.topic_verbs:
                    return True
                if entry.dep_ == "prep" and entry.lower_ in self.lex.topic_preps and (
                    entry.lower_ not in said[1].lower().split()[1:]
                ):
                    return True
        return False

    def _mediator(self, event: Token, other: list[Token]) -> bool:
        """True when the other country brokers the event the first country takes part in (CAMEO 04 mediate): "the
        White House announced a deal it brokered to normalize relations between Sudan and Israel"."""
        if event.lemma_.lower() not in self.lex.mediation or not other or not _actor_path(other):
            return False
        doers = [c for c in event.children if c.dep_ in ("nsubj", "agent")]
        return all(c.pos_ == "PRON" or c.i == other[0].i for c in doers)

    def _scene(self, cue: Token, path_a: list[Token], path_b: list[Token]) -> bool:
        """True when an attack has its own victim, a person ("he was killed", "killed the general"), and one country is the
        place it happened in, attached to the act through prepositions alone ("in a US operation in the region of
        Afghanistan"); "Russian troops in Ukraine shelled ..." names where the attackers are, and stays."""
        doer = cue.head.head if cue.dep_ == "pobj" and cue.head.dep_ == "agent" else cue
        victims = [c for c in (*cue.children, *doer.children) if c.dep_ in ("dobj", "nsubjpass")]
        own = {t.i for t in path_a + path_b}
        if not victims or any(v.i in own for v in victims) or not any(
            v.pos_ in ("PRON", "PROPN") or v.lemma_.lower() in self.lex.person_nouns for v in victims
        ):
            return False  # "attacked the port in Ukraine": a place in the country is the country's
        for path in (path_a, path_b):
            for k, t in enumerate(path):
                if t.dep_ == "prep" and t.lower_ in self.lex.venue_preps:
                    below, above = path[:k], path[k + 1:]
                    above = above[: above.index(cue)] if cue in above else above
                    if all(x.dep_ in ("pobj", "compound", "nmod", "amod", "appos", "conj", "cc", "prep") and (
                        x.dep_ != "prep" or x.lower_ == "of") for x in below) and all(
                        x.dep_ in ("pobj", "prep") for x in above
                    ):
                        return True
                    break
        return False

    def _ended(self, cue: Token) -> bool:
        """True for a conflict that is ended: "an end to the war", "the cessation of hostilities", "ended the war"."""
        enders = self.lex.enders
        if cue.dep_ == "dobj" and cue.head.lemma_.lower() in enders:
            ender = cue.head
        elif cue.dep_ == "pobj" and cue.head.lower_ in ("to", "of") and cue.head.head.lemma_.lower() in enders:
            ender = cue.head.head
        else:
            return False
        # "called for an end to the war": the end is asked for, the war goes on
        return not any(a.lemma_.lower() in self.lex.irrealis or a.lemma_.lower() in self.lex.appeal_cues
                       for a in _ancestors(ender)[1:5])

    def _target_of(self, lca: Token, path: list[Token]) -> bool:
        """True for a copula naming its subject the target of the event below ("Mahan has been the subject of United
        States sanctions", "Iran is the target of ..."): the subject suffers the event, it does not own it."""
        return any(t.head.i == lca.i and t.dep_ in ("attr", "acomp") and t.lemma_.lower() in self.lex.target_nouns
                   for t in path)

    def _reported(self, cue: Token, lca: Token, path_a: list[Token], path_b: list[Token]) -> bool:
        """True when the act is reported by one country about the other: the cue sits in the clausal complement of
        a speech verb whose subject is the other country ("Germany said Russia attacked Ukraine")."""
        if lca.i == cue.i or lca.lemma_.lower() not in self.lex.speech or lca.pos_ not in ("VERB", "AUX"):
            return False
        chain = _ancestors(cue)
        if lca not in chain:
            return False
        below = chain[: chain.index(lca)]
        if not below or below[-1].dep_ not in ("ccomp", "parataxis"):  # "adds ... to export control lists" is no report
            return False
        return any(p and p[-1].dep_ in ("nsubj", "nsubjpass") and cue not in p for p in (path_a, path_b))

    def _mood(self, cue: Token, quad: str) -> str:
        """Negated cooperation is verbal conflict; a planned, hypothetical or demanded material act is words."""
        lex = self.lex
        negated = any(c.dep_ == "neg" or c.lower_ in lex.negators for c in cue.children if c.dep_ in ("neg", "det"))
        negated = negated or any(  # "neither the EU nor the United States would endorse the result"
            g.dep_ == "preconj" and g.lower_ in lex.negators for c in cue.children if c.dep_ in ("nsubj", "nsubjpass")
            for g in c.children
        )
        up = cue
        for _ in range(3):  # "without any arrangements made about trade"
            if up.head.i == up.i:
                break
            up = up.head
            negated = negated or (up.dep_ == "prep" and up.lower_ in lex.negators)
        if negated:
            return "verbal_conflict" if quad.endswith("cooperation") else NONE
        if not quad.startswith("material"):
            return quad
        irrealis = any(c.dep_ in MODAL_DEPS and c.lemma_.lower() in lex.irrealis for c in cue.children)
        t = cue
        same_clause = True
        for _ in range(3):
            if t.dep_ not in ("xcomp", "ccomp", "dobj", "pobj", "prep", "acl", "advcl", "relcl") or t.head.i == t.i:
                break
            same_clause = same_clause and t.dep_ in ("xcomp", "dobj", "pobj", "prep")
            t = t.head
            # "will pursue the prosecution": a modal on the verb whose object the cue is
            modal = same_clause and any(c.dep_ in ("aux", "auxpass") and c.lemma_.lower() in lex.irrealis
                                        for c in t.children)
            if modal or t.lemma_.lower() in lex.irrealis or t.lower_ in lex.irrealis:
                irrealis = True
                break
        return "verbal_" + quad.split("_", 1)[1] if irrealis else quad


@Language.factory(
    "geolens_relations",
    default_config={"cues_path": None, "parser_model": None, "window": 0},
    assigns=["doc._.relations"],
)
def make_relation_tagger(
    nlp: Language, name: str, cues_path: str | None, parser_model: str | None, window: int
) -> RelationTagger:
    """spaCy factory for the relations component (None = the default cue lexicon and the pipeline's own model)."""
    return RelationTagger(nlp, name, cues_path, parser_model, window)
