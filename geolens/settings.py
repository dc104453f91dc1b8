"""Every GEOLENS_* environment variable and the project's data paths, read in one place.

Values are read when asked for, not at import, so a test or a server can change the environment. A value that
does not parse (or is not positive where a size or time is expected) falls back to its default.

| variable                        | default                 | what                                               |
|---------------------------------|-------------------------|----------------------------------------------------|
| GEOLENS_DB                      | data/geolens.duckdb     | the database file, for the CLI and the dashboard   |
| GEOLENS_DB_TIMEOUT              | 30 (s)                  | how long a write waits for another writer          |
| GEOLENS_MAX_MB                  | 20                      | size limit of one input file                       |
| GEOLENS_MAX_UPLOAD_TOTAL_MB     | 100                     | size limit of all the files of one browser upload  |
| GEOLENS_PARSE_TIMEOUT           | 20 (s)                  | time limit of the PDF/DOCX parser process          |
| GEOLENS_PARSE_MEMORY_MB         | 1024                    | memory the parser may take on top of its own       |
| GEOLENS_FETCH_ALLOW_PRIVATE     | off                     | let the URL fetcher reach private/local addresses  |
| GEOLENS_WORKERS                 | CPUs, at most 4         | analysis processes of a batch                      |
| GEOLENS_SPACY_MODEL             | en_core_web_sm (PyPI)   | the spaCy model                                    |
| GEOLENS_TAXONOMY                | data/taxonomy.yaml      | the theme taxonomy                                 |
| GEOLENS_THEME_MODEL             | data/theme_model.json   | the theme model                                    |
| GEOLENS_CACHE_DIR               | ~/.cache/geolens        | derived data kept between runs (the gazetteer)     |
"""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = ROOT / "data"
DEFAULT_DB = DATA_DIR / "geolens.duckdb"
SAMPLE_DIR = DATA_DIR / "sample"
TAXONOMY = DATA_DIR / "taxonomy.yaml"
THEME_MODEL = DATA_DIR / "theme_model.json"

DB_ENV = "GEOLENS_DB"
DB_TIMEOUT_ENV = "GEOLENS_DB_TIMEOUT"
MAX_MB_ENV = "GEOLENS_MAX_MB"
MAX_UPLOAD_TOTAL_MB_ENV = "GEOLENS_MAX_UPLOAD_TOTAL_MB"
PARSE_TIMEOUT_ENV = "GEOLENS_PARSE_TIMEOUT"
PARSE_MEMORY_ENV = "GEOLENS_PARSE_MEMORY_MB"
FETCH_ALLOW_PRIVATE_ENV = "GEOLENS_FETCH_ALLOW_PRIVATE"
WORKERS_ENV = "GEOLENS_WORKERS"
SPACY_MODEL_ENV = "GEOLENS_SPACY_MODEL"
TAXONOMY_ENV = "GEOLENS_TAXONOMY"
THEME_MODEL_ENV = "GEOLENS_THEME_MODEL"
CACHE_DIR_ENV = "GEOLENS_CACHE_DIR"

DEFAULT_DB_TIMEOUT = 30.0
DEFAULT_MAX_MB = 20.0
DEFAULT_MAX_UPLOAD_TOTAL_MB = 100.0
DEFAULT_PARSE_TIMEOUT = 20.0
DEFAULT_PARSE_MEMORY_MB = 1024

MB = 1024 * 1024


def _positive(name: str, default: float) -> float:
    try:
        value = float(os.environ.get(name, "") or default)
    except ValueError:
        return default
    return value if value > 0 else default


def _path(name: str, default: Path) -> Path:
    env = os.environ.get(name)
    return Path(env).expanduser() if env else default


def db_path() -> Path:
    """The database file: $GEOLENS_DB, else data/geolens.duckdb in the project."""
    return _path(DB_ENV, DEFAULT_DB)


def db_timeout() -> float:
    """Seconds a write waits for another process's lock."""
    return _positive(DB_TIMEOUT_ENV, DEFAULT_DB_TIMEOUT)


def max_file_bytes() -> int:
    """The size limit of one input file."""
    return int(_positive(MAX_MB_ENV, DEFAULT_MAX_MB) * MB)


def max_upload_total_bytes() -> int:
    """The size limit of all files of one browser upload together."""
    return int(_positive(MAX_UPLOAD_TOTAL_MB_ENV, DEFAULT_MAX_UPLOAD_TOTAL_MB) * MB)


def parse_timeout() -> float:
    """Seconds the PDF/DOCX parser process may run."""
    return _positive(PARSE_TIMEOUT_ENV, DEFAULT_PARSE_TIMEOUT)


def parse_memory_mb() -> int:
    """Megabytes the parser may allocate on top of its own footprint."""
    return int(_positive(PARSE_MEMORY_ENV, DEFAULT_PARSE_MEMORY_MB))


def fetch_allow_private() -> bool:
    """True when the URL fetcher may reach loopback, private and other non-public addresses."""
    return os.environ.get(FETCH_ALLOW_PRIVATE_ENV, "").strip().lower() in ("1", "true", "yes")


def workers() -> int:
    """Analysis processes for a batch: $GEOLENS_WORKERS, else the number of CPUs (at most 4)."""
    env = os.environ.get(WORKERS_ENV, "")
    if env.isdigit() and int(env) > 0:
        return int(env)
    return max(1, min(4, os.cpu_count() or 1))


def spacy_model(default: str) -> str:
    """The spaCy model name: $GEOLENS_SPACY_MODEL, else `default`."""
    return os.environ.get(SPACY_MODEL_ENV) or default


def taxonomy_path() -> Path:
    """The theme taxonomy file."""
    return _path(TAXONOMY_ENV, TAXONOMY)


def theme_model_path() -> Path:
    """The theme model file."""
    return _path(THEME_MODEL_ENV, THEME_MODEL)


def cache_dir() -> Path:
    """Where derived data that is slow to build is kept between runs: $GEOLENS_CACHE_DIR, else
    $XDG_CACHE_HOME/geolens, else ~/.cache/geolens. Everything in it can be deleted at any time."""
    env = os.environ.get(CACHE_DIR_ENV)
    if env:
        return Path(env).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg).expanduser() if xdg else Path.home() / ".cache") / "geolens"
