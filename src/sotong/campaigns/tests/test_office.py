"""Office pages: a programme manager makes a newsletter, a template (preview against a real person, test
send), a campaign, sends it and exports the report; other roles are refused and change nothing."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from sotong.campaigns.models import Campaign, Newsletter, State, Template
from sotong.core.models import PersonalDataAccessLog
from sotong.messaging.models import Message


def test_programme_manager_runs_a_campaign_from_the_pages(
    verified_client, programme_manager, make_subscriber, make_list, run_worker, settings
) -> None:
    settings.SOTONG_EMAIL_BACKEND = "locmem"
    client = verified_client(programme_manager)
    assert client.get("/office/campaigns/").status_code == 200

    # newsletter (with its consent purpose), refusing a bad code with a Korean message first
    data = {
        "name": "성동 소식",
        "code": "Bad Code",
        "sender_name": "성동구청",
        "sender_email": "news@sd.example.kr",
        "sender_phone": "02-2286-5114",
        "contact_line": "뉴미디어담당관 02-2286-5114",
    }
    refused = client.post("/office/campaigns/newsletters/new/", data)
    assert "코드는 영문 소문자" in refused.content.decode()
    assert not Newsletter.objects.exists()
    response = client.post("/office/campaigns/newsletters/new/", {**data, "code": "sd-news"})
    newsletter = Newsletter.objects.get()
    assert response.status_code == 302
    assert newsletter.purpose.code == "sd-news"

    # template, preview against a real person (logged), test send through the outbox
    response = client.post(
        f"/office/campaigns/newsletters/{newsletter.pk}/templates/new/",
        {"name": "월간", "channel": "email", "subject": "{{ name }}님 소식", "body_text": "{{ dong }} 소식"},
    )
    template = Template.objects.get()
    assert response.status_code == 302
    reader = make_subscriber(newsletter, name="최유나", dong="금호1가동")
    preview = client.get(f"/office/campaigns/templates/{template.pk}/preview/?person={reader.pk}")
    assert "최유나님 소식" in preview.content.decode()
    assert "금호1가동 소식" in preview.content.decode()
    assert PersonalDataAccessLog.objects.filter(subject_id=str(reader.pk)).exists()
    client.post(
        f"/office/campaigns/templates/{template.pk}/preview/", {"person": reader.pk, "to": "pm@sd.go.kr"}
    )
    test_message = Message.objects.get(purpose="campaigns.test")
    assert test_message.recipient == "pm@sd.go.kr"
    assert "최유나님" in test_message.subject

    # campaign: audience counted before sending, then sent by the worker, report exported
    audience = make_list([reader, make_subscriber(newsletter, consent=False)])
    response = client.post(
        "/office/campaigns/new/",
        {
            "name": "11월",
            "template": template.pk,
            "lists": [audience.pk],
            "rate_per_second": 100,
            "concurrency": 2,
            "max_errors": 10,
        },
    )
    campaign = Campaign.objects.get()
    page = client.get(f"/office/campaigns/{campaign.pk}/").content.decode()
    assert "고른 사람 2명 가운데 1명에게 보냅니다" in page
    client.post(f"/office/campaigns/{campaign.pk}/action/", {"action": "start"})
    run_worker()
    campaign.refresh_from_db()
    assert campaign.state == State.FINISHED
    csv = client.get(f"/office/campaigns/{campaign.pk}/export.csv").content.decode("utf-8-sig")
    assert "발송,1" in csv
    xlsx = client.get(f"/office/campaigns/{campaign.pk}/export.xlsx")
    rows = list(load_workbook(io.BytesIO(xlsx.content)).active.iter_rows(values_only=True))
    assert ("대상", 1) in [row[:2] for row in rows]


def test_illegal_action_shows_a_korean_message_and_changes_nothing(
    verified_client, programme_manager, newsletter, email_template, make_subscriber, make_list
) -> None:
    from sotong.campaigns import actions

    campaign = actions.create_campaign(
        programme_manager, name="x", template=email_template, lists=[make_list([make_subscriber(newsletter)])]
    )
    client = verified_client(programme_manager)
    page = client.post(f"/office/campaigns/{campaign.pk}/action/", {"action": "resume"}, follow=True)
    assert "이 작업을 할 수 없습니다" in page.content.decode()
    assert Campaign.objects.get(pk=campaign.pk).state == State.DRAFT


@pytest.mark.parametrize("role", ["handler", "sns_officer", "intake_officer"])
def test_other_roles_cannot_open_the_campaign_pages(role, request, verified_client, newsletter) -> None:
    client = verified_client(request.getfixturevalue(role))
    for url in (
        "/office/campaigns/",
        "/office/campaigns/new/",
        f"/office/campaigns/newsletters/{newsletter.pk}/",
    ):
        assert client.get(url).status_code == 403
    assert client.post("/office/campaigns/newsletters/new/", {"name": "x"}).status_code == 403
    assert Newsletter.objects.count() == 1


def test_sysadmin_sees_but_cannot_send(verified_client, sysadmin, newsletter) -> None:
    client = verified_client(sysadmin)
    assert client.get("/office/campaigns/").status_code == 200
    assert client.get("/office/campaigns/new/").status_code == 403


def test_coordinator_may_send_an_urgent_sms_from_the_page(
    verified_client, coordinator, newsletter, make_subscriber, sms_outbox, run_worker
) -> None:
    make_subscriber(newsletter, dong="성수2가3동")
    client = verified_client(coordinator)
    form = client.get("/office/campaigns/urgent/").content.decode()
    assert "성수2가3동" in form
    client.post(
        "/office/campaigns/urgent/",
        {"newsletter": newsletter.pk, "dongs": ["성수2가3동"], "text": "[성동구] 단수 안내 14~16시"},
    )
    run_worker()
    assert [m["text"] for m in sms_outbox] == ["[성동구] 단수 안내 14~16시"]
