from sotong.core.errors import DomainError


class InsightsError(DomainError):
    """Refused input to the insights pages and API (422 with the Korean message and the field)."""
