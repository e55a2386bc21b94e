"""A review as a REFI-QDA 1.5 project (.qdpx) for NVivo, ATLAS.ti, MAXQDA and QualCoder.

The package is a zip holding ``project.qde`` (QDA-XML, namespace ``urn:QDA-XML:project:1.0``)
and ``sources/<guid>.txt``, one plain-text source per conversation and per imported
document. The contributory factor framework is the codebook (levels are groups that
cannot be coded, areas can), with groups for key practice episodes, local-rationality
prompts and note kinds. Each note is a ``PlainTextSelection`` over its own text in the
conversation's source (``startPosition`` the index of its first character,
``endPosition`` one past its last, counted in characters) with one ``Coding`` per code.
Participants are cases; reviewers are users.

A final project is a pseudonymised dataset for research and for collating findings across
reviews: it names no reviewer (no users, no ``creatingUser``) and holds no reflection or
follow-up, only what participants said and the records, coded.
"""

from __future__ import annotations

import hashlib
import io
import re
import uuid
import zipfile
from collections.abc import Callable
from datetime import datetime
from xml.etree import ElementTree as ET

from facilitator.analysis.review_overview import TEAM_KINDS
from facilitator.method import Method
from facilitator.reports.content import ReviewData, clean
from facilitator.reports.ours import method_words
from facilitator.store import Store

NS = "urn:QDA-XML:project:1.0"
_Q = "{" + NS + "}"
_NAMESPACE = uuid.UUID("6f1c1f3e-3b8a-4b8e-9a53-6d1f0c2b9a10")  # our own, for stable GUIDs


_HEX = frozenset("0123456789abcdef")


def guid(key: str) -> str:
    """A QDA-XML GUID: our 32-hex ids as UUIDs, anything else hashed stably (a name-based
    UUID, version 5 layout), so exporting twice gives the same GUIDs and QDA tools can
    match a re-imported project with the earlier one."""
    if len(key) != 32 or not _HEX.issuperset(key):
        digest = hashlib.sha1(_NAMESPACE.bytes + key.encode("utf-8")).hexdigest()
        variant = "89ab"[int(digest[16], 16) & 3]
        key = f"{digest[:12]}5{digest[13:16]}{variant}{digest[17:32]}"
    return f"{key[:8]}-{key[8:12]}-{key[12:16]}-{key[16:20]}-{key[20:32]}"


_ATTR_SPECIAL = re.compile('[&<>"\n\r\t]')
_TEXT_SPECIAL = re.compile("[&<>]")


def _attr(value: str) -> str:
    """An attribute value escaped as ElementTree escapes it (line breaks kept as ``&#10;``)."""
    if _ATTR_SPECIAL.search(value) is None:
        return value
    return (
        value.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        .replace("\r", "&#13;")
        .replace("\n", "&#10;")
        .replace("\t", "&#09;")
    )


def _text(value: str) -> str:
    if _TEXT_SPECIAL.search(value) is None:
        return value
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _open(tag: str, attrs: dict[str, str | None], *, empty: bool = False) -> str:
    """A start tag (or an empty element); attributes in the order given, ``None`` left out.

    The project is written as text in one pass rather than as an ElementTree: for 20,000
    coded selections building and serialising the tree cost more than everything else."""
    parts = [f"<{tag}"]
    for key, value in attrs.items():
        if value is not None:
            parts.append(f' {key}="{_attr(value)}"')
    parts.append(" />" if empty else ">")
    return "".join(parts)


def _description(out: list[str], text: str) -> None:
    if text:
        out.append(f"<Description>{_text(text)}</Description>")


def _datetime(value: str | None) -> str | None:
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment.isoformat(timespec="seconds")


# The group names of the codebook, for the final report's scan (see :mod:`.ours`); the
# rest of the codebook is the method guide's own words.
OWN_WORDS = ["Key practice episodes", "Local rationality", "Note kinds", "facilitator", "true",
             "false", "Final (pseudonymised)", "Confidential draft"]  # fmt: skip


class _Builder:
    def __init__(self, data: ReviewData, fn: Callable[[str], str]) -> None:
        self.data = data
        self.fn = fn
        self.files: dict[str, str] = {}
        self.users: dict[str, str] = {}

    def user(self, name: str | None) -> str | None:
        if not name or self.data.final:
            return None
        found = self.users.get(name)
        if found is None:
            found = self.users[name] = guid(f"user:{name}")
        return found

    def ours(self, text: str) -> str:
        """The method's words: ours if the shipped guides hold them, else the team's
        (an edited guide), redacted in a final dataset."""
        return self.fn(method_words(text))

    def codebook(self, out: list[str], method: Method) -> dict[str, str]:
        codes: dict[str, str] = {}
        out.append("<CodeBook><Codes>")
        for level in method.levels:
            attrs = {"guid": guid(f"level:{level.key}"), "name": self.ours(level.title)}
            attrs["isCodable"] = "false"
            out.append(_open("Code", attrs))
            for area in level.areas:
                codes[f"factor:{area.key}"] = guid(f"factor:{area.key}")
                if area.text:
                    text = clean(area.text)
                    text = self.ours(text) if text else text
                else:  # each prompt is the guide's words (or the team's) on its own
                    text = "; ".join(self.ours(p) for p in map(clean, area.prompts) if p)
                attrs = {"guid": codes[f"factor:{area.key}"], "name": self.ours(area.title)}
                attrs["isCodable"] = "true"
                out.append(_open("Code", attrs, empty=not text))
                if text:
                    _description(out, text)
                    out.append("</Code>")
            out.append("</Code>")
        episodes = self.data.episodes
        if episodes:
            attrs = {"guid": guid("group:episodes"), "name": "Key practice episodes"}
            attrs["isCodable"] = "false"
            out.append(_open("Code", attrs))
            for episode in episodes:
                when = f" ({clean(episode.date_text)})" if episode.date_text else ""
                codes[f"episode:{episode.id}"] = guid(episode.id)
                text = self.fn(clean(episode.description))
                attrs = {
                    "guid": guid(episode.id),
                    "name": self.fn(f"{episode.label}: {clean(episode.title)}{when}"),
                    "isCodable": "true",
                }
                out.append(_open("Code", attrs, empty=not text))
                if text:
                    _description(out, text)
                    out.append("</Code>")
            out.append("</Code>")
        attrs = {"guid": guid("group:prompts"), "name": "Local rationality", "isCodable": "false"}
        out.append(_open("Code", attrs))
        for prompt in method.local_rationality:
            codes[f"prompt:{prompt.key}"] = guid(f"prompt:{prompt.key}")
            attrs = {"guid": codes[f"prompt:{prompt.key}"], "name": self.ours(prompt.title)}
            attrs["isCodable"] = "true"
            out.append(_open("Code", attrs, empty=True))
        out.append("</Code>")
        attrs = {"guid": guid("group:kinds"), "name": "Note kinds", "isCodable": "false"}
        out.append(_open("Code", attrs))
        for kind in method.note_kinds:
            codes[f"kind:{kind.key}"] = guid(f"kind:{kind.key}")
            attrs = {"guid": codes[f"kind:{kind.key}"], "name": self.ours(kind.label)}
            attrs["isCodable"] = "true"
            out.append(_open("Code", attrs, empty=True))
        out.append("</Code></Codes></CodeBook>")
        return codes

    def conversation_sources(self, out: list[str], codes: dict[str, str]) -> dict[str, str]:
        """One text source per conversation with notes; returns conversation -> source GUID."""
        made: dict[str, str] = {}
        data = self.data
        canonical = data.canonical
        for talk in data.talks.values():
            notes = data.notes_by_conversation.get(talk.id, [])
            if data.final:
                notes = [n for n in notes if n.kind not in TEAM_KINDS]
            if not notes:
                continue
            source_guid = guid(talk.id)
            made[talk.id] = source_guid
            header = self.fn(f"{talk.label}: {data.talk_with(talk)}")
            parts = [header, "\n\n"]
            position = len(header) + 2
            attrs = {
                "guid": source_guid,
                "name": header,
                "plainTextPath": f"internal://{source_guid}.txt",
                "creatingUser": self.user(talk.note_taker or talk.lead),
                "creationDateTime": _datetime(talk.started_at),
            }
            out.append(_open("TextSource", attrs, empty=False))
            label = _attr(talk.label)
            for note in notes:
                prefix = f"[{note.at[11:16]}] "
                text = self.fn(note.text)
                start = position + len(prefix)
                end = start + len(text)
                parts += [prefix, text, "\n"]
                position = end + 1
                author = self.user(note.author)
                keys = [f"kind:{note.kind}"]
                keys += [f"factor:{k}" for k in note.factors]
                keys += [f"episode:{canonical.get(e, e)}" for e in note.episodes]
                keys += [f"prompt:{p}" for p in note.prompts]
                codings = [key for key in keys if key in codes]
                when = _datetime(note.at)
                selection = [
                    f'<PlainTextSelection guid="{guid(note.id)}" '
                    f'name="{label} {_attr(note.at[11:16])}" '
                    f'startPosition="{start}" endPosition="{end}"'
                ]
                if author is not None:
                    selection.append(f' creatingUser="{author}"')
                if when is not None:
                    selection.append(f' creationDateTime="{when}"')
                if not codings:
                    selection.append(" />")
                    out.append("".join(selection))
                    continue
                selection.append(">")
                user = f' creatingUser="{author}"' if author is not None else ""
                for key in codings:
                    selection.append(
                        f'<Coding guid="{guid(f"coding:{note.id}:{key}")}"{user}>'
                        f'<CodeRef targetGUID="{codes[key]}" /></Coding>'
                    )
                selection.append("</PlainTextSelection>")
                out.append("".join(selection))
            out.append("</TextSource>")
            self.files[source_guid] = "".join(parts)
        return made

    def document_sources(self, out: list[str]) -> None:
        for document in self.data.documents.values():
            source_guid = guid(document.id)
            self.files[source_guid] = self.fn(clean(document.text))
            agency = f" ({clean(document.agency)})" if document.agency else ""
            attrs = {
                "guid": source_guid,
                "name": self.fn(f"Document: {clean(document.title)}{agency}"),
                "plainTextPath": f"internal://{source_guid}.txt",
                "creationDateTime": _datetime(document.imported_at),
            }
            out.append(_open("TextSource", attrs, empty=True))

    def cases(self, out: list[str], made: dict[str, str]) -> None:
        data = self.data
        if not data.people:
            return
        out.append("<Cases>")
        for person in data.people.values():
            out.append(_open("Case", {"guid": guid(person.id), "name": self.fn(data.who(person))}))
            _description(out, self.fn(f"{clean(person.role)}, {clean(person.agency)}"))
            for talk in data.talks.values():
                if talk.participant == person.id and talk.id in made:
                    out.append(_open("SourceRef", {"targetGUID": made[talk.id]}, empty=True))
            out.append("</Case>")
        out.append("</Cases>")


def build(
    store: Store,
    method: Method,
    review: str,
    *,
    final: bool = False,
    fn: Callable[[str], str] = lambda s: s,
) -> dict[str, bytes]:
    """The files of the package by path: ``project.qde`` and ``sources/<guid>.txt``."""
    data = ReviewData(store, method, review, final=final)
    builder = _Builder(data, fn)
    # Children must follow the schema's order: Users, CodeBook, Cases, Sources; users are
    # known only once the sources are written, so each part is built on its own.
    codebook: list[str] = []
    codes = builder.codebook(codebook, method)
    sources: list[str] = []
    made = builder.conversation_sources(sources, codes)
    builder.document_sources(sources)
    cases: list[str] = []
    builder.cases(cases, made)
    out = [
        "<?xml version='1.0' encoding='utf-8'?>\n",
        _open(
            "Project",
            {
                "xmlns": NS,
                "name": fn(clean(data.review.title)),
                "origin": "facilitator",
                "creationDateTime": datetime.now().astimezone().isoformat(timespec="seconds"),
            },
        ),
    ]
    if builder.users:
        out.append("<Users>")
        for name, user_guid in builder.users.items():
            out.append(_open("User", {"guid": user_guid, "name": fn(clean(name))}, empty=True))
        out.append("</Users>")
    out += codebook
    out += cases
    if sources:
        out += ["<Sources>", *sources, "</Sources>"]
    description = "Confidential draft" if not final else "Final (pseudonymised)"
    out += [f"<Description>{description}</Description>", "</Project>"]
    files = {"project.qde": "".join(out).encode("utf-8")}
    for source_guid, text in builder.files.items():
        files[f"sources/{source_guid}.txt"] = text.encode("utf-8")
    return files


def package(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def texts(files: dict[str, bytes]) -> list[tuple[str, str]]:
    """(where, text) for every text and attribute in the package, for the leak scan."""
    found: list[tuple[str, str]] = []
    for name, content in files.items():
        if name.endswith(".txt"):
            found.append((name, content.decode("utf-8")))
            continue
        root = ET.fromstring(content)
        for element in root.iter():
            tag = element.tag.split("}")[-1]
            if element.text and element.text.strip():
                found.append((f"{name} {tag}", element.text))
            for key, value in element.attrib.items():
                if key in ("name",) or not key.endswith(("GUID", "guid", "Position", "Path")):
                    found.append((f"{name} {tag} {key}", value))
    return found
