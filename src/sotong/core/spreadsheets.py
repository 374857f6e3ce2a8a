"""Reading an uploaded spreadsheet (csv or xlsx) as a stream of rows, for every bulk import.

    table = open_table(upload, "가입자.xlsx", error=ImportFileError)
    table.header                       # the first non-blank row, cells stripped
    for number, cells in table.rows:   # the rows after it; numbers as the spreadsheet shows them
        ...
    for number, record in table.records():   # {column name: cell text}

Nothing is held in memory beyond one row: CSV through `csv.reader` over a decoding stream, XLSX through
openpyxl's read-only mode. Korean spreadsheets save CSV as UTF-8 (with or without BOM) or as CP949
(which includes EUC-KR); the encoding is sniffed from the first 64 KiB. Row numbers are those of the
spreadsheet (the header is row 1 when nothing is above it); blank rows are skipped but counted. Every
problem with the file as a whole is raised as `error(message, field="file")`, the caller's own class.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator
from contextlib import ExitStack
from datetime import date, datetime
from typing import IO, Any, Protocol

from django.utils.translation import gettext as _

from sotong.core.errors import DomainError

FORMATS = (".csv", ".xlsx")
SNIFF_BYTES = 64 * 1024


class ErrorClass(Protocol):
    def __call__(self, message: str, *, field: str) -> Exception: ...


def cell_text(value: Any) -> str:
    """A cell as text: dates as ISO dates, whole floats without '.0', None as ''."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def binary_stream(file: Any) -> IO[bytes]:
    """The underlying binary stream of a Django upload or an open file, rewound."""
    inner = getattr(file, "file", file)
    if hasattr(inner, "seek"):
        inner.seek(0)
    return inner  # type: ignore[no-any-return]


def sniff_csv_encoding(stream: IO[bytes]) -> str | None:
    """ "utf-8-sig" or "cp949" from the start of `stream` (rewound after); None when neither reads it."""
    sample = stream.read(SNIFF_BYTES)
    stream.seek(0)
    for encoding in ("utf-8-sig", "cp949"):
        try:
            # final=False: a character cut at the end of the sample is not an error.
            codecs.getincrementaldecoder(encoding)().decode(sample, final=False)
        except UnicodeDecodeError:
            continue
        return encoding
    return None


def _csv_rows(stream: IO[bytes], error: ErrorClass) -> Iterator[tuple[int, list[str]]]:
    encoding = sniff_csv_encoding(stream)
    if encoding is None:
        raise error(_("CSV 파일의 문자 인코딩을 알 수 없습니다 (UTF-8 또는 CP949)."), field="file")
    text = io.TextIOWrapper(stream, encoding=encoding, newline="")  # type: ignore[type-var]
    number = 0
    try:
        for number, row in enumerate(csv.reader(text), start=1):  # noqa: B007 - number is reported below
            cells = [cell.strip() for cell in row]
            if any(cells):
                yield number, cells
    except UnicodeDecodeError:
        raise error(
            _("%(row)d행 근처에서 문자 인코딩을 읽을 수 없습니다 (UTF-8 또는 CP949로 저장해 주세요).")
            % {"row": number + 1},
            field="file",
        ) from None
    except csv.Error as exc:
        raise error(
            _("%(row)d행의 CSV 형식이 올바르지 않습니다: %(error)s") % {"row": number + 1, "error": exc},
            field="file",
        ) from None
    finally:
        text.detach()


def _xlsx_rows(stream: IO[bytes], error: ErrorClass) -> Iterator[tuple[int, list[str]]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(stream, read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a damaged file
        raise error(_("엑셀 파일을 읽을 수 없습니다."), field="file") from None
    try:
        sheet = workbook.worksheets[0]
        for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            cells = [cell_text(value) for value in row]
            if any(cells):
                yield number, cells
    finally:
        workbook.close()


def read_rows(
    file: Any, filename: str, *, error: ErrorClass = DomainError
) -> Iterator[tuple[int, list[str]]]:
    """(row number, cells) of every non-blank row of a .csv or .xlsx file, the header first.

    `file` is a path, a Django upload or a binary stream; a path is opened and closed here."""
    name = (filename or "").lower()
    if name.endswith(".csv"):
        reader = _csv_rows
    elif name.endswith(".xlsx"):
        reader = _xlsx_rows
    else:
        raise error(_("xlsx 또는 csv 파일만 올릴 수 있습니다."), field="file")
    with ExitStack() as stack:
        stream = stack.enter_context(open(file, "rb")) if isinstance(file, str) else binary_stream(file)  # noqa: SIM115
        yield from reader(stream, error)


class Table:
    """A spreadsheet's header and the rows after it, read lazily (see the module docstring)."""

    def __init__(self, file: Any, filename: str, *, error: ErrorClass = DomainError) -> None:
        self._rows = read_rows(file, filename, error=error)
        first = next(self._rows, None)
        if first is None:
            raise error(_("빈 파일입니다."), field="file")
        self.header_row, cells = first
        self.header = [cell.strip() for cell in cells]

    @property
    def rows(self) -> Iterator[tuple[int, list[str]]]:
        return self._rows

    def records(self) -> Iterator[tuple[int, dict[str, str]]]:
        """(row number, {column name: cell}) for the columns with a name; short rows padded with ''."""
        named = [(i, column) for i, column in enumerate(self.header) if column]
        for number, cells in self._rows:
            yield number, {column: (cells[i] if i < len(cells) else "") for i, column in named}

    def close(self) -> None:
        self._rows.close()  # type: ignore[attr-defined]


def open_table(file: Any, filename: str, *, error: ErrorClass = DomainError) -> Table:
    """The header of `file` read, its rows ready to stream; refuses an unknown format or an empty file."""
    return Table(file, filename, error=error)


def count_lines(path: str, filename: str) -> int | None:
    """A quick upper bound of the data rows of a stored file, for progress: CSV newlines, or the
    dimension an XLSX sheet declares; None when the file does not say."""
    name = filename.lower()
    if name.endswith(".csv"):
        lines = 0
        with open(path, "rb") as stream:
            while chunk := stream.read(1 << 20):
                lines += chunk.count(b"\n")
        return max(lines - 1, 0)
    if name.endswith(".xlsx"):
        from openpyxl import load_workbook

        try:
            workbook = load_workbook(path, read_only=True)
        except Exception:  # the reading itself reports a damaged file
            return None
        try:
            rows = workbook.worksheets[0].max_row
        finally:
            workbook.close()
        return max(rows - 1, 0) if rows else None
    return None
