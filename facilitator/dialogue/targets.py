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


def find_target(draft: DraftRecord, ref: str) -> tuple[str, str, str]:
    """(kind, id, label) of what ``ref`` names in ``draft``."""
    words = ref.split()
    if len(words) == 1 and words[0][:1].upper() == "E" and words[0][1:].isdigit():
        kind, token = "episode", words[0].upper()
    elif len(words) == 2 and words[0].lower() in _SECTIONS:
        kind, token = words[0].lower(), words[1]
    else:
        raise TargetProblem(
            f"--on {ref!r}: say what the comment is on as E2, 'pattern N' or 'chronology N' "
            "(N as the draft numbers it, or the start of its id)"
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
