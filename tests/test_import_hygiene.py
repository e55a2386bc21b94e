"""Commands that need no screen must not pay for Textual or python-docx."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

HEAVY = ("textual", "docx", "mammoth", "cryptography")


def imported_modules(args: list[str], store: Path) -> set[str]:
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "facilitator", "--store", str(store), *args],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    names = set()
    for line in result.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            names.add(line.rsplit("|", 1)[1].strip().split(".")[0])
    assert names, "python -X importtime printed nothing"
    return names


@pytest.mark.parametrize(
    "args",
    [
        ["review", "list"],
        ["review", "new", "A review"],
        ["export", "R1", "--format", "json"],
        ["store", "check"],
    ],
)
def test_screenless_commands_do_not_import_heavy_libraries(tmp_path: Path, args: list[str]) -> None:
    store = tmp_path / "s.db"
    subprocess.run(
        [sys.executable, "-m", "facilitator", "--store", str(store), "review", "new", "R"],
        check=True,
        capture_output=True,
    )
    loaded = imported_modules(args, store)
    assert "sqlite3" in loaded  # the measurement works
    assert not loaded & set(HEAVY), sorted(loaded & set(HEAVY))


def test_store_layer_knows_nothing_of_the_ui() -> None:
    root = Path(__file__).resolve().parent.parent / "facilitator"
    inner = [
        "store",
        "sync",
        "analysis",
        "dialogue",
        "method.py",
        "model.py",
        "capture.py",
        "hlc.py",
        "dates.py",
        "service.py",
    ]
    offenders = []
    for name in inner:
        path = root / name
        assert path.exists() or name == "sync", f"{name} moved: update this list"
        files = path.rglob("*.py") if path.is_dir() else [path] if path.exists() else []
        for file in files:
            text = file.read_text(encoding="utf-8")
            if "import textual" in text or "from textual" in text or "facilitator.tui" in text:
                offenders.append(str(file.relative_to(root)))
    assert not offenders, offenders
