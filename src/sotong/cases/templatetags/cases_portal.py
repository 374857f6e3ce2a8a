"""Template tags of the citizen portal's case pages."""

from __future__ import annotations

from typing import Any

from django import template

from sotong.cases.views.portal_session import session_kept

register = template.Library()


@register.simple_tag(takes_context=True)
def portal_session_kept(context: dict[str, Any]) -> bool:
    """Whether the page should carry the session-expiry warning (a draft or looked-up cases to lose)."""
    request = context.get("request")
    return request is not None and session_kept(request)
