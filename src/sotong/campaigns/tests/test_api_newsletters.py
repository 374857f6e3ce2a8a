"""Newsletters and templates through /api/v1/campaigns/: created and changed with the office forms' own
validation (sandboxed template errors answer 422 with a Korean message naming the field), read by the
roles that read the pages, refused (403, nothing written) for everyone else."""

from __future__ import annotations

from typing import Any

import pytest

from sotong.campaigns import actions
from sotong.campaigns.models import Newsletter, State, Template
from sotong.core.models import Event
from sotong.people.models import ConsentPurpose

API = "/api/v1/campaigns"
CAST = ["programme_manager", "sysadmin", "coordinator", "intake_officer", "handler", "sns_officer"]

NEW = {
    "name": "성동 문화 소식",
    "code": "sd-culture",
    "sender_name": "성동구청 문화체육과",
    "sender_email": "culture@sd.example.kr",
    "sender_phone": "02-2286-5114",
    "contact_line": "성동구청 문화체육과 02-2286-5114",
    "description": "공연과 축제 소식",
}


def send(client: Any, method: str, path: str, body: dict[str, Any]) -> Any:
    return getattr(client, method)(f"{API}{path}", body, content_type="application/json")


def _state() -> tuple[int, int, int, int]:
    return (
        Newsletter.objects.count(),
        ConsentPurpose.objects.count(),
        Template.objects.count(),
        Event.objects.count(),
    )


@pytest.mark.parametrize("role", CAST)
def test_roles_read_and_write_newsletters_and_templates_as_on_the_pages(
    request, verified_client, role, newsletter, email_template
) -> None:
    client = verified_client(request.getfixturevalue(role))
    before = _state()
    original = Template.objects.values().get(pk=email_template.pk)

    reads = [
        client.get(f"{API}/newsletters/{newsletter.pk}"),
        client.get(f"{API}/templates"),
        client.get(f"{API}/templates/{email_template.pk}"),
    ]
    writes = [
        send(client, "post", "/newsletters", NEW),
        send(client, "patch", f"/newsletters/{newsletter.pk}", {"contact_line": "다른 연락처 02-000-0000"}),
        send(
            client,
            "post",
            f"/newsletters/{newsletter.pk}/templates",
            {"name": "새 서식", "channel": "sms", "body_text": "{{ name }}님 안내"},
        ),
        send(client, "patch", f"/templates/{email_template.pk}", {"subject": "바뀐 제목"}),
    ]

    may_read = role in ("programme_manager", "sysadmin")
    assert [r.status_code for r in reads] == [200 if may_read else 403] * 3
    if role == "programme_manager":
        assert [w.status_code for w in writes] == [201, 200, 201, 200]
        return
    for response in (*writes, *([] if may_read else reads)):
        assert response.status_code == 403
        assert response.json() == {
            "error": "forbidden",
            "message": "뉴스레터·캠페인을 다룰 권한이 없습니다.",
            "field": None,
        }
    # then nothing changed
    assert _state() == before
    assert Template.objects.values().get(pk=email_template.pk) == original
    newsletter.refresh_from_db()
    assert newsletter.contact_line == "성동구청 뉴미디어담당관 02-2286-5114"


def test_anonymous_callers_get_401(client, newsletter) -> None:
    assert client.get(f"{API}/newsletters/{newsletter.pk}").status_code == 401
    response = send(client, "post", "/newsletters", NEW)
    assert response.status_code == 401
    assert Newsletter.objects.count() == 1


def test_programme_manager_creates_a_newsletter_with_its_consent_purpose(verified_client, programme_manager):
    response = send(verified_client(programme_manager), "post", "/newsletters", NEW)

    assert response.status_code == 201
    body = response.json()
    made = Newsletter.objects.get(pk=body["id"])
    assert body["name"] == "성동 문화 소식"
    assert body["purpose_code"] == "sd-culture" == made.purpose.code
    assert body["sender_phone"] == made.sender_phone
    assert body["contact_line"] == "성동구청 문화체육과 02-2286-5114"
    assert body["is_advertising"] is False
    assert body["night_purpose_code"] is None
    assert body["templates"] == []
    assert made.created_by == programme_manager
    assert Event.objects.filter(verb="campaigns.newsletter_created").count() == 1


def test_advertising_newsletter_gets_its_night_purpose(verified_client, programme_manager):
    body = {**NEW, "is_advertising": True, "opt_out_number": "080-123-4567"}

    response = send(verified_client(programme_manager), "post", "/newsletters", body)

    assert response.status_code == 201
    assert response.json()["night_purpose_code"] == "sd-culture-night"
    assert ConsentPurpose.objects.get(code="sd-culture").is_advertising


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"is_advertising": True}, "opt_out_number", "광고성 정보에는 무료수신거부 080 번호가 필요합니다"),
        ({"sender_email": "not-an-address"}, "sender_email", "올바른 이메일 주소를 입력하세요."),
        ({"name": ""}, "name", "필수 항목입니다."),
        ({"code": "한글코드"}, "code", "코드는 영문 소문자, 숫자, -, _ 로 2~31자여야 합니다."),
        ({"code": "sd-news"}, "code", "이미 쓰는 코드입니다: sd-news"),
        ({"sender_phone": "12"}, "sender_phone", "발신번호가 올바르지 않습니다"),
        ({"name": "가" * 101}, "name", "최대 100 개의 글자"),
    ],
)
def test_refused_newsletter_answers_422_in_korean_and_writes_nothing(
    verified_client, programme_manager, newsletter, change, field, message
):
    before = _state()

    response = send(verified_client(programme_manager), "post", "/newsletters", {**NEW, **change})

    assert response.status_code == 422
    body = response.json()
    assert body["field"] == field
    assert message in body["message"]
    assert _state() == before


def test_newsletter_change_keeps_what_is_not_named_and_records_the_change(
    verified_client, programme_manager, newsletter
):
    client = verified_client(programme_manager)

    response = send(
        client,
        "patch",
        f"/newsletters/{newsletter.pk}",
        {"sender_email": "letters@sd.example.kr", "description": "매달 첫째 주"},
    )

    assert response.status_code == 200
    body = response.json()
    assert body["sender_email"] == "letters@sd.example.kr"
    assert body["description"] == "매달 첫째 주"
    assert body["name"] == "성동 소식"
    newsletter.refresh_from_db()
    assert newsletter.sender_email == "letters@sd.example.kr"
    assert newsletter.contact_line == "성동구청 뉴미디어담당관 02-2286-5114"
    event = Event.objects.get(verb="campaigns.newsletter_changed")
    assert event.before == {"sender_email": "news@sd.example.kr", "description": ""}
    # the consent purpose the people agreed to is left as it was
    assert newsletter.purpose.name == "성동 소식 수신"


@pytest.mark.parametrize(
    ("change", "field", "code"),
    [
        ({"is_advertising": True}, "is_advertising", "advertising_fixed"),
        ({"code": "other-code"}, "code", "code_fixed"),
        ({"contact_line": "  "}, "contact_line", "invalid"),
        ({"sender_email": "x@"}, "sender_email", "invalid"),
    ],
)
def test_refused_newsletter_change_answers_422_and_changes_nothing(
    verified_client, programme_manager, newsletter, change, field, code
):
    before = _state()
    snapshot = Newsletter.objects.values().get(pk=newsletter.pk)

    response = send(verified_client(programme_manager), "patch", f"/newsletters/{newsletter.pk}", change)

    assert response.status_code == 422
    assert response.json()["field"] == field
    assert response.json()["error"] == code
    assert response.json()["message"]
    assert Newsletter.objects.values().get(pk=newsletter.pk) == snapshot
    assert _state() == before


def test_unknown_newsletter_or_template_is_404(verified_client, programme_manager):
    client = verified_client(programme_manager)
    assert client.get(f"{API}/newsletters/999").status_code == 404
    assert send(client, "patch", "/templates/999", {"name": "x"}).status_code == 404
    response = send(client, "post", "/newsletters/999/templates", {"name": "x", "channel": "sms"})
    assert response.status_code == 404
    assert response.json()["error"] == "not_found"


def test_programme_manager_creates_and_lists_templates(verified_client, programme_manager, newsletter):
    client = verified_client(programme_manager)

    response = send(
        client,
        "post",
        f"/newsletters/{newsletter.pk}/templates",
        {
            "name": "12월 소식",
            "channel": "email",
            "subject": "{{ name }}님, 12월 소식",
            "body_text": "{{ dong }} 소식입니다.",
            "body_html": "<p>{% if dong %}{{ dong }}{% endif %} 소식</p>",
        },
    )

    assert response.status_code == 201
    made = Template.objects.get(pk=response.json()["id"])
    assert made.newsletter == newsletter
    assert made.subject == "{{ name }}님, 12월 소식"
    assert response.json()["campaign_count"] == 0
    listed = client.get(f"{API}/templates", {"newsletter": newsletter.pk}).json()
    assert [row["id"] for row in listed] == [made.pk]
    assert client.get(f"{API}/templates", {"channel": "sms"}).json() == []
    assert client.get(f"{API}/newsletters").json()[0]["templates"][0]["id"] == made.pk


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"body_text": "{% if name %}안녕하세요"}, "body_text", "서식 문법 오류"),
        ({"body_text": "{% load static %}안녕"}, "body_text", "서식에서 쓸 수 없는 태그입니다: {% load %}"),
        (
            {"body_html": "<p>{{ request.user }}</p>"},
            "body_html",
            "서식에서 쓸 수 없는 항목입니다: {{ request }}",
        ),
        ({"subject": "{{ name|nosuchfilter }}"}, "subject", "서식 문법 오류"),
        ({"subject": ""}, "subject", "전자우편 제목을 한 줄로 입력해 주세요."),
        ({"channel": "fax"}, "channel", "올바르게 선택해 주세요."),
        ({"body_text": ""}, "body_text", "필수 항목입니다."),
    ],
)
def test_refused_template_answers_422_with_the_sandbox_message(
    verified_client, programme_manager, newsletter, body, field, message
):
    before = _state()
    good = {"name": "서식", "channel": "email", "subject": "제목", "body_text": "본문"}

    response = send(
        verified_client(programme_manager),
        "post",
        f"/newsletters/{newsletter.pk}/templates",
        {**good, **body},
    )

    assert response.status_code == 422
    assert response.json()["field"] == field
    assert message in response.json()["message"]
    assert _state() == before


def test_sms_template_too_long_for_one_sms_is_refused(verified_client, programme_manager, newsletter):
    response = send(
        verified_client(programme_manager),
        "post",
        f"/newsletters/{newsletter.pk}/templates",
        {"name": "긴 문자", "channel": "sms", "body_text": "가" * 1100},
    )

    assert response.status_code == 422
    assert "바이트" in response.json()["message"]
    assert not Template.objects.filter(name="긴 문자").exists()


def test_template_change_keeps_the_rest_and_refuses_bad_syntax(
    verified_client, programme_manager, email_template
):
    client = verified_client(programme_manager)

    changed = send(client, "patch", f"/templates/{email_template.pk}", {"subject": "{{ name }}님, 바뀐 소식"})
    refused = send(client, "patch", f"/templates/{email_template.pk}", {"body_text": "{% for %}"})

    assert changed.status_code == 200
    assert changed.json()["subject"] == "{{ name }}님, 바뀐 소식"
    assert changed.json()["body_text"] == "{{ name }}님 안녕하세요. {{ dong }} 소식입니다."
    assert refused.status_code == 422
    assert refused.json()["field"] == "body_text"
    email_template.refresh_from_db()
    assert email_template.subject == "{{ name }}님, 바뀐 소식"
    assert email_template.body_text == "{{ name }}님 안녕하세요. {{ dong }} 소식입니다."


def test_template_of_a_campaign_being_sent_cannot_change(
    verified_client, programme_manager, email_template, make_subscriber, make_list, newsletter
):
    audience = make_list([make_subscriber(newsletter)])
    campaign = actions.create_campaign(
        programme_manager, name="11월", template=email_template, lists=[audience]
    )
    client = verified_client(programme_manager)
    channel = send(client, "patch", f"/templates/{email_template.pk}", {"channel": "sms", "subject": ""})
    actions.pause_campaign(
        programme_manager, actions.start_campaign(programme_manager, campaign), reason="점검"
    )

    in_use = send(client, "patch", f"/templates/{email_template.pk}", {"subject": "다른 제목"})

    assert channel.status_code == 422
    assert channel.json()["error"] == "channel_fixed"
    assert in_use.status_code == 409
    assert in_use.json()["error"] == "template_in_use"
    assert "고칠 수 없습니다" in in_use.json()["message"]
    email_template.refresh_from_db()
    assert email_template.subject == "{{ name }}님, 11월 성동 소식"
    assert email_template.channel == "email"
    campaign.refresh_from_db()
    assert campaign.state == State.PAUSED


def test_lists_take_a_fixed_number_of_queries(
    verified_client, programme_manager, newsletter, ad_newsletter, django_assert_max_num_queries
):
    client = verified_client(programme_manager)
    for n in range(6):
        actions.save_template(
            programme_manager,
            (newsletter, ad_newsletter)[n % 2],
            name=f"서식 {n}",
            channel="sms",
            body_text="안내",
        )
    client.get(f"{API}/templates")  # warm the session and permission caches

    with django_assert_max_num_queries(9):  # 4 for the session, user, device and roles, 3 to save the session
        templates = client.get(f"{API}/templates")
    with django_assert_max_num_queries(9):  # 4 for the session, user, device and roles, 3 to save the session
        newsletters = client.get(f"{API}/newsletters")

    assert len(templates.json()) == 6
    assert [len(row["templates"]) for row in newsletters.json()] == [3, 3]
