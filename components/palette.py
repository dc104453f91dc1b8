"""One palette for the whole dashboard: stable, colour-blind-safe colours for themes, countries and kinds."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import yaml

from geolens.names import country_continent

FAMILIES_FILE = Path(__file__).resolve().parent.parent / "data" / "theme_families.yaml"

# One hue per theme family (warm red-brown, blue, gold/olive, violet), several shades each. The shades were chosen
# by search in CIELAB for the largest smallest pairwise distance of all 16 colours as seen with normal vision and
# simulated deuteranopia and protanopia (Machado et al. 2009): min ΔE76 ≈ 19 (Tol's rainbow scheme had 10.6).
FAMILY_SHADES: dict[str, list[str]] = {
    "security": ["#6D1B17", "#7A4849", "#B0757A", "#E58674", "#DF7544", "#F9C3B0"],
    "politics": ["#4C5D9A", "#6486FA", "#0C3556", "#87B5D5"],
    "economy": ["#C99100", "#615B01", "#EBD030", "#EBD07E"],
    "society": ["#9386D7", "#761AA9"],
}


def load_families(path: str | Path = FAMILIES_FILE) -> dict[str, dict]:
    """Theme families from the YAML file: family id -> {"name": str, "themes": [ids], "short": {id: label}}."""
    raw = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    out = {}
    for fam, v in raw.items():
        themes = v.get("themes") or []
        # `themes` is a list of ids, or a mapping id -> short label
        short = {str(t): str(lab) for t, lab in themes.items() if lab} if isinstance(themes, dict) else {}
        out[str(fam)] = {"name": str(v.get("name", fam)), "themes": [str(t) for t in themes], "short": short}
    return out


def build_theme_colors(families: dict[str, dict]) -> dict[str, str]:
    """theme id -> colour: the family's shades in the order its themes are listed (grey past the last shade)."""
    out: dict[str, str] = {}
    for fam, spec in families.items():
        shades = FAMILY_SHADES.get(fam, [])
        for i, theme in enumerate(spec["themes"]):
            out[theme] = shades[i] if i < len(shades) else OTHER
    return out


OTHER = "#BBBBBB"
FAMILIES = load_families()
THEME_COLORS: dict[str, str] = build_theme_colors(FAMILIES)
THEME_FAMILY: dict[str, str] = {t: fam for fam, spec in FAMILIES.items() for t in spec["themes"]}
THEME_SHORT: dict[str, str] = {t: lab for spec in FAMILIES.values() for t, lab in spec["short"].items()}

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


def theme_short(theme: str | None, name: str = "") -> str:
    """A theme's short axis label (data/theme_families.yaml), else its full name, else its id."""
    return THEME_SHORT.get(theme or "", "") or name or str(theme or "")


def theme_family(theme: str | None) -> str:
    """The family id of a theme ("" for unknown ids)."""
    return THEME_FAMILY.get(theme, "") if isinstance(theme, str) else ""


# Colour-vision deficiency simulation, Machado, Oliveira & Fernandes (2009), severity 1, applied in linear RGB.
CVD_MATRICES: dict[str, np.ndarray] = {
    "protanopia": np.array([[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216],
                            [-0.003882, -0.048116, 1.051998]]),
    "deuteranopia": np.array([[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413],
                              [-0.011820, 0.042940, 0.968881]]),
    "tritanopia": np.array([[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602],
                            [0.004733, 0.691367, 0.303900]]),
}
_RGB_TO_XYZ = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]])


def _linear(colors: list[str]) -> np.ndarray:
    c = np.array([[int(h.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4)] for h in colors])
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def to_lab(colors: list[str], cvd: str | None = None) -> np.ndarray:
    """CIELAB (D65) of #RRGGBB colours, as seen with normal vision or the given simulated deficiency."""
    lin = _linear(colors)
    if cvd:
        lin = np.clip(lin @ CVD_MATRICES[cvd].T, 0, 1)
    xyz = (lin @ _RGB_TO_XYZ.T) / _RGB_TO_XYZ.sum(axis=1)
    f = np.where(xyz > 0.008856, np.cbrt(xyz), 7.787 * xyz + 16 / 116)
    return np.stack([116 * f[:, 1] - 16, 500 * (f[:, 0] - f[:, 1]), 200 * (f[:, 1] - f[:, 2])], axis=-1)


def min_distance(colors: list[str], cvd: str | None = None) -> float:
    """The smallest CIELAB ΔE76 between any two of `colors` (with normal vision or a simulated deficiency)."""
    lab = to_lab(colors, cvd)
    d = np.sqrt(((lab[:, None] - lab[None]) ** 2).sum(-1))
    d[np.diag_indices(len(d))] = np.inf
    return float(d.min()) if len(colors) > 1 else float("inf")
