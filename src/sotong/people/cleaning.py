"""Checking and normalising a person's fields, shared by the actions and the import (Korean reasons).

Each `clean_*` returns the stored form or raises `PeopleError` naming the field. Contact values are
normalised before they are indexed: a mobile number as digits (01012345678), an e-mail trimmed, its
index lower-cased (`core.crypto.phone_index_for`/`email_index_for`, the one blind-index convention).
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from sotong.core.crypto import email_index_for, phone_index_for
from sotong.core.models import Code
from sotong.messaging.text import normalize_mobile
from sotong.people.errors import PeopleError
from sotong.people.models import Gender, current_year

__all__ = [
    "DONG_CODE_GROUP",
    "clean_birth_year",
    "clean_dong",
    "clean_email",
    "clean_gender",
    "clean_mobile",
    "clean_name",
    "clean_occupation",
    "email_index_for",
    "looks_like_resident_number",
    "phone_index_for",
]

# The code table of the district's 행정동 (name = official name, attributes.aliases = short forms such
# as "행1" in seed 001's tables). When it is empty any dong is accepted.
DONG_CODE_GROUP = "dong"
OLDEST_BIRTH_YEAR = 1900

_GENDERS = {
    Gender.MALE: {"m", "male", "남", "남자", "남성", "1", "3"},
    Gender.FEMALE: {"f", "female", "여", "여자", "여성", "2", "4"},
}
_BIRTH_YEAR = re.compile(r"^(\d{4})(?:\s*년.*|[-./]\d{1,2}(?:[-./]\d{1,2})?\.?)?$")
_NAME_FORBIDDEN = re.compile(r"[\d@<>/\\;]")
_RESIDENT_NUMBER = re.compile(r"\d{6}\s*-?\s*[1-8]\d{6}")


def looks_like_resident_number(value: str) -> bool:
    """주민등록번호 must never be collected: a value shaped like one is refused wherever it appears."""
    return bool(_RESIDENT_NUMBER.search(value or ""))


def clean_name(value: str | None) -> str:
    name = " ".join((value or "").split())
    if len(name) > 50:
        raise PeopleError(_("성명은 50자 이내로 입력해 주세요."), field="name")
    if _NAME_FORBIDDEN.search(name):
        raise PeopleError(_("성명에 숫자나 기호를 쓸 수 없습니다: %(value)s") % {"value": name}, field="name")
    return name


def clean_mobile(value: str | None) -> str:
    raw = (value or "").strip()
    if not raw:
        return ""
    digits = normalize_mobile(raw)
    if digits is None:
        raise PeopleError(
            _("휴대전화 번호가 올바르지 않습니다: %(value)s (예: 010-1234-5678)") % {"value": raw},
            field="mobile",
        )
    return digits


def clean_email(value: str | None) -> str:
    email = (value or "").strip()
    if not email:
        return ""
    try:
        validate_email(email)
    except ValidationError:
        raise PeopleError(
            _("전자우편 주소가 올바르지 않습니다: %(value)s") % {"value": email}, field="email"
        ) from None
    if len(email) > 254:
        raise PeopleError(_("전자우편 주소가 너무 깁니다."), field="email")
    return email


def clean_gender(value: str | None) -> str:
    text = (value or "").strip().lower()
    if not text:
        return ""
    for gender, words in _GENDERS.items():
        if text in words:
            return str(gender)
    raise PeopleError(_("성별은 남 또는 여로 입력해 주세요: %(value)s") % {"value": value}, field="gender")


def clean_birth_year(value: str | int | None, *, year: int | None = None) -> int | None:
    """A four-digit year (1985, 1985년, 1985-03-02 → 1985) between 1900 and this year."""
    if value is None or value == "":
        return None
    text = str(value).strip()
    match = _BIRTH_YEAR.match(text)
    if not match:
        raise PeopleError(
            _("출생연도는 네 자리 연도로 입력해 주세요 (예: 1985): %(value)s") % {"value": text},
            field="birth_year",
        )
    birth_year = int(match.group(1))
    if not OLDEST_BIRTH_YEAR <= birth_year <= (year or current_year()):
        raise PeopleError(
            _("출생연도 %(value)d은(는) 있을 수 없는 연도입니다.") % {"value": birth_year}, field="birth_year"
        )
    return birth_year


def dong_table() -> dict[str, str]:
    """Every accepted spelling (name, code, aliases, without spaces) → official name; one query."""
    table: dict[str, str] = {}
    for code in Code.objects.active().in_group(DONG_CODE_GROUP).only("code", "name", "attributes"):
        spellings = [code.name, code.code, *(code.attributes or {}).get("aliases", [])]
        for spelling in spellings:
            table["".join(str(spelling).split())] = code.name
    return table


def clean_dong(value: str | None, *, table: dict[str, str] | None = None) -> str:
    dong = " ".join((value or "").split())
    if not dong:
        return ""
    table = dong_table() if table is None else table
    if not table:
        if len(dong) > 40:
            raise PeopleError(_("행정동은 40자 이내로 입력해 주세요."), field="dong")
        return dong
    found = table.get("".join(dong.split()))
    if found is None:
        raise PeopleError(_("행정동 '%(value)s'을(를) 찾을 수 없습니다.") % {"value": dong}, field="dong")
    return found


def clean_occupation(value: str | None) -> str:
    occupation = " ".join((value or "").split())
    if len(occupation) > 100:
        raise PeopleError(_("직업은 100자 이내로 입력해 주세요."), field="occupation")
    return occupation
