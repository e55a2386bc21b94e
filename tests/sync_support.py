"""Two laptops sharing one review through a real folder: the set-up the sync tests share."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from facilitator.model import Conversation
from facilitator.store import Store
from facilitator.sync import join_share, share_review

PASS = "correct horse battery"
FAST_SCRYPT = 2**10  # tests only: new shares use n=2^17


def start_review(store: Store) -> tuple[str, Conversation]:
    review = store.create_review("Fictional review")
    person = store.add_participant(review, role="Health visitor", agency="Health")
    conversation = store.conversation(store.new_conversation(review, person))
    store.start_conversation(conversation)
    return review, conversation


def shared_pair(
    tmp_path: Path, first_note: str | None = None
) -> Iterator[tuple[Store, Store, Path, str, Conversation]]:
    """(lead, taker, share, review, conversation): the lead shared the review, the
    note-taker joined it. Closes both stores afterwards."""
    lead = Store(tmp_path / "lead.db", author="Lead")
    taker = Store(tmp_path / "taker.db", author="Taker")
    share = tmp_path / "share"
    review, conversation = start_review(lead)
    if first_note:
        lead.add_note(conversation, first_note)
    share_review(lead, review, share, PASS, scrypt_n=FAST_SCRYPT)
    join_share(taker, share, PASS)
    yield lead, taker, share, review, conversation
    lead.close()
    taker.close()


def texts(store: Store, review: str) -> set[str]:
    return {n.text for n in store.notes(review=review)}
