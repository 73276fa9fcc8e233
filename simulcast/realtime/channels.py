"""Names of socket.io rooms, so every part of the code addresses the same audience."""

CONSOLES = "consoles"
"""Every console, whatever session it watches: session lifecycle of all sessions."""


def console(session_id: str) -> str:
    return f"console:{session_id}"


def session(session_id: str) -> str:
    """Every facilitator, screen (namespace /room) or resident (namespace /resident)."""
    return f"session:{session_id}"


def facilitators(session_id: str, site: str) -> str:
    return f"fac:{session_id}:{site}"


def screens(session_id: str, site: str) -> str:
    return f"screen:{session_id}:{site}"


def room_residents(session_id: str, site: str) -> str:
    """Every resident page of one room (checked in or not)."""
    return f"residents:{session_id}:{site}"


def resident(session_id: str, resident_id: str) -> str:
    return f"resident:{session_id}:{resident_id}"
