"""Text a report writes itself, told apart from what users wrote.

Redaction applies to what users wrote (notes, titles, records), never to our own
headings, labels and sentences: a participant called Key, Gap, Page or Case must not turn
"Key practice episodes" into "The nurse practice episodes", nor stop a final report
because its footer says "Page 1 of 2". :class:`Ours` marks a whole string as ours; anything
built by joining it with other text is a plain ``str`` again, and is redacted like user
text, so forgetting to mark something can only over-redact, never leak.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from functools import lru_cache


class Ours(str):
    """A string the report writes itself (see the module's docstring)."""

    __slots__ = ()


def texts_of(value: object, depth: int = 0) -> Iterator[str]:
    """Every string held in a dataclass tree (the method's titles, prompts and help)."""
    if depth > 8:
        return
    if isinstance(value, str):
        yield value
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for item in dataclasses.fields(value):
            yield from texts_of(getattr(value, item.name), depth + 1)
    elif isinstance(value, dict):
        for item in value.values():
            yield from texts_of(item, depth + 1)
    elif isinstance(value, (list, tuple, set, frozenset)):
        for item in value:
            yield from texts_of(item, depth + 1)


@lru_cache(maxsize=1)
def shipped_texts() -> frozenset[str]:
    """Every string of the guides shipped with facilitator. Only these are ours: a team
    may edit its guides (``--guides DIR``), and what it writes there is redacted and
    scanned like anything else users wrote. None if the shipped guides cannot be read
    (nothing is then exempt: over-redaction, never a leak)."""
    from facilitator.method import GuideError, default_guides_dir, load_method

    try:
        return frozenset(texts_of(load_method(default_guides_dir())))
    except GuideError:
        return frozenset()


def method_words(text: str) -> str:
    """``text`` from the method guides: :class:`Ours` if the shipped guides say it, else
    a plain string, redacted like user text."""
    return Ours(text) if text in shipped_texts() else str(text)
