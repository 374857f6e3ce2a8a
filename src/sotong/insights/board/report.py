"""월간 민원 보고서 (PDF): one month of the board, for the whole government or one bureau or department.

The month's totals, on-time rate (처리기간 준수율), speed index (스피드지수) and satisfaction, a bar chart of
receipts per day and one of the on-time rate per department, drawn with fpdf2's own primitives, and the
breakdown tables (channel, kind, category, handling department, dong). The figures are those of
`read.board` for the month, i.e. the rollups, so the report and the board agree.

Korean needs a CJK font: Noto Sans CJK from Debian's `fonts-noto-cjk` (the KR face of the collection),
looked up at run time; without it `ReportError` says what to install.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from django.utils import timezone
from django.utils.translation import gettext as _

from sotong.accounts.models import Department
from sotong.core.errors import DomainError
from sotong.insights.board.exports import scope_label, sheet_titles
from sotong.insights.board.read import Board, BoardRow, board

# Noto Sans CJK collections: faces 0 JP, 1 KR, 2 SC, 3 TC, 4 HK.
FONT_DIRS = (
    "/usr/share/fonts/opentype/noto",
    "/usr/share/fonts/noto-cjk",
    "/usr/share/fonts/google-noto-cjk",
)
FONT_FILES = {"": "NotoSansCJK-Regular.ttc", "B": "NotoSansCJK-Bold.ttc"}
KOREAN_FACE = 1
BLUE = (37, 110, 244)
GREY = (120, 120, 120)
PAGE_WIDTH = 180  # A4 less 15 mm margins


class ReportError(DomainError):
    status_code = 503


def font_files() -> dict[str, Path]:
    """The regular (and, when present, bold) Noto Sans CJK collection; ReportError when there is none."""
    found: dict[str, Path] = {}
    for style, name in FONT_FILES.items():
        for folder in FONT_DIRS:
            path = Path(folder) / name
            if path.is_file():
                found[style] = path
                break
    if "" not in found:
        raise ReportError(
            _(
                "보고서에 쓸 한글 글꼴(Noto Sans CJK)이 이 서버에 없습니다. "
                "시스템 관리자에게 fonts-noto-cjk 패키지 설치를 요청해 주세요."
            ),
            code="font_missing",
        )
    return found


def _number(value: float | int | None, suffix: str = "") -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:,.1f}{suffix}"
    return f"{value:,}{suffix}"


class _Report:
    def __init__(self, title: str) -> None:
        from fpdf import FPDF

        fonts = font_files()
        self.pdf = FPDF(format="A4")
        self.pdf.set_margins(15, 15, 15)
        self.pdf.set_auto_page_break(True, margin=15)
        self.pdf.set_title(title)
        self.pdf.set_creator("sotong")
        self.pdf.add_font("noto", "", str(fonts[""]), collection_font_number=KOREAN_FACE)
        self.pdf.add_font("noto", "B", str(fonts.get("B", fonts[""])), collection_font_number=KOREAN_FACE)
        self.pdf.add_page()

    def heading(self, text: str, size: int = 13) -> None:
        if self.pdf.will_page_break(40):
            self.pdf.add_page()
        self.pdf.ln(3)
        self.pdf.set_font("noto", "B", size)
        self.pdf.cell(0, 8, text, new_x="LMARGIN", new_y="NEXT")
        self.pdf.set_font("noto", "", 9)

    def line(self, text: str, size: int = 9) -> None:
        self.pdf.set_font("noto", "", size)
        self.pdf.multi_cell(0, 5, text, new_x="LMARGIN", new_y="NEXT")

    def table(self, rows: Sequence[Sequence[str]], widths: Sequence[int]) -> None:
        from fpdf.fonts import FontFace

        self.pdf.set_font("noto", "", 8)
        aligns = ["LEFT", *(["RIGHT"] * (len(widths) - 1))]
        with self.pdf.table(
            col_widths=widths,
            text_align=aligns,  # type: ignore[arg-type]
            line_height=5,
            headings_style=FontFace(emphasis="BOLD", fill_color=(238, 242, 250)),
            width=sum(widths),
            align="LEFT",
        ) as table:
            for values in rows:
                row = table.row()
                for value in values:
                    row.cell(value)

    def bars(self, labels: Sequence[str], values: Sequence[float], *, maximum: float | None = None) -> None:
        """Horizontal bars: label, bar scaled to `maximum` (the largest value when None), value."""
        pdf = self.pdf
        top = max([*values, 0]) if maximum is None else maximum
        label_width, value_width, height = 45, 18, 5
        bar_width = PAGE_WIDTH - label_width - value_width
        pdf.set_font("noto", "", 8)
        for label, value in zip(labels, values, strict=True):
            if pdf.will_page_break(height + 1):
                pdf.add_page()
            x, y = pdf.l_margin, pdf.get_y()
            pdf.set_xy(x, y)
            pdf.cell(label_width, height, label[:24])
            length = bar_width * (value / top) if top else 0
            if length > 0:
                pdf.set_fill_color(*BLUE)
                pdf.rect(x + label_width, y + 0.8, max(length, 0.3), height - 1.6, style="F")
            pdf.set_xy(x + label_width + max(length, 0) + 1, y)
            pdf.cell(value_width, height, _number(value))
            pdf.set_xy(x, y + height + 1)
        pdf.ln(2)

    def columns(self, labels: Sequence[str], values: Sequence[int]) -> None:
        """Vertical bars (one per day), with the first and last label under the axis."""
        pdf = self.pdf
        height = 40
        if pdf.will_page_break(height + 12):
            pdf.add_page()
        x0, y0 = pdf.l_margin, pdf.get_y()
        top = max([*values, 0])
        step = PAGE_WIDTH / max(len(values), 1)
        pdf.set_draw_color(*GREY)
        pdf.line(x0, y0 + height, x0 + PAGE_WIDTH, y0 + height)
        pdf.set_fill_color(*BLUE)
        for index, value in enumerate(values):
            bar = height * value / top if top else 0
            if bar > 0:
                pdf.rect(x0 + index * step + step * 0.15, y0 + height - bar, step * 0.7, bar, style="F")
        pdf.set_font("noto", "", 7)
        pdf.set_xy(x0, y0 + height + 1)
        if labels:
            pdf.cell(PAGE_WIDTH / 2, 4, labels[0])
            pdf.cell(PAGE_WIDTH / 2, 4, labels[-1], align="R")
        pdf.set_xy(x0, y0 - 4)
        pdf.cell(PAGE_WIDTH, 4, _("최대 %(max)s건") % {"max": f"{top:,}"}, align="R")
        pdf.set_xy(x0, y0 + height + 7)

    def output(self) -> bytes:
        return bytes(self.pdf.output())


def _measure_row(label: str, row: BoardRow) -> list[str]:
    return [
        label,
        _number(row.received),
        _number(row.answered),
        _number(row.on_time_rate),
        _number(row.speed_index),
        _number(row.open_count),
        _number(row.overdue_open),
        _number(row.ping_pong),
        _number(row.unreported),
        _number(row.satisfaction) if row.satisfaction is None else f"{row.satisfaction:.2f}",
    ]


def _measure_header(title: str) -> list[str]:
    return [
        title,
        _("접수"),
        _("답변"),
        _("준수율(%)"),
        _("스피드지수"),
        _("처리중"),
        _("지연"),
        _("핑퐁"),
        _("미보고"),
        _("만족도"),
    ]


MEASURE_WIDTHS = (44, 15, 15, 18, 18, 15, 14, 14, 14, 13)


def render_report(data: Board, title: str) -> bytes:
    """The PDF of `data` (a month of the board)."""
    report = _Report(title)
    pdf = report.pdf
    pdf.set_font("noto", "B", 17)
    pdf.cell(0, 10, title, new_x="LMARGIN", new_y="NEXT")
    generated = timezone.localtime().strftime("%Y-%m-%d %H:%M")
    report.line(
        _("범위: %(scope)s · 기간: %(first)s ~ %(last)s (접수일 기준) · 작성: %(at)s")
        % {"scope": scope_label(data), "first": data.first, "last": data.last, "at": generated}
    )
    report.line(
        _(
            "처리기간 준수율 = 처리기한 안에 답변한 민원 ÷ 답변한 민원 × 100. "
            "스피드지수 = (법정 처리기간 − 처리에 걸린 근무일) ÷ 법정 처리기간 × 100의 평균 "
            "(처리기간 1일 이상인 답변 민원). 만족도는 5점 만점."
        ),
        size=8,
    )
    report.heading(_("월간 합계"))
    total = data.total
    report.table(
        [
            [_("접수"), _("답변"), _("기한 내 답변"), _("준수율(%)"), _("스피드지수"), _("만족도(5점)")],
            [
                _number(total.received),
                _number(total.answered),
                _number(total.answered_on_time),
                _number(total.on_time_rate),
                _number(total.speed_index),
                "-" if total.satisfaction is None else f"{total.satisfaction:.2f}",
            ],
            [_("처리중"), _("지연"), _("핑퐁"), _("미보고"), _("만족도 응답"), ""],
            [
                _number(total.open_count),
                _number(total.overdue_open),
                _number(total.ping_pong),
                _number(total.unreported),
                _number(total.satisfaction_count),
                "",
            ],
        ],
        (30, 30, 30, 30, 30, 30),
    )
    report.heading(_("일별 접수"))
    report.columns([point.label for point in data.trend], [point.received for point in data.trend])
    departments = [row for row in data.breakdowns["department"] if row.on_time_rate is not None]
    if departments:
        report.heading(_("처리부서별 처리기간 준수율(%)"))
        report.bars(
            [row.label for row in departments],
            [row.on_time_rate or 0.0 for row in departments],
            maximum=100.0,
        )
    for name, (title_text, column) in sheet_titles().items():
        rows: list[BoardRow] = data.breakdowns[name]
        report.heading(title_text)
        if not rows:
            report.line(_("이 달에 접수된 민원이 없습니다."))
            continue
        report.table(
            [_measure_header(column), *(_measure_row(row.label, row) for row in rows)], MEASURE_WIDTHS
        )
    return report.output()


def month_bounds(year: int, month: int) -> tuple[date, date]:
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def monthly_report_pdf(year: int, month: int, scope: Department | None = None) -> bytes:
    """월간 민원 보고서 of `year`-`month` for `scope` (None: the whole government)."""
    first, last = month_bounds(year, month)
    data = board(first, last, scope)
    title = _("월간 민원 보고서 %(year)d년 %(month)d월") % {"year": year, "month": month}
    if scope is not None:
        title = f"{title} · {scope.name}"
    return render_report(data, title)
