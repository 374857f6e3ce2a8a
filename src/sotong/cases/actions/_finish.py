"""What every action that finishes a case does besides its own change (inside its transaction).

A finished case (answered, closed as repeated, withdrawn, merged, transferred to another agency) owes no
more progress reports, waits for no routing, and is under no on-site investigation any more.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils.translation import gettext as _

from sotong.cases.actions.reports import cancel_pending_reports
from sotong.cases.models import Case


def finish_case_work(case: Case, *, actor: Any, now: datetime, why: str) -> None:
    """Cancel the case's pending report requests, end an open on-site investigation, clear routing.

    `why` names the finishing step for the reports' cancellation note ("답변", "취하"...).
    """
    from sotong.cases.actions.grievance import end_open_investigation

    cancel_pending_reports(case, actor=actor, reason=_("민원 %(why)s: 보고요청 취소") % {"why": why}, now=now)
    end_open_investigation(case, actor=actor, now=now, note=why)
    if case.route_due_at is not None or case.route_alerted_at is not None:
        case.route_due_at = case.route_alerted_at = None
        Case.objects.filter(pk=case.pk).update(route_due_at=None, route_alerted_at=None)
