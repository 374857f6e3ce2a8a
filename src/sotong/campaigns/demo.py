"""Demo newsletters and one finished campaign (called by `load_demo` after `people.demo`, in INSTALLED_APPS
order), so the office pages and the report have something to show.

- 성동구 소식지 (its own consent purpose) with an e-mail and an SMS template, and 문화행사 안내, an
  advertising newsletter (080 opt-out, night-time purpose) with an SMS template;
- a few demo residents with a mobile number agree to 성동구 소식지 (web form), are put on a list, and
  "성동구 소식지 시범 발송" is sent to them by SMS through the real sender into the null gateway (nothing
  leaves the machine); then the gateway's delivery reports come back (delivered, one hard and one soft
  failure) and one reader unsubscribes by the one-click link, so the report shows every figure.

Everything goes through the campaigns and people actions as the demo programme manager. Idempotent:
newsletters are found by their code, templates by name, and the campaign is made only when none of its
name exists, so a second load adds nothing.
"""

from __future__ import annotations

from typing import Any

from sotong.accounts.models import User
from sotong.campaigns import actions, inbound
from sotong.campaigns.models import Campaign, Newsletter, Recipient, RecipientStatus, Template
from sotong.campaigns.sender import CampaignSender
from sotong.campaigns.tokens import unsubscribe_token
from sotong.campaigns.transports import NullSmsTransport
from sotong.people import actions as people_actions
from sotong.people.demo import PROGRAMME_MANAGER
from sotong.people.models import Consent, Person, PersonList

CONTACT = "성동구청 뉴미디어담당관 02-2286-5114"
NEWSLETTERS: list[dict[str, Any]] = [
    {
        "name": "성동구 소식지",
        "code": "sd-news",
        "sender_name": "성동구청",
        "sender_email": "news@sd.example.kr",
        "sender_phone": "02-2286-5114",
        "contact_line": CONTACT,
        "description": "매달 구정 소식, 주민 설명회, 생활 정보를 전합니다.",
    },
    {
        "name": "문화행사 안내",
        "code": "sd-culture",
        "sender_name": "성동문화재단",
        "sender_email": "culture@sd.example.kr",
        "sender_phone": "02-2204-7500",
        "contact_line": "성동문화재단 02-2204-7500",
        "is_advertising": True,
        "opt_out_number": "080-123-4567",
        "description": "공연·전시·축제 할인과 행사 소식 (광고성 정보).",
    },
]
TEMPLATES: dict[str, list[dict[str, str]]] = {
    "sd-news": [
        {
            "name": "월간 소식 (전자우편)",
            "channel": "email",
            "subject": "{{ name }}님, 이달의 성동 소식",
            "body_text": "{{ name }}님 안녕하세요. {{ dong }} 주민 설명회와 이달의 구정 소식을 전해 드립니다.",
            "body_html": "<html><body><p>{{ name }}님 안녕하세요.</p>"
            "<p>{{ dong }} 주민 설명회와 이달의 구정 소식을 전해 드립니다.</p></body></html>",
        },
        {
            "name": "주민 설명회 안내 (문자)",
            "channel": "sms",
            "subject": "",
            "body_text": "{{ name }}님, {{ dong }} 주민 설명회에 초대합니다.",
        },
    ],
    "sd-culture": [
        {
            "name": "주말 공연 안내 (문자)",
            "channel": "sms",
            "subject": "",
            "body_text": "이번 주말 성동 문화행사 할인 안내",
        },
    ],
}
CAMPAIGN = "성동구 소식지 시범 발송"
LIST_NAME = "소식지 시범 발송 대상"
READERS = 12
EVIDENCE = {"ip": "203.0.113.10", "user_agent": "demo"}
# The gateway's answers for the first readers (the rest are delivered): 3008 is a hard failure.
REPORTS = {0: "3008", 1: "3001"}


def _newsletter(manager: User, spec: dict[str, Any], tallies: dict[str, int]) -> Newsletter:
    found = Newsletter.objects.filter(purpose__code=spec["code"]).first()
    if found is not None:
        return found
    tallies["newsletters"] += 1
    return actions.create_newsletter(manager, **spec)


def _template(
    manager: User, newsletter: Newsletter, spec: dict[str, str], tallies: dict[str, int]
) -> Template:
    found = Template.objects.filter(newsletter=newsletter, name=spec["name"]).first()
    if found is not None:
        return found
    tallies["templates"] += 1
    return actions.save_template(
        manager,
        newsletter,
        name=spec["name"],
        channel=spec["channel"],
        subject=spec.get("subject", ""),
        body_text=spec["body_text"],
        body_html=spec.get("body_html", ""),
    )


def _readers(manager: User, newsletter: Newsletter) -> PersonList:
    people = list(Person.objects.active().exclude(mobile_index="").order_by("pk")[:READERS])
    for person in people:
        if not Consent.objects.live().filter(person=person, purpose=newsletter.purpose).exists():
            people_actions.give_consent(
                people_actions.SYSTEM,
                person,
                newsletter.purpose,
                sms=True,
                email=bool(person.email),
                method="web_form",
                evidence=EVIDENCE,
            )
    person_list = PersonList.objects.filter(name=LIST_NAME).first() or people_actions.create_list(
        manager, name=LIST_NAME, description="성동구 소식지 시범 발송을 받은 주민"
    )
    people_actions.add_to_list(manager, person_list, people)
    return person_list


def _finished_campaign(manager: User, newsletter: Newsletter, template: Template) -> Campaign:
    campaign = actions.create_campaign(
        manager, name=CAMPAIGN, template=template, lists=[_readers(manager, newsletter)]
    )
    actions.start_campaign(manager, campaign)
    CampaignSender(campaign.pk, sms=NullSmsTransport()).run()
    sent = Recipient.objects.filter(campaign=campaign, status=RecipientStatus.SENT).order_by("pk")
    recipients = list(sent)
    for index, recipient in enumerate(recipients):
        inbound.record_delivery_report(
            f"c{campaign.pk}r{recipient.pk}", status_code=REPORTS.get(index, "4000"), detail="demo"
        )
    if len(recipients) > len(REPORTS):
        reader = recipients[-1]
        inbound.unsubscribe(
            unsubscribe_token(newsletter_id=newsletter.pk, person_id=reader.person_id, channel="sms")
        )
    campaign.refresh_from_db()
    return campaign


def load() -> str:
    """Add the demo newsletters, templates and finished campaign; a one-line summary for `load_demo`."""
    manager = User.objects.filter(username=PROGRAMME_MANAGER, is_active=True).first()
    if manager is None:
        return "skipped (no demo programme manager)"
    tallies = {"newsletters": 0, "templates": 0, "campaigns": 0}
    made: dict[str, Newsletter] = {}
    for spec in NEWSLETTERS:
        made[spec["code"]] = _newsletter(manager, spec, tallies)
    templates = {
        spec["name"]: _template(manager, made[code], spec, tallies)
        for code, specs in TEMPLATES.items()
        for spec in specs
    }
    if not Campaign.objects.filter(name=CAMPAIGN).exists():
        _finished_campaign(manager, made["sd-news"], templates["주민 설명회 안내 (문자)"])
        tallies["campaigns"] += 1
    parts = ", ".join(f"{name} {value}" for name, value in tallies.items() if value)
    return parts or "already loaded"
