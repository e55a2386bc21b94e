"""The key footer every screen shows: Textual's, made compact on narrow terminals (the
palette hint gives way first; F1 lists it), and given a second line when a screen's keys
still do not fit, so no key is ever cut off (the ranking panel, the notes list and the
episodes board have more keys than 80 columns hold on one line)."""

from __future__ import annotations

from textual import events
from textual.app import ComposeResult
from textual.containers import HorizontalGroup
from textual.css.query import NoMatches
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

NARROW = 100  # columns below which the footer drops its spacing and the palette hint


class KeyFooter(Footer):
    DEFAULT_CSS = """
    KeyFooter.-rows { layout: vertical; }
    KeyFooter > HorizontalGroup.key-row { width: 1fr; height: 1; }
    """

    def on_mount(self) -> None:
        # Before the keys are first composed, so the first footer drawn already fits.
        self._fit(self.app.size.width, recompose=False)

    def on_resize(self, event: events.Resize) -> None:
        self._fit(event.size.width)

    def _fit(self, width: int, *, recompose: bool = True) -> None:
        narrow = width < NARROW
        if narrow == self.compact and narrow != self.show_command_palette:
            if recompose and self.is_attached and self._rows_needed(width) != self._rows:
                self.call_after_refresh(self.recompose)
            return
        self.compact = narrow
        self.show_command_palette = not narrow
        if recompose and self.is_attached:
            self.call_after_refresh(self.recompose)

    _rows = 1

    def _keys(self) -> list[FooterKey]:
        keys = []
        seen: set[str] = set()
        try:
            active = self.screen.active_bindings
        except NoMatches:
            # A screen whose check_action looks up widgets not mounted yet: the footer is
            # composed again when its bindings change, once they are there.
            return keys
        for _node, binding, enabled, tooltip in active.values():
            if not binding.show or binding.action in seen:
                continue
            seen.add(binding.action)
            keys.append(
                FooterKey(
                    binding.key,
                    self.app.get_key_display(binding),
                    binding.description,
                    binding.action,
                    disabled=not enabled,
                    tooltip=tooltip,
                ).data_bind(compact=Footer.compact)
            )
        return keys

    def _width_of(self, key: FooterKey) -> int:
        if self.compact:  # "key description" and a one-column gap
            return len(key.key_display) + 1 + len(key.description) + 1
        return len(key.key_display) + 2 + len(key.description) + 1

    def _split(self, keys: list[FooterKey], width: int) -> list[list[FooterKey]]:
        rows: list[list[FooterKey]] = [[]]
        used = 0
        for key in keys:
            needed = self._width_of(key)
            if rows[-1] and used + needed > width + 1:  # the last gap may overhang
                rows.append([])
                used = 0
            rows[-1].append(key)
            used += needed
        return rows

    def _rows_needed(self, width: int) -> int:
        if not self._bindings_ready or not self.is_attached:
            return 1
        return len(self._split(self._keys(), width))

    def compose(self) -> ComposeResult:
        if not self._bindings_ready:
            return
        width = self.app.size.width
        rows = self._split(self._keys(), width) if self.compact else [self._keys()]
        self._rows = len(rows)
        self.set_class(len(rows) > 1, "-rows")
        self.styles.height = len(rows)
        if len(rows) == 1:
            yield from rows[0]
        else:
            for row in rows:
                with HorizontalGroup(classes="key-row"):
                    yield from row
        if self.show_command_palette and self.app.ENABLE_COMMAND_PALETTE:
            try:
                _node, binding, enabled, tooltip = self.screen.active_bindings[
                    self.app.COMMAND_PALETTE_BINDING
                ]
            except KeyError:
                return
            yield FooterKey(
                binding.key,
                self.app.get_key_display(binding),
                binding.description,
                binding.action,
                classes="-command-palette",
                disabled=not enabled,
                tooltip=binding.tooltip or binding.description,
            )
