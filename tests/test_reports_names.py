"""Names in final reports: the register matches what a reader sees (Unicode variants,
curly apostrophes, short name parts) and refuses roles that contain a registered name."""

from __future__ import annotations

import pytest

from facilitator.method import Method
from facilitator.reports import redaction
from facilitator.reports.export import export
from facilitator.reports.redaction import Register
from facilitator.service import Service
from facilitator.store import Store
from facilitator.store.db import StoreError


def _review_with_note(store: Store, service: Service, name: str, line: str, **person) -> str:
    review = store.create_review("Names")
    person = store.add_participant(
        review,
        role=person.get("role", "Social worker"),
        agency=person.get("agency", "Children's social care"),
        name=name,
    )
    conversation = store.conversation(store.new_conversation(review, person))
    # Linked to an episode, so the note is part of the public findings report.
    service.record_note(conversation, "#new Home visit (1 May 2024)")
    service.record_note(conversation, f"{line} #1")
    return review


def _as_read(text: str) -> str:
    """What a reader sees, worked out here independently of the code under test."""
    import unicodedata

    decomposed = unicodedata.normalize("NFKD", text)
    kept = (c for c in decomposed if not unicodedata.combining(c))
    seen = "".join(c for c in kept if unicodedata.category(c) != "Cf").casefold()
    return seen.translate(str.maketrans("ζοое", "zooe"))  # the look-alikes used below


def _words(text: str) -> set[str]:
    import re

    return {w.lower() for w in re.findall(r"[^\W\d_]+", text)}


def test_a_role_containing_the_name_stops_the_final_export(
    store: Store, service: Service, method: Method
) -> None:
    review = _review_with_note(
        store, service, "Sam Okafor", "Sam Okafor rang the school",
        role="Sam Okafor's line manager",
    )  # fmt: skip
    with pytest.raises(StoreError) as caught:
        export(store, method, review, "md", final=True)
    message = str(caught.value)
    assert "P1" in message and "role" in message and "Sam Okafor" in message
    # The draft is unaffected: the team still needs it to fix the role.
    assert export(store, method, review, "md")


def test_an_agency_containing_a_participants_name_stops_the_final_export(
    store: Store, service: Service, method: Method
) -> None:
    review = _review_with_note(
        store, service, "Priya Nair", "Spoke to the school", agency="Nair Family Practice"
    )
    with pytest.raises(StoreError, match="agency"):
        export(store, method, review, "docx", final=True)


def test_short_name_parts_are_registered(store: Store, service: Service, method: Method) -> None:
    review = _review_with_note(
        store, service, "Jo Wu", "Jo rang again and Wu's manager agreed; JO WU wrote"
    )
    text = export(store, method, review, "md", final=True).decode()
    assert not {"jo", "wu"} & _words(text)
    assert "the social worker rang again" in text.lower()


def test_a_curly_apostrophe_matches_the_registered_straight_one(
    store: Store, service: Service, method: Method
) -> None:
    review = _review_with_note(store, service, "", "Taken to St Mary’s Hospital that night")
    redaction.add(store, review, "St Mary's Hospital", "the hospital")
    text = export(store, method, review, "md", final=True).decode()
    assert "Taken to the hospital that night" in text
    assert "mary" not in text.lower()


@pytest.mark.parametrize(
    "written",
    [
        "Zoe\u0308",  # decomposed ë
        "Zo\u00ade",  # soft hyphen
        "Zo\u200b\u00eb",  # zero-width space
        "\uff3a\uff4f\uff45",  # full-width
        "ZOË",
        "Zoe",  # the accent left off
        "Zoë_2",  # next to an underscore
        "Ζое",  # Greek Zeta, Cyrillic o and e
        "2Zoë",  # next to a digit
    ],
)
def test_unicode_variants_of_a_name_are_replaced(
    store: Store, service: Service, method: Method, written: str
) -> None:
    review = _review_with_note(store, service, "Zoë Hart", f"Met {written} at the clinic")
    for fmt in ("md", "docx", "qdpx"):
        export(store, method, review, fmt, final=True)  # the scan raises if anything is left
    text = export(store, method, review, "md", final=True).decode()
    assert "zoe" not in _as_read(text)


def test_scan_sees_through_variants_even_when_nothing_was_replaced() -> None:
    register = Register([redaction.Redaction("1", "Zoë Hart", "Social worker", "team")])
    for written in ("Zoe\u0308 H\u00adart", "ＺＯＥ HART", "zoë\u00a0hart", "Zoë\u2060 Hart"):
        assert register.scan([("x", f"said {written} today")]), written


def test_folding_maps_matches_back_to_the_original() -> None:
    register = Register([redaction.Redaction("1", "Zoë", "Ms A", "team")])
    assert register.apply("«Zoe\u0308» and ＺＯＥ’s dog") == "«Ms A» and Ms A’s dog"


@pytest.mark.parametrize(
    ("written", "reads"),
    [
        ("Dr Marsh's letter came late", "The GP's letter came late"),
        ("We saw Dr. Helen Marsh twice", "We saw the GP twice"),
        ("the GP-Marsh meeting", "the GP meeting"),
        ("a call with Marsh (GP) on Monday", "a call with the GP on Monday"),
        ("Asked D. Whitfield. Whitfield agreed", "Asked the team manager. The team manager agreed"),
        (
            "Spoke to Dana; then dana rang back",
            "Spoke to the team manager; then the team manager rang back",
        ),
    ],
)
def test_replacements_read_as_english(written: str, reads: str) -> None:
    register = Register(
        [
            *redaction.participant_entries([_person("P1", "Dr Helen Marsh", "GP")]),
            *redaction.participant_entries([_person("P2", "Dana Whitfield", "Team manager")]),
        ]
    )
    assert register.apply(written) == reads


def _person(label: str, name: str, role: str):
    from facilitator.model import Participant

    return Participant(label.lower() * 8, "r", label, role, "Agency", "worker", name)


def test_each_half_of_a_double_barrelled_name_is_registered_whatever_the_dash() -> None:
    for name in ("Ann Smith-Jones", "Ann Smith–Jones"):
        entries = redaction.participant_entries([_person("P1", name, "Social worker")])
        register = Register(entries)
        assert register.apply("Jones said Smith agreed") == (
            "The social worker said the social worker agreed"
        ), name
