"""뉴스레터·캠페인 office pages (programme managers): newsletters, templates with preview and test send."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from sotong.campaigns import actions
from sotong.campaigns.forms import NewsletterForm, PreviewForm, TemplateForm
from sotong.campaigns.models import Campaign, CampaignError, Newsletter, Template
from sotong.campaigns.views.office_common import campaigns_page, can, user_of
from sotong.core.privacy import log_personal_data_access
from sotong.messaging.exceptions import OutboxError

CAMPAIGNS_ON_INDEX = 30


@campaigns_page("campaigns.view")
def index(request: HttpRequest) -> HttpResponse:
    newsletters = Newsletter.objects.select_related("purpose").annotate(n_templates=Count("templates"))
    campaigns = Campaign.objects.select_related("newsletter", "template")[:CAMPAIGNS_ON_INDEX]
    return render(
        request,
        "campaigns/office/index.html",
        {
            "newsletters": newsletters,
            "campaigns": campaigns,
            "may_manage": can(request, "campaigns.manage"),
            "may_urgent": can(request, "campaigns.urgent"),
        },
    )


def _apply_error(form: NewsletterForm | TemplateForm, exc: CampaignError) -> None:
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, exc.message)


@campaigns_page("campaigns.manage")
def newsletter_new(request: HttpRequest) -> HttpResponse:
    form = NewsletterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            newsletter = actions.create_newsletter(user_of(request), **form.cleaned_data)
        except CampaignError as exc:
            _apply_error(form, exc)
        else:
            messages.success(request, _("뉴스레터를 만들었습니다."))
            return redirect("campaigns_office:newsletter", pk=newsletter.pk)
    return render(request, "campaigns/office/newsletter_form.html", {"form": form})


@campaigns_page("campaigns.view")
def newsletter_detail(request: HttpRequest, pk: int) -> HttpResponse:
    newsletter = get_object_or_404(Newsletter.objects.select_related("purpose", "night_purpose"), pk=pk)
    return render(
        request,
        "campaigns/office/newsletter.html",
        {
            "newsletter": newsletter,
            "templates": newsletter.templates.all(),
            "campaigns": newsletter.campaigns.select_related("template")[:CAMPAIGNS_ON_INDEX],
            "may_manage": can(request, "campaigns.manage"),
        },
    )


@campaigns_page("campaigns.manage")
def template_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """A new template of newsletter `pk` (…/templates/new/) or template `pk` itself (templates/<pk>/)."""
    if request.resolver_match and request.resolver_match.url_name == "template_new":
        newsletter, template = get_object_or_404(Newsletter, pk=pk), None
        initial = {"channel": "email"}
    else:
        template = get_object_or_404(Template.objects.select_related("newsletter"), pk=pk)
        newsletter = template.newsletter
        initial = {f: getattr(template, f) for f in ("name", "channel", "subject", "body_text", "body_html")}
    form = TemplateForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            saved = actions.save_template(
                user_of(request), newsletter, template=template, **form.cleaned_data
            )
        except CampaignError as exc:
            _apply_error(form, exc)
        else:
            messages.success(request, _("서식을 저장했습니다."))
            return redirect("campaigns_office:template_preview", pk=saved.pk)
    return render(
        request,
        "campaigns/office/template_form.html",
        {"form": form, "newsletter": newsletter, "template": template},
    )


@campaigns_page("campaigns.manage")
def template_preview(request: HttpRequest, pk: int) -> HttpResponse:
    """미리보기 against a real person (logged as a view of their data), and 시험 발송 to a staff address."""
    template = get_object_or_404(Template.objects.select_related("newsletter"), pk=pk)
    form = PreviewForm(request.POST or request.GET or None)
    rendered = actions.preview(template)
    person = None
    if form.is_bound and form.is_valid():
        person = form.cleaned_data["person"]
        log_personal_data_access(request, subject=person, action="view", fields="name, dong")
        rendered = actions.preview(template, person)
        if request.method == "POST":
            to = (form.cleaned_data.get("to") or "").strip()
            if not to:
                form.add_error("to", _("시험 발송 주소를 입력해 주세요."))
            else:
                try:
                    actions.send_test(user_of(request), template, person=person, to=to)
                except (CampaignError, OutboxError) as exc:
                    form.add_error("to", exc.message)
                else:
                    messages.success(request, _("시험 발송을 접수했습니다."))
                    return redirect(f"{request.path}?person={person.pk}")
    return render(
        request,
        "campaigns/office/template_preview.html",
        {"template": template, "form": form, "rendered": rendered, "person": person},
    )
