"""Plain text and Markdown files: decoded, never interpreted."""

from __future__ import annotations

import re

from facilitator.importers import Converted, ImportProblem


def decode_text(raw: bytes, name: str) -> Converted:
    if b"\x00" in raw[:8192]:
        raise ImportProblem(f"{name} looks like a binary file, not text")
    warnings = []
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Older Windows exports: Windows-1252 covers the £, curly quotes and dashes they use.
        text = raw.decode("cp1252", errors="replace")
        warnings.append(f"{name} is not UTF-8; read it as Windows text (check any accents)")
    return Converted(_normalise(text), warnings)


_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f]")


def _normalise(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    # Terminal escape and other control characters are never wanted in a record.
    return _CONTROLS.sub("", text)
