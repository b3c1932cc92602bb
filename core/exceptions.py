"""Refusals that are neither the wrong person nor bad input."""


class Conflict(Exception):
    """The request contradicts what already exists (409): a version label reused with other digests, say.

    Pages and the API answer it through the one road (audit/refusals.py) with its message.
    """

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
