"""Relations (issue 15): the general rules one by one, the lexicon's sections, and the table after retag/delete."""

from __future__ import annotations

import pytest

from geolens.ingest import from_text
from geolens.pipeline import analyse
from geolens.relations import load_lexicon
from geolens.store import Store


def _rel(nlp, text: str) -> dict[tuple[str, str], tuple[str, str]]:
    return {(r.a, r.b): (r.quad, r.cue) for r in nlp(text)._.relations}


def _quads(nlp, text: str) -> dict[tuple[str, str], str]:
    return {k: q for k, (q, _) in _rel(nlp, text).items()}


def test_forces_stationed_in_another_country_are_material_cooperation(nlp):
    text = "U.S. troops have remained in Iraq since 2014."
    quad, cue = _rel(nlp, text)[("IRQ", "USA")]
    assert quad == "material_cooperation" and cue == "troops have remained in Iraq" and cue in text


def test_forces_that_attack_are_no_guests(nlp):
    assert _quads(nlp, "Russian troops in Ukraine shelled the city of Kharkiv.")[("RUS", "UKR")] == "material_conflict"


def test_cooperation_with_a_partner_reaches_the_doer(nlp):
    got = _quads(nlp, "Japanese engineers built the bridge in cooperation with Indonesian firms.")
    assert got[("IDN", "JPN")] == "material_cooperation"


def test_first_of_a_list_against_the_rest(nlp):
    got = _quads(nlp, "Deals were signed between Israel and Morocco, Bahrain, and Sudan.")
    assert got[("ISR", "MAR")] == got[("BHR", "ISR")] == got[("ISR", "SDN")] == "material_cooperation"
    assert got[("BHR", "MAR")] == got[("BHR", "SDN")] == got[("MAR", "SDN")] == "none"


def test_a_plain_list_relates_every_pair(nlp):
    got = _quads(nlp, "Talks between Cyprus, Greece and Israel lasted a week.")
    assert set(got.values()) == {"verbal_cooperation"} and len(got) == 3


def test_a_cue_does_not_cross_into_a_coordinated_clause(nlp):
    got = _quads(nlp, "The American nominee proposes a new court, and three candidates discuss the conflict between "
                      "Armenia and Azerbaijan.")
    assert got[("ARM", "AZE")] == "material_conflict"
    assert got[("ARM", "USA")] == got[("AZE", "USA")] == "none"


@pytest.mark.parametrize(
    ("text", "pair", "quad"),
    [
        ("Netanyahu called on Italy to join the project.", ("ISR", "ITA"), "verbal_cooperation"),
        ("Japan urged China to resume talks.", ("CHN", "JPN"), "verbal_cooperation"),
        ("France called on Turkey to halt its drilling.", ("FRA", "TUR"), "verbal_conflict"),
    ],
)
def test_appeal_is_cooperation_demand_is_conflict(nlp, text, pair, quad):
    assert _quads(nlp, text)[pair] == quad


def test_a_modal_on_the_governing_verb_makes_the_act_a_plan(nlp):
    got = _rel(nlp, "Iran will pursue the prosecution of the American soldiers.")
    assert got[("IRN", "USA")] == ("verbal_conflict", "prosecution")


def test_attacking_words_is_verbal_attacking_a_country_is_material(nlp):
    assert _quads(nlp, "Erdogan attacked the proclamation of the United States.")[("TUR", "USA")] == "verbal_conflict"
    assert _quads(nlp, "Erdogan attacked the United States.")[("TUR", "USA")] == "material_conflict"


def test_quoted_first_person_stands_for_the_speakers_country(nlp):
    got = _rel(nlp, 'Trump said: "I will destroy the economy of Turkey."')
    assert got[("TUR", "USA")] == ("verbal_conflict", "destroy")


def test_negated_attack_is_none_without_a_cue(nlp):
    assert _rel(nlp, 'Zelensky said: "We will never attack Russia."')[("RUS", "UKR")] == ("none", "")


def test_where_a_company_is_based_is_no_state_acting(nlp):
    assert _rel(nlp, "UK-based retailer Tesco and Denmark-based Salling Group announced their agreement.") == {}


def test_the_parties_of_a_subject_event_act_through_it(nlp):
    got = _quads(nlp, "The agreement signed between Turkey and Libya infringes upon Greece's rights.")
    assert got[("GRC", "TUR")] == got[("GRC", "LBY")] == "verbal_conflict"
    assert got[("LBY", "TUR")] == "material_cooperation"


def test_where_a_participant_studied_is_a_venue(nlp):
    assert _quads(nlp, "The senator, who studied in the United States, discussed the war with Iran.") == {
        ("IRN", "USA"): "none"
    }


def test_lexicon_sections_load():
    lex = load_lexicon()
    assert "troops" in lex.presence_nouns and "in" in lex.presence_preps and "house" in lex.presence_hosts
    assert "call on" in lex.appeal_cues and "halt" in lex.appeal_demands and "join" in lex.appeal_cooperative
    assert "with" in lex.partner_preps and "say" in lex.speech and "-based" in lex.not_actor_suffixes
    assert "proclamation" in lex.verbal_objects


def test_relations_table_survives_retag_and_goes_with_delete(tmp_path, nlp):
    from geolens.retag import retag

    text = ("Leaders met in Brussels on Monday for a long summit on energy prices and the coming winter. "
            "Germany condemned Russia's attack on Ukraine. U.S. troops have remained in Iraq since 2014.")
    tables = analyse(from_text(text, title="t"), nlp)
    store = Store(tmp_path / "r.duckdb", timeout=5)
    assert store.add(tables)
    before = store.table("relations").sort_values(["sent_idx", "a", "b"]).reset_index(drop=True)
    assert len(before) == 4 and set(before["sent_idx"]) == {1, 2}
    retag(store)
    after = store.table("relations").sort_values(["sent_idx", "a", "b"]).reset_index(drop=True)
    assert after.equals(before)
    assert store.delete(tables.article_id)
    assert store.table("relations").empty


def test_an_event_noun_reaches_its_parties_through_the_verb_describing_it(nlp):
    got = _rel(nlp, "The aid sent by Japan to Peru arrived on Monday.")
    assert got[("JPN", "PER")] == ("material_cooperation", "aid")


def test_what_one_country_built_another_uses(nlp):
    assert _quads(nlp, "The Afghan forces drove a US-built armoured vehicle.")[("AFG", "USA")] == "material_cooperation"


def test_every_cue_is_text_of_its_sentence(seed_doc):
    rels = [r for r in seed_doc._.relations if r.quad != "none"]
    assert rels and all(r.cue and r.cue in seed_doc.text[r.start:r.end] for r in rels)
    assert all(r.cue == "" for r in seed_doc._.relations if r.quad == "none")


def test_a_meeting_relates_the_leaders_who_attend_it(nlp):
    got = _quads(nlp, "The meeting was attended by Israeli prime minister Benjamin Netanyahu, Greek prime minister "
                      "Kyriakos Mitsotakis and Cypriot president Nicos Anastasiades.")
    assert got[("CYP", "GRC")] == got[("CYP", "ISR")] == got[("GRC", "ISR")] == "verbal_cooperation"


def test_leaders_who_only_back_a_call_are_not_its_parties(nlp):
    got = _quads(nlp, "The call was quickly seconded by German Chancellor Angela Merkel and British Prime Minister "
                      "Boris Johnson.")
    assert got[("DEU", "GBR")] == "none"


def test_a_coalition_joined_by_countries_relates_them_to_its_founder(nlp):
    got = _quads(nlp, "The United States announced a naval coalition which was joined by Australia and Bahrain.")
    assert got[("AUS", "USA")] == got[("BHR", "USA")] == "material_cooperation"


def test_what_the_talks_are_about_is_no_party(nlp):
    got = _quads(nlp, "The foreign ministers of Greece and Egypt met on Monday to discuss the war in Libya.")
    assert got[("EGY", "GRC")] == "verbal_cooperation"
    assert got[("EGY", "LBY")] == got[("GRC", "LBY")] == "none"


def test_addressing_another_country_s_invasion_is_not_taking_part(nlp):
    assert _quads(nlp, "The Japanese prime minister addressed the Russian invasion in his speech.")[("JPN", "RUS")] == (
        "none"
    )


def test_an_attack_reported_by_a_country_is_its_accusation(nlp):
    got = _quads(nlp, "Germany said Russia attacked Ukraine.")
    assert got[("DEU", "RUS")] == "verbal_conflict"
    assert got[("RUS", "UKR")] == "material_conflict"
    assert got[("DEU", "UKR")] == "none"


def test_the_target_of_sanctions_suffers_them(nlp):
    assert _quads(nlp, "Iran has been the target of United States sanctions since 1979.")[("IRN", "USA")] == (
        "material_conflict"
    )


def test_leaders_speaking_on_the_phone_is_verbal_cooperation(nlp):
    got = _quads(nlp, "On Friday, US President Donald Trump and Turkish President Recep Tayyip Erdogan spoke on the phone.")
    assert got[("TUR", "USA")] == "verbal_cooperation"


def test_a_statement_is_no_venue_for_the_countries_that_issue_it(nlp):
    got = _quads(nlp, "Turkey was condemned in a joint statement by Egypt and Greece on Tuesday.")
    assert got[("EGY", "TUR")] == got[("GRC", "TUR")] == "verbal_conflict"
    assert _quads(nlp, "Egypt and Israel held talks in Qatar on Monday.")[("EGY", "QAT")] == "none"


def test_the_broker_of_a_deal_cooperates_with_its_parties(nlp):
    got = _quads(nlp, "The White House announced a deal it brokered to normalize relations between Sudan and Israel.")
    assert got[("ISR", "SDN")] == "material_cooperation"
    assert got[("ISR", "USA")] == got[("SDN", "USA")] == "verbal_cooperation"
    other = _quads(nlp, "Qatar condemned the deal Egypt brokered between Israel and Sudan.")
    assert other[("ISR", "QAT")] == other[("QAT", "SDN")] == "none"


def test_agreeing_to_move_an_embassy_is_verbal_cooperation(nlp):
    assert _quads(nlp, "Serbia agreed to move its embassy in Israel to Jerusalem.")[("ISR", "SRB")] == (
        "verbal_cooperation"
    )


def test_where_an_attack_on_a_person_happened_is_no_party(nlp):
    assert _quads(nlp, "He was killed last week by a United States military airstrike in Iraq.")[("IRQ", "USA")] == "none"
    assert _quads(nlp, "Osama was killed by US special forces in Pakistan in 2011.")[("PAK", "USA")] == "none"
    assert _quads(nlp, "Russia attacked the port in Ukraine.")[("RUS", "UKR")] == "material_conflict"


def test_a_currency_is_not_its_country(nlp):
    got = _quads(nlp, "China has invested about nine billion US dollars to develop efficient diagnostics and treatment.")
    assert got[("CHN", "USA")] == "none"


def test_neither_nor_negates_a_cooperation(nlp):
    got = _quads(nlp, "Mugabe won the election in Zimbabwe, but neither the European Union nor the United States "
                      "would endorse the result.")
    assert got[("USA", "ZWE")] == "verbal_conflict"


def test_lifting_sanctions_is_cooperation_denying_a_charge_is_words(nlp):
    assert _quads(nlp, "The United States lifted sanctions on Iran.")[("IRN", "USA")] == "material_cooperation"
    assert _quads(nlp, "Russia denied the allegations by Ukraine.")[("RUS", "UKR")] == "verbal_conflict"
    assert _quads(nlp, "Israeli chess players were denied visas by Saudi Arabia.")[("ISR", "SAU")] == "material_conflict"


def test_words_inside_a_relative_clause_describe_a_thing_and_reach_no_one_outside(nlp):
    got = _quads(nlp, "An assembly of foreign ministers in Cairo denounced the memoranda in which Turkey and Libya "
                      "agreed on maritime borders.")
    assert got[("LBY", "TUR")] == "material_cooperation"  # an agreement reached on a thing (CAMEO 057)
    assert got[("EGY", "LBY")] == got[("EGY", "TUR")] == "none"


def test_members_of_a_cooperative_body_cooperate(nlp):
    got = _quads(nlp, "Navies from Japan, India and Australia are members of the coalition.")
    assert set(got.values()) == {"material_cooperation"} and len(got) == 3
    assert _quads(nlp, "Police officers from France and Spain were part of the crowd.")[("ESP", "FRA")] == "none"


def test_each_between_names_its_own_parties(nlp):
    got = _quads(nlp, "The Trump administration announced additional deals between Israel and Bahrain and between "
                      "Serbia, Kosovo, and Israel.")
    assert got[("BHR", "ISR")] == got[("SRB", "XKX")] == "material_cooperation"
    assert got[("BHR", "SRB")] == got[("BHR", "XKX")] == "none"
    assert got[("ISR", "USA")] == "none"  # announcing a deal between others is no part in it


def test_an_ended_conflict_is_cooperation_an_end_asked_for_is_not(nlp):
    ended = _quads(nlp, "President Jimmy Carter mediated an end to the conflict between Israel and Egypt in 1978.")
    assert ended[("EGY", "ISR")] == "material_cooperation"
    asked = _quads(nlp, "Russia called for an end to the war between Armenia and Azerbaijan.")
    assert asked[("ARM", "AZE")] == "material_conflict"


def test_restrictions_on_flights_to_a_country_are_coercion(nlp):
    got = _quads(nlp, "On Friday, the United States Department of Transportation announced new restrictions on "
                      "flights to Cuba.")
    assert got[("CUB", "USA")] == "material_conflict"


def test_seconding_another_leader_s_proposal_is_support(nlp):
    got = _quads(nlp, "Merkel seconded Macron's recommendation that the fires be added to the agenda.")
    assert got[("DEU", "FRA")] == "verbal_cooperation"


def test_nationalities_joined_by_hyphens_before_joint_action_cooperate(nlp):
    got = _rel(nlp, "A Japanese-Australian team of scientists mapped the reef.")
    assert got[("AUS", "JPN")] == ("material_cooperation", "Japanese-Australian team")
    # a border, a route or a rivalry named by two countries is no joint act
    assert _quads(nlp, "Traffic was slow on the US-Mexico border on Monday.")[("MEX", "USA")] == "none"


def test_a_city_in_the_name_of_an_agreement_is_where_it_was_signed(nlp):
    assert _quads(nlp, "Canada signed the Paris Agreement in 2016.")[("CAN", "FRA")] == "none"
    assert _quads(nlp, "Canada and France signed an agreement in Paris.")[("CAN", "FRA")] == "material_cooperation"


def test_cutting_aid_reduces_relations(nlp):
    quad, cue = _rel(nlp, "The United States froze $50 million in aid to Egypt.")[("EGY", "USA")]
    assert quad == "material_conflict" and cue in "froze $50 million in aid to Egypt"
    assert _quads(nlp, "The United States increased its aid to Egypt.")[("EGY", "USA")] == "material_cooperation"
    assert _quads(nlp, "The United States did not freeze its aid to Egypt.")[("EGY", "USA")] != "material_conflict"


def test_a_contrasting_clause_keeps_its_words_to_itself(nlp):
    got = _quads(nlp, "The president of France praised Italy, while Spain condemned the strike on Libya.")
    assert got[("FRA", "ITA")] == "verbal_cooperation" and got[("ESP", "LBY")] == "verbal_conflict"
    assert got[("ESP", "FRA")] != "verbal_conflict" and got[("ESP", "ITA")] == "none"
    assert _quads(nlp, "France condemned Spain for the strike.")[("ESP", "FRA")] == "verbal_conflict"


def test_a_pronoun_in_a_country_s_own_report_is_that_country(nlp):
    assert _quads(nlp, "Russia said it had shot down a Ukrainian drone.")[("RUS", "UKR")] == "material_conflict"
    other = _quads(nlp, "Russia said Ukraine had shot down a Belarusian drone.")
    assert other[("RUS", "UKR")] == "verbal_conflict" and other[("BLR", "UKR")] == "material_conflict"


def test_acting_on_a_country_s_behalf_is_taking_its_side(nlp):
    assert _quads(nlp, "Belarus fought on Russia's behalf.")[("BLR", "RUS")] == "material_cooperation"
    assert _quads(nlp, "Belarus fought against Russia.")[("BLR", "RUS")] == "material_conflict"


def test_forces_sent_to_a_country_are_military_support(nlp):
    quad, cue = _rel(nlp, "The deal on sending Turkish soldiers to Azerbaijan was signed on Monday.")[("AZE", "TUR")]
    assert quad == "material_cooperation" and cue == "sending Turkish soldiers to Azerbaijan"


def test_a_cue_inside_one_item_of_a_list_or_a_relative_clause_stays_there(nlp):
    got = _quads(nlp, "Protesters in Hong Kong over Chinese repression and a Ukrainian envoy were shortlisted for the "
                      "prize.")
    assert got[("CHN", "UKR")] == got[("HKG", "UKR")] == "none"
    got = _quads(nlp, "Wheat bound for Egypt, which is in a dispute with Ethiopia, was delayed, Russia said.")
    assert got[("EGY", "ETH")] == "verbal_conflict" and got[("ETH", "RUS")] == "none"


def test_blame_in_a_country_s_statement_is_an_accusation(nlp):
    quad, cue = _rel(nlp, "Ukraine said the fire was Russia's fault.")[("RUS", "UKR")]
    assert quad == "verbal_conflict" and cue == "fault"
    assert _quads(nlp, "Ukraine said the fire was not Russia's fault.")[("RUS", "UKR")] == "none"
    assert _quads(nlp, "Ukraine said Russia's responsibility was to protect the plant.")[("RUS", "UKR")] == "none"


def test_a_difference_between_two_countries_is_a_dispute(nlp):
    got = _quads(nlp, "The main difference between Chile and Peru is the maritime border.")
    assert got[("CHL", "PER")] == "verbal_conflict"


def test_a_long_list_of_attendees_still_reaches_its_meeting(nlp):
    got = _quads(nlp, "The summit was attended by French president Emmanuel Macron and finance minister Bruno Le Maire, "
                      "German chancellor Olaf Scholz and finance minister Christian Lindner, and Italian prime minister "
                      "Giorgia Meloni.")
    assert set(got.values()) == {"verbal_cooperation"} and len(got) == 3


def test_whoever_acts_on_a_country_s_behalf_acts_for_it(nlp):
    got = _quads(nlp, "In May, Rossi, on behalf of the Swiss government, helped broker a truce between Armenia and "
                      "Azerbaijan.")
    assert got[("ARM", "CHE")] == got[("AZE", "CHE")] == "verbal_cooperation"
    assert _quads(nlp, "An envoy visited Colombia on behalf of Norway.")[("COL", "NOR")] == "verbal_cooperation"
    assert _quads(nlp, "An envoy visited Colombia after a holiday in Norway.")[("COL", "NOR")] == "none"


def test_an_agreement_reached_on_a_thing_is_a_settlement_an_agreement_to_talk_is_not(nlp):
    assert _quads(nlp, "Armenia and Azerbaijan agreed to a ceasefire.")[("ARM", "AZE")] == "material_cooperation"
    assert _quads(nlp, "Chile and Peru agreed on a maritime border.")[("CHL", "PER")] == "material_cooperation"
    assert _quads(nlp, "Armenia and Azerbaijan agreed to talk.")[("ARM", "AZE")] == "verbal_cooperation"
    assert _quads(nlp, "Chile and Peru will agree on a maritime border.")[("CHL", "PER")] == "verbal_cooperation"


def test_where_a_named_person_was_met_is_a_venue(nlp):
    got = _quads(nlp, "Blinken met with Wang Yi in Indonesia.")
    assert got[("CHN", "USA")] == "verbal_cooperation" and got[("CHN", "IDN")] == got[("IDN", "USA")] == "none"
    assert _quads(nlp, "Blinken met with Indonesian officials.")[("IDN", "USA")] == "verbal_cooperation"


def test_what_talks_are_on_is_their_topic(nlp):
    got = _quads(nlp, "Russia and Turkey held talks on Syria.")
    assert got[("RUS", "TUR")] == "verbal_cooperation" and got[("RUS", "SYR")] == got[("SYR", "TUR")] == "none"


def test_a_bare_on_in_a_word_list_is_refused(tmp_path):
    bad = tmp_path / "cues.yaml"
    bad.write_text("classes: {}\ntopic_preps: [on, about]\n", encoding="utf-8")
    with pytest.raises(ValueError, match="quote"):
        load_lexicon(bad)
    assert "on" in load_lexicon().topic_preps and "on" in load_lexicon().settle_preps


def test_encroachment_on_freedoms_is_a_grievance_not_force(nlp):
    got = _rel(nlp, "Chinese encroachment on Taiwan's freedoms has grown.")
    assert got[("CHN", "TWN")] == ("verbal_conflict", "encroachment")
    assert _quads(nlp, "Chinese warships attacked Taiwan's coast guard.")[("CHN", "TWN")] == "material_conflict"


def test_a_phrase_reads_across_determiners_and_possessives(nlp):
    got = _rel(nlp, "France recalled its ambassador from Australia.")
    assert got[("AUS", "FRA")] == ("material_conflict", "recalled its ambassador")
    assert _quads(nlp, "France recalled that its ambassador had once lived in Australia.")[("AUS", "FRA")] == "none"


def test_an_exchange_of_fire_or_accusations_is_symmetric(nlp):
    assert _quads(nlp, "India and Pakistan exchanged fire across the border.")[("IND", "PAK")] == "material_conflict"
    assert _quads(nlp, "Serbia and Kosovo exchanged accusations over the incident.")[("SRB", "XKX")] == "verbal_conflict"
    assert _quads(nlp, "India and Pakistan exchanged gifts.")[("IND", "PAK")] == "none"


def test_joint_drills_of_a_list_of_navies_are_cooperation(nlp):
    got = _quads(nlp, "Chinese and Russian warships held joint drills in the Sea of Japan.")
    assert got[("CHN", "RUS")] == "material_cooperation"
    assert _quads(nlp, "Chinese and Russian diplomats held separate briefings.")[("CHN", "RUS")] == "none"


def test_summoning_an_ambassador_is_a_protest_and_strikes_hit(nlp):
    assert _quads(nlp, "Russia's foreign ministry summoned the British ambassador.")[("GBR", "RUS")] == "verbal_conflict"
    assert _quads(nlp, "Israeli airstrikes hit Iranian targets.")[("IRN", "ISR")] == "material_conflict"
    assert _quads(nlp, "The storm hit Cuba and Haiti.")[("CUB", "HTI")] == "none"


def test_releasing_people_is_yielding_not_releasing_a_report(nlp):
    assert _rel(nlp, "Iran freed two American sailors.")[("IRN", "USA")] == ("material_cooperation", "freed")
    assert _quads(nlp, "Pakistan released a captured Indian pilot.")[("IND", "PAK")] == "material_cooperation"
    assert _quads(nlp, "Pakistan released a statement on India.")[("IND", "PAK")] == "none"


def test_a_joint_act_cut_together_is_no_conflict_between_them(nlp):
    got = _quads(nlp, "The United States and South Korea suspended their joint military exercises.")
    assert got[("KOR", "USA")] == "none"
    assert _quads(nlp, "The United States suspended trade with Cuba.")[("CUB", "USA")] == "material_conflict"


def test_military_positions_are_no_words(nlp):
    assert _quads(nlp, "Armenian forces shelled Azerbaijani positions.")[("ARM", "AZE")] == "material_conflict"
    assert _quads(nlp, "Turkey attacked the French position on Libya.")[("FRA", "TUR")] == "verbal_conflict"


def test_a_loan_is_material_cooperation(nlp):
    assert _quads(nlp, "China lent Sri Lanka $1 billion.")[("CHN", "LKA")] == "material_cooperation"


def test_providing_arms_is_cooperation_planned_or_done(nlp):
    assert _quads(nlp, "The United States provided Ukraine with Patriot missiles.")[("UKR", "USA")] == \
        "material_cooperation"
    assert _quads(nlp, "The United States will provide Ukraine with Patriot missiles.")[("UKR", "USA")] == \
        "verbal_cooperation"
    assert _quads(nlp, "Israel returned the bodies of two Egyptian soldiers.")[("EGY", "ISR")] == "material_cooperation"


def test_a_list_at_odds_or_at_war_relates_its_members(nlp):
    assert _quads(nlp, "Greece and Turkey remain at odds over the island.")[("GRC", "TUR")] == "verbal_conflict"
    assert _quads(nlp, "Armenia and Azerbaijan have been at war since September.")[("ARM", "AZE")] == \
        "material_conflict"
    got = _quads(nlp, "In the deal, Austrian and New Zealand production sites are to be kept.")
    assert got[("AUT", "NZL")] == "none"


def test_lifting_or_easing_a_coercive_measure_is_cooperation(nlp):
    assert _quads(nlp, "Japan lifted export restrictions on South Korea.")[("JPN", "KOR")] == "material_cooperation"
    got = _quads(nlp, "The Japanese government said it would lift export restrictions on South Korea.")
    assert got[("JPN", "KOR")] == "verbal_cooperation"  # a promise (CAMEO 03)
    assert _quads(nlp, "Russian jets dropped bombs on Syrian towns.")[("RUS", "SYR")] == "material_conflict"


def test_an_adjective_judging_relations_decides_their_class(nlp):
    assert _rel(nlp, "Relations between China and India have been tense since the border clash.")[("CHN", "IND")] == \
        ("verbal_conflict", "tense")
    assert _quads(nlp, "Relations between Spain and Morocco are cordial.")[("ESP", "MAR")] == "verbal_cooperation"
    assert _quads(nlp, "Morocco and Israel established diplomatic relations.")[("ISR", "MAR")] == \
        "material_cooperation"
    assert _quads(nlp, "The tense border between India and China was quiet.")[("CHN", "IND")] == "none"


def test_allies_named_with_a_possessive_belong_to_the_first_item(nlp):
    got = _quads(nlp, "Turkish troops and their Syrian allies advanced on the town.")
    assert got[("SYR", "TUR")] == "verbal_cooperation"


def test_angering_another_country_is_verbal_conflict(nlp):
    got = _quads(nlp, "Macron's visit to China angered the United States.")
    assert got[("FRA", "USA")] == "verbal_conflict" and got[("CHN", "FRA")] == "verbal_cooperation"
    assert got[("CHN", "USA")] == "none"


def test_praise_siding_and_rebuffs(nlp):
    assert _quads(nlp, "Canada commended Mexico for its efforts.")[("CAN", "MEX")] == "verbal_cooperation"
    assert _quads(nlp, "Spain sided with Morocco on the dispute.")[("ESP", "MAR")] == "verbal_cooperation"
    assert _quads(nlp, "Chile rebuffed Bolivia's demand for sea access.")[("BOL", "CHL")] == "verbal_conflict"
    assert _quads(nlp, "The Indian team was cheered by fans in England.")[("GBR", "IND")] == "none"
