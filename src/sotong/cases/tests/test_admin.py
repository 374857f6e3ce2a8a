"""The read-mostly admin: system administrators look cases up, see contacts masked, change nothing."""

from __future__ import annotations

from django.urls import reverse

from sotong.cases.models import Case, CaseStatus


def test_sysadmin_sees_cases_masked_and_read_only(verified_client, sysadmin, answered_case):
    client = verified_client(sysadmin)
    listing = client.get(reverse("admin:cases_case_changelist"))
    assert listing.status_code == 200
    assert answered_case.receipt_no in listing.content.decode()
    page = client.get(reverse("admin:cases_case_change", args=[answered_case.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "010-****-5678" in html
    assert "01012345678" not in html
    assert "홍길동" not in html
    assert client.get(reverse("admin:cases_case_add")).status_code == 403


def test_admin_close_action_goes_through_close_case_and_its_permissions(
    verified_client, sysadmin, answered_case
):
    # A system administrator keeps the system, not cases: the action refuses and says why.
    client = verified_client(sysadmin)
    response = client.post(
        reverse("admin:cases_case_changelist"),
        {"action": "close_answered", "_selected_action": [answered_case.pk]},
        follow=True,
    )
    assert response.status_code == 200
    assert "권한이 없습니다" in response.content.decode()
    assert Case.objects.get(pk=answered_case.pk).status == CaseStatus.ANSWERED
