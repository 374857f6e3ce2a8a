"""Page permission by a `rules` rule: the one decorator of the registry, campaign and other staff pages."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, cast

import rules
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.utils.functional import Promise

from sotong.accounts.models import User

View = Callable[..., HttpResponse]


def rule_required(perm: str, refusal: str | Promise) -> Callable[[View], View]:
    """Signed in, active and holding the rule `perm` itself (a superuser flag grants nothing, as in the
    actions); otherwise 403 with the Korean `refusal`."""

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            user = request.user
            if not (user.is_active and rules.has_perm(perm, user)):
                raise PermissionDenied(str(refusal))
            return view(request, *args, **kwargs)

        return login_required(wrapped)

    return decorate


def user_of(request: HttpRequest) -> User:
    return cast(User, request.user)


def can(request: HttpRequest, perm: str) -> bool:
    return bool(rules.has_perm(perm, request.user))
