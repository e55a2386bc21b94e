"""Finding participants mentioned in a note: the quick substring test in front of the
regular expression must never hide a match the expression would find."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from facilitator.analysis.review_overview import mention_pattern, mentions
from facilitator.model import Participant

PEOPLE = [
    Participant("p1", "P1", "r", "Social worker", "Children's social care", name="Sam Okafor"),
    Participant("p2", "P2", "r", "GP", "General practice", name="Dr Helen Marsh"),
    Participant("p3", "P3", "r", "Mother", "Family", kind="family", name="Ms R"),
    Participant("p4", "P4", "r", "Health visitor", "Community health", name="Priya Nair"),
]
WORDS = [
    "sam",
    "OKAFOR",
    "Sam Okafor",
    "social  worker",
    "gp",
    "GPs",
    "mother's",
    "ms r",
    "health visitor",
    "Priya",
    "nair",
    "the",
    "visit",
    "ſam",
    "—",
    "\n",
    "SOCIAL WORKER",
]


def slow(text: str) -> list[str]:
    return [p.id for p in PEOPLE if (m := mention_pattern(p)) and m.search(text)]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(WORDS) | st.text(max_size=4), max_size=8))
def test_quick_test_agrees_with_the_expression(parts: list[str]) -> None:
    text = " ".join(parts)
    assert mentions(text, PEOPLE) == slow(text)


def test_examples() -> None:
    assert mentions("Spoke to the GP and Sam Okafor's manager", PEOPLE) == ["p1", "p2"]
    assert mentions("GPs in general", PEOPLE) == []
    assert mentions("the MOTHER said", PEOPLE) == ["p3"]
