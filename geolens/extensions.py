"""The Doc extensions the geolens components assign, registered in one place, once per process."""

from spacy.tokens import Doc

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
