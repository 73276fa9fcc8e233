"""The pure core: ``decide(state, command) -> events`` and ``apply(state, event)``.

No I/O here: time comes from a :class:`Clock`, ids from the caller, so the same commands
on the same state always give the same events, and replaying a log rebuilds the same state.
"""
