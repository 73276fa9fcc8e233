"""simulcast: live-session orchestration for hybrid simulcast courses.

One lead mediator teaches from a physical site; the course is broadcast to many partner
rooms, whose attendance and discreet help requests are aggregated live. See README.md and
docs/ for the architecture, protocol and operations.
"""

__version__ = "0.1.0"
