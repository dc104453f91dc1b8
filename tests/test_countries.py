"""geolens.countries: every route to a country, the ambiguities context settles, and the people/org cleaning."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import spacy

from geolens.countries import _canonical_people
from geolens.gazetteer import _plural, fold, load_gazetteer

SEED_GOLD = Path(__file__).parent / "data" / "seed_countries_gold.jsonl"
ROOT = Path(__file__).resolve().parent.parent


def geo(nlp, text: str) -> list[tuple[str, str | None, str, str | None]]:
    """(surface, country, kind, via) of every mention in text."""
    return [(m.surface, m.country, m.kind, m.via) for m in nlp(text)._.geo_mentions]


def countries_of(nlp, text: str) -> set[str]:
    """The countries the text mentions as a country or a place."""
    return {m.country for m in nlp(text)._.geo_mentions if m.kind in ("country", "place") and m.country}


# ------------------------------------------------------------------ seed article


def test_countries_seed_article_matches_hand_gold(countries_nlp, seed_text):
    gold = [json.loads(line) for line in SEED_GOLD.read_text(encoding="utf-8").splitlines() if line.strip()]
    doc = countries_nlp(seed_text)
    pred = [m for m in doc._.geo_mentions if m.kind in ("country", "place")]
    found = {(m.start, m.end, m.country) for m in pred}
    missing = [g for g in gold if (g["start"], g["end"], g["iso3"]) not in found]
    assert not missing, missing
    spurious = [m for m in pred if (m.start, m.end, m.country) not in {(g["start"], g["end"], g["iso3"]) for g in gold}]
    assert not spurious, spurious


def test_countries_seed_gold_surfaces_sit_at_their_offsets(seed_text):
    for g in map(json.loads, SEED_GOLD.read_text(encoding="utf-8").splitlines()):
        assert seed_text[g["start"]:g["end"]] == g["surface"]


# ------------------------------------------------------------------ routes


@pytest.mark.parametrize(
    ("text", "surface", "iso3", "kind", "via"),
    [
        ("Officials in Japan said the talks failed.", "Japan", "JPN", "country", "name"),
        ("The U.S. imposed new tariffs on steel.", "U.S.", "USA", "country", "name"),
        ("Britain left the bloc in 2020.", "Britain", "GBR", "country", "name"),
        ("South Korea held an election.", "South Korea", "KOR", "country", "name"),
        ("Over 10,000 North Korean troops were deployed.", "North Korean", "PRK", "country", "demonym"),
        ("The American ambassador protested.", "American", "USA", "country", "demonym"),
        ("Beijing has weaponized supply chains.", "Beijing", "CHN", "country", "capital"),
        ("Tokyo is building a new defence posture.", "Tokyo", "JPN", "country", "capital"),
        ("The decision came from the Kremlin on Monday.", "Kremlin", "RUS", "country", "capital"),
        ("A spokesman for the Pentagon declined to comment.", "Pentagon", "USA", "country", "capital"),
        ("Downing Street rejected the claim.", "Downing Street", "GBR", "country", "capital"),
        ("Tanks rolled toward Kyiv in February.", "Kyiv", "UKR", "place", "city"),
        ("Drones filled the sky over Funabashi last month.", "Funabashi", "JPN", "place", "city"),
        ("Heavy fighting was reported in Aleppo.", "Aleppo", "SYR", "place", "city"),
        ("The storm reached Florida on Sunday.", "Florida", "USA", "place", "subdivision"),
        ("Farmers in Tamil Nadu protested against the dam.", "Tamil Nadu", "IND", "place", "subdivision"),
        ("Xi Jinping met the delegation.", "Xi Jinping", "CHN", "person", "leader"),
        ("Kim Jong-un inspected the missile.", "Kim Jong-un", "PRK", "person", "leader"),
        ("The Self-Defense Forces held a drill.", "Self-Defense Forces", "JPN", "org", "institution"),
        ("The People's Liberation Army staged exercises.", "People's Liberation Army", "CHN", "org", "institution"),
    ],
)
def test_countries_resolves_each_route(countries_nlp, text, surface, iso3, kind, via):
    assert (surface, iso3, kind, via) in geo(countries_nlp, text)


def test_countries_leader_is_a_person_not_a_country(countries_nlp):
    mentions = countries_nlp("Trump said the talks would go on.")._.geo_mentions
    trump = [m for m in mentions if m.surface == "Trump"]
    assert trump and trump[0].kind == "person" and trump[0].country == "USA" and trump[0].entity == "Donald Trump"


def test_countries_reads_an_all_caps_dateline(countries_nlp):
    assert "USA" in countries_of(countries_nlp, "WASHINGTON — The Senate passed the bill on Thursday.")


def test_countries_reads_a_state_abbreviation_after_a_comma(countries_nlp):
    assert "USA" in countries_of(countries_nlp, "The plant in Pleasanton, Calif., closed last year.")


# ------------------------------------------------------------------ ambiguity


def test_countries_georgia_near_atlanta_is_the_us_state(countries_nlp):
    found = countries_of(countries_nlp, "Storms hit Atlanta and Savannah overnight. Georgia declared an emergency.")
    assert found == {"USA"}


def test_countries_georgia_alone_is_the_country(countries_nlp):
    assert countries_of(countries_nlp, "Georgia held talks with Russia over the breakaway regions.") == {"GEO", "RUS"}


@pytest.mark.parametrize(
    ("text", "absent"),
    [
        ("Ships patrolled the South China Sea on Tuesday.", "CHN"),
        ("The fleet crossed the Indian Ocean.", "IND"),
        ("Michael Jordan scored 40 points for the Bulls.", "JOR"),
        ("Chad Smith played the drums all night.", "TCD"),
        ("Tensions rose across the Korean Peninsula.", "KOR"),
    ],
)
def test_countries_country_word_inside_another_name_is_not_the_country(countries_nlp, text, absent):
    assert absent not in countries_of(countries_nlp, text)


@pytest.mark.parametrize(
    "text",
    [
        "Leaders from Europe and Asia met in the Middle East.",
        "Growth slowed across Africa and Latin America.",
    ],
)
def test_countries_continents_and_regions_are_not_countries(countries_nlp, text):
    assert countries_of(countries_nlp, text) == set()


def test_countries_shared_city_name_follows_the_article_country(countries_nlp):
    text = "Alabama lawmakers met on Monday. The bill passed in Birmingham after a long debate."
    assert countries_of(countries_nlp, text) == {"USA"}


def test_countries_shared_city_name_defaults_to_the_most_populous(countries_nlp):
    assert countries_of(countries_nlp, "The conference opened in Birmingham on Monday.") == {"GBR"}


def test_countries_much_larger_namesake_beats_context(countries_nlp):
    found = countries_of(countries_nlp, "Texas officials said the delegation flew to Paris for the summit.")
    assert "FRA" in found


@pytest.mark.parametrize(
    ("text", "absent"),
    [
        ("The suspect said something in Spanish to the officer.", "ESP"),
        ("She speaks English and learned Portuguese in school.", "GBR"),
    ],
)
def test_countries_language_name_is_not_the_country(countries_nlp, text, absent):
    assert absent not in countries_of(countries_nlp, text)


def test_countries_demonym_adjective_is_the_country(countries_nlp):
    assert countries_of(countries_nlp, "A French engineer designed the plat.") == {"FRA"}


# ------------------------------------------------------------------ people and organisations


def test_countries_people_share_one_canonical_name(countries_nlp):
    doc = countries_nlp("Xi Jinping spoke first. Later President Xi met the press, and Xi smiled.")
    xi = {m.entity for m in doc._.geo_mentions if m.kind == "person"}
    assert xi == {"Xi Jinping"}


def test_countries_person_loses_possessive(countries_nlp):
    doc = countries_nlp("Masataka Okano's assessment was stark. Okano warned of risks.")
    people = [m for m in doc._.geo_mentions if m.kind == "person"]
    assert people and all(not m.surface.endswith(("'s", "’s")) for m in people)
    assert {m.entity for m in people} == {"Masataka Okano"}


def test_countries_headings_are_not_entities(countries_nlp, seed_text):
    doc = countries_nlp(seed_text)
    names = {m.surface for m in doc._.geo_mentions if m.kind in ("person", "org")}
    assert "Related Articles" not in names and "The American Dilemma" not in names
    assert all(m.surface != "AI" for m in doc._.geo_mentions)


@pytest.mark.parametrize(
    ("names", "short", "full"),
    [
        (["Xi Jinping", "Xi"], "Xi", "Xi Jinping"),
        (["Masataka Okano", "Okano"], "Okano", "Masataka Okano"),
        (["Kim Jong-un", "Moon Jae-in"], "Moon Jae-in", "Moon Jae-in"),
    ],
)
def test_canonical_people_maps_short_name_to_full_name(names, short, full):
    assert _canonical_people(names)[short] == full


# ------------------------------------------------------------------ gazetteer helpers (no model needed)


@pytest.mark.parametrize(("word", "plural"), [("Afghan", "Afghans"), ("Japanese", None), ("Swiss", None), ("Iraqi", "Iraqis")])
def test_gazetteer_plural_of_demonym(word, plural):
    assert _plural(word) == plural


def test_gazetteer_fold_strips_diacritics():
    assert fold("Tamil Nādu") == "Tamil Nadu"


def test_gazetteer_loads_package_data_and_own_files():
    gaz = load_gazetteer()
    assert {c.iso3 for c in gaz.phrases["Japan"]} == {"JPN"}
    assert any(c.iso3 == "USA" and c.via == "subdivision" for c in gaz.places["georgia"])
    assert "South China Sea" in gaz.regions
    assert gaz.phrases["Xi Jinping"][0].via == "leader"


def test_countries_component_runs_on_a_blank_pipeline():
    nlp = spacy.blank("en")
    nlp.add_pipe("geolens_countries")
    doc = nlp("Japan and the U.S. signed the accord; Japanese officials welcomed it.")
    assert {(m.surface, m.country) for m in doc._.geo_mentions} >= {("Japan", "JPN"), ("U.S.", "USA"),
                                                                      ("Japanese", "JPN")}


# ------------------------------------------------------------------ regression floor


def test_countries_geowebnews_article_f1_floor(countries_nlp, eval_dir, tmp_path):
    gold_path = eval_dir / "geowebnews_countries.jsonl"
    rows = [json.loads(line) for line in gold_path.read_text(encoding="utf-8").splitlines() if line.strip()]
    out = tmp_path / "pred.jsonl"
    with out.open("w", encoding="utf-8") as f:
        for row, doc in zip(rows, countries_nlp.pipe(r["text"] for r in rows), strict=True):
            ms = [{"start": m.start, "end": m.end, "iso3": m.country} for m in doc._.geo_mentions
                  if m.country and m.kind in ("country", "place")]
            f.write(json.dumps({"id": row["id"], "countries": sorted({m["iso3"] for m in ms}), "mentions": ms}) + "\n")
    res = subprocess.run([sys.executable, str(eval_dir / "score_countries.py"), str(gold_path), str(out)],
                         capture_output=True, text=True, check=True)
    f1 = float(res.stdout.strip().splitlines()[-1].split("=")[1])
    assert f1 >= 0.90, res.stdout
