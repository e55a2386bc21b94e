"""Running the real command line in a process of its own, as a user would."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def run_cli(store: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`facilitator --store STORE ARGS...` with no terminal on stdin, and a time limit."""
    return subprocess.run(
        [sys.executable, "-m", "facilitator", "--store", str(store), *args],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=120,
    )
