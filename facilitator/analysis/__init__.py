"""Reading across notes and conversations: coverage, gaps, discrepancies, plans.

Pure functions over records read from the store; nothing here writes or knows of a UI.
"""
