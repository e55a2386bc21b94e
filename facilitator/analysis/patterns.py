"""Patterns (the method's six types) and recommendations (its three kinds), each linked to
the episodes and factor areas that support it, and prioritised.

Support is stored as link entities (``source_kind`` "pattern" or "recommendation",
``target_kind`` "episode" or "factor", relation "supports"), so two reviewers adding the
same support on different laptops make one link, and withdrawing support keeps the record.

Prioritising follows the guide: how widespread the issue is beyond this case and how
relevant it is now, each scored 1 (low) to 5 (high). ``priority`` is the team's rank
(1 first); a pattern without one sorts after ranked ones, by widespread + relevance.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from facilitator.analysis.coverage import Tally, factor_tallies_apart, is_evidence, is_team_view
from facilitator.analysis.episodes import canonical_ids
from facilitator.method import Method
from facilitator.model import Note
from facilitator.store import Store
from facilitator.store.db import StoreError
from facilitator.store.store import new_id

SUPPORTS = "supports"
SCORE_RANGE = range(1, 6)
# Which way a pattern works (guide 2.1, 3.4.5): it supports good practice, or it makes
# problematic practice more likely.
EFFECTS = {
    "helps": "supports good practice",
    "hinders": "makes problematic practice more likely",
}


@dataclass(frozen=True)
class PatternView:
    id: str
    type: str  # the first of ``types``
    title: str
    description: str
    widespread: int | None
    relevance: int | None
    priority: int | None
    episodes: tuple[str, ...]  # live episode ids
    factors: tuple[str, ...]
    types: tuple[str, ...] = ()  # every type it is of (the types overlap, guide 2.1)
    effect: str = ""  # a key of EFFECTS, or "" if the team has not said
    reasons: str = ""  # the team's reasons for its priority

    @property
    def score(self) -> int:
        return (self.widespread or 0) + (self.relevance or 0)


@dataclass(frozen=True)
class RecommendationView:
    id: str
    kind: str
    text: str
    pattern: str | None
    priority: int | None
    episodes: tuple[str, ...]
    factors: tuple[str, ...]
    owner: str = ""  # who should act on it


def _check_effect(effect: str | None) -> None:
    if effect is not None and effect and effect not in EFFECTS:
        raise StoreError(
            f"a pattern either helps (supports good practice) or hinders (makes problematic "
            f"practice more likely), not {effect!r}"
        )


def _check_types(method: Method, types: Iterable[str]) -> list[str]:
    known = [p.key for p in method.patterns]
    chosen = list(dict.fromkeys(types))
    if not chosen:
        raise StoreError(f"a pattern needs a type: one or more of {', '.join(known)}")
    for item in chosen:
        if item not in known:
            raise StoreError(f"pattern type must be one of {', '.join(known)}, not {item!r}")
    return chosen


def _check_score(name: str, value: int | None) -> None:
    if value is not None and value not in SCORE_RANGE:
        raise StoreError(f"{name} is scored 1 to 5, not {value}")


def _support(
    store: Store,
    review: str,
    source_kind: str,
    source: str,
    episodes: Iterable[str],
    factors: Iterable[str],
    method: Method,
) -> None:
    known_episodes = {e.id for e in store.episodes(review)}
    known_factors = {a.key for a in method.factor_areas}
    for episode in episodes:
        if episode not in known_episodes:
            raise StoreError(f"no episode {episode} in this review")
        store.link(review, source, "episode", episode, relation=SUPPORTS, source_kind=source_kind)
    for factor in factors:
        if factor not in known_factors:
            raise StoreError(
                f"{factor!r} is not a factor area ({', '.join(sorted(known_factors))})"
            )
        store.link(review, source, "factor", factor, relation=SUPPORTS, source_kind=source_kind)


def add_pattern(
    store: Store,
    review: str,
    method: Method,
    *,
    type: str | Iterable[str],  # noqa: A002 - the stored field's name
    title: str,
    description: str = "",
    widespread: int | None = None,
    relevance: int | None = None,
    priority: int | None = None,
    episodes: Iterable[str] = (),
    factors: Iterable[str] = (),
    effect: str | None = None,
    reasons: str | None = None,
) -> str:
    """Record a pattern of one or more of the method's types; returns its id."""
    types = _check_types(method, [type] if isinstance(type, str) else type)
    title = " ".join(title.split())
    if not title:
        raise StoreError("a pattern needs a title")
    _check_score("widespread", widespread)
    _check_score("relevance", relevance)
    _check_effect(effect)
    pattern_id = new_id()
    # ``type`` keeps the first, so a laptop on an older version still shows one.
    fields: dict = {"type": types[0], "types": types, "title": title, "description": description}
    for key, value in (
        ("widespread", widespread),
        ("relevance", relevance),
        ("priority", priority),
        ("effect", effect),
        ("reasons", reasons.strip() if reasons is not None else None),
    ):
        if value is not None:
            fields[key] = value
    with store.transaction():
        store.emit(review, "pattern", pattern_id, "set", fields)
        _support(store, review, "pattern", pattern_id, episodes, factors, method)
    return pattern_id


def prioritise_pattern(
    store: Store,
    review: str,
    pattern_id: str,
    *,
    widespread: int | None = None,
    relevance: int | None = None,
    priority: int | None = None,
    reasons: str | None = None,
    effect: str | None = None,
) -> None:
    """Change a pattern's scores, rank, reasons for its priority or effect."""
    _check_score("widespread", widespread)
    _check_score("relevance", relevance)
    _check_effect(effect)
    fields = {
        k: v
        for k, v in (
            ("widespread", widespread),
            ("relevance", relevance),
            ("priority", priority),
            ("reasons", reasons.strip() if reasons is not None else None),
            ("effect", effect),
        )
        if v is not None
    }
    if not any(r["id"] == pattern_id for r in store.rows("patterns", review)):
        raise StoreError(f"no pattern {pattern_id}")
    if fields:
        store.update(review, "pattern", pattern_id, **fields)


def add_recommendation(
    store: Store,
    review: str,
    method: Method,
    *,
    kind: str,
    text: str,
    pattern: str | None = None,
    priority: int | None = None,
    episodes: Iterable[str] = (),
    factors: Iterable[str] = (),
    owner: str | None = None,
) -> str:
    """Record a recommendation of one of the method's three kinds; returns its id.
    ``owner`` says who should act on it (an agency, a board, a national body)."""
    kinds = [k.key for k in method.recommendation_kinds]
    if kind not in kinds:
        raise StoreError(f"recommendation kind must be one of {', '.join(kinds)}, not {kind!r}")
    if not text.strip():
        raise StoreError("a recommendation needs some text")
    if pattern and not any(r["id"] == pattern for r in store.rows("patterns", review)):
        raise StoreError(f"no pattern {pattern}")
    rec_id = new_id()
    fields: dict = {"kind": kind, "text": text.strip()}
    if pattern:
        fields["pattern"] = pattern
    if priority is not None:
        fields["priority"] = priority
    if owner and owner.strip():
        fields["owner"] = " ".join(owner.split())
    with store.transaction():
        store.emit(review, "recommendation", rec_id, "set", fields)
        _support(store, review, "recommendation", rec_id, episodes, factors, method)
    return rec_id


def _supports(store: Store, review: str) -> dict[str, dict[str, list[str]]]:
    mapping = canonical_ids(store.episodes(review))
    found: dict[str, dict[str, list[str]]] = {}
    for row in store.rows("links", review):
        if row["relation"] != SUPPORTS or not row["present"]:
            continue
        if row["source_kind"] not in ("pattern", "recommendation"):
            continue
        target = row["target"]
        if row["target_kind"] == "episode":
            target = mapping.get(target, target)
        bucket = found.setdefault(row["source"], {}).setdefault(row["target_kind"], [])
        if target not in bucket:
            bucket.append(target)
    return found


def patterns(store: Store, review: str) -> list[PatternView]:
    """Patterns in priority order: ranked first (1 = highest), then by widespread + relevance."""
    support = _supports(store, review)
    views = [
        PatternView(
            r["id"],
            r["type"] or "",
            r["title"] or "",
            r["description"] or "",
            r["widespread"],
            r["relevance"],
            r["priority"],
            tuple(support.get(r["id"], {}).get("episode", ())),
            tuple(support.get(r["id"], {}).get("factor", ())),
            _types(r),
            r.get("effect") or "",
            r.get("reasons") or "",
        )
        for r in store.rows("patterns", review)
    ]
    return sorted(
        views, key=lambda p: (p.priority is None, p.priority or 0, -p.score, p.title.lower())
    )


def recommendations(store: Store, review: str) -> list[RecommendationView]:
    """Recommendations, ranked ones first, then in the order they were made."""
    support = _supports(store, review)
    views = [
        RecommendationView(
            r["id"],
            r["kind"] or "",
            r["text"] or "",
            r["pattern"] or None,
            r["priority"],
            tuple(support.get(r["id"], {}).get("episode", ())),
            tuple(support.get(r["id"], {}).get("factor", ())),
            r.get("owner") or "",
        )
        for r in store.rows("recommendations", review)
    ]
    order = {v.id: i for i, v in enumerate(views)}
    return sorted(views, key=lambda v: (v.priority is None, v.priority or 0, order[v.id]))


def _types(row: dict) -> tuple[str, ...]:
    """Every type of a pattern; one written by an older version has ``type`` alone."""
    try:
        types = json.loads(row.get("types") or "[]")
    except ValueError:
        types = []
    if not isinstance(types, list):
        types = []
    found = [str(t) for t in types if t]
    return tuple(found or ([row["type"]] if row.get("type") else []))


def factor_directions(
    store: Store,
    review: str,
    episodes: Iterable[str] | None = None,
    *,
    notes: Iterable[Note] | None = None,
) -> dict[str, Counter[str]]:
    """For each factor area, how many notes say it helped ("+") and hindered ("-"): the
    participants' accounts under "+" and "-", the team's own view under "team+" and "team-".
    A ``?`` question or ``~`` idea is not evidence of a factor's effect and is not counted.
    With ``episodes`` (a pattern's or a recommendation's), only the notes linked to one of
    them count (a merged duplicate's with its survivor): what supports it, not the review.
    None or no episodes: the whole review (a pattern seen in its factors alone).
    ``notes``: the review's notes, if already read."""
    found: dict[str, Counter[str]] = {}
    wanted = set(episodes or ()) or None
    mapping = canonical_ids(store.episodes(review)) if wanted else {}
    for note in store.notes(review=review) if notes is None else notes:
        if not is_evidence(note):
            continue
        if wanted is not None and not wanted & {mapping.get(e, e) for e in note.episodes}:
            continue
        team = "team" if is_team_view(note) else ""
        for marked in note.directions:
            found.setdefault(marked[:-1], Counter())[team + marked[-1]] += 1
    return found


def support_tallies(
    notes: Iterable[Note], episodes: Iterable[str], mapping: dict[str, str]
) -> tuple[dict[str, Tally], dict[str, Tally]]:
    """The factor tallies behind a pattern or recommendation, accounts and the team's view
    apart (:func:`factor_tallies_apart`): the notes linked to one of its ``episodes`` (a
    merged duplicate's with its survivor; ``mapping`` from :func:`canonical_ids`), or with
    no episodes the whole of ``notes``. A report passes the notes it shows, so a final
    report counts no note it leaves out."""
    wanted = {mapping.get(e, e) for e in episodes}
    if wanted:
        notes = [n for n in notes if wanted & {mapping.get(e, e) for e in n.episodes}]
    return factor_tallies_apart(notes)


def direction_words(counts: Counter[str] | dict[str, int] | None) -> str:
    """How notes say a factor worked, accounts first and the team's view apart:
    "2 hindered, 1 helped; the team's view: 1 hindered" ("" if no note says)."""
    if not counts:
        return ""
    said = []
    for prefix, lead in (("", ""), ("team", "the team's view: ")):
        parts = [
            f"{counts[prefix + s]} {w}"
            for s, w in (("-", "hindered"), ("+", "helped"))
            if counts.get(prefix + s)
        ]
        if parts:
            said.append(lead + ", ".join(parts))
    return "; ".join(said)
