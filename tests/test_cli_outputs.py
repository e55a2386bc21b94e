"""An export or an archive never replaces the store or any other database (found by the
hostile tester of issue 15: `export -o store.db` emptied the store, with exit status 0)."""

from __future__ import annotations

import os
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from facilitator.store import Store
from tests.cli_support import run_cli


@pytest.fixture
def store_with_review(tmp_path: Path) -> tuple[Path, str]:
    path = tmp_path / "store.db"
    with Store(path, author="Alex") as store:
        review = store.create_review("Fictional review")
    (tmp_path / "pass").write_text("correct horse battery\n")
    return path, review


@pytest.mark.parametrize(
    "command",
    [
        ["export", "{review}", "--format", "md", "-o", "{target}"],
        ["export", "{review}", "--format", "json", "-o", "{target}"],
        ["review", "archive", "{review}", "-o", "{target}", "--passphrase-file", "{pass}"],
    ],
)
@pytest.mark.parametrize("which", ["the store", "another database"])
def test_an_output_never_replaces_a_database(store_with_review, tmp_path, command, which):
    path, review = store_with_review
    target = path
    if which == "another database":
        target = tmp_path / "other.sqlite"
        with sqlite3.connect(target) as other:
            other.execute("CREATE TABLE cats (name)")
    before = target.read_bytes()
    args = [a.format(review=review, target=target, **{"pass": tmp_path / "pass"}) for a in command]
    result = run_cli(path, *args)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "nothing was written" in result.stderr
    assert target.read_bytes() == before
    with Store(path) as store:
        assert [r.title for r in store.reviews()] == ["Fictional review"]


def test_an_ordinary_output_file_is_still_written(store_with_review, tmp_path) -> None:
    path, review = store_with_review
    result = run_cli(path, "export", review, "--format", "md", "-o", str(tmp_path / "out.md"))
    assert result.returncode == 0, result.stderr
    assert "Fictional review" in (tmp_path / "out.md").read_text()


# --- odd targets for -o (hostile tester of issue 15, second round) ----------------------

WRITERS = [
    ["export", "{review}", "--format", "json", "-o", "{target}"],
    ["export", "{review}", "--format", "md", "-o", "{target}"],
    ["export", "{review}", "--format", "docx", "-o", "{target}"],
    ["review", "archive", "{review}", "-o", "{target}", "--passphrase-file", "{pass}"],
]


def _args(command: list[str], review: str, target: Path, tmp_path: Path) -> list[str]:
    return [a.format(review=review, target=target, **{"pass": tmp_path / "pass"}) for a in command]


@pytest.mark.parametrize("command", WRITERS, ids=["json", "md", "docx", "archive"])
@pytest.mark.parametrize("kind", ["fifo", "device"])
def test_an_output_never_replaces_a_device_or_waits_on_a_pipe(
    store_with_review, tmp_path, command, kind
):
    path, review = store_with_review
    target = tmp_path / "odd"
    if kind == "fifo":
        os.mkfifo(target)
    else:
        if os.geteuid() != 0:
            pytest.skip("making a device node needs root")
        os.mknod(target, 0o666 | stat.S_IFCHR, os.makedev(1, 3))  # a copy of /dev/null
    result = subprocess.run(
        [sys.executable, "-m", "facilitator", "--store", str(path),
         *_args(command, review, target, tmp_path)],
        capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=30,
    )  # fmt: skip
    assert result.returncode == 1, result.stdout + result.stderr
    assert "not a regular file" in result.stderr and "nothing was written" in result.stderr
    assert "Traceback" not in result.stderr
    mode = target.lstat().st_mode
    assert stat.S_ISFIFO(mode) if kind == "fifo" else stat.S_ISCHR(mode)


@pytest.mark.parametrize("command", WRITERS, ids=["json", "md", "docx", "archive"])
def test_an_output_through_a_link_writes_its_target_and_keeps_the_link(
    store_with_review, tmp_path, command
):
    path, review = store_with_review
    real = tmp_path / "real-output"
    real.write_text("old contents")
    link = tmp_path / "link"
    link.symlink_to(real)
    result = run_cli(path, *_args(command, review, link, tmp_path))
    assert result.returncode == 0, result.stderr
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert real.read_bytes() != b"old contents" and real.stat().st_size > 0


def test_a_link_to_a_device_is_refused_and_kept(store_with_review, tmp_path) -> None:
    path, review = store_with_review
    link = tmp_path / "stdout-link"
    link.symlink_to("/dev/null")
    result = run_cli(path, "export", review, "--format", "json", "-o", str(link))
    assert result.returncode == 1 and "not a regular file" in result.stderr
    assert link.is_symlink() and os.readlink(link) == "/dev/null"
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)


@pytest.mark.parametrize("fmt", ["json", "md", "docx"])
def test_dash_writes_to_standard_output(store_with_review, tmp_path, fmt) -> None:
    path, review = store_with_review
    result = subprocess.run(
        [sys.executable, "-m", "facilitator", "--store", str(path), "export", review,
         "--format", fmt, "-o", "-"],
        capture_output=True, stdin=subprocess.DEVNULL, timeout=120, cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert not (tmp_path / "-").exists()
    if fmt == "docx":
        assert result.stdout.startswith(b"PK")
    else:
        assert b"Fictional review" in result.stdout


def test_an_unwritable_folder_is_named_not_the_temporary_file(store_with_review, tmp_path):
    path, review = store_with_review
    target = tmp_path / "missing-folder" / "sub" / "out.json"
    (tmp_path / "missing-folder").write_text("a file, not a folder")
    result = run_cli(path, "export", review, "--format", "json", "-o", str(target))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr and ".out.json." not in result.stderr
    assert str(target) in result.stderr


def test_export_without_o_never_overwrites_a_file_of_the_same_name(store_with_review, tmp_path):
    path, review = store_with_review
    edited = tmp_path / "R1-all.docx"
    edited.write_bytes(b"the reviewer's edited copy")
    run = [sys.executable, "-m", "facilitator", "--store", str(path), "export", review]
    result = subprocess.run(
        [*run, "--format", "docx"], capture_output=True, text=True, cwd=tmp_path,
        stdin=subprocess.DEVNULL, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert edited.read_bytes() == b"the reviewer's edited copy"
    assert (tmp_path / "R1-all-2.docx").read_bytes().startswith(b"PK")
    assert "R1-all-2.docx" in result.stdout
