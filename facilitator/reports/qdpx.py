"""A review as a REFI-QDA 1.5 project (.qdpx) for NVivo, ATLAS.ti, MAXQDA and QualCoder.

The package is a zip holding ``project.qde`` (QDA-XML, namespace ``urn:QDA-XML:project:1.0``)
and ``sources/<guid>.txt``, one plain-text source per conversation and per imported
document. The contributory factor framework is the codebook (levels are groups that
cannot be coded, areas can), with groups for key practice episodes, local-rationality
prompts and note kinds. Each note is a ``PlainTextSelection`` over its own text in the
conversation's source (``startPosition`` the index of its first character,
``endPosition`` one past its last, counted in characters) with one ``Coding`` per code.
Participants are cases; reviewers are users.
"""

from __future__ import annotations

import hashlib
import io
import uuid
import zipfile
from collections.abc import Callable
from datetime import datetime
from xml.etree import ElementTree as ET

from facilitator.method import Method
from facilitator.reports.content import ReviewData, clean
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


def _el(parent: ET.Element, tag: str, **attrs: str) -> ET.Element:
    return ET.SubElement(parent, _Q + tag, {k: v for k, v in attrs.items() if v is not None})


def _description(parent: ET.Element, text: str) -> None:
    if text:
        _el(parent, "Description").text = text


def _datetime(value: str | None) -> str | None:
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment.isoformat(timespec="seconds")


class _Builder:
    def __init__(self, data: ReviewData, fn: Callable[[str], str]) -> None:
        self.data = data
        self.fn = fn
        self.files: dict[str, str] = {}
        self.users: dict[str, str] = {}

    def user(self, name: str | None) -> str | None:
        if not name:
            return None
        if name not in self.users:
            self.users[name] = guid(f"user:{name}")
        return self.users[name]

    def codebook(self, project: ET.Element, method: Method) -> dict[str, str]:
        codes: dict[str, str] = {}
        book = _el(_el(project, "CodeBook"), "Codes")
        for level in method.levels:
            group = _el(
                book, "Code", guid=guid(f"level:{level.key}"), name=level.title, isCodable="false"
            )
            for area in level.areas:
                codes[f"factor:{area.key}"] = guid(f"factor:{area.key}")
                code = _el(
                    group,
                    "Code",
                    guid=codes[f"factor:{area.key}"],
                    name=area.title,
                    isCodable="true",
                )
                _description(code, clean(area.text or "; ".join(area.prompts)))
        episodes = self.data.ordered_episodes()
        if episodes:
            group = _el(
                book,
                "Code",
                guid=guid("group:episodes"),
                name="Key practice episodes",
                isCodable="false",
            )
            for episode in episodes:
                when = f" ({clean(episode.date_text)})" if episode.date_text else ""
                codes[f"episode:{episode.id}"] = guid(episode.id)
                code = _el(
                    group,
                    "Code",
                    guid=guid(episode.id),
                    name=self.fn(f"{episode.label}: {clean(episode.title)}{when}"),
                    isCodable="true",
                )
                _description(code, self.fn(clean(episode.description)))
        group = _el(
            book, "Code", guid=guid("group:prompts"), name="Local rationality", isCodable="false"
        )
        for prompt in method.local_rationality:
            codes[f"prompt:{prompt.key}"] = guid(f"prompt:{prompt.key}")
            _el(
                group,
                "Code",
                guid=codes[f"prompt:{prompt.key}"],
                name=prompt.title,
                isCodable="true",
            )
        group = _el(book, "Code", guid=guid("group:kinds"), name="Note kinds", isCodable="false")
        for kind in method.note_kinds:
            codes[f"kind:{kind.key}"] = guid(f"kind:{kind.key}")
            _el(group, "Code", guid=codes[f"kind:{kind.key}"], name=kind.label, isCodable="true")
        return codes

    def conversation_sources(self, sources: ET.Element, codes: dict[str, str]) -> dict[str, str]:
        """One text source per conversation with notes; returns conversation -> source GUID."""
        made: dict[str, str] = {}
        data = self.data
        for talk in data.talks.values():
            notes = data.notes_by_conversation.get(talk.id, [])
            if not notes:
                continue
            source_guid = guid(talk.id)
            made[talk.id] = source_guid
            header = self.fn(f"{talk.label}: {data.who(data.people.get(talk.participant))}")
            parts = [header, "\n\n"]
            position = len(header) + 2
            selections = []
            for note in notes:
                prefix = f"[{note.at[11:16]}] "
                text = self.fn(note.text)
                start = position + len(prefix)
                selections.append((note, start, start + len(text)))
                parts += [prefix, text, "\n"]
                position = start + len(text) + 1
            self.files[source_guid] = "".join(parts)
            source = _el(
                sources,
                "TextSource",
                guid=source_guid,
                name=header,
                plainTextPath=f"internal://{source_guid}.txt",
                creatingUser=self.user(talk.note_taker or talk.lead),
                creationDateTime=_datetime(talk.started_at),
            )
            for note, start, end in selections:
                selection = _el(
                    source,
                    "PlainTextSelection",
                    guid=guid(note.id),
                    name=f"{talk.label} {note.at[11:16]}",
                    startPosition=str(start),
                    endPosition=str(end),
                    creatingUser=self.user(note.author),
                    creationDateTime=_datetime(note.at),
                )
                keys = [f"kind:{note.kind}"]
                keys += [f"factor:{k}" for k in note.factors]
                keys += [f"episode:{self.data.canonical.get(e, e)}" for e in note.episodes]
                keys += [f"prompt:{p}" for p in note.prompts]
                for key in keys:
                    if key in codes:
                        coding = _el(
                            selection,
                            "Coding",
                            guid=guid(f"coding:{note.id}:{key}"),
                            creatingUser=self.user(note.author),
                        )
                        _el(coding, "CodeRef", targetGUID=codes[key])
        return made

    def document_sources(self, sources: ET.Element) -> None:
        for document in self.data.documents.values():
            source_guid = guid(document.id)
            self.files[source_guid] = self.fn(clean(document.text))
            agency = f" ({clean(document.agency)})" if document.agency else ""
            _el(
                sources,
                "TextSource",
                guid=source_guid,
                name=self.fn(f"Document: {clean(document.title)}{agency}"),
                plainTextPath=f"internal://{source_guid}.txt",
                creationDateTime=_datetime(document.imported_at),
            )

    def cases(self, project: ET.Element, made: dict[str, str]) -> None:
        data = self.data
        if not data.people:
            return
        cases = _el(project, "Cases")
        for person in data.people.values():
            case = _el(cases, "Case", guid=guid(person.id), name=self.fn(data.who(person)))
            _description(case, self.fn(f"{clean(person.role)}, {clean(person.agency)}"))
            for talk in data.talks.values():
                if talk.participant == person.id and talk.id in made:
                    _el(case, "SourceRef", targetGUID=made[talk.id])


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
    ET.register_namespace("", NS)
    project = ET.Element(
        _Q + "Project",
        {
            "name": fn(clean(data.review.title)),
            "origin": "facilitator",
            "creationDateTime": datetime.now().astimezone().isoformat(timespec="seconds"),
        },
    )
    # Children must follow the schema's order: Users, CodeBook, Cases, Sources.
    users = _el(project, "Users")
    codes = builder.codebook(project, method)
    sources = ET.Element(_Q + "Sources")
    made = builder.conversation_sources(sources, codes)
    builder.document_sources(sources)
    builder.cases(project, made)
    if len(sources):
        project.insert(len(project), sources)
    for name, user_guid in builder.users.items():
        _el(users, "User", guid=user_guid, name=fn(clean(name)))
    if not builder.users:
        project.remove(users)
    description = _el(project, "Description")
    description.text = "Confidential draft" if not final else "Final (pseudonymised)"
    xml = ET.tostring(project, encoding="utf-8", xml_declaration=True)
    files = {"project.qde": xml}
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
