"""Shared by the campaign office pages: the permission decorator."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, cast

import rules
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from sotong.accounts.models import User

View = Callable[..., HttpResponse]


def campaigns_page(perm: str) -> Callable[[View], View]:
    """Signed in and holding `perm` (the rule itself, as the actions check it)."""

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            user = request.user
            if not (user.is_active and rules.has_perm(perm, user)):
                raise PermissionDenied(_("뉴스레터·캠페인을 다룰 권한이 없습니다."))
            return view(request, *args, **kwargs)

        return login_required(wrapped)

    return decorate


def user_of(request: HttpRequest) -> User:
    return cast(User, request.user)


def can(request: HttpRequest, perm: str) -> bool:
    return bool(rules.has_perm(perm, request.user))
