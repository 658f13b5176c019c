"""Decode one document: UTF-8 or GB18030, its ``# key: value`` header, a digest of its bytes."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from ..errors import KgError
from ..models import Source

_META = re.compile(r"^#\s*([A-Za-z_][\w-]*)\s*:\s*(.*?)\s*$")
MAX_BYTES = 50 * 1024 * 1024


def _decode(path: Path, raw: bytes) -> tuple[str, str]:
    if b"\x00" in raw:
        raise KgError(f"{path}: binary file, not a text document")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding), encoding.removesuffix("-sig")
        except UnicodeDecodeError:
            continue
    raise KgError(f"{path}: neither UTF-8 nor GB18030 text")


def read_source(path: Path) -> Source:
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise KgError(f"{path}: {size} bytes is more than the {MAX_BYTES} a plan can have")
        raw = path.read_bytes()
    except OSError as exc:
        raise KgError(f"{path}: cannot read ({exc.strerror or exc})") from exc
    text, encoding = _decode(path, raw)
    if not text.strip():
        raise KgError(f"{path}: empty document")
    meta: dict[str, str] = {}
    for line in text.splitlines():
        found = _META.match(line)
        if not found:
            break
        meta[found.group(1).lower()] = found.group(2)
    return Source(path=path, text=text, sha256=hashlib.sha256(raw).hexdigest(), encoding=encoding, meta=meta)
