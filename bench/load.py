"""Load: concurrent clients mixing ask, search, SPARQL and pages against a real `kg serve`.

Starts `kg serve` (waitress) on a free loopback port over a data home, runs N client threads for
D seconds (bounded: the loop stops at the deadline), and prints per-endpoint p50/p95 latency,
request counts and errors, as a table and as JSON. Traffic goes to 127.0.0.1 only.

    .venv/bin/python bench/load.py --clients 8 --seconds 60 [--home DIR] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

QUESTIONS = ["who handles construction dust?", "工地扬尘归谁管？", "谁管渣土车", "who checks refined oil quality?",
             "who handles earthquake rescue?", "学校健康防护找谁"]
WORDS = ["扬尘", "渣土车", "成品油", "public security", "重污染天气", "学校"]
QUERIES = [
    "SELECT (COUNT(*) AS ?n) WHERE { ?d a dg:Duty }",
    "SELECT ?u ?l WHERE { ?u a dg:MemberUnit ; skos:prefLabel ?l } LIMIT 50",
    "SELECT ?t WHERE { ?d dg:text ?t FILTER(<https://w3id.org/dutygraph/fn#match>(?t, \"扬尘\")) }",
]
PAGES = ["/", "/units", "/overlaps", "/concept/object/muck-truck", "/search?" + urllib.parse.urlencode({"q": "扬尘"})]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def request(base: str, kind: str) -> str:
    if kind == "ask":
        return f"{base}/api/ask?" + urllib.parse.urlencode({"q": random.choice(QUESTIONS)})
    if kind == "search":
        return f"{base}/api/search?" + urllib.parse.urlencode({"q": random.choice(WORDS)})
    if kind == "sparql":
        return f"{base}/sparql?" + urllib.parse.urlencode({"query": random.choice(QUERIES)})
    return base + random.choice(PAGES)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))] if ordered else 0.0


def fetch(url: str, timeout: float = 30) -> tuple[int | str, float]:
    """(HTTP status, or the exception's name; seconds taken). Never raises: a failure is a result."""
    start = time.perf_counter()
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            response.read()
            status: int | str = response.status
    except urllib.error.HTTPError as exc:
        status = exc.code
    except Exception as exc:  # any failure is an error of the run, reported, never a crash
        status = type(exc).__name__
    return status, time.perf_counter() - start


def run_clients(clients: int, client) -> None:
    """Run ``client(number)`` in ``clients`` threads and wait for all of them."""
    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def run_load(base: str, clients: int, seconds: float) -> dict:
    deadline = time.monotonic() + seconds
    lock = threading.Lock()
    times: dict[str, list[float]] = {k: [] for k in ("ask", "search", "sparql", "page")}
    errors: list[str] = []

    def client(number: int) -> None:
        rng = random.Random(number)
        while time.monotonic() < deadline:
            kind = rng.choice(list(times))
            url = request(base, kind)
            status, elapsed = fetch(url)
            with lock:
                if status == 200:
                    times[kind].append(elapsed)
                else:
                    errors.append(f"{kind} {status} {url[:80]}")

    run_clients(clients, client)
    return {
        "clients": clients,
        "seconds": seconds,
        "requests": sum(len(v) for v in times.values()) + len(errors),
        "errors": len(errors),
        "error_samples": errors[:5],
        "endpoints": {
            k: {"n": len(v), "p50_ms": round(statistics.median(v) * 1000, 1) if v else None,
                "p95_ms": round(percentile(v, 0.95) * 1000, 1) if v else None}
            for k, v in times.items()
        },
    }


class Server:
    """`kg serve` in a child process on a free loopback port; stopped with SIGTERM."""

    def __init__(self, home: Path, threads: int | None = None, env: dict[str, str] | None = None):
        """``threads`` per server process; None: `kg serve`'s default (what a user gets)."""
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        kg = Path(sys.executable).with_name("kg")
        self.log = tempfile.TemporaryFile()  # not a pipe: a chatty server must never block on it
        self.process = subprocess.Popen(
            [str(kg), "--home", str(home), "serve", "--port", str(self.port),
             *(["--threads", str(threads)] if threads else [])],
            stdout=subprocess.DEVNULL, stderr=self.log, env={**os.environ, "KG_RATE_LIMIT": "0", **(env or {})},
        )
        for _ in range(600):  # bounded wait for the port (builds first when the home is empty)
            try:
                with urllib.request.urlopen(self.base + "/healthz", timeout=2):
                    return
            except OSError:
                if self.process.poll() is not None:
                    self.log.seek(0)
                    raise RuntimeError(self.log.read().decode("utf-8", "replace")) from None
                time.sleep(0.2)
        raise RuntimeError("kg serve did not start")

    def stop(self) -> int:
        self.process.terminate()
        try:
            return self.process.wait(timeout=60)
        finally:
            self.log.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--home", type=Path, help="a built data home (default: build the bundled plans in a temp dir)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        server = Server(args.home or Path(tmp) / "home")
        try:
            report = run_load(server.base, args.clients, args.seconds)
        finally:
            report_exit = server.stop()
    report["server_exit"] = report_exit
    if args.json:
        print(json.dumps(report, indent=2))
        return
    print(f"{args.clients} clients × {args.seconds:.0f} s: {report['requests']} requests, {report['errors']} errors")
    print(f"{'endpoint':<10}{'n':>7}{'p50 ms':>10}{'p95 ms':>10}")
    for name, e in report["endpoints"].items():
        print(f"{name:<10}{e['n']:>7}{e['p50_ms'] or 0:>10}{e['p95_ms'] or 0:>10}")
    for sample in report["error_samples"]:
        print("error:", sample)


if __name__ == "__main__":
    main()
