"""What the pages and the API show: similar cases, department suggestions and suggested answers for a
text being written or for a stored case, in one call per screen."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from sotong.cases.models import Case
from sotong.insights import similar as sim
from sotong.insights.errors import InsightsError
from sotong.insights.suggest import DepartmentSuggestion, suggest_departments

MIN_QUERY_CHARS = 4
MAX_QUERY_CHARS = 4_000
SIMILAR_FOR_VOTE = 30


@dataclass
class Insight:
    similar: list[sim.Similar] = field(default_factory=list)
    departments: list[DepartmentSuggestion] = field(default_factory=list)
    answers: list[sim.Similar] = field(default_factory=list)
    ready: bool = True  # False until a model has been fitted


def clean_query(title: str, body: str) -> tuple[str, str]:
    """The title and body of a live query, checked; raises `InsightsError` with a Korean message."""
    title, body = (title or "").strip(), (body or "").strip()
    if len(title) + len(body) > MAX_QUERY_CHARS:
        raise InsightsError(
            _("내용이 너무 깁니다. %(n)d자 이하로 입력해 주세요.") % {"n": MAX_QUERY_CHARS}, field="body"
        )
    return title, body


def for_citizen(title: str, body: str, *, limit: int = 5) -> Insight:
    """유사민원 for the portal form: answered cases first, public fields only."""
    title, body = clean_query(title, body)
    if len(title) + len(body) < MIN_QUERY_CHARS:
        return Insight()
    query = sim.query_for_text(title, body)
    if query is None:
        return Insight(ready=sim.current_model() is not None)
    return Insight(similar=sim.search(query, sim.public_cases(), limit=limit, answered_first=True))


def _staff_insight(
    query: sim.Query | None, cases: QuerySet[Case], exclude: int | None, limit: int
) -> Insight:
    if query is None:
        return Insight(ready=sim.current_model() is not None)
    # Departments and answers are learned from every case; only the cases the user may open are listed.
    found = sim.search(query, Case.objects.all(), limit=SIMILAR_FOR_VOTE, exclude=exclude)
    visible = set(cases.filter(pk__in=[item.case.pk for item in found]).values_list("pk", flat=True))
    for item in found:
        item.visible = item.case.pk in visible
    answered = [item for item in found if item.is_answered and item.answer is not None]
    return Insight(
        similar=[item for item in found if item.visible][:limit],
        departments=suggest_departments(query.model, query.morphemes, answered),
        answers=answered[:3],
    )


def for_staff_text(title: str, body: str, cases: QuerySet[Case], *, limit: int = 5) -> Insight:
    """At intake, before the case exists: similar cases, departments and answers for the typed text."""
    title, body = clean_query(title, body)
    if len(title) + len(body) < MIN_QUERY_CHARS:
        return Insight()
    return _staff_insight(sim.query_for_text(title, body), cases, None, limit)


def for_case(case: Case, cases: QuerySet[Case], *, limit: int = 5) -> Insight:
    """On the case page: the cases like this one the user may see, departments and answers."""
    return _staff_insight(sim.query_for_case(case), cases, case.pk, limit)
