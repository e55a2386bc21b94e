"""The end-to-end tests run on a private tmux server (issue 12): whatever another program
set on the default server cannot reach them, and they never touch its sessions."""

from __future__ import annotations

import subprocess
from collections.abc import Callable

from tests.tmux_support import SERVER, tmux


def test_sessions_live_on_a_private_server(terminal: Callable[..., str]) -> None:
    session = terminal("sleep 30", 80, 24)
    assert session in tmux("list-sessions", "-F", "#{session_name}")
    on_default = subprocess.run(
        ["tmux", "has-session", "-t", session], capture_output=True, text=True
    )
    assert on_default.returncode != 0
    assert SERVER in tmux("display", "-p", "-t", session, "#{socket_path}")
