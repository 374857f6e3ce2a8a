"""명단 내려받기 and viewing one person's contact: masked by default, every one logged.

    count = export_people(people, stream, actor=user, fmt="csv", reason="주민참여예산 설명회 안내")
    count = export_people(people, stream, actor=user, fmt="xlsx", unmasked=True, reason="위원 위촉 통보")

Masked exports (홍*동, 010-****-5678, hong***@example.com, age band instead of the year of birth) need
`people.export_people`; unmasked ones `people.export_unmasked` (programme managers only, see rules.py).
Both need a reason and write one personal-data access-log row (다운로드) naming how many people were in
it, before a byte is written, so no export leaves without its log row. Rows are streamed from the
database in chunks: memory does not grow with the number of people.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from typing import IO, Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from sotong.core.masking import format_phone, mask_email, mask_name, mask_phone
from sotong.core.models import PersonalDataAction
from sotong.core.privacy import log_personal_data_access
from sotong.people.actions._common import require
from sotong.people.errors import PeopleError
from sotong.people.models import Person, PersonQuerySet

MASKED_FIELDS = "성명(마스킹), 성별, 연령대, 행정동, 휴대전화(마스킹), 전자우편(마스킹), 직업"
UNMASKED_FIELDS = "성명, 성별, 출생연도, 행정동, 휴대전화, 전자우편, 직업"
CHUNK = 2000


def _header(unmasked: bool) -> list[str]:
    year = _("출생연도") if unmasked else _("연령대")
    return [
        _("번호"),
        _("성명"),
        _("성별"),
        year,
        _("행정동"),
        _("휴대전화"),
        _("전자우편"),
        _("직업"),
        _("등록일"),
    ]


def _rows(people: PersonQuerySet, unmasked: bool) -> Iterator[list[Any]]:
    for person in people.order_by("pk").iterator(chunk_size=CHUNK):
        if unmasked:
            name, mobile, email = person.name, format_phone(person.mobile), person.email
            age: Any = person.birth_year or ""
        else:
            name, mobile, email = mask_name(person.name), mask_phone(person.mobile), mask_email(person.email)
            age = person.age_band_label
        yield [
            person.pk,
            name,
            person.get_gender_display() if person.gender else "",
            age,
            person.dong,
            mobile if person.mobile else "",
            email,
            person.occupation,
            timezone.localtime(person.created_at).date().isoformat(),
        ]


def export_people(
    people: PersonQuerySet,
    stream: IO[Any],
    *,
    actor: Any,
    fmt: str = "csv",
    unmasked: bool = False,
    reason: str,
    request: HttpRequest | None = None,
) -> int:
    """Write the (active) people of `people` to `stream` (text for csv, binary for xlsx); returns how many.

    Refuses without the role or a reason, before anything is written or logged."""
    require(actor, "people.export_unmasked" if unmasked else "people.export_people")
    if fmt not in ("csv", "xlsx"):
        raise PeopleError(_("csv 또는 xlsx로만 내려받을 수 있습니다."), field="fmt")
    if not (reason or "").strip():
        raise PeopleError(
            _("개인정보를 내려받으려면 사유를 입력해 주세요."), code="reason_required", field="reason"
        )
    people = people.active()
    count = people.count()
    with transaction.atomic():
        log_personal_data_access(
            request or actor,
            subject=("people.Person", "*", _("정책고객 %(count)d명") % {"count": count}),
            action=PersonalDataAction.DOWNLOAD,
            fields=(UNMASKED_FIELDS if unmasked else MASKED_FIELDS),
            reason=reason,
            record_count=count,
            path=f"people.export.{fmt}{'.unmasked' if unmasked else ''}",
        )
    if fmt == "csv":
        stream.write("\ufeff")  # Excel opens UTF-8 Korean text only with a BOM
        writer = csv.writer(stream)
        writer.writerow(_header(unmasked))
        writer.writerows(_rows(people, unmasked))
    else:
        from openpyxl import Workbook

        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet(_("정책고객"))
        sheet.append(_header(unmasked))
        for row in _rows(people, unmasked):
            sheet.append(row)
        workbook.save(stream)
    return count


def reveal_contact(
    actor: Any, person: Person, *, request: HttpRequest | None = None, reason: str = ""
) -> dict[str, str]:
    """마스킹 해제: one person's name and contact in full, for `people.view_contact`, logged (조회)."""
    require(actor, "people.view_contact")
    if person.anonymised_at is not None:
        raise PeopleError(_("익명화된 정책고객입니다."), code="anonymised")
    log_personal_data_access(
        request or actor,
        subject=person,
        action=PersonalDataAction.VIEW,
        fields="성명, 휴대전화, 전자우편",
        reason=reason,
    )
    return {"name": person.name, "mobile": format_phone(person.mobile), "email": person.email}
