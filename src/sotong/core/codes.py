"""Common code tables (공통코드): read helpers for forms and code that need a group's values."""

from __future__ import annotations

from sotong.core.models import Code


def code_choices(group_key: str) -> list[tuple[str, str]]:
    """(code, name) pairs of a group's active codes, in their order, for form fields."""
    return list(
        Code.objects.active().in_group(group_key).order_by("sort_order", "code").values_list("code", "name")
    )


def code_name(group_key: str, code: str) -> str:
    """The display name of one code, or the code itself when the table does not have it."""
    found = Code.objects.in_group(group_key).filter(code=code).values_list("name", flat=True).first()
    return found or code
