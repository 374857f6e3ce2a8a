"""Exports of the situation board: the XLSX (a sheet per table, the board's numbers) and the monthly PDF
report in Korean (its text read back from the file and compared with the board), with clear messages
for a bad month or a missing font."""

from __future__ import annotations

import io
import re
import zlib
from typing import Any

import pytest
from openpyxl import load_workbook

from sotong.cases.models import Case
from sotong.insights.board import report as report_module
from sotong.insights.board import rollup
from sotong.insights.board.read import board
from sotong.insights.board.rollup import seoul_today
from sotong.insights.tests import test_board
from sotong.insights.tests.test_board import BOARD

activity = test_board.activity  # the fixture of the board tests

pytestmark = pytest.mark.django_db

XLSX = BOARD + "export.xlsx"
PDF = BOARD + "report.pdf"


def _unescape(literal: bytes) -> bytes:
    """A PDF literal string's bytes (backslash escapes resolved)."""
    out, index = bytearray(), 0
    escapes = {ord("n"): 10, ord("r"): 13, ord("t"): 9, ord("b"): 8, ord("f"): 12}
    while index < len(literal):
        byte = literal[index]
        if byte != 0x5C:
            out.append(byte)
            index += 1
            continue
        following = literal[index + 1]
        if following in escapes:
            out.append(escapes[following])
            index += 2
        elif 0x30 <= following <= 0x37:
            digits = re.match(rb"[0-7]{1,3}", literal[index + 1 : index + 4])
            assert digits is not None
            out.append(int(digits.group(), 8))
            index += 1 + len(digits.group())
        else:
            out.append(following)
            index += 2
    return bytes(out)


def pdf_text(data: bytes) -> str:
    """The text of an fpdf2 PDF: each font's ToUnicode map applied to the 2-byte codes of its `Tj`s.

    (pypdf is not installed; this reads what fpdf2 writes: Type0 fonts with Identity-H codes.)
    """
    objects = {int(number): body for number, body in re.findall(rb"(\d+) 0 obj\s*(.*?)endobj", data, re.S)}

    def stream(body: bytes) -> bytes:
        match = re.search(rb"stream\r?\n(.*?)\r?\nendstream", body, re.S)
        assert match is not None
        raw = match.group(1)
        return zlib.decompress(raw) if b"/FlateDecode" in body else raw

    maps: dict[bytes, dict[int, str]] = {}
    for name, number in re.findall(rb"/(F\d+) (\d+) 0 R", data):
        font = objects[int(number)]
        to_unicode = re.search(rb"/ToUnicode (\d+) 0 R", font)
        assert to_unicode is not None
        cmap = stream(objects[int(to_unicode.group(1))])
        maps[name] = {
            int(code, 16): bytes.fromhex(text.decode()).decode("utf-16-be")
            for code, text in re.findall(
                rb"<([0-9A-Fa-f]{4})> <([0-9A-Fa-f]+)>", cmap.split(b"beginbfchar")[1]
            )
        }
    lines: list[str] = []
    token = re.compile(rb"/(F\d+) [\d.]+ Tf|\(((?:\\.|[^\\)])*)\) Tj", re.S)
    for body in objects.values():
        if b"stream" not in body or b"/Length1" in body or b"/Subtype" in body:
            continue
        try:
            content = stream(body)
        except zlib.error:
            continue
        font: dict[int, str] = {}
        for match in token.finditer(content):
            if match.group(1):
                font = maps[match.group(1)]
                continue
            codes = _unescape(match.group(2))
            lines.append(
                "".join(
                    font.get(int.from_bytes(codes[i : i + 2], "big"), "?") for i in range(0, len(codes), 2)
                )
            )
    return "\n".join(lines)


def test_board_xlsx_has_a_sheet_per_table_with_the_board_numbers(
    activity: list[Case], coordinator: Any, verified_client: Any
) -> None:
    rollup.recompute_recent()
    client = verified_client(coordinator)
    page = client.get(BOARD).context["board"]
    response = client.get(XLSX)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="board-')
    book = load_workbook(io.BytesIO(response.content), read_only=True)
    assert book.sheetnames == ["합계", "추이", "접수 경로별", "종류별", "분야별", "처리부서별", "행정동별"]
    total = list(book["합계"].iter_rows(values_only=True))
    header, values = total[2], total[3]
    assert header[:2] == ("구분", "접수")
    figures = dict(zip(header, values, strict=True))
    assert figures["접수"] == page.total.received == 12
    assert figures["핑퐁"] == page.total.ping_pong == 1
    assert figures["미보고"] == page.total.unreported == 1
    assert figures["지연"] == page.total.overdue_open
    assert figures["처리기간 준수율(%)"] == page.total.on_time_rate
    assert figures["스피드지수"] == page.total.speed_index
    assert figures["만족도(5점)"] == page.total.satisfaction == 4.5
    channels = list(book["접수 경로별"].iter_rows(values_only=True))[1:]
    assert {row[0]: row[1] for row in channels} == {
        row.label: row.received for row in page.breakdowns["channel"]
    }
    departments = list(book["처리부서별"].iter_rows(values_only=True))[1:]
    assert {row[0]: (row[2], row[4]) for row in departments} == {
        row.label: (row.answered, row.on_time_rate) for row in page.breakdowns["department"]
    }
    trend = list(book["추이"].iter_rows(values_only=True))[1:]
    assert sum(row[1] for row in trend) == 12


def test_board_xlsx_of_a_department_holds_its_cases_only(
    activity: list[Case], org: Any, handler: Any, verified_client: Any
) -> None:
    rollup.recompute_recent()
    response = verified_client(handler).get(XLSX)
    book = load_workbook(io.BytesIO(response.content), read_only=True)
    rows = list(book["합계"].iter_rows(values_only=True))
    assert rows[1][1] == "청소행정과"
    handled = [case for case in activity if case.handling_department_id == org.sanitation.pk]
    assert rows[3][1] == len(handled)


def test_monthly_report_pdf_is_korean_text_with_the_board_numbers(
    activity: list[Case], org: Any, coordinator: Any, verified_client: Any
) -> None:
    # given this month's rollups
    rollup.recompute_recent()
    today = seoul_today()
    first = today.replace(day=1)
    month = board(first, report_module.month_bounds(today.year, today.month)[1])
    # when the coordinator asks for this month's report
    response = verified_client(coordinator).get(PDF, {"month": f"{today:%Y-%m}"})
    # then it is a PDF whose text holds the title, the totals and the tables of the board
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    text = pdf_text(response.content)
    assert f"월간 민원 보고서 {today.year}년 {today.month}월" in text
    assert "범위: 전체 (기관)" in text
    lines = text.splitlines()
    totals_at = lines.index("접수")
    assert lines[totals_at : totals_at + 6] == [
        "접수",
        "답변",
        "기한 내 답변",
        "준수율(%)",
        "스피드지수",
        "만족도(5점)",
    ]
    total = month.total
    assert lines[totals_at + 6 : totals_at + 12] == [
        str(total.received),
        str(total.answered),
        str(total.answered_on_time),
        f"{total.on_time_rate:.1f}",
        f"{total.speed_index:.1f}",
        f"{total.satisfaction:.2f}",
    ]
    # (blank cells write no text)
    assert lines[totals_at + 12 : totals_at + 22] == [
        "처리중",
        "지연",
        "핑퐁",
        "미보고",
        "만족도 응답",
        str(total.open_count),
        str(total.overdue_open),
        str(total.ping_pong),
        str(total.unreported),
        str(total.satisfaction_count),
    ]
    for heading in ("일별 접수", "처리부서별 처리기간 준수율(%)", "접수 경로별", "처리부서별", "행정동별"):
        assert heading in lines
    # the department table: each department's row as on the board
    for row in month.breakdowns["department"]:
        at = lines.index(row.label, lines.index("처리부서별"))
        rate = "-" if row.on_time_rate is None else f"{row.on_time_rate:.1f}"
        assert lines[at + 1 : at + 4] == [str(row.received), str(row.answered), rate]
    assert org.sanitation.name in text


def test_monthly_report_of_a_department_for_its_staff(
    activity: list[Case], org: Any, handler: Any, verified_client: Any
) -> None:
    rollup.recompute_recent()
    today = seoul_today()
    response = verified_client(handler).get(PDF, {"month": f"{today:%Y-%m}"})
    assert response.status_code == 200
    text = pdf_text(response.content)
    assert "범위: 청소행정과" in text
    assert org.transport.name not in text


def test_bad_period_of_the_xlsx_gives_a_korean_message(
    coordinator: Any, verified_client: Any, db: Any
) -> None:
    response = verified_client(coordinator).get(
        XLSX, {"received_from": "2026-05-10", "received_to": "2026-05-01"}, follow=True
    )
    assert response.redirect_chain
    assert "기간을 확인해 주세요." in response.content.decode()
    assert "끝나는 날이 시작하는 날보다 앞섭니다." in response.content.decode()


def test_bad_month_or_missing_font_gives_a_korean_message(
    coordinator: Any, verified_client: Any, monkeypatch: Any, db: Any
) -> None:
    client = verified_client(coordinator)
    response = client.get(PDF, {"month": "2026-13"}, follow=True)
    assert "보고 월은 2026-05처럼 연-월로 입력해 주세요." in response.content.decode()
    monkeypatch.setattr(report_module, "FONT_DIRS", ("/nonexistent",))
    response = client.get(PDF, {"month": "2026-05"}, follow=True)
    assert response.redirect_chain
    assert "fonts-noto-cjk" in response.content.decode()
