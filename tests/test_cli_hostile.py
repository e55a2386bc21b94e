"""Every command, on a review whose text is hostile: note text arrives from other laptops
by sync and from imported records, so it may hold markup, terminal escapes (ANSI, OSC),
bidirectional overrides, NUL and a megabyte of text. Nothing a terminal would obey may
reach the output, nothing may end in a traceback, and JSON must stay faithful."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import click
import pytest

from facilitator.cli.main import cli, main
from facilitator.service import Service
from facilitator.store import Store

MARKUP = "[bold red]alarm[/] [link=https://example.org]click[/link]"
ANSI = "\x1b[2J\x1b[H\x1b[31mcleared\x1b[0m"
OSC = "\x1b]0;owned title\x07 \x1b]8;;https://evil.example\x1b\\link\x1b]8;;\x1b\\"
RTL = "\u202edetaeh\u202c \u05e9\u05dc\u05d5\u05dd \u0645\u0631\u062d\u0628\u0627"
NUL = "before\x00after \x9b31m c1"
HOSTILE = f"{MARKUP} {ANSI} {OSC} {RTL} {NUL}"
BIG = "A" * 500_000 + "\x1b]0;deep inside\x07" + "B" * 500_000

# What a terminal would obey: C0 controls but line feed and tab, DEL, C1 controls, and
# the bidirectional controls.
UNSAFE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]"
)
PASS = "correct horse battery"


def invoke(store: Path, *args: str) -> tuple[int, str, str]:
    """The CLI in this process (as `facilitator` runs it), output captured."""
    from click.testing import CliRunner

    runner = CliRunner()
    code = 0

    def entry() -> None:
        nonlocal code
        try:
            main(["--store", str(store), *args])
        except SystemExit as exc:
            code = int(exc.code or 0)

    with runner.isolation() as (out, err, _):
        entry()
        stdout = out.getvalue().decode("utf-8")
        stderr = err.getvalue().decode("utf-8")
    return code, stdout, stderr


def leaf_commands(group: click.Group = cli, prefix: tuple[str, ...] = ()) -> Iterator[str]:
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            yield from leaf_commands(command, (*prefix, name))
        else:
            yield " ".join((*prefix, name))


@pytest.fixture(scope="module")
def hostile_review(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    folder = tmp_path_factory.mktemp("hostile")
    path = folder / "store.db"
    from facilitator.method import load_method

    with Store(path, author="Jo") as store:
        service = Service(store, load_method())
        review = store.create_review(f"Child {HOSTILE}", [HOSTILE])
        person = store.add_participant(
            review, role=f"Social worker {HOSTILE}", agency=f"CSC {OSC}", name=f"Sam {ANSI}"
        )
        other = store.add_participant(
            review, role=f"Nurse {RTL}", agency="Health", kind="family", pseudonym=f"Mum {NUL}"
        )
        conversation = store.conversation(
            store.new_conversation(review, person, lead=f"Lee {OSC}", note_taker=f"Nat {ANSI}")
        )
        store.start_conversation(conversation)
        for line in (
            f"#new Home visit {HOSTILE} (3 March 2024) said {HOSTILE} @family- @res+",
            f'"{HOSTILE} #E1',
            f"? ask about {HOSTILE} #E1",
            f"! differs {HOSTILE} #E1",
            f">> team view {HOSTILE} #E1",
            f"+ went well {HOSTILE}",
            f"~ idea {HOSTILE}",
        ):
            service.record_note(conversation, line)
        # A megabyte of text as it would arrive from another laptop.
        store.add_note(conversation, BIG, episodes=[store.episodes(review)[0].id])
        store.new_conversation(review, other)
    html = folder / "record.html"
    html.write_text(
        f"<html><body><p>03/03/2024 Visit by {MARKUP} {ANSI} {OSC} \x9b1m</p>"
        f"<p>04/03/2024 Call {OSC}</p><p>05/03/2024 Letter {RTL}</p></body></html>",
        encoding="utf-8",
    )
    # A pack sent back with a comment (on text that is not in any draft).
    import docx

    reply = docx.Document()
    paragraph = reply.add_paragraph(f"Rewritten {MARKUP} {RTL}")  # what XML can carry
    reply.add_comment(paragraph.runs[0], text=f"Wrong {MARKUP} {RTL}", author=f"Sam {RTL}")
    reply.save(str(folder / "reply.docx"))
    passphrase = folder / "pass.txt"
    passphrase.write_text(PASS + "\n", encoding="utf-8")
    return {"path": path, "folder": folder, "html": html, "passphrase": passphrase}


def _commands(h: dict[str, object]) -> list[tuple[str, list[str]]]:
    """Every leaf command with hostile arguments where it takes text; run in this order."""
    folder: Path = h["folder"]  # type: ignore[assignment]
    share = folder / "share"
    return [
        ("reviewer", ["reviewer", f"Alex {HOSTILE}"]),
        ("help tags", ["help", "tags"]),
        ("review list", ["review", "list"]),
        ("review new", ["review", "new", HOSTILE, "--question", HOSTILE]),
        ("participant list", ["participant", "list", "R1"]),
        ("participant add", ["participant", "add", "R1", "--role", HOSTILE, "--agency", OSC]),
        ("participant edit", ["participant", "edit", "P1", "--name", f"Sam {HOSTILE}"]),
        ("conversation list", ["conversation", "list", "R1"]),
        ("conversation new", ["conversation", "new", "R1", "P1", "--lead", HOSTILE]),
        ("note add", ["note", "add", "C1", f"{HOSTILE} #E1 @team"]),
        ("note team", ["note", "team", f"{HOSTILE} #E1 @team-", "--review", "R1"]),
        ("note team-list", ["note", "team-list", "--review", "R1"]),
        ("overview", ["overview", "R1"]),
        ("coverage", ["coverage", "C1"]),
        ("matrix", ["matrix", "R1"]),
        ("plan", ["plan", "P1", "--review", "R1"]),
        ("episode list", ["episode", "list", "R1"]),
        ("episode show", ["episode", "show", "E1", "--review", "R1"]),
        ("episode rename", ["episode", "rename", "E1", HOSTILE, "--review", "R1"]),
        ("episode date", ["episode", "date", "E1", f"Mar 2024 {ANSI}", "--review", "R1"]),
        ("episode judge", ["episode", "judge", "E1", "--good", HOSTILE, "--review", "R1"]),
        ("episode involve", ["episode", "involve", "E1", "P2", "--review", "R1"]),
        ("episode split", ["episode", "split", "E1", HOSTILE, "notes#1", "--review", "R1"]),
        ("episode merge", ["episode", "merge", "E1", "E2", "--review", "R1"]),
        ("episode unmerge", ["episode", "unmerge", "E2", "--review", "R1"]),
        ("contradict", ["contradict", "notes#1", "notes#2"]),
        ("pattern types", ["pattern", "types"]),
        (
            "pattern add",
            ["pattern", "add", "R1", HOSTILE, "--type", "crisis-response", "--episode", "E1"],
        ),
        ("pattern list", ["pattern", "list", "R1"]),
        ("pattern rank", ["pattern", "rank", "patterns#0", "--priority", "1"]),
        ("recommend add", ["recommend", "add", "R1", HOSTILE, "--kind", "research"]),
        ("recommend list", ["recommend", "list", "R1"]),
        ("ideas", ["ideas", "R1"]),
        # The replacement holds escapes but no word of a registered name: a replacement
        # that names someone is refused (issue 13), and the names here are HOSTILE's words.
        ("redact add", ["redact", "R1", "add", HOSTILE, "--as", "\x1b]0;\x07\x1b[2J\x9b1m"]),
        ("redact list", ["redact", "R1", "list"]),
        ("redact remove", ["redact", "R1", "remove", "redactions#-1"]),
        ("import", ["import", "R1", str(h["html"]), "--agency", HOSTILE, "--title", HOSTILE]),
        ("chronology list", ["chronology", "R1", "list", "--all"]),
        ("chronology accept", ["chronology", "R1", "accept", "chronology#0"]),
        ("chronology dismiss", ["chronology", "R1", "dismiss", "chronology#1"]),
        ("export", ["export", "R1", "--format", "md"]),
        ("draft new", ["draft", "R1", "new", "preliminary"]),
        ("draft list", ["draft", "R1", "list"]),
        ("draft export", ["draft", "R1", "export", "D1", "--for", "P1", "--format", "md"]),
        ("draft send", ["draft", "R1", "send", "D1", "P1"]),
        (
            "comment import",
            # Not a pack (that is refused without --force): its comment's text is hostile.
            [
                "comment",
                "R1",
                "import",
                "D1",
                str(folder / "reply.docx"),
                "--from",
                "P1",
                "--force",
            ],  # fmt: skip
        ),
        ("comment add", ["comment", "R1", "add", "D1", "--from", "P2", "--on", "E1", HOSTILE]),
        ("comment list", ["comment", "R1", "list"]),
        ("comment respond", ["comment", "R1", "respond", "K2", "--decline", "--note", HOSTILE]),
        (
            "meeting new",
            ["meeting", "R1", "new", "interim", "--at", "1 June 2025", "--attended", "P1,P2"],
        ),  # fmt: skip
        ("meeting guide", ["meeting", "R1", "guide", "closing"]),
        ("dialogue", ["dialogue", "R1"]),
        ("store check", ["store", "check"]),
        ("store rebuild", ["store", "rebuild"]),
        ("store compact", ["store", "compact"]),
        (
            "review share",
            ["review", "share", "R1", str(share), "--passphrase-file", str(h["passphrase"])],
        ),
        ("sync", ["sync", "R1"]),
        ("review join", ["review", "join", str(share), "--passphrase-file", str(h["passphrase"])]),
        (
            "review archive",
            [
                "review",
                "archive",
                "R1",
                "-o",
                str(folder / "r1.archive"),
                "--passphrase-file",
                str(h["passphrase"]),
            ],
        ),
        (
            "review restore",
            [
                "review",
                "restore",
                str(folder / "r1.archive"),
                "--passphrase-file",
                str(h["passphrase"]),
            ],
        ),
        ("review purge", ["review", "purge", "R2", "--confirm", HOSTILE]),
        ("lead", ["lead", "C1"]),
        ("notes", ["notes", "C1"]),
        ("demo", ["demo", "--no-open"]),
    ]


def _row_id(store: Path, placeholder: str) -> str:
    """``notes#1``: the id of the second row of that table in the first review."""
    table, index = placeholder.split("#")
    with Store(store) as opened:
        review = opened.reviews()[0].id
        return opened.rows(table, review)[int(index)]["id"][:8]


def test_every_command_shows_hostile_text_without_obeying_it(
    hostile_review: dict[str, object],
) -> None:
    path: Path = hostile_review["path"]  # type: ignore[assignment]
    commands = _commands(hostile_review)
    assert {name for name, _ in commands} == set(leaf_commands())
    seen = ""
    for name, args in commands:
        args = [_row_id(path, a) if re.fullmatch(r"[a-z]+#-?\d", a) else a for a in args]
        code, stdout, stderr = invoke(path, *args)
        output = stdout + stderr
        assert "Traceback" not in output, (name, output[-2000:])
        bad = UNSAFE.search(output)
        assert bad is None, (name, repr(output[max(0, bad.start() - 80) : bad.end() + 80]))
        if code != 0:
            # Refusals are one clear line: the app needs a terminal, a date with escapes
            # in it is not a date.
            assert name in {"lead", "notes", "episode date"}, (name, stderr)
            assert len(stderr.strip().splitlines()) == 1, (name, stderr)
        seen += output
    # What was hostile is shown, not lost: visible marks and the literal markup.
    assert "[bold red]alarm[/]" in seen
    assert "\u241b]0;owned title\u2407" in seen
    assert "<U+202E>detaeh" in seen
    assert "before\u2400after" in seen


def test_json_stays_faithful_and_safe(hostile_review: dict[str, object]) -> None:
    path: Path = hostile_review["path"]  # type: ignore[assignment]
    for args in (
        ["review", "list", "--json"],
        ["export", "R1", "--format", "json"],
        ["plan", "P1", "--review", "R1", "--json"],
    ):
        code, stdout, stderr = invoke(path, *args)
        assert code == 0, stderr
        assert UNSAFE.search(stdout) is None, args
        data = json.loads(stdout)
        dumped = json.dumps(data, ensure_ascii=False)
        assert HOSTILE in dumped or json.dumps(HOSTILE, ensure_ascii=False)[1:-1] in dumped, args
    code, stdout, _ = invoke(path, "export", "R1", "--format", "json")
    notes = [n["text"] for n in json.loads(stdout)["notes"]]
    assert BIG in notes


def test_invalid_utf8_on_the_command_line_is_replaced_and_said(tmp_path: Path) -> None:
    store = tmp_path / "s.db"

    def run(*args: bytes) -> subprocess.CompletedProcess[bytes]:
        return subprocess.run(
            [sys.executable, "-m", "facilitator", "--store", str(store), *args],
            capture_output=True,
            stdin=subprocess.DEVNULL,
        )

    made = run(b"review", b"new", b"Child \xff\xfe R")
    assert made.returncode == 0, made.stderr
    assert b"Traceback" not in made.stderr
    assert b"not UTF-8" in made.stderr
    with Store(store) as opened:
        assert opened.reviews()[0].title == "Child \ufffd\ufffd R"
    missing = run(b"review", b"list", b"\xff")
    assert b"Traceback" not in missing.stderr
    # A file whose name is not UTF-8 is found by its bytes and stored with U+FFFD.
    record = tmp_path / "caf\udce9.txt"
    record.write_bytes(b"03/03/2024 Home visit\n")
    imported = run(b"import", b"R1", bytes(record))
    assert imported.returncode == 0, imported.stderr
    with Store(store) as opened:
        (document,) = opened.documents(opened.reviews()[0].id)
        assert document.filename == "caf\ufffd.txt" and document.title == "caf\ufffd"


def test_the_cli_prints_only_through_its_one_output_helper() -> None:
    """A command added later that prints with click directly would skip the safety."""
    import facilitator.cli

    folder = Path(facilitator.cli.__file__).parent
    direct = [
        f"{path.name}:{number}"
        for path in sorted(folder.glob("*.py"))
        if path.name != "output.py"
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if re.search(r"\bclick\.(echo|secho)\(|\bprint\(|sys\.std(out|err)\.write", line)
    ]
    assert direct == []


@pytest.mark.parametrize("text", [HOSTILE, BIG[-600_010:], "\udcff\ud800", "\u2028\u2029"])
def test_visible_text_and_faithful_json(text: str) -> None:
    from facilitator.safe_text import json_safe, visible

    shown = visible(text)
    assert UNSAFE.search(shown) is None
    shown.encode("utf-8")  # a lone surrogate would fail here, as it fails on a terminal
    dumped = json_safe(json.dumps({"t": text}, ensure_ascii=False))
    assert UNSAFE.search(dumped) is None
    assert json.loads(dumped) == {"t": text}


# Text arriving by sync that tries to print rows and messages of its own.
FORGED = "R9   Forged review  (0 participants, 0 conversations)"
FORGE = (
    f"x\n{FORGED}\r\nfacilitator: forged message\u2028{FORGED}\u2029{FORGED}"
    f"\x85{FORGED}\x0b{FORGED}\x0c{FORGED}\t|"
)


def test_line_breaks_in_fields_cannot_forge_rows_or_messages(tmp_path: Path) -> None:
    """A title or a role holding line breaks printed raw made a list show rows and
    messages that are not there (found by the hostile tester of issue 15)."""
    path = tmp_path / "store.db"
    with Store(path, author="Jo") as store:
        review = store.create_review(f"Child {FORGE}", [FORGE])
        person = store.add_participant(
            review, role=f"Nurse {FORGE}", agency=f"Health {FORGE}", name=f"Sam {FORGE}"
        )
        conversation = store.conversation(
            store.new_conversation(review, person, lead=f"Lee {FORGE}")
        )
        store.start_conversation(conversation)
        episode = store.create_episode(review, f"Visit {FORGE}", date_text="3 March 2024")
        note = store.add_note(conversation, f"said {FORGE}", episodes=[episode])
        store.add_note(conversation, f"ask {FORGE}", kind="question", episodes=[episode])
        store.add_follow_up(review, f"check {FORGE}", conversation=conversation.id, note=note)
    for args in (
        ["recommend", "add", "R1", f"Rec {FORGE}", "--kind", "research"],
        ["pattern", "add", "R1", f"Pattern {FORGE}", "--type", "crisis-response"],
        # Its replacement cannot carry the forged lines: they are the registered name's words.
        ["redact", "R1", "add", f"Sam {FORGE}", "--as", "A\n\x0b\u2028person"],
    ):
        code, _, stderr = invoke(path, *args)
        assert code == 0, (args, stderr)
    for args in (
        ["review", "list"],
        ["participant", "list", "R1"],
        ["conversation", "list", "R1"],
        ["overview", "R1"],
        ["coverage", "C1"],
        ["matrix", "R1"],
        ["plan", "P1", "--review", "R1"],
        ["episode", "list", "R1"],
        ["episode", "show", "E1", "--review", "R1"],
        ["pattern", "list", "R1"],
        ["recommend", "list", "R1"],
        ["redact", "R1", "list"],
        ["episode", "show", f"E9\n{FORGED}", "--review", "R1"],
        ["review", "new", f"x\n{FORGED}"],
    ):
        code, stdout, stderr = invoke(path, *args)
        assert "Traceback" not in stdout + stderr
        for line in (stdout + stderr).splitlines():
            assert not line.startswith(("R9 ", "facilitator: forged")), (args, line)
        assert "\t|" not in stdout, args  # a tab moves columns
    _, listed, _ = invoke(path, "review", "list")
    assert len(listed.splitlines()) == 2  # R1, and the review made above
    assert "\u2424" in listed  # the line break is shown, not lost


INVISIBLE = "zero\u200bwidth \ufeffbom word\u2060joiner tag\U000e0041\U000e007f end"


def test_invisible_characters_are_shown_in_text_for_people(tmp_path: Path) -> None:
    """Zero-width spaces, a byte-order mark and Unicode tag characters reached the
    terminal raw: text that reads the same can differ, or hide a message."""
    from facilitator.safe_text import json_safe, one_line, visible

    for shown in (visible(INVISIBLE), one_line(INVISIBLE)):
        assert not re.search("[\u200b\u2060\ufeff\U000e0000-\U000e007f]", shown), shown
        assert "<U+200B>" in shown and "<U+E0041>" in shown
    assert json.loads(json_safe(json.dumps({"t": INVISIBLE}))) == {"t": INVISIBLE}
    path = tmp_path / "store.db"
    code, _, _ = invoke(path, "review", "new", INVISIBLE)
    assert code == 0
    code, out, _ = invoke(path, "review", "list")
    assert code == 0 and "<U+FEFF>" in out and "\ufeff" not in out


def test_a_tilde_in_store_is_the_home_folder(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.chdir(tmp_path)
    code, _, err = invoke(Path("~/reviews.db"), "review", "new", "At home")
    assert code == 0, err
    assert (tmp_path / "reviews.db").exists() and not (tmp_path / "~").exists()
