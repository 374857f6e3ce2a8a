"""메시지 보내기 from the registry's one screen (seed 001): the people of the current filter or selection are
sent a message through the outbox, but only those holding a live consent for the chosen purpose and
channel (`Person.objects.with_live_consent`, the rule of `actions.may_contact` for a whole audience).

Compose (purpose, channel, text) → preview (who receives it, who is skipped and why, SMS/LMS bytes) →
confirm. The preview issues a batch token; every outbox message carries the idempotency key
`people.message.<token>.<person>`, so a second submit of the same confirmation sends nothing twice.
Advertising purposes are refused here: 광고성 정보 goes through campaigns, which add "(광고)", the opt-out
line and the night-time ban (정보통신망법 §50).
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from sotong.campaigns.tokens import purpose_token, purpose_unsubscribe_url
from sotong.core.events import record_event
from sotong.messaging.actions import queue_email, queue_sms
from sotong.messaging.exceptions import OutboxError
from sotong.messaging.models import Message
from sotong.messaging.text import (
    LMS_MAX_BYTES,
    LMS_SUBJECT_MAX_BYTES,
    SMS,
    SMS_MAX_BYTES,
    TextTooLong,
    UnencodableText,
    classify_sms,
    describe_character,
    euc_kr_length,
)
from sotong.people.models import CONTACT_INDEX, ConsentPurpose, ContactChannel, Person, PersonQuerySet
from sotong.people.views.office_common import Filtered, registry_page, user_of

PERM = "people.send_message"
OUTBOX_PURPOSE = "people.message"
# One screen sends to at most this many people at once; larger audiences are for campaigns (batched).
MAX_RECIPIENTS = 3000
_TOKEN = re.compile(r"^[0-9a-f]{32}$")


def message_key(token: str, person_id: int) -> str:
    return f"{OUTBOX_PURPOSE}.{token}.{person_id}"


def unsubscribe_headers(purpose: ConsentPurpose, person: Person) -> dict[str, str]:
    """RFC 8058 one-click: a signed https link that withdraws this purpose's consent without a login."""
    token = purpose_token(purpose_id=purpose.pk, person_id=person.pk, channel=ContactChannel.EMAIL.value)
    return {
        "List-Unsubscribe": f"<{purpose_unsubscribe_url(token)}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


class MessageForm(forms.Form):
    purpose = forms.ModelChoiceField(
        label=gettext_lazy("동의 목적"),
        queryset=ConsentPurpose.objects.filter(is_active=True).order_by("sort_order", "code"),
        empty_label=None,
        help_text=gettext_lazy("이 목적에 동의하고 고른 수신 방법을 허락한 사람에게만 보냅니다."),
    )
    channel = forms.ChoiceField(
        label=gettext_lazy("수신 방법"), choices=ContactChannel.choices, widget=forms.RadioSelect
    )
    subject = forms.CharField(
        label=gettext_lazy("제목"),
        required=False,
        max_length=255,
        help_text=gettext_lazy("전자우편은 필수, 문자는 장문(LMS)일 때만 보냅니다 (40바이트 이내)."),
    )
    text = forms.CharField(
        label=gettext_lazy("내용"),
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=20000,
        help_text=gettext_lazy(
            "문자는 90바이트까지 단문(SMS), 2,000바이트까지 장문(LMS)입니다 (한글 2바이트)."
        ),
    )

    def clean_purpose(self) -> ConsentPurpose:
        purpose: ConsentPurpose = self.cleaned_data["purpose"]
        if purpose.is_advertising:
            raise forms.ValidationError(
                _(
                    "광고성 정보는 이 화면에서 보낼 수 없습니다. (광고) 표시, 무료수신거부 안내, 야간 발송 제한을 "
                    "지키는 캠페인 기능으로 보내 주세요."
                ),
                code="advertising",
            )
        return purpose

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        channel, text = data.get("channel"), (data.get("text") or "").replace("\r\n", "\n")
        subject = (data.get("subject") or "").strip()
        data["text"], data["subject"] = text, subject
        if channel == ContactChannel.EMAIL and not subject:
            self.add_error("subject", _("전자우편 제목을 입력해 주세요."))
        if channel == ContactChannel.SMS and text:
            try:
                data["sms_kind"] = classify_sms(text)
                data["bytes"] = euc_kr_length(text)
            except UnencodableText as exc:
                self.add_error("text", _unencodable(exc))
            except TextTooLong as exc:
                self.add_error(
                    "text",
                    _(
                        "문자 내용이 %(length)d바이트로 장문 문자 한도(%(limit)d바이트)를 넘습니다. 내용을 줄여 주세요."
                    )
                    % {"length": exc.length, "limit": LMS_MAX_BYTES},
                )
            if subject:
                try:
                    too_long = euc_kr_length(subject) > LMS_SUBJECT_MAX_BYTES
                except UnencodableText as exc:
                    self.add_error("subject", _unencodable(exc))
                else:
                    if too_long:
                        self.add_error(
                            "subject",
                            _("문자 제목은 %(limit)d바이트 이내여야 합니다.")
                            % {"limit": LMS_SUBJECT_MAX_BYTES},
                        )
        return data


def _unencodable(exc: UnencodableText) -> str:
    return _("문자로 보낼 수 없는 글자가 있습니다: %(chars)s") % {
        "chars": ", ".join(describe_character(c) for c in exc.characters)
    }


@dataclass
class Audience:
    """Who the filter or selection holds, who will receive the message and why the others will not."""

    total: int
    recipients: int
    skipped: dict[str, int] = field(default_factory=dict)

    @property
    def skipped_rows(self) -> list[tuple[str, int]]:
        labels = {
            "no_contact": _("연락처 없음 (해당 수신 방법)"),
            "no_consent": _("이 목적의 유효한 동의 없음 (미동의·철회·만료)"),
            "channel_refused": _("이 수신 방법에 동의하지 않음"),
        }
        return [(labels[key], count) for key, count in self.skipped.items() if count]


def audience(people: PersonQuerySet, purpose: ConsentPurpose, channel: str) -> Audience:
    """Counts for the preview, in four queries whatever the size of the audience."""
    index = CONTACT_INDEX[ContactChannel(channel)]
    total = people.count()
    reachable = people.exclude(**{index: ""})
    with_purpose = reachable.with_live_consent(purpose).count()
    recipients = people.with_live_consent(purpose, channel).count()
    no_contact = total - reachable.count()
    return Audience(
        total=total,
        recipients=recipients,
        skipped={
            "no_contact": no_contact,
            "no_consent": total - no_contact - with_purpose,
            "channel_refused": with_purpose - recipients,
        },
    )


def _selected_ids(request: HttpRequest) -> list[int]:
    return sorted({int(value) for value in request.POST.getlist("people") if value.isdigit()})


def _people(filtered: Filtered, selected: list[int]) -> PersonQuerySet:
    return filtered.people.filter(pk__in=selected) if selected else filtered.people


def _email_body(text: str) -> str:
    footer = _(
        "이 메일은 %(operator)s의 정책정보 수신에 동의하신 분께 보냅니다. 수신을 원하지 않으시면 %(url)s 에서 본인 확인 후 동의를 철회할 수 있습니다."
    ) % {
        "operator": settings.SITE_OPERATOR,
        "url": settings.SITE_URL.rstrip("/") + reverse("people:manage"),
    }
    return f"{text.rstrip()}\n\n---\n{footer}\n"


@registry_page(PERM)
@require_http_methods(["GET", "POST"])
def compose(request: HttpRequest) -> HttpResponse:
    """메시지 보내기: compose (GET, or POST step=select from the list's ticked people), preview, confirm."""
    filtered = Filtered(request.GET)
    back = reverse("people_office:index") + (f"?{filtered.query()}" if filtered.query() else "")
    if filtered.error or (filtered.bound and not filtered.form.is_valid()):
        messages.error(request, filtered.error or _("조건을 확인해 주세요."))
        return redirect(back)
    selected = _selected_ids(request) if request.method == "POST" else []
    step = request.POST.get("step", "") if request.method == "POST" else ""
    if step == "select" and not selected:
        messages.error(request, _("메시지를 보낼 사람을 먼저 고르세요."))
        return redirect(back)
    people = _people(filtered, selected)
    form = MessageForm(request.POST if step in ("preview", "confirm", "edit") else None)
    context: dict[str, Any] = {
        "form": form,
        "query": filtered.query(),
        "back": back,
        "selected": selected,
        "count": people.count(),
        "sms_max": SMS_MAX_BYTES,
        "lms_max": LMS_MAX_BYTES,
    }
    if step not in ("preview", "confirm") or not form.is_valid():
        return render(request, "people/office/message.html", context)
    data = form.cleaned_data
    counts = audience(people, data["purpose"], data["channel"])
    if counts.recipients > MAX_RECIPIENTS:
        form.add_error(
            None,
            _(
                "받는 사람이 %(n)d명으로 한 번에 보낼 수 있는 %(max)d명을 넘습니다. 조건을 좁히거나 캠페인으로 보내 주세요."
            )
            % {"n": counts.recipients, "max": MAX_RECIPIENTS},
        )
        return render(request, "people/office/message.html", context)
    token = request.POST.get("token", "")
    if step == "preview" or not _TOKEN.match(token):
        context.update(
            audience=counts,
            token=secrets.token_hex(16),
            data=data,
            kind=_("단문(SMS)") if data.get("sms_kind") == SMS else _("장문(LMS)"),
        )
        return render(request, "people/office/message_preview.html", context)
    queued, already, failed = _send(request, people, data, token, counts, filtered.query())
    notice = _("%(n)d명에게 보낼 메시지를 발송 대기열에 넣었습니다.") % {"n": queued}
    if already:
        notice += " " + _("이미 넣은 %(n)d명은 다시 보내지 않습니다.") % {"n": already}
    if failed:
        notice += " " + _("연락처가 올바르지 않은 %(n)d명은 뺐습니다.") % {"n": failed}
    skipped = sum(counts.skipped.values())
    if skipped:
        notice += " " + _("동의·연락처가 없어 %(n)d명은 보내지 않습니다.") % {"n": skipped}
    messages.success(request, notice)
    return redirect(back)


@transaction.atomic
def _send(
    request: HttpRequest,
    people: PersonQuerySet,
    data: dict[str, Any],
    token: str,
    counts: Audience,
    query: str,
) -> tuple[int, int, int]:
    """One outbox message per recipient with a live consent; returns (queued, already queued, refused)."""
    user = user_of(request)
    purpose: ConsentPurpose = data["purpose"]
    channel = ContactChannel(data["channel"])
    prefix = f"{OUTBOX_PURPOSE}.{token}."
    done = set(
        Message.objects.filter(idempotency_key__startswith=prefix).values_list("idempotency_key", flat=True)
    )
    queued = already = failed = 0
    recipients: PersonQuerySet = people.with_live_consent(purpose, channel).order_by("pk")
    person: Person
    for person in recipients.iterator(chunk_size=500):
        key = message_key(token, person.pk)
        if key in done:
            already += 1
            continue
        try:
            if channel == ContactChannel.SMS:
                queue_sms(
                    person.mobile,
                    data["text"],
                    subject=data["subject"],
                    purpose=OUTBOX_PURPOSE,
                    about=person,
                    idempotency_key=key,
                    actor=user,
                )
            else:
                queue_email(
                    person.email,
                    data["subject"],
                    _email_body(data["text"]),
                    purpose=OUTBOX_PURPOSE,
                    about=person,
                    idempotency_key=key,
                    headers=unsubscribe_headers(purpose, person),
                    actor=user,
                )
        except OutboxError:
            failed += 1
            continue
        queued += 1
    if queued or failed:
        record_event(
            user,
            "people.message_queued",
            purpose,
            after={
                "batch": token,
                "purpose": purpose.code,
                "channel": str(channel),
                "subject": data["subject"],
                "bytes": data.get("bytes"),
                "queued": queued,
                "already": already,
                "invalid_contact": failed,
                "skipped": counts.skipped,
                "audience": query,
            },
        )
    return queued, already, failed
