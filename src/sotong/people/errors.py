"""Errors the people actions raise; views show `message` (Korean), the API answers `status_code`."""

from sotong.core.errors import DomainError


class PeopleError(DomainError):
    """Refused input for a person, a consent, a list or an import row."""


class NotPermitted(DomainError):
    """The actor may not do this (role)."""

    status_code = 403
