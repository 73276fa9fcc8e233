"""The domain's rules, one module per topic: in each, one handler per command and one fold
per event, registered in :mod:`simulcast.domain.table` by their decorators.

Importing this package imports every topic module, so the tables it re-exports are complete.
"""

from __future__ import annotations

from simulcast.domain.rules import (
    announcements,
    attendance,
    broadcast,
    checks,
    help_requests,
    lifecycle,
    problems,
    readiness,
    retention,
    screens,
)
from simulcast.domain.table import FOLDS, RULES

__all__ = [
    "FOLDS",
    "RULES",
    "announcements",
    "attendance",
    "broadcast",
    "checks",
    "help_requests",
    "lifecycle",
    "problems",
    "readiness",
    "retention",
    "screens",
]
