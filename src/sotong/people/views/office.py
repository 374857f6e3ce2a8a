"""The registry's one screen (seed 001): 전자소통 가입자, 단체 회원, 위원회 위원 and monitors together,
filtered and searched, masked, counted live; the filter saved as a segment, the people put on a list.

The other staff pages live beside this module: a person's page (`office_person`), import
(`office_import`), export and summaries (`office_export`).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from sotong.people import actions
from sotong.people.errors import PeopleError
from sotong.people.forms_office import AddToListForm, SegmentForm
from sotong.people.models import Membership, PersonList, Segment
from sotong.people.segments import segment_counts
from sotong.people.views.office_common import PEOPLE_PER_PAGE, Filtered, can, registry_page, user_of

MAX_SEGMENTS_COUNTED = 30


def _list_url(query: str) -> str:
    return reverse("people_office:index") + (f"?{query}" if query else "")


@registry_page("people.view_person")
@require_http_methods(["GET"])
def index(request: HttpRequest) -> HttpResponse:
    """정책고객 명부: filters, search, a masked page of people with their memberships, the live count."""
    filtered = Filtered(request.GET)
    people = filtered.people.prefetch_related(
        Prefetch("memberships", queryset=Membership.objects.current().order_by("kind", "id"))
    )
    page = Paginator(people, PEOPLE_PER_PAGE).get_page(request.GET.get("page"))
    segments = list(Segment.objects.order_by("name", "id")[:MAX_SEGMENTS_COUNTED])
    counts = segment_counts(segments)
    lists = PersonList.objects.annotate(size=Count("entries")).order_by("-created_at", "-id")[:30]
    may_manage = can(request, "people.manage_lists")
    return render(
        request,
        "people/office/index.html",
        {
            "filtered": filtered,
            "form": filtered.form,
            "page": page,
            "rows": [(person, person.masked()) for person in page.object_list],
            "query": filtered.query(),
            "total": counts["total"],
            "segments": [(segment, counts[i]) for i, segment in enumerate(segments)],
            "lists": lists,
            "segment_form": SegmentForm(
                prefix="segment", initial={"name": filtered.segment.name} if filtered.segment else None
            )
            if may_manage
            else None,
            "list_form": AddToListForm() if may_manage else None,
            "may_import": can(request, "people.import_people"),
            "may_export": can(request, "people.export_people"),
            "may_message": can(request, "people.send_message"),
        },
    )


@registry_page("people.manage_lists")
@require_POST
def segment_save(request: HttpRequest) -> HttpResponse:
    """조건 저장: the list page's current filter (from its query string) under a name."""
    filtered = Filtered(request.GET)
    form = SegmentForm(request.POST, prefix="segment")
    if filtered.bound and not filtered.form.is_valid():
        messages.error(request, _("조건을 확인해 주세요."))
        return redirect(_list_url(filtered.query()))
    if not form.is_valid():
        messages.error(request, _("조건 이름을 입력해 주세요."))
        return redirect(_list_url(filtered.query()))
    rule = filtered.form.segment_filter() if filtered.bound else None
    if rule is None or not rule.to_dict():
        messages.error(
            request, _("저장할 조건이 없습니다. 참여 구분, 연령대, 성별 같은 조건을 먼저 고르세요.")
        )
        return redirect(_list_url(filtered.query()))
    try:
        segment = actions.save_segment(user_of(request), name=form.cleaned_data["name"], filters=rule)
    except PeopleError as error:
        messages.error(request, error.message)
        return redirect(_list_url(filtered.query()))
    notice = _("'%(name)s' 조건을 저장했습니다.") % {"name": segment.name}
    if filtered.searching:
        notice += " " + _("성명·연락처 검색어는 조건에 저장하지 않습니다.")
    messages.success(request, notice)
    return redirect(_list_url(f"segment={segment.pk}"))


@registry_page("people.manage_lists")
@require_POST
def segment_delete(request: HttpRequest, pk: int) -> HttpResponse:
    segment = get_object_or_404(Segment, pk=pk)
    actions.delete_segment(user_of(request), segment)
    messages.success(request, _("'%(name)s' 조건을 지웠습니다.") % {"name": segment.name})
    return redirect("people_office:index")


@registry_page("people.manage_lists")
@require_POST
def list_add(request: HttpRequest) -> HttpResponse:
    """명단에 추가: the ticked people, or everyone the filter (the query string) selects."""
    filtered = Filtered(request.GET)
    form = AddToListForm(request.POST)
    back = _list_url(filtered.query())
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect(back)
    data = form.cleaned_data
    user = user_of(request)
    if data["scope"] == "all":
        if filtered.error or (filtered.bound and not filtered.form.is_valid()):
            messages.error(request, filtered.error or _("조건을 확인해 주세요."))
            return redirect(back)
        chosen: list[int] = list(filtered.people.values_list("pk", flat=True))
    else:
        chosen = [person.pk for person in data["people"]]
    try:
        with transaction.atomic():
            person_list = data["person_list"] or actions.create_list(user, name=data["new_name"])
            added = actions.add_to_list(user, person_list, chosen)
    except PeopleError as error:
        messages.error(request, error.message)
        return redirect(back)
    messages.success(
        request,
        _("'%(name)s' 명단에 %(n)d명을 넣었습니다 (이미 있던 사람은 빼고).")
        % {"name": person_list.name, "n": added},
    )
    return redirect(_list_url(f"list={person_list.pk}"))
