"""Reusable widgets (the split view embeds NoteCapture beside the lead's panel)."""
