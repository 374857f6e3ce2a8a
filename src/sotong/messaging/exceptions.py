"""Errors of the outbox: bad input from a caller, and illegal status changes."""

from __future__ import annotations

from typing import Any


class OutboxError(Exception):
    """Bad input for the outbox, with a Korean message fit to show the person who typed it.

    `code` is stable for programs (the API maps it to a 422 body); `params` carries the details.
    """

    status_code = 422

    def __init__(self, message: str, *, code: str, params: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = str(message)
        self.code = code
        self.params = params or {}

    def __str__(self) -> str:
        return self.message


class IllegalTransition(OutboxError):
    """A status change the transition table does not allow (the API answers 409)."""

    status_code = 409
