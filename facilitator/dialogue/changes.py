"""What changed since the previous draft, and which participants' comments led to it.

Worked out when a draft is frozen, by comparing its content with the previous draft's,
and stored in the new draft: the answers given later cannot rewrite what it said.

A comment "led to" a change when it was made on an earlier draft, is anchored on the
thing that changed (an episode merged into another counts for the one it joined), was
accepted, and no earlier draft has already cited it. It is cited by who sent it (their
role) and its label, never quoted: the next draft goes to every participant.
"""

from __future__ import annotations

from typing import Any

from facilitator.dialogue.model import ANCHOR_FOUND, CommentRecord, DraftRecord


def changes_since(
    earlier: list[DraftRecord], current: dict[str, Any], comments: list[CommentRecord]
) -> list[dict[str, Any]]:
    previous = earlier[-1]
    before = previous.content
    changes: list[dict[str, Any]] = []
    changes += _episode_changes(before, current)
    changes += _pattern_changes(before, current)
    changes += _chronology_changes(before, current)
    changes += _recommendation_changes(before, current)
    changes += _record_changes(before, current)
    cited = {
        c["id"]
        for d in earlier
        for change in d.content.get("changes") or []
        for c in change.get("comments", [])
    }
    labels = {d.id: d.label for d in earlier}
    roles = _roles(current)
    for change in changes:
        targets = set(change.pop("targets"))
        change["comments"] = [
            {
                "id": c.id,
                "label": c.label,
                # A label can name another comment once another laptop's comments sync
                # in; the start of the id cannot, so the draft cites both.
                "ref": c.id[:6],
                "draft": labels[c.draft],
                "from": roles.get(c.participant, "a participant"),
                # Not the comment's words: the draft goes to every participant, and a
                # comment is one person's message to the team (names, addresses...).
            }
            for c in comments
            if c.draft in labels
            and c.anchor == ANCHOR_FOUND
            and (c.target_kind, c.target) in targets
            and c.answer is not None
            and c.answer.response == "accepted"
            and c.id not in cited
        ]
    return changes


def _roles(content: dict[str, Any]) -> dict[str, str]:
    """Participant id -> how a draft names them (by role)."""
    return dict(content.get("participants", {}))


def _change(kind: str, target_kind: str, target: str, label: str, text: str, *also: str) -> dict:
    targets = [(target_kind, target), *((target_kind, t) for t in also)]
    return {
        "change": kind,
        "target_kind": target_kind,
        "target": target,
        "label": label,
        "text": text,
        "targets": targets,
    }


def _episode_changes(before: dict, after: dict) -> list[dict]:
    old = {e["id"]: e for e in before.get("episodes", [])}
    new = {e["id"]: e for e in after.get("episodes", [])}
    merged_into = {m: e for e in new.values() for m in e["merged"]}
    found = []
    for episode_id, episode in new.items():
        name = f"{episode['label']} ({episode['title']})"
        if episode_id not in old:
            found.append(
                _change(
                    "episode added",
                    "episode",
                    episode_id,
                    episode["label"],
                    f"Episode added: {name}.",
                )
            )
            continue
        was = old[episode_id]
        if (was["team_good"], was["team_problematic"]) != (
            episode["team_good"],
            episode["team_problematic"],
        ):
            found.append(
                _change(
                    "judgement revised",
                    "episode",
                    episode_id,
                    episode["label"],
                    f"The team's judgement of {name} was revised.",
                )
            )
        label = episode["label"]
        revised: list[str] = []
        if was["title"] != episode["title"]:
            revised.append(f"{label} was renamed from “{was['title']}” to “{episode['title']}”.")
        if was["date"] != episode["date"]:
            revised.append(
                f"The date of {name} was revised (it was “{was['date'] or 'not known'}”)."
            )
        if was["description"] != episode["description"]:
            revised.append(f"The description of {name} was revised.")
        for text in revised:
            found.append(_change("episode revised", "episode", episode_id, label, text))
        accounts_before = [(a["source"], a["text"]) for a in was.get("accounts", [])]
        accounts_now = [(a["source"], a["text"]) for a in episode.get("accounts", [])]
        added = sum(1 for a in accounts_now if a not in accounts_before)
        removed = sum(1 for a in accounts_before if a not in accounts_now)
        if added:
            found.append(
                _change(
                    "accounts added",
                    "episode",
                    episode_id,
                    label,
                    f"{_count(added, 'new account')} of {name} "
                    f"{'was' if added == 1 else 'were'} added.",
                )
            )
        if removed:
            found.append(
                _change(
                    "accounts removed",
                    "episode",
                    episode_id,
                    label,
                    f"{_count(removed, 'account')} of {name} "
                    f"{'was' if removed == 1 else 'were'} taken out or corrected.",
                )
            )
    for episode_id, episode in old.items():
        if episode_id in new:
            continue
        live = merged_into.get(episode_id)
        if live is not None:
            found.append(
                _change(
                    "episodes merged",
                    "episode",
                    live["id"],
                    live["label"],
                    f"Episode {episode['label']} ({episode['title']}) of the previous draft "
                    f"was merged into {live['label']} ({live['title']}).",
                    episode_id,
                )
            )
        else:
            found.append(
                _change(
                    "episode removed",
                    "episode",
                    episode_id,
                    episode["label"],
                    f"Episode {episode['label']} ({episode['title']}) of the previous draft "
                    "was removed.",
                )
            )
    return found


def _count(number: int, what: str) -> str:
    return f"{number} {what}" if number == 1 else f"{number} {what}s"


def _record_changes(before: dict, after: dict) -> list[dict]:
    """A participant's record corrected (what they told us, as they checked it). Only the
    record's label and role are said: the record itself goes to its participant alone."""
    old = {r["conversation"]: r for r in before.get("records", [])}
    found = []
    for record in after.get("records", []):
        was = old.get(record["conversation"])
        if was is None:
            continue  # a conversation held since: not a correction
        then = [(n["time"], n["text"]) for n in was["notes"]]
        now = [(n["time"], n["text"]) for n in record["notes"]]
        if then == now:
            continue
        # A note only added is not a correction: say which it was.
        gone = [n for n in then if n not in now]
        added = sum(1 for n in now if n not in then)
        name = f"{record['label']} ({record['who']})"
        text = (
            f"The record of {name} was corrected."
            if gone
            else f"{_count(added, 'note')} {'was' if added == 1 else 'were'} added to "
            f"the record of {name}."
        )
        found.append(
            _change(
                "record corrected" if gone else "record added to",
                "record",
                record["conversation"],
                f"{record['label']} record",
                text,
            )
        )
    return found


def _pattern_changes(before: dict, after: dict) -> list[dict]:
    old = {p["id"]: p for p in before.get("patterns", [])}
    found = []
    for pattern in after.get("patterns", []):
        was = old.get(pattern["id"])
        title = f"“{pattern['title']}”"
        if was is None:
            found.append(
                _change(
                    "pattern added",
                    "pattern",
                    pattern["id"],
                    pattern["label"],
                    f"Pattern added: {title}, ranked {pattern['rank']}.",
                )
            )
            continue
        if was["rank"] != pattern["rank"]:
            way = "up" if pattern["rank"] < was["rank"] else "down"
            found.append(
                _change(
                    "priority moved",
                    "pattern",
                    pattern["id"],
                    pattern["label"],
                    f"The pattern {title} moved {way} from priority {was['rank']} to "
                    f"{pattern['rank']}.",
                )
            )
        if (was["title"], was["description"]) != (pattern["title"], pattern["description"]):
            found.append(
                _change(
                    "pattern revised",
                    "pattern",
                    pattern["id"],
                    pattern["label"],
                    f"The pattern {title} was reworded.",
                )
            )
    now = {p["id"] for p in after.get("patterns", [])}
    for pattern_id, was in old.items():
        if pattern_id not in now:
            found.append(
                _change(
                    "pattern removed",
                    "pattern",
                    pattern_id,
                    was["label"],
                    f"The pattern “{was['title']}” was removed.",
                )
            )
    return found


def _chronology_changes(before: dict, after: dict) -> list[dict]:
    old = {c["id"]: c for c in before.get("chronology", [])}
    new = {c["id"]: c for c in after.get("chronology", [])}
    found = []
    for entry_id, entry in new.items():
        if entry_id not in old:
            found.append(
                _change(
                    "chronology added",
                    "chronology",
                    entry_id,
                    entry["label"],
                    f"Chronology entry added: {entry['date']} {entry['text']}.",
                )
            )
        elif old[entry_id]["episode"] != entry["episode"]:
            found.append(
                _change(
                    "chronology revised",
                    "chronology",
                    entry_id,
                    entry["label"],
                    f"Chronology entry {entry['date']} {entry['text']} now belongs "
                    f"to {entry['episode'] or 'no episode'}.",
                )
            )
    for entry_id, entry in old.items():
        if entry_id not in new:
            found.append(
                _change(
                    "chronology removed",
                    "chronology",
                    entry_id,
                    entry["label"],
                    f"Chronology entry removed: {entry['date']} {entry['text']}.",
                )
            )
    return found


def _recommendation_changes(before: dict, after: dict) -> list[dict]:
    old = {r["id"]: r for r in before.get("recommendations", [])}
    found = []
    for rec in after.get("recommendations", []):
        was = old.get(rec["id"])
        if was is None:
            found.append(
                _change(
                    "recommendation added",
                    "recommendation",
                    rec["id"],
                    rec["label"],
                    f"Recommendation added: {rec['text']}",
                )
            )
        elif was["text"] != rec["text"]:
            found.append(
                _change(
                    "recommendation revised",
                    "recommendation",
                    rec["id"],
                    rec["label"],
                    f"Recommendation reworded: {rec['text']}",
                )
            )
    return found
