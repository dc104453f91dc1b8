"""spaCy component "geolens_countries": resolves every country mention to ISO 3166 alpha-3 and keeps clean people/orgs.

Routes: country names, demonyms, capitals and seats of government (metonyms), cities and first-level
subdivisions (looked up on the model's GPE/LOC/FAC entities), leaders (person mentions carrying a country) and
national institutions (org mentions carrying a country). Ambiguous surfaces are settled by what the rest of the
article says; regions, seas and personal names that contain a country word are kept out.

The article's own geography decides namesakes ("Paris, Texas" vs Paris), and `Mention.via` of a place says which
signal did: "qualifier" (a state or province after a comma: "LONDON, Ont."), "region" (other places of the article
lie in the namesake's state: "Paris" beside "Lamar County") or "context" (a local article's home country, from its
places or its press voice: data/countries/local_register.yaml); otherwise the route ("city", "subdivision").
Acronyms the text defines ("Syrian Democratic Forces (SDF)") mean that organisation wherever they recur.
Sets Doc._.geo_mentions: list[geolens.records.Mention], sorted by start offset.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span

from geolens.extensions import doc_ents, doc_text  # importing it registers the Doc extensions
from geolens.gazetteer import ROUTE_RANK, Candidate, Gazetteer, fold, load_gazetteer
from geolens.records import Mention

# The publication's country (ISO3), when the caller knows it from the article's source or address: set
# doc.user_data[HOME_HINT_KEY] before the component runs; it then stands for the press voice of the text.
HOME_HINT_KEY = "geolens:home_country"


# Buildings, streets and venues (FAC) are not toponyms: only GPE/LOC names unknown to the gazetteer are kept.
UNKNOWN_PLACE_LABELS = frozenset({"GPE", "LOC"})
NUMERIC_LABELS = frozenset({"DATE", "TIME", "CARDINAL", "ORDINAL", "QUANTITY", "MONEY", "PERCENT"})
COUNTRY_ROUTES = frozenset({"name", "demonym"})
PLACE_ROUTES = ("city", "subdivision")
# A city reading loses to a much larger namesake even when the article talks about the smaller one's country.
DOMINANCE = 20
ALTERNATE_DISCOUNT = 5
SAME_COUNTRY_ORDER = ("name", "demonym", "capital", "city", "subdivision")
MAX_PLACE_TOKENS = 5  # longest place name looked up, in tokens ("Bains and Grants Town")
# A city below this size that only its own name points at, in an article about another country, is a namesake.
ISOLATED_CITY = 200_000
HOME_MIN = 2
# A city at least this large is known well enough to be read inside an organisation name.
PROMINENT_CITY = 100_000
MAJOR_CITY = 500_000
HOME_SHARE = 0.4
# Places in one region that let a namesake outweigh a much larger place or a country name ("Paris" in Texas).
REGION_STRONG = 2
# An anchor naming a place of more regions than this (a "Washington County") says nothing about the region.
MAX_ANCHOR_REGIONS = 8
# Distinct places of one country (and no other country named) that make an article local to that country.
LOCAL_ANCHORS = 2
# A home-country town named at least this often in a local article is read as a place whatever the tagger says
# (once is enough when it stands alone: no capitalised word beside it, never written in lower case).
LOCAL_REPEATS = 1
# "Syrian Democratic Forces (SDF)": up to eight words, then the acronym in parentheses.
_ACRONYM = re.compile(r"((?:[A-Z][\w'’.-]*,?\s+(?:(?:of|for|and|the|on|de|du|des|la|el|al)\s+)*){1,8})\(([A-Z][A-Za-z&]{1,9})\)")
_LANGUAGE_LIST_FILLERS = frozenset({"only", "fluent", "fluently", "and", "or", ",", "both", "either"})
_NAME_ABBREVIATIONS = {"st.": "saint", "st": "saint", "ste.": "sainte", "ft.": "fort", "ft": "fort", "mt.": "mount",
                       "mt": "mount"}
# Entity labels of names that hold a place name without being the place: treaties, events, works, products
# (not ORG: the tagger calls "Paris police" and "Mansfield council" organisations).
_NAME_LABELS = frozenset({"EVENT", "LAW", "WORK_OF_ART", "PRODUCT"})
_SENTENCE_END = frozenset({".", "!", "?"})
_DATELINE_CLOSE = frozenset({"—", "–", "-", "--", "---", "(", ","})
MAX_DATELINE_TOKENS = 4
_POSSESSIVE = re.compile(r"(?:'s|’s|'|’)$")
_REGION_KEY = "REGION"
_PHRASE_KEY = "PHRASE"


@dataclass(slots=True)
class _Hit:
    """A candidate span with its readings, before overlaps and ambiguity are settled."""

    start: int  # token offsets
    end: int
    cands: list[Candidate]
    region: bool = False
    weak: bool = False  # read as a place on thin evidence: it may confirm a country, never introduce one
    single: bool = False  # one word of a longer tagged name: weak unless it resolves to a prominent city
    alts: list[Candidate] = field(default_factory=list)  # a country name's namesake towns ("Lebanon", Ohio)
    reason: str | None = None  # the document signal that decided the reading: qualifier | region | context


@dataclass(slots=True)
class _Evidence:
    """What the article's unambiguous hits say: per country, hits and distinct surfaces; per region, surfaces."""

    any_count: Counter = field(default_factory=Counter)
    place_count: Counter = field(default_factory=Counter)
    surfaces: dict[str, set[str]] = field(default_factory=dict)
    local: dict[str, dict[str, int]] = field(default_factory=dict)  # places below the country level: weights
    regions: Counter = field(default_factory=Counter)
    register: str | None = None  # the publication's country as its language tells it
    register_lean: tuple[str, ...] = ()  # the same on thinner evidence, ties kept: moves only known namesakes
    local_home: str | None = None  # the country a local article is set in (see _local_frame)


def _size(c: Candidate) -> float:
    """Prominence prior: population, discounted when the surface is only an alternate name of the place."""
    return c.population if c.primary else c.population / ALTERNATE_DISCOUNT


def _key(c: Candidate) -> tuple:
    # A town and a state or province of another country are weighed by size alone: a small country's parish
    # ("Charlotte", St Vincent) never outranks a large city by being a subdivision.
    rank = ROUTE_RANK.get(c.via, 0)
    return (ROUTE_RANK["city"] if c.via in PLACE_ROUTES else rank), _size(c)


def _home_country(doc: Doc, resolved: list[tuple[_Hit, Candidate]]) -> str | None:
    """The country the article is about: the most mentioned one, if it has a clear share of the mentions."""
    counts = Counter(c.iso3 for _, c in resolved
                     if c.via != "city" or (c.primary and c.population >= ISOLATED_CITY))
    if not counts:
        return None
    (top, n), total = counts.most_common(1)[0], sum(counts.values())
    return top if n >= HOME_MIN and n >= HOME_SHARE * total else None


class CountryResolver:
    """The pipeline component; all lookups are built once at construction."""

    def __init__(self, nlp: Language, gazetteer: Gazetteer, context_places: bool = True):
        self.gaz = gazetteer
        self.context_places = context_places
        self.matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
        self._by_lower: dict[str, list[str]] = {}
        for surface in gazetteer.phrases:
            self._by_lower.setdefault(surface.lower(), []).append(surface)
        self.matcher.add(_PHRASE_KEY, list(nlp.tokenizer.pipe(gazetteer.phrases)))
        self.matcher.add(_REGION_KEY, list(nlp.tokenizer.pipe(sorted(gazetteer.regions))))
        self._titles = [t.split() for t in gazetteer.titles]
        self.register = PhraseMatcher(nlp.vocab, attr="LOWER")
        for iso3, cues in gazetteer.register.items():
            self.register.add(iso3, list(nlp.tokenizer.pipe(list(cues))))

    # ---------------------------------------------------------------- matching
    def _phrase_readings(self, text: str) -> list[Candidate]:
        """Readings of an exact-case surface; an all-capitals surface (a dateline) reads like its usual casing."""
        if text in self.gaz.phrases:
            return list(self.gaz.phrases[text])
        if text.isupper() and len(text) >= 4:
            out: list[Candidate] = []
            for surface in self._by_lower.get(text.lower(), ()):
                if not surface.isupper():
                    out.extend(self.gaz.phrases[surface])
            return out
        return []

    def _place_readings(self, doc: Doc, start: int, text: str) -> list[Candidate]:
        """Readings of a capitalised token sequence as a city, a subdivision or a subdivision's code."""
        text = text.rstrip("-–—") or text
        if text in self.gaz.place_codes:
            if text in self.gaz.after_comma and (start == 0 or doc[start - 1].text != ","):
                return []
            return list(self.gaz.place_codes[text])
        key = text.rstrip("-–—").lower()  # the tokenizer keeps a dateline's dash: "Calif.--"
        found = self.gaz.places.get(key)
        if found is None and not key.isascii():
            found = self.gaz.places.get(fold(key))
        short = key.split(" ", 1)[0]
        if short in _NAME_ABBREVIATIONS and " " in key and not any(c.primary for c in found or ()):
            # "St. Paul", "Ft. Myers", "Mt. Vernon": the gazetteer spells the word out ("Saint Paul").
            found = self.gaz.places.get(_NAME_ABBREVIATIONS[short] + key[len(short):]) or found
        return list(found or ())

    def _accept_place(self, doc: Doc, span: Span, labels: list[str], cands: list[Candidate]) -> str | None:
        """How a gazetteer place name found in the text reads here, judged by the tagger's entities:
        "strong", "weak" (only confirms a country the article names otherwise) or None (not a place)."""
        tags = {labels[i] for i in range(span.start, span.end)} - {""}
        prev = doc[span.start - 1].lower_ if span.start else ""
        if span.text.rstrip("-–—") in self.gaz.place_codes:
            if prev == ",":
                return "strong"  # "Nelson, BC", "Pleasanton, Calif."
            return "weak" if "GPE" in tags else None
        if span.text.isupper() and len(span.text) >= 4 and self._is_dateline(span) and any(
                c.primary for c in cands):
            return "strong"  # a dateline names the place the story is told from, whatever the tagger says
        if len(span) == 1 and doc[span.start].tag_ not in ("NNP", "NNPS"):
            return None  # a capitalised common word ("Police", "Best", "Market")
        prominent = any(c.via == "subdivision" or _size(c) >= PROMINENT_CITY for c in cands)
        if span.text.isupper() and "PERSON" not in tags:
            # A shouted heading ("KOBE IN THE HOUSE:") or an agency ("SANA-"), unless a well-known place.
            return None if len(span.text) < 4 or not prominent else "weak"
        if tags & {"GPE", "LOC", "FAC", "NORP"}:
            if not (prominent or any(c.primary for c in cands)):
                return None
            if len(span) > 1:
                return "strong"
            ent = next((e for e in doc_ents(doc) if e.start <= span.start < e.end), None)
            if ent is None:  # the tag came from a token outside doc_ents(doc) (set by another component)
                return "weak"
            whole = ent.label_ == "GPE" and len([t for t in ent if t.is_alpha and t.lower_ != "the"]) == 1
            if whole and any(c.via == "subdivision" for c in cands):
                return "strong"  # the tagger reads the word itself as a state: "in Ohio"
            # One word naming a small town or a province of some country is true of many words and surnames, and
            # one word of a longer name ("Delta" in "the Nile Delta") is thin unless it reads as a prominent city,
            # which is only known once the reading is chosen.
            if not any(c.via == "city" and _size(c) >= PROMINENT_CITY for c in cands):
                return "weak"
            return "strong" if whole else "single"
        if tags & {"ORG", "EVENT", "WORK_OF_ART", "PRODUCT", "LAW"}:
            # A well-known place inside a name ("University of California", "Toronto Star") confirms a country the
            # article names otherwise; brands and teams ("Queens Park Rangers", "Jos. A. Bank") introduce none.
            return "weak" if prominent or any(_size(c) >= MAJOR_CITY for c in cands) else None
        if "PERSON" in tags:
            ent = next((e for e in doc_ents(doc) if e.start <= span.start < e.end), None)
            if ent is None or (ent.start, ent.end) != (span.start, span.end):
                return None
            if prev in self.gaz.place_prepositions or (len(span) > 1 and prominent):
                return "weak"
            return None
        if tags & NUMERIC_LABELS:
            return None  # a date, number, quantity...
        if max(c.population for c in cands) >= 1_000_000:
            return "strong"
        return "weak" if prev in self.gaz.place_prepositions and any(c.primary for c in cands) else None

    def _collect(self, doc: Doc) -> tuple[list[_Hit], list[_Hit], dict[str, tuple[int, int]]]:
        """Geographic hits (overlaps settled, longest first) and leader/institution hits (a layer of their own)."""
        hits: dict[tuple[int, int], _Hit] = {}
        layer: list[_Hit] = []
        labels = [""] * len(doc)
        for ent in doc_ents(doc):
            for i in range(ent.start, ent.end):
                labels[i] = ent.label_
        for match_id, s, e in self.matcher(doc):
            span = doc[s:e]
            if doc.vocab.strings[match_id] == _REGION_KEY:
                if span.text in self.gaz.regions or span.text.isupper():
                    hits[(s, e)] = _Hit(s, e, [], region=True)
                continue
            cands = self._phrase_readings(span.text)
            people = [c for c in cands if c.via in ("leader", "institution")]
            if people:
                layer.append(_Hit(s, e, people))
            cands = [c for c in cands if c.via not in ("leader", "institution")
                     and not self._untagged_small_capital(span, c, labels)]
            if cands and not self._before_feature(doc, e) and not self._is_language(doc, s, e, cands):
                hit = hits.setdefault((s, e), _Hit(s, e, cands))
                isos = {c.iso3 for c in cands}
                # Towns elsewhere that share the name of a country or a capital: read only when the article's
                # own geography points at them ("Lebanon, Ohio"; "Dublin" beside "Columbus" and "Grove City").
                alts = list(self.gaz.country_namesakes.get(span.text.title() if span.text.isupper() else span.text,
                                                             ()))
                if any(c.via == "capital" for c in cands):
                    alts += [c for c in self.gaz.places.get(span.text.lower(), ()) if c.via == "city"]
                hit.alts = [c for c in alts if c.iso3 not in isos]
        text = doc_text(doc)
        bounds = [(t.idx, t.idx + len(t.text)) for t in doc]
        for i, tok in enumerate(doc):
            if not tok.text[:1].isupper():
                continue
            for j in range(min(len(doc), i + MAX_PLACE_TOKENS), i, -1):
                surface = text[bounds[i][0]:bounds[j - 1][1]]
                if "\n" in surface:
                    continue
                cands = self._place_readings(doc, i, surface)
                if not cands:
                    continue
                span = doc[i:j]
                reading = self._accept_place(doc, span, labels, cands)
                if reading is None:
                    continue
                hit = hits.get((i, j))
                if hit is None:
                    hits[(i, j)] = _Hit(i, j, cands, weak=reading == "weak", single=reading == "single")
                elif not hit.region:
                    known = {(c.iso3, c.via) for c in hit.cands}
                    hit.cands.extend(c for c in cands if (c.iso3, c.via) not in known)
                break
        # Longest span wins: "New Mexico" over "Mexico", "South China Sea" (a region) over "China".
        chosen: list[_Hit] = []
        taken = bytearray(len(doc))
        for hit in sorted(hits.values(), key=lambda h: (h.start - h.end, h.start)):
            if any(taken[hit.start:hit.end]):
                continue
            taken[hit.start:hit.end] = b"\x01" * (hit.end - hit.start)
            chosen.append(hit)
        kept = [h for h in chosen if not h.region and not self._names_an_org(doc, h)
                and not self._is_street(doc, h)]
        acronyms = self._acronyms(doc)
        if acronyms:
            # An acronym the article spells out means that organisation, not what the gazetteer knows by it.
            kept = [h for h in kept if doc[h.start:h.end].text not in acronyms]
            layer = [h for h in layer if doc[h.start:h.end].text not in acronyms]
        return sorted(kept, key=lambda h: h.start), layer, acronyms

    def _is_street(self, doc: Doc, hit: _Hit) -> bool:
        """A town's, a county's or a country's name that names a street ("Van Dorn Street", "Nordland Avenue",
        "Lebanon Road"): not the place."""
        if not all(c.via in ("city", "capital", "subdivision") for c in hit.cands):
            # A country's name straight before a street word is a street too ("Lebanon Road").
            return hit.end < len(doc) and doc[hit.end].text in self.gaz.street_words and all(
                c.via == "name" for c in hit.cands)
        j = hit.end
        while j < len(doc) and j < hit.end + 2 and doc[j].is_title and doc[j].text not in self.gaz.street_words:
            j += 1  # "Van Dorn Street"
        return j < len(doc) and doc[j].text in self.gaz.street_words

    def _names_an_org(self, doc: Doc, hit: _Hit) -> bool:
        """A place or saint's name that is part of an organisation's name: "St Vincent's Hospital", "St. Mary's",
        "Georgia's Department of ..." (the organisation is kept by the people-and-organisations pass). A place after
        "of" ("University of Kentucky") stays a toponym, as gazetteers and gold annotations read it."""
        first = doc[hit.start].text
        if hit.start and doc[hit.start - 1].text in self.gaz.saint_prefixes:
            return True  # "at St Vincent" (a hospital): a saint's name, not the town called "Vincent"
        nxt = doc[hit.end] if hit.end < len(doc) else None
        after = doc[hit.end + 1] if hit.end + 1 < len(doc) else None
        if nxt is not None and nxt.text in ("'s", "’s"):
            if first in self.gaz.saint_prefixes and hit.end - hit.start > 1:
                return True  # a saint ("St Vincent's"), never the island state
            if after is not None and after.text in self.gaz.org_heads:
                return True
        if first in self.gaz.saint_prefixes and nxt is not None and nxt.text in self.gaz.org_heads:
            return True  # "St Helena Hospital"
        if hit.cands and all(c.via == "demonym" for c in hit.cands):
            # "Spanish Oaks Apartments", "Italian Grill": a demonym opening a building's or a business's name.
            j = hit.end
            while j < len(doc) and j - hit.end < 3 and doc[j].is_title and doc[j].text not in self.gaz.building_heads:
                j += 1
            if j < len(doc) and doc[j].text in self.gaz.building_heads:
                return True
        if hit.cands and all(c.via == "demonym" for c in hit.cands) and doc[hit.start].ent_type_ in ("ORG", "FAC"):
            # A demonym inside the name of a hospital, a restaurant, a block of flats: "St. Rose Dominican
            # Hospital", "Spanish Oaks Apartments".
            ent = next((e for e in doc_ents(doc) if e.start <= hit.start < e.end), None)
            first = ent.start + 1 if ent is not None and doc[ent.start].lower_ == "the" else getattr(ent, "start", 0)
            return ent is not None and first < hit.start and doc[ent.end - 1].text in self.gaz.org_heads
        return False

    def _acronyms(self, doc: Doc) -> dict[str, tuple[int, int]]:
        """Acronyms the article defines, "Syrian Democratic Forces (SDF)", whose gazetteer readings (if any)
        disagree with the spelled-out name: acronym -> character span of its first long form."""
        out: dict[str, tuple[int, int]] = {}
        for m in _ACRONYM.finditer(doc_text(doc)):
            acr = m.group(2)
            words = m.group(1).split()
            letters = [ch for ch in acr if ch.isupper()]
            caps = [w for w in words if w[:1].isupper()]
            if len(letters) < 2 or len(caps) < len(letters):
                continue
            caps = caps[-len(letters):]
            if [w[0] for w in caps] != letters:
                continue
            start = m.start(1) + m.group(1).rfind(caps[0])
            long_form = doc_text(doc)[start:m.end(1)].strip()
            known = {c.iso3 for c in self.gaz.phrases.get(acr, ())}
            if known and known & {c.iso3 for c in self.gaz.phrases.get(long_form, ())}:
                continue  # "Self-Defense Forces (SDF)": the gazetteer's own reading
            out.setdefault(acr, (start, start + len(long_form)))
        return out

    def _untagged_small_capital(self, span: Span, c: Candidate, labels: list[str]) -> bool:
        """The capital of a small state named where the tagger sees no place: a surname, a title or a first name
        ("Marjory Stoneman Douglas High School", the musical "Hamilton", "Victoria")."""
        if c.via != "capital" or span.text in self.gaz.seats or c.population >= PROMINENT_CITY:
            return False
        return not any(labels[i] in ("GPE", "LOC", "FAC") for i in range(span.start, span.end))

    def _before_feature(self, doc: Doc, end: int) -> bool:
        """True when the next word makes the phrase a sea, gulf, peninsula... ("China" in "South China Sea")."""
        return end < len(doc) and doc[end].text in self.gaz.feature_words

    def _is_language(self, doc: Doc, start: int, end: int, cands: list[Candidate]) -> bool:
        """A demonym that names a language ("speaks Spanish", "in English", "English-language") or a culture
        ("Mexican food", "Irish heritage"), not a people or a state."""
        if end < len(doc) and doc[end].lower_ in self.gaz.culture_after and all(c.via == "demonym" for c in cands):
            return True
        if end - start != 1 or doc[start].text not in self.gaz.language_demonyms:
            return False
        nxt = doc[end] if end < len(doc) else None
        after = doc[end + 1].lower_ if end + 1 < len(doc) else ""
        if nxt is not None and (nxt.lower_ in self.gaz.language_after
                                or (nxt.text in ("-", "–") and after in self.gaz.language_after)):
            return True
        if nxt is not None and nxt.pos_ in ("NOUN", "PROPN", "ADJ", "NUM"):
            return False  # used as an adjective: "French engineer"
        # Walk back over a list of languages and its fillers: "spoke only French and Farsi", "in English and Spanish".
        i = start - 1
        while i >= 0 and (doc[i].lower_ in _LANGUAGE_LIST_FILLERS or doc[i].text in self.gaz.language_demonyms):
            i -= 1
        return i >= 0 and doc[i].lower_ in self.gaz.language_before

    # ---------------------------------------------------------------- ambiguity
    def _blocked_by_person(self, doc: Doc, hit: _Hit, surnames: set[str], persons: list[Span]) -> bool:
        """A place word that is part of a personal name ("Michael Jordan", "Chad Smith", later just "Holland")."""
        for ent in persons:
            if ent.start <= hit.start and hit.end <= ent.end and (ent.end - ent.start) > (hit.end - hit.start):
                return True
        if hit.end - hit.start == 1 and doc[hit.start].text in surnames:
            prev = doc[hit.start - 1].lower_ if hit.start else ""
            return prev not in self.gaz.place_prepositions
        return False

    def _choose(self, doc: Doc, hit: _Hit, ev: _Evidence) -> Candidate:
        iso3 = self._choose_country(doc, hit, ev).iso3
        # Within the chosen country, the most telling reading ("Tokyo" the capital, not the prefecture).
        return min((c for c in hit.cands if c.iso3 == iso3),
                   key=lambda c: SAME_COUNTRY_ORDER.index(c.via) if c.via in SAME_COUNTRY_ORDER else 9)

    def _choose_country(self, doc: Doc, hit: _Hit, ev: _Evidence) -> Candidate:
        cands = hit.cands
        any_count, place_count = ev.any_count, ev.place_count
        isos = {c.iso3 for c in cands}
        if hit.reason == "qualifier" or (len(isos) == 1 and not hit.alts):
            return cands[0]
        prior = max(cands, key=_key)
        regional = None if self._in_a_name(doc, hit) else self._regional(doc, hit, prior, ev)
        if regional is not None:
            if regional not in cands:
                hit.cands = cands + [regional]
            hit.reason = "region"
            return regional
        if len(isos) == 1:
            return cands[0]
        if prior.via in COUNTRY_ROUTES:
            # A country reading holds unless the article is about places of another candidate country and
            # never otherwise names this one ("Georgia" among "Atlanta" and "Savannah").
            if any_count[prior.iso3]:
                return prior
            states = [c for c in cands if c.via == "subdivision"]
            ent = next((e for e in doc_ents(doc) if e.end > hit.end and (e.start == hit.start or (
                e.start == hit.start - 1 and doc[e.start].lower_ == "the"))), None)
            if states and ent is not None and ent.label_ == "ORG":
                return states[0]  # a state's agency or firm: "Georgia Bureau of Investigation", "Georgia Power"
            local = [c for c in cands if c.via in PLACE_ROUTES and place_count[c.iso3]]
            return max(local, key=lambda c: (place_count[c.iso3], *_key(c))) if local else prior
        ctx = [c for c in cands if any_count[c.iso3]]
        if not ctx:
            return prior
        best = max(ctx, key=lambda c: (any_count[c.iso3], *_key(c)))
        if prior.iso3 != best.iso3 and _size(prior) > DOMINANCE * max(_size(best), 1):
            return prior
        return best

    @staticmethod
    def _regional(doc: Doc, hit: _Hit, prior: Candidate, ev: _Evidence) -> Candidate | None:
        """A namesake lying in a state or province where the article's other places lie ("Paris" beside "Lamar
        County" and "Texas"), when that outweighs the prior: a much larger namesake, or a country the name
        stands for, needs two such places."""
        key = doc[hit.start:hit.end].text.lower()

        def score(c: Candidate) -> int:
            return max((ev.regions[r] for r in c.regions), default=0)

        scored = [(score(c), c) for c in hit.cands + hit.alts if c.iso3 != prior.iso3]
        scored = [(n, c) for n, c in scored if n]
        if not scored:
            return None
        n, best = max(scored, key=lambda x: (x[0], *_key(x[1])))
        if score(prior) >= n:
            return None
        if len(ev.surfaces.get(best.iso3, set()) - {key}) > n:
            n += 1  # the article also names the country elsewhere ("London" beside "Toronto" and "Canada")
        if prior.via in COUNTRY_ROUTES:
            if ev.surfaces.get(prior.iso3, set()) - {key}:
                return None  # the country is named otherwise ("Lebanese", "Beirut")
            need = REGION_STRONG
        else:
            need = 1 if _size(prior) <= DOMINANCE * max(_size(best), 1) else REGION_STRONG
        return best if n >= need else None

    # ---------------------------------------------------------------- output
    def _is_metonym(self, doc: Doc, hit: _Hit) -> bool:
        """A capital standing for its state: a seat of government, a possessive, or the subject of a verb."""
        span = doc[hit.start:hit.end]
        if span.text in self.gaz.seats or span.text.removeprefix("the ") in self.gaz.seats:
            return True
        if hit.end < len(doc):
            nxt = doc[hit.end]
            if nxt.text in ("'s", "’s") or nxt.tag_.startswith("VB") or nxt.tag_ == "MD":
                return True
        return False

    def __call__(self, doc: Doc) -> Doc:
        persons = [e for e in doc_ents(doc) if e.label_ == "PERSON" and len(e) > 1]
        surnames = {e[-1].text for e in persons if e[-1].is_alpha and e[-1].is_title}
        hits, layer, acronyms = self._collect(doc)
        hits = [h for h in hits if not self._blocked_by_person(doc, h, surnames, persons)]
        ev = self._qualify_and_count(doc, hits)
        resolved = [(h, self._choose(doc, h, ev)) for h in hits]
        for h, c in resolved:
            if h.single and (c.via == "subdivision" or (c.via == "city" and _size(c) < PROMINENT_CITY)):
                h.weak = True  # "Delta" (a Nigerian state, not Delta BC) in "the Nile Delta"
        weak_names = Counter(c.iso3 for c, _ in {(c, doc[h.start:h.end].text) for h, c in resolved if h.weak})
        confirmed = {c.iso3 for h, c in resolved if not h.weak} | {iso for iso, n in weak_names.items() if n > 1}
        # Thin evidence confirms a country the article names otherwise, or stands when there is nothing else.
        resolved = [(h, c) for h, c in resolved if not h.weak or c.iso3 in confirmed or not confirmed]
        resolved = self._local_frame(doc, resolved, ev)
        home = _home_country(doc, resolved)
        if home is None and ev.register and set(ev.surfaces) <= {ev.register}:
            home = ev.register
        support = {c.iso3 for h, c in resolved if not (c.via == "city" and c.population < ISOLATED_CITY)}
        namesakes = {c.iso3 for h, c in resolved} - support
        mentions: list[Mention] = []
        for h, c in resolved:
            span = doc[h.start:h.end]
            if home and c.iso3 != home and c.iso3 in namesakes and self.context_places:
                # Small foreign namesakes nothing else in the article points at: the local places they name are
                # (almost always) in the country the article is about.
                mentions.append(Mention(span.start_char, span.end_char, span.text, "place", span.text, home,
                                        "context"))
                continue
            mentions.append(self._mention(doc, span, h, c))
        covered = bytearray(len(doc))
        for h in hits:
            covered[h.start:h.end] = b"\x01" * (h.end - h.start)
        if self.context_places:
            mentions.extend(self._unknown_places(doc, covered, home, hits))
            if ev.local_home and not (set(ev.surfaces) - {ev.local_home}):
                mentions.extend(self._local_towns(doc, covered, ev.local_home, persons))
        for h in sorted(layer, key=lambda h: (h.start - h.end, h.start)):
            span = doc[h.start:h.end]
            if not any(covered[h.start:h.end]) or all(c.via == "institution" for c in h.cands):
                mentions.append(self._mention(doc, span, h, h.cands[0]))
                covered[h.start:h.end] = b"\x01" * (h.end - h.start)
        mentions.extend(self._people_and_orgs(doc, mentions, covered))
        if acronyms:
            mentions = _expand_acronyms(mentions, acronyms)
        doc._.geo_mentions = sorted(mentions, key=lambda m: (m.start, m.end))
        return doc

    # ---------------------------------------------------------------- the article's own geography
    def _qualifier(self, doc: Doc, hit: _Hit, nxt: _Hit | None) -> str | None:
        """The country of a state, province or county written right after a place and a comma ("Paris, Texas",
        "LONDON, Ont. —"), when that is what the next hit is; None otherwise."""
        if nxt is None or nxt.start != hit.end + 1 or doc[hit.end].text != ",":
            return None
        isos = {c.iso3 for c in nxt.cands}
        if len(isos) != 1 or not any(c.via == "subdivision" for c in nxt.cands):
            return None
        return isos.pop()

    def _qualify_and_count(self, doc: Doc, hits: list[_Hit]) -> _Evidence:
        """Settle places qualified by their state ("Paris, Texas"), then count what the article says about
        countries and regions: the unambiguous hits, each surface once."""
        for i, h in enumerate(hits):
            nxt = hits[i + 1] if i + 1 < len(hits) else None
            iso3 = self._qualifier(doc, h, nxt)
            if iso3 is None and nxt is not None and nxt.start == h.end + 1 and doc[h.end].text == ",":
                # A qualifier that is also a country ("Athens, Georgia"): the state whose country has the town.
                states = {c.iso3: c for c in nxt.cands if c.via == "subdivision"}
                towns = {c.iso3 for c in h.cands + h.alts if c.via in PLACE_ROUTES + ("capital",)}
                if len(set(states) & towns) == 1:
                    iso3 = (set(states) & towns).pop()
                    nxt.cands, nxt.reason = [states[iso3]], "qualifier"
                elif len({c.iso3 for c in nxt.cands}) == 1 and any(c.via == "name" for c in nxt.cands):
                    # A country after the town ("Perth, Scotland", "Athens, Greece"): the town there, if any.
                    country = nxt.cands[0].iso3
                    there = [c for c in h.cands if c.iso3 == country and c.via in PLACE_ROUTES + ("capital",)]
                    if there and len({c.iso3 for c in h.cands}) > 1:
                        h.cands, h.reason, h.weak = there, "qualifier", False
                    continue
            if iso3 is None or all(c.via == "subdivision" and c.iso3 == iso3 for c in h.cands):
                continue
            inside = [c for c in h.cands + h.alts if c.iso3 == iso3 and c.via in PLACE_ROUTES + ("capital",)]
            regions = tuple(r for c in nxt.cands for r in c.regions)
            if not inside:
                # A town the gazetteer does not know there ("London, Ky.", "Paris, Tenn."): a place of that state,
                # when the state is one news writes after its towns (US, Canadian, Australian) and the name is not
                # a country's ("Guam, Georgia" and "Copenhagen, Berlin" are lists).
                if iso3 not in self.gaz.code_countries or any(c.via in COUNTRY_ROUTES for c in h.cands):
                    continue
                inside = [Candidate(iso3, "city", doc[h.start:h.end].text, 0, True, regions)]
            h.cands, h.reason, h.weak = inside, "qualifier", False
        hint = doc.user_data.get(HOME_HINT_KEY)
        clearly, leaning = (hint, (hint,)) if hint else self._register(doc)
        ev = _Evidence(register=clearly, register_lean=leaning)
        seen: set[tuple[str, str]] = set()
        for h in hits:
            isos = {c.iso3 for c in h.cands}
            if len(isos) != 1:
                continue
            iso3 = isos.pop()
            key = doc[h.start:h.end].text.lower()
            ev.any_count[iso3] += 1
            ev.surfaces.setdefault(iso3, set()).add(key)
            if any(c.via in PLACE_ROUTES for c in h.cands):
                ev.place_count[iso3] += 1
                # A county says "local news" twice as loud as a state or a town.
                ev.local.setdefault(iso3, {})[key] = 2 if key in self.gaz.counties else 1
            regions = {r for c in h.cands for r in c.regions}
            if len(regions) <= MAX_ANCHOR_REGIONS:
                for r in regions:
                    if (r, key) not in seen:
                        seen.add((r, key))
                        ev.regions[r] += 1
        return ev

    def _register(self, doc: Doc) -> tuple[str | None, tuple[str, ...]]:
        """The country whose local press the article reads like (spellings, institutions), when one stands out:
        (clearly, leaning): the first needs register_min points and no tie, the second lists the countries tied
        at the top on any points ("downtown" and "apartment" are North American: USA and CAN)."""
        found: dict[str, set[str]] = {}
        for match_id, s, e in self.register(doc):
            found.setdefault(doc.vocab.strings[match_id], set()).add(doc[s:e].text.lower())
        weights = self.gaz.register
        ranked = sorted(((sum(weights[k].get(w, 1) for w in v), k) for k, v in found.items()), reverse=True)
        ranked += [(0, ""), (0, "")]
        top = ranked[0][0]
        tied = tuple(k for n, k in ranked if n == top and k)
        second = next((n for n, _ in ranked if n < top), 0)
        if not top or top < self.gaz.register_margin * second:
            return None, ()
        return (tied[0] if len(tied) == 1 and top >= self.gaz.register_min else None), tied

    def _local_frame(self, doc: Doc, resolved: list[tuple[_Hit, Candidate]], ev: _Evidence) -> list:
        """In a local article (several places of one country, or the voice of one country's local press, and no
        other country named otherwise), a city that shares its name with a foreign one is the local namesake
        ("London" beside "Laurel County", "Kentucky")."""
        if not self.context_places:
            return resolved
        local = [iso for iso, keys in ev.local.items() if sum(keys.values()) >= LOCAL_ANCHORS]
        if len(local) == 1 and ev.register and ev.register != local[0]:
            return resolved  # the places say one country, the press voice another ("Essex County" and the OPP)
        known_only = False  # on a leaning register, only towns the gazetteer knows in the home country
        if len(local) != 1:
            if local or not ev.register_lean:
                return resolved
            if len(ev.register_lean) > 1:
                return self._lean_namesakes(doc, resolved, ev)
            local = list(ev.register_lean)
            known_only = ev.register is None
        home = local[0]
        if not known_only:
            ev.local_home = home
            # Making up a town of the home country (no namesake known there) takes an unmistakably local article:
            # a county named, or the voice of that country's local press ("London" beside "Laurel County").
            known_only = not (ev.register == home or any(k in self.gaz.counties for k in ev.local.get(home, ())))
        out = []
        for h, c in resolved:
            key = doc[h.start:h.end].text.lower()
            if self._in_a_name(doc, h):
                out.append((h, c))  # a place inside a treaty's, an event's or a work's name: "Paris Climate Accord"
                continue
            # Other names of that country, not this name again ("Dublin City" is no support for "Dublin").
            foreign_support = {s for s in ev.surfaces.get(c.iso3, set()) if key not in s and s not in key}
            inside = [x for x in h.cands + h.alts if x.iso3 == home and x.via in PLACE_ROUTES]
            if c.iso3 == home or foreign_support or h.reason or (
                    c.via in COUNTRY_ROUTES and (not inside or ev.local_home != home)) or (
                    c.via == "subdivision" and not inside and known_only):
                out.append((h, c))
                continue
            if any(other != home and any(key not in s and s not in key for s in ev.surfaces[other])
                   for other in ev.surfaces):
                out.append((h, c))  # the article names other countries: it is not purely local
                continue
            # In an unmistakably local article, a foreign town below a major city's size or a foreign county
            # that nothing else supports is a local namesake ("Bradford", "Kent", "Cornwall" in Connecticut).
            namesake = len({x.iso3 for x in h.cands + h.alts}) > 1 or _size(c) < (
                ISOLATED_CITY if known_only else MAJOR_CITY) or c.via == "subdivision"
            if not inside and (known_only or not namesake):
                out.append((h, c))  # a well-known city of one country only ("Mississauga") stays there
                continue
            h.reason = "context"
            out.append((h, inside[0] if inside else Candidate(home, "city", doc[h.start:h.end].text, 0)))
        # A longer form of a name just read as the local town follows it ("Dublin City" after "Dublin").
        moved = {doc[h.start:h.end].text.lower() for h, c in out if h.reason == "context"}
        for i, (h, c) in enumerate(out):
            key = doc[h.start:h.end].text.lower()
            if c.iso3 != home and not h.reason and c.via == "city" and any(key.startswith(m + " ") for m in moved):
                h.reason = "context"
                out[i] = (h, Candidate(home, "city", doc[h.start:h.end].text, 0))
        return out

    @staticmethod
    def _in_a_name(doc: Doc, hit: _Hit) -> bool:
        """The place opens or sits in the name of a treaty, an event, a work or a product ("Paris Climate Accord",
        the tagger marking only "Accord")."""
        j = hit.start
        while j < len(doc) and j < hit.end + 4 and (j < hit.end or (doc[j].is_title and doc[j].tag_ == "NNP")):
            if doc[j].ent_type_ in _NAME_LABELS:
                return True
            j += 1
        return False

    def _lean_namesakes(self, doc: Doc, resolved: list[tuple[_Hit, Candidate]], ev: _Evidence) -> list:
        """The press voice points at several countries (North American words: USA or CAN): a foreign namesake
        that the gazetteer knows in exactly one of them, in an article naming no other country, is that town."""
        out = []
        for h, c in resolved:
            key = doc[h.start:h.end].text.lower()
            if c.iso3 in ev.register_lean or h.reason or c.via in COUNTRY_ROUTES or self._in_a_name(doc, h) or any(
                    other not in ev.register_lean and any(key not in s and s not in key for s in ev.surfaces[other])
                    for other in ev.surfaces):
                out.append((h, c))
                continue
            inside = [x for x in h.cands + h.alts if x.iso3 in ev.register_lean and x.via in PLACE_ROUTES]
            if len({x.iso3 for x in inside}) != 1:
                out.append((h, c))
                continue
            h.reason = "context"
            out.append((h, inside[0]))
        return out

    def _unknown_places(self, doc: Doc, covered: bytearray, home: str | None, hits: list[_Hit]) -> list[Mention]:
        """Places the tagger found that no gazetteer knows (districts, villages, counties): in the country of the
        state written after them ("Cottonport, La."), else in the home country."""
        hit_at = {h.start: h for h in hits}
        people = {t.lower_ for e in doc_ents(doc) if e.label_ == "PERSON" for t in e if t.is_alpha and t.is_title}
        votes: dict[str, Counter] = {}
        for e in doc_ents(doc):
            votes.setdefault(e.text, Counter())[e.label_ in ("GPE", "LOC")] += 1
        out = []
        for ent in doc_ents(doc):
            if ent.label_ not in UNKNOWN_PLACE_LABELS or any(covered[ent.start:ent.end]):
                continue
            span = self._ent_parts(ent)[0]
            text = span.text.strip()
            if (not text[:1].isupper() or text in self.gaz.non_entities or text in self.gaz.regions
                    or all(w in self.gaz.generic_words for w in text.split())
                    or self._names_an_org(doc, _Hit(span.start, span.end, []))
                    or not self._plausible_unknown_place(span, people, votes)):
                continue
            qualified = self._qualifier(doc, _Hit(span.start, span.end, []), hit_at.get(span.end + 1))
            if qualified is None and home is None:
                continue
            out.append(Mention(span.start_char, span.start_char + len(text), text, "place", text, qualified or home,
                               "qualifier" if qualified else "context"))
            covered[ent.start:ent.end] = b"\x01" * (ent.end - ent.start)
        for span in self._datelines(doc):
            if any(covered[span.start:span.end]):
                continue
            qualified = self._qualifier(doc, _Hit(span.start, span.end, []), hit_at.get(span.end + 1))
            if qualified or home:
                out.append(Mention(span.start_char, span.end_char, span.text, "place", span.text.title(),
                                   qualified or home, "qualifier" if qualified else "context"))
                covered[span.start:span.end] = b"\x01" * (span.end - span.start)
        return out

    def _local_towns(self, doc: Doc, covered: bytearray, home: str, persons: list[Span]) -> list[Mention]:
        """In a local article, a town of its country that the article names on its own is that town, even where the
        tagger took it for a person or an organisation ("Gainesville", "Torrington")."""
        in_person = {t.lower_ for e in persons for t in e}
        seen = Counter(t.lower_ for t in doc if t.is_title or t.is_upper)
        common = {t.lower_ for t in doc if t.is_lower}  # "spring", "union": a word before it is a name
        out = []
        for i, tok in enumerate(doc):
            if covered[i] or not tok.is_alpha or not (tok.is_title or tok.is_upper) or tok.tag_ not in (
                    "NNP", "NNPS") or tok.lower_ in in_person or tok.lower_ in common or seen[tok.lower_] < LOCAL_REPEATS:
                continue
            prev = doc[i - 1] if i else None
            nxt = doc[i + 1] if i + 1 < len(doc) else None
            if (nxt is not None and (nxt.is_title or nxt.lower_ == "of")) or (
                    prev is not None and prev.is_title and not prev.is_sent_start):
                continue  # one word of a longer name: "Superior Court", "Roger Moore", "University of Georgia"
            if tok.text in self.gaz.non_entities or tok.lower_ in self.gaz.place_prepositions:
                continue
            town = [c for c in self.gaz.places.get(tok.lower_, ()) if c.iso3 == home and c.via == "city" and c.primary]
            if not town:
                continue
            out.append(Mention(tok.idx, tok.idx + len(tok.text), tok.text, "place", town[0].entity, home, "context"))
            covered[i] = 1
        return out

    def _datelines(self, doc: Doc) -> list[Span]:
        """All-capitals place names opening a story and closed by a dash, a parenthesis or a comma, whatever
        the tagger made of them: "ISLE OF PALMS —", "ROCKY HILL (AP) —", "LONDON, Ont. —"."""
        out = []
        for i in range(len(doc)):
            if not (i == 0 or "\n" in doc[i - 1].whitespace_ + doc[i - 1].text or doc[i - 1].text in _SENTENCE_END):
                continue
            j = i
            while j < len(doc) and j - i < MAX_DATELINE_TOKENS and (
                    (doc[j].is_alpha and doc[j].is_upper) or (j > i and doc[j].text in ("OF", "&"))):
                j += 1
            if j == i or j >= len(doc) or doc[j].text not in _DATELINE_CLOSE or doc[j - 1].text in ("OF", "&"):
                continue
            span = doc[i:j]
            if len(span.text) >= 4 and span.text not in self.gaz.non_entities and span.text.title() not in (
                    self.gaz.non_entities):
                out.append(span)
        return out

    def _plausible_unknown_place(self, span: Span, people: set[str], votes: dict[str, Counter]) -> bool:
        """Whether a GPE/LOC name no gazetteer knows is worth reading as a place: it is shaped like a place name,
        is not a person's name in this article, is not tagged as something else elsewhere, and either says what
        kind of place it is ("Pike County", "Torkula village"), follows a place preposition, or heads a dateline."""
        doc = span.doc
        words = [t for t in span if t.is_alpha]
        if not words:
            return False
        names = [t for t in words if t.lower_ not in self.gaz.name_connectors and not (
            t.is_lower and t.lower_ in self.gaz.place_type_words)]  # "Torkula village"
        dateline = self._is_dateline(span)
        if not dateline and any(not t.is_title or t.tag_ not in ("NNP", "NNPS") for t in names):
            return False  # "UConn", "MoD", an acronym, a capitalised common word
        if any(t.lower_ in people for t in names):
            return False  # "Buhari" after "Muhammadu Buhari"
        v = votes.get(span.doc[span.start:span.end].text) or votes.get(span.text)
        if v and v[False] > v[True]:
            return False
        if any(t.lower_ in self.gaz.place_type_words for t in words):
            return True
        prev = doc[span.start - 1].lower_ if span.start else ""
        if prev == "the" and span.start > 1:
            prev = doc[span.start - 2].lower_
        return dateline or prev in self.gaz.place_prepositions or self._before_known_place(span)

    @staticmethod
    def _is_dateline(span: Span) -> bool:
        """An all-capitals place name opening a line and closed by punctuation: "WAUSAU, Wis. —", "SEVERN —"."""
        doc = span.doc
        if not span.text.isupper() or len(span.text) < 3:
            return False
        i = span.start
        # Walk back over a dateline listing several places ("TIJUANA & SAN DIEGO,") to the start of the line
        # or to the end of the headline sentence before it ("... financing package. MANSFIELD —").
        while i and "\n" not in doc[i - 1].whitespace_ + doc[i - 1].text:
            prev = doc[i - 1]
            if prev.text in _SENTENCE_END and i == span.start:
                break
            if not (prev.is_punct or prev.text == "&" or prev.lower_ == "and" or (prev.is_upper and prev.is_alpha)):
                return False
            i -= 1
        closed = span.text != span.text.rstrip("-–—")
        return closed or span.end >= len(doc) or doc[span.end].is_punct

    def _before_known_place(self, span: Span) -> bool:
        """The name is followed by a comma and a known place: "Thruxton, Hampshire", "Allendale, N.J."."""
        doc = span.doc
        if span.end + 1 >= len(doc) or doc[span.end].text != ",":
            return False
        nxt = doc[span.end + 1]
        return bool(self._place_readings(doc, span.end + 1, nxt.text)) or nxt.text in self.gaz.phrases

    @staticmethod
    def _ent_parts(ent: Span) -> list[Span]:
        """The entity, minus a leading "the" and a possessive."""
        doc = ent.doc
        start, end = ent.start, ent.end
        if doc[start].lower_ == "the" and end - start > 1:
            start += 1
        while end - start > 1 and (doc[end - 1].text in ("'s", "’s", "'", "’") or doc[end - 1].is_space):
            end -= 1
        return [doc[start:end]]

    def _names_people(self, doc: Doc, hit: _Hit) -> bool:
        """A demonym used as a noun for people of that nationality, not for the state: a plural ("Mexicans",
        "South Koreans"), a collective "the Irish" or a person "an American" that no noun follows."""
        span = doc[hit.start:hit.end]
        if span.text in self.gaz.plural_demonyms:
            return True
        if not hit.start or doc[hit.start - 1].lower_ not in ("the", "a", "an"):
            return False
        if hit.end >= len(doc):
            return True
        nxt = doc[hit.end]
        if nxt.text in ("-", "–", "'s", "’s"):
            return False
        return nxt.is_punct or nxt.pos_ in ("VERB", "AUX")

    def _mention(self, doc: Doc, span: Span, hit: _Hit, c: Candidate) -> Mention:
        name = self.gaz.country_names.get(c.iso3, c.iso3)
        if c.via == "demonym" and self._names_people(doc, hit):
            return Mention(span.start_char, span.end_char, span.text, "person", span.text, c.iso3, "demonym")
        if c.via in COUNTRY_ROUTES:
            return Mention(span.start_char, span.end_char, span.text, "country", name, c.iso3, c.via)
        if c.via == "capital":
            if hit.reason is None and self._is_metonym(doc, hit):
                return Mention(span.start_char, span.end_char, span.text, "country", name, c.iso3, "capital")
            return Mention(span.start_char, span.end_char, span.text, "place", c.entity, c.iso3, "city")
        if c.via == "leader":
            return Mention(span.start_char, span.end_char, span.text, "person", c.entity, c.iso3, "leader")
        if c.via == "institution":
            return Mention(span.start_char, span.end_char, span.text, "org", c.entity, c.iso3, "institution")
        return Mention(span.start_char, span.end_char, span.text, "place", c.entity, c.iso3, hit.reason or c.via)

    # ---------------------------------------------------------------- people and organisations
    def _clean_name(self, ent: Span, covered: bytearray, full_text: str) -> tuple[int, int, str] | None:
        """Character bounds and text of a PERSON/ORG entity without "the", titles and possessive; None if junk."""
        doc = ent.doc
        start, end = ent.start, ent.end
        while end > start and (doc[end - 1].text in ("'s", "’s", "'", "’") or doc[end - 1].is_space
                               or doc[end - 1].is_punct):
            end -= 1
        if start < end and doc[start].lower_ == "the":
            start += 1
        if ent.label_ == "PERSON":
            words = [t.text for t in doc[start:end]]
            for title in self._titles:
                if len(title) < len(words) and words[: len(title)] == title:
                    start += len(title)
                    break
        if start >= end or all(covered[start:end]):
            return None
        span = doc[start:end]
        text = _POSSESSIVE.sub("", span.text).strip()
        if not text or not any(ch.isupper() for ch in text) or not any(ch.isalpha() for ch in text):
            return None
        if text in self.gaz.non_entities or text.lower() in self.gaz.boilerplate:
            return None
        if self._is_heading(ent, full_text) or self._is_speaker_label(span.start_char, text, full_text):
            return None
        if len(span) == 1 and self._ends_a_title(span):
            return None  # "State" of "Secretary of State Mike Pompeo"
        return span.start_char, span.start_char + len(text), text

    def _ends_a_title(self, span: Span) -> bool:
        """The one-word entity is the last word of a title of several words written just before it."""
        before = [t.text for t in span.doc[max(0, span.start - 4): span.start]]
        return any(len(title) > 1 and title[-1] == span.text and before[len(before) - len(title) + 1:] == title[:-1]
                   for title in self._titles)

    @staticmethod
    def _is_speaker_label(start: int, name: str, text: str) -> bool:
        """Initials opening a line of an interview transcript ("WN: How…", "((WN)) How…"): a label, not a name."""
        line_start = text.rfind("\n", 0, start) + 1
        return (len(name) <= 4 and name.isupper() and not text[line_start:start].strip(" \t([")
                and text[start + len(name): start + len(name) + 1] in (":", ")", "]"))

    @staticmethod
    def _is_heading(ent: Span, text: str) -> bool:
        """The entity is a whole short line of its own: a heading or page furniture, not a name in running text."""
        line_start = text.rfind("\n", 0, ent.start_char) + 1
        line_end = text.find("\n", ent.end_char)
        line = text[line_start: len(text) if line_end < 0 else line_end].strip()
        return line.rstrip(".:!?") == ent.text.strip().rstrip(".:!?") or (
            len(line.split()) <= 8 and not line.endswith((".", "?", "!", '"', "”")) and ent.text.strip() == line)

    def _people_and_orgs(self, doc: Doc, geo: list[Mention], covered: bytearray) -> list[Mention]:
        leaders = {m.entity for m in geo if m.kind == "person"}
        raw: list[tuple[str, int, int, str, str | None]] = []  # (label, start, end, text, country)
        full_text = doc_text(doc)
        for ent in doc_ents(doc):
            if ent.label_ not in ("PERSON", "ORG"):
                continue
            cleaned = self._clean_name(ent, covered, full_text)
            if cleaned is None:
                continue
            start, end, text = cleaned
            label = "ORG" if text in self.gaz.platforms else ent.label_
            if label == "PERSON" and self._phrase_readings(text) and not any(
                    c.via == "leader" for c in self._phrase_readings(text)):
                continue  # a country word tagged as a person
            if label == "PERSON" and self._merge_into_leader(geo, start, end, full_text):
                continue  # "President Xi" + "Xi Jinping" -> one mention "President Xi Jinping"
            inner = [m for m in geo if start <= m.start and m.end <= end and m.country]
            country = inner[0].country if label == "ORG" and len({m.country for m in inner}) == 1 else None
            raw.append((label, start, end, text, country))
        canon = _canonical_people([t for label, *_, t, _c in raw if label == "PERSON"] + sorted(leaders))
        out = []
        for label, start, end, text, country in raw:
            if label == "PERSON":
                out.append(Mention(start, end, text, "person", canon.get(text, text), None, None))
            else:
                out.append(Mention(start, end, text, "org", text, country, "org"))
        return out


    @staticmethod
    def _merge_into_leader(geo: list[Mention], start: int, end: int, text: str) -> bool:
        """Widen an overlapping leader mention to cover this person entity; True when one was found."""
        for i, m in enumerate(geo):
            if m.kind == "person" and m.via == "leader" and m.start < end and start < m.end:
                s, e = min(m.start, start), max(m.end, end)
                geo[i] = Mention(s, e, text[s:e], m.kind, m.entity, m.country, m.via)
                return True
        return False


def _expand_acronyms(mentions: list[Mention], acronyms: dict[str, tuple[int, int]]) -> list[Mention]:
    """Every organisation mention of a defined acronym names the spelled-out organisation, with its country."""
    orgs = {(m.start, m.end): m for m in mentions if m.kind == "org"}
    out = []
    for m in mentions:
        span = acronyms.get(m.surface) if m.kind == "org" else None
        if span is None:
            out.append(m)
            continue
        long_form = orgs.get(span) or next((o for o in orgs.values() if o.start <= span[0] and span[1] <= o.end), None)
        entity = long_form.entity if long_form else m.entity
        out.append(Mention(m.start, m.end, m.surface, "org", entity, long_form.country if long_form else None, "org"))
    return out


def _canonical_people(names: list[str]) -> dict[str, str]:
    """One name per person within an article: a shorter name maps to the longest name that contains its words."""
    # The name itself breaks ties: a set's order changes from process to process, and with it the answer.
    by_len = sorted(set(names), key=lambda n: (-len(n.split()), -len(n), n))
    out: dict[str, str] = {}
    for name in by_len:
        words = name.split()
        targets = {out.get(full, full) for full in by_len
                   if len(full.split()) > len(words) and _contains(full.split(), words)}
        # "bin Ladin" beside "Usama bin Ladin" and "Hamza bin Ladin" names neither: it stays as written.
        out[name] = targets.pop() if len(targets) == 1 else name
    return out


def _contains(full: list[str], part: list[str]) -> bool:
    n = len(part)
    return any(full[i:i + n] == part for i in range(len(full) - n + 1))


@Language.factory(
    "geolens_countries", default_config={"data_dir": None, "context_places": True}, assigns=["doc._.geo_mentions"]
)
def make_country_resolver(nlp: Language, name: str, data_dir: str | None, context_places: bool) -> CountryResolver:
    """Factory for the country component: loads the gazetteer (cached per process) and builds the matchers."""
    return CountryResolver(nlp, load_gazetteer(data_dir), context_places)
