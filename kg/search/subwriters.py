"""whoosh's multi-process writer for kg/search/indexing.py: sub-writers forked explicitly, each writing its
segments with kg/search/segments.py's writer, that stop the build when one dies and die with the build.

Takes an open whoosh index and a number of processes; returns the writer kg/search/indexing.py feeds.
"""

from __future__ import annotations

import multiprocessing
import os
import threading

from ..errors import KgError

BATCH = 500  # documents per job file handed to a sub-writer


def _exit_with(parent: int) -> None:
    import time

    while True:
        time.sleep(1)
        if os.getppid() != parent:
            os._exit(1)


def parallel_writer(ix, procs: int):
    """whoosh's ``MpWriter`` (what ``ix.writer(procs=…)`` returns), its sub-writers forked explicitly
    and writing with kg/search/segments.py's ``MemorySegmentWriter`` instead of whoosh's ``SegmentWriter``.

    whoosh starts them with multiprocessing's default method, which is fork on Linux up to Python
    3.13 and forkserver after, and forkserver re-runs the main script of whoever embeds us. Fork is
    used only when this process has no other Python thread (``indexing.build_index`` checks), so
    no lock another thread holds is copied; a sub-writer runs whoosh and jieba only (never the store this
    process has open) and ends itself when this process dies (a killed build), instead of waiting
    for documents forever. Each leaves its own segments (a segment every ``SEGMENT_POSTINGS``
    postings): merging them into one would be a third, serial pass over every posting."""
    import pickle

    from whoosh.multiproc import MpWriter, SubWriterTask

    from .segments import MemorySegmentWriter

    context = multiprocessing.get_context("fork")
    parent = os.getpid()

    class Task(context.Process, SubWriterTask):
        def run(self):
            # SubWriterTask.run with our writer: job files of pickled documents in, the list of
            # segments written out on the result queue.
            threading.Thread(target=_exit_with, args=(parent,), daemon=True).start()
            writer = MemorySegmentWriter(self.storage.open_index(self.indexname), lock=False)
            jobs = self.storage.temp_storage(f"{self.indexname}.tmp")
            while (job := self.jobqueue.get()) is not None:
                name, count = job
                with jobs.open_file(name).raw_file() as f:
                    for _ in range(count):
                        _code, document = pickle.load(f)
                        writer.add_document(**document)
                jobs.delete_file(name)
            self.resultqueue.put((None, [], writer.finish()), timeout=5)

    class Writer(MpWriter):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.jobqueue = context.Queue(self.procs * 4)
            self.resultqueue = context.Queue()

        def _new_task(self):
            task = Task(self.storage, self.indexname, self.jobqueue, self.resultqueue, self.subargs,
                        self.multisegment)
            self.tasks.append(task)
            task.start()
            return task

        def _enqueue(self):
            # As MpWriter's, but a sub-writer that died (killed, out of memory) stops the build
            # instead of leaving it waiting forever for room in the job queue.
            import queue

            from whoosh.util import random_name

            name = f"{random_name()}.doclist"
            with self.temp_storage().create_file(name).raw_file() as f:
                for item in self.docbuffer:
                    pickle.dump(item, f, 2)
            if len(self.tasks) < self.procs:
                self._new_task()
            job, self.docbuffer = (name, len(self.docbuffer)), []
            while True:
                try:
                    self.jobqueue.put(job, timeout=1.0)
                    return
                except queue.Full:
                    dead = [t.exitcode for t in self.tasks if not t.is_alive()]
                    if dead:
                        raise KgError(f"an indexing process stopped (exit status {dead[0]}); the build was abandoned") from None

        def _commit(self, mergetype, optimize, merge):
            # MpWriter._commit with multisegment, each sub-writer answering a list of segments. A
            # sub-writer that does not answer leaves its documents out (build_index counts them).
            import queue

            if self.docbuffer:
                self._enqueue()
            for _ in self.tasks:
                self.jobqueue.put(None)
            segments = self._merge_segments(mergetype, optimize, merge)
            for task in self.tasks:
                task.join()
            for _ in self.tasks:
                try:
                    segments += self.resultqueue.get(timeout=1)[2]
                except queue.Empty:
                    pass
            self._close_segment()
            self._commit_toc(segments)
            self._finish()

        def cancel(self):
            # MpWriter.cancel flags the sub-writers' objects in this process, which they never see.
            for task in self.tasks:
                if task.pid is not None:  # a task that failed to start has nothing to stop
                    task.terminate()
                    task.join()
            self.tasks = []
            super().cancel()

    return Writer(ix, procs=procs, batchsize=BATCH, multisegment=True)
