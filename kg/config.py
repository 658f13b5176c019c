"""Settings: where the data home is, which IRIs to mint, where the bundled plans and ontology live.

Every setting can come from the environment with the prefix ``KG_`` (``KG_HOME``, ``KG_BASE_IRI``,
``KG_QUERY_TIMEOUT``, ``KG_MAX_ROWS``, ``KG_QUERY_WORKERS``, ``KG_UPDATE_TOKEN``, ``KG_RATE_LIMIT``,
``KG_MAX_BODY``, ``KG_CACHE``, ``KG_CACHE_DIR``, ``KG_STORE``, ``KG_STORE_UPDATE``, ``KG_STORE_GSP``; ``KG_STORE_AUTH`` is read by
kg/stores/remote.py when it connects, so a password never sits in a settings value); an explicit
argument wins over the environment.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from .errors import KgError

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_BASE_IRI = "https://w3id.org/dutygraph/id/"
DEFAULT_QUERY_TIMEOUT = 10.0
DEFAULT_MAX_ROWS = 10_000
DEFAULT_QUERY_WORKERS = 2
DEFAULT_RATE_LIMIT = 600
DEFAULT_MAX_BODY = 2 * 1024 * 1024
DEFAULT_CACHE = 1024


def _env_number(name: str, default: float, kind: type = float) -> float:
    raw = os.environ.get(name)
    if raw in (None, ""):
        return default
    try:
        value = kind(raw)
    except ValueError:
        raise KgError(f"{name}={raw!r} is not a number") from None
    if value <= 0:
        raise KgError(f"{name} must be positive, not {raw!r}")
    return value


def _env_count(name: str, default: int) -> int:
    """A whole number ≥ 0 (0 meaning "off")."""
    raw = os.environ.get(name)
    if raw in (None, ""):
        return default
    if not raw.isdigit():
        raise KgError(f"{name}={raw!r} is not a whole number ≥ 0")
    return int(raw)


@dataclass(frozen=True)
class Settings:
    home: Path
    base_iri: str = DEFAULT_BASE_IRI
    plans_dir: Path = ROOT / "data" / "plans"
    ontology_dir: Path = ROOT / "ontology"
    gold_dir: Path = ROOT / "tests" / "gold"
    # SPARQL endpoint limits: seconds before a query's worker process is killed (503), rows or
    # triples before a result is cut short, how many worker processes run queries side by side.
    query_timeout: float = DEFAULT_QUERY_TIMEOUT
    max_rows: int = DEFAULT_MAX_ROWS
    query_workers: int = DEFAULT_QUERY_WORKERS
    # Writes (SPARQL Update, Graph Store Protocol) are refused unless a token is configured.
    update_token: str | None = None
    # Requests per minute one client may send to /sparql, /rdf-graphs and /api (0: no limit), and
    # the largest request body accepted, in bytes.
    rate_limit: int = DEFAULT_RATE_LIMIT
    max_body: int = DEFAULT_MAX_BODY
    # A SPARQL 1.1 server to hold the triples instead of the embedded Oxigraph store (kg/stores/remote.py):
    # its query URL, its update URL (default: the query URL) and its Graph Store Protocol URL.
    store: str | None = None
    store_update: str | None = None
    store_gsp: str | None = None
    # Answers (ask, search) remembered per build, least recently used out first (0: none).
    cache: int = DEFAULT_CACHE
    # Where what is read once per machine is kept (the English-Chinese dictionary ask reads, reversed).
    cache_dir: Path | None = None

    @classmethod
    def from_env(cls, home: str | os.PathLike[str] | None = None, **overrides: object) -> "Settings":
        env = os.environ
        chosen = Path(home or env.get("KG_HOME") or ".kg")
        base = str(overrides.pop("base_iri", None) or env.get("KG_BASE_IRI") or DEFAULT_BASE_IRI)
        if not base.endswith(("/", "#")):
            base += "/"
        overrides.setdefault("query_timeout", _env_number("KG_QUERY_TIMEOUT", DEFAULT_QUERY_TIMEOUT))
        overrides.setdefault("max_rows", _env_number("KG_MAX_ROWS", DEFAULT_MAX_ROWS, int))
        overrides.setdefault("query_workers", _env_number("KG_QUERY_WORKERS", DEFAULT_QUERY_WORKERS, int))
        overrides.setdefault("update_token", env.get("KG_UPDATE_TOKEN") or None)
        overrides.setdefault("rate_limit", _env_count("KG_RATE_LIMIT", DEFAULT_RATE_LIMIT))
        overrides.setdefault("max_body", _env_number("KG_MAX_BODY", DEFAULT_MAX_BODY, int))
        overrides.setdefault("cache", _env_count("KG_CACHE", DEFAULT_CACHE))
        overrides.setdefault("cache_dir", Path(env["KG_CACHE_DIR"]) if env.get("KG_CACHE_DIR") else
                             Path(env.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "dutygraph")
        for name in ("store", "store_update", "store_gsp"):
            overrides.setdefault(name, env.get(f"KG_{name.upper()}") or None)
        return cls(home=chosen.absolute(), base_iri=base, **overrides)  # type: ignore[arg-type]
