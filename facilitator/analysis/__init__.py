"""Reading across notes and conversations: coverage, gaps, discrepancies, plans.

Pure functions over records read from the store; the only writes are the team's explicit
operations (merge/split/rename an episode, patterns, saving a plan, marking a query raised),
each a normal store op. Nothing here knows of a UI.

- :mod:`.coverage` — per conversation: stages visited and time in each, episodes named,
  local-rationality prompts and factor areas noted per episode (``conversation_coverage``).
- :mod:`.episodes` — the episodes board in time order (``board``), merged duplicates
  (``canonical_ids``), and ``merge_episodes`` / ``unmerge_episode`` / ``split_episode`` /
  ``rename_episode`` / ``redate_episode`` / ``set_team_judgement`` / ``set_involved``.
- :mod:`.review_overview` — ``review_overview``: each episode's accounts attributed to their
  source, the team's notes apart, who is involved but not yet heard, discrepancies, open
  follow-ups, records from documents.
- :mod:`.plan` — ``plan_for`` (the agenda for a further conversation) and ``save_plan``.
- :mod:`.queries` — ``overview_queries`` for the lead's stage 6 and ``mark_raised``.
- :mod:`.matrix` — ``episode_factor_matrix``.
- :mod:`.patterns` — patterns and recommendations with their supporting episodes/factors.
"""
