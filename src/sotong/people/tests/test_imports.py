"""일괄 등록: column mapping, row checks with Korean reasons, deduplication, preview and commit."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.utils import timezone
from openpyxl import Workbook

from sotong.core.models import Code, CodeGroup, Event
from sotong.people import imports
from sotong.people.errors import NotPermitted
from sotong.people.models import Consent, ImportBatch, ImportJobRow, Membership, Person
from sotong.people.tests import import_runs

HEADER = ["성명", "핸드폰", "전자우편", "성별", "생년", "동", "직업", "가입일"]


def csv_file(rows: list[list[str]], header: list[str] = HEADER, encoding: str = "utf-8-sig") -> io.BytesIO:
    text = "\n".join(",".join(cells) for cells in [header, *rows]) + "\n"
    return io.BytesIO(text.encode(encoding))


def xlsx_file(rows: list[list[object]], header: list[str] = HEADER) -> io.BytesIO:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    stream = io.BytesIO()
    workbook.save(stream)
    stream.seek(0)
    return stream


def recent(days: int = 30) -> str:
    return (timezone.localdate() - timedelta(days=days)).isoformat()


@pytest.fixture
def mixed_rows() -> list[list[str]]:
    return [
        ["김민준", "010-1111-0001", "minjun@example.com", "남", "1985", "행당1동", "교사", recent()],  # 2 new
        ["이서연", "01011110002", "", "여", "1990-04-02", "마장동", "", ""],  # 3 new
        ["박도윤", "010-1111-000", "", "남", "1970", "옥수동", "", ""],  # 4 bad phone
        ["최하은", "", "", "여", "", "", "", ""],  # 5 no contact
        ["정지우", "010-1111-0003", "not-an-email", "x", "85", "", "", ""],  # 6 three errors
        ["김민준", "+82 10 1111 0001", "", "남", "", "", "", ""],  # 7 duplicate of 2
        ["강예준", "010-1111-0004", "", "", "", "", "", "2999-01-01"],  # 8 future consent
        ["윤서준", "010-1111-0005", "", "", "", "", "", "2001-01-01"],  # 9 retention over
        ["한지민", "010-1111-0006", "", "", "", "", "", ""],  # 10 new
    ]


def test_preview_reports_every_row_and_writes_nothing(
    db, programme_manager, purposes, mixed_rows, run_worker
):
    report = import_runs.preview(
        run_worker, csv_file(mixed_rows), filename="가입자.csv", actor=programme_manager
    )

    by_row = {r.row: r for r in report.rows}
    assert [by_row[n].status for n in range(2, 11)] == [
        "new", "new", "rejected", "rejected", "rejected", "duplicate", "rejected", "rejected", "new",
    ]  # fmt: skip
    assert "휴대전화 번호가 올바르지 않습니다" in by_row[4].reasons[0]
    assert by_row[5].reasons == ["휴대전화나 전자우편 중 하나는 있어야 합니다."]
    assert len(by_row[6].reasons) == 3
    assert by_row[7].duplicate_of == 2
    assert "미래" in by_row[8].reasons[0]
    assert "보유 기간" in by_row[9].reasons[0]
    assert report.counts == {"new": 3, "rejected": 5, "duplicate": 1}
    assert not Person.objects.exists()
    assert not ImportBatch.objects.exists()
    assert not Event.objects.filter(verb__startswith="people.").exclude(verb="people.import_started").exists()


def test_commit_writes_good_rows_with_import_evidence(
    db, programme_manager, purposes, mixed_rows, run_worker
):
    report = import_runs.commit(
        run_worker,
        csv_file(mixed_rows),
        filename="가입자.csv",
        actor=programme_manager,
        membership="subscriber",
    )

    assert report.counts == {"new": 3, "rejected": 5, "duplicate": 1}
    people = {p.import_row: p for p in Person.objects.all()}
    assert sorted(people) == [2, 3, 10]
    minjun = people[2]
    assert (minjun.name, minjun.mobile, minjun.email, minjun.gender, minjun.birth_year, minjun.dong) == (
        "김민준", "01011110001", "minjun@example.com", "M", 1985, "행당1동",
    )  # fmt: skip
    consent = Consent.objects.get(person=minjun)
    assert consent.evidence == {"method": "import", "file": "가입자.csv", "row": 2, "batch": report.batch_id}
    assert timezone.localtime(consent.given_at).date().isoformat() == recent()
    assert consent.channels == ["sms", "email"]
    assert Consent.objects.get(person=people[3]).channels == ["sms"]
    assert Membership.objects.filter(kind="subscriber").count() == 3
    batch = ImportBatch.objects.get()
    assert batch.counts == {"new": 3, "rejected": 5, "duplicate": 1}
    assert Event.objects.for_target(batch).filter(verb="people.imported").exists()
    assert {r.row: r.person_id for r in report.rows if r.status == "new"} == {
        n: people[n].pk for n in (2, 3, 10)
    }


def test_existing_person_is_a_proposal_then_merged_on_request(
    make_person, programme_manager, purposes, run_worker
):
    existing = make_person(name="김민준", mobile="010-2222-0001", email="", dong="", consent=None)
    rows = [
        ["김민중", "010-2222-0001", "minjun@example.com", "남", "1985", "행당1동", "교사", ""],
        ["이서연", "010-2222-0002", "", "", "", "", "", ""],
    ]

    preview = import_runs.preview(run_worker, csv_file(rows), filename="a.csv", actor=programme_manager)
    assert [(p.row, p.person_id) for p in preview.proposals] == [(2, existing.pk)]
    assert preview.proposals[0].differences == {"성명": ("김*준", "김*중")}

    skipped = import_runs.commit(run_worker, csv_file(rows), filename="a.csv", actor=programme_manager)
    assert skipped.counts == {"proposal": 1, "new": 1}
    existing.refresh_from_db()
    assert existing.email == ""

    merged = import_runs.commit(
        run_worker, csv_file(rows), filename="a.csv", actor=programme_manager, decisions={2: "merge"}
    )
    assert merged.counts == {"merged": 1, "proposal": 1}
    existing.refresh_from_db()
    assert existing.name == "김민준"  # the registered name is kept
    assert existing.email == "minjun@example.com"
    assert (existing.dong, existing.occupation, existing.birth_year) == ("행당1동", "교사", 1985)
    consent = Consent.objects.get(person=existing)
    assert consent.evidence["row"] == 2
    assert consent.channels == ["sms", "email"]
    assert Person.objects.count() == 2


def test_row_matching_two_people_is_refused(make_person, programme_manager, purposes, run_worker):
    a = make_person(mobile="010-3333-0001", email="")
    b = make_person(mobile="", email="b@example.com")
    report = import_runs.preview(
        run_worker,
        csv_file([["누구", "010-3333-0001", "b@example.com", "", "", "", "", ""]]),
        filename="a.csv",
        actor=programme_manager,
    )
    assert report.rows[0].status == "rejected"
    assert f"#{a.pk}" in report.rows[0].reasons[0]
    assert f"#{b.pk}" in report.rows[0].reasons[0]


def test_xlsx_with_numbers_and_dates_and_english_headers(db, programme_manager, purposes, run_worker):
    rows = [
        ["Hong", 1012345678, "hong@example.com", "F", 1988, "", "", timezone.localdate() - timedelta(days=3)]
    ]
    header = ["name", "mobile", "e-mail", "gender", "birth year", "dong", "job", "가입일자"]
    report = import_runs.commit(
        run_worker,
        xlsx_file(rows, header),
        filename="export.xlsx",
        actor=programme_manager,
        mapping={"birth year": "birth_year"},
    )
    # 1012345678 lost its leading zero in Excel: not a valid mobile number, reported as such.
    assert report.rows[0].status == "rejected"
    assert "휴대전화" in report.rows[0].reasons[0]

    rows[0][1] = "010-1234-5678"
    report = import_runs.commit(
        run_worker,
        xlsx_file(rows, header),
        filename="export.xlsx",
        actor=programme_manager,
        mapping={"birth year": "birth_year"},
    )
    person = Person.objects.get()
    assert report.counts == {"new": 1}
    assert (person.gender, person.birth_year) == ("F", 1988)


def test_cp949_csv_is_read(db, programme_manager, purposes, run_worker):
    report = import_runs.preview(
        run_worker,
        csv_file([["홍길동", "010-4444-0001", "", "", "", "", "", ""]], encoding="cp949"),
        filename="old.csv",
        actor=programme_manager,
    )
    assert report.counts == {"new": 1}


def test_file_with_resident_number_column_is_refused(db, programme_manager, purposes, run_worker):
    with pytest.raises(imports.ImportFileError, match="주민등록번호"):
        import_runs.preview(
            run_worker,
            csv_file([["a", "b"]], header=["성명", "주민등록번호", "휴대폰"]),
            filename="a.csv",
            actor=programme_manager,
        )


def test_resident_number_in_a_cell_is_refused(db, programme_manager, purposes, run_worker):
    report = import_runs.preview(
        run_worker,
        csv_file([["홍길동 850101-1234567", "010-4444-0002", "", "", "", "", "", ""]]),
        filename="a.csv",
        actor=programme_manager,
    )
    assert report.rows[0].status == "rejected"
    assert "주민등록번호" in report.rows[0].reasons[0]


def test_file_without_contact_columns_is_refused(db, programme_manager, purposes, run_worker):
    with pytest.raises(imports.ImportFileError, match="휴대전화나 전자우편 열"):
        import_runs.preview(
            run_worker,
            csv_file([["홍길동"]], header=["이름", "주소"]),
            filename="a.csv",
            actor=programme_manager,
        )


def test_unknown_format_and_two_columns_for_one_field(db, programme_manager, purposes, run_worker):
    with pytest.raises(imports.ImportFileError, match="xlsx 또는 csv"):
        import_runs.preview(run_worker, io.BytesIO(b"x"), filename="a.txt", actor=programme_manager)
    with pytest.raises(imports.ImportFileError, match="둘 이상"):
        import_runs.preview(
            run_worker, csv_file([], header=["휴대폰", "핸드폰"]), filename="a.csv", actor=programme_manager
        )


def test_dong_checked_against_the_code_table_with_aliases(db, programme_manager, purposes, run_worker):
    group = CodeGroup.objects.create(key="dong", name="행정동")
    Code.objects.create(group=group, code="11200520", name="행당1동", attributes={"aliases": ["행1"]})
    rows = [
        ["가", "010-5555-0001", "", "", "", "행1", "", ""],
        ["나", "010-5555-0002", "", "", "", "강남동", "", ""],
    ]
    report = import_runs.commit(run_worker, csv_file(rows), filename="a.csv", actor=programme_manager)
    assert [r.status for r in report.rows] == ["new", "rejected"]
    assert "행정동 '강남동'" in report.rows[1].reasons[0]
    assert Person.objects.get().dong == "행당1동"


def test_channels_must_match_the_row_contacts(db, programme_manager, purposes, run_worker):
    rows = [["가", "", "ga@example.com", "", "", "", "", ""]]
    report = import_runs.preview(
        run_worker, csv_file(rows), filename="a.csv", actor=programme_manager, channels=["sms"]
    )
    assert report.rows[0].status == "rejected"


def test_report_stores_only_rows_that_need_a_look_and_the_csv_has_all(
    db, programme_manager, purposes, run_worker
):
    rows = [["가", f"010-6666-{n:04d}", "", "", "", "", "", ""] for n in range(30)]
    rows[7][1] = "010-6666"
    report = import_runs.preview(run_worker, csv_file(rows), filename="a.csv", actor=programme_manager)
    assert report.counts == {"new": 29, "rejected": 1}
    assert list(ImportJobRow.objects.filter(job=report.job).values_list("row", "status")) == [(9, "rejected")]
    assert len(report.rows) == 30
    assert report.job.rows_done == 30


def test_duplicates_across_batches_are_found(db, programme_manager, purposes, run_worker, monkeypatch):
    monkeypatch.setattr(imports, "BATCH_SIZE", 3)
    rows = [["가", f"010-7777-{n % 7:04d}", "", "", "", "", "", ""] for n in range(20)]
    report = import_runs.commit(run_worker, csv_file(rows), filename="a.csv", actor=programme_manager)
    assert report.counts == {"new": 7, "duplicate": 13}
    assert Person.objects.count() == 7
    assert {r.duplicate_of for r in report.rows if r.status == "duplicate"} == set(range(2, 9))


def test_only_programme_staff_may_import(db, handler, sysadmin, purposes, run_worker):
    for actor in (handler, sysadmin):
        with pytest.raises(NotPermitted):
            import_runs.commit(
                run_worker,
                csv_file([["가", "010-8888-0001", "", "", "", "", "", ""]]),
                filename="a.csv",
                actor=actor,
            )
    assert not Person.objects.exists()


def test_a_stopped_commit_keeps_whole_batches_and_resumes(
    db, programme_manager, purposes, run_worker, monkeypatch
):
    from sotong.people import import_jobs

    monkeypatch.setattr(imports, "BATCH_SIZE", 3)
    rows = [["가", f"010-9999-{n % 8:04d}", "", "", "", "", "", ""] for n in range(10)]
    previewed = import_runs.preview(run_worker, csv_file(rows), filename="a.csv", actor=programme_manager)
    job = import_jobs.confirm_import(programme_manager, previewed.job, decisions={}, on_match="skip")
    real_create = imports.Importer._create

    def database_gone_at_row_8(self, new_rows):
        if any(row.number >= 8 for row in new_rows):
            raise OSError("disk full")
        return real_create(self, new_rows)

    monkeypatch.setattr(imports.Importer, "_create", database_gone_at_row_8)
    run_worker()
    job.refresh_from_db()
    assert job.state == "failed"
    assert job.committed_through == 7  # batches 2-4 and 5-7 whole; 8-10 not at all
    assert Person.objects.count() == 6
    assert set(Person.objects.values_list("import_row", flat=True)) == {2, 3, 4, 5, 6, 7}

    monkeypatch.setattr(imports.Importer, "_create", real_create)
    import_jobs.resume_import(programme_manager, job)
    run_worker()
    job.refresh_from_db()
    assert job.state == "done"
    assert job.counts == {"new": 8, "duplicate": 2}
    assert Person.objects.count() == 8
    lines = import_jobs.report_path(job, "commit").read_text(encoding="utf-8-sig").splitlines()
    assert [line.split(",")[0] for line in lines[1:]] == [str(n) for n in range(2, 12)]
