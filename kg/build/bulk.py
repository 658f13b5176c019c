"""Documents → N-Quads, one plan at a time, in worker processes when there are many.

``extract_quads`` is one document's whole trip to triples: read (``ingest``), extract, write the
plan's named graph as N-Quads (``graph.plan_nquads``). ``extracted_plans`` runs it for every
document and yields the results in the order of the documents (so duplicate plan keys are caught
the same way and the manifest lists plans in the same order, however the work was shared out):
inline for a few documents, else in ``os.cpu_count()`` worker processes with a bounded number of
documents in flight. A worker sends back bytes and a small summary, never rdflib objects, so the
build process holds one plan's N-Quads at a time, not the corpus. Given a search index to fill, a
worker also adds the duty documents of its plans to its own segments of it (kg/build/planindex.py).

Workers are fresh interpreters (``python -c``), as the query workers of ``kg.sparql.workers`` are, and for
the same reasons: a build may run inside a process with threads (``kg serve`` builds when nothing
is built; tests), where fork would copy locks other threads hold, and multiprocessing's spawn and
forkserver re-run the main script of whoever embeds us. A fresh interpreter costs about a second
(imports, the thesaurus), which is why a build of a few documents stays in its own process.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import KgError
from ..extraction.thesaurus import Thesaurus
from ..models import ExtractedPlan

if TYPE_CHECKING:
    from .planindex import PlanPart

# Below this many documents a build extracts in its own process: two workers start in about a
# second, the time it takes to extract some ten synthetic plans (the seed is one document).
PARALLEL_FROM = 12
IN_FLIGHT_PER_WORKER = 3  # documents sent ahead to each worker: enough to keep it busy while we write
# How far past the first unanswered document a worker may be sent documents: while one worker writes
# a segment of its index (half a minute, at 10,000 plans), the others keep extracting. What waits
# for its turn is a plan's summary, rows and units, not its N-Quads (see ``extracted_plans``).
AHEAD = 512
READY = "ready"


@dataclass(frozen=True)
class PlanQuads:
    """One document, extracted: its plan key, its manifest summary and its named graph as N-Quads;
    when a worker indexes it, how many duty documents it added, the plan's duty-table rows and the
    units it names (kg/build/planindex.py)."""

    key: str
    summary: dict
    nquads: bytes
    triples: int
    documents: int = 0
    table: tuple = ()
    units: tuple = ()
    tally: object = None  # its counts for the summaries graph (kg/build/summaries.py)


def plan_summary(x: ExtractedPlan) -> dict:
    return {
        "key": x.plan.key,
        "title": x.plan.title,
        "source": str(x.plan.source.path),
        "sha256": x.plan.source.sha256,
        "records": len(x.records),
        "units": sum(len(u) for u in x.members.values()),
        "duties": len(x.duties),
        "sections": list(dict.fromkeys(r.section for r in x.records if r.section)),
    }


def read_thesaurus(ontology_dir: Path) -> Thesaurus:
    """The thesaurus a build extracts with: the thesaurus graph as the store will hold it."""
    from ..extraction.thesaurus import thesaurus_from_graph
    from ..graph.triples import ontology_sources, read_turtle
    from ..vocab import GRAPH_THESAURUS

    return thesaurus_from_graph(read_turtle(ontology_sources(ontology_dir)[GRAPH_THESAURUS], GRAPH_THESAURUS))


def extract_quads(path: Path, meta: dict[str, str] | None, thesaurus: Thesaurus, base_iri: str,
                  index: _WorkerIndex | None = None) -> PlanQuads:
    from ..documents.reader import load_document
    from ..extraction.duties import extract_plan
    from ..graph.triples import plan_nquads_and_triples
    from .summaries import plan_tally_of_triples

    try:
        plan, records = load_document(path, meta)
        extracted = extract_plan(plan, records, thesaurus)
        data, count, triples = plan_nquads_and_triples(extracted, base_iri)
        tally = plan_tally_of_triples(triples)
        if index is None:
            return PlanQuads(plan.key, plan_summary(extracted), data, count, tally=tally)
        part = index.add(extracted)
    except KgError:
        raise  # already names the file
    except Exception as exc:
        raise KgError(f"{path}: cannot extract its duties ({type(exc).__name__}: {exc})") from exc
    return PlanQuads(plan.key, plan_summary(extracted), data, count, len(part.documents), tuple(part.table),
                     tuple(part.units), tally)


class _WorkerIndex:
    """A worker's share of a large build's search index: the duty documents of the plans it
    extracts, in its own segments (kg/build/planindex.py says why)."""

    def __init__(self, index_dir: str, thesaurus: Thesaurus, base_iri: str):
        from whoosh import index

        from ..search.segments import MemorySegmentWriter
        from ..text import jieba_with

        jieba_with(thesaurus.zh_labels)
        self.thesaurus, self.base_iri = thesaurus, base_iri
        self.writer = MemorySegmentWriter(index.open_dir(index_dir), lock=False)

    def add(self, extracted: ExtractedPlan) -> PlanPart:
        from .planindex import plan_part

        part = plan_part(extracted, self.base_iri, self.thesaurus)
        for document in part.documents:
            self.writer.add_document(**document)
        return part

    def finish(self) -> list:
        return self.writer.finish()


def in_workers(documents: int, workers: int | None = None) -> bool:
    """Whether ``extracted_plans`` shares ``documents`` out to worker processes."""
    workers = workers if workers is not None else (os.cpu_count() or 1)
    return workers >= 2 and documents >= PARALLEL_FROM


@contextmanager
def extracted_plans(paths: Sequence[Path], meta: dict[str, str] | None, base_iri: str, ontology_dir: Path,
                    sink: Callable[[bytes], object], thesaurus: Thesaurus | None = None,
                    workers: int | None = None, index_dir: Path | None = None) -> Iterator[Extraction]:
    """``PlanQuads`` for ``paths``, in their order, their N-Quads given to ``sink`` instead (and
    ``nquads`` left empty) as soon as each is extracted, in whatever order the workers finish (a
    store does not care); worker processes (stopped on leaving the block) when ``in_workers``.
    ``index_dir``: an empty whoosh index the workers add the plans' duty documents to (only when
    ``in_workers``), each in its own segments: ``Extraction.segments``."""
    workers = workers if workers is not None else (os.cpu_count() or 1)
    if not in_workers(len(paths), workers):
        if index_dir is not None:
            raise ValueError("only extraction workers index")
        thesaurus = thesaurus or read_thesaurus(ontology_dir)
        yield Extraction(_sunk(extract_quads(path, meta, thesaurus, base_iri), sink) for path in paths)
        return
    pool = _Pool(min(workers, len(paths)), (str(ontology_dir), base_iri, meta, index_dir and str(index_dir)))
    try:
        yield Extraction(pool.map(paths, sink), pool)
    finally:
        pool.close()


def _sunk(plan: PlanQuads, sink: Callable[[bytes], object]) -> PlanQuads:
    sink(plan.nquads)
    return replace(plan, nquads=b"")


class Extraction:
    """The extracted documents (iterate), and the index segments the workers wrote (``segments``,
    when they have all been extracted)."""

    def __init__(self, plans: Iterator[PlanQuads], pool: _Pool | None = None):
        self._plans, self._pool = plans, pool

    def __iter__(self) -> Iterator[PlanQuads]:
        return self._plans

    def segments(self) -> list:
        return self._pool.segments() if self._pool else []


class _Worker:
    def __init__(self, init: tuple):
        ours, theirs = socket.socketpair()
        command = [sys.executable, "-c", "from kg.build.bulk import main; main()", str(theirs.fileno())]
        self.process = subprocess.Popen(command, pass_fds=(theirs.fileno(),), stdin=subprocess.DEVNULL,
                                        stdout=subprocess.DEVNULL)
        theirs.close()
        self.conn = Connection(ours.detach())
        self.conn.send(init)
        self.ready = False

    def receive(self, path: Path | str):
        """The worker's next answer (about ``path``), or its error raised."""
        ok, value = self.answer(path)
        if not ok:
            raise value
        return value

    def answer(self, path: Path | str) -> tuple[bool, object]:
        """The worker's next answer as (ok, value or error); a stopped worker raised."""
        self.take_ready(path)
        try:
            return self.conn.recv()
        except (EOFError, OSError):
            code = self.process.poll()
            raise KgError(f"{path}: the extraction worker stopped (exit status {code}) while reading it") from None

    def take_ready(self, path: Path | str = "") -> None:
        """Read the worker's first message, that it started (or why it could not)."""
        if self.ready:
            return
        try:
            reply = self.conn.recv()
        except (EOFError, OSError):
            code = self.process.poll()
            raise KgError(f"{path}: the extraction worker stopped (exit status {code}) while starting") from None
        if reply != READY:
            raise reply if isinstance(reply, BaseException) else KgError(f"an extraction worker said {reply!r}")
        self.ready = True

    def stop(self) -> None:
        self.conn.close()
        self.process.kill()
        self.process.wait()


class _Pool:
    def __init__(self, size: int, init: tuple):
        self.workers: list[_Worker] = []
        try:
            for _ in range(size):
                self.workers.append(_Worker(init))
        except BaseException:
            self.close()
            raise

    def map(self, paths: Sequence[Path], sink: Callable[[bytes], object]) -> Iterator[PlanQuads]:
        """Worker k extracts paths k, k + n, k + 2n… (in turn, so which plans a worker indexes, and
        so the index, is the same every build), up to ``AHEAD`` past the first unanswered one.
        Answers are taken from whichever worker has one; each answer's N-Quads go to ``sink`` at
        once, the rest is yielded in the order of ``paths`` (an error, raised in its turn)."""
        count, size = len(paths), len(self.workers)
        following = list(range(size))  # the next path each worker is sent
        sent: dict[_Worker, deque[int]] = {worker: deque() for worker in self.workers}  # answered in order
        answered: dict[int, tuple[bool, object]] = {}
        turn = 0  # the next path to yield
        while turn < count:
            for k, worker in enumerate(self.workers):
                while (len(sent[worker]) < IN_FLIGHT_PER_WORKER and following[k] < count
                       and following[k] < turn + AHEAD):
                    worker.conn.send(str(paths[following[k]]))
                    sent[worker].append(following[k])
                    following[k] += size
            if turn not in answered:
                by_conn = {worker.conn: worker for worker in self.workers if sent[worker]}
                for conn in wait(list(by_conn)):
                    worker = by_conn[conn]
                    if not worker.ready:
                        # only its "ready" may be there yet: waiting here for its first answer would
                        # hold up the other workers' answers behind a slow first document
                        worker.take_ready(paths[sent[worker][0]])
                        continue
                    n = sent[worker].popleft()
                    ok, value = worker.answer(paths[n])
                    if ok:
                        sink(value.nquads)
                        value = replace(value, nquads=b"")
                    answered[n] = (ok, value)
                continue
            ok, value = answered.pop(turn)
            turn += 1
            if not ok:
                raise value
            yield value

    def segments(self) -> list:
        """Every worker's index segments, worker by worker, once all documents are extracted."""
        for worker in self.workers:  # all at once: each writes its last segment on its own core
            worker.conn.send(None)
        found = []
        for worker in self.workers:
            found += worker.receive("the search index")
        return found

    def close(self) -> None:
        for worker in self.workers:
            worker.stop()


def main() -> None:
    """A worker: ``python -c 'from kg.build.bulk import main; main()' FD``; reads paths, sends ``PlanQuads``."""
    # Ctrl-C reaches the whole process group; the build process stops its workers itself.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    conn = Connection(int(sys.argv[1]))
    try:
        ontology_dir, base_iri, meta, index_dir = conn.recv()
        try:
            thesaurus = read_thesaurus(Path(ontology_dir))
            index = _WorkerIndex(index_dir, thesaurus, base_iri) if index_dir else None
        except Exception as exc:
            conn.send(KgError(f"an extraction worker could not start: {exc}"))
            return
        conn.send(READY)
        while True:
            path = conn.recv()
            what = path or "the search index"
            try:
                if path is None:  # every document is in: write the last segment
                    reply = (True, index.finish() if index else [])
                else:
                    reply = (True, extract_quads(Path(path), meta, thesaurus, base_iri, index))
            except Exception as exc:
                reply = (False, exc if isinstance(exc, KgError) else KgError(f"{what}: {exc!r}"))
            try:
                conn.send(reply)
            except (TypeError, ValueError, AttributeError) as exc:  # an exception that does not pickle
                conn.send((False, KgError(f"{what}: {reply[1]!r} ({exc})")))
    except (EOFError, OSError):
        return  # the build process ended or stopped us
