"""상황판 내려받기: the board as an XLSX workbook, one sheet per table of the page (figures only, no
personal data, so no access-log row). Numbers are written as numbers; rates and indexes as the page shows
them (one decimal), blank when there is nothing to rate.
"""

from __future__ import annotations

import io
from typing import Any

from django.utils.translation import gettext as _

from sotong.insights.board.read import Board, BoardRow


def row_header(title: str) -> list[str]:
    return [
        title,
        _("접수"),
        _("답변"),
        _("기한 내 답변"),
        _("처리기간 준수율(%)"),
        _("스피드지수"),
        _("처리중"),
        _("지연"),
        _("핑퐁"),
        _("미보고"),
        _("만족도 응답"),
        _("만족도(5점)"),
    ]


def row_values(label: str, row: BoardRow) -> list[Any]:
    return [
        label,
        row.received,
        row.answered,
        row.answered_on_time,
        row.on_time_rate,
        row.speed_index,
        row.open_count,
        row.overdue_open,
        row.ping_pong,
        row.unreported,
        row.satisfaction_count,
        row.satisfaction,
    ]


def sheet_titles() -> dict[str, tuple[str, str]]:
    """Breakdown → (sheet title, first column)."""
    return {
        "channel": (_("접수 경로별"), _("접수 경로")),
        "kind": (_("종류별"), _("종류")),
        "category": (_("분야별"), _("분야")),
        "department": (_("처리부서별"), _("처리부서")),
        "dong": (_("행정동별"), _("행정동")),
    }


def scope_label(data: Board) -> str:
    return data.scope.name if data.scope is not None else _("전체 (기관)")


def board_workbook(data: Board) -> bytes:
    """The workbook: 합계 (with the period and scope), 추이 (per day or week), then each breakdown."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    total = book.create_sheet(_("합계"))
    total.append([_("기간"), f"{data.first.isoformat()} ~ {data.last.isoformat()}", _("접수일 기준")])
    total.append([_("범위"), scope_label(data)])
    total.append(row_header(_("구분")))
    total.append(row_values(_("합계"), data.total))
    trend = book.create_sheet(_("추이"))
    trend.append([_("주") if data.weekly else _("일"), _("접수"), _("답변"), _("지연")])
    for point in data.trend:
        trend.append([point.label, point.received, point.answered, point.overdue_open])
    for name, (title, column) in sheet_titles().items():
        sheet = book.create_sheet(title)
        sheet.append(row_header(column))
        for row in data.breakdowns[name]:
            sheet.append(row_values(row.label, row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
