"""Errors the communities actions raise; views show `message` (Korean), the API answers `status_code`."""

from sotong.core.errors import DomainError


class CommunitiesError(DomainError):
    """Refused input for an organization, a committee, a member, an activity or minutes."""


class NotPermitted(DomainError):
    """The actor may not do this (role)."""

    status_code = 403
