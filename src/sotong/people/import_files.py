"""Reading an import file as a stream of rows, and mapping its columns to a person's fields.

    rows = read_table(file, "가입자.xlsx")      # iterator of (row number, [cell text, …]); header first
    mapping = map_columns(header)               # {column position: field}, Korean header synonyms

The reading itself (encoding sniffing, XLSX streaming, row numbers) is `sotong.core.spreadsheets`, shared
with the cases' bulk registration; nothing is held in memory beyond one row.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.utils.translation import gettext as _

from sotong.core.spreadsheets import read_rows
from sotong.people.errors import PeopleError

FIELDS = ("name", "mobile", "email", "gender", "birth_year", "dong", "occupation", "consent_date")
FIELD_LABELS = {
    "name": "성명",
    "mobile": "휴대전화",
    "email": "전자우편",
    "gender": "성별",
    "birth_year": "출생연도",
    "dong": "행정동",
    "occupation": "직업",
    "consent_date": "동의일",
}
SYNONYMS: dict[str, tuple[str, ...]] = {
    "name": ("이름", "성명", "성함", "name", "가입자명", "회원명"),
    "mobile": (
        "휴대폰", "휴대전화", "핸드폰", "휴대폰번호", "휴대전화번호", "핸드폰번호", "연락처", "휴대번호",
        "mobile", "phone", "hp",
    ),
    "email": ("이메일", "전자우편", "이메일주소", "전자우편주소", "메일", "email", "e-mail", "mail"),
    "gender": ("성별", "gender", "sex"),
    "birth_year": ("출생연도", "생년", "출생년도", "생년월일", "출생년", "birthyear", "birth_year", "birth"),
    "dong": ("행정동", "동", "거주동", "주소(동)", "지역", "dong"),
    "occupation": ("직업", "직종", "occupation", "job"),
    "consent_date": ("동의일", "동의일자", "동의일시", "가입일", "가입일자", "가입일시", "consent_date"),
}  # fmt: skip
# 주민등록번호 is never collected: a file carrying it is refused whole.
FORBIDDEN_HEADERS = ("주민등록번호", "주민번호", "주민등록", "rrn", "residentnumber")


class ImportFileError(PeopleError):
    """The file as a whole cannot be read (format, encoding, missing or forbidden columns)."""


def _key(header: str) -> str:
    return "".join(str(header or "").split()).lower().replace("_", "").replace("-", "")


_LOOKUP = {_key(word): field for field, words in SYNONYMS.items() for word in words}


def read_table(file: Any, filename: str) -> Iterator[tuple[int, list[str]]]:
    """(row number, cells) of every non-blank row of a .csv or .xlsx file, the header first."""
    return read_rows(file, filename, error=ImportFileError)


def map_columns(header: list[str], mapping: dict[str, str] | None = None) -> tuple[dict[int, str], list[str]]:
    """({column position: field}, [ignored headers]). `mapping` (header → field, "" to ignore) overrides
    the synonyms. Refuses a file with a 주민등록번호 column, a field taken by two columns, or no contact."""
    explicit = {_key(k): v for k, v in (mapping or {}).items()}
    columns: dict[int, str] = {}
    ignored: list[str] = []
    for position, title in enumerate(header):
        key = _key(title)
        if not key:
            continue
        if any(word in key for word in FORBIDDEN_HEADERS):
            raise ImportFileError(
                _("주민등록번호 열('%(column)s')이 있는 파일은 받을 수 없습니다. 그 열을 지우고 올려 주세요.")
                % {"column": title},
                field="file",
            )
        field = explicit[key] if key in explicit else _LOOKUP.get(key, "")
        if field and field not in FIELDS:
            raise ImportFileError(_("알 수 없는 항목입니다: %(field)s") % {"field": field}, field="mapping")
        if not field:
            ignored.append(title)
            continue
        if field in columns.values():
            raise ImportFileError(
                _("'%(field)s' 항목에 해당하는 열이 둘 이상입니다: '%(column)s'")
                % {"field": FIELD_LABELS[field], "column": title},
                field="mapping",
            )
        columns[position] = field
    if not {"mobile", "email"} & set(columns.values()):
        raise ImportFileError(
            _(
                "휴대전화나 전자우편 열이 있어야 합니다 (열 이름 예: 휴대폰, 휴대전화, 핸드폰, 이메일, 전자우편)."
            ),
            field="mapping",
        )
    return columns, ignored
