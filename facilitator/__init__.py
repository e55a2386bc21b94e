"""facilitator: a terminal companion for systems-approach case review conversations."""

__version__ = "0.1.0"
