"""Notices to the citizen (민원 처리 통지): receipt, transfer to another agency, extension, 30-day progress
notice, answer, the ends that are not an answer (merge, repeated closure, withdrawal) and a grievance's
on-site investigation (start, extension, end), queued in the outbox inside the action's transaction.

Each notice names the handling unit, the officer and a contact number (령 §31). SMS text holds the
receipt number and nothing else about the case or the citizen (no body, no name); it is kept within one
SMS (90 EUC-KR bytes) by falling back to a terse wording, and goes as LMS only when even that does not fit
(an extension must carry its reason). E-mail goes when the citizen chose it.

Each message carries an idempotency key ``cases:<case>:<step>:<sequence>:<channel>``: one step gives
exactly one message per channel, however often the action or sweep that causes it runs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sotong.cases.workflow import NoticeStep
from sotong.core.business_calendar import SEOUL
from sotong.core.masking import format_phone
from sotong.messaging.actions import queue_email, queue_sms
from sotong.messaging.text import LMS_SUBJECT_MAX_BYTES, SMS_MAX_BYTES, euc_kr_length, unencodable_characters

if TYPE_CHECKING:
    from sotong.cases.models import Answer, Case
    from sotong.messaging.models import Message

WEEKDAYS = "월화수목금토일"


@dataclass(frozen=True)
class Contact:
    """Who the citizen can ask (령 §31): unit, officer and telephone."""

    unit: str
    officer: str
    phone: str

    def line(self) -> str:
        return " ".join(part for part in (self.unit, self.officer, self.phone) if part)


def contact_for(case: Case) -> Contact:
    """The handling department and officer, or the intake department before assignment."""
    department = case.handling_department or case.intake_department
    officer = case.officer
    phone = (getattr(officer, "office_phone", "") if officer else "") or department.phone or ""
    return Contact(
        unit=department.name,
        officer=officer.get_full_name() if officer else _("담당자 지정 전"),
        phone=format_phone(phone or settings.SOTONG_SMS_SENDER),
    )


def format_when(moment: datetime | None) -> str:
    """11.28.(금) 18:00 in Seoul time."""
    if moment is None:
        return "-"
    local = timezone.localtime(moment, SEOUL)
    return f"{local:%m.%d.}({WEEKDAYS[local.weekday()]}) {local:%H:%M}"


def sms_safe(text: str) -> str:
    """Text an SMS can carry: characters outside KS X 1001 become '?'."""
    for char in unencodable_characters(text):
        text = text.replace(char, "?")
    return text


def fits_sms(text: str) -> bool:
    return euc_kr_length(text) <= SMS_MAX_BYTES


def choose_sms(*candidates: str) -> str:
    """The first candidate that fits one SMS, else the first (sent as LMS)."""
    safe = [sms_safe(text) for text in candidates]
    return next((text for text in safe if fits_sms(text)), safe[0])


def _prefix() -> str:
    return f"[{settings.SITE_NAME}]"


# Texts -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Notice:
    subject: str
    sms: str
    email: str


def receipt_notice(case: Case, contact: Contact) -> Notice:
    no, due = case.receipt_no, format_when(case.deadline_at)
    if case.is_proposal:
        due_line = _("첫 진행사항 보고 예정: %(due)s") % {"due": due}
    else:
        due_line = _("처리기한: %(due)s") % {"due": due}
    sms = choose_sms(
        _("%(p)s 민원 %(no)s 접수. %(due)s. 담당 %(c)s")
        % {"p": _prefix(), "no": no, "due": due_line, "c": contact.line()},
        _("%(p)s 민원 %(no)s 접수. 담당 %(c)s") % {"p": _prefix(), "no": no, "c": contact.line()},
        _("%(p)s 민원 %(no)s 접수. 담당 %(u)s %(t)s")
        % {"p": _prefix(), "no": no, "u": contact.unit, "t": contact.phone},
    )
    return Notice(
        subject=_("%(p)s 민원 접수 안내 (%(no)s)") % {"p": _prefix(), "no": no},
        sms=sms,
        email=_email_body(
            case,
            contact,
            _("민원이 접수되었습니다."),
            [due_line, _("접수번호와 휴대전화로 처리 상황을 확인할 수 있습니다.")],
        ),
    )


def agency_transfer_notice(case: Case, contact: Contact, *, agency: str, reason: str) -> Notice:
    no = case.receipt_no
    sms = choose_sms(
        _("%(p)s 민원 %(no)s을(를) %(a)s(으)로 이송했습니다. 문의 %(c)s")
        % {"p": _prefix(), "no": no, "a": agency, "c": contact.line()},
        _("%(p)s 민원 %(no)s %(a)s 이송. 문의 %(u)s %(t)s")
        % {"p": _prefix(), "no": no, "a": agency, "u": contact.unit, "t": contact.phone},
    )
    return Notice(
        subject=_("%(p)s 민원 이송 안내 (%(no)s)") % {"p": _prefix(), "no": no},
        sms=sms,
        email=_email_body(
            case,
            contact,
            _("민원을 다른 기관으로 이송했습니다 (민원 처리에 관한 법률 제16조)."),
            [_("받는 기관: %(a)s") % {"a": agency}, _("이송 사유: %(r)s") % {"r": reason}],
        ),
    )


def extension_notice(case: Case, contact: Contact, *, new_deadline: datetime, reason: str) -> Notice:
    no, due = case.receipt_no, format_when(new_deadline)
    sms = choose_sms(
        _("%(p)s 민원 %(no)s 처리기한 %(d)s(으)로 연장. 사유: %(r)s. 담당 %(c)s")
        % {"p": _prefix(), "no": no, "d": due, "r": reason, "c": contact.line()},
    )
    return Notice(
        subject=_("%(p)s 민원 처리기한 연장 안내 (%(no)s)") % {"p": _prefix(), "no": no},
        sms=sms,
        email=_email_body(
            case,
            contact,
            _("민원 처리기한을 연장했습니다 (민원 처리에 관한 법률 시행령 제21조)."),
            [_("새 처리기한: %(d)s") % {"d": due}, _("연장 사유: %(r)s") % {"r": reason}],
        ),
    )


def progress_notice(case: Case, contact: Contact, *, expected_at: datetime | None) -> Notice:
    no, due = case.receipt_no, format_when(expected_at)
    sms = choose_sms(
        _("%(p)s 민원 %(no)s 처리 중. 완료 예정 %(d)s. 담당 %(c)s")
        % {"p": _prefix(), "no": no, "d": due, "c": contact.line()},
        _("%(p)s 민원 %(no)s 처리 중. 예정 %(d)s. %(u)s %(t)s")
        % {"p": _prefix(), "no": no, "d": due, "u": contact.unit, "t": contact.phone},
    )
    return Notice(
        subject=_("%(p)s 민원 처리 진행상황 안내 (%(no)s)") % {"p": _prefix(), "no": no},
        sms=sms,
        email=_email_body(
            case,
            contact,
            _("민원을 처리하고 있습니다 (민원 처리에 관한 법률 시행령 제23조)."),
            [_("처리 완료 예정일: %(d)s") % {"d": due}],
        ),
    )


def answer_notice(case: Case, contact: Contact, *, answer: Answer) -> Notice:
    no = case.receipt_no
    sms = choose_sms(
        _("%(p)s 민원 %(no)s 답변 완료. 누리집에서 접수번호로 확인하세요. 담당 %(c)s")
        % {"p": _prefix(), "no": no, "c": contact.line()},
        _("%(p)s 민원 %(no)s 답변 완료. 담당 %(c)s") % {"p": _prefix(), "no": no, "c": contact.line()},
        _("%(p)s 민원 %(no)s 답변 완료. %(u)s %(t)s")
        % {"p": _prefix(), "no": no, "u": contact.unit, "t": contact.phone},
    )
    lines = [_("답변 내용:"), answer.body]
    if answer.is_rejection:
        lines += [_("거부 사유:"), answer.rejection_reasons, _("구제 절차:"), answer.remedies]
    lines.append(_("답변에 만족하지 않으시면 만족도 조사에서 추가 답변을 한 번 요청할 수 있습니다."))
    return Notice(
        subject=_("%(p)s 민원 답변 안내 (%(no)s)") % {"p": _prefix(), "no": no},
        sms=sms,
        email=_email_body(case, contact, _("민원에 답변했습니다."), lines),
    )


def merged_notice(case: Case, contact: Contact, *, into: Case, reason: str) -> Notice:
    """병합 통지: which receipt number now carries the citizen's complaint; `contact` is the one of `into`."""
    no, target = case.receipt_no, into.receipt_no
    sms = choose_sms(
        _("%(p)s 민원 %(no)s은(는) %(t)s(으)로 병합 처리합니다. 담당 %(c)s")
        % {"p": _prefix(), "no": no, "t": target, "c": contact.line()},
        _("%(p)s 민원 %(no)s→%(t)s 병합. 담당 %(c)s")
        % {"p": _prefix(), "no": no, "t": target, "c": contact.line()},
        _("%(p)s 민원 %(no)s→%(t)s 병합. %(u)s %(tel)s")
        % {"p": _prefix(), "no": no, "t": target, "u": contact.unit, "tel": contact.phone},
    )
    return Notice(
        subject=_("%(p)s 민원 병합 안내 (%(no)s)") % {"p": _prefix(), "no": no},
        sms=sms,
        email=_email_body(
            case,
            contact,
            _("같은 취지의 민원과 병합하여 한 건으로 처리합니다 (민원 처리에 관한 법률 시행령 제6조)."),
            [
                _("이제 이 민원은 접수번호 %(t)s(으)로 처리되며, 그 번호로 처리 상황을 확인할 수 있습니다.")
                % {"t": target},
                _("병합 사유: %(r)s") % {"r": reason},
            ],
        ),
    )


def repeated_closure_notice(case: Case, contact: Contact, *, earlier: list[Case]) -> Notice:
    """반복민원 종결 통지 (법 §23): names the earlier answered cases."""
    no, numbers = case.receipt_no, ", ".join(other.receipt_no for other in earlier)
    sms = choose_sms(
        _("%(p)s 민원 %(no)s 반복민원 종결(앞선 답변 %(e)s). 담당 %(c)s")
        % {"p": _prefix(), "no": no, "e": numbers, "c": contact.line()},
        _("%(p)s 민원 %(no)s 반복민원 종결(%(e)s). %(u)s %(t)s")
        % {"p": _prefix(), "no": no, "e": numbers, "u": contact.unit, "t": contact.phone},
    )
    return Notice(
        subject=_("%(p)s 반복민원 종결 안내 (%(no)s)") % {"p": _prefix(), "no": no},
        sms=sms,
        email=_email_body(
            case,
            contact,
            _(
                "같은 내용의 민원에 두 번 이상 답변하였으므로 이 민원을 종결합니다 "
                "(민원 처리에 관한 법률 제23조)."
            ),
            [_("앞선 답변 민원: %(e)s") % {"e": numbers}, _("앞선 답변은 각 접수번호로 확인할 수 있습니다.")],
        ),
    )


def withdrawal_notice(case: Case, contact: Contact) -> Notice:
    """취하 통지: the withdrawal is confirmed."""
    no = case.receipt_no
    sms = choose_sms(
        _("%(p)s 민원 %(no)s 취하 처리했습니다. 담당 %(c)s")
        % {"p": _prefix(), "no": no, "c": contact.line()},
        _("%(p)s 민원 %(no)s 취하. 담당 %(c)s") % {"p": _prefix(), "no": no, "c": contact.line()},
        _("%(p)s 민원 %(no)s 취하. %(u)s %(t)s")
        % {"p": _prefix(), "no": no, "u": contact.unit, "t": contact.phone},
    )
    return Notice(
        subject=_("%(p)s 민원 취하 안내 (%(no)s)") % {"p": _prefix(), "no": no},
        sms=sms,
        email=_email_body(
            case, contact, _("민원을 취하 처리했습니다."), [_("더 이상 이 민원은 처리하지 않습니다.")]
        ),
    )


def onsite_start_notice(case: Case, contact: Contact, *, until: datetime, new_deadline: datetime) -> Notice:
    """현지조사 통지: the investigation's expected end and the deadline without its days."""
    no, end, due = case.receipt_no, format_when(until), format_when(new_deadline)
    sms = choose_sms(
        _("%(p)s 민원 %(no)s 현지조사(~%(e)s). 처리기한 %(d)s. 담당 %(c)s")
        % {"p": _prefix(), "no": no, "e": end, "d": due, "c": contact.line()},
        _("%(p)s 민원 %(no)s 현지조사(~%(e)s). %(u)s %(t)s")
        % {"p": _prefix(), "no": no, "e": end, "u": contact.unit, "t": contact.phone},
    )
    return Notice(
        subject=_("%(p)s 고충민원 현지조사 안내 (%(no)s)") % {"p": _prefix(), "no": no},
        sms=sms,
        email=_email_body(
            case,
            contact,
            _("고충민원의 현지조사를 시작했습니다. 현지조사 기간은 처리기간에 넣지 않습니다."),
            [
                _("현지조사 종료 예정: %(e)s") % {"e": end},
                _("처리기한(현지조사 기간 제외): %(d)s") % {"d": due},
            ],
        ),
    )


def onsite_extension_notice(
    case: Case, contact: Contact, *, until: datetime, new_deadline: datetime, reason: str
) -> Notice:
    """현지조사 연장 통지: the new expected end, the reason and the deadline."""
    no, end, due = case.receipt_no, format_when(until), format_when(new_deadline)
    sms = choose_sms(
        _("%(p)s 민원 %(no)s 현지조사 %(e)s까지 연장. 담당 %(c)s")
        % {"p": _prefix(), "no": no, "e": end, "c": contact.line()},
        _("%(p)s 민원 %(no)s 현지조사 %(e)s까지 연장. %(u)s %(t)s")
        % {"p": _prefix(), "no": no, "e": end, "u": contact.unit, "t": contact.phone},
    )
    return Notice(
        subject=_("%(p)s 고충민원 현지조사 연장 안내 (%(no)s)") % {"p": _prefix(), "no": no},
        sms=sms,
        email=_email_body(
            case,
            contact,
            _("고충민원의 현지조사 기간을 연장했습니다. 현지조사 기간은 처리기간에 넣지 않습니다."),
            [
                _("현지조사 종료 예정: %(e)s") % {"e": end},
                _("연장 사유: %(r)s") % {"r": reason},
                _("처리기한(현지조사 기간 제외): %(d)s") % {"d": due},
            ],
        ),
    )


def onsite_end_notice(case: Case, contact: Contact, *, new_deadline: datetime, days_used: int) -> Notice:
    """현지조사 종료 통지: the days used and the deadline they moved."""
    no, due = case.receipt_no, format_when(new_deadline)
    sms = choose_sms(
        _("%(p)s 민원 %(no)s 현지조사 종료. 처리기한 %(d)s. 담당 %(c)s")
        % {"p": _prefix(), "no": no, "d": due, "c": contact.line()},
        _("%(p)s 민원 %(no)s 현지조사 종료. 기한 %(d)s. %(u)s %(t)s")
        % {"p": _prefix(), "no": no, "d": due, "u": contact.unit, "t": contact.phone},
    )
    return Notice(
        subject=_("%(p)s 고충민원 현지조사 종료 안내 (%(no)s)") % {"p": _prefix(), "no": no},
        sms=sms,
        email=_email_body(
            case,
            contact,
            _("고충민원의 현지조사를 마쳤습니다."),
            [
                _("현지조사 기간: %(n)d일 (처리기간에 넣지 않음)") % {"n": days_used},
                _("처리기한: %(d)s") % {"d": due},
            ],
        ),
    )


def _email_body(case: Case, contact: Contact, headline: str, lines: list[str]) -> str:
    parts = [
        headline,
        "",
        _("접수번호: %(no)s") % {"no": case.receipt_no},
        _("제목: %(title)s") % {"title": case.title},
        *lines,
        "",
        _("담당 부서: %(u)s") % {"u": contact.unit},
        _("담당자: %(o)s") % {"o": contact.officer},
        _("연락처: %(t)s") % {"t": contact.phone},
        "",
        f"{settings.SITE_NAME} {settings.SITE_URL}",
    ]
    return "\n".join(parts)


# Queueing --------------------------------------------------------------------------------------------

BUILDERS: dict[NoticeStep, Callable[..., Notice]] = {
    NoticeStep.RECEIPT: receipt_notice,
    NoticeStep.AGENCY_TRANSFER: agency_transfer_notice,
    NoticeStep.EXTENSION: extension_notice,
    NoticeStep.PROGRESS: progress_notice,
    NoticeStep.ANSWER: answer_notice,
    NoticeStep.MERGED: merged_notice,
    NoticeStep.REPEATED_CLOSURE: repeated_closure_notice,
    NoticeStep.WITHDRAWAL: withdrawal_notice,
    NoticeStep.ONSITE_START: onsite_start_notice,
    NoticeStep.ONSITE_EXTENSION: onsite_extension_notice,
    NoticeStep.ONSITE_END: onsite_end_notice,
}


LMS_SUBJECTS = {
    NoticeStep.RECEIPT: gettext_lazy("민원 접수"),
    NoticeStep.AGENCY_TRANSFER: gettext_lazy("민원 이송"),
    NoticeStep.EXTENSION: gettext_lazy("처리기한 연장"),
    NoticeStep.PROGRESS: gettext_lazy("처리 진행상황"),
    NoticeStep.ANSWER: gettext_lazy("민원 답변"),
    NoticeStep.MERGED: gettext_lazy("민원 병합"),
    NoticeStep.REPEATED_CLOSURE: gettext_lazy("반복민원 종결"),
    NoticeStep.WITHDRAWAL: gettext_lazy("민원 취하"),
    NoticeStep.ONSITE_START: gettext_lazy("현지조사"),
    NoticeStep.ONSITE_EXTENSION: gettext_lazy("현지조사 연장"),
    NoticeStep.ONSITE_END: gettext_lazy("현지조사 종료"),
}


def lms_subject(step: NoticeStep) -> str:
    """A short LMS subject line (at most 40 EUC-KR bytes, else none)."""
    subject = sms_safe(f"{_prefix()} {LMS_SUBJECTS[step]}")
    return subject if euc_kr_length(subject) <= LMS_SUBJECT_MAX_BYTES else ""


def notice_key(case: Case, step: NoticeStep, sequence: object, channel: str) -> str:
    return f"cases:{case.pk}:{step}:{sequence}:{channel}"


def notify_citizen(
    case: Case,
    step: NoticeStep,
    *,
    sequence: object = 0,
    actor: Any = None,
    contact_of: Case | None = None,
    **context: Any,
) -> list[Message]:
    """Queue the notice of `step` on every channel the citizen chose; returns the messages.

    Call it inside the action's transaction. `sequence` tells repeated steps apart (the extension
    number, the answer id...); the same (case, step, sequence) never gives a second message.
    `contact_of` names another case whose unit and officer the citizen should ask (a merge's target).
    """
    if not (case.notify_sms and case.citizen_phone) and not (case.notify_email and case.citizen_email):
        return []
    notice = BUILDERS[step](case, contact_for(contact_of or case), **context)
    purpose = f"cases.{step}"
    messages: list[Message] = []
    if case.notify_sms and case.citizen_phone:
        messages.append(
            queue_sms(
                case.citizen_phone,
                notice.sms,
                subject=lms_subject(step) if not fits_sms(notice.sms) else "",
                purpose=purpose,
                about=case,
                idempotency_key=notice_key(case, step, sequence, "sms"),
                actor=actor,
            )
        )
    if case.notify_email and case.citizen_email:
        messages.append(
            queue_email(
                case.citizen_email,
                notice.subject,
                notice.email,
                purpose=purpose,
                about=case,
                idempotency_key=notice_key(case, step, sequence, "email"),
                actor=actor,
            )
        )
    return messages
