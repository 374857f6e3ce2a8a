"""Errors the cases actions raise; views show `message` (Korean), the API answers `status_code`."""

from sotong.core.errors import DomainError, IllegalTransition


class CasesError(DomainError):
    """Refused input for a case (missing reason, wrong department, file too large...)."""


class CaseTransitionError(IllegalTransition):
    """A workflow step that the case's current state does not allow (API 409)."""


class NotPermitted(DomainError):
    """The actor may not do this to this case (department scoping, role)."""

    status_code = 403
