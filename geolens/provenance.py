"""Where an article was published, as far as its address tells: the country of a country-code domain."""

from __future__ import annotations

from urllib.parse import urlparse

import pycountry

# Country-code domains that are not the ISO 3166 code of their country, or are used as generic names.
_NOT_ISO = {"uk": "GBR"}
_GENERIC = frozenset({"io", "ai", "co", "tv", "me", "fm", "ly", "to", "ws", "cc", "eu", "su", "ac"})


def publication_country(url: str) -> str | None:
    """ISO3 of the country whose domain the article's address is under ("www.bbc.co.uk" -> GBR), else None."""
    host = (urlparse(url if "//" in url else f"//{url}").hostname or "").rstrip(".").lower()
    tld = host.rsplit(".", 1)[-1] if "." in host else ""
    if len(tld) != 2 or tld in _GENERIC:
        return None
    if tld in _NOT_ISO:
        return _NOT_ISO[tld]
    country = pycountry.countries.get(alpha_2=tld.upper())
    return country.alpha_3 if country else None
