"""The pure core: ``decide(state, actor, command) -> events`` and ``apply(state, record)``.

No I/O here: time comes from a :class:`Clock`, ids from the caller, so the same commands
on the same state always give the same events, and replaying a log rebuilds the same state.

``decide.py`` and ``apply.py`` dispatch through the tables of ``table.py``: each command has
one handler and each event one fold, defined side by side in a topic module of ``rules/``
(lifecycle, attendance, help requests, announcements, checks, retention, broadcast, screens,
problems); ``guards.py`` holds the checks they share.
"""
