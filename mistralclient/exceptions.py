"""Client-side errors (those that never reached the server)."""

from __future__ import annotations


class MistralClientException(Exception):
    """Base of the client's own errors; ``str()`` is the message alone."""

    message = "An unknown exception occurred"
    code = "UNKNOWN_EXCEPTION"

    def __init__(self, message: str | None = None) -> None:
        if message is not None:
            self.message = message
        super().__init__("%s: %s" % (self.code, self.message))

    def __str__(self) -> str:
        return self.message


class IllegalArgumentException(MistralClientException):
    message = "IllegalArgumentException occurred"
    code = "ILLEGAL_ARGUMENT_EXCEPTION"
