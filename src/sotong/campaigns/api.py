"""Staff API for newsletters and campaigns at /api/v1/campaigns/: newsletters and templates (list, read,
create, change), campaigns with their report figures, a new campaign from a template and an audience, and the
state changes (schedule, start, pause, resume, cancel).

Newsletters and templates are read through the office pages' own forms (`NewsletterForm`, `TemplateForm`)
before the action sees them, so the API refuses what the pages refuse, with the same Korean message; a
change (PATCH) names only the fields it changes, the rest keep their values.

A thin layer over the same actions as the office pages, with the same rules: programme managers change
(`campaigns.manage`), system administrators read (`campaigns.view`), every other role gets 403. Refused
input answers 422 and an illegal state change 409, each with `{"error", "message", "field"}` (`sotong.api`
maps every `DomainError`); the schedule time is read here rather than by the schema, so a malformed one
gets the same Korean body, naming its field.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

import rules
from django import forms
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status

from sotong.accounts.models import User
from sotong.campaigns import actions
from sotong.campaigns.forms import NewsletterForm, TemplateForm
from sotong.campaigns.models import Campaign, CampaignError, Newsletter, State, Template
from sotong.campaigns.report import campaign_report
from sotong.people.models import PersonList, Segment

router = Router(tags=["campaigns"])

VIEW = "campaigns.view"
MANAGE = "campaigns.manage"
MAX_LIMIT = 200


# Schemas ---------------------------------------------------------------------------------------------------


class TemplateOut(Schema):
    id: int
    name: str
    channel: str
    subject: str


class NewsletterOut(Schema):
    id: int
    name: str
    purpose_code: str
    is_advertising: bool
    sender_name: str
    description: str
    templates: list[TemplateOut]
    campaign_count: int


class NewsletterDetailOut(NewsletterOut):
    sender_email: str
    sender_phone: str
    contact_line: str
    opt_out_number: str
    night_purpose_code: str | None


class NewsletterIn(Schema):
    name: str = ""
    code: str = ""
    sender_name: str = ""
    sender_email: str = ""
    sender_phone: str = ""
    contact_line: str = ""
    is_advertising: bool = False
    opt_out_number: str = ""
    description: str = ""


class NewsletterPatch(Schema):
    name: str | None = None
    code: str | None = None
    sender_name: str | None = None
    sender_email: str | None = None
    sender_phone: str | None = None
    contact_line: str | None = None
    is_advertising: bool | None = None
    opt_out_number: str | None = None
    description: str | None = None


class TemplateDetailOut(Schema):
    id: int
    newsletter_id: int
    name: str
    channel: str
    subject: str
    body_text: str
    body_html: str
    updated_at: datetime
    campaign_count: int


class TemplateFilters(Schema):
    newsletter: int | None = None
    channel: str = ""


class TemplateIn(Schema):
    name: str = ""
    channel: str = ""
    subject: str = ""
    body_text: str = ""
    body_html: str = ""


class TemplatePatch(Schema):
    name: str | None = None
    channel: str | None = None
    subject: str | None = None
    body_text: str | None = None
    body_html: str | None = None


class CampaignOut(Schema):
    id: int
    name: str
    newsletter_id: int
    newsletter_name: str
    template_id: int
    channel: str
    kind: str
    state: str
    state_label: str
    scheduled_at: datetime | None
    started_at: datetime | None
    finished_at: datetime | None
    paused_reason: str
    total: int
    sent: int
    failed: int
    skipped: int


class HourOut(Schema):
    hour: str
    sent: int
    failed: int
    delivered: int
    bounced: int
    unsubscribed: int


class CampaignDetailOut(CampaignOut):
    lists: list[int]
    segments: list[int]
    report: dict[str, int]
    hours: list[HourOut]


class CampaignListOut(Schema):
    count: int
    results: list[CampaignOut]


class CampaignFilters(Schema):
    state: str = ""
    newsletter: int | None = None
    limit: int = 50
    offset: int = 0


class CampaignIn(Schema):
    name: str
    template: int
    lists: list[int] = []
    segments: list[int] = []
    rate_per_second: int = 200
    concurrency: int = 4
    max_errors: int = 100


class ScheduleIn(Schema):
    scheduled_at: str


class PauseIn(Schema):
    reason: str = ""


class Error(Schema):
    error: str
    message: str
    field: str | None


# Reading input and permissions -----------------------------------------------------------------------------


def _user(request: HttpRequest, perm: str = VIEW) -> User:
    """The signed-in staff member if they hold `perm` (the rule itself, as on the pages)."""
    user = cast(User, request.user)
    if not (user.is_active and rules.has_perm(perm, user)):
        raise PermissionDenied(_("뉴스레터·캠페인을 다룰 권한이 없습니다."))
    return user


def _moment(value: str, field: str) -> datetime:
    try:
        at = datetime.fromisoformat((value or "").strip())
    except ValueError as error:
        raise CampaignError(
            _("시각은 2026-03-01T09:00처럼 연-월-일T시:분으로 입력해 주세요."),
            code="invalid_datetime",
            field=field,
        ) from error
    return timezone.make_aware(at) if timezone.is_naive(at) else at


def _pick(model: type[PersonList] | type[Segment], ids: list[int], field: str) -> list[Any]:
    found = list(model.objects.filter(pk__in=set(ids)))
    if len(found) != len(set(ids)):
        missing = sorted(set(ids) - {item.pk for item in found})
        raise CampaignError(
            _("없는 번호가 있습니다: %(ids)s") % {"ids": ", ".join(map(str, missing))},
            code="not_found",
            field=field,
        )
    return found


def _valid(form: forms.Form) -> dict[str, Any]:
    """The form's cleaned data, or its first error as a 422 with the form's Korean message and field."""
    if form.is_valid():
        return dict(form.cleaned_data)
    for field, errors in form.errors.items():
        raise CampaignError(str(errors[0]), code="invalid", field=None if field == "__all__" else field)
    raise CampaignError(_("입력을 확인해 주세요."), code="invalid")  # pragma: no cover - no errors, not valid


def _newsletter_out(item: Newsletter, *, detail: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": item.pk,
        "name": item.name,
        "purpose_code": item.purpose.code,
        "is_advertising": item.is_advertising,
        "sender_name": item.sender_name,
        "description": item.description,
        "templates": [
            {"id": t.pk, "name": t.name, "channel": t.channel, "subject": t.subject}
            for t in sorted(item.templates.all(), key=lambda t: t.pk)
        ],
        "campaign_count": getattr(item, "campaign_count", 0),
    }
    if detail:
        out.update(
            sender_email=item.sender_email,
            sender_phone=item.sender_phone,
            contact_line=item.contact_line,
            opt_out_number=item.opt_out_number,
            night_purpose_code=item.night_purpose.code if item.night_purpose else None,
        )
    return out


def _newsletters() -> Any:
    return (
        Newsletter.objects.select_related("purpose", "night_purpose")
        .prefetch_related("templates")
        .annotate(campaign_count=Count("campaigns"))
        .order_by("name", "pk")
    )


def _newsletter_detail(pk: int) -> dict[str, Any]:
    return _newsletter_out(get_object_or_404(_newsletters(), pk=pk), detail=True)


def _template_out(template: Template) -> dict[str, Any]:
    return {
        "id": template.pk,
        "newsletter_id": template.newsletter_id,
        "name": template.name,
        "channel": template.channel,
        "subject": template.subject,
        "body_text": template.body_text,
        "body_html": template.body_html,
        "updated_at": template.updated_at,
        "campaign_count": getattr(template, "campaign_count", 0),
    }


def _templates() -> Any:
    return Template.objects.select_related("newsletter").annotate(campaign_count=Count("campaigns"))


def _template_detail(pk: int) -> dict[str, Any]:
    return _template_out(get_object_or_404(_templates(), pk=pk))


def _campaign_out(campaign: Campaign) -> dict[str, Any]:
    return {
        "id": campaign.pk,
        "name": campaign.name,
        "newsletter_id": campaign.newsletter_id,
        "newsletter_name": campaign.newsletter.name,
        "template_id": campaign.template_id,
        "channel": campaign.channel,
        "kind": campaign.kind,
        "state": campaign.state,
        "state_label": str(State(campaign.state).label),
        "scheduled_at": campaign.scheduled_at,
        "started_at": campaign.started_at,
        "finished_at": campaign.finished_at,
        "paused_reason": campaign.paused_reason,
        "total": campaign.total,
        "sent": campaign.sent,
        "failed": campaign.failed,
        "skipped": campaign.skipped,
    }


def _detail(campaign: Campaign) -> dict[str, Any]:
    report = campaign_report(campaign)
    return {
        **_campaign_out(campaign),
        "lists": sorted(campaign.lists.values_list("pk", flat=True)),
        "segments": sorted(campaign.segments.values_list("pk", flat=True)),
        "report": report.totals,
        "hours": report.hours,
    }


def _get(pk: int) -> Campaign:
    return get_object_or_404(Campaign.objects.select_related("newsletter"), pk=pk)


# Endpoints -------------------------------------------------------------------------------------------------


@router.get("/newsletters", response=list[NewsletterOut])
def newsletters(request: HttpRequest) -> list[dict[str, Any]]:
    _user(request)
    return [_newsletter_out(item) for item in _newsletters()]


@router.get("/newsletters/{pk}", response=NewsletterDetailOut)
def newsletter(request: HttpRequest, pk: int) -> dict[str, Any]:
    _user(request)
    return _newsletter_detail(pk)


@router.post("/newsletters", response={201: NewsletterDetailOut, 422: Error})
def newsletter_create(request: HttpRequest, data: NewsletterIn) -> Status:
    user = _user(request, MANAGE)
    cleaned = _valid(NewsletterForm(data.dict()))
    made = actions.create_newsletter(user, **cleaned)
    return Status(201, _newsletter_detail(made.pk))


@router.patch("/newsletters/{pk}", response={200: NewsletterDetailOut, 422: Error})
def newsletter_change(request: HttpRequest, pk: int, data: NewsletterPatch) -> dict[str, Any]:
    user = _user(request, MANAGE)
    current = get_object_or_404(Newsletter.objects.select_related("purpose"), pk=pk)
    given = data.dict(exclude_unset=True)
    if given.get("code") not in (None, current.purpose.code):
        raise CampaignError(
            _("코드는 동의 목적의 코드라서 바꿀 수 없습니다."), code="code_fixed", field="code"
        )
    values = {
        "name": current.name,
        "code": current.purpose.code,
        "sender_name": current.sender_name,
        "sender_email": current.sender_email,
        "sender_phone": current.sender_phone,
        "contact_line": current.contact_line,
        "is_advertising": current.is_advertising,
        "opt_out_number": current.opt_out_number,
        "description": current.description,
    }
    values.update({key: value for key, value in given.items() if value is not None})
    cleaned = _valid(NewsletterForm(values))
    cleaned.pop("code")
    actions.update_newsletter(user, current, **cleaned)
    return _newsletter_detail(pk)


@router.get("/templates", response=list[TemplateDetailOut])
def templates(request: HttpRequest, filters: Query[TemplateFilters]) -> list[dict[str, Any]]:
    _user(request)
    rows = _templates().order_by("newsletter_id", "name", "pk")
    if filters.newsletter is not None:
        rows = rows.filter(newsletter_id=filters.newsletter)
    if filters.channel:
        rows = rows.filter(channel=filters.channel)
    return [_template_out(t) for t in rows]


@router.get("/templates/{pk}", response=TemplateDetailOut)
def template(request: HttpRequest, pk: int) -> dict[str, Any]:
    _user(request)
    return _template_detail(pk)


@router.post("/newsletters/{pk}/templates", response={201: TemplateDetailOut, 422: Error})
def template_create(request: HttpRequest, pk: int, data: TemplateIn) -> Status:
    user = _user(request, MANAGE)
    newsletter = get_object_or_404(Newsletter, pk=pk)
    cleaned = _valid(TemplateForm(data.dict()))
    made = actions.save_template(user, newsletter, **cleaned)
    return Status(201, _template_detail(made.pk))


@router.patch("/templates/{pk}", response={200: TemplateDetailOut, 409: Error, 422: Error})
def template_change(request: HttpRequest, pk: int, data: TemplatePatch) -> dict[str, Any]:
    user = _user(request, MANAGE)
    current = get_object_or_404(Template.objects.select_related("newsletter"), pk=pk)
    values = {f: getattr(current, f) for f in ("name", "channel", "subject", "body_text", "body_html")}
    values.update({k: v for k, v in data.dict(exclude_unset=True).items() if v is not None})
    cleaned = _valid(TemplateForm(values))
    actions.save_template(user, current.newsletter, template=current, **cleaned)
    return _template_detail(pk)


@router.get("/campaigns", response=CampaignListOut)
def campaigns(request: HttpRequest, filters: Query[CampaignFilters]) -> dict[str, Any]:
    _user(request)
    rows = Campaign.objects.select_related("newsletter").order_by("-created_at", "-pk")
    if filters.state:
        if filters.state not in State.values:
            raise CampaignError(_("알 수 없는 상태입니다."), code="invalid_state", field="state")
        rows = rows.filter(state=filters.state)
    if filters.newsletter is not None:
        rows = rows.filter(newsletter_id=filters.newsletter)
    limit = max(1, min(filters.limit, MAX_LIMIT))
    offset = max(0, filters.offset)
    return {"count": rows.count(), "results": [_campaign_out(c) for c in rows[offset : offset + limit]]}


@router.get("/campaigns/{pk}", response=CampaignDetailOut)
def campaign(request: HttpRequest, pk: int) -> dict[str, Any]:
    _user(request)
    return _detail(_get(pk))


@router.post("/campaigns", response={201: CampaignDetailOut, 422: Error})
def create(request: HttpRequest, data: CampaignIn) -> Status:
    user = _user(request, MANAGE)
    template = Template.objects.select_related("newsletter").filter(pk=data.template).first()
    if template is None:
        raise CampaignError(_("서식을 찾을 수 없습니다."), code="not_found", field="template")
    made = actions.create_campaign(
        user,
        name=data.name,
        template=template,
        lists=_pick(PersonList, data.lists, "lists"),
        segments=_pick(Segment, data.segments, "segments"),
        rate_per_second=data.rate_per_second,
        concurrency=data.concurrency,
        max_errors=data.max_errors,
    )
    return Status(201, _detail(_get(made.pk)))


@router.post("/campaigns/{pk}/schedule", response={200: CampaignDetailOut, 409: Error, 422: Error})
def schedule(request: HttpRequest, pk: int, data: ScheduleIn) -> dict[str, Any]:
    user = _user(request, MANAGE)
    actions.schedule_campaign(user, _get(pk), _moment(data.scheduled_at, "scheduled_at"))
    return _detail(_get(pk))


@router.post("/campaigns/{pk}/start", response={200: CampaignDetailOut, 409: Error})
def start(request: HttpRequest, pk: int) -> dict[str, Any]:
    actions.start_campaign(_user(request, MANAGE), _get(pk))
    return _detail(_get(pk))


@router.post("/campaigns/{pk}/pause", response={200: CampaignDetailOut, 409: Error})
def pause(request: HttpRequest, pk: int, data: PauseIn | None = None) -> dict[str, Any]:
    actions.pause_campaign(_user(request, MANAGE), _get(pk), reason=data.reason if data else "")
    return _detail(_get(pk))


@router.post("/campaigns/{pk}/resume", response={200: CampaignDetailOut, 409: Error})
def resume(request: HttpRequest, pk: int) -> dict[str, Any]:
    actions.resume_campaign(_user(request, MANAGE), _get(pk))
    return _detail(_get(pk))


@router.post("/campaigns/{pk}/cancel", response={200: CampaignDetailOut, 409: Error})
def cancel(request: HttpRequest, pk: int) -> dict[str, Any]:
    actions.cancel_campaign(_user(request, MANAGE), _get(pk))
    return _detail(_get(pk))
