"""A draft as participants read it, and the pack one participant is sent: the draft, then
their own conversation record to check, never anyone else's.

The pack is a list of :class:`Item` built from the draft's frozen content alone, so two
exports of one draft say the same thing. Both renderers (Markdown and Word) write exactly
the items' visible text, and ``comment import`` matches what a participant commented on
against the same items: that is what ties a comment back to an episode, a pattern or a
chronology entry. In Word, each episode, pattern, chronology entry, recommendation and
record also opens with a bookmark (``fac_<kind>_<id>``), which says where in the draft a
comment sits when its text no longer matches.
"""

from __future__ import annotations

import io
import unicodedata
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from facilitator.analysis.coverage import Tally, account_words, team_words
from facilitator.dialogue.model import DraftRecord

CONFIDENTIAL = (
    "Confidential to the review group. This draft is shared with the people taking part in "
    "the review, so that they can check it and tell the review team what is wrong or "
    "missing. Please do not copy it, pass it on or discuss it with anyone outside the "
    "review group."
)
HOW_TO_COMMENT = (
    "How to comment: please add comments in Word on the words you are commenting on (an "
    "episode, a pattern, an entry of the chronology or a line of your record), or use "
    "tracked changes. Please leave the rest of the text as it is, so that the review team "
    "can tell what each comment is about."
)
BOOKMARK_PREFIX = "fac_"


@dataclass(frozen=True)
class Item:
    style: str  # title | banner | h1 | h2 | h3 | para | bullet | meta
    text: str
    lead: str = ""  # shown bold before the text (the source of an account, say)
    target_kind: str = ""  # what a comment on this item is about
    target: str = ""
    label: str = ""
    bookmark: bool = False  # the first item of its target: Word gets a bookmark here

    @property
    def visible(self) -> str:
        return f"{self.lead} {self.text}" if self.lead else self.text


def _when(at: str) -> str:
    """A stored moment ("2025-03-03 10:00" or ISO) as participants read dates: "3 Mar 2025
    10:00" (the one date style users see)."""
    from facilitator.dates import uk_moment

    text = at[:16].replace(" ", "T")
    return uk_moment(text) if text else ""


def draft_items(draft: DraftRecord) -> list[Item]:
    """The draft itself: what every participant who is sent it reads."""
    content = draft.content
    items = [
        Item("title", f"{content['title']}: {draft.title} ({draft.frozen_label})", bookmark=True),
        Item("banner", CONFIDENTIAL),
        Item("meta", f"Frozen {_when(draft.frozen_at)}. {HOW_TO_COMMENT}"),
    ]
    items += changes_items(content.get("changes"))
    if content.get("questions"):
        items.append(Item("h1", "Questions the review is asking"))
        items += [
            Item("bullet", q, target_kind="passage", label="the questions")
            for q in content["questions"]
        ]
    items += _chronology(content)
    items += _episodes(content)
    items += _patterns(content)
    if draft.kind != "preliminary":
        items += _recommendations(content)
    return items


def changes_items(changes: list[dict[str, Any]] | None) -> list[Item]:
    if changes is None:  # the first draft: nothing to compare with
        return []
    items = [Item("h1", "What changed since the previous draft")]
    if not changes:
        items.append(Item("meta", "Nothing in the analysis has changed since the previous draft."))
    for change in changes:
        items.append(Item("bullet", change["text"], target_kind="passage", label="what changed"))
        for comment in change.get("comments", []):
            # Drafts frozen before comments were cited with a ref say what they said.
            ref = f", ref {comment['ref']}" if comment.get("ref") else ""
            items.append(
                Item(
                    "meta",
                    # Cited, never quoted (drafts frozen before this still hold the words).
                    f"Following a comment from {comment['from']} ({comment['label']}{ref}) "
                    f"on {comment['draft']}.",
                    target_kind="passage",
                    label="what changed",
                )
            )
    return items


def _chronology(content: dict[str, Any]) -> list[Item]:
    items = [Item("h1", "The adapted chronology")]
    entries = content.get("chronology", [])
    if not entries:
        items.append(Item("meta", "No entries of the agencies' records have been accepted yet."))
    for entry in entries:
        where = dict(target_kind="chronology", target=entry["id"], label=entry["label"])
        episode = f" (part of {entry['episode']})" if entry["episode"] else ""
        items.append(
            Item(
                "bullet",
                f"{entry['date']} {entry['text']} [{entry['source']}]{episode}".strip(),
                lead=f"{entry['label']}:",
                bookmark=True,
                **where,
            )
        )
    return items


def _episodes(content: dict[str, Any]) -> list[Item]:
    items = [Item("h1", "Key practice episodes")]
    if not content.get("episodes"):
        items.append(Item("meta", "No key practice episodes have been identified yet."))
    for episode in content.get("episodes", []):
        where = dict(target_kind="episode", target=episode["id"], label=episode["label"])
        date = f" ({episode['date']})" if episode["date"] else " (date not known)"
        items.append(
            Item("h2", f"{episode['label']}: {episode['title']}{date}", bookmark=True, **where)
        )
        if episode["description"]:  # the team's words, said to be theirs
            lead = "Review team's description:"
            items.append(Item("para", episode["description"], lead=lead, **where))
        items.append(Item("h3", "The review team's judgement", **where))
        # One label for each part of a judgement, as in the reports and on screen; each
        # part of the episode judged on its own keeps its own line.
        if "judgement" in episode:
            judged = [(j["label"], j["text"]) for j in episode["judgement"]]
        else:  # a draft frozen before every part was kept: as it was sent
            judged = [
                (label, episode[key])
                for key, label in (
                    ("team_good", "Good practice"),
                    ("team_problematic", "Problematic practice"),
                )
                if episode[key]
            ]
        for label, text in judged:
            items.append(Item("para", text, lead=f"{label}:", **where))
        if not judged:
            items.append(Item("meta", "Not yet judged.", **where))
        items.append(Item("h3", "Accounts", **where))
        for account in episode["accounts"]:
            text = account["text"]
            if account["kind"] == "quote":
                text = f"“{text.strip().strip(chr(34)).strip()}”"
            label = f" ({account['label']})" if account.get("label") else ""
            items.append(Item("bullet", text, lead=f"{account['source']}{label}:", **where))
        if not episode["accounts"]:
            items.append(Item("meta", "No account of this episode yet.", **where))
        if episode["records"]:
            items.append(
                Item("para", ", ".join(episode["records"]), lead="In the chronology:", **where)
            )
        items += _factor_items(episode["factors"], where)
    return items


def _factor_items(factors: list[dict[str, Any]], where: dict[str, str]) -> list[Item]:
    """The episode's factor areas: the accounts' and the review team's view apart (guide
    3.4.1), each with how many notes say it helped or hindered. A draft frozen before the
    two were kept apart holds one count, and says it as it was sent."""
    if factors and "accounts" not in factors[0]:
        said = "; ".join(f"{f['title']} ({f['count']})" for f in factors)
        return [Item("para", said, lead="Contributory factors noted:", **where)]
    items = []
    for side, lead, words in (
        ("accounts", "Contributory factors in the accounts:", account_words),
        ("team", "Contributory factors in the review team's view:", team_words),
    ):
        said = [f"{f['title']} ({words(Tally(**f[side]))})" for f in factors if f.get(side)]
        if said:
            items.append(Item("para", "; ".join(said), lead=lead, **where))
    return items


def _patterns(content: dict[str, Any]) -> list[Item]:
    items = [Item("h1", "Patterns, in the team's order of priority")]
    if not content.get("patterns"):
        items.append(Item("meta", "No patterns have been identified yet."))
    for pattern in content.get("patterns", []):
        where = dict(target_kind="pattern", target=pattern["id"], label=pattern["label"])
        items.append(Item("h2", f"{pattern['label']}: {pattern['title']}", bookmark=True, **where))
        items.append(Item("para", pattern["type"], lead="Type:", **where))
        if pattern["description"]:
            items.append(Item("para", pattern["description"], **where))
        seen = pattern["episodes"] + pattern["factors"]
        if seen:
            items.append(Item("para", "; ".join(seen), lead="Seen in:", **where))
    return items


def _recommendations(content: dict[str, Any]) -> list[Item]:
    items = [Item("h1", "Recommendations")]
    if not content.get("recommendations"):
        items.append(Item("meta", "No recommendations have been drafted yet."))
    for rec in content.get("recommendations", []):
        where = dict(target_kind="recommendation", target=rec["id"], label=rec["label"])
        answers = f" (answers {rec['pattern']})" if rec["pattern"] else ""
        items.append(
            Item(
                "bullet",
                f"{rec['text']}{answers}",
                lead=f"{rec['label']}, {rec['kind']}:",
                bookmark=True,
                **where,
            )
        )
    return items


def record_items(draft: DraftRecord, participant: str) -> list[Item]:
    """The participant's own conversation records, frozen with the draft. Nobody else's."""
    records = [r for r in draft.content.get("records", []) if r["participant"] == participant]
    items = [
        Item("h1", "Your conversation record"),
        Item(
            "meta",
            "This is the review team's record of what you told us. Please check that it is "
            "accurate and say if anything is missing or wrong.",
        ),
    ]
    if not records:
        items.append(Item("meta", "There is no record of a conversation with you yet."))
    for record in records:
        where = dict(
            target_kind="record", target=record["conversation"], label=f"{record['label']} record"
        )
        when = f" ({_when(record['when'])})" if record["when"] else ""
        items.append(
            Item("h2", f"{record['label']}: {record['who']}{when}", bookmark=True, **where)
        )
        for note in record["notes"]:
            text = note["text"]
            if note["kind"] == "quote":
                text = f"“{text.strip().strip(chr(34)).strip()}”"
            # The time alone under the conversation's date; the date too if another day.
            time = note["time"]
            lead = time[11:16] if time[:10] == record["when"][:10] and time[11:16] else _when(time)
            items.append(Item("para", text, lead=lead, **where))
        if not record["notes"]:
            items.append(Item("meta", "No notes were taken.", **where))
    return items


def pack_items(draft: DraftRecord, participant: str | None) -> list[Item]:
    items = draft_items(draft)
    # Whose pack of which draft: a bookmark on the title in Word, read back on import.
    items[0] = replace(items[0], target_kind=PACK, target=pack_identity(draft.id, participant))
    if participant:
        items += record_items(draft, participant)
    return items


PACK = "pack"


def pack_identity(draft_id: str, participant: str | None) -> str:
    """The bookmark naming a pack: ``fac_pack_<draft>_<participant or all>``, each id cut
    to 12 characters (Word allows 40 in a bookmark's name)."""
    return f"{BOOKMARK_PREFIX}{PACK}_{draft_id[:12]}_{(participant or 'all')[:12]}"


def read_identity(name: str) -> tuple[str, str] | None:
    """(draft id prefix, participant id prefix or "all") from a pack's bookmark name."""
    head = f"{BOOKMARK_PREFIX}{PACK}_"
    if not name.startswith(head):
        return None
    draft, _, participant = name[len(head) :].partition("_")
    return (draft, participant) if draft and participant else None


# --- rendering -----------------------------------------------------------------------


def render_markdown(items: list[Item]) -> str:
    from facilitator.reports.markdown import escape

    lines: list[str] = []
    for item in items:
        text = escape(item.text).replace("\n", " ")
        lead = f"**{escape(item.lead)}** " if item.lead else ""
        if item.style == "title":
            lines += [f"# {text}", ""]
        elif item.style == "banner":
            lines += [f"**{text}**", ""]
        elif item.style in ("h1", "h2", "h3"):
            level = {"h1": "##", "h2": "###", "h3": "####"}[item.style]
            lines += [f"{level} {text}", ""]
        elif item.style == "bullet":
            lines += [f"- {lead}{text}", ""]
        elif item.style == "meta":
            lines += [f"*{text}*", ""]
        else:
            lines += [f"{lead}{text}", ""]
    return "\n".join(lines).rstrip("\n") + "\n"


def render_docx(items: list[Item], *, title: str, frozen_at: str) -> bytes:
    """A Word file with a bookmark at the start of each target. Core properties come from
    the draft, not the clock, so the package's text is the same on every export.

    Paragraphs are written as WordprocessingML text and parsed in one go: python-docx's
    ``add_paragraph`` searches the body for its section properties every time, which made
    a 12,000-paragraph pack take a minute."""
    import docx
    from docx.oxml.parser import element_class_lookup
    from lxml import etree

    from facilitator.reports.content import clean

    document = docx.Document()
    properties = document.core_properties
    properties.title = clean(title)
    properties.author = "Review team"
    properties.last_modified_by = "Review team"
    properties.subject = "Draft for the review group"
    properties.comments = ""
    properties.keywords = "case review; Learning Together"
    properties.language = "en-GB"
    properties.revision = 1
    try:
        moment = datetime.fromisoformat(frozen_at)
    except ValueError:
        moment = datetime(2000, 1, 1)
    properties.created = properties.modified = properties.last_printed = moment.replace(tzinfo=None)
    styles = document.styles
    style_ids = {
        "title": styles["Title"].style_id,
        "h1": styles["Heading 1"].style_id,
        "h2": styles["Heading 2"].style_id,
        "h3": styles["Heading 3"].style_id,
        "bullet": styles["List Bullet"].style_id,
    }
    paragraphs = []
    marks = 0
    for item in items:
        style = style_ids.get(item.style)
        parts = [f'<w:pPr><w:pStyle w:val="{style}"/></w:pPr>' if style else ""]
        end = ""
        if item.bookmark:
            marks += 1
            name = (
                item.target
                if item.target_kind == PACK
                else bookmark_name(item.target_kind, item.target)
            )
            parts.append(f'<w:bookmarkStart w:id="{marks}" w:name="{name}"/>')
            end = f'<w:bookmarkEnd w:id="{marks}"/>'
        if item.lead:
            parts.append(_run(f"{item.lead} ", "<w:rPr><w:b/></w:rPr>"))
        look = {"banner": "<w:rPr><w:b/></w:rPr>", "meta": "<w:rPr><w:i/></w:rPr>"}
        parts.append(_run(item.text, look.get(item.style, "")))
        paragraphs.append(f"<w:p>{''.join(parts)}{end}</w:p>")
    parser = etree.XMLParser(resolve_entities=False, huge_tree=True)
    parser.set_element_class_lookup(element_class_lookup)
    body = etree.fromstring(f'<w:body xmlns:w="{_W}">{"".join(paragraphs)}</w:body>', parser)
    section = document.element.body.sectPr
    for paragraph in list(body):
        section.addprevious(paragraph)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _run(text: str, properties: str) -> str:
    """A ``w:r`` holding ``text`` made safe for XML; line breaks become ``w:br``."""
    from xml.sax.saxutils import escape

    from facilitator.reports.content import clean

    lines = escape(clean(text)).replace("\r", "").split("\n")
    body = "<w:br/>".join(f'<w:t xml:space="preserve">{line}</w:t>' for line in lines)
    return f"<w:r>{properties}{body}</w:r>"


def bookmark_name(kind: str, target: str) -> str:
    return f"{BOOKMARK_PREFIX}{kind}_{target[:12]}"  # Word allows 40 characters


def normalise(text: str) -> str:
    """Text as compared when tying a comment back: Unicode-normalised, straight quotes,
    one space between words, case ignored (Word and editors change all of these)."""
    from facilitator.reports.content import clean

    text = unicodedata.normalize("NFKC", clean(text))  # as the Word file could carry it
    text = text.translate(_QUOTES)
    return " ".join(text.split()).casefold()


_QUOTES = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'", "\u00a0": " "})


def pack_bytes(draft: DraftRecord, participant: str | None, fmt: str) -> bytes:
    """The finished file: ``participant``'s pack (or the draft alone) as md or docx."""
    items = pack_items(draft, participant)
    if fmt == "md":
        return render_markdown(items).encode("utf-8")
    if fmt == "docx":
        return render_docx(items, title=items[0].text, frozen_at=draft.frozen_at)
    raise ValueError(f"a pack is md or docx, not {fmt!r}")


def contact_warning(draft: DraftRecord, participant: str | None) -> str:
    """Where a pack holds a phone number, an e-mail or a postal address (a draft frozen
    before they were redacted, or one the redaction missed), for the team to check before
    sending it: what and where, never the detail itself; "" if it holds none."""
    from facilitator.reports.contacts import where_found

    pieces = [(item.label or "the draft", item.visible) for item in pack_items(draft, participant)]
    found = list(dict.fromkeys(where_found(pieces)))
    if not found:
        return ""
    return f"Check before sending: this pack holds contact details ({'; '.join(found)})"
