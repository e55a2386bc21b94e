"""The Textual app. Imported only when a screen is needed (the CLI stays light)."""
