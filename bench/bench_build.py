"""Time the stages of ``kg build`` on the bundled plans against a same-run baseline.

Prints median and p95 per stage, peak RSS, and build/baseline, where the baseline is rdflib parsing
the same triples from N-Triples (the cost of merely loading the graph with rdflib).
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import tempfile
import time
from pathlib import Path

from rdflib import Graph

from kg.config import Settings
from kg.extract import extract_plan
from kg.graph import build_plan_graph
from kg.ingest import load_document
from kg.pipeline import build, bundled_plans
from kg.service import Service
from kg.thesaurus import load_thesaurus


def timed(fn, repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return times


def summary(times: list[float]) -> dict[str, float]:
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {"median_ms": round(statistics.median(ordered) * 1000, 2), "p95_ms": round(p95 * 1000, 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings.from_env(Path(tmp) / "home")
        paths = bundled_plans(settings)
        thesaurus = load_thesaurus(settings.ontology_dir)
        documents = [load_document(p) for p in paths]
        extracted = [extract_plan(plan, records, thesaurus) for plan, records in documents]
        build(settings)
        ntriples = Service(settings).export("nt")

        stages = {
            "load thesaurus": lambda: load_thesaurus(settings.ontology_dir),
            "ingest": lambda: [load_document(p) for p in paths],
            "extract": lambda: [extract_plan(plan, records, thesaurus) for plan, records in documents],
            "graph": lambda: [build_plan_graph(x, settings.base_iri) for x in extracted],
            "whole build": lambda: build(settings),
            "baseline: rdflib parses the same N-Triples": lambda: Graph().parse(data=ntriples, format="nt"),
        }
        results = {name: summary(timed(fn, args.repeat)) for name, fn in stages.items()}
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    ratio = results["whole build"]["median_ms"] / results["baseline: rdflib parses the same N-Triples"]["median_ms"]
    report = {
        "plans": len(paths),
        "triples": ntriples.count(b"\n"),
        "repeat": args.repeat,
        "stages": results,
        "build_to_baseline_ratio": round(ratio, 2),
        "peak_rss_mb": round(peak_mb, 1),
    }
    if args.json:
        print(json.dumps(report, indent=2))
        return
    print(f"{report['plans']} plan(s), {report['triples']} triples, {args.repeat} runs each")
    print(f"{'stage':<44}{'median ms':>10}{'p95 ms':>10}")
    for name, figures in results.items():
        print(f"{name:<44}{figures['median_ms']:>10}{figures['p95_ms']:>10}")
    print(f"whole build / baseline: {report['build_to_baseline_ratio']}×   peak RSS: {report['peak_rss_mb']} MB")


if __name__ == "__main__":
    main()
