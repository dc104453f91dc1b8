"""The Doc extensions the geolens components assign, registered in one place, once per process."""

from spacy.tokens import Doc, Span

# extension -> the component that sets it
DOC_EXTENSIONS = {
    "geo_mentions": "geolens_countries",
    "theme_hits": "geolens_themes",
    "article_themes": "geolens_themes",
    "relations": "geolens_relations",
}


def register() -> None:
    """Register every geolens Doc extension (idempotent: importing a component module calls it)."""
    for name in DOC_EXTENSIONS:
        if not Doc.has_extension(name):
            Doc.set_extension(name, default=None)


register()

_TEXT_KEY = ("geolens", "text")
_ENTS_KEY = ("geolens", "ents")


def doc_text(doc: Doc) -> str:
    """doc.text, joined once per Doc (spaCy joins it from every token at each access)."""
    text = doc.user_data.get(_TEXT_KEY)
    if text is None:
        text = doc.user_data[_TEXT_KEY] = doc.text
    return text


def doc_ents(doc: Doc) -> tuple[Span, ...]:
    """doc.ents, built once per Doc (spaCy builds the tuple from every token at each access).

    Only for the components after the NER: none of them changes the entities.
    """
    ents = doc.user_data.get(_ENTS_KEY)
    if ents is None:
        ents = doc.user_data[_ENTS_KEY] = doc.ents
    return ents
