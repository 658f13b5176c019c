"""Time ``kg build``: its stages on the bundled plans, a cold build of them, and builds of N synthetic plans.

Three modes (figures are printed, never asserted):

- default: the stages of a build of the bundled plans in this process (ingest, extract, graph,
  N-Quads, whole build), median and p95 over ``--repeat`` runs, peak RSS, and build/baseline, where
  the baseline is rdflib parsing the same triples from N-Triples (the cost of merely loading them);
- ``--cold N``: ``kg build`` of the bundled plans in a fresh child process N times (wall time and
  peak RSS from ``/usr/bin/time -v``), and the median;
- ``--scale 100,1000``: for each N, ``bench/generate.py`` writes N synthetic plans into a directory
  under ``--tmp`` and ``kg build --progress`` builds them in a child under ``/usr/bin/time -v``:
  wall time, peak RSS of the largest process (GNU time) and of the whole process tree (the build,
  its extraction workers and index sub-writers, summed, sampled twice a second with psutil),
  data-home size, triples, indexed documents and the phases the manifest records. A build is
  stopped past ``--timeout`` seconds or ``--max-rss-mb`` of tree RSS. Corpora and data homes are
  deleted afterwards unless ``--keep``.

    .venv/bin/python bench/bench_build.py --repeat 20
    .venv/bin/python bench/bench_build.py --cold 3
    .venv/bin/python bench/bench_build.py --scale 100,1000 [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
KG = Path(sys.executable).with_name("kg")
GNU_TIME = Path("/usr/bin/time")


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


def stages(repeat: int) -> dict:
    from rdflib import Graph

    from kg.build.bulk import read_thesaurus
    from kg.build.pipeline import build, bundled_plans
    from kg.config import Settings
    from kg.documents.reader import load_document
    from kg.extraction.duties import extract_plan
    from kg.graph.triples import build_plan_graph, plan_nquads
    from kg.service.facade import Service

    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings.from_env(Path(tmp) / "home")
        paths = bundled_plans(settings)
        thesaurus = read_thesaurus(settings.ontology_dir)
        documents = [load_document(p) for p in paths]
        extracted = [extract_plan(plan, records, thesaurus) for plan, records in documents]
        build(settings, progress=False)
        ntriples = Service(settings).export("nt")

        steps = {
            "read thesaurus": lambda: read_thesaurus(settings.ontology_dir),
            "ingest": lambda: [load_document(p) for p in paths],
            "extract": lambda: [extract_plan(plan, records, thesaurus) for plan, records in documents],
            "graph (rdflib Graph)": lambda: [build_plan_graph(x, settings.base_iri) for x in extracted],
            "N-Quads (what a build writes)": lambda: [plan_nquads(x, settings.base_iri) for x in extracted],
            "whole build": lambda: build(settings, progress=False),
            "baseline: rdflib parses the same N-Triples": lambda: Graph().parse(data=ntriples, format="nt"),
        }
        results = {name: summary(timed(fn, repeat)) for name, fn in steps.items()}
    ratio = results["whole build"]["median_ms"] / results["baseline: rdflib parses the same N-Triples"]["median_ms"]
    return {
        "plans": len(paths),
        "triples": ntriples.count(b"\n"),
        "repeat": repeat,
        "stages": results,
        "build_to_baseline_ratio": round(ratio, 2),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def disk_mb(path: Path) -> float:
    try:
        out = subprocess.run(["du", "-sbL", str(path)], capture_output=True, text=True, timeout=300).stdout
        return round(int(out.split()[0]) / 1e6, 1)
    except (OSError, ValueError, IndexError, subprocess.TimeoutExpired):
        return round(sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 1e6, 1)


def _tree_rss(process) -> int:
    import psutil

    total = 0
    try:
        for p in [process, *process.children(recursive=True)]:
            try:
                total += p.memory_info().rss
            except psutil.Error:
                pass
    except psutil.Error:
        pass
    return total


def run_build(home: Path, paths: list[Path], timeout: float, max_rss_mb: float, log: Path | None = None,
              progress: bool = True) -> dict:
    """``kg build`` in a child (its own process group): wall, peak RSS, tree RSS, the manifest's figures."""
    import psutil

    flag = "--progress" if progress else "--no-progress"
    command = [str(KG), "--home", str(home), "build", "--json", flag, *map(str, paths)]
    if GNU_TIME.exists():
        command = [str(GNU_TIME), "-v", *command]
    err = (log or Path(os.devnull)).open("w")
    out = tempfile.TemporaryFile("w+")  # the manifest of a large build outgrows a pipe's buffer
    started = time.perf_counter()
    child = subprocess.Popen(command, stdout=out, stderr=err, text=True, start_new_session=True)
    watched, peak_tree, stopped = psutil.Process(child.pid), 0, None
    while child.poll() is None:
        peak_tree = max(peak_tree, _tree_rss(watched))
        elapsed = time.perf_counter() - started
        if elapsed > timeout or peak_tree > max_rss_mb * 2**20:
            stopped = f"stopped after {elapsed:.0f} s at {peak_tree / 2**20:.0f} MB"
            os.killpg(child.pid, signal.SIGKILL)
            child.wait()
            break
        try:
            child.wait(timeout=0.5)
        except subprocess.TimeoutExpired:
            pass
    wall = time.perf_counter() - started
    out.seek(0)
    stdout = out.read()
    out.close()
    err.close()
    report = {"wall_s": round(wall, 2), "tree_rss_mb": round(peak_tree / 2**20, 1), "exit": child.returncode}
    if stopped:
        report["error"] = stopped
        return report
    text = log.read_text(encoding="utf-8", errors="replace") if log else ""
    found = re.search(r"Maximum resident set size \(kbytes\): (\d+)", text)
    if found:
        report["peak_rss_mb"] = round(int(found.group(1)) / 1024, 1)
    found = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): ([\d:.]+)", text)
    if found:  # GNU time's figure: the build alone, without this loop's polling
        seconds = 0.0
        for part in found.group(1).split(":"):
            seconds = seconds * 60 + float(part)
        report["wall_s"] = round(seconds, 2)
    for name, pattern in (("user_s", r"User time \(seconds\): ([\d.]+)"),
                          ("system_s", r"System time \(seconds\): ([\d.]+)")):
        if (m := re.search(pattern, text)):
            report[name] = float(m.group(1))
    if child.returncode != 0:
        report["error"] = (text.strip().splitlines() or ["?"])[-1][:300]
        return report
    manifest = json.loads(stdout)
    report.update(triples=manifest["triples"], indexed=manifest["indexed"], build_s=manifest["seconds"],
                  phases=manifest.get("phases", {}), home_mb=disk_mb(home))
    return report


def cold(runs: int, tmp: Path) -> dict:
    results = []
    for _ in range(runs):
        home = Path(tempfile.mkdtemp(prefix="dg-cold-", dir=tmp))
        try:
            results.append(run_build(home, [], 300, 8000, home.with_suffix(".log"), progress=False))
        finally:
            shutil.rmtree(home, ignore_errors=True)
            home.with_suffix(".log").unlink(missing_ok=True)
    walls = sorted(r["wall_s"] for r in results)
    return {"runs": results, "median_wall_s": statistics.median(walls),
            "median_peak_rss_mb": statistics.median(r.get("peak_rss_mb", 0) for r in results)}


def scale(sizes: list[int], tmp: Path, timeout: float, max_rss_mb: float, keep: bool) -> list[dict]:
    from generate import generate

    rows = []
    for n in sizes:
        work = Path(tempfile.mkdtemp(prefix=f"dg-scale-{n}-", dir=tmp))
        try:
            started = time.perf_counter()
            _, size = generate(n, work / "plans")
            print(f"{n} plans generated ({size / 1e6:.1f} MB) in {time.perf_counter() - started:.0f} s; building…",
                  file=sys.stderr)
            row = {"plans": n, "corpus_mb": round(size / 1e6, 1),
                   **run_build(work / "home", [work / "plans"], timeout, max_rss_mb, work / "build.log")}
            rows.append(row)
            print(json.dumps(row), file=sys.stderr)
        finally:
            if keep:
                print(f"kept {work}", file=sys.stderr)
            else:
                shutil.rmtree(work, ignore_errors=True)
    return rows


def print_scale(rows: list[dict]) -> None:
    print(f"{'plans':>7}{'wall s':>9}{'peak MB':>9}{'tree MB':>9}{'home MB':>9}{'triples':>12}{'indexed':>10}"
          "   phases (s)")
    for r in rows:
        if "error" in r:
            print(f"{r['plans']:>7}{r['wall_s']:>9}{'':>9}{r['tree_rss_mb']:>9}   {r['error']}")
            continue
        phases = "  ".join(f"{k} {v:.1f}" for k, v in r["phases"].items())
        print(f"{r['plans']:>7}{r['wall_s']:>9.1f}{r.get('peak_rss_mb', 0):>9.0f}{r['tree_rss_mb']:>9.0f}"
              f"{r['home_mb']:>9.0f}{r['triples']:>12,}{r['indexed']:>10,}   {phases}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=10, help="runs per stage (default mode)")
    parser.add_argument("--cold", type=int, metavar="N", help="N cold `kg build`s of the bundled plans")
    parser.add_argument("--scale", metavar="N,N", help="builds of N synthetic plans, e.g. 100,1000")
    parser.add_argument("--tmp", type=Path, default=Path(tempfile.gettempdir()), help="where corpora and homes go")
    parser.add_argument("--timeout", type=float, default=1500, help="seconds before a scale build is stopped")
    parser.add_argument("--max-rss-mb", type=float, default=6000, help="tree RSS at which a build is stopped")
    parser.add_argument("--keep", action="store_true", help="keep generated corpora and data homes")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    if args.cold:
        report = cold(args.cold, args.tmp)
        if args.json:
            print(json.dumps(report, indent=2))
        else:
            for r in report["runs"]:
                print(f"cold build: {r['wall_s']} s wall, {r.get('peak_rss_mb')} MB peak RSS, phases {r.get('phases')}")
            print(f"median: {report['median_wall_s']} s, {report['median_peak_rss_mb']} MB")
        return
    if args.scale:
        rows = scale([int(n) for n in args.scale.split(",")], args.tmp, args.timeout, args.max_rss_mb, args.keep)
        print(json.dumps(rows, indent=2) if args.json else "", end="")
        if not args.json:
            print_scale(rows)
        return

    report = stages(args.repeat)
    if args.json:
        print(json.dumps(report, indent=2))
        return
    print(f"{report['plans']} plan(s), {report['triples']} triples, {args.repeat} runs each")
    print(f"{'stage':<44}{'median ms':>10}{'p95 ms':>10}")
    for name, figures in report["stages"].items():
        print(f"{name:<44}{figures['median_ms']:>10}{figures['p95_ms']:>10}")
    print(f"whole build / baseline: {report['build_to_baseline_ratio']}×   peak RSS: {report['peak_rss_mb']} MB")


if __name__ == "__main__":
    main()
