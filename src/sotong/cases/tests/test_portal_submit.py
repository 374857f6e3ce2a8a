"""민원·제안 신청 on the portal: the four steps, phone verification, consent, confirmation and receipt."""

from __future__ import annotations

import os
import re
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from sotong.cases import actions
from sotong.cases.drafts import purge_stale_drafts
from sotong.cases.errors import CasesError
from sotong.cases.models import Attachment, Case, CaseKind, Channel, PhoneVerification
from sotong.cases.views.portal import DONE, DRAFT
from sotong.core.testing import po
from sotong.messaging.models import Message

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\n"

CONTENT = {
    "kind": CaseKind.SUGGESTION,
    "title": "행당동 골목 가로등이 꺼져 있어요",
    "body": "행당동 123 골목 가로등이 일주일째 꺼져 있어 밤길이 위험합니다. 고쳐 주세요.",
    "address": "서울 성동구 행당동 123",
    "latitude": "37.5600",
    "longitude": "127.0300",
}
CONTACT = {
    "citizen_name": "홍길동",
    "phone": "010 1234-5678",
    "email": "hong@example.com",
    "notify_sms": "on",
    "action": "next",
}


@pytest.fixture
def portal(org: Any) -> Client:
    """A citizen's browser; the organisation exists so the portal intake department (D102) does."""
    return Client()


def draft(client: Client) -> dict[str, Any]:
    return client.session.get(DRAFT) or {}


def media_files(settings: Any) -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def latest_code() -> str:
    message = (
        Message.objects.filter(purpose="cases.phone_verification").order_by("-created_at", "-pk").first()
    )
    assert message is not None
    match = re.search(r"\b(\d{6})\b", message.body_text)
    assert match
    return match.group(1)


def fill_content(client: Client, **overrides: Any) -> Any:
    data = {**CONTENT, **overrides}
    return client.post(reverse("cases:portal_submit"), data)


def verify_phone(client: Client, phone: str = CONTACT["phone"]) -> None:
    url = reverse("cases:portal_submit_contact")
    client.post(url, {**CONTACT, "phone": phone, "action": "send_code"})
    client.post(url, {**CONTACT, "phone": phone, "action": "verify_code", "code": latest_code()})


def fill_contact(client: Client, **overrides: Any) -> Any:
    verify_phone(client, overrides.get("phone", CONTACT["phone"]))
    return client.post(reverse("cases:portal_submit_contact"), {**CONTACT, **overrides})


def fill_consent(client: Client, optional: str = "agree") -> Any:
    return client.post(
        reverse("cases:portal_submit_consent"), {"case_handling": "agree", "case_extra": optional}
    )


def test_portal_menu_lists_submission_and_lookup(portal):
    response = portal.get("/")

    assert reverse("cases:portal_submit") == "/cases/new/"
    assert reverse("cases:portal_lookup") == "/cases/lookup/"
    assert 'href="/cases/new/"' in response.content.decode()
    assert 'href="/cases/lookup/"' in response.content.decode()


def test_first_step_shows_the_kinds_a_citizen_may_file(portal):
    response = portal.get(reverse("cases:portal_submit"))

    page = response.content.decode()
    assert response.status_code == 200
    assert 'class="krds-step-wrap' in page
    assert "1/4단계 유형·내용" in page
    for kind in (CaseKind.SUGGESTION, CaseKind.PROPOSAL, CaseKind.GRIEVANCE):
        assert f'value="{kind.value}"' in page
    assert f'value="{CaseKind.STATUTORY.value}"' not in page
    assert 'id="case-map"' in page
    assert 'name="latitude"' in page


def test_empty_first_step_gets_korean_messages_next_to_fields_and_writes_nothing(portal, settings):
    response = portal.post(reverse("cases:portal_submit"), {"latitude": "37.5"})

    page = response.content.decode()
    assert response.status_code == 200
    assert "신청 유형을 선택해 주세요." in page
    assert "제목을 입력해 주세요." in page
    assert "내용을 입력해 주세요." in page
    assert "위도와 경도를 함께 입력하거나 둘 다 비워 주세요." in page
    assert 'id="id_title_error"' in page
    assert 'aria-invalid="true"' in page
    assert 'class="form-conts is-error"' in page
    assert "content" not in draft(portal)
    assert not Case.objects.exists()
    assert media_files(settings) == []


def test_attachment_of_the_wrong_type_is_refused_and_not_kept(portal, settings):
    fake = SimpleUploadedFile("photo.jpg", b"MZ\x90\x00 this is a program", content_type="image/jpeg")

    response = fill_content(portal, attachments=[fake])

    assert (
        "photo.jpg: 사진(JPG, PNG, GIF, WEBP)이나 PDF 파일만 올릴 수 있습니다." in response.content.decode()
    )
    assert "content" not in draft(portal)
    assert media_files(settings) == []


def test_attachment_too_large_or_too_many_is_refused(portal, settings):
    settings.SOTONG_CASES_ATTACHMENT_MAX_BYTES = 50
    big = SimpleUploadedFile("big.png", PNG, content_type="image/png")

    response = fill_content(portal, attachments=[big])
    assert "big.png: 파일이 너무 큽니다." in response.content.decode()

    settings.SOTONG_CASES_ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
    settings.SOTONG_CASES_ATTACHMENTS_PER_CASE = 1
    two = [SimpleUploadedFile(f"p{n}.png", PNG, content_type="image/png") for n in range(2)]
    response = fill_content(portal, attachments=two)
    assert "첨부파일은 1개까지 올릴 수 있습니다." in response.content.decode()
    assert media_files(settings) == []


def test_steps_cannot_be_skipped(portal):
    for name in ("portal_submit_contact", "portal_submit_consent", "portal_submit_confirm"):
        response = portal.get(reverse(f"cases:{name}"))
        assert response.status_code == 302
        assert response["Location"] == reverse("cases:portal_submit")


def test_contact_step_needs_a_verified_phone(portal):
    fill_content(portal)

    response = portal.post(reverse("cases:portal_submit_contact"), CONTACT)

    assert response.status_code == 200
    assert "휴대전화 인증을 마쳐 주세요." in response.content.decode()
    assert "contact" not in draft(portal)


def test_contact_step_messages(portal):
    fill_content(portal)

    response = portal.post(
        reverse("cases:portal_submit_contact"),
        {"citizen_name": "", "phone": "02-123-4567", "email": "nope", "notify_email": "on", "action": "next"},
    )

    page = response.content.decode()
    assert "이름을 입력해 주세요." in page
    assert "휴대전화 번호를 확인해 주세요. 예: 010-1234-5678" in page
    assert "이메일 주소를 확인해 주세요." in page
    assert 'autocomplete="tel"' in page
    assert 'autocomplete="name"' in page


def test_phone_code_through_htmx_swaps_only_the_verification_block(portal):
    fill_content(portal)
    url = reverse("cases:portal_submit_contact")
    htmx = {"HTTP_HX_REQUEST": "true"}

    sent = portal.post(url, {**CONTACT, "action": "send_code"}, **htmx)
    assert "인증번호를 보냈습니다." in sent.content.decode()
    assert 'name="code"' in sent.content.decode()
    assert 'autocomplete="one-time-code"' in sent.content.decode()

    wrong = "000000" if latest_code() != "000000" else "111111"
    refused = portal.post(url, {**CONTACT, "action": "verify_code", "code": wrong}, **htmx)
    assert "인증번호가 맞지 않습니다. 4번 더 입력할 수 있습니다." in refused.content.decode()

    done = portal.post(url, {**CONTACT, "action": "verify_code", "code": latest_code()}, **htmx)
    assert "휴대전화 인증을 마쳤습니다." in done.content.decode()
    assert draft(portal)["verified_phone"] == "01012345678"

    too_soon = portal.post(url, {**CONTACT, "phone": "010-9999-0000", "action": "send_code"}, **htmx)
    assert too_soon.status_code == 200
    assert PhoneVerification.objects.count() == 2


def test_phone_changed_after_verification_needs_verifying_again(portal):
    fill_content(portal)
    verify_phone(portal)

    response = portal.post(reverse("cases:portal_submit_contact"), {**CONTACT, "phone": "010-2222-3333"})

    assert "휴대전화 인증을 마쳐 주세요." in response.content.decode()


def test_required_consent_must_be_agreed(portal):
    fill_content(portal)
    fill_contact(portal)

    response = portal.post(
        reverse("cases:portal_submit_consent"), {"case_handling": "disagree", "case_extra": "agree"}
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "[필수] 항목에 동의해야 신청할 수 있습니다." in page
    assert "모두 동의합니다." in page
    assert "동의를 거부할 권리" in page
    assert "consent" not in draft(portal)


def test_agree_all_agrees_to_every_item(portal):
    fill_content(portal)
    fill_contact(portal)

    response = portal.post(reverse("cases:portal_submit_consent"), {"agree_all": "on"})

    assert response.status_code == 302
    assert draft(portal)["consent"]["agreed"] == {"case_handling": True, "case_extra": True}


def test_whole_submission_with_attachment_and_receipt(portal, settings):
    photo = SimpleUploadedFile("가로등.png", PNG, content_type="image/png")
    step1 = fill_content(portal, attachments=[photo])
    assert step1["Location"] == reverse("cases:portal_submit_contact")
    assert len(draft(portal)["attachments"]) == 1
    fill_contact(portal)
    assert fill_consent(portal)["Location"] == reverse("cases:portal_submit_confirm")

    confirm = portal.get(reverse("cases:portal_submit_confirm"))
    page = confirm.content.decode()
    assert "4/4단계 확인" in page
    for text in (CONTENT["title"], "홍길동", "010-1234-5678", "hong@example.com", "가로등.png", "건의민원"):
        assert text in page
    assert not Case.objects.exists()

    done = portal.post(reverse("cases:portal_submit_confirm"), HTTP_USER_AGENT="Mozilla/5.0 (iPhone) Mobile")

    assert done["Location"] == reverse("cases:portal_submit_done")
    case = Case.objects.get()
    assert case.channel == Channel.MOBILE
    assert case.kind == CaseKind.SUGGESTION
    assert case.intake_department.code == settings.SOTONG_CASES_PORTAL_INTAKE
    assert case.citizen_phone == "01012345678"
    assert case.citizen_email == "hong@example.com"
    assert case.address == CONTENT["address"]
    assert case.latitude == pytest.approx(37.56)
    assert case.notify_sms
    assert not case.notify_email
    assert case.phone_verified_at is not None
    assert [(c["key"], c["required"], c["agreed"]) for c in case.consents] == [
        ("case_handling", True, True),
        ("case_extra", False, True),
    ]
    attachment = Attachment.objects.get(case=case)
    assert attachment.from_citizen
    assert attachment.content_type == "image/png"
    assert DRAFT not in portal.session
    assert portal.session[DONE] == case.receipt_no
    assert not any("drafts" in str(p) for p in media_files(settings))

    receipt = portal.get(done["Location"])
    assert case.receipt_no in receipt.content.decode()
    assert "접수번호를 적어 두거나" in receipt.content.decode()
    assert portal.get(reverse("cases:portal_case", args=[case.receipt_no])).status_code == 200


def test_refusing_the_optional_consent_never_blocks_and_drops_its_items(portal):
    fill_content(portal)
    fill_contact(portal, notify_email="on")
    fill_consent(portal, optional="disagree")

    confirm = portal.get(reverse("cases:portal_submit_confirm"))
    assert "[선택] 항목에 동의하지 않아 저장하지 않습니다." in confirm.content.decode()
    portal.post(reverse("cases:portal_submit_confirm"))

    case = Case.objects.get()
    assert case.citizen_email == ""
    assert case.address == ""
    assert case.latitude is None
    assert not case.notify_email
    assert case.consents[1]["agreed"] is False


def test_failed_submission_writes_nothing_and_keeps_the_draft(portal, settings, monkeypatch):
    fill_content(portal, attachments=[SimpleUploadedFile("a.pdf", PDF, content_type="application/pdf")])
    fill_contact(portal)
    fill_consent(portal)
    real = actions.add_attachment

    def add_then_fail(case: Case, **kwargs: Any) -> Attachment:
        real(case, **kwargs)
        raise CasesError("첨부파일을 저장하지 못했습니다.", field="attachments")

    monkeypatch.setattr(actions, "add_attachment", add_then_fail)

    response = portal.post(reverse("cases:portal_submit_confirm"))

    assert response.status_code == 200
    assert "첨부파일을 저장하지 못했습니다." in response.content.decode()
    assert not Case.objects.exists()
    assert not Attachment.objects.exists()
    assert [p for p in media_files(settings) if "drafts" not in str(p)] == []
    assert len(draft(portal)["attachments"]) == 1


def test_an_old_verification_must_be_repeated_before_submitting(portal):
    fill_content(portal)
    fill_contact(portal)
    fill_consent(portal)
    session = portal.session
    stale = session[DRAFT]
    stale["verified_at"] = (datetime.fromisoformat(stale["verified_at"]) - timedelta(hours=1)).isoformat()
    session[DRAFT] = stale
    session.save()

    response = portal.post(reverse("cases:portal_submit_confirm"))

    assert response["Location"] == reverse("cases:portal_submit_contact")
    assert not Case.objects.exists()


def test_removing_a_kept_attachment(portal, settings):
    fill_content(portal, attachments=[SimpleUploadedFile("a.png", PNG, content_type="image/png")])
    token = draft(portal)["attachments"][0]["token"]

    portal.post(reverse("cases:portal_submit"), {"remove_attachment": token})

    assert draft(portal)["attachments"] == []
    assert media_files(settings) == []


PO = Path(__file__).resolve().parent.parent / "locale" / "en" / "LC_MESSAGES" / "django.po"
PORTAL_SOURCES = (
    "actions/verification.py",
    "queries.py",
    "forms_portal.py",
    "views/portal.py",
    "views/portal_session.py",
    "cases/portal/",
)


def test_every_citizen_page_string_has_an_english_translation():
    portal = [e for e in po.entries(PO) if any(source in e.references for source in PORTAL_SOURCES)]

    assert len(portal) > 150
    assert [entry.text for entry in po.untranslated(PO, PORTAL_SOURCES)] == []


def test_submission_page_in_english(portal, settings):
    portal.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    response = portal.post(reverse("cases:portal_submit"), {})

    page = response.content.decode()
    assert "File a complaint or proposal" in page
    assert "Step 1 of 4: Type and details" in page
    assert "Please enter a title." in page


def test_abandoned_draft_files_are_purged(portal, settings):
    fill_content(portal, attachments=[SimpleUploadedFile("a.png", PNG, content_type="image/png")])
    [kept] = media_files(settings)

    assert purge_stale_drafts() == 0
    old = time.time() - 2 * 24 * 3600
    os.utime(kept, (old, old))
    assert purge_stale_drafts() == 1

    assert media_files(settings) == []
