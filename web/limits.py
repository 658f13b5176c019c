"""What protects the service from one client: a per-client rate limit on the machine-facing
routes (429 with Retry-After), a cap on request bodies (413), and the security headers.

The limit is a token bucket per client address and per server process: ``rate_limit`` requests a
minute, refilled continuously, with a burst of the same size. Pages a person reads are not limited.
"""

from __future__ import annotations

import math
import threading
import time

from flask import Flask, jsonify, request

LIMITED = ("/sparql", "/rdf-graphs", "/api/")
HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": "default-src 'self'; frame-ancestors 'none'",
}


class Buckets:
    def __init__(self, per_minute: int):
        self.rate = per_minute / 60.0
        self.size = float(per_minute)
        self.state: dict[str, tuple[float, float]] = {}
        self.lock = threading.Lock()

    def take(self, client: str) -> float:
        """0 when the request may go; else the seconds until it may."""
        now = time.monotonic()
        with self.lock:
            tokens, then = self.state.get(client, (self.size, now))
            tokens = min(self.size, tokens + (now - then) * self.rate)
            if tokens >= 1:
                self.state[client] = (tokens - 1, now)
                return 0.0
            self.state[client] = (tokens, now)
            if len(self.state) > 100_000:  # forget idle clients rather than grow without end
                self.state = {k: v for k, v in self.state.items() if now - v[1] < 300}
            return (1 - tokens) / self.rate


class InFlight:
    """How many requests this process is answering right now (shown by /healthz)."""

    def __init__(self) -> None:
        self.count = 0
        self.lock = threading.Lock()

    def add(self, n: int) -> None:
        with self.lock:
            self.count += n


def init_app(app: Flask, rate_limit: int, max_body: int) -> None:
    app.config["MAX_CONTENT_LENGTH"] = max_body
    buckets = Buckets(rate_limit) if rate_limit > 0 else None
    in_flight = app.extensions["in_flight"] = InFlight()

    @app.before_request
    def enter():
        in_flight.add(1)

    @app.teardown_request
    def leave(_exc):
        in_flight.add(-1)

    @app.before_request
    def limit():
        if buckets is None or not request.path.startswith(LIMITED):
            return None
        wait = buckets.take(request.remote_addr or "unknown")
        if wait:
            response = jsonify(error=f"too many requests: at most {rate_limit} a minute; try again in {math.ceil(wait)} s")
            response.status_code = 429
            response.headers["Retry-After"] = str(math.ceil(wait))
            return response
        return None

    @app.errorhandler(413)
    def too_large(_exc):
        return jsonify(error=f"request body over {max_body} bytes"), 413

    @app.after_request
    def security_headers(response):
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        return response
