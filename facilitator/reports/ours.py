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
