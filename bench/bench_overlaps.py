"""The overlap views at scale: N synthetic plans (bench/generate.py), built, served by `kg serve` with
its defaults, and each overlap view timed over HTTP: a fresh server's very first request (the plans'
list, the units' labels, the scenes, one plan's analysis), then each view's first request and the
median and slowest of repeated ones (what a reviewer waits for once the server has seen the page;
`kg serve` runs one process per core, each with its own memory, so a repeat may be some process's
first).

    .venv/bin/python bench/bench_overlaps.py --plans 1000            # generate, build, serve, time
    .venv/bin/python bench/bench_overlaps.py --home /tmp/h1000       # an existing data home

Prints a table (or ``--json``); never asserts.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from load import Server  # noqa: E402

VIEWS = [
    ("/overlaps", "the page (the plan with the most duties)"),
    ("/overlaps/data.json", "its networks and their layouts"),
    ("/api/overlaps", "the API's findings"),
    ("/api/overlaps.csv", "the CSV download"),
]


def _get(url: str) -> float:
    started = time.perf_counter()
    with urllib.request.urlopen(url, timeout=600) as response:
        response.read()
    return time.perf_counter() - started


def measure(home: Path, repeat: int) -> list[dict]:
    server = Server(home)
    try:
        rows = [{"view": "/overlaps", "what": "a fresh server's very first request (plans, labels, scenes, one plan)",
                 "first_s": round(_get(server.base + "/overlaps"), 3), "median_s": None, "max_s": None}]
        page = json.loads(urllib.request.urlopen(server.base + "/overlaps?format=json", timeout=600).read())
        shown, plans = page["plan"]["key"], page["options"]["plan"]
        other = next((p["key"] for p in plans if p["key"] != shown), None)  # a person choosing another plan
        views = list(VIEWS) + ([(f"/overlaps?plan={urllib.parse.quote(other)}", "another plan, chosen")] if other else [])
        for path, what in views:
            first = _get(server.base + path)
            again = [_get(server.base + path) for _ in range(repeat)]
            rows.append({"view": path, "what": what, "first_s": round(first, 3),
                         "median_s": round(statistics.median(again), 3), "max_s": round(max(again), 3)})
        return rows
    finally:
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--plans", type=int, default=1000, help="synthetic plans to generate and build")
    parser.add_argument("--home", type=Path, help="an existing data home (no generating, no building)")
    parser.add_argument("--repeat", type=int, default=10, help="views after the first, per view")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        home = args.home
        built = None
        if home is None:
            corpus, home = Path(tmp) / "plans", Path(tmp) / "home"
            subprocess.run([sys.executable, str(Path(__file__).parent / "generate.py"), "--plans", str(args.plans),
                            "--out", str(corpus)], check=True, stdout=subprocess.DEVNULL)
            started = time.perf_counter()
            kg = Path(sys.executable).with_name("kg")
            subprocess.run([str(kg), "--home", str(home), "build", str(corpus), "--no-progress"], check=True,
                           stdout=subprocess.DEVNULL)
            built = round(time.perf_counter() - started, 1)
        rows = measure(home, args.repeat)
    if args.json:
        print(json.dumps({"plans": args.plans if args.home is None else None, "build_s": built, "views": rows}, indent=2))
        return
    if built is not None:
        print(f"{args.plans} plans built in {built} s")
    print(f"{'view':<58}{'first':>8}{'median':>8}{'max':>8}")
    for r in rows:
        again = f"{r['median_s']:>8.3f}{r['max_s']:>8.3f}" if r["median_s"] is not None else f"{'':>16}"
        print(f"{r['view'][:57]:<58}{r['first_s']:>8.3f}{again}  {r['what']}")


if __name__ == "__main__":
    main()
