"""Shared by the campaign office pages: the permission decorator."""

from __future__ import annotations

from collections.abc import Callable

from django.utils.translation import gettext_lazy

from sotong.accounts.decorators import View, rule_required
from sotong.accounts.decorators import can as can  # re-exported for the campaign views
from sotong.accounts.decorators import user_of as user_of


def campaigns_page(perm: str) -> Callable[[View], View]:
    """Signed in and holding `perm` (the rule itself, as the actions check it)."""
    return rule_required(perm, gettext_lazy("뉴스레터·캠페인을 다룰 권한이 없습니다."))
