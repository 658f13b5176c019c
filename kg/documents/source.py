"""Decode one document: UTF-8 or GB18030, its ``# key: value`` header, a digest of its bytes."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from ..errors import KgError
from ..models import Source
from .formats import (
    DOCX_SUFFIXES,
    HTML_SUFFIXES,
    PDF_SUFFIXES,
    READABLE,
    SUFFIXES,
    WORD97_SUFFIXES,
    binary_to_text,
    html_charset,
    html_to_text,
)

_META = re.compile(r"^#\s*([A-Za-z_][\w-]*)\s*:\s*(.*?)\s*$")
MAX_BYTES = 50 * 1024 * 1024


def _decode(path: Path, raw: bytes, declared: str | None = None) -> tuple[str, str]:
    if b"\x00" in raw:
        raise KgError(f"{path}: binary file, not a text document")
    if declared in ("gbk", "gb2312", "gb18030"):
        declared = "gb18030"  # a superset: pages that say gb2312 often use GBK characters
    for encoding in ((declared,) if declared and declared != "utf-8" else ()) + ("utf-8-sig", "gb18030"):
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
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise KgError(f"{path}: unsupported format {suffix!r}; DutyGraph reads {READABLE}")
    if suffix in DOCX_SUFFIXES | PDF_SUFFIXES | WORD97_SUFFIXES:
        if not raw:
            raise KgError(f"{path}: empty document")
        text, encoding = binary_to_text(path, raw), suffix[1:]
    elif suffix in HTML_SUFFIXES:
        html, encoding = _decode(path, raw, html_charset(raw))
        text = html_to_text(html)
    else:
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
