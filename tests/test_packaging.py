"""A non-editable install must carry the guides inside the wheel."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_wheel_contains_package_and_guides(tmp_path: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--quiet",
            "-w",
            str(tmp_path),
            str(ROOT),
        ],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    [wheel] = tmp_path.glob("facilitator-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "facilitator/cli/main.py" in names
    for n in range(1, 10):
        assert any(name.startswith(f"facilitator/guides/stages/{n}-") for name in names)
    assert "facilitator/guides/factors.md" in names
    entry = next(n for n in names if n.endswith("entry_points.txt"))
    assert "facilitator = facilitator.cli:main" in zipfile.ZipFile(wheel).read(entry).decode()

    # The installed layout finds its guides without the source checkout.
    target = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(target)
    probe = subprocess.run(
        [
            sys.executable,
            "-c",
            "import facilitator.method as m; print(m.default_guides_dir()); "
            "print(len(m.load_method().stages))",
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={"PYTHONPATH": str(target), "PATH": "/usr/bin:/bin"},
    )
    assert probe.returncode == 0, probe.stderr
    assert str(target / "facilitator" / "guides") in probe.stdout
    assert probe.stdout.strip().endswith("9")
