"""Whole-screen views: home, note-taker, help, dialogs."""
