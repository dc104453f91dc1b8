"""Exceptions shared across geolens modules (here so that no two modules import each other for them)."""


class IngestError(Exception):
    """An input that cannot become an article; the message is one line meant for the user."""
