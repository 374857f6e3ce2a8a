"""Common code tables (공통코드): read helpers for forms and code that need a group's values."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from sotong.core.models import Code
from sotong.core.process_cache import CODES


def code_choices(group_key: str) -> list[tuple[str, str]]:
    """(code, name) pairs of a group's active codes, in their order, for form fields."""
    return list(
        Code.objects.active().in_group(group_key).order_by("sort_order", "code").values_list("code", "name")
    )


def code_name(group_key: str, code: str) -> str:
    """The display name of one code, or the code itself when the table does not have it."""
    found = Code.objects.in_group(group_key).filter(code=code).values_list("name", flat=True).first()
    return found or code


def group_codes(group_key: str) -> Mapping[str, bool]:
    """Every code of a group with whether it is active; empty when the group has none.

    Cached in the process (see `sotong.core.process_cache`: saves and deletes are seen at once, other
    processes' changes within a minute). For validation on hot paths such as case intake.
    """
    return CODES.get(
        ("group", group_key),
        lambda: MappingProxyType(dict(Code.objects.in_group(group_key).values_list("code", "is_active"))),
    )


def is_allowed_code(group_key: str, code: str) -> bool:
    """Whether `code` may be chosen: an active code of the group, or anything when the group is empty."""
    codes = group_codes(group_key)
    return not codes or codes.get(code, False)
