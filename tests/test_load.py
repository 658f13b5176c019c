"""A short load run (the full one is bench/load.py): 8 concurrent clients on loopback mixing ask,
search, SPARQL and pages against a real `kg serve` — no errors. Times are printed, not asserted."""

from __future__ import annotations

import importlib.util

from kg.config import ROOT


def _bench():
    spec = importlib.util.spec_from_file_location("bench_load", ROOT / "bench" / "load.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_eight_clients_no_errors(built):
    bench = _bench()
    server = bench.Server(built.home)
    try:
        report = bench.run_load(server.base, clients=8, seconds=6)
    finally:
        assert server.stop() == 0
    print(report)
    assert report["errors"] == 0, report["error_samples"]
    assert all(e["n"] > 0 for e in report["endpoints"].values()), report
