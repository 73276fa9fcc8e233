"""The domain's actions, one module per topic: in each, one handler per command and one fold
per event, registered in :mod:`simulcast.domain.table` by their decorators.

Importing this package imports every topic module, so the tables it re-exports are complete.
"""

from __future__ import annotations

from simulcast.domain.actions import (
    announcements,
    attendance,
    broadcast,
    checks,
    help_requests,
    lifecycle,
    problems,
    retention,
    screens,
)
from simulcast.domain.table import ACTIONS, FOLDS

__all__ = [
    "ACTIONS",
    "FOLDS",
    "announcements",
    "attendance",
    "broadcast",
    "checks",
    "help_requests",
    "lifecycle",
    "problems",
    "retention",
    "screens",
]
