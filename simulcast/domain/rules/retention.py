"""Retention: once a closed session's retention period is over, the controller erases what
is personal in it (first names, free texts) and keeps what the reports count."""

from __future__ import annotations

from datetime import datetime

from simulcast.domain.commands import Actor, PurgePersonalData
from simulcast.domain.guards import require
from simulcast.domain.state import SessionState
from simulcast.domain.table import decides, folds
from simulcast.errors import ConflictError
from simulcast.models.events import Event, PersonalDataPurged


@decides(PurgePersonalData, principal=PersonalDataPurged)
def purge_personal_data(
    state: SessionState, actor: Actor, command: PurgePersonalData
) -> list[Event]:
    require(actor, "system")
    if state.state not in ("ended", "cancelled"):
        raise ConflictError("personal data is purged after a session ends", code="session_open")
    if state.purged_at is not None:
        raise ConflictError("already purged", code="already_purged")
    return [PersonalDataPurged(retention_days=command.retention_days)]


@folds(PersonalDataPurged)
def personal_data_purged(state: SessionState, event: PersonalDataPurged, at: datetime) -> None:
    erase_personal_data(state)
    state.purged_at = at


def erase_personal_data(state: SessionState) -> None:
    """What the purge removes: residents' first names, help texts, notes and answers, problem
    texts.
    Counts, seats, kinds and times stay for the activity reports."""
    for resident in state.residents.values():
        resident.name = None
    for request in state.help.values():
        request.text = None
        request.note = None
        request.answer = None
    for problem in state.problems.values():
        problem.text = None
