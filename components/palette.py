"""One palette for the whole dashboard: stable, colour-blind-safe colours for themes, countries and kinds."""

from __future__ import annotations

from geolens.queries import country_continent

# Themes: Paul Tol's discrete-rainbow scheme (designed to stay distinguishable with colour-vision
# deficiencies), in taxonomy order so a theme keeps its colour on every page and in every filter.
THEME_COLORS: dict[str, str] = {
    "alliances_partnerships": "#1965B0",
    "defense_posture": "#5289C7",
    "armed_conflict": "#A5170E",
    "terrorism_violence": "#72190E",
    "nuclear_wmd": "#DC050C",
    "military_technology": "#E8601C",
    "economic_security": "#F1932D",
    "trade_sanctions": "#F6C141",
    "technology_innovation": "#CAE0AB",
    "territorial_disputes": "#4EB265",
    "diplomacy": "#7BAFDE",
    "international_order": "#90C987",
    "domestic_politics": "#882E72",
    "cyber_information": "#AE76A3",
    "energy_infrastructure": "#D1BBD7",
    "humanitarian": "#777777",
}
OTHER = "#BBBBBB"

# Countries are coloured by continent with the Okabe-Ito palette (safe for all common colour-vision types):
# stable across pages, and a colour carries meaning instead of being one of 200 indistinguishable hues.
CONTINENT_COLORS: dict[str, str] = {
    "AS": "#E69F00",
    "EU": "#0072B2",
    "NA": "#009E73",
    "SA": "#56B4E9",
    "AF": "#D55E00",
    "OC": "#CC79A7",
    "AN": "#999999",
    "": "#999999",
}
CONTINENT_NAMES: dict[str, str] = {
    "AS": "Asia", "EU": "Europe", "NA": "North America", "SA": "South America", "AF": "Africa",
    "OC": "Oceania", "AN": "Antarctica", "": "Other",
}

# Mention kinds on the article page: light Okabe-Ito tints so dark text stays readable on them.
KIND_COLORS: dict[str, str] = {
    "country": "#9DD3F5",  # sky blue
    "person": "#F5D08A",  # orange
    "org": "#A8E0C8",  # bluish green
    "place": "#E8B9D6",  # reddish purple
    "theme": "#FFF3A3",  # yellow: theme cue words
    "keyword": "#FFD24D",
}
KIND_NAMES: dict[str, str] = {
    "country": "Country", "person": "Person", "org": "Organisation", "place": "Place", "theme": "Theme cue",
    "keyword": "Search match",
}

# Sequential scale for counts (single hue, readable in grey-scale and by colour-blind users).
SEQUENTIAL = "Blues"
# The map starts at a visible light blue so that "mentioned once" stands apart from the grey of "never".
MAP_SCALE = [[0.0, "#C6DBEF"], [0.35, "#6BAED6"], [0.7, "#2171B5"], [1.0, "#08306B"]]


def theme_color(theme: str | None) -> str:
    """The colour of a theme id (grey for unknown ids)."""
    return THEME_COLORS.get(theme, OTHER) if isinstance(theme, str) and theme else OTHER


def country_color(iso3: str | None) -> str:
    """The colour of a country: the colour of its continent."""
    return CONTINENT_COLORS.get(country_continent(iso3), CONTINENT_COLORS[""])


def text_on(color: str) -> str:
    """Black or white, whichever reads better on a background colour given as #RRGGBB."""
    r, g, b = (int(color.lstrip("#")[i : i + 2], 16) for i in (0, 2, 4))
    return "#000000" if (0.299 * r + 0.587 * g + 0.114 * b) > 150 else "#FFFFFF"
