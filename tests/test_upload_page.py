"""The Upload page (AppTest), issue 13: the newest input is reviewed, a stored article shows its stored fields
read-only, and the tables have readable headers."""

from __future__ import annotations

import datetime
import json
from pathlib import Path

import pytest
from test_upload import BODY, keyed, open_page, paste, results_table, save, upload

from geolens.store import Store
from geolens.tables import article_id

OTHER = (
    "Germany and France agreed on Thursday to build a joint tank, officials in Berlin said. The two governments "
    "will share the cost of the programme, and Poland may join the project later, the defence ministers said in a "
    "statement after the meeting."
)


@pytest.fixture
def db(tmp_path, monkeypatch, nlp) -> Path:
    """A fresh database for the page (GEOLENS_DB), with the pipeline already loaded in this process."""
    path = tmp_path / "upload.duckdb"
    monkeypatch.setenv("GEOLENS_DB", str(path))
    return path


def labels(df_element) -> dict[str, str]:
    """Column -> header shown, from the dataframe's column configuration."""
    cfg = json.loads(df_element.proto.columns or "{}")
    return {c: v.get("label", c) for c, v in cfg.items() if not v.get("hidden")}


# -- the newest input is reviewed -----------------------------------------------------------------------------


def test_after_a_second_input_the_review_shows_the_new_draft(db):
    at = save(paste(open_page(), "Allies meet\n" + BODY))
    assert any("Saved" in s.value for s in at.success)
    at = paste(at, "Tank deal\n" + OTHER)
    pick = at.selectbox(key="upload:pick")
    assert "pasted text — analysed, not saved yet" == pick.format_func(pick.value)
    [title] = keyed(at.text_input, "upload:title:")
    assert title.value == "Tank deal" and not title.disabled
    [button] = keyed(at.button, "upload:save:")  # the new draft can be saved at once
    button.click()
    at.run()
    assert sorted(Store(db).table("articles")["title"]) == ["Allies meet", "Tank deal"]


def test_a_file_after_pasted_text_is_reviewed_and_the_earlier_draft_is_still_listed(db):
    at = paste(open_page(), "Allies meet\n" + BODY)
    at = upload(at, ("tanks.txt", ("Tank deal\n" + OTHER).encode()))
    pick = at.selectbox(key="upload:pick")
    assert pick.format_func(pick.value).startswith("tanks.txt")
    assert [t.value for t in keyed(at.text_input, "upload:title:")] == ["Tank deal"]
    assert len(pick.options) == 2
    pick.set_value(pick.options[0] if pick.options[0] != pick.value else pick.options[1]).run()
    assert [t.value for t in keyed(at.text_input, "upload:title:")] == ["Allies meet"]


# -- an article already stored ----------------------------------------------------------------------------------


def test_stored_article_shows_its_stored_fields_read_only_and_links_to_it(db, seed_text):
    first = paste(open_page(), seed_text)
    keyed(first.text_input, "upload:title:")[0].set_value("Japan charts its own course")
    keyed(first.text_input, "upload:source:")[0].set_value("Seed Weekly")
    keyed(first.date_input, "upload:published:")[0].set_value(datetime.date(2025, 3, 1))
    save(first)

    again = upload(open_page(), ("copy of seed.txt", seed_text.encode("utf-8")))
    assert any("already stored" in i.value for i in again.info)
    assert not keyed(again.text_input, "upload:title:")  # no editable field whose edit could not be saved
    title = next(t for t in again.text_input if t.label == "Title")
    source = next(t for t in again.text_input if t.label == "Source")
    date = next(d for d in again.date_input if d.label == "Date")
    assert title.value == "Japan charts its own course" and title.disabled
    assert source.value == "Seed Weekly" and source.disabled
    assert date.value == datetime.date(2025, 3, 1) and date.disabled
    assert not keyed(again.button, "upload:save:")
    assert f"./article?article={article_id(seed_text)}" in "\n".join(m.value for m in again.markdown)
    [row] = Store(db).table("articles").to_dict("records")
    assert row["title"] == "Japan charts its own course"  # nothing was written over


def test_after_saving_the_fields_show_what_was_saved_read_only(db):
    at = paste(open_page(), "Allies meet\n" + BODY)
    keyed(at.text_input, "upload:title:")[0].set_value("Allies meet again")
    at = save(at)
    title = next(t for t in at.text_input if t.label == "Title")
    assert title.value == "Allies meet again" and title.disabled
    assert Store(db).table("articles")["title"].tolist() == ["Allies meet again"]


# -- readable headers -----------------------------------------------------------------------------------------


def test_analysis_tables_have_readable_headers(db, seed_text):
    at = paste(open_page(), seed_text)
    countries = next(d for d in at.dataframe if "surfaces" in d.value.columns)
    assert labels(countries) == {"country": "ISO3", "name": "Country", "mentions": "Mentions", "surfaces": "Named as"}
    entities = next(d for d in at.dataframe if "entity" in d.value.columns)
    shown = labels(entities)
    assert shown["entity"] == "Name" and shown["kind"] == "Kind" and shown["mentions"] == "Mentions"
    assert set(entities.value["kind"]) <= {"Person", "Organisation", "Place"}


def test_results_table_of_several_inputs_has_readable_headers_and_theme_names(db):
    at = upload(open_page(), ("a.txt", ("Allies meet\n" + BODY).encode()), ("b.txt", ("Tank deal\n" + OTHER).encode()))
    el = next(d for d in at.dataframe if {"input", "status", "reason"} <= set(d.value.columns))
    shown = labels(el)
    assert {shown[c] for c in ("input", "status", "title", "words", "countries", "themes", "reason", "article")} == {
        "Input", "Status", "Title", "Words", "Countries", "Themes", "Why refused", "Article"}
    themes = ", ".join(results_table(at)["themes"])
    assert themes and "_" not in themes  # theme names, not ids such as alliances_partnerships
