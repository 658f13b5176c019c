"""``kg serve``: the Flask app under waitress, stopped gracefully.

SIGTERM or SIGINT stop new connections at once and let the requests in flight finish (up to
``grace`` seconds), then the process exits 0 — so a restart or a deploy drops nothing a client
already sent.
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
