"""Writing output files: readable by the user only, and never half-written.

The writer itself lives in :mod:`facilitator.files`, below reports and sync, which both
write private files.
"""

from facilitator.files import write_private_bytes

__all__ = ["write_private_bytes"]
