"""Writing output files: readable by the user only, and never half-written."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_private_bytes(path: Path, data: bytes) -> None:
    """Write atomically (temp file, fsync, rename) with mode 0600."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException:
        if os.path.exists(temp):
            os.unlink(temp)
        raise
