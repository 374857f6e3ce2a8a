"""개인정보 접근기록 page for system administrators (개인정보의 안전성 확보조치 기준 §8): the access-log rows
filtered by period, staff account, action, subject type and reason, and the monthly review mark.

The log is shown as it was written: the subject label is the masked form each app stores (홍*동, a
receipt number), so reading the log needs no unmasked data and is not itself an access to personal data.
A month can be marked reviewed once it has ended, once, with the reviewer's note; the mark is an
`AccessLogReview` row and an Event.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, cast

from django import forms
from django.apps import apps
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import IntegrityError, transaction
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from sotong.accounts.models import Role, User
from sotong.cases.forms_office import OfficeForm
from sotong.core.errors import DomainError
from sotong.core.events import record_event
from sotong.core.models import AccessLogReview, PersonalDataAccessLog, PersonalDataAction

PER_PAGE = 50
# The review table shows this many months, the current one included.
REVIEW_MONTHS = 12
NOTE_MAX = 2000
DATE = forms.DateInput(attrs={"type": "date"})


def _sysadmin(request: HttpRequest) -> User:
    """Only system administrators open the access log (the role itself, not a superuser flag)."""
    user = cast(User, request.user)
    if not (user.is_active and user.has_role(Role.SYSADMIN)):
        raise PermissionDenied(_("개인정보 접근기록은 시스템 관리자만 볼 수 있습니다."))
    return user


def month_start(day: date) -> date:
    return day.replace(day=1)


def next_month(month: date) -> date:
    return (month.replace(day=28) + timedelta(days=4)).replace(day=1)


def _aware(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def subject_type_choices() -> list[tuple[str, str]]:
    """The subject types present in the log, labelled by their model's name (정책고객, 민원...)."""
    found = PersonalDataAccessLog.objects.order_by().values_list("subject_type", flat=True).distinct()
    choices = []
    for value in sorted(found):
        try:
            label = str(apps.get_model(value)._meta.verbose_name)
        except (LookupError, ValueError):
            label = value
        choices.append((value, label))
    return choices


class AccessLogFilterForm(OfficeForm):
    start = forms.DateField(label=gettext_lazy("시작일"), required=False, widget=DATE)
    end = forms.DateField(label=gettext_lazy("종료일"), required=False, widget=DATE)
    account = forms.CharField(
        label=gettext_lazy("직원 계정"),
        required=False,
        max_length=150,
        help_text=gettext_lazy("계정 이름 전부나 일부"),
    )
    action = forms.ChoiceField(
        label=gettext_lazy("처리 내역"),
        required=False,
        choices=[("", gettext_lazy("전체")), *PersonalDataAction.choices],
    )
    subject_type = forms.ChoiceField(label=gettext_lazy("정보주체 유형"), required=False)
    reason = forms.CharField(label=gettext_lazy("사유"), required=False, max_length=100)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.ChoiceField, self.fields["subject_type"])
        field.choices = [("", _("전체")), *subject_type_choices()]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            self.add_error("end", _("종료일이 시작일보다 빠릅니다."))
        return data


def filter_log(terms: dict[str, Any]) -> QuerySet[PersonalDataAccessLog]:
    """The rows matching the filter, newest first; the period is whole days in Asia/Seoul."""
    rows = PersonalDataAccessLog.objects.all()
    if terms.get("start"):
        rows = rows.filter(accessed_at__gte=_aware(terms["start"]))
    if terms.get("end"):
        rows = rows.filter(accessed_at__lt=_aware(terms["end"] + timedelta(days=1)))
    account = " ".join((terms.get("account") or "").split())
    if account:
        rows = rows.filter(account_label__icontains=account)
    if terms.get("action"):
        rows = rows.filter(action=terms["action"])
    if terms.get("subject_type"):
        rows = rows.filter(subject_type=terms["subject_type"])
    for word in (terms.get("reason") or "").split():
        rows = rows.filter(reason__icontains=word)
    return rows.order_by("-accessed_at", "-id")


@dataclass(frozen=True)
class MonthRow:
    month: date
    rows: int
    downloads: int
    review: AccessLogReview | None
    ended: bool

    @property
    def query(self) -> str:
        last = next_month(self.month) - timedelta(days=1)
        return f"start={self.month:%Y-%m-%d}&end={last:%Y-%m-%d}"


def review_table(today: date, months: int = REVIEW_MONTHS) -> list[MonthRow]:
    """The last `months` months (the current one first, still running), with their row counts and
    review marks: two queries whatever the size of the log."""
    current = month_start(today)
    first = current
    for _i in range(months - 1):
        first = month_start(first - timedelta(days=1))
    counts: dict[date, dict[str, Any]] = {
        timezone.localdate(row["month"]) if isinstance(row["month"], datetime) else row["month"]: dict(row)
        for row in PersonalDataAccessLog.objects.filter(accessed_at__gte=_aware(first))
        .annotate(month=TruncMonth("accessed_at"))
        .values("month")
        .annotate(rows=Count("id"), downloads=Count("id", filter=Q(action=PersonalDataAction.DOWNLOAD)))
        .order_by()
    }
    reviews = {
        review.month: review
        for review in AccessLogReview.objects.filter(month__gte=first).select_related("reviewer")
    }
    table = []
    month = current
    while month >= first:
        found: dict[str, Any] = counts.get(month, {})
        table.append(
            MonthRow(
                month=month,
                rows=found.get("rows", 0),
                downloads=found.get("downloads", 0),
                review=reviews.get(month),
                ended=month < current,
            )
        )
        month = month_start(month - timedelta(days=1))
    return table


class ReviewForm(OfficeForm):
    month = forms.ChoiceField(label=gettext_lazy("점검 월"))
    note = forms.CharField(
        label=gettext_lazy("점검 의견"),
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("과다 조회, 업무 시간 외 접근, 사유 없는 다운로드 등 확인한 내용을 적습니다."),
    )

    def __init__(self, *args: Any, table: list[MonthRow], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.ChoiceField, self.fields["month"])
        field.choices = [
            (f"{row.month:%Y-%m}", f"{row.month:%Y-%m}") for row in table if row.ended and row.review is None
        ]


@transaction.atomic
def mark_month_reviewed(actor: User, month: date, note: str) -> AccessLogReview:
    """월별 접근기록 점검: the system administrator marks a month that has ended as reviewed, with a note.
    A month is marked once; a later finding goes into the next month's note."""
    if not (actor.is_active and actor.has_role(Role.SYSADMIN)):
        raise PermissionDenied(_("개인정보 접근기록은 시스템 관리자만 볼 수 있습니다."))
    month = month_start(month)
    note = (note or "").strip()
    if not note:
        raise DomainError(_("점검 의견을 입력해 주세요."), field="note")
    if len(note) > NOTE_MAX:
        raise DomainError(_("점검 의견은 %(n)d자 이내로 입력해 주세요.") % {"n": NOTE_MAX}, field="note")
    if month >= month_start(timezone.localdate()):
        raise DomainError(_("끝나지 않은 달은 점검 완료로 표시할 수 없습니다."), field="month")
    if AccessLogReview.objects.filter(month=month).exists():
        raise DomainError(_("이미 점검 완료로 표시한 달입니다."), code="already_reviewed", field="month")
    rows = PersonalDataAccessLog.objects.filter(
        accessed_at__gte=_aware(month), accessed_at__lt=_aware(next_month(month))
    ).count()
    try:
        with transaction.atomic():
            review = AccessLogReview.objects.create(month=month, reviewer=actor, note=note)
    except IntegrityError as error:  # marked by another administrator at the same moment
        raise DomainError(
            _("이미 점검 완료로 표시한 달입니다."), code="already_reviewed", field="month"
        ) from error
    record_event(
        actor,
        "core.access_log_reviewed",
        review,
        after={"month": f"{month:%Y-%m}", "rows": rows, "note": note},
    )
    return review


def _query_without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return str(query.urlencode())


def _page(request: HttpRequest, *, review_form: ReviewForm | None = None, status: int = 200) -> HttpResponse:
    form = AccessLogFilterForm(request.GET or None)
    terms = form.cleaned_data if form.is_bound and form.is_valid() else {}
    rows = filter_log(terms)
    table = review_table(timezone.localdate())
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "office/access_log.html",
        {
            "form": form,
            "page": page,
            "query": _query_without_page(request),
            "months": table,
            "review_form": review_form or ReviewForm(table=table),
            "unreviewed": sum(1 for row in table if row.ended and row.review is None),
        },
        status=status,
    )


@login_required
@require_GET
def access_log(request: HttpRequest) -> HttpResponse:
    """개인정보 접근기록: filtered, paginated rows and the months reviewed or not."""
    _sysadmin(request)
    return _page(request)


@login_required
@require_POST
def review_month(request: HttpRequest) -> HttpResponse:
    """Mark an ended month of the access log as reviewed (점검 완료), with the reviewer's note."""
    user = _sysadmin(request)
    table = review_table(timezone.localdate())
    form = ReviewForm(request.POST, table=table)
    if not form.is_valid():
        return _page(request, review_form=form, status=400)
    month = datetime.strptime(form.cleaned_data["month"], "%Y-%m").date()  # noqa: DTZ007 - a calendar month
    try:
        mark_month_reviewed(user, month, form.cleaned_data["note"])
    except DomainError as error:
        form.add_domain_error(error)
        return _page(request, review_form=form, status=400)
    messages.success(
        request, _("%(month)s 접근기록을 점검 완료로 표시했습니다.") % {"month": f"{month:%Y-%m}"}
    )
    return redirect(reverse("office:access_log"))
