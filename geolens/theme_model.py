"""The learned layer over theme cues: a confidence (0-1) per article and theme, from data/theme_model.json.

The cue matcher (themes.py) finds the evidence; this layer weighs it. One logistic model scores every
(article, theme) pair that has at least one cue hit, from two kinds of features:
- the shape of the cue evidence (EvidenceFeatures), with weights shared by all themes, plus a bias per theme;
- the article's content lemmas (binary, idf-weighted, L2-normalised), with weights per theme.
A theme without any cue hit is never assigned, nor one without a sentence substantially about it (assignable),
so every assigned theme keeps its evidence sentences.
The weights are trained by `python -m geolens.theme_training` (see that module).
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass, field
from pathlib import Path

from geolens import settings
from geolens.records import EvidenceFeatures

DEFAULT_MODEL = settings.THEME_MODEL
FEATURE_NAMES = (
    "log_score",
    "max_sentence",
    "log_sentences_about",
    "log_sentences_with_cue",
    "sqrt_share_with_cue",
    "has_strong",
    "log_distinct_cues",
    "lead",
    "rule_assigned",
)


class ThemeModelError(ValueError):
    """A theme model file that cannot be read; the message names the file."""


def feature_vector(f: EvidenceFeatures) -> list[float]:
    """The evidence features of one (article, theme) pair, in FEATURE_NAMES order."""
    return [
        math.log1p(f.score),
        min(f.max_sentence, 8.0) / 4.0,
        math.log1p(f.n_about),
        math.log1p(f.n_with_cue),
        math.sqrt(f.share_with_cue),
        float(f.has_strong),
        math.log1p(f.n_distinct),
        min(f.lead, 8.0) / 4.0,
        float(f.rule_assigned),
    ]


def assignable(f: EvidenceFeatures) -> bool:
    """A theme can be assigned only with a sentence substantially about it (spec/themes.md: a passing word is not
    enough), whatever its confidence: a short text with one weak cue ("the war on litter") has a high confidence
    because that cue is all there is."""
    return f.n_about > 0


def lexical_vector(lemmas: dict[str, int], idf: dict[str, float]) -> dict[str, float]:
    """Binary presence of known lemmas times their idf, L2-normalised (the lexical features of an article)."""
    vec = {w: idf[w] for w in lemmas if w in idf}
    norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
    return {w: v / norm for w, v in vec.items()}


def _sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z)) if z >= 0 else math.exp(z) / (1.0 + math.exp(z))


@dataclass(frozen=True)
class ThemeModel:
    """Trained weights and the decision threshold on confidence."""

    threshold: float
    shared: tuple[float, ...]
    per_theme: dict[str, tuple[float, ...]] = field(hash=False)
    bias: dict[str, float] = field(hash=False)
    idf: dict[str, float] = field(hash=False)
    lexical: dict[str, dict[str, float]] = field(hash=False)
    trained_on: str = ""

    def confidences(self, features: dict[str, EvidenceFeatures], lemmas: dict[str, int]) -> dict[str, float]:
        """Confidence per theme for the themes this model knows (others are left to the sentence rule)."""
        lex = lexical_vector(lemmas, self.idf)
        out: dict[str, float] = {}
        for theme, f in features.items():
            if theme not in self.bias:
                continue
            adjust = self.per_theme.get(theme) or (0.0,) * len(FEATURE_NAMES)
            z = self.bias[theme] + sum(
                (w + a) * x for w, a, x in zip(self.shared, adjust, feature_vector(f), strict=True)
            )
            weights = self.lexical.get(theme, {})
            z += sum(v * weights.get(w, 0.0) for w, v in lex.items())
            out[theme] = _sigmoid(z)
        return out

    def to_json(self) -> dict:
        """The JSON form written to data/theme_model.json."""
        return {
            "format": 1,
            "trained_on": self.trained_on,
            "threshold": round(self.threshold, 4),
            "features": list(FEATURE_NAMES),
            "shared": [round(w, 5) for w in self.shared],
            "per_theme": {t: [round(w, 5) for w in ws] for t, ws in self.per_theme.items()},
            "bias": {t: round(b, 5) for t, b in self.bias.items()},
            "idf": {w: round(v, 4) for w, v in sorted(self.idf.items())},
            "lexical": {t: {w: round(v, 4) for w, v in sorted(ws.items())} for t, ws in self.lexical.items()},
        }

    @classmethod
    def from_json(cls, data: dict, source: str = "theme model") -> ThemeModel:
        """Build a model from its JSON form; a malformed file raises ThemeModelError."""
        try:
            if data.get("format") != 1 or tuple(data["features"]) != FEATURE_NAMES:
                raise ThemeModelError(f"{source}: written for other features; retrain with python -m geolens.theme_training")
            return cls(
                threshold=float(data["threshold"]),
                shared=tuple(float(w) for w in data["shared"]),
                per_theme={str(t): tuple(float(w) for w in ws) for t, ws in data["per_theme"].items()},
                bias={str(t): float(b) for t, b in data["bias"].items()},
                idf={str(w): float(v) for w, v in data["idf"].items()},
                lexical={str(t): {str(w): float(v) for w, v in ws.items()} for t, ws in data["lexical"].items()},
                trained_on=str(data.get("trained_on", "")),
            )
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            if isinstance(exc, ThemeModelError):
                raise
            raise ThemeModelError(f"{source}: not a theme model file ({exc})") from None


def default_model_path() -> Path:
    """The theme model file: $GEOLENS_THEME_MODEL if set, else data/theme_model.json in the project."""
    return settings.theme_model_path()


def load_theme_model(path: str | os.PathLike | None = None) -> ThemeModel | None:
    """Read the theme model; None when the default file is absent (the sentence rule then decides alone)."""
    p = Path(path).expanduser() if path else default_model_path()
    if not p.exists():
        if path:
            raise ThemeModelError(f"{p}: no such theme model file")
        return None
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ThemeModelError(f"{p}: cannot read the theme model ({exc})") from None
    return ThemeModel.from_json(data, str(p))
