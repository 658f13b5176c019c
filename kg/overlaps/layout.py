"""Where each node of an overlap picture is drawn: the same place on every reload, no label on another.

Takes a networkx graph and each node's label; returns, for a picture of a given width, the box of
every node (centre, width, height) in pixels at zoom 1, and the picture's height. A force layout with
a fixed seed (networkx's spring layout) says roughly where each node goes; then the nodes, busiest
first, are pushed apart where their boxes overlap (as Gephi's Noverlap does) and put down at the
free spot nearest to that, a label's box never over another's (the way map labels are placed). Labels are wrapped, so a long English name takes two lines, not 300 pixels.
Drawn at the width it was laid out for, every label is at the font size it was measured for.
"""

from __future__ import annotations

import math
import unicodedata

import networkx as nx

FONT = 14  # px at zoom 1
LINE = 20  # vis-network draws a 14 px line about 19 px apart
PAD_X, PAD_Y, GAP = 16, 9, 12  # a target's rounded box is 10 px wider and 8 taller than its text and margins
ROOM = 3.0  # a part's box holds this many times the area of its nodes' boxes
SEPARATIONS = 40  # rounds of pushing overlapping boxes apart before the rest are placed one by one
WIDTHS = {"wide": 780, "narrow": 340}  # a desktop page's picture, a phone's
WRAP_CJK, WRAP_LATIN = 9, 22  # characters a line


def wrap(label: str) -> list[str]:
    """A label in lines: Chinese every ``WRAP_CJK`` characters, other text at spaces."""
    if any(unicodedata.east_asian_width(c) in "WF" for c in label):
        return [label[i : i + WRAP_CJK] for i in range(0, len(label), WRAP_CJK)] or [""]
    lines, line = [], ""
    for word in label.split():
        if line and len(line) + 1 + len(word) > WRAP_LATIN:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return [*lines, line] if line or not lines else lines


def text_width(line: str) -> float:
    return sum(FONT if unicodedata.east_asian_width(c) in "WF" else FONT * 0.55 for c in line)


def box(label: str) -> tuple[float, float]:
    lines = wrap(label)
    return max(map(text_width, lines)) + 2 * PAD_X, len(lines) * LINE + 2 * PAD_Y


def _spiral(step: float = 6.0, limit: int = 4000):
    yield 0.0, 0.0
    radius, i = step, 0
    while i < limit:
        count = max(8, int(2 * math.pi * radius / step))
        for k in range(count):
            angle = 2 * math.pi * k / count
            yield radius * math.cos(angle), radius * math.sin(angle)
            i += 1
        radius += step


def _overlaps(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> bool:
    ax, ay, aw, ah = a
    bx, by, bw, bh = b
    return abs(ax - bx) * 2 < aw + bw + 2 * GAP and abs(ay - by) * 2 < ah + bh + 2 * GAP


class _Grid:
    """The boxes put down so far, by the cells of a grid they touch: a candidate spot is checked only
    against the boxes near it (a plan of 100 nodes took 5 s checking every box at every spot)."""

    CELL = 64.0

    def __init__(self):
        self.cells: dict[tuple[int, int], list[tuple[float, float, float, float]]] = {}

    def _touched(self, spot: tuple[float, float, float, float]):
        x, y, w, h = spot
        rx, ry = w / 2 + GAP / 2, h / 2 + GAP / 2  # two boxes this far apart or more do not overlap
        for cx in range(math.floor((x - rx) / self.CELL), math.floor((x + rx) / self.CELL) + 1):
            for cy in range(math.floor((y - ry) / self.CELL), math.floor((y + ry) / self.CELL) + 1):
                yield cx, cy

    def free(self, spot: tuple[float, float, float, float]) -> bool:
        return not any(_overlaps(spot, other) for cell in self._touched(spot) for other in self.cells.get(cell, ()))

    def add(self, spot: tuple[float, float, float, float]) -> None:
        for cell in self._touched(spot):
            self.cells.setdefault(cell, []).append(spot)


def _spread_apart(at: dict[str, list[float]], sizes: dict, rounds: int) -> None:
    """Move boxes that lie on one another apart, each half the way along the axis they overlap least
    on, until none does or ``rounds`` are done; neighbours found through a grid."""
    for _ in range(rounds):
        grid: dict[tuple[int, int], list[str]] = {}
        for n, (x, y) in at.items():
            for cell in _Grid()._touched((x, y, *sizes[n])):
                grid.setdefault(cell, []).append(n)
        pairs = {(a, b) for members in grid.values() for i, a in enumerate(members) for b in members[i + 1 :]}
        moved = False
        for a, b in sorted(pairs):
            (ax, ay), (bx, by) = at[a], at[b]
            (aw, ah), (bw, bh) = sizes[a], sizes[b]
            over_x = (aw + bw) / 2 + GAP - abs(ax - bx)
            over_y = (ah + bh) / 2 + GAP - abs(ay - by)
            if over_x <= 0 or over_y <= 0:
                continue
            moved = True
            if over_x < over_y:
                push = (over_x / 2 + 0.5) * (1 if ax >= bx else -1)
                at[a][0] += push
                at[b][0] -= push
            else:
                push = (over_y / 2 + 0.5) * (1 if ay >= by else -1)
                at[a][1] += push
                at[b][1] -= push
        if not moved:
            return


def _component(graph: nx.Graph, sizes: dict, width: float) -> tuple[float, float, dict]:
    """One connected part laid out in a box of its own: (box width, box height, centres)."""
    nodes = sorted(graph.nodes)
    if len(nodes) == 1:
        w, h = sizes[nodes[0]]
        return w, h, {nodes[0]: (w / 2, h / 2)}
    # spread so that the boxes and, between them, edges long enough to see which way they go fit in
    area = sum((w + 2 * GAP) * (h + 2 * GAP) for w, h in (sizes[n] for n in nodes)) * ROOM
    spread = min(math.sqrt(area) / 2, 40.0 + 45.0 * math.sqrt(len(nodes)))
    start = nx.spring_layout(graph, seed=7, iterations=150)
    ideal = {n: (start[n][0] * spread * 1.5, start[n][1] * spread * 0.8) for n in nodes}  # screens are wide
    widest = max(sizes[n][0] for n in nodes)
    left, right = min(x for x, _ in ideal.values()), max(x for x, _ in ideal.values())
    squeeze = min(1.0, max(1.0, width - widest) / max(1.0, right - left))  # narrower than the picture: taller
    ideal = {n: ((x - left) * squeeze + widest / 2, y / squeeze) for n, (x, y) in ideal.items()}
    at = {n: list(ideal[n]) for n in nodes}
    _spread_apart(at, sizes, SEPARATIONS)  # as Gephi's Noverlap: push overlapping boxes apart, keep the shape
    placed: dict[str, tuple[float, float, float, float]] = {}
    grid = _Grid()
    for n in sorted(nodes, key=lambda n: (-graph.degree(n), str(n))):
        w, h = sizes[n]
        x0, y0 = at[n]
        for dx, dy in _spiral(step=max(6.0, h / 3)):
            x = min(max(x0 + dx, w / 2), width - w / 2) if w < width else w / 2
            candidate = (x, y0 + dy, w, h)
            if grid.free(candidate):
                break
        else:  # nowhere near: below everything
            bottom = max(y + hh / 2 for _, y, _, hh in placed.values())
            candidate = (w / 2, bottom + GAP + h / 2, w, h)
        placed[n] = candidate
        grid.add(candidate)
    left = min(x - w / 2 for x, _, w, _ in placed.values())
    top = min(y - h / 2 for _, y, _, h in placed.values())
    right = max(x + w / 2 for x, _, w, _ in placed.values())
    bottom = max(y + h / 2 for _, y, _, h in placed.values())
    return right - left, bottom - top, {n: (x - left, y - top) for n, (x, y, _, _) in placed.items()}


def place(graph: nx.Graph, labels: dict[str, str], width: int) -> dict:
    """{"width", "height", "nodes": {node: [x, y]}}: every box inside the width, none on another.
    Each connected part is laid out on its own, and the parts are set in rows, largest first, so
    that no part drifts off into a corner of an empty picture."""
    nodes = sorted(graph.nodes)
    if not nodes:
        return {"width": width, "height": 0, "nodes": {}}
    sizes = {n: box(labels.get(n, str(n))) for n in nodes}
    undirected = graph.to_undirected() if graph.is_directed() else graph
    parts = sorted(nx.connected_components(undirected), key=lambda c: (-len(c), min(map(str, c))))
    blocks = [_component(undirected.subgraph(part), sizes, width) for part in parts]
    rows: list[list[tuple[float, float, dict]]] = [[]]
    used = 0.0
    for block in blocks:  # rows of parts, each row as wide as the picture allows
        if rows[-1] and used + block[0] > width:
            rows.append([])
            used = 0.0
        rows[-1].append(block)
        used += block[0] + 3 * GAP
    at: dict[str, list[float]] = {}
    y = GAP
    for row in rows:
        row_width = sum(w for w, _, _ in row) + 3 * GAP * (len(row) - 1)
        x = max(0.0, (width - row_width) / 2)  # centred
        for w, _, centres in row:
            for n, (cx, cy) in centres.items():
                at[n] = [round(x + cx, 1), round(y + cy, 1)]
            x += w + 3 * GAP
        y += max(h for _, h, _ in row) + 3 * GAP
    return {"width": width, "height": round(y - GAP), "nodes": at}


def layouts(graph: nx.Graph, labels: dict[str, str]) -> dict:
    """The layout at each picture width the page may have."""
    return {name: place(graph, labels, width) for name, width in WIDTHS.items()}
