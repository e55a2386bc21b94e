"""Everything the CLI prints goes through here: text for people is made safe to show
(see :mod:`facilitator.safe_text`), JSON is escaped but never altered."""

from __future__ import annotations

import json
from typing import Any

import click

from facilitator.safe_text import json_safe, visible


def echo(message: object = "", *, err: bool = False, nl: bool = True) -> None:
    """Print a line for a person to read; control characters are shown, never obeyed."""
    click.echo(visible(str(message)), err=err, nl=nl)


def echo_json(data: Any) -> None:
    """Print ``data`` as JSON for programs: every value is exactly what the store holds."""
    click.echo(json_safe(json.dumps(data, indent=2, ensure_ascii=False)))


def echo_json_text(dumped: str, *, nl: bool = True) -> None:
    """Print JSON text already made (the review's JSON export)."""
    click.echo(json_safe(dumped), nl=nl)
