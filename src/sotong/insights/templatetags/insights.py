"""`{% case_insights %}` on the staff case page and the `percent` filter of the insights fragments."""

from __future__ import annotations

import logging
from typing import Any

from django import template

from sotong.cases.models import Case
from sotong.cases.workflow import END_STATUSES
from sotong.insights.suggestions import Insight, for_case

register = template.Library()
logger = logging.getLogger(__name__)


@register.filter
def percent(value: float) -> int:
    """0.734 → 73."""
    return round(float(value or 0) * 100)


@register.inclusion_tag("insights/office/_case_panel.html", takes_context=True)
def case_insights(context: template.Context) -> dict[str, Any]:
    """Similar cases the user may open (with a merge button for those who manage the case), the three
    suggested departments and suggested answers, for the case on the page."""
    case: Case = context["case"]
    request = context["request"]
    powers = context.get("powers")
    manages = bool(powers is not None and powers.manages and case.status not in END_STATUSES)
    try:
        insight = for_case(case, Case.objects.visible_to(request.user))
    except Exception:  # the case page must open even if the index files are unreadable
        logger.exception("insights: suggestions for case %s failed", case.pk)
        insight = Insight(ready=False)
    return {
        "insight": insight,
        "merge_into": case if manages else None,
        "csrf_token": context.get("csrf_token"),
        "request": request,
    }
