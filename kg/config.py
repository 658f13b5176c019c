"""Settings: where the data home is, which IRIs to mint, where the bundled plans and ontology live.

Every setting can come from the environment with the prefix ``KG_`` (``KG_HOME``, ``KG_BASE_IRI``);
an explicit argument wins over the environment.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_BASE_IRI = "https://w3id.org/dutygraph/id/"


@dataclass(frozen=True)
class Settings:
    home: Path
    base_iri: str = DEFAULT_BASE_IRI
    plans_dir: Path = ROOT / "data" / "plans"
    ontology_dir: Path = ROOT / "ontology"
    gold_dir: Path = ROOT / "tests" / "gold"

    @classmethod
    def from_env(cls, home: str | os.PathLike[str] | None = None, **overrides: object) -> "Settings":
        env = os.environ
        chosen = Path(home or env.get("KG_HOME") or ".kg")
        base = str(overrides.pop("base_iri", None) or env.get("KG_BASE_IRI") or DEFAULT_BASE_IRI)
        if not base.endswith(("/", "#")):
            base += "/"
        return cls(home=chosen.absolute(), base_iri=base, **overrides)  # type: ignore[arg-type]
