"""`review join` when the shared folder goes away part-way (unplugged, unmounted, a
file-sync client removing it): the join says so plainly, loses nothing, and works when run
again once the folder is back. It used to say "cannot write to …: No such file or
directory", or make `devices/` in the bare mount point left behind (issue 11)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from facilitator.cli.main import main
from facilitator.store import Store
from facilitator.sync import share as share_module
from facilitator.sync import share_review, state
from facilitator.sync.layout import DEVICES

PASS = "correct horse battery"


def invoke(store: Path, *args: str) -> tuple[int, str, str]:
    """The CLI in this process (as `facilitator` runs it), output captured."""
    from click.testing import CliRunner

    code = 0
    with CliRunner().isolation() as (out, err, _):
        try:
            main(["--store", str(store), *args])
        except SystemExit as exc:
            code = int(exc.code or 0)
        return code, out.getvalue().decode("utf-8"), err.getvalue().decode("utf-8")


@pytest.fixture
def shared(tmp_path: Path) -> tuple[Path, Path, Path, str]:
    """(share, taker's store, passphrase file, review): the lead shared a review."""
    share = tmp_path / "share"
    with Store(tmp_path / "lead.db", author="Lead") as lead:
        review = lead.create_review("Fictional review")
        person = lead.add_participant(review, role="Teacher", agency="School")
        talk = lead.conversation(lead.new_conversation(review, person))
        lead.add_note(talk, "Visited the school on Monday")
        share_review(lead, review, share, PASS, scrypt_n=2**10)
    secret = tmp_path / "passphrase.txt"
    secret.write_text(PASS + "\n")
    return share, tmp_path / "taker.db", secret, review


def _when(monkeypatch, step: str, fault) -> None:  # noqa: ANN001
    """Run ``fault`` just before the join's ``step`` (a function share.py calls)."""
    real = getattr(share_module, step)

    def faulty(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        fault()
        return real(*args, **kwargs)

    monkeypatch.setattr(share_module, step, faulty)


def _one_clear_line(code: int, err: str, folder: Path) -> None:
    assert code == 1
    assert "Traceback" not in err and "cannot write" not in err
    line = err.strip().splitlines()[-1]
    assert "went away" in line and "nothing was lost" in line, err
    assert f"'facilitator review join {folder}' again" in line, err


@pytest.mark.parametrize("how", ["removed", "unmounted"])
def test_the_share_going_away_after_review_json_is_read(
    shared, monkeypatch, tmp_path: Path, how: str
) -> None:
    share, taker, secret, review = shared
    away = tmp_path / "away"

    def go() -> None:
        share.rename(away)
        if how == "unmounted":
            share.mkdir()  # the bare mount point left behind

    _when(monkeypatch, "derive_key", go)
    code, out, err = invoke(taker, "review", "join", str(share), "--passphrase-file", str(secret))
    _one_clear_line(code, err, share.absolute())
    assert out == ""
    if how == "unmounted":
        assert list(share.iterdir()) == []  # nothing made in the bare mount point
    with Store(taker) as store:
        assert state.share(store, review) is None  # not half-joined
    # Back again: the join works.
    monkeypatch.undo()
    if how == "unmounted":
        share.rmdir()
    away.rename(share)
    code, out, err = invoke(taker, "review", "join", str(share), "--passphrase-file", str(secret))
    assert code == 0, err
    assert out.strip() == review
    with Store(taker) as store:
        assert [n.text for n in store.notes(review=review)] == ["Visited the school on Monday"]


def test_the_share_going_away_during_the_first_pull(shared, monkeypatch, tmp_path: Path) -> None:
    share, taker, secret, review = shared
    away = tmp_path / "away"
    _when(monkeypatch, "SyncEngine", lambda: share.rename(away))
    code, out, err = invoke(taker, "review", "join", str(share), "--passphrase-file", str(secret))
    _one_clear_line(code, err, share.absolute())
    monkeypatch.undo()
    away.rename(share)
    code, out, err = invoke(taker, "review", "join", str(share), "--passphrase-file", str(secret))
    assert code == 0, err
    assert out.strip() == review
    with Store(taker) as store:
        assert [n.text for n in store.notes(review=review)] == ["Visited the school on Monday"]
    assert not (away / DEVICES).exists()
    shutil.rmtree(share)
