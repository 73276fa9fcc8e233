"""Announcements: the mediator's messages to every room, or to one."""

from __future__ import annotations

from datetime import datetime

from simulcast.domain.commands import Actor, Announce
from simulcast.domain.guards import open_for_activity, require, session_room
from simulcast.domain.state import Announcement, SessionState
from simulcast.domain.table import decides, folds
from simulcast.models.events import AnnouncementSent, Event


@decides(Announce, principal=AnnouncementSent)
def announce(state: SessionState, actor: Actor, command: Announce) -> list[Event]:
    require(actor, "admin")
    open_for_activity(state)
    room = None if command.room is None else session_room(state, command.room)
    return [AnnouncementSent(announcement_id=command.announcement_id, text=command.text, room=room)]


@folds(AnnouncementSent)
def announcement_sent(state: SessionState, event: AnnouncementSent, at: datetime) -> None:
    state.announcements.append(
        Announcement(id=event.announcement_id, text=event.text, at=at, room=event.room)
    )
