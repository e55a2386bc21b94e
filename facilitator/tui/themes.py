"""Themes offered besides Textual's own, and which one to start with."""

from __future__ import annotations

from textual.theme import Theme

HIGH_CONTRAST = Theme(
    name="facilitator-high-contrast",
    primary="#FFFF00",
    secondary="#00FFFF",
    accent="#FFFF00",
    foreground="#FFFFFF",
    background="#000000",
    surface="#000000",
    panel="#1A1A1A",
    success="#00FF00",
    warning="#FFFF00",
    error="#FF5555",
    boost="#FFFFFF",
    dark=True,
    variables={
        "border": "#FFFFFF",
        "border-blurred": "#AAAAAA",
        "footer-key-foreground": "#FFFF00",
        "block-cursor-background": "#FFFF00",
        "block-cursor-foreground": "#000000",
        "input-selection-background": "#FFFF00 50%",
    },
)

DEFAULT_THEME = "textual-dark"
NO_COLOR_THEME = "ansi-dark"
THEME_SETTING = "theme"
