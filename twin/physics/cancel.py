"""The one cancellation exception of the code base.

Raised inside a computation whose caller asked it to stop (a superseded live solve, a
cancelled report): the air solver raises it when its ``cancel()`` callback returns True,
the engine's worker when a request is superseded, the report builder when its caller
cancels. It lives at the bottom layer so physics, engine and report all share it.
"""


class Cancelled(Exception):
    """The computation was cancelled by its caller; no result exists."""
