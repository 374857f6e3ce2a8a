"""제안 일괄 등록: parse, check every row, register the valid ones only, each whole."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from sotong.cases import imports
from sotong.cases.models import Case, CaseStatus, Meeting, ProgressReport

HEADER = [name for name, _required, _note in imports.COLUMNS]


def row(**values: str) -> list[str]:
    base = {
        "회의구분": "구청장과의 대화",
        "회의명": "2026 구청장과의 대화",
        "회의일자": "2026-03-05",
        "회의장소": "행당1동 주민센터",
        "참석자": "홍길동 (주민자치회장); 김영희 (통장)",
        "종류": "제안",
        "제목": "횡단보도 설치",
        "내용": "시장 앞에 횡단보도가 필요합니다.",
        "제안자": "홍길동",
        "휴대전화": "010-1234-5678",
        "전자우편": "",
        "제안자정보": "주민자치회",
        "행정동": "행당1동",
        "주소": "",
        "처리부서코드": "D151",
    }
    base.update(values)
    return [base[name] for name in HEADER]


def xlsx(rows: list[list[str]]) -> SimpleUploadedFile:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    for values in rows:
        sheet.append(values)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile("proposals.xlsx", buffer.getvalue())


def csv_file(rows: list[list[str]], encoding: str = "utf-8-sig") -> SimpleUploadedFile:
    lines = [",".join(HEADER)] + [",".join(values) for values in rows]
    return SimpleUploadedFile("proposals.csv", "\n".join(lines).encode(encoding))


def test_every_row_is_checked_with_its_reasons(org):
    rows = imports.validate(
        imports.parse(
            xlsx(
                [
                    row(),
                    row(회의구분="반상회", 휴대전화="12345"),
                    row(처리부서코드="X999", 회의일자="어제"),
                    row(제목="", 종류="없는종류"),
                    row(휴대전화="", 전자우편=""),
                ]
            )
        )
    )
    assert [r.ok for r in rows] == [True, False, False, False, False]
    assert rows[1].number == 3
    assert any("회의구분" in e for e in rows[1].errors)
    assert any("휴대전화" in e for e in rows[1].errors)
    assert any("처리부서코드" in e for e in rows[2].errors)
    assert any("회의일자" in e for e in rows[2].errors)
    assert any("제목" in e for e in rows[3].errors)
    assert any("종류" in e for e in rows[3].errors)
    assert any("전자우편" in e for e in rows[4].errors)


def test_missing_columns_refuse_the_file(org):
    upload = SimpleUploadedFile("x.csv", "제목,내용\n가,나\n".encode())
    with pytest.raises(imports.ImportFileError, match="회의구분"):
        imports.parse(upload)


def test_csv_in_cp949_is_read(org):
    rows = imports.validate(imports.parse(csv_file([row()], encoding="cp949")))
    assert rows[0].ok, rows[0].errors


def test_upload_preview_then_commit_registers_valid_rows_only(verified_client, intake_officer, org):
    client = verified_client(intake_officer)
    # given a file with two good rows (one meeting) and a bad one
    upload = xlsx([row(), row(제목="두 번째 제안"), row(처리부서코드="X999")])
    preview = client.post(reverse("cases_office:import"), {"file": upload, "intake_department": org.audit.pk})
    # then the preview reports each row and writes nothing
    assert preview.status_code == 200
    html = preview.content.decode()
    assert "처리부서코드 &#x27;X999&#x27;인 부서가 없습니다." in html or "X999" in html
    assert Case.objects.count() == 0
    # when the valid rows are committed
    result = client.post(reverse("cases_office:import_commit"))
    assert result.status_code == 200
    cases = Case.objects.order_by("pk")
    assert cases.count() == 2
    assert Meeting.objects.count() == 1
    for case in cases:
        assert case.status == CaseStatus.ASSIGNED
        assert case.handling_department == org.sanitation
        assert case.meeting.attendee_list() == ["홍길동 (주민자치회장)", "김영희 (통장)"]
    assert ProgressReport.objects.filter(case__in=cases, is_first=True).count() == 2
    assert "등록 2건, 등록하지 못함 1건" in result.content.decode()


def test_a_row_the_actions_refuse_is_not_half_written(intake_officer, org):
    # the second row's handling department is inactive by commit time: submit succeeds, assign refuses
    rows = imports.validate(imports.parse(xlsx([row(), row(처리부서코드="D141")])))
    org.transport.is_active = False
    org.transport.save()
    rows[1].values["department"] = org.transport
    results = imports.commit(rows, actor=intake_officer, intake_department=org.audit)
    assert [r.ok for r in results] == [True, False]
    assert Case.objects.count() == 1


def test_commit_without_preview_redirects(verified_client, intake_officer):
    response = verified_client(intake_officer).post(reverse("cases_office:import_commit"))
    assert response.status_code == 302


def test_template_download(verified_client, intake_officer):
    response = verified_client(intake_officer).get(reverse("cases_office:import_template"))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    assert [cell.value for cell in sheet[1]] == HEADER
    rows = imports.validate(imports.parse(SimpleUploadedFile("t.xlsx", response.content)))
    assert len(rows) == 1


def test_handlers_cannot_import(verified_client, handler, org):
    response = verified_client(handler).post(
        reverse("cases_office:import"), {"file": xlsx([row()]), "intake_department": org.audit.pk}
    )
    assert response.status_code == 403
    assert Case.objects.count() == 0
