"""전자소통 가입 and self-service from the portal: the sign-up itself, and the e-mail links that confirm it.

A sign-up is written only after the citizen proved a contact: the phone by an SMS code
(`cases.actions.verification`, the one code mechanism of the platform) or the e-mail address by a link.
The link carries the whole pending sign-up, encrypted with the field key and signed with a timestamp
(`SOTONG_PEOPLE_LINK_TTL_SECONDS`, 30 minutes): nothing is stored before the citizen clicks it, and a
second click finds the consents it already wrote (`token_ref`).

A contact already registered is never duplicated and never revealed: the proven contact finds the person
and the new consents attach to them; an unproven contact that belongs to someone else is left out.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sotong.core.crypto import decrypt, encrypt
from sotong.core.events import record_event
from sotong.core.models import Event
from sotong.messaging.actions import queue_email
from sotong.people.actions._common import CITIZEN
from sotong.people.actions.consents import give_consent
from sotong.people.actions.persons import add_membership, register_person, update_person
from sotong.people.cleaning import clean_email, clean_mobile, email_index_for, phone_index_for
from sotong.people.errors import PeopleError
from sotong.people.models import (
    Consent,
    ConsentMethod,
    ConsentPurpose,
    MembershipKind,
    Person,
    Source,
)

SIGNUP_SALT = "sotong.people.signup-link"
MANAGE_SALT = "sotong.people.manage-link"
LINK_SENT_VERB = "people.email_link_sent"
# Filled in on an existing person only where their record is blank (the proven contact is theirs; the
# rest of what they typed must not overwrite what they or the staff recorded before).
FILLABLE = ("name", "gender", "birth_year", "dong", "occupation")


def link_ttl() -> timedelta:
    return timedelta(seconds=int(getattr(settings, "SOTONG_PEOPLE_LINK_TTL_SECONDS", 30 * 60)))


@dataclass
class Signup:
    """What the citizen entered on the sign-up pages (already checked by the form)."""

    name: str
    mobile: str = ""
    email: str = ""
    gender: str = ""
    birth_year: int | None = None
    dong: str = ""
    occupation: str = ""
    sms: bool = False
    email_channel: bool = False
    purposes: list[str] = field(default_factory=list)
    consented_at: str = ""
    ip: str | None = None
    user_agent: str = ""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> Signup:
        known = {key: values[key] for key in cls.__dataclass_fields__ if key in values}
        return cls(**known)


def token_ref(token: str) -> str:
    """What a consent's evidence keeps of an e-mail link: a hash, never the token itself."""
    return hashlib.sha256(token.encode()).hexdigest()[:32]


# --- the sign-up --------------------------------------------------------------------------------------


@transaction.atomic
def sign_up(signup: Signup, *, method: str, reference: str, verified_at: datetime) -> Person | None:
    """전자소통 가입: register (or find) the person by the proven contact, then record one consent per
    agreed purpose with its evidence (web form, IP, browser, verification, time).

    `method` is `sms_code` (the mobile was proven; `reference` names the verification) or `email_link`
    (`reference` is the link's `token_ref`). Returns None when nothing could be recorded: the only
    channels chosen were contacts that belong to someone else."""
    method = ConsentMethod(method)
    mobile = clean_mobile(signup.mobile)
    email = clean_email(signup.email)
    proven, other = ("mobile", "email") if method == ConsentMethod.SMS_CODE else ("email", "mobile")
    contacts = {"mobile": mobile, "email": email}
    if not contacts[proven]:
        raise PeopleError(_("확인한 연락처가 없습니다."), code="contact_required", field=proven)
    index_of = {"mobile": phone_index_for, "email": email_index_for}
    person = (
        Person.objects.select_for_update()
        .active()
        .by_contact_index(f"{proven}_index", index_of[proven](contacts[proven]))
        .first()
    )
    owner_of_other = None
    if contacts[other]:
        owner_of_other = (
            Person.objects.active()
            .by_contact_index(f"{other}_index", index_of[other](contacts[other]))
            .first()
        )
    keep_other = bool(contacts[other]) and (owner_of_other is None or owner_of_other == person)

    changes: dict[str, Any] = {}
    if person is not None:
        for name in FILLABLE:
            value = getattr(signup, name)
            if value and not getattr(person, name):
                changes[name] = value
        if keep_other and not getattr(person, other):
            changes[other] = contacts[other]
        has = {k: getattr(person, k) or changes.get(k, "") for k in ("mobile", "email")}
    else:
        has = {proven: contacts[proven], other: contacts[other] if keep_other else ""}
    sms = signup.sms and bool(mobile) and _same_contact("mobile", has["mobile"], mobile)
    by_email = signup.email_channel and bool(email) and _same_contact("email", has["email"], email)
    if not sms and not by_email:
        return None

    existing = person is not None
    if person is None:
        person = register_person(
            CITIZEN,
            name=signup.name,
            mobile=has["mobile"],
            email=has["email"],
            gender=signup.gender,
            birth_year=signup.birth_year,
            dong=signup.dong,
            occupation=signup.occupation,
            source=Source.PORTAL,
            ip_address=signup.ip,
        )
    elif changes:
        person = update_person(CITIZEN, person, **changes)
    add_membership(CITIZEN, person, MembershipKind.SUBSCRIBER)
    evidence = {
        "form": "portal_signup",
        "ip": signup.ip,
        "user_agent": signup.user_agent[:300],
        "consented_at": signup.consented_at,
        "verified_at": verified_at.isoformat(),
        ("verification" if method == ConsentMethod.SMS_CODE else "token_ref"): reference,
    }
    purposes = ConsentPurpose.objects.filter(code__in=signup.purposes, is_active=True)
    given = []
    for purpose in purposes:
        give_consent(CITIZEN, person, purpose, sms=sms, email=by_email, method=method, evidence=evidence)
        given.append(purpose.code)
    record_event(
        CITIZEN,
        "people.signed_up",
        person,
        after={"purposes": given, "method": str(method), "existing": existing},
        ip_address=signup.ip,
    )
    return person


def _same_contact(kind: str, stored: str, given: str) -> bool:
    if kind == "email":
        return bool(stored) and stored.strip().lower() == given.strip().lower()
    return bool(stored) and stored == given


def signup_done_by(reference: str) -> bool:
    """Whether the e-mail link `token_ref` has already been used for a sign-up (a second click)."""
    return Consent.objects.filter(evidence__token_ref=reference).exists()


# --- e-mail links -------------------------------------------------------------------------------------


def make_signup_token(signup: Signup) -> str:
    """The pending sign-up, signed with the time (expiry) and encrypted (it holds personal data)."""
    return encrypt(signing.dumps(signup.as_dict(), salt=SIGNUP_SALT, compress=True))


def read_signup_token(token: str) -> Signup:
    """The sign-up of a link, or PeopleError `link_expired` / `link_invalid`."""
    try:
        signed = decrypt(token)
    except ValueError:
        raise _invalid_link() from None
    try:
        values = signing.loads(signed, salt=SIGNUP_SALT, max_age=link_ttl())
    except signing.SignatureExpired:
        raise _expired_link() from None
    except signing.BadSignature:
        raise _invalid_link() from None
    return Signup.from_dict(values)


def make_manage_token(person: Person) -> str:
    """A link that proves the person holds the e-mail address (valid while the address stays theirs)."""
    return signing.dumps({"p": person.pk, "e": person.email_index}, salt=MANAGE_SALT)


def read_manage_token(token: str) -> Person:
    """The person a self-service link was sent to, or PeopleError `link_expired` / `link_invalid`."""
    try:
        values = signing.loads(token, salt=MANAGE_SALT, max_age=link_ttl())
    except signing.SignatureExpired:
        raise _expired_link() from None
    except signing.BadSignature:
        raise _invalid_link() from None
    person = Person.objects.active().filter(pk=values.get("p"), email_index=values.get("e") or "-").first()
    if person is None:
        raise _invalid_link()
    return person


def _invalid_link() -> PeopleError:
    return PeopleError(
        _(
            "확인 링크가 올바르지 않습니다. 전자우편의 링크 전체를 복사했는지 확인하거나 처음부터 다시 해 주세요."
        ),
        code="link_invalid",
    )


def _expired_link() -> PeopleError:
    minutes = int(link_ttl().total_seconds() // 60)
    return PeopleError(
        _("확인 링크의 유효 시간(%(minutes)d분)이 지났습니다. 처음부터 다시 해 주세요.")
        % {"minutes": minutes},
        code="link_expired",
    )


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def check_link_limits(email: str, ip: str | None) -> None:
    """The limits of SMS codes (`SOTONG_PHONE_CODE_*`) applied to e-mail links, counted from the Events:
    one a minute and five an hour per address, twenty an hour per IP address."""
    index = email_index_for(email)
    now = timezone.now()
    hour_ago = now - timedelta(hours=1)
    sent = Event.objects.filter(verb=LINK_SENT_VERB, created_at__gte=hour_ago)
    to_address = sent.filter(after__email_index=index)
    interval = _setting("SOTONG_PHONE_CODE_INTERVAL_SECONDS", 60)
    last = to_address.order_by("-created_at").values_list("created_at", flat=True).first()
    if last is not None and now - last < timedelta(seconds=interval):
        wait = interval - int((now - last).total_seconds())
        raise PeopleError(
            _("확인 메일을 방금 보냈습니다. %(seconds)d초 뒤에 다시 요청해 주세요.")
            % {"seconds": max(wait, 1)},
            code="link_too_soon",
            field="email",
        )
    per_address = _setting("SOTONG_PHONE_CODE_PER_PHONE_HOUR", 5)
    if to_address.count() >= per_address:
        raise PeopleError(
            _("이 주소로 1시간에 %(limit)d번까지 확인 메일을 받을 수 있습니다. 잠시 후 다시 시도해 주세요.")
            % {"limit": per_address},
            code="link_address_limit",
            field="email",
        )
    per_ip = _setting("SOTONG_PHONE_CODE_PER_IP_HOUR", 20)
    if ip and sent.filter(ip_address=ip).count() >= per_ip:
        raise PeopleError(
            _("확인 메일 요청이 너무 많습니다. 1시간 뒤에 다시 시도해 주세요."),
            code="link_ip_limit",
            field="email",
        )


def send_link(email: str, *, kind: str, url: str | None, ip: str | None) -> None:
    """Queue the confirmation e-mail (`kind` "signup" or "manage") with `url`, after the rate limits.

    `url` None means there is nobody to write to (self-service for an unknown address): the request is
    counted all the same, so the limits and the answer do not tell registered addresses apart."""
    email = clean_email(email)
    if not email:
        raise PeopleError(_("전자우편 주소를 입력해 주세요."), field="email")
    with transaction.atomic():
        check_link_limits(email, ip)
        minutes = int(link_ttl().total_seconds() // 60)
        if url is not None:
            if kind == "signup":
                subject = _("[%(site)s] 전자소통 가입을 확인해 주세요") % {"site": settings.SITE_NAME}
                lead = _("전자소통 가입 신청을 받았습니다. 아래 링크를 열어 가입을 마쳐 주세요.")
            else:
                subject = _("[%(site)s] 전자소통 가입 정보 관리 본인 확인") % {"site": settings.SITE_NAME}
                lead = _("가입 정보와 동의 내역을 보려면 아래 링크를 열어 주세요.")
            text = "\n\n".join(
                [
                    lead,
                    url,
                    _("이 링크는 %(minutes)d분 동안 쓸 수 있습니다.") % {"minutes": minutes},
                    _("직접 요청하지 않았다면 이 메일을 지워 주세요. 아무것도 등록되지 않습니다."),
                ]
            )
            queue_email(email, subject, text, purpose=f"people.{kind}_link", actor=CITIZEN)
        record_event(
            CITIZEN,
            LINK_SENT_VERB,
            None,
            after={"email_index": email_index_for(email), "kind": kind, "sent": url is not None},
            ip_address=ip,
        )
