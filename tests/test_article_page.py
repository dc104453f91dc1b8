"""The Article page (AppTest), issue 13: theme order, every evidence sentence, the text box, subheadings, the
countries' words, a link to one sentence (?sent=K) and the relations of the article."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import Block

from geolens.store import Store

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "data" / "sample" / "japan_security_awakening.txt"
SHORT = (
    "Japan and India agreed on Monday in Tokyo to expand joint naval exercises, officials said. "
    "The Japanese defence minister said the drills would start next spring and involve destroyers "
    "and patrol aircraft from both navies."
)
HOSTILE = (
    "France and Germany signed a defence pact in Paris on Monday. "
    "The French minister wrote <img src=x onerror=alert(1)> and <script>alert('pact')</script> in a memo to Berlin. "
    "Both governments said the agreement would deepen military cooperation across Europe this year."
)


@pytest.fixture(scope="module")
def db(tmp_path_factory, nlp) -> Path:
    """The sample article, a three-sentence article and one whose text carries markup."""
    from geolens.ingest import from_text
    from geolens.pipeline import analyse

    path = tmp_path_factory.mktemp("db_article_page") / "article.duckdb"
    Store(path).add_many([
        analyse(from_text(SEED.read_text(encoding="utf-8"), title="Japan's Security Awakening")),
        analyse(from_text(SHORT, title="Navies drill", published="2024-05-01")),
        analyse(from_text(HOSTILE, title="A <b>pact</b>", published="2024-05-02")),
    ])
    return path


@pytest.fixture(scope="module")
def ids(db) -> dict[str, str]:
    arts = Store(db).table("articles")
    by_title = dict(zip(arts["title"], arts["article_id"], strict=True))
    return {"seed": by_title["Japan's Security Awakening"], "short": by_title["Navies drill"],
            "hostile": by_title["A <b>pact</b>"]}


@pytest.fixture
def open_article(db, open_app):
    """Open the Article page through app.py with query parameters; returns the ran AppTest."""
    return lambda **params: open_app(db, "article", **params)


def blocks(node, kind: str | None = None):
    """Every Block under `node` (of one type when `kind` is given)."""
    for child in getattr(node, "children", {}).values():
        if isinstance(child, Block):
            if kind is None or child.type == kind:
                yield child
            yield from blocks(child, kind)


def htmls(node) -> list[str]:
    return [h.proto.body for h in node.get("html")]


def plain(fragment: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", fragment))


def text_html(at: AppTest) -> str:
    [body] = [b for b in htmls(at) if '<div class="gl-text">' in b]
    return body


class _Target(HTMLParser):
    """Collects the text inside <span class="gl-target"> elements (marks nested in them included)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.depth = 0
        self.out: list[str] = []

    def handle_starttag(self, tag, attrs):
        if self.depth:
            self.depth += 1
        elif tag == "span" and ("class", "gl-target") in attrs:
            self.depth = 1

    def handle_endtag(self, tag):
        if self.depth:
            self.depth -= 1

    def handle_data(self, data):
        if self.depth:
            self.out.append(data)


def target_text(body: str) -> str:
    parser = _Target()
    parser.feed(body)
    return "".join(parser.out)


def theme_expanders(at: AppTest):
    return [e for e in at.expander if "more themes with stray cues" not in e.label]


# -- themes --------------------------------------------------------------------------------------------------


def test_filtered_theme_comes_first_and_open_the_others_closed_by_confidence(open_article, db, ids):
    at_ = Store(db).table("article_themes")
    mine = at_[(at_["article_id"] == ids["seed"]) & at_["assigned"]].sort_values("confidence", ascending=False)
    weakest = mine["theme"].iloc[-1]  # the least confident assigned theme: last without the filter
    from geolens.names import theme_name

    at = open_article(article=ids["seed"], theme=weakest)
    exps = theme_expanders(at)
    assert exps[0].label.startswith(theme_name(weakest)), [e.label for e in exps]
    assert exps[0].proto.expanded
    assert not any(e.proto.expanded for e in exps[1:])
    # The rest keep their order by confidence.
    rest = [theme_name(t) for t in mine["theme"] if t != weakest]
    assert [e.label.split(" — ")[0] for e in exps[1:]] == rest


def test_without_a_theme_filter_the_most_confident_theme_opens(open_article, db, ids):
    at = open_article(article=ids["seed"])
    exps = theme_expanders(at)
    assert exps[0].proto.expanded and not any(e.proto.expanded for e in exps[1:])


def test_every_evidence_sentence_can_be_shown(open_article, db, ids):
    at = open_article(article=ids["seed"])
    first = theme_expanders(at)[0]
    n = int(re.search(r"(\d+) sentences", first.label).group(1))
    assert n > 6
    assert sum(b.count('class="gl-card"') for b in htmls(first)) == 6
    [toggle] = [t for t in first.toggle if t.label == f"Show all {n} sentences"]
    toggle.set_value(True)
    at.run()
    first = theme_expanders(at)[0]
    cards = "".join(htmls(first))
    assert cards.count('class="gl-card"') == n
    numbers = [int(x) for x in re.findall(r"sentence (\d+) · cues", cards)]
    assert len(set(numbers)) == n  # n different sentences, none repeated


# -- the text ------------------------------------------------------------------------------------------------


def test_text_box_is_sized_to_its_text_and_only_long_ones_scroll(open_article, ids):
    for which in ("short", "seed"):
        at = open_article(article=ids[which])
        fixed = [b for b in blocks(at.main) if getattr(b.proto, "height_config", None) is not None
                 and b.proto.height_config.pixel_height]
        assert not fixed, "the text sits in a fixed-height box"
        body = text_html(at)
        assert SHORT[:40] in plain(body) if which == "short" else "Shifting Threat Landscape" in plain(body)
    style = "".join(h for h in htmls(at) if ".gl-article-box{" in h)
    rule = re.search(r"\.gl-article-box\{([^}]*)\}", style).group(1)
    assert "max-height:75vh" in rule and "overflow-y:auto" in rule and "height:" not in rule.replace("max-height", "")


def test_subheadings_are_set_apart_from_body_text(open_article, ids):
    at = open_article(article=ids["seed"])
    body = text_html(at)
    heads = [plain(h) for h in re.findall(r'<span class="gl-h">(.*?)</span>(?=\n|$)', body)]
    for title in ("The Shifting Threat Landscape", "The American Dilemma", "Lessons for Regional Powers",
                  "The Deterrence Paradox"):
        assert title in heads, heads
    # Body sentences are not headings.
    assert not any(h.startswith("Japan's security environment") for h in heads)
    # Marking headings moves no mention: the text reads the same, every mention still marked.
    assert plain(body).replace("\n", "") == html.unescape(plain(body)).replace("\n", "")
    assert ">Japan</mark>" in body


def test_named_as_lists_every_word_used_in_a_table_that_wraps(open_article, db, ids):
    at = open_article(article=ids["seed"])
    [table] = [h for h in htmls(at) if "<th>Named as</th>" in h]
    assert "overflow-wrap:break-word" in table and "table-layout:fixed" in table
    rows = re.findall(r"<tr><td>(.*?) <span class='gl-count'>(\d+)</span></td><td class='gl-named'>(.*?)</td></tr>",
                      table)
    m = Store(db).table("mentions")
    jp = m[(m["article_id"] == ids["seed"]) & (m["country"] == "JPN")]
    named = dict((plain(n), plain(s)) for n, _, s in rows)
    assert set(named["Japan"].split(", ")) == set(jp["surface"])
    assert not any(s.endswith("…") for s in named.values())


# -- ?sent=K -------------------------------------------------------------------------------------------------


def test_link_to_a_sentence_highlights_it_and_scrolls_to_it(open_article, db, ids):
    sents = Store(db).table("sentences")
    sents = sents[sents["article_id"] == ids["seed"]].set_index("sent_idx")
    k = 12
    at = open_article(article=ids["seed"], sent=str(k))
    body = text_html(at)
    assert body.count(f'id="gl-s-{k}"') == 1 and body.count('class="gl-target"') >= 1
    assert target_text(body).strip() == sents.loc[k, "text"].strip()
    [script] = [h for h in at.get("html") if "<script>" in h.proto.body]
    assert script.proto.unsafe_allow_javascript
    assert f"getElementById('gl-s-{k}')" in script.proto.body and "scrollIntoView" in script.proto.body
    assert "http" not in script.proto.body and "src=" not in script.proto.body  # nothing fetched


def test_sentence_link_escapes_the_article_text(open_article, db, ids):
    sents = Store(db).table("sentences")
    sents = sents[sents["article_id"] == ids["hostile"]]
    k = int(sents[sents["text"].str.contains("onerror")]["sent_idx"].iloc[0])
    at = open_article(article=ids["hostile"], sent=str(k))
    body = text_html(at)
    assert f'id="gl-s-{k}"' in body
    assert "<img" not in body and "<script" not in body
    assert "&lt;img src=x onerror=alert(1)&gt;" in body and "&lt;script&gt;" in body
    [script] = [h.proto.body for h in at.get("html") if "<script>" in h.proto.body]
    assert "alert" not in script and "pact" not in script


def test_a_sentence_number_out_of_range_is_said_and_nothing_is_marked(open_article, ids):
    at = open_article(article=ids["short"], sent="999")
    assert "gl-target" not in text_html(at)
    assert any("no sentence 1000" in c.value for c in at.caption)
    assert not [h for h in at.get("html") if "<script>" in h.proto.body]


def test_picking_another_article_drops_the_linked_sentence(open_article, ids):
    at = open_article(article=ids["seed"], sent="3")
    assert 'id="gl-s-3"' in text_html(at)
    at.selectbox(key="art_pick").set_value(ids["short"]).run()
    assert "sent" not in at.query_params
    assert "gl-target" not in text_html(at)
    assert not [h for h in at.get("html") if "<script>" in h.proto.body]


# -- relations -----------------------------------------------------------------------------------------------


def test_relations_of_the_article_are_listed_and_open_their_sentence(open_article, db, ids):
    rel = Store(db).table("relations")
    rel = rel[(rel["article_id"] == ids["seed"]) & (rel["quad"] != "none")]
    assert len(rel)
    at = open_article(article=ids["seed"])
    assert "Relations" in [s.value for s in at.subheader]
    [table] = [h for h in htmls(at) if "<table class='gl-ctab gl-rel'>" in h]
    assert table.count("<tr><td>") == len(rel)
    for k in rel["sent_idx"]:
        assert f"sent={int(k)}" in table
    assert f"article={ids['seed']}" in table and 'target="_self"' in table
