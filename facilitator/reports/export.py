"""One entry point for every report format: build, pseudonymise when final, scan, render.

A final report is scanned after it is rendered, in the exact bytes that would be written:
any registered identifier still present raises :class:`LeakFound` and nothing is written.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from facilitator.method import Method
from facilitator.reports import contacts
from facilitator.reports.content import WHAT_CHOICES, build_report
from facilitator.reports.normalise import fold_text
from facilitator.reports.ours import Ours, shipped_texts, texts_of
from facilitator.reports.redaction import (
    AmbiguousNames,
    EverydayWords,
    IdentifyingDetails,
    LeakFound,
    Register,
    identifying_details,
)
from facilitator.store import Store

FORMATS = ("md", "docx", "qdpx")
SUFFIX = {"md": ".md", "docx": ".docx", "qdpx": ".qdpx"}


def export(
    store: Store,
    method: Method,
    review: str,
    fmt: str,
    *,
    what: str = "all",
    final: bool = False,
    everyday: Iterable[str] = (),
) -> bytes:
    """The finished file's bytes. Raises :class:`LeakFound` if a final report identifies anyone.
    ``everyday`` are name parts the team says are everyday words wherever written in lower
    case ("will" of Will Young); any other kept as a word raises :class:`EverydayWords`."""
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}")
    if what not in WHAT_CHOICES:
        raise ValueError(f"what must be one of {', '.join(WHAT_CHOICES)}")
    register = _register(store, method, review) if final else None
    # Our own words are never redacted, and the scan does not count a name inside them
    # (see :mod:`.ours`); what users wrote is redacted and scanned as a reader sees it.
    ours: list[str] = list(_method_texts(method)) if register else []
    apply = _users_text(_memoised(register.apply), ours) if register else _same
    if fmt == "qdpx":
        from facilitator.reports import qdpx

        files = qdpx.build(store, method, review, final=final, fn=apply)
        pieces = qdpx.texts(files) if register else []
        ours += qdpx.OWN_WORDS
        data = qdpx.package(files)
    else:
        report = build_report(store, method, review, what=what, final=final)
        if register:
            report = report.map_text(apply)
        if fmt == "md":
            from facilitator.reports import markdown

            text = markdown.render(report)
            if register:
                pieces = [(f"line {n}", line) for n, line in enumerate(text.split("\n"), 1)]
                # Whole text too, so an identifier broken across two lines is still found.
                pieces.append(("text", text))
                ours += markdown.OWN_WORDS
            data = text.encode("utf-8")
        else:
            from facilitator.reports import docx_report

            data = docx_report.render(report)
            if register:
                pieces = docx_report.texts(data)
                ours += docx_report.own_words(report.banner, report.final)
    if register:
        # Contact details the redaction could not reach are leaks too (see :mod:`.contacts`).
        leaks = register.scan(pieces, ours) + contacts.scan(pieces, ours)
        if leaks:
            raise LeakFound(_most_precise(leaks))
        if register.ambiguous:
            raise AmbiguousNames(register.ambiguous)
        confirmed = {fold_text(word) for word in everyday}
        kept = {w: places for w, places in register.kept.items() if w not in confirmed}
        if kept:
            raise EverydayWords(kept)
    return data


def _users_text(fn: Callable[[str], str], ours: list[str]) -> Callable[[str], str]:
    """``fn`` for what users wrote; our own words pass unchanged and are noted in ``ours``."""

    def apply(text: str) -> str:
        if isinstance(text, Ours):
            ours.append(text)
            return text
        return fn(text)

    return apply


_METHOD_TEXTS: list[tuple[Method, tuple[str, ...]]] = []


def _method_texts(method: Method) -> tuple[str, ...]:
    """The method guide's own words (titles, prompts, help), shown in reports as ours: only
    those the shipped guides hold (an edited guide's words are the team's)."""
    for known, texts in _METHOD_TEXTS:
        if known is method:
            return texts
    shipped = shipped_texts()
    texts = tuple(dict.fromkeys(t for t in texts_of(method) if t.strip() and t in shipped))
    _METHOD_TEXTS[:] = [*_METHOD_TEXTS[-3:], (method, texts)]
    return texts


def _register(store: Store, method: Method, review: str) -> Register:
    """The review's register, once no participant's details would name anyone. Roles,
    agencies and pseudonyms are read as the report shows them: up to a private line."""
    from facilitator.reports.public import private_details, public_participants

    register = Register.for_review(store, review, method)
    people = store.participants(review)
    problems = private_details(people, method)
    problems += identifying_details(public_participants(people, method), register.entries)
    if problems:
        raise IdentifyingDetails(problems)
    return register


def _same(text: str) -> str:
    return text


def _memoised(fn: Callable[[str], str]) -> Callable[[str], str]:
    """``fn`` applied once per distinct string for the length of one export (attributions,
    times and every episode-linked note recur); the memo goes when the export ends."""
    done: dict[str, str] = {}

    def memo(text: str) -> str:
        result = done.get(text)
        if result is None:
            result = done[text] = fn(text)
        return result

    return memo


def _most_precise(leaks: list) -> list:
    """Prefer 'line 12' over the whole-text piece when both report the same identifier."""
    located = [leak for leak in leaks if leak.where != "text"]
    named = {leak.identifier.lower() for leak in located}
    return located + [
        leak for leak in leaks if leak.where == "text" and leak.identifier.lower() not in named
    ]
