"""The shared dashboard filters: one hashable value, its URL form and its description in words."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date

# URL query-string keys of the shared filters (a link reproduces the view).
PARAM_KEYS = ("country", "theme", "entity", "from", "to", "source", "q")

# Two measures of "a country in an article", kept apart (issue 11):
# - named: the article names the country itself: its name, a demonym, a capital or seat standing for the state
#   ("Japan", "Japanese", "Tokyo said", "the Kremlin");
# - attributed: the article names something that belongs to the country: a place, a person, an organisation
#   ("Osaka", "Kishida", "the Self-Defense Forces").
# "all" counts both (the library's default, and the sidebar's country filter).
MEASURES = ("named", "attributed", "all")
MEASURE_LABELS = {"named": "Named", "attributed": "Attributed", "all": "Named or attributed"}


@dataclass(frozen=True)
class Filters:
    """The shared sidebar filters; hashable, so results can be cached on them.

    An article passes when it mentions any of `countries`, is assigned any of `themes`, names any of `entities`
    (people or organisations), was published between `start` and `end` (inclusive), comes from any of `sources`
    and contains `text` in its title or body: each only when set.
    """

    countries: tuple[str, ...] = ()
    themes: tuple[str, ...] = ()
    start: date | None = None
    end: date | None = None
    sources: tuple[str, ...] = ()
    text: str = ""
    entities: tuple[str, ...] = ()

    def active(self) -> bool:
        """True when any filter narrows the selection."""
        return bool(self.countries or self.themes or self.entities or self.start or self.end or self.sources
                    or self.text.strip())

    def to_params(self) -> dict[str, str | list[str]]:
        """The filters as URL query parameters (only the ones that are set)."""
        out: dict[str, str | list[str]] = {}
        if self.countries:
            out["country"] = list(self.countries)
        if self.themes:
            out["theme"] = list(self.themes)
        if self.entities:
            out["entity"] = list(self.entities)
        if self.start:
            out["from"] = self.start.isoformat()
        if self.end:
            out["to"] = self.end.isoformat()
        if self.sources:
            out["source"] = list(self.sources)
        if self.text.strip():
            out["q"] = self.text.strip()
        return out

    @classmethod
    def from_params(cls, params: Mapping[str, str | list[str]], prefix: str = "") -> Filters:
        """Parse URL query parameters (repeated keys or comma-separated lists); bad values are ignored.

        `prefix` reads a second set of filters from the same URL ("a_country", "b_country" on Compare).
        """

        def many(key: str, split: bool = True) -> tuple[str, ...]:
            raw = params.get(prefix + key) or []
            values = [raw] if isinstance(raw, str) else list(raw)
            out: list[str] = []
            for v in values:
                parts = str(v).split(",") if split else [str(v)]
                out.extend(p.strip() for p in parts if p.strip())
            return tuple(dict.fromkeys(out))

        def one(key: str) -> str:
            raw = params.get(prefix + key)
            if isinstance(raw, list | tuple):
                raw = raw[-1] if raw else ""
            return str(raw or "").strip()

        return cls(
            countries=tuple(c.upper() for c in many("country")),
            themes=many("theme"),
            start=_parse_date(one("from")),
            end=_parse_date(one("to")),
            sources=many("source"),
            text=one("q"),
            entities=many("entity", split=False),  # names may hold commas ("Biden, Joe")
        )

    def describe(self, country_name: Callable[[str], str] = str, theme_name: Callable[[str], str] = str) -> str:
        """A short description in words of the filters that are set ('none' when none is)."""
        parts = []
        if self.countries:
            parts.append("countries " + ", ".join(country_name(c) for c in self.countries))
        if self.themes:
            parts.append("themes " + ", ".join(theme_name(t) for t in self.themes))
        if self.entities:
            parts.append("people or organisations " + ", ".join(self.entities))
        if self.start or self.end:
            parts.append(f"dates {self.start or '…'} to {self.end or '…'}")
        if self.sources:
            parts.append("sources " + ", ".join(self.sources))
        if self.text.strip():
            parts.append(f"text “{self.text.strip()}”")
        return "; ".join(parts) or "none"


def _parse_date(value: str) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None
