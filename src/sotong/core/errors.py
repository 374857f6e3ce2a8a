"""The domain error every action raises for input it refuses; views show `message`, the API a 4xx."""

from __future__ import annotations


class DomainError(Exception):
    """Refused input or an illegal transition. `message` is Korean, for the person who caused it."""

    status_code = 422

    def __init__(self, message: str, *, code: str = "invalid", field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.field = field

    def as_dict(self) -> dict[str, str | None]:
        return {"error": self.code, "message": self.message, "field": self.field}


class IllegalTransition(DomainError):
    status_code = 409

    def __init__(self, message: str, *, code: str = "illegal_transition") -> None:
        super().__init__(message, code=code)
