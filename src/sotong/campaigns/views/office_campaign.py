"""Campaign pages: create (with the audience counted before sending), the campaign page with its state
buttons and report, the report's CSV/XLSX export, and 긴급 문자."""

from __future__ import annotations

import csv
import io

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sotong.campaigns import actions
from sotong.campaigns.audience import audience_counts
from sotong.campaigns.forms import CampaignForm, ScheduleForm, UrgentForm
from sotong.campaigns.models import Campaign, CampaignError, State
from sotong.campaigns.report import campaign_report
from sotong.campaigns.views.office_common import campaigns_page, can, user_of
from sotong.core.errors import DomainError


@campaigns_page("campaigns.manage")
def campaign_new(request: HttpRequest) -> HttpResponse:
    form = CampaignForm(request.POST or None, initial={"template": request.GET.get("template")})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            campaign = actions.create_campaign(user_of(request), **data)
        except CampaignError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("캠페인을 만들었습니다. 받는 사람 수를 확인한 뒤 발송하세요."))
            return redirect("campaigns_office:campaign", pk=campaign.pk)
    return render(request, "campaigns/office/campaign_form.html", {"form": form})


@campaigns_page("campaigns.view")
def campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = get_object_or_404(Campaign.objects.select_related("newsletter", "template"), pk=pk)
    counts = audience_counts(campaign) if campaign.materialised_at is None else None
    return render(
        request,
        "campaigns/office/campaign.html",
        {
            "campaign": campaign,
            "audience": counts,
            "report": campaign_report(campaign),
            "schedule_form": ScheduleForm(),
            "may_manage": can(request, "campaigns.manage"),
            "State": State,
            "lists": campaign.lists.all(),
            "segments": campaign.segments.all(),
        },
    )


ACTIONS = {
    "start": actions.start_campaign,
    "pause": actions.pause_campaign,
    "resume": actions.resume_campaign,
    "cancel": actions.cancel_campaign,
}


@require_POST
@campaigns_page("campaigns.manage")
def campaign_action(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = get_object_or_404(Campaign, pk=pk)
    what = request.POST.get("action", "")
    try:
        if what == "schedule":
            form = ScheduleForm(request.POST)
            if not form.is_valid():
                raise CampaignError(_("예약 시각을 올바르게 입력해 주세요."), field="scheduled_at")
            at = form.cleaned_data["scheduled_at"]
            if timezone.is_naive(at):
                at = timezone.make_aware(at)
            actions.schedule_campaign(user_of(request), campaign, at)
        elif what in ACTIONS:
            ACTIONS[what](user_of(request), campaign)
        else:
            raise CampaignError(_("알 수 없는 작업입니다."), field="action")
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("처리했습니다."))
    return redirect("campaigns_office:campaign", pk=pk)


@campaigns_page("campaigns.view")
def campaign_export(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    """The report (totals and hours) as CSV or XLSX: figures only, no personal data."""
    campaign = get_object_or_404(Campaign, pk=pk)
    report = campaign_report(campaign)
    rows = report.table()
    name = f"campaign-{campaign.pk}-report"
    if fmt == "csv":
        buffer = io.StringIO()
        buffer.write("\ufeff")
        writer = csv.writer(buffer)
        writer.writerows(rows)
        response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    elif fmt == "xlsx":
        from openpyxl import Workbook

        book = Workbook(write_only=True)
        sheet = book.create_sheet(_("발송 결과"))
        for row in rows:
            sheet.append(row)
        out = io.BytesIO()
        book.save(out)
        response = HttpResponse(
            out.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
    else:
        return HttpResponse(_("CSV 또는 XLSX만 내려받을 수 있습니다."), status=404)
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


@campaigns_page("campaigns.urgent")
def urgent(request: HttpRequest) -> HttpResponse:
    """긴급 문자: a short SMS to dongs or a segment, ahead of the campaign queue, consent still checked."""
    form = UrgentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            campaign = actions.send_urgent_sms(
                user_of(request),
                data["newsletter"],
                text=data["text"],
                dongs=data["dongs"],
                segment=data["segment"],
            )
        except CampaignError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("긴급 문자 발송을 시작했습니다."))
            return redirect("campaigns_office:campaign", pk=campaign.pk)
    return render(request, "campaigns/office/urgent.html", {"form": form})
