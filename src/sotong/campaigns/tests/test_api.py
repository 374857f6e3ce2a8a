"""Campaigns API at /api/v1/campaigns/: the same rules as the office pages (programme managers change,
system administrators read, every other role is refused), a campaign from a template and an audience, its
report figures, and the state changes with 409 for illegal ones."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from sotong.campaigns import actions
from sotong.campaigns.models import Campaign, State
from sotong.campaigns.sender import CampaignSender
from sotong.core.models import Event

API = "/api/v1/campaigns"
CAST = ["programme_manager", "sysadmin", "coordinator", "intake_officer", "handler", "sns_officer"]


def post(client: Any, path: str, body: dict[str, Any] | None = None) -> Any:
    return client.post(f"{API}{path}", body or {}, content_type="application/json")


@pytest.fixture
def draft(programme_manager, email_template, make_subscriber, make_list, newsletter) -> Campaign:
    audience = make_list([make_subscriber(newsletter), make_subscriber(newsletter, consent=False)])
    return actions.create_campaign(
        programme_manager, name="11월 소식", template=email_template, lists=[audience]
    )


@pytest.mark.parametrize("role", CAST)
def test_roles_read_and_change_as_on_the_pages(request, verified_client, role, draft, email_template) -> None:
    client = verified_client(request.getfixturevalue(role))
    audience = draft.lists.get()
    events = Event.objects.count()

    reads = [
        client.get(f"{API}/newsletters"),
        client.get(f"{API}/campaigns"),
        client.get(f"{API}/campaigns/{draft.pk}"),
    ]
    made = post(
        client, "/campaigns", {"name": "12월 소식", "template": email_template.pk, "lists": [audience.pk]}
    )
    paused = post(client, f"/campaigns/{draft.pk}/cancel")

    may_read = role in ("programme_manager", "sysadmin")
    assert [r.status_code for r in reads] == [200 if may_read else 403] * 3
    if role == "programme_manager":
        assert made.status_code == 201
        assert paused.status_code == 200
        assert Campaign.objects.count() == 2
    else:
        for response in (made, paused, *([] if may_read else reads)):
            assert response.status_code == 403
            assert response.json()["error"] == "forbidden"
            assert response.json()["message"] == "뉴스레터·캠페인을 다룰 권한이 없습니다."
        assert Campaign.objects.count() == 1
        assert Campaign.objects.get().state == State.DRAFT
        assert Event.objects.count() == events


def test_anonymous_callers_get_401(client, draft) -> None:
    response = client.get(f"{API}/campaigns/{draft.pk}")
    assert response.status_code == 401
    assert response.json()["error"] == "unauthenticated"


def test_newsletters_list_their_purpose_and_templates(
    verified_client, sysadmin, newsletter, email_template, draft
):
    (row,) = verified_client(sysadmin).get(f"{API}/newsletters").json()
    assert row["name"] == "성동 소식"
    assert row["purpose_code"] == newsletter.purpose.code
    assert row["templates"] == [
        {"id": email_template.pk, "name": "월간 소식", "channel": "email", "subject": email_template.subject}
    ]
    assert row["campaign_count"] == 1


def test_create_refuses_bad_input_with_korean_json_and_writes_nothing(
    verified_client, programme_manager, email_template, draft
) -> None:
    client = verified_client(programme_manager)
    audience = draft.lists.get()
    cases = [
        ({"name": "x", "template": 999_999, "lists": [audience.pk]}, "template"),
        ({"name": "x", "template": email_template.pk, "lists": [999_999]}, "lists"),
        ({"name": "x", "template": email_template.pk}, "audience"),
        ({"name": " ", "template": email_template.pk, "lists": [audience.pk]}, "name"),
        (
            {"name": "x", "template": email_template.pk, "lists": [audience.pk], "concurrency": 99},
            "concurrency",
        ),
    ]
    for body, field in cases:
        response = post(client, "/campaigns", body)
        assert response.status_code == 422, body
        assert response.json()["field"] == field
        assert response.json()["message"]
    assert Campaign.objects.count() == 1


def test_detail_shows_the_report_figures_after_sending(
    verified_client, programme_manager, draft, settings
) -> None:
    settings.SOTONG_EMAIL_BACKEND = "locmem"
    actions.start_campaign(programme_manager, draft)
    CampaignSender(draft.pk).run()

    body = verified_client(programme_manager).get(f"{API}/campaigns/{draft.pk}").json()

    assert body["state"] == State.FINISHED
    assert body["lists"] == [draft.lists.get().pk]
    assert body["report"]["recipients"] == body["total"]
    assert body["report"]["sent"] == 1
    assert body["report"]["failed"] == 0
    assert sum(hour["sent"] for hour in body["hours"]) == 1
    listed = verified_client(programme_manager).get(f"{API}/campaigns?state=finished").json()
    assert [row["id"] for row in listed["results"]] == [draft.pk]
    assert verified_client(programme_manager).get(f"{API}/campaigns?state=draft").json()["count"] == 0


def test_transitions_and_illegal_ones_answer_409(verified_client, programme_manager, draft) -> None:
    client = verified_client(programme_manager)
    at = (timezone.now() + timedelta(days=3)).replace(microsecond=0)

    bad_time = post(client, f"/campaigns/{draft.pk}/schedule", {"scheduled_at": "다음 주"})
    assert bad_time.status_code == 422
    assert bad_time.json()["field"] == "scheduled_at"
    resume_draft = post(client, f"/campaigns/{draft.pk}/resume")
    assert resume_draft.status_code == 409
    assert set(resume_draft.json()) == {"error", "message", "field"}
    assert resume_draft.json()["error"] == "illegal_transition"

    scheduled = post(client, f"/campaigns/{draft.pk}/schedule", {"scheduled_at": at.isoformat()})
    assert scheduled.status_code == 200
    assert scheduled.json()["state"] == State.SCHEDULED
    draft.refresh_from_db()
    assert draft.scheduled_at == at

    assert post(client, f"/campaigns/{draft.pk}/cancel").json()["state"] == State.CANCELLED
    for verb in ("pause", "resume", "cancel", "start"):
        response = post(client, f"/campaigns/{draft.pk}/{verb}")
        assert response.status_code == 409, verb
        assert response.json()["message"]
    draft.refresh_from_db()
    assert draft.state == State.CANCELLED
    assert post(client, "/campaigns/999999/pause").status_code == 404


def test_pause_and_resume_a_running_campaign(verified_client, programme_manager, draft) -> None:
    client = verified_client(programme_manager)
    assert post(client, f"/campaigns/{draft.pk}/start").json()["state"] == State.RUNNING

    paused = post(client, f"/campaigns/{draft.pk}/pause", {"reason": "문구 확인"})
    assert paused.json()["state"] == State.PAUSED
    assert paused.json()["paused_reason"] == "문구 확인"
    assert post(client, f"/campaigns/{draft.pk}/pause").status_code == 409
    resumed = post(client, f"/campaigns/{draft.pk}/resume")
    assert resumed.json()["state"] == State.RUNNING
    assert resumed.json()["paused_reason"] == ""
