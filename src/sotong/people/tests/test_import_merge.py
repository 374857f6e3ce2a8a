"""병합 제안 반영 at commit: the accepted proposals of a batch written as sets, with every rule of the
person-by-person actions (blanks only, consent superseded or kept, membership, one Event per change)."""

from __future__ import annotations

import io
from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from sotong.core.models import Event
from sotong.people import actions
from sotong.people.actions.import_merge import MergeRequest, merge_import_rows
from sotong.people.cleaning import phone_index_for
from sotong.people.models import Consent, ContactChannel, Membership, Person
from sotong.people.tests import import_runs

HEADER = ["성명", "핸드폰", "전자우편", "성별", "생년", "동", "직업", "가입일"]


def csv_file(rows: list[list[str]]) -> io.BytesIO:
    return io.BytesIO(("\n".join(",".join(cells) for cells in [HEADER, *rows]) + "\n").encode("utf-8-sig"))


def days_ago(days: int) -> str:
    return (timezone.localdate() - timedelta(days=days)).isoformat()


def verbs(person: Person) -> list[str]:
    return sorted(Event.objects.for_target(person).values_list("verb", flat=True))


def test_merge_fills_blanks_supersedes_an_older_consent_adds_the_membership_and_writes_events(
    make_person, programme_manager, purposes, run_worker
):
    # given a registered subscriber-to-be whose consent is older than the file's, and one whose is newer
    older = make_person(name="김민준", mobile="010-4100-0001", email="", dong="", occupation="")
    web_consent = Consent.objects.get(person=older)
    Consent.objects.filter(pk=web_consent.pk).update(given_at=timezone.now() - timedelta(days=90))
    newer = make_person(name="이서연", mobile="010-4100-0002", email="seo@example.com", dong="마장동")
    kept = Consent.objects.get(person=newer)
    rows = [
        ["김민중", "010-4100-0001", "minjun@example.com", "남", "1985", "행당1동", "교사", days_ago(10)],
        ["이서연", "010-4100-0002", "", "여", "1990", "옥수동", "", days_ago(30)],
    ]

    # when both proposals are accepted
    report = import_runs.commit(
        run_worker,
        csv_file(rows),
        filename="가입자.csv",
        actor=programme_manager,
        membership="subscriber",
        on_match="merge",
    )

    # then blanks are filled, registered values kept, the older consent superseded by the file's
    assert report.counts == {"merged": 2}
    older.refresh_from_db()
    assert (older.name, older.email, older.dong, older.occupation) == (
        "김민준",
        "minjun@example.com",
        "행당1동",
        "교사",
    )
    web_consent.refresh_from_db()
    assert web_consent.superseded_at is not None
    imported = Consent.objects.open().get(person=older)
    assert imported.evidence == {"method": "import", "file": "가입자.csv", "row": 2, "batch": report.batch_id}
    assert imported.channels == ["sms", "email"]
    # the newer consent stays the one open consent; the registered dong is not overwritten
    newer.refresh_from_db()
    assert newer.dong == "마장동"
    assert list(Consent.objects.open().filter(person=newer)) == [kept]
    # both become subscribers, each change has its Event as the person-by-person actions write them
    assert Membership.objects.filter(kind="subscriber", person__in=[older, newer]).count() == 2
    assert verbs(older) == [
        "people.consent_given", "people.consent_given", "people.membership_added", "people.registered",
        "people.updated",
    ]  # fmt: skip
    updated = Event.objects.for_target(older).get(verb="people.updated")
    assert updated.actor == programme_manager
    assert updated.after["email"] == "min***@example.com"
    assert set(updated.after) == {"email", "gender", "birth_year", "dong", "occupation"}
    given = Event.objects.for_target(older).filter(verb="people.consent_given").latest("id")
    assert given.before == {"consent": web_consent.pk}
    assert given.after["consent"] == imported.pk
    assert verbs(newer).count("people.consent_given") == 1  # its own web consent only


def test_two_rows_naming_the_same_person_in_one_batch_merge_one_after_the_other(
    make_person, programme_manager, purposes, run_worker
):
    person = make_person(
        mobile="010-4200-0001", email="same@example.com", dong="", occupation="", consent=None
    )
    rows = [
        ["홍길동", "010-4200-0001", "", "", "", "행당1동", "", ""],  # matches by phone
        ["홍길동", "010-4200-0009", "same@example.com", "", "", "마장동", "교사", ""],  # by e-mail
    ]

    report = import_runs.commit(
        run_worker, csv_file(rows), filename="a.csv", actor=programme_manager, on_match="merge"
    )

    assert report.counts == {"merged": 2}
    person.refresh_from_db()
    assert (person.dong, person.occupation, person.mobile) == ("행당1동", "교사", "01042000001")
    assert Consent.objects.open().filter(person=person).count() == 1
    assert [
        e.after for e in Event.objects.for_target(person).filter(verb="people.updated").order_by("id")
    ] == [
        {"dong": "행당1동"},
        {"occupation": "교사"},
    ]


def test_a_person_anonymised_since_the_check_is_refused_and_the_others_merged(
    make_person, programme_manager, purposes
):
    gone = make_person(mobile="010-4300-0001", email="", dong="", consent=None)
    stays = make_person(mobile="010-4300-0002", email="", dong="", consent=None)
    given_at = timezone.now() - timedelta(days=1)
    requests = [
        MergeRequest(
            row=n,
            person_id=p.pk,
            values={"dong": "행당1동", "given_at": given_at},
            evidence={"file": "a.csv", "row": n},
        )
        for n, p in ((2, gone), (3, stays))
    ]
    actions.anonymise_person(actions.SYSTEM, gone)

    refused = merge_import_rows(
        programme_manager,
        requests,
        purposes=[purposes["e_sotong"]],
        channels=["sms"],
        membership="subscriber",
    )

    assert refused == {2: "익명화된 정책고객에는 병합할 수 없습니다."}
    gone.refresh_from_db()
    stays.refresh_from_db()
    assert (gone.dong, stays.dong) == ("", "행당1동")
    assert not Consent.objects.open().filter(person=gone).exists()
    assert Consent.objects.open().get(person=stays).evidence == {
        "method": "import",
        "file": "a.csv",
        "row": 3,
    }
    assert not Membership.objects.current().filter(person=gone, kind="subscriber").exists()
    assert "people.updated" not in verbs(gone)


def test_merging_a_batch_costs_a_few_statements_whatever_its_size(make_person, programme_manager, purposes):
    people = [make_person(mobile=f"010-4400-{n:04d}", email="", dong="", consent=None) for n in range(33)]

    def requests(chosen: list[Person]) -> list[MergeRequest]:
        given_at = timezone.now() - timedelta(days=1)
        return [
            MergeRequest(
                row=n + 2,
                person_id=p.pk,
                values={
                    "dong": "행당1동",
                    "mobile": p.mobile,
                    "mobile_index": phone_index_for(p.mobile),
                    "given_at": given_at,
                },
                evidence={"method": "import", "file": "a.csv", "row": n + 2},
            )
            for n, p in enumerate(chosen)
        ]

    def merge(chosen: list[Person]) -> dict[int, str]:
        return merge_import_rows(
            programme_manager,
            requests(chosen),
            purposes=[purposes["e_sotong"]],
            channels=[ContactChannel.SMS],
            membership="subscriber",
        )

    merge([])  # the actor's roles, read once per request
    with CaptureQueriesContext(connection) as three:
        assert merge(people[:3]) == {}
    with CaptureQueriesContext(connection) as thirty:
        assert merge(people[3:]) == {}

    # per row it would be 90 statements or more; a set costs one per step, the INSERTs one per power of two
    assert len(thirty.captured_queries) <= len(three.captured_queries) + 6 < 30
    assert Person.objects.filter(dong="행당1동").count() == 33
    assert Consent.objects.open().filter(method="import").count() == 33
    assert Membership.objects.filter(kind="subscriber").count() == 33
    assert Event.objects.filter(verb="people.updated").count() == 33
