"""The index pass of a small ``kg build`` in a process forked when the build starts (kg/build/pipeline.py's
helper; a large build indexes in its extraction workers, kg/build/planindex.py).

The index pass segments Chinese with jieba, and jieba reads its dictionary first: with its import,
0.9 s of a 3 s cold build of the bundled plan, all of it before the first document is indexed. A
child forked at the start of the build reads the dictionary on the second core while this process
extracts and loads the plans, then, told which build to index, opens its store, writes the search
index and the duty table, and answers the counts. Forking is only safe in a process with one
thread (a server's write runs ``finish_build`` in its own process instead) and where fork exists;
``IndexChild.start`` answers None elsewhere, and the build indexes in its own process.
"""

from __future__ import annotations

import gc
import multiprocessing
import threading
import traceback
from pathlib import Path

from ..errors import KgError
from ..extraction.thesaurus import Thesaurus, thesaurus_from_graph
from ..progress import Progress


class IndexChild:
    """A forked process waiting to index a build: ``run`` it once, or ``close`` it unused. What it
    draws of its progress comes back over the pipe and is written to the build's own stream (a
    redirected ``sys.stderr`` of this process is not the child's)."""

    def __init__(self, process, connection, progress: Progress):
        self._process = process
        self._connection = connection
        self._progress = progress

    @classmethod
    def start(cls, thesaurus: Thesaurus, progress: Progress) -> IndexChild | None:
        if "fork" not in multiprocessing.get_all_start_methods() or threading.active_count() != 1:
            return None
        context = multiprocessing.get_context("fork")
        ours, theirs = context.Pipe()
        # not a daemon: it forks whoosh's sub-writers for a large index. It ends when it has
        # answered, or when this process closes the pipe (``close``, or this process ending).
        process = context.Process(target=_child, args=(theirs, ours, thesaurus, progress.enabled, progress.terminal),
                                  name="kg-index")
        process.start()
        theirs.close()
        return cls(process, ours, progress)

    def run(self, build_path: Path) -> dict:
        """Index the build at ``build_path``: {"indexed": documents, "triples": triples}."""
        try:
            self._connection.send(str(build_path))
            while True:
                kind, answer = self._connection.recv()
                if kind != "drawn":
                    break
                self._progress.stream.write(answer)
                self._progress.stream.flush()
        except (EOFError, OSError):
            answer = {"error": f"the indexing process ended without a word (exit code {self._exit_code()})"}
        finally:
            self.close()
        if "error" in answer:
            raise KgError(f"indexing failed: {answer['error']}; run `kg build` again")
        return answer

    def close(self) -> None:
        """Stop the child (a build that failed before its index pass)."""
        try:
            self._connection.send(None)
        except OSError:
            pass
        self._connection.close()
        self._process.join(timeout=30)
        if self._process.is_alive():
            self._process.kill()
            self._process.join()

    def _exit_code(self):
        self._process.join(timeout=5)
        return self._process.exitcode


class _Relay:
    """The child's progress stream: what is drawn goes to the parent."""

    def __init__(self, connection, terminal: bool):
        self._connection = connection
        self._terminal = terminal

    def write(self, text: str) -> int:
        self._connection.send(("drawn", text))
        return len(text)

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return self._terminal


def _child(connection, parent_end, thesaurus: Thesaurus, progress: bool, terminal: bool) -> None:
    from ..text import jieba_with

    # The fork copied the parent's end of the pipe too: held open here, it would never read as
    # closed, and a killed build would leave this process waiting forever.
    parent_end.close()

    try:
        jieba_with(thesaurus.zh_labels)  # the dictionary, while the parent extracts
        path = connection.recv()
        if path is None:
            return
        connection.send(("done", index_build(Path(path), thesaurus, Progress(progress, _Relay(connection, terminal)))))
    except (EOFError, OSError):
        return  # the parent is gone: nothing to answer
    except BaseException as exc:  # the parent reports it and deletes the build
        detail = str(exc) if isinstance(exc, KgError) else f"{type(exc).__name__}: {exc}"
        traceback.print_exc()
        try:
            connection.send(("done", {"error": detail}))
        except OSError:
            pass


def index_build(build_path: Path, thesaurus: Thesaurus | None, progress: Progress) -> dict:
    """Open the build's store, write its search index and duty table: {"indexed", "triples"}.
    ``thesaurus``: None to read the one the store holds."""
    from ..search.indexing import build_index
    from ..search.postings import TABLE_FILE
    from ..search.searcher import INDEX_DIR
    from ..stores.local import Build, graph_of, open_store
    from ..vocab import GRAPH_THESAURUS

    store = open_store(Build(build_path), writable=True)
    try:
        thesaurus = thesaurus or thesaurus_from_graph(graph_of(store, GRAPH_THESAURUS))
        documents = build_index(build_path / INDEX_DIR, store, thesaurus, progress,
                                table_path=build_path / TABLE_FILE)
        return {"indexed": documents, "triples": len(store)}
    finally:
        # Oxigraph closes a store when the last reference goes; whoosh's writer keeps a frame (and
        # so the store) alive in a reference cycle, and an open writable store keeps compacting —
        # deleting files that readers of the swapped-in build need. Close it now, for certain.
        del store
        gc.collect()
