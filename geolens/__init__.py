"""geolens: geopolitical news articles to tidy tables of mentions and themes."""

__version__ = "0.1.0"
