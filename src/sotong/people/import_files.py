"""Reading an import file as a stream of rows, and mapping its columns to a person's fields.

    rows = read_table(file, "가입자.xlsx")      # iterator of (row number, [cell text, …]); header first
    mapping = map_columns(header)               # {column position: field}, Korean header synonyms

Nothing is held in memory beyond one row: CSV through `csv.reader` over a decoding stream (UTF-8 with or
without BOM, else CP949, as Korean spreadsheets save it), XLSX through openpyxl's read-only mode.
Row numbers are those of the spreadsheet (the header is row 1; blank rows are skipped but counted).
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator
from datetime import date, datetime
from typing import IO, Any

from django.utils.translation import gettext as _

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


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _binary(file: Any) -> IO[bytes]:
    """The underlying binary stream of a Django upload or an open file."""
    inner = getattr(file, "file", file)
    if hasattr(inner, "seek"):
        inner.seek(0)
    return inner  # type: ignore[no-any-return]


def _csv_encoding(stream: IO[bytes]) -> str:
    sample = stream.read(64 * 1024)
    stream.seek(0)
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
    except UnicodeDecodeError:
        return "cp949"
    return "utf-8-sig"


def read_table(file: Any, filename: str) -> Iterator[tuple[int, list[str]]]:
    """(row number, cells) of every non-blank row of a .csv or .xlsx file, the header first."""
    name = (filename or "").lower()
    if name.endswith(".csv"):
        reader = _read_csv
    elif name.endswith(".xlsx"):
        reader = _read_xlsx
    else:
        raise ImportFileError(_("xlsx 또는 csv 파일만 올릴 수 있습니다."), field="file")
    if isinstance(file, str):
        with open(file, "rb") as stream:
            yield from reader(stream)
    else:
        yield from reader(_binary(file))


def _read_csv(stream: IO[bytes]) -> Iterator[tuple[int, list[str]]]:
    encoding = _csv_encoding(stream)
    text = io.TextIOWrapper(stream, encoding=encoding, newline="")  # type: ignore[type-var]
    number = 0
    try:
        for number, row in enumerate(csv.reader(text), start=1):  # noqa: B007 - number is reported below
            cells = [cell.strip() for cell in row]
            if any(cells):
                yield number, cells
    except UnicodeDecodeError:
        raise ImportFileError(
            _("%(row)d행 근처에서 문자 인코딩을 읽을 수 없습니다 (UTF-8 또는 CP949로 저장해 주세요).")
            % {"row": number + 1},
            field="file",
        ) from None
    except csv.Error as exc:
        raise ImportFileError(
            _("%(row)d행의 CSV 형식이 올바르지 않습니다: %(error)s") % {"row": number + 1, "error": exc},
            field="file",
        ) from None
    finally:
        text.detach()


def _read_xlsx(stream: IO[bytes]) -> Iterator[tuple[int, list[str]]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(stream, read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a damaged file
        raise ImportFileError(_("엑셀 파일을 읽을 수 없습니다."), field="file") from None
    try:
        sheet = workbook.worksheets[0]
        for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            cells = [_cell(value) for value in row]
            if any(cells):
                yield number, cells
    finally:
        workbook.close()


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
