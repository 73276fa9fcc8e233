"""The ``jitsi`` source: a Jitsi Meet room per session, joined by every room screen."""

from __future__ import annotations

from simulcast.domain.clock import Clock
from simulcast.engine.broadcast.sources import JSON
from simulcast.integrations.jitsi.errors import JitsiError
from simulcast.integrations.jitsi.room_size import RoomSizeClient, RoomSizePoller, RoomSizeReading
from simulcast.integrations.jitsi.tokens import JitsiTokenIssuer, Role, join_url
from simulcast.models.events import PlayKind


class JitsiBroadcast:
    """Jitsi runs elsewhere: starting means handing out join links; health is the number of
    participants Prosody's ``mod_muc_size`` reports (when its URL is configured), polled every
    5 s while on air, backing off up to 60 s while Prosody fails."""

    kind = "jitsi"

    def __init__(
        self,
        *,
        session_id: str,
        domain: str,
        room: str,
        issuer: JitsiTokenIssuer | None,
        room_size: RoomSizeClient | None,
        room_names: dict[str, str],
        clock: Clock,
        poll_interval_s: float = 5.0,
    ) -> None:
        self.session_id = session_id
        self.domain = domain
        self.room = room
        self.issuer = issuer
        self.room_size = room_size
        self.room_names = room_names
        self.poller = (
            RoomSizePoller(
                room_size, self._on_reading, clock=clock, interval=poll_interval_s, rooms=[room]
            )
            if room_size is not None
            else None
        )
        self.reading: RoomSizeReading | None = None

    def _on_reading(self, reading: RoomSizeReading) -> None:
        self.reading = reading

    @property
    def room_url(self) -> str:
        return f"https://{self.domain}/{self.room}"

    def url_for(self, role: Role, user_id: str, name: str) -> tuple[str, str | None]:
        """A join URL for ``role`` (with a JWT when an app secret is configured)."""
        if self.issuer is None:
            return self.room_url, None
        token = self.issuer.issue(
            role,
            user_id=user_id,
            name=name,
            domain=self.domain,
            room=self.room,
            group=self.session_id,
        )
        return join_url(self.domain, self.room, token), token

    async def _participants(self) -> JSON:
        if self.room_size is None:
            return {}
        try:
            return {"participants": await self.room_size.participants(self.room)}
        except JitsiError as error:
            return {"participants": None, "jitsi_error": error.message}

    async def preflight(self) -> JSON:
        reading = await self._participants()
        return {
            "ready": "jitsi_error" not in reading,
            "jitsi": {
                "domain": self.domain,
                "room": self.room,
                "url": self.room_url,
                "tokens": self.issuer is not None,
                **reading,
            },
        }

    async def start(self) -> tuple[PlayKind, str]:
        if self.poller is not None:
            self.poller.start()
        return "jitsi", self.room_url

    async def stop(self) -> None:
        if self.poller is not None:
            await self.poller.stop()

    async def health(self) -> JSON:
        if self.poller is None:
            return {}
        self.poller.start()  # no-op when running; resumes polling after a restart
        reading = self.reading
        if reading is None:
            return {"participants": None}
        health: JSON = {"participants": reading.participants}
        if reading.error is not None:
            health["jitsi_error"] = reading.error.message
            health["jitsi_failures"] = reading.failures
            health["jitsi_next_poll_s"] = reading.next_poll_in
        return health

    def play(self, site: str) -> JSON:
        name = f"Écran – {self.room_names.get(site, site)}"
        url, token = self.url_for("screen", f"screen-{site}", name)
        return {"kind": "jitsi", "url": url, "domain": self.domain, "room": self.room, "jwt": token}

    def links(self) -> JSON:
        """Join links for the mediator and each room's facilitator (moderators)."""
        mediator, _ = self.url_for("mediator", "mediator", "Médiateur·rice")
        return {
            "room": self.room,
            "mediator_url": mediator,
            "facilitator_urls": {
                site: self.url_for("facilitator", f"facilitator-{site}", f"Animation – {nom}")[0]
                for site, nom in self.room_names.items()
            },
        }
