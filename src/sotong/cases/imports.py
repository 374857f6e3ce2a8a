"""제안 일괄 등록: meeting proposals from a spreadsheet (xlsx or csv), checked row by row.

    rows = parse(uploaded_file)                       # list[dict] keyed by column name, or ImportError_
    checked = validate(rows)                          # every row with its cleaned values or its errors
    results = commit(checked, actor=..., intake_department=...)   # valid rows only, each whole or not

Each valid row goes through `submit_case` (the deadline, Event and receipt notice) and `assign_case`
(the handling department) in its own transaction, so a row is written whole or not at all; a row the
actions refuse is reported with their Korean message and the others are kept (ARCHITECTURE.md, rule 11).
Meetings named by the same channel, title and date in one file are registered once.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from sotong.accounts.models import Department, User
from sotong.cases.actions import assign_case, register_meeting, submit_case
from sotong.cases.models import MEETING_CHANNELS, Case, CaseKind, Channel, Meeting
from sotong.core.crypto import normalize_contact_phone
from sotong.core.errors import DomainError
from sotong.core.spreadsheets import open_table

# (column, required, note) in the template's order.
COLUMNS: tuple[tuple[str, bool, str], ...] = (
    ("회의구분", True, "구청장과의 대화, 현장구청장실, 열린만남, 학부모간담회"),
    ("회의명", True, ""),
    ("회의일자", True, "2026-03-05"),
    ("회의장소", False, ""),
    ("참석자", False, "한 줄에 한 명 또는 ; 로 구분"),
    ("종류", False, "비우면 제안"),
    ("제목", True, ""),
    ("내용", True, ""),
    ("제안자", True, ""),
    ("휴대전화", False, "휴대전화나 전자우편 중 하나는 필수"),
    ("전자우편", False, ""),
    ("제안자정보", False, "소속, 단체 등"),
    ("행정동", False, ""),
    ("주소", False, ""),
    ("처리부서코드", True, "예: D151"),
)
REQUIRED = tuple(name for name, required, _note in COLUMNS if required)
MAX_ROWS = 1000
MAX_BYTES = 5 * 1024 * 1024
_PHONE = re.compile(r"^0\d{8,10}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_DATE_FORMATS = ("%Y-%m-%d", "%Y.%m.%d", "%Y/%m/%d", "%Y. %m. %d", "%Y%m%d")


class ImportFileError(DomainError):
    """The file as a whole cannot be read (format, size, missing columns)."""


@dataclass
class ImportRow:
    """One spreadsheet row: its number in the file (header = 1), raw values, cleaned values, errors."""

    number: int
    raw: dict[str, str]
    values: dict[str, Any] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass(frozen=True)
class ImportResult:
    number: int
    ok: bool
    receipt_no: str = ""
    message: str = ""


def parse(uploaded: Any) -> list[dict[str, str]]:
    """The rows of an .xlsx or .csv file as dicts keyed by the header row's column names."""
    name = getattr(uploaded, "name", "") or ""
    size = getattr(uploaded, "size", None) or 0
    if size > MAX_BYTES:
        raise ImportFileError(_("파일이 너무 큽니다 (5MB 이하)."), field="file")
    table = open_table(io.BytesIO(uploaded.read()), name, error=ImportFileError)
    header = table.header
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        raise ImportFileError(
            _("필수 열이 없습니다: %(columns)s") % {"columns": ", ".join(missing)}, field="file"
        )
    rows: list[dict[str, str]] = []
    for _number, record in table.records():
        if len(rows) == MAX_ROWS:
            raise ImportFileError(_("한 번에 %(n)d행까지 올릴 수 있습니다.") % {"n": MAX_ROWS}, field="file")
        rows.append(record)
    return rows


def _choice(value: str, choices: Any) -> str | None:
    value = value.strip()
    for choice in choices:
        if value in (choice.value, str(choice.label)):
            return str(choice.value)
    return None


def _date(value: str) -> date | None:
    value = value.strip()
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(value, fmt).date()  # noqa: DTZ007 - a calendar day, no time
        except ValueError:
            continue
    return None


def validate(rows: list[dict[str, str]]) -> list[ImportRow]:
    """Every row with its cleaned values, or every reason it cannot be registered."""
    codes = {dept.code: dept for dept in Department.objects.filter(is_active=True)}
    checked = []
    for index, raw in enumerate(rows, start=2):
        row = ImportRow(index, {key: str(value) for key, value in raw.items()})
        get = row.raw.get
        for column in REQUIRED:
            if not (get(column) or "").strip():
                row.errors.append(_("'%(column)s' 값이 없습니다.") % {"column": column})
        channel = _choice(get("회의구분") or "", Channel)
        if get("회의구분") and (channel is None or channel not in MEETING_CHANNELS):
            row.errors.append(_("회의구분 '%(value)s'을(를) 알 수 없습니다.") % {"value": get("회의구분")})
        kind = (
            _choice(get("종류") or "", CaseKind) if (get("종류") or "").strip() else CaseKind.PROPOSAL.value
        )
        if kind is None:
            row.errors.append(_("종류 '%(value)s'을(를) 알 수 없습니다.") % {"value": get("종류")})
        held_on = _date(get("회의일자") or "")
        if get("회의일자") and held_on is None:
            row.errors.append(
                _("회의일자 '%(value)s'이(가) 날짜가 아닙니다 (예: 2026-03-05).") % {"value": get("회의일자")}
            )
        department = codes.get((get("처리부서코드") or "").strip())
        if get("처리부서코드") and department is None:
            row.errors.append(
                _("처리부서코드 '%(value)s'인 부서가 없습니다.") % {"value": get("처리부서코드")}
            )
        phone = normalize_contact_phone(get("휴대전화") or "") if (get("휴대전화") or "").strip() else ""
        if phone and not _PHONE.match(phone):
            row.errors.append(_("휴대전화 '%(value)s'이(가) 올바르지 않습니다.") % {"value": get("휴대전화")})
        email = (get("전자우편") or "").strip()
        if email and not _EMAIL.match(email):
            row.errors.append(_("전자우편 '%(value)s'이(가) 올바르지 않습니다.") % {"value": email})
        if not phone and not email:
            row.errors.append(_("휴대전화나 전자우편 중 하나는 있어야 합니다."))
        if len(get("제목") or "") > 200:
            row.errors.append(_("제목은 200자 이내로 입력해 주세요."))
        if row.ok:
            row.values = {
                "channel": channel,
                "kind": kind,
                "meeting_title": get("회의명", "").strip(),
                "held_on": held_on,
                "place": (get("회의장소") or "").strip(),
                "attendees": "\n".join(
                    part.strip() for part in re.split(r"[;\n]", get("참석자") or "") if part.strip()
                ),
                "title": get("제목", "").strip(),
                "body": get("내용", "").strip(),
                "citizen_name": get("제안자", "").strip(),
                "citizen_phone": phone,
                "citizen_email": email,
                "proposer_details": (get("제안자정보") or "").strip(),
                "dong": (get("행정동") or "").strip(),
                "address": (get("주소") or "").strip(),
                "department": department,
            }
        checked.append(row)
    return checked


def commit(rows: list[ImportRow], *, actor: User, intake_department: Department) -> list[ImportResult]:
    """Register the valid rows, each in its own transaction; rows with errors are skipped."""
    meetings: dict[tuple[str, str, date], Meeting] = {}
    results = []
    for row in rows:
        if not row.ok:
            results.append(ImportResult(row.number, False, message=" ".join(row.errors)))
            continue
        values = row.values
        key = (values["channel"], values["meeting_title"], values["held_on"])
        try:
            with transaction.atomic():
                meeting = meetings.get(key)
                if meeting is None:
                    meeting = register_meeting(
                        actor=actor,
                        channel=values["channel"],
                        title=values["meeting_title"],
                        held_on=values["held_on"],
                        intake_department=intake_department,
                        place=values["place"],
                        attendees=values["attendees"],
                    )
                case = submit_case(
                    actor=actor,
                    kind=values["kind"],
                    channel=values["channel"],
                    title=values["title"],
                    body=values["body"],
                    intake_department=intake_department,
                    citizen_name=values["citizen_name"],
                    citizen_phone=values["citizen_phone"],
                    citizen_email=values["citizen_email"],
                    notify_sms=bool(values["citizen_phone"]),
                    meeting=meeting,
                    proposer_details=values["proposer_details"],
                    dong=values["dong"],
                    address=values["address"],
                )
                case = assign_case(case, actor=actor, department=values["department"])
        except DomainError as error:
            results.append(ImportResult(row.number, False, message=error.message))
            continue
        meetings[key] = meeting
        results.append(ImportResult(row.number, True, receipt_no=case.receipt_no))
    return results


def template_xlsx() -> bytes:
    """The template file: the header row, one example row and a sheet explaining each column."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "제안"
    sheet.append([name for name, _required, _note in COLUMNS])
    sheet.append(
        [
            str(Channel.MAYOR_DIALOGUE.label),
            "2026년 상반기 구청장과의 대화 (행당1동)",
            "2026-03-05",
            "행당1동 주민센터",
            "홍길동 (행당1동 주민자치회장); 김영희 (통장)",
            str(CaseKind.PROPOSAL.label),
            "행당시장 앞 횡단보도 설치",
            "시장 앞 도로를 건너는 어르신이 많아 횡단보도가 필요합니다.",
            "홍길동",
            "010-1234-5678",
            "",
            "행당1동 주민자치회",
            "행당1동",
            "",
            "D151",
        ]
    )
    notes = workbook.create_sheet("설명")
    notes.append(["열", "필수", "설명"])
    for name, required, note in COLUMNS:
        notes.append([name, "필수" if required else "", note])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def serialise(rows: list[ImportRow]) -> list[dict[str, Any]]:
    """Rows as session-safe data (the raw values; validation runs again at commit)."""
    return [{"number": row.number, "raw": row.raw} for row in rows]


def restore(data: list[dict[str, Any]]) -> list[ImportRow]:
    rows = validate([item["raw"] for item in data])
    for row, item in zip(rows, data, strict=True):
        row.number = int(item["number"])
    return rows


__all__ = [
    "COLUMNS",
    "ImportFileError",
    "ImportResult",
    "ImportRow",
    "commit",
    "parse",
    "restore",
    "serialise",
    "template_xlsx",
    "validate",
]


def created_cases(results: list[ImportResult]) -> list[Case]:
    numbers = [result.receipt_no for result in results if result.ok]
    return list(Case.objects.filter(receipt_no__in=numbers))
