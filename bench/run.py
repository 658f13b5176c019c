"""Scale benchmark: generate N plans, build them, serve them, and time ask, search and SPARQL.

For each N in ``--plans`` (default 100,1000; 10,000 only with ``--big``):

1. ``bench/generate.py`` writes N synthetic plans into a temp directory;
2. ``kg build DIR`` into a temp data home, in a child process: wall time, peak RSS of the child
   (``/usr/bin/time -v`` when present, else ``getrusage(RUSAGE_CHILDREN)``), data-home size (du);
3. ``kg serve`` (``bench/load.py``'s ``Server``, loopback only) with the answer memo off
   (``KG_CACHE=0``): ``/api/ask``, ``/api/search`` and every ``ontology/queries/*.rq`` via
   ``/sparql``, p50/p95 with 1 and with 8 concurrent clients, each cell bounded by a request count
   and a number of seconds; then ``load.run_load``'s mixed traffic for a few seconds; then a second
   server with the memo on (the default) for ``/api/ask (cached)`` and ``/api/search (cached)``,
   after one warm-up round — both are printed, so the cost of an unseen question stays visible;
4. the same example queries on a plain in-memory rdflib ``Graph`` of the same data (``kg export
   --format nt``) and on an in-memory Oxigraph ``Store`` of the same file, both in one worker
   process that forks one child per query and engine and kills it after ``--rdflib-timeout``
   seconds ("> 60 s"), ``kgfn:match`` registered with both. Two ratios per query, and the median of
   each (a timed-out rdflib query counts at the cap): rdflib over Oxigraph in that process (the
   engines on identical triples), and rdflib over the 1-client ``/sparql`` p50 (HTTP, worker
   dispatch and JSON included: conservative); then rdflib over HTTP, the same graph served by
   rdflib-endpoint (the ``.[bench]`` extra), each example asked as ``/sparql`` is: a third ratio.

Every step has a time limit; figures are printed, never asserted. Traffic goes to 127.0.0.1 only.

    .venv/bin/python bench/run.py [--plans 100,1000] [--big] [--json] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
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

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from generate import generate  # noqa: E402  (bench/ is not a package)
from load import QUESTIONS, WORDS, Server, fetch, percentile, run_clients, run_load  # noqa: E402

ROOT = BENCH.parent
QUERIES_DIR = ROOT / "ontology" / "queries"
KG = Path(sys.executable).with_name("kg")


# ---- build ---------------------------------------------------------------------------------------

def run_build(plans_dir: Path, home: Path, timeout: float) -> dict:
    """``kg build`` in a child: wall seconds, peak RSS (MB), data-home bytes, triples; or the error."""
    command = [str(KG), "--home", str(home), "build", str(plans_dir)]
    gnu_time = Path("/usr/bin/time")
    if gnu_time.exists():
        command = [str(gnu_time), "-v", *command]
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"error": f"build did not finish in {timeout:.0f} s", "wall_s": round(time.perf_counter() - started, 1)}
    wall = time.perf_counter() - started
    found = re.search(r"Maximum resident set size \(kbytes\): (\d+)", done.stderr)
    if found:
        peak_kb = int(found.group(1))
    else:  # only meaningful when no earlier child was bigger
        peak_kb = max(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, before)
    report = {"wall_s": round(wall, 1), "peak_rss_mb": round(peak_kb / 1024, 1), "exit": done.returncode}
    if done.returncode != 0:
        report["error"] = (done.stderr.strip().splitlines() or ["?"])[-1][:300]
        return report
    triples = re.search(r"(\d+) triples in ([\d.]+) s", done.stdout + done.stderr)
    if triples:
        report["triples"] = int(triples.group(1))
        report["build_reported_s"] = float(triples.group(2))
    report["home_mb"] = round(disk_usage(home) / 1e6, 1)
    return report


def disk_usage(path: Path) -> int:
    try:
        out = subprocess.run(["du", "-sbL", str(path)], capture_output=True, text=True, timeout=120).stdout
        return int(out.split()[0])
    except (OSError, ValueError, IndexError, subprocess.TimeoutExpired):
        return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


# ---- HTTP latency --------------------------------------------------------------------------------

def measure(urls: list[str], clients: int, per_client: int, seconds: float) -> dict:
    """Each client sends up to ``per_client`` requests (cycling ``urls``) until ``seconds`` pass."""
    deadline = time.monotonic() + seconds
    lock = threading.Lock()
    times: list[float] = []
    errors: list[str] = []

    def client(number: int) -> None:
        for i in range(per_client):
            if time.monotonic() >= deadline:
                return
            url = urls[(number + i * clients) % len(urls)]
            status, elapsed = fetch(url, timeout=120)
            with lock:
                (times.append(elapsed) if status == 200 else errors.append(f"{status}"))

    run_clients(clients, client)
    return {
        "n": len(times),
        "errors": len(errors),
        "error_statuses": sorted(set(errors)),
        "p50_ms": round(statistics.median(times) * 1000, 1) if times else None,
        "p95_ms": round(percentile(times, 0.95) * 1000, 1) if times else None,
    }


def sparql_url(base: str, query: str) -> str:
    return f"{base}/sparql?" + urllib.parse.urlencode({"query": query, "format": "json"})


def count_rows(url: str) -> tuple[int | None, bool]:
    """Rows of one SPARQL JSON answer and whether it was truncated (also the warm-up request)."""
    try:
        with urllib.request.urlopen(url, timeout=120) as response:
            body = json.loads(response.read())
        return len(body["results"]["bindings"]), bool(body.get("truncated"))
    except Exception:
        return None, False


def api_targets(base: str) -> dict[str, list[str]]:
    return {
        "/api/ask": [f"{base}/api/ask?" + urllib.parse.urlencode({"q": q}) for q in QUESTIONS],
        "/api/search": [f"{base}/api/search?" + urllib.parse.urlencode({"q": w}) for w in WORDS],
    }


def measure_cells(targets: dict[str, list[str]], args, suffix: str = "") -> dict[str, dict]:
    cells = {}
    for name, urls in targets.items():
        cells[name + suffix] = {
            "c1": measure(urls, 1, args.requests, args.cell_seconds),
            "c8": measure(urls, 8, args.requests, args.cell_seconds),
        }
        print(f"    {name + suffix:<36} {fmt_cell(cells[name + suffix]['c1'])}  {fmt_cell(cells[name + suffix]['c8'])}",
              file=sys.stderr, flush=True)
    return cells


def measure_cached(home: Path, args) -> dict[str, dict]:
    """Ask and search with the answer memo on (KG_CACHE, the default), after one warm-up round:
    what a server answering the same questions all day shows. ``measure_server`` runs without it."""
    server = Server(home, env={"KG_CACHE": "1024"})
    try:
        targets = api_targets(server.base)
        for url in targets["/api/ask"] + targets["/api/search"]:
            count_rows(url)
        return measure_cells(targets, args, " (cached)")
    finally:
        server.stop()


def measure_server(home: Path, queries: dict[str, str], args) -> dict:
    """Every endpoint with the answer memo off (KG_CACHE=0): each request does all its work."""
    server = Server(home, env={"KG_CACHE": "0"})
    try:
        base = server.base
        endpoints: dict[str, dict] = {}
        targets = api_targets(base)
        rows = {}
        for name, query in queries.items():
            url = sparql_url(base, query)
            rows[name] = count_rows(url)  # warm-up and the row count
            targets[name] = [url]
        for url in targets["/api/ask"] + targets["/api/search"]:
            count_rows(url)  # warm-up: first use of jieba, the index, the query workers
        endpoints = measure_cells(targets, args)
        for name, counted in rows.items():
            endpoints[name]["rows"], endpoints[name]["truncated"] = counted
        mixed = run_load(base, 8, args.mixed_seconds)
    finally:
        server_exit = server.stop()
    return {"endpoints": endpoints, "mixed_8_clients": mixed, "server_exit": server_exit}


# ---- the same store in-process, and Virtuoso through KG_STORE -------------------------------------

def inprocess_worker(home: str, timeout: float) -> None:
    """(In a child process) every query on the build's own store opened read-only, in this process:
    no HTTP, no worker hand-off, no serialisation. Median of three runs (one when over 5 s), each in a
    forked child killed after ``timeout`` seconds. Queries as JSON on stdin; JSON on stdout."""
    import pyoxigraph as ox

    from kg.config import Settings
    from kg.service.facade import Service
    from kg.stores.local import DataHome
    from kg.vocab import PREFIXES

    queries = json.loads(sys.stdin.read())
    service = Service(Settings.from_env(home))
    functions = service.sparql_functions
    store = ox.Store.read_only(str(DataHome(Path(home)).require().store_path))

    def run(query: str) -> dict:
        times, rows = [], 0
        for _ in range(3):
            start = time.perf_counter()
            rows = len(list(store.query(query, prefixes=PREFIXES, use_default_graph_as_union=True,
                                        custom_functions=functions if "kgfn:" in query else None)))
            times.append(time.perf_counter() - start)
            if times[-1] > 5:
                break
        return {"s": statistics.median(times), "rows": rows}

    print(json.dumps({name: _timed_in_child(lambda q=query: run(q), timeout) for name, query in queries.items()}))


def measure_inprocess(home: Path, queries: dict[str, str], args) -> dict:
    budget = len(queries) * (args.rdflib_timeout + 5) + 120
    done = subprocess.run([sys.executable, __file__, "--inprocess-worker", str(home), str(args.rdflib_timeout)],
                          input=json.dumps(queries), capture_output=True, text=True, timeout=budget)
    if done.returncode != 0 or not done.stdout.strip():
        return {"error": (done.stderr.strip().splitlines() or ["?"])[-1][:300]}
    return json.loads(done.stdout.strip().splitlines()[-1])


def time_requests(url: str, repeat: int = 3) -> dict:
    """Median of ``repeat`` requests (after one warm-up that also counts the rows)."""
    rows, _ = count_rows(url)
    if rows is None:
        status, _ = fetch(url, timeout=120)
        return {"error": f"HTTP {status}"}
    times = []
    for _ in range(repeat):
        status, elapsed = fetch(url, timeout=120)
        if status != 200:
            return {"error": f"HTTP {status}"}
        times.append(elapsed)
    return {"ms": round(statistics.median(times) * 1000, 1), "rows": rows}


def measure_virtuoso(plans_dir: Path, work: Path, queries: dict[str, str], args) -> dict:
    """A fresh Virtuoso (Debian's, as tests/remote/ starts it), the same plans built with KG_STORE
    pointing at it, and every example over our /sparql, which then reads from Virtuoso: median of 3."""
    sys.path.insert(0, str(ROOT))
    from tests.remote.virtuoso import running_virtuoso

    report: dict = {}
    with running_virtuoso(work / "virtuoso") as virtuoso:
        home = work / "home-virtuoso"
        env = {**os.environ, "KG_STORE": virtuoso.sparql, "KG_STORE_GSP": virtuoso.graph_store + "?graph-uri="}
        started = time.perf_counter()
        done = subprocess.run([str(KG), "--home", str(home), "build", str(plans_dir)], capture_output=True, text=True,
                              env=env, timeout=args.build_timeout)
        report["build_s"] = round(time.perf_counter() - started, 1)
        if done.returncode != 0:
            report["error"] = (done.stderr.strip().splitlines() or ["?"])[-1][:300]
            return report
        server = Server(home, env={"KG_CACHE": "0", "KG_STORE": env["KG_STORE"], "KG_STORE_GSP": env["KG_STORE_GSP"]})
        try:
            report["queries"] = {name: time_requests(sparql_url(server.base, query)) for name, query in queries.items()}
        finally:
            server.stop()
    return report


# ---- rdflib baseline -----------------------------------------------------------------------------

def _timed_in_child(run, timeout: float) -> dict:
    """``run()`` → {"s", "rows"} in a forked child (it shares what the parent parsed), killed after
    ``timeout`` seconds: {"timeout": timeout}; an exception: {"error": …}."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read)
        try:
            out = run()
        except Exception as exc:
            out = {"error": f"{type(exc).__name__}: {exc}"[:200]}
        os.write(write, json.dumps(out).encode())
        os._exit(0)
    os.close(write)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        finished, _ = os.waitpid(pid, os.WNOHANG)
        if finished:
            break
        time.sleep(0.02)
    else:
        os.kill(pid, 9)
        os.waitpid(pid, 0)
        os.close(read)
        return {"timeout": timeout}
    with os.fdopen(read, "rb") as pipe:
        data = pipe.read()
    return json.loads(data) if data else {"error": "no answer"}


def _rdflib_graph(nt_path: str, home: str):
    """The N-Triples in an rdflib ``Graph`` with the predeclared prefixes bound, and ``kgfn:match``
    registered with rdflib (and returned for Oxigraph); (graph, Oxigraph's functions, parse seconds)."""
    import pyoxigraph as ox
    from rdflib import Graph, Literal, URIRef
    from rdflib.plugins.sparql.operators import register_custom_function

    from kg.config import Settings
    from kg.search.searcher import MATCH_FUNCTION
    from kg.service.facade import Service
    from kg.vocab import PREFIXES

    functions = Service(Settings.from_env(home)).sparql_functions
    match = functions[ox.NamedNode(MATCH_FUNCTION)]
    register_custom_function(URIRef(MATCH_FUNCTION), lambda text, words: Literal(
        bool(match(ox.Literal(str(text)), ox.Literal(str(words))).value == "true")))
    started = time.perf_counter()
    graph = Graph()
    graph.parse(nt_path, format="nt")
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace, override=True)
    return graph, functions, time.perf_counter() - started


def rdflib_worker(nt_path: str, timeout: float, home: str) -> None:
    """(In a child process) the same N-Triples parsed into an rdflib ``Graph`` and bulk-loaded into an
    in-memory Oxigraph ``Store``; each query then runs on both engines, each in a forked child.

    Same triples, same process, same functions (``kgfn:match`` registered with both engines), no
    HTTP: the ratio of the two is the engines' own. Oxigraph runs a query three times (the median
    counts; once when it takes over 5 s), rdflib once. Reads the queries as JSON on stdin, writes
    {parse_s, load_s, triples, queries{name: {rdflib: {s, rows} | {timeout} | {error}, oxigraph: …}}}
    as JSON on stdout.
    """
    import pyoxigraph as ox

    from kg.vocab import PREFIXES

    queries = json.loads(sys.stdin.read())
    graph, functions, parse_s = _rdflib_graph(nt_path, home)
    started = time.perf_counter()
    store = ox.Store()
    store.bulk_load(path=nt_path, format=ox.RdfFormat.N_TRIPLES)
    report = {"parse_s": round(parse_s, 1), "load_s": round(time.perf_counter() - started, 1),
              "triples": len(graph), "oxigraph_triples": len(store), "queries": {}}

    def on_rdflib(query: str) -> dict:
        start = time.perf_counter()
        rows = len(list(graph.query(query, initNs=PREFIXES)))
        return {"s": time.perf_counter() - start, "rows": rows}

    def on_oxigraph(query: str) -> dict:
        times, rows = [], 0
        for _ in range(3):
            start = time.perf_counter()
            rows = len(list(store.query(query, prefixes=PREFIXES, custom_functions=functions)))
            times.append(time.perf_counter() - start)
            if times[-1] > 5:
                break
        return {"s": statistics.median(times), "rows": rows}

    for name, query in queries.items():
        report["queries"][name] = {
            "oxigraph": _timed_in_child(lambda q=query: on_oxigraph(q), timeout),
            "rdflib": _timed_in_child(lambda q=query: on_rdflib(q), timeout),
        }
        print(f"    {name:<30} {report['queries'][name]}", file=sys.stderr, flush=True)
    print(json.dumps(report))


def rdflib_endpoint_worker(nt_path: str, timeout: float, home: str) -> None:
    """(In a child process) rdflib over HTTP: the same graph served by rdflib-endpoint (FastAPI and
    uvicorn, the `.[bench]` extra), asked every example as our ``/sparql`` is asked (GET, SPARQL
    JSON). The graph is parsed once; each query gets a server of its own, forked from this process
    and killed after it, so a query past ``timeout`` cannot slow the next. The first request counts
    the rows; when it took under 5 s three more are timed (the median counts), else it counts.
    Queries as JSON on stdin; {parse_s, queries{name: {s, rows} | {timeout} | {error}}} on stdout."""
    import socket

    import uvicorn
    from rdflib_endpoint import SparqlEndpoint

    queries = json.loads(sys.stdin.read())
    graph, _, parse_s = _rdflib_graph(nt_path, home)
    app = SparqlEndpoint(graph=graph, cors_enabled=False)
    report: dict = {"parse_s": round(parse_s, 1), "triples": len(graph), "queries": {}}

    def ask(url: str) -> dict:
        request = urllib.request.Request(url, headers={"Accept": "application/sparql-results+json"})
        start = time.perf_counter()
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                body = response.read()
        except (TimeoutError, socket.timeout):
            return {"timeout": timeout}
        except Exception as exc:
            return {"error": f"{type(exc).__name__}: {exc}"[:200]}
        elapsed = time.perf_counter() - start
        try:
            rows = len(json.loads(body)["results"]["bindings"])
        except (ValueError, KeyError) as exc:
            return {"error": f"not SPARQL JSON: {exc!r}"[:200]}
        return {"s": elapsed, "rows": rows}

    for name, query in queries.items():
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        pid = os.fork()
        if pid == 0:
            uvicorn.run(app, host="127.0.0.1", port=port, log_level="error")
            os._exit(0)
        try:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    break
                except OSError:
                    time.sleep(0.05)
            url = f"http://127.0.0.1:{port}/?" + urllib.parse.urlencode({"query": query})
            first = ask(url)
            if "s" in first and first["s"] < 5:
                again = [ask(url) for _ in range(3)]
                if all("s" in a for a in again):
                    first = {"s": statistics.median(a["s"] for a in again), "rows": first["rows"]}
            report["queries"][name] = first
        finally:
            os.kill(pid, 9)
            os.waitpid(pid, 0)
        print(f"    {name:<30} {report['queries'][name]}", file=sys.stderr, flush=True)
    print(json.dumps(report))


def export_nt(home: Path, work: Path, args) -> tuple[Path | None, dict]:
    """The data home as N-Triples for the rdflib baselines: (path, {export_s, nt_mb} or {error})."""
    nt = work / "export.nt"
    started = time.perf_counter()
    try:
        subprocess.run([str(KG), "--home", str(home), "export", "--format", "nt", "-o", str(nt)],
                       check=True, capture_output=True, timeout=args.export_timeout)
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
        return None, {"error": f"export failed: {exc}"[:300]}
    return nt, {"export_s": round(time.perf_counter() - started, 1), "nt_mb": round(nt.stat().st_size / 1e6, 1)}


def run_rdflib_child(mode: str, nt: Path, home: Path, queries: dict[str, str], args) -> dict:
    """``--rdflib-worker`` or ``--rdflib-endpoint-worker`` in a child process, within a time budget."""
    budget = 2 * args.parse_timeout + len(queries) * 2 * (args.rdflib_timeout + 5)
    try:
        done = subprocess.run([sys.executable, __file__, mode, str(nt), str(args.rdflib_timeout), str(home)],
                              input=json.dumps(queries), capture_output=True, text=True, timeout=budget)
    except subprocess.TimeoutExpired:
        return {"error": f"{mode} did not finish in {budget:.0f} s"}
    if done.returncode != 0 or not done.stdout.strip():
        return {"error": (done.stderr.strip().splitlines() or ["?"])[-1][:300]}
    return json.loads(done.stdout.strip().splitlines()[-1])


def measure_rdflib(home: Path, queries: dict[str, str], work: Path, args) -> tuple[dict, dict]:
    """rdflib in-process (beside Oxigraph in memory), and rdflib over HTTP (rdflib-endpoint), on one
    N-Triples export of the data home."""
    nt, exported = export_nt(home, work, args)
    if nt is None:
        return exported, exported
    try:
        report = {**run_rdflib_child("--rdflib-worker", nt, home, queries, args), **exported}
        over_http = ({"error": "not run (--no-rdflib-http)"} if args.no_rdflib_http
                     else run_rdflib_child("--rdflib-endpoint-worker", nt, home, queries, args))
    finally:
        nt.unlink(missing_ok=True)
    return report, over_http


def _ratio(baseline: dict, ours_ms: float | None) -> dict | None:
    """rdflib's time over ours; a query rdflib did not finish counts at the cap (a lower bound)."""
    if not ours_ms or not baseline or "error" in baseline:
        return None
    slow = baseline["timeout"] if "timeout" in baseline else baseline["s"]
    return {"ratio": round(slow * 1000 / ours_ms, 1), "lower_bound": "timeout" in baseline}


def _median(per_query: dict) -> dict:
    values = [r["ratio"] for r in per_query.values()]
    return {"per_query": per_query, "median": round(statistics.median(values), 1) if values else None,
            "lower_bounds": sum(r["lower_bound"] for r in per_query.values())}


def ratios(endpoints: dict, rdflib: dict, queries: dict[str, str], rdflib_http: dict | None = None) -> dict:
    """Per query and as a median: rdflib over Oxigraph in the same process on the same triples (the
    engines); rdflib in-process over our ``/sparql`` 1-client p50 (HTTP, worker dispatch and JSON on
    our side only); and rdflib-endpoint over HTTP over our ``/sparql`` (both sides over HTTP)."""
    engines, http, both = {}, {}, {}
    for name in queries:
        measured = (rdflib.get("queries") or {}).get(name, {})
        oxigraph = measured.get("oxigraph", {})
        ours = (endpoints.get(name, {}).get("c1") or {}).get("p50_ms")
        if (r := _ratio(measured.get("rdflib", {}), oxigraph.get("s", 0) * 1000 if "s" in oxigraph else None)):
            engines[name] = r
        if (r := _ratio(measured.get("rdflib", {}), ours)):
            http[name] = r
        if (r := _ratio(((rdflib_http or {}).get("queries") or {}).get(name, {}), ours)):
            both[name] = r
    return {"engines": _median(engines), "http": _median(http), "both_http": _median(both)}


# ---- report --------------------------------------------------------------------------------------

def fmt_cell(cell: dict | None) -> str:
    if not cell or cell.get("p50_ms") is None:
        return f"{'— (' + str(cell['errors']) + ' err)' if cell and cell.get('errors') else '—':>15}"
    text = f"{cell['p50_ms']:.0f}/{cell['p95_ms']:.0f}"
    if cell.get("errors"):
        text += f" ({cell['errors']} err)"
    return f"{text:>15}"


def print_table(result: dict) -> None:
    build = result["build"]
    print(f"\n== {result['plans']:,} plans ({result['text_mb']} MB of text, generated in {result['generate_s']} s)")
    if "error" in build:
        print(f"build: {build['error']} (wall {build.get('wall_s')} s, peak RSS {build.get('peak_rss_mb')} MB)")
        return
    print(f"build: {build['wall_s']} s wall, peak RSS {build['peak_rss_mb']} MB, data home {build['home_mb']} MB, "
          f"{build.get('triples', 0):,} triples")
    rdf = result.get("rdflib", {})
    if "error" in rdf:
        print(f"rdflib: {rdf['error']}")
    else:
        print(f"rdflib: export {rdf['export_s']} s ({rdf['nt_mb']} MB N-Triples), parse {rdf['parse_s']} s, "
              f"{rdf['triples']:,} triples; query cap {result['rdflib_timeout']:.0f} s")
    serve = result.get("serve", {})
    print(f"{'endpoint / query':<30}{'rows':>7}{'1 client p50/p95':>17}{'8 clients p50/p95':>18}"
          f"{'in-process':>11}{'virtuoso':>10}{'oxigraph ms':>12}{'rdflib ms':>11}{'rdflib/oxi':>11}{'rdflib/http':>12}"
          f"{'rdflib-endpoint ms':>19}{'both http':>10}")
    inproc = result.get("inprocess", {})
    virt = (result.get("virtuoso") or {}).get("queries", {})
    r = result.get("ratios", {})
    engines, http, both = (r.get(k, {}).get("per_query", {}) for k in ("engines", "http", "both_http"))
    over_http = (result.get("rdflib_http") or {}).get("queries") or {}

    def shown(ratio: dict | None) -> str:
        return f"{'≥' if ratio['lower_bound'] else ''}{ratio['ratio']}×" if ratio else ""

    def ms(measured: dict) -> str:
        if "timeout" in measured:
            return f"> {measured['timeout']:.0f} s"
        return f"{measured['s'] * 1000:.0f}" if "s" in measured else ("error" if "error" in measured else "")

    for name, e in serve.get("endpoints", {}).items():
        rows = "" if e.get("rows") is None else str(e["rows"]) + ("+" if e.get("truncated") else "")
        measured = (rdf.get("queries") or {}).get(name, {})
        ox_rows, rd_rows = (measured.get(k, {}).get("rows") for k in ("oxigraph", "rdflib"))
        http_rows = over_http.get(name, {}).get("rows")
        flag = " (rows differ)" if ox_rows is not None and rd_rows is not None and ox_rows != rd_rows else ""
        flag += " (rdflib-endpoint rows differ)" if http_rows is not None and e.get("rows") not in (None, http_rows) else ""
        v = virt.get(name, {})
        vtext = f"{v['ms']:.0f}" if "ms" in v else ("error" if v else "")
        print(f"{name:<30}{rows:>7}{fmt_cell(e['c1']):>17}{fmt_cell(e['c8']):>18}"
              f"{ms(inproc.get(name, {})):>11}{vtext:>10}"
              f"{ms(measured.get('oxigraph', {})):>12}{ms(measured.get('rdflib', {})):>11}"
              f"{shown(engines.get(name)):>11}{shown(http.get(name)):>12}"
              f"{ms(over_http.get(name, {})):>19}{shown(both.get(name)):>10}{flag}")
    if "error" in (result.get("rdflib_http") or {}):
        print(f"rdflib-endpoint: {result['rdflib_http']['error']}")
    for key, what in (("engines", "rdflib over Oxigraph (same process, same triples)"),
                      ("http", "rdflib in-process over our /sparql"),
                      ("both_http", "rdflib-endpoint over HTTP over our /sparql")):
        m = r.get(key, {})
        if m.get("median") is not None:
            print(f"median ratio, {what}: {m['median']}× over {len(m['per_query'])} queries"
                  + (f" ({m['lower_bounds']} at the cap: lower bounds)" if m["lower_bounds"] else ""))
    mixed = serve.get("mixed_8_clients")
    if mixed:
        parts = ", ".join(f"{k} {v['p50_ms']}/{v['p95_ms']}" for k, v in mixed["endpoints"].items() if v["n"])
        print(f"mixed load (load.run_load, 8 clients × {mixed['seconds']:.0f} s): {mixed['requests']} requests, "
              f"{mixed['errors']} errors; p50/p95 ms: {parts}")


def bench_one(plans: int, args, queries: dict[str, str]) -> dict:
    work = Path(tempfile.mkdtemp(prefix=f"dg-bench-{plans}-", dir=args.keep))
    result: dict = {"plans": plans, "rdflib_timeout": args.rdflib_timeout}
    try:
        plans_dir = work / "plans"
        if args.plans_dir:  # plans generated before (bench/generate.py with the same seed)
            plans_dir = args.plans_dir / str(plans)
            result["generate_s"], result["text_mb"] = 0, round(sum(p.stat().st_size for p in plans_dir.iterdir()) / 1e6, 1)
        else:
            print(f"[{plans} plans] generating", file=sys.stderr, flush=True)
            started = time.perf_counter()
            _, size = generate(plans, plans_dir, args.seed)
            result["generate_s"] = round(time.perf_counter() - started, 1)
            result["text_mb"] = round(size / 1e6, 1)
        home = work / "home"
        if args.homes and (args.homes / str(plans)).is_dir():  # built before by `kg build` (timed then, not now)
            home = args.homes / str(plans)
            manifest = json.loads((home / "current" / "manifest.json").read_text(encoding="utf-8"))
            result["build"] = {"wall_s": manifest.get("seconds"), "peak_rss_mb": None, "home_mb": round(disk_usage(home) / 1e6, 1),
                               "triples": manifest.get("triples"), "reused": str(home)}
        else:
            print(f"[{plans} plans] building", file=sys.stderr, flush=True)
            result["build"] = run_build(plans_dir, home, args.build_timeout)
        if "error" in result["build"]:
            return result
        print(f"[{plans} plans] serving", file=sys.stderr, flush=True)
        result["serve"] = measure_server(home, queries, args)
        result["serve"]["endpoints"].update(measure_cached(home, args))
        print(f"[{plans} plans] in-process", file=sys.stderr, flush=True)
        result["inprocess"] = measure_inprocess(home, queries, args)
        if plans <= args.rdflib_up_to:
            print(f"[{plans} plans] rdflib", file=sys.stderr, flush=True)
            result["rdflib"], result["rdflib_http"] = measure_rdflib(home, queries, work, args)
        else:
            result["rdflib"] = result["rdflib_http"] = {"error": f"not run above {args.rdflib_up_to:,} plans (--rdflib-up-to)"}
        result["ratios"] = ratios(result["serve"]["endpoints"], result["rdflib"], queries, result["rdflib_http"])
        if args.virtuoso:
            print(f"[{plans} plans] Virtuoso through KG_STORE", file=sys.stderr, flush=True)
            result["virtuoso"] = measure_virtuoso(plans_dir, work, queries, args)
        return result
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


def main() -> None:
    if len(sys.argv) == 5 and sys.argv[1] == "--rdflib-worker":
        rdflib_worker(sys.argv[2], float(sys.argv[3]), sys.argv[4])
        return
    if len(sys.argv) == 5 and sys.argv[1] == "--rdflib-endpoint-worker":
        rdflib_endpoint_worker(sys.argv[2], float(sys.argv[3]), sys.argv[4])
        return
    if len(sys.argv) == 4 and sys.argv[1] == "--inprocess-worker":
        inprocess_worker(sys.argv[2], float(sys.argv[3]))
        return
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--plans", default="100,1000", help="comma-separated plan counts (default 100,1000)")
    parser.add_argument("--big", action="store_true", help="also 10,000 plans")
    parser.add_argument("--seed", type=int, default=8)
    parser.add_argument("--requests", type=int, default=20,
                        help="requests per client in a cell (1 client: this many; 8 clients: 8 times as many)")
    parser.add_argument("--cell-seconds", type=float, default=10, help="time cap of one latency cell")
    parser.add_argument("--mixed-seconds", type=float, default=6, help="load.run_load with 8 clients for this long")
    parser.add_argument("--build-timeout", type=float, default=1500)
    parser.add_argument("--export-timeout", type=float, default=600)
    parser.add_argument("--parse-timeout", type=float, default=600, help="cap on rdflib parsing the export")
    parser.add_argument("--rdflib-timeout", type=float, default=60, help="cap on one rdflib query")
    parser.add_argument("--query-timeout", type=float, default=60, help="KG_QUERY_TIMEOUT for the server")
    parser.add_argument("--keep", type=Path, help="keep plans and data homes under this directory")
    parser.add_argument("--plans-dir", type=Path, help="read N plans from DIR/N instead of generating them")
    parser.add_argument("--homes", type=Path, help="use DIR/N, a data home built before from those plans, if it exists")
    parser.add_argument("--rdflib-up-to", type=int, default=1000,
                        help="run the rdflib baseline only up to this many plans (its parse of 10,000 plans' "
                             "35 M triples would take most of an hour and more memory than the machine has)")
    parser.add_argument("--no-rdflib-http", action="store_true",
                        help="skip rdflib over HTTP (rdflib-endpoint, from the .[bench] extra)")
    parser.add_argument("--virtuoso", action="store_true",
                        help="also build each N with KG_STORE at a fresh Virtuoso and time the examples through it")
    parser.add_argument("--json", action="store_true", help="print JSON instead of tables")
    args = parser.parse_args()

    counts = [int(x) for x in args.plans.split(",") if x.strip()]
    if args.big and 10000 not in counts:
        counts.append(10000)
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
    # Same work on both sides: no row cap, and the server's query timeout matches rdflib's cap.
    os.environ["KG_MAX_ROWS"] = str(10**8)
    os.environ["KG_QUERY_TIMEOUT"] = str(args.query_timeout)
    queries = {p.stem: p.read_text(encoding="utf-8") for p in sorted(QUERIES_DIR.glob("*.rq"))}
    results = []
    for count in counts:
        result = bench_one(count, args, queries)
        results.append(result)
        if not args.json:
            print_table(result)
            sys.stdout.flush()
    if args.json:
        print(json.dumps({"machine": {"cpus": os.cpu_count()}, "runs": results}, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
