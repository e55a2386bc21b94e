"""An export or an archive never replaces the store or any other database (found by the
hostile tester of issue 15: `export -o store.db` emptied the store, with exit status 0)."""

from __future__ import annotations

import sqlite3
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
