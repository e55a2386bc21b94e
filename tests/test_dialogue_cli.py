"""The dialogue commands as the issue lists them (issue 16): a whole round through the
real command line, as a team would run it, and their errors."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta
from pathlib import Path

import docx
import pytest

from facilitator.method import load_method
from facilitator.service import Service
from facilitator.store import Store
from tests.cli_support import run_cli
from tests.review_fixture import build_review_fixture

WORRIED = "Said at the conference she was worried and wanted a plan"

# Cited by role, label and the start of its id, never quoted.
CITED = r"Following a comment from Health visitor, Community health \(K1, ref [0-9a-f]{6}\) on D1\."


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    path = tmp_path / "team.db"
    with Store(path, author="Alex Reviewer") as store:
        build_review_fixture(Service(store, load_method()))
    return path


def ok(store: Path, *args: str) -> str:
    result = run_cli(store, "--as", "Alex Reviewer", *args)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_a_whole_round_through_the_command_line(tmp_path: Path, store_path: Path) -> None:
    draft = ok(store_path, "draft", "R1", "new", "preliminary").strip()
    assert len(draft) == 32
    assert "D1" in ok(store_path, "draft", "R1", "list")
    # Sent today, this minute: not before its draft was frozen, nor later than now.
    sent = datetime.now().astimezone()
    today, minute = sent.date().isoformat(), f"{sent:%H:%M}"
    ok(store_path, "draft", "R1", "send", "D1", "P2", "--at", f"{today} {minute}")
    pack = tmp_path / "pack-P2.docx"
    assert ok(store_path, "draft", "R1", "export", "D1", "--for", "P2", "--format", "docx",
              "-o", str(pack)).strip() == str(pack)  # fmt: skip

    # The health visitor comments in Word and sends it back.
    document = docx.Document(str(pack))
    paragraph = next(p for p in document.paragraphs if WORRIED in p.text)
    document.add_comment(paragraph.runs[-1], text="I asked for a plan.", author="Chloe Dunn")
    document.save(str(pack))
    imported = run_cli(store_path, "comment", "R1", "import", "D1", str(pack), "--from", "P2")
    assert imported.returncode == 0, imported.stderr
    assert "1 comment(s) imported" in imported.stderr
    (comment_id,) = imported.stdout.split()

    listed = json.loads(ok(store_path, "comment", "R1", "list", "--open", "--json"))
    assert [c["id"] for c in listed] == [comment_id]
    assert listed[0]["on"]["label"] == "E2" and listed[0]["anchor"] == "found"

    ok(store_path, "comment", "R1", "respond", "K1", "--accept", "--note", "Judgement revised")
    assert ok(store_path, "comment", "R1", "list", "--open").strip() == "No unanswered comments."
    ok(store_path, "episode", "judge", "E2", "--problematic", "No plan although one was asked for")
    ok(store_path, "draft", "R1", "new", "interim")
    interim = ok(store_path, "draft", "R1", "export", "D2", "--format", "md")
    assert "## What changed since the previous draft" in interim
    assert "The team's judgement of E2 (Case conference) was revised." in interim
    assert "I asked for a plan." not in interim  # cited, not quoted to everyone
    assert re.search(CITED, interim)

    meeting = run_cli(store_path, "meeting", "R1", "new", "preliminary", "--at",
                      "10 June 2025 12:00", "--attended", "P1,P2")  # fmt: skip
    assert meeting.returncode == 0, meeting.stderr
    assert "facilitator notes C5" in meeting.stderr
    # Notes typed up later: the meeting's conversation starts at the first note's time.
    note = ["note", "add", "C5", "Both agreed the conference minutes came late #2"]
    assert "--at" in run_cli(store_path, *note).stderr
    ok(store_path, *note, "--at", "10 June 2025 12:05")
    listed = ok(store_path, "conversation", "list", "R1").splitlines()
    assert listed[-1].startswith("C5   Preliminary group meeting: P1, P2  1st  in progress")
    assert "10 Jun 2025 12:05" in listed[-1]

    board = ok(store_path, "dialogue", "R1")
    assert (
        f"sent to P2 Health visitor on {today} {minute}: 1 comment(s) back, 0 unanswered" in board
    )
    assert "D2  Interim report" in board
    assert "attended: P1 Social worker, P2 Health visitor; notes in C5" in board

    dumped = json.loads(ok(store_path, "export", "R1", "--format", "json"))
    dialogue = dumped["dialogue"]
    assert [d["label"] for d in dialogue["drafts"]] == ["D1", "D2"]
    assert dialogue["sends"][0]["at"].startswith(f"{today}T{minute}")
    assert dialogue["comments"][0]["answer"]["response"] == "accepted"
    assert dialogue["meetings"][0]["kind"] == "preliminary"


def test_dialogue_errors_are_one_clear_line(store_path: Path) -> None:
    def fails(*args: str) -> str:
        result = run_cli(store_path, *args)
        assert result.returncode != 0
        assert "Traceback" not in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
        return result.stderr

    assert "'second' is not one of 'preliminary', 'interim', 'final'" in fails(
        "draft", "R1", "new", "second"
    )
    ok(store_path, "draft", "R1", "new", "preliminary")
    assert "no dialogue draft matches 'D9'" in fails(
        "draft", "R1", "export", "D9", "--format", "md"
    )
    assert "has no pattern '1'" in fails(
        "comment", "R1", "add", "D1", "--from", "P1", "--on", "pattern 1", "Wrong"
    )
    assert "say what the comment is on" in fails(
        "comment", "R1", "add", "D1", "--from", "P1", "--on", "somewhere", "Wrong"
    )
    ok(store_path, "comment", "R1", "add", "D1", "--from", "P1", "--on", "E3", "Date is wrong")
    assert "needs the reason" in fails("comment", "R1", "respond", "K1", "--decline")
    assert "--accept, --decline or --noted" in fails("comment", "R1", "respond", "K1")
    assert "no participant matches 'P9'" in fails(
        "meeting", "R1", "new", "closing", "--at", "1 July 2025", "--attended", "P1,P9"
    )
    not_word = store_path.parent / "reply.docx"
    not_word.write_text("Thanks, all fine", encoding="utf-8")
    message = fails("comment", "R1", "import", "D1", str(not_word), "--from", "P1")
    assert "not a readable Word document" in message and "nothing was imported" in message


def test_the_meeting_guides_are_shown_and_a_broken_one_is_named(
    tmp_path: Path, store_path: Path
) -> None:
    guide = ok(store_path, "meeting", "R1", "guide", "closing")
    assert guide.startswith("Closing meeting")
    broken = tmp_path / "guides"
    import shutil

    shutil.copytree(load_method().source, broken)
    text = (broken / "meetings.md").read_text(encoding="utf-8")
    (broken / "meetings.md").write_text(text.replace("## interim:", "## middle:"), "utf-8")
    result = run_cli(store_path, "--guides", str(broken), "meeting", "R1", "guide", "interim")
    assert result.returncode == 1
    assert "meetings.md" in result.stderr and "interim" in result.stderr


def test_an_answer_is_one_flag_and_a_changed_answer_says_what_it_replaced(
    store_path: Path,
) -> None:
    ok(store_path, "draft", "R1", "new", "preliminary")
    ok(store_path, "comment", "R1", "add", "D1", "--from", "P1", "--on", "E3", "Date is wrong")
    both = run_cli(store_path, "comment", "R1", "respond", "K1", "--accept", "--noted")
    assert both.returncode != 0 and "only one of" in both.stderr
    ok(store_path, "comment", "R1", "respond", "K1", "--decline", "--note", "Records agree")
    changed = run_cli(store_path, "comment", "R1", "respond", "K1", "--accept")
    assert changed.returncode == 0
    assert "replaces the earlier answer: declined (Records agree)" in changed.stderr
    listed = json.loads(ok(store_path, "comment", "R1", "list", "--json"))
    (answer,) = [c["answer"] for c in listed]
    assert answer["response"] == "accepted"
    assert [e["note"] for e in answer["earlier"]] == ["Records agree"]


def test_send_and_meeting_times_are_checked_and_each_send_is_kept(store_path: Path) -> None:
    def refused(*args: str) -> str:
        result = run_cli(store_path, *args)
        assert result.returncode != 0 and "Traceback" not in result.stderr, result.stderr
        return result.stderr

    ok(store_path, "draft", "R1", "new", "preliminary")
    assert "before D1 was frozen" in refused(
        "draft", "R1", "send", "D1", "P1", "--at", "0001-01-01"
    )
    assert "later than now" in refused("draft", "R1", "send", "D1", "P1", "--at", "2099-01-01")
    # Later today is the future too (it was let through by up to a day).
    later = datetime.now().astimezone() + timedelta(minutes=30)
    if later.date() == datetime.now().astimezone().date():
        assert "later than now" in refused(
            "draft", "R1", "send", "D1", "P1", "--at", f"{later:%Y-%m-%d %H:%M}"
        )
    assert "give the day" in refused("draft", "R1", "send", "D1", "P1", "--at", "March 2025")
    ok(store_path, "draft", "R1", "send", "D1", "P1")
    ok(store_path, "draft", "R1", "send", "D1", "P1", "--at", "now")  # again: both kept
    with Store(store_path) as store:
        from facilitator.dialogue.records import sends

        assert len(sends(store, store.reviews()[0].id)) == 2
    assert "sent to P1 Social worker on " in ok(store_path, "dialogue", "R1")
    meeting = ("meeting", "R1", "new", "interim", "--at")
    assert "names nobody" in refused(*meeting, "1 July 2025", "--attended", ",,,")
    assert "long before this review" in refused(*meeting, "1 January 1900")
    assert "give the day" in refused(*meeting, "July 2025")


def test_a_typed_comment_can_be_on_the_participants_own_record(store_path: Path) -> None:
    ok(store_path, "draft", "R1", "new", "preliminary")
    ok(store_path, "comment", "R1", "add", "D1", "--from", "P2", "--on", "record", "Not quite")
    ok(store_path, "comment", "R1", "add", "D1", "--from", "P2", "--on", "C2", "Wrong time")
    listed = json.loads(ok(store_path, "comment", "R1", "list", "--json"))
    assert [(c["on"]["kind"], c["on"]["label"]) for c in listed] == [
        ("record", "C2 record"),
        ("record", "C2 record"),
    ]
    other = run_cli(store_path, "comment", "R1", "add", "D1", "--from", "P2", "--on", "C3", "x")
    assert other.returncode != 0 and "not P2's own record" in other.stderr


def test_a_pack_written_under_its_own_name_never_replaces_one_there(
    store_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PYTHONPATH", str(Path(__file__).resolve().parents[1]))
    monkeypatch.chdir(tmp_path)
    ok(store_path, "draft", "R1", "new", "preliminary")
    export = ("draft", "R1", "export", "D1", "--for", "P3", "--format", "docx")
    assert ok(store_path, *export).strip() == "D1-preliminary-P3.docx"
    before = (tmp_path / "D1-preliminary-P3.docx").read_bytes()
    again = run_cli(store_path, *export)
    assert again.returncode != 0 and "already exists" in again.stderr
    assert (tmp_path / "D1-preliminary-P3.docx").read_bytes() == before


def test_a_pack_never_goes_silently_over_a_file_already_there(
    tmp_path: Path, store_path: Path
) -> None:
    ok(store_path, "draft", "R1", "new", "preliminary")
    returned = tmp_path / "pack-P2.docx"
    returned.write_bytes(b"the participant's returned pack, with comments")
    export = ("draft", "R1", "export", "D1", "--for", "P2", "--format", "docx", "-o")
    result = run_cli(store_path, *export, str(returned))
    assert result.returncode == 1 and "already exists" in result.stderr
    assert returned.read_bytes() == b"the participant's returned pack, with comments"
    ok(store_path, *export, str(returned), "--replace")
    assert returned.read_bytes().startswith(b"PK")
    # Markdown in a file named .docx is a file Word cannot open.
    wrong = run_cli(
        store_path, "draft", "R1", "export", "D1", "--format", "md", "-o", str(tmp_path / "x.docx")
    )
    assert wrong.returncode == 1 and "--format is md" in wrong.stderr
    assert not (tmp_path / "x.docx").exists()


def test_answering_a_comment_says_which_comment_it_was(store_path: Path) -> None:
    # After a sync a label may name another laptop's comment: the answer says, in words,
    # which one it went to.
    ok(store_path, "draft", "R1", "new", "preliminary")
    ok(store_path, "comment", "R1", "add", "D1", "--from", "P2", "--on", "E3", "Date is wrong")
    answered = run_cli(store_path, "comment", "R1", "respond", "K1", "--noted")
    assert answered.returncode == 0
    assert len(answered.stdout.strip()) == 32  # the id alone on stdout, for scripts
    assert "noted: K1 from P2: “Date is wrong”" in answered.stderr
