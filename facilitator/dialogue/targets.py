"""What a typed comment is on (``--on E2``, ``--on "pattern 1"``, ``--on "chronology
4f2a"``), found in the draft the comment is about: labels are those the draft showed."""

from __future__ import annotations

from facilitator.dialogue.model import DraftRecord

_SECTIONS = {
    "pattern": "patterns",
    "chronology": "chronology",
    "recommendation": "recommendations",
    "episode": "episodes",
}


class TargetProblem(ValueError):
    """A reference that names nothing in the draft."""


def find_target(
    draft: DraftRecord, ref: str, participant: str = "", who: str = ""
) -> tuple[str, str, str]:
    """(kind, id, label) of what ``ref`` names in ``draft``. ``record`` or a conversation
    label (``C2``) names ``participant``'s own record (``who``: their label, as told)."""
    words = ref.split()
    if len(words) == 1 and (
        words[0].lower() == "record" or (words[0][:1].upper() == "C" and words[0][1:].isdigit())
    ):
        return _record(draft, words[0], participant, who or "their")
    if len(words) == 1 and words[0][:1].upper() == "E" and words[0][1:].isdigit():
        kind, token = "episode", words[0].upper()
    elif len(words) == 2 and words[0].lower() in _SECTIONS:
        kind, token = words[0].lower(), words[1]
    else:
        raise TargetProblem(
            f"--on {ref!r}: say what the comment is on as E2, 'pattern N', 'chronology N' "
            "(N as the draft numbers it, or the start of its id), or 'record' (or C2) for "
            "the participant's own record"
        )
    items = draft.content.get(_SECTIONS[kind], [])
    matches = []
    for item in items:
        label = item["label"]
        number = label.split()[-1] if " " in label else label[1:]
        if token.upper() in (label.upper(), number) or (
            len(token) >= 4 and item["id"].startswith(token.lower())
        ):
            matches.append(item)
    if not matches:
        shown = ", ".join(i["label"] for i in items) or "none"
        raise TargetProblem(f"{draft.label} has no {kind} {token!r} (it has: {shown})")
    if len(matches) > 1:
        raise TargetProblem(f"{kind} {token!r} is ambiguous in {draft.label}: give more of the id")
    return kind, matches[0]["id"], matches[0]["label"]


def _record(draft: DraftRecord, token: str, participant: str, who: str) -> tuple[str, str, str]:
    """The participant's own record in ``draft`` (a comment is never on another's)."""
    records = draft.content.get("records", [])
    own = [r for r in records if r["participant"] == participant]
    if token.lower() == "record":
        if len(own) == 1:
            return "record", own[0]["conversation"], f"{own[0]['label']} record"
        if not own:
            raise TargetProblem(f"{draft.label} holds no record of a conversation with {who}")
        shown = ", ".join(r["label"] for r in own)
        raise TargetProblem(f"{who} has {len(own)} records in {draft.label}: give one of {shown}")
    for record in records:
        if record["label"].upper() == token.upper():
            if record["participant"] != participant:
                raise TargetProblem(f"{token.upper()} is not {who}'s own record")
            return "record", record["conversation"], f"{record['label']} record"
    raise TargetProblem(f"{draft.label} has no record {token.upper()}")
