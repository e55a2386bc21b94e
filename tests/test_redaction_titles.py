"""A pseudonym with a title of its own ("Mr K") in the sentences of a public report
(hostile round 4 of issue 16, finding 7): "Mrs Kirby", "Ms. Kirby" and "Dr Kirby" all
became "Mr K", and "the Kirbys" became "the Mr K"."""

from __future__ import annotations

import pytest

from facilitator.reports import redaction
from facilitator.reports.redaction import Register
from facilitator.service import Service
from facilitator.store import Store
from tests.review_fixture import ReviewFixture, build_review_fixture


@pytest.fixture
def fixture(service: Service) -> ReviewFixture:
    return build_review_fixture(service)


@pytest.fixture
def kirby(store: Store, fixture: ReviewFixture) -> Register:
    redaction.add(store, fixture.review, "Kirby", "Mr K")
    return Register.for_review(store, fixture.review)


@pytest.mark.parametrize(
    ("written", "public"),
    [
        # The title written with the name is the writer's, and says which Kirby: it stays,
        # in front of the pseudonym's name; a name written bare takes the pseudonym whole.
        ("Mrs Kirby came.", "Mrs K came."),
        ("Ms. Kirby came.", "Ms. K came."),
        ("Dr Kirby came.", "Dr K came."),
        ("I met mrs kirby and MRS KIRBY.", "I met Mrs K and Mrs K."),
        ("Mr and Mrs Kirby came.", "Mr and Mrs K came."),
        ("Mrs J. Kirby came.", "Mrs K came."),
        ("Mr Kirby came; Mr. Kirby left; Kirby rang.", "Mr K came; Mr K left; Mr K rang."),
        # A family, and a possessive.
        ("the Kirbys moved.", "the K family moved."),
        ("The Kirbys moved.", "The K family moved."),
        ("the Kirbys' house", "the K family's house"),
        ("the Kirbys’ house", "the K family’s house"),
        ("Kirby's house", "Mr K's house"),
    ],
)
def test_a_titled_pseudonym_reads_as_the_sentence_needs(
    kirby: Register, written: str, public: str
) -> None:
    assert kirby.apply(written) == public


def test_a_pseudonym_without_a_title_is_written_as_before(
    store: Store, fixture: ReviewFixture
) -> None:
    redaction.add(store, fixture.review, "Kirby", "Family K")
    register = Register.for_review(store, fixture.review)
    assert register.apply("Mrs Kirby and the Kirbys") == "Mrs Family K and the Family K"
