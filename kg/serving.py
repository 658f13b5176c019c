"""``kg serve``: the Flask app under waitress (one process) or gunicorn (several), stopped gracefully.

SIGTERM stop new connections at once and let the requests in flight finish (up to ``grace``
seconds), then the process exits 0 — so a restart or a deploy drops nothing a client already sent.
Under waitress SIGINT does the same; under gunicorn SIGINT is its quick stop.

Answering is Python-bound (ranking, whoosh), and one process runs Python on one core at a time:
``serve_workers`` runs gunicorn's threaded workers, one process per core by default, each with its
own app, store reader and index reader (made after the fork, never shared).
"""

from __future__ import annotations

import signal
import threading
import time


def _busy(channels) -> bool:
    from waitress.channel import HTTPChannel

    return any(isinstance(c, HTTPChannel) and (c.requests or c.total_outbufs_len) for c in channels)


def serve(app, host: str, port: int, threads: int, grace: float = 30.0, on_ready=None) -> None:
    from waitress import wasyncore
    from waitress.server import create_server

    server = create_server(app, host=host, port=port, threads=threads)
    stopping = threading.Event()
    previous = {s: signal.signal(s, lambda *_: stopping.set()) for s in (signal.SIGTERM, signal.SIGINT)}
    loop_map = getattr(server, "_map", None) or server.map
    step = server.adj.asyncore_loop_timeout
    if on_ready:
        on_ready(server)
    try:
        while not stopping.is_set():
            wasyncore.loop(timeout=step, map=loop_map, use_poll=server.adj.asyncore_use_poll, count=1)
        # Draining: no new connections; finish and flush what is in flight.
        listeners = [d for d in list(loop_map.values()) if getattr(d, "accepting", False)]
        for listener in listeners:
            wasyncore.dispatcher.close(listener)
        deadline = time.monotonic() + grace
        while time.monotonic() < deadline and _busy(list(loop_map.values())):
            wasyncore.loop(timeout=0.1, map=loop_map, use_poll=server.adj.asyncore_use_poll, count=1)
    finally:
        server.task_dispatcher.shutdown()
        wasyncore.close_all(loop_map)
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def in_child(job) -> None:
    """Run ``job()`` in a forked child and wait for it; its exception, if any, is raised here."""
    import multiprocessing
    import pickle

    from .errors import KgError

    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)

    def run() -> None:
        outcome: BaseException | None = None
        try:
            job()
        except BaseException as exc:  # noqa: BLE001  (handed to the parent, which raises it)
            outcome = exc
        try:
            send.send(outcome)
        except (pickle.PicklingError, TypeError, AttributeError):
            send.send(KgError(f"{type(outcome).__name__}: {outcome}"))

    process = context.Process(target=run)
    process.start()
    send.close()
    try:
        outcome = receive.recv()
    except EOFError:
        outcome = KgError("preparing the data home failed: its process ended without a word")
    process.join()
    if outcome is not None:
        raise outcome


def serve_workers(make_app, host: str, port: int, workers: int, threads: int, grace: float = 30.0,
                  on_ready=None) -> None:
    """gunicorn with ``workers`` processes of ``threads`` threads; ``make_app()`` runs in each worker."""
    from gunicorn.app.base import BaseApplication

    apps = []

    def ready(worker) -> None:
        # Said by the first worker once its app is loaded (the store checked, searchers and the duty
        # table read), not when the port is bound: at 10,000 plans that takes a minute, and a
        # browser opened on "serving" waited for it.
        if on_ready and worker.age == 1:
            on_ready(worker.sockets[0].getsockname()[1])

    def worker_exit(arbiter, worker) -> None:
        for app in apps:
            app.extensions["kg_endpoint"].close()

    class Application(BaseApplication):
        def load_config(self):
            settings = {
                "bind": f"[{host}]:{port}" if ":" in host else f"{host}:{port}",
                "workers": workers,
                "worker_class": "gthread",
                "threads": threads,
                "graceful_timeout": int(grace),
                "preload_app": False,  # each worker opens its own store and index
                "post_worker_init": ready,
                "worker_exit": worker_exit,
                "loglevel": "warning",
                "accesslog": None,
            }
            for key, value in settings.items():
                self.cfg.set(key, value)

        def load(self):
            app = make_app()
            apps.append(app)
            return app

    Application().run()
