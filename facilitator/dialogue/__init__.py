"""The dialogue with participants (guide 3.4.4): drafts frozen for them to read, who was
sent which, the comments they send back and the team's answers, and the group meetings.

Below both the CLI and the app: no Textual here, and the store is reached through its
op-writing methods (``emit``) and its read helpers (``rows``), never through SQL.
"""
