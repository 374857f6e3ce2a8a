"""Korean full-text search over cases: trigram indexes on SQLite (FTS5) and PostgreSQL (pg_trgm)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from sotong.accounts import actions as accounts_actions
from sotong.accounts.models import DepartmentLevel
from sotong.cases.models import Case, CaseKind, Channel
from sotong.cases.queues import scoped_cases, search
from sotong.cases.search import (
    FTS_TABLE,
    TRIGRAM_INDEX,
    ensure_search_index,
    parse_terms,
    search_cases,
)
from sotong.cases.tests.fixtures_reports import *  # noqa: F403

pytestmark = pytest.mark.django_db

API = "/api/v1/cases/"


def found(user: Any, text: str) -> set[int]:
    return set(search_cases(scoped_cases(user), text).values_list("pk", flat=True))


def fts_consistent() -> None:
    """FTS5's own check that its index matches cases_case row for row (raises when it does not)."""
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO cases_case_fts(cases_case_fts, rank) VALUES ('integrity-check', 1)")


# --- what matches -----------------------------------------------------------------------------------------


def test_a_word_finds_it_with_particles_glued_on(make_case_row, coordinator):
    # given Korean text where the searched word carries particles or sits inside a compound
    subject = make_case_row(title="가로등이 고장났어요", body="밤에 골목이 어둡습니다.")
    in_body = make_case_row(title="야간 안전", body="공원 가로등을 켜 주세요.")
    compound = make_case_row(title="가로등고장 신고", body="확인 부탁드립니다.")
    make_case_row(title="불법 주차 단속", body="매일 밤 주차합니다.")
    # when the bare word is searched, then every form is found, in the title or the body
    assert found(coordinator, "가로등") == {subject.pk, in_body.pk, compound.pk}


def test_every_term_must_match(make_case_row, coordinator):
    both = make_case_row(title="가로등 고장", body="성수동 골목입니다.")
    make_case_row(title="가로등 설치 제안", body="행당동 공원에 필요합니다.")
    make_case_row(title="신호등 고장", body="성수동 사거리입니다.")

    assert found(coordinator, "가로등 성수동") == {both.pk}
    assert found(coordinator, "  가로등   고장  ") == {both.pk}
    assert found(coordinator, "가로등 성수동 없는단어") == set()


def test_quoted_phrase_matches_the_words_next_to_each_other(make_case_row, coordinator):
    together = make_case_row(title="가로등 고장 신고", body="어둡습니다.")
    apart = make_case_row(title="가로등 신고", body="신호등도 고장입니다.")

    assert found(coordinator, '"가로등 고장"') == {together.pk}
    assert found(coordinator, "가로등 고장") == {together.pk, apart.pk}
    assert parse_terms('"가로등   고장" 성수동 "미완성') == ["가로등 고장", "성수동", "미완성"]


def test_short_terms_match_without_an_index(make_case_row, coordinator):
    # 1- and 2-character terms hold no trigram: they are matched with LIKE
    parking = make_case_row(title="불법 주차 신고", body="차가 골목을 막습니다.")
    noise = make_case_row(title="공사장 소음", body="새벽 주차 차량 소음도 있습니다.")
    make_case_row(title="가로등 고장", body="어둡습니다.")

    assert found(coordinator, "주차") == {parking.pk, noise.pk}
    assert found(coordinator, "주차 소음") == {noise.pk}
    assert found(coordinator, "불") == {parking.pk}
    # mixed: the long term narrows through the index, the short one filters what is left
    assert found(coordinator, "공사장 주차") == {noise.pk}
    assert found(coordinator, "골목을 차") == {parking.pk}


def test_latin_letters_match_regardless_of_case(make_case_row, coordinator):
    wifi = make_case_row(title="공공 WiFi 끊김", body="버스정류장 wifi가 안 됩니다.")

    assert found(coordinator, "wifi") == {wifi.pk}
    assert found(coordinator, "WIFI 끊김") == {wifi.pk}


def test_like_wildcards_and_fts_syntax_are_taken_literally(make_case_row, coordinator):
    percent = make_case_row(title="요금 100% 인상", body="부당합니다.")
    make_case_row(title="요금 1000원 인상", body="부당합니다.")
    quoted = make_case_row(title='"안전" 표지판', body="NEAR 학교 AND 공원")

    assert found(coordinator, "100%") == {percent.pk}
    assert found(coordinator, "_00") == set()
    assert found(coordinator, 'NEAR( 학교* "안전"') == set()
    assert found(coordinator, "NEAR 학교 AND") == {quoted.pk}
    assert found(coordinator, '"안전" 표지판') == {quoted.pk}


def test_receipt_number_with_or_without_hyphens(make_case, coordinator):
    # given cases with real receipt numbers (2611-004271-3 shape)
    case = make_case(title="가로등 고장")
    other = make_case(title="가로등 설치")
    prefix, serial, digit = case.receipt_no.split("-")
    # then the number is found as written, without hyphens, and by its serial alone
    assert found(coordinator, case.receipt_no) == {case.pk}
    assert found(coordinator, f"{prefix}{serial}{digit}") == {case.pk}
    assert found(coordinator, f'"{prefix} {serial} {digit}"') == {case.pk}
    assert found(coordinator, f"{case.receipt_no} 가로등") == {case.pk}
    assert other.pk not in found(coordinator, case.receipt_no)
    assert found(coordinator, serial) == {case.pk}


def test_blank_text_leaves_the_cases_alone(make_case_row, coordinator):
    make_case_row()
    cases = scoped_cases(coordinator)

    assert search_cases(cases, "   ") is cases
    assert search(cases, '""').count() == 1


# --- the index follows the rows ----------------------------------------------------------------------------


def test_edits_and_deletes_are_reflected(make_case_row, coordinator):
    case = make_case_row(title="가로등 고장", body="어둡습니다.", handling=None)
    # when the text is edited through save()
    case.title = "신호등 고장"
    case.save()
    assert found(coordinator, "가로등") == set()
    assert found(coordinator, "신호등") == {case.pk}
    # and through a bulk UPDATE
    Case.objects.filter(pk=case.pk).update(body="횡단보도 앞입니다.")
    assert found(coordinator, "어둡습니다") == set()
    assert found(coordinator, "횡단보도") == {case.pk}
    # a save that leaves the text alone keeps it findable
    Case.objects.filter(pk=case.pk).update(dong="행당1동")
    assert found(coordinator, "횡단보도") == {case.pk}
    # when the case is deleted, it is gone from the index too
    Case.objects.filter(pk=case.pk).delete()
    assert found(coordinator, "신호등") == set()
    if connection.vendor == "sqlite":
        fts_consistent()


def test_search_never_widens_the_scope(make_case_row, org, handler, other_dept_handler, coordinator):
    # given the same words in a case of each department
    mine = make_case_row(title="가로등 고장", handling=org.sanitation)
    theirs = make_case_row(title="가로등 고장", handling=org.transport)
    receipt_of_theirs = theirs.receipt_no
    # then each handler finds only their department's case, even by the other's receipt number
    assert found(handler, "가로등 고장") == {mine.pk}
    assert found(other_dept_handler, "가로등") == {theirs.pk}
    assert found(handler, receipt_of_theirs) == set()
    assert found(handler, "주차 가로등") == set()
    assert found(coordinator, "가로등") == {mine.pk, theirs.pk}


def test_the_index_is_used(make_case_row, coordinator):
    make_case_row(title="가로등 고장", body="어둡습니다.")
    cases = search_cases(Case.objects.all(), "가로등")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = %s", [TRIGRAM_INDEX])
            (definition,) = cursor.fetchone()
            assert "gin_trgm_ops" in definition
            # the query's expression is the indexed one: with sequential and plain index scans priced out
            # (a plain scan of another index, e.g. received_at for the ordering, would otherwise do on a
            # tiny table), the trigram index answers it; at scale the planner picks it on its own
            # (bench/cases_search.py shows that)
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("SET LOCAL enable_indexscan = off")
        plan = cases.order_by().explain()
        assert TRIGRAM_INDEX in plan
        assert "Index Scan" in plan
    else:
        plan = cases.explain()
        assert "VIRTUAL TABLE INDEX" in plan
        assert FTS_TABLE in plan
        fts_consistent()
    assert [c.title for c in cases] == ["가로등 고장"]


def sqlite_triggers() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name LIKE %s", [f"{FTS_TABLE}_%"]
        )
        return int(cursor.fetchone()[0])


def test_install_is_idempotent_and_repairs_lost_triggers(make_case_row, coordinator):
    if connection.vendor == "sqlite":
        # every migration has run: a later one that rebuilt cases_case must have put the triggers back
        # (end it with RunPython(install_search_index), see sotong.cases.search)
        assert sqlite_triggers() == 3
    ensure_search_index(connection)  # nothing is missing: a no-op
    # SQLite drops a table's triggers when Django rebuilds the table for a schema change
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("DROP TRIGGER cases_case_fts_insert")
    case = make_case_row(title="가로등 고장")
    ensure_search_index(connection)
    assert found(coordinator, "가로등") == {case.pk}
    if connection.vendor == "sqlite":
        assert sqlite_triggers() == 3
        fts_consistent()


@pytest.mark.django_db(transaction=True, reset_sequences=True)
def test_search_after_a_flush_finds_no_ghosts(make_case_row):
    # given a case indexed, then every table emptied the way transactional tests and `flush` do it
    make_case_row(title="가로등 고장", body="어둡습니다.")
    call_command("flush", interactive=False, verbosity=0)
    if connection.vendor == "sqlite":
        fts_consistent()
    # when a new case takes the same id
    department = accounts_actions.create_department(
        None, code="D999", name="시험과", level=DepartmentLevel.DIVISION
    )
    fresh = Case.objects.create(
        receipt_no="T999999999",
        kind=CaseKind.PROPOSAL,
        channel=Channel.WEB,
        title="주차장 증설",
        body="주차 공간이 부족합니다.",
        citizen_name="홍길동",
        intake_department=department,
    )
    # then the old words find nothing and the new ones find it
    assert not search_cases(Case.objects.all(), "가로등").exists()
    assert list(search_cases(Case.objects.all(), "주차장").values_list("pk", flat=True)) == [fresh.pk]


# --- through the pages -----------------------------------------------------------------------------------


def test_office_queue_page_searches(verified_client, handler, make_case_row, org):
    wanted = make_case_row(title="가로등이 깜빡입니다", handling=org.sanitation)
    unwanted = make_case_row(title="쓰레기 무단투기", handling=org.sanitation)
    elsewhere = make_case_row(title="가로등 신호 고장", handling=org.transport)

    html = verified_client(handler).get(reverse("cases_office:queues"), {"q": "가로등"}).content.decode()

    assert wanted.receipt_no in html
    assert unwanted.receipt_no not in html
    assert elsewhere.receipt_no not in html


def test_api_list_searches(verified_client, handler, make_case_row, org):
    wanted = make_case_row(title="공원 가로등을 고쳐 주세요", handling=org.sanitation)
    make_case_row(title="공원 벤치 파손", handling=org.sanitation)
    make_case_row(title="공원 가로등 설치", handling=org.transport)

    body = verified_client(handler).get(API, {"q": "가로등 공원"}).json()

    assert body["count"] == 1
    assert [row["receipt_no"] for row in body["results"]] == [wanted.receipt_no]
