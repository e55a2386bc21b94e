"""Shared fixtures: real store files in temporary folders, the real method guides."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from facilitator.method import Method, load_method
from facilitator.service import Service
from facilitator.store import Store


@pytest.fixture(autouse=True)
def _isolated_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test touches the user's real store, settings or guides."""
    monkeypatch.setenv("FACILITATOR_STORE", str(tmp_path / "env-store.db"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    monkeypatch.delenv("FACILITATOR_GUIDES", raising=False)
    monkeypatch.setenv("FACILITATOR_AS", "Test Reviewer")


@pytest.fixture
def method() -> Method:
    return load_method()


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store(tmp_path / "store.db", author="Jordan") as opened:
        yield opened


@pytest.fixture
def service(store: Store, method: Method) -> Service:
    return Service(store, method)


@pytest.fixture
def demo_review(service: Service) -> str:
    from facilitator.demo import build_demo

    return build_demo(service)


# The tmux terminal fixture for the end-to-end tests.
from tests.tmux_support import terminal  # noqa: E402, F401
