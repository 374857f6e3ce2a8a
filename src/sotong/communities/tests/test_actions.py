"""Organizations and committees through their actions: each change writes an Event, refused input writes
nothing and says why in Korean, members are people.Membership rows."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from sotong.accounts.models import User
from sotong.communities import actions
from sotong.communities.errors import CommunitiesError, NotPermitted
from sotong.communities.models import (
    ActivityPhoto,
    Committee,
    Organization,
    OrganizationActivity,
    OrganizationMinutes,
    members_of,
)
from sotong.communities.tests.conftest import pdf, png
from sotong.core.models import Event
from sotong.people.models import Membership, MembershipKind

pytestmark = pytest.mark.django_db


def verbs(target: Any) -> list[str]:
    return list(Event.objects.for_target(target).order_by("id").values_list("verb", flat=True))


def test_creating_an_organization_records_it_with_an_event(programme_manager: User) -> None:
    organization = actions.create_organization(
        programme_manager,
        name="  성수동  자원봉사단 ",
        type="volunteer",
        dong="성수1가1동",
        founded_on=date(2010, 3, 1),
    )

    assert organization.name == "성수동 자원봉사단"
    assert organization.get_type_display() == "자원봉사단체"
    assert organization.is_active
    event = Event.objects.for_target(organization).get()
    assert event.verb == "communities.organization_created"
    assert event.actor == programme_manager
    assert event.after["founded_on"] == "2010-03-01"


def test_organization_needs_a_name_and_a_known_type(programme_manager: User) -> None:
    with pytest.raises(CommunitiesError, match="단체명을\\(를\\) 입력해 주세요") as blank:
        actions.create_organization(programme_manager, name=" ", type="civic")
    with pytest.raises(CommunitiesError, match="단체 유형을 골라 주세요") as unknown:
        actions.create_organization(programme_manager, name="시민모임", type="club")

    assert blank.value.field == "name"
    assert unknown.value.field == "type"
    assert Organization.objects.count() == 0
    assert not Event.objects.filter(verb__startswith="communities.").exists()


def test_update_organization_records_only_what_changed(
    make_organization: Any, programme_manager: User
) -> None:
    organization = make_organization(dong="왕십리도선동")

    actions.update_organization(programme_manager, organization, dong="왕십리도선동", is_active=False)

    organization.refresh_from_db()
    assert organization.is_active is False
    event = Event.objects.filter(verb="communities.organization_updated").get()
    assert event.before == {"is_active": True}
    assert event.after == {"is_active": False}


@pytest.mark.parametrize("who", ["sysadmin", "coordinator", "handler", "sns_officer"])
def test_only_programme_staff_change_organizations(who: str, request: pytest.FixtureRequest) -> None:
    actor = request.getfixturevalue(who)

    with pytest.raises(NotPermitted):
        actions.create_organization(actor, name="통장협의회", type="tongjang_council")

    assert Organization.objects.count() == 0
    assert Event.objects.filter(verb__startswith="communities.").count() == 0


def test_committee_term_must_not_end_before_it_starts(programme_manager: User, org: Any) -> None:
    with pytest.raises(CommunitiesError, match="임기 종료일이 시작일보다 빠릅니다"):
        actions.create_committee(
            programme_manager,
            name="인권위원회",
            department=org.new_media,
            term_start=date(2026, 1, 1),
            term_end=date(2025, 12, 31),
        )
    assert Committee.objects.count() == 0


def test_committee_update_checks_the_term_against_the_stored_start(
    make_committee: Any, programme_manager: User
) -> None:
    committee = make_committee(term_start=date(2026, 1, 1), term_end=date(2027, 12, 31))

    with pytest.raises(CommunitiesError, match="임기 종료일"):
        actions.update_committee(programme_manager, committee, term_end=date(2025, 1, 1))
    actions.update_committee(programme_manager, committee, legal_basis="성동구 도시계획 조례 제5조")

    committee.refresh_from_db()
    assert committee.term_end == date(2027, 12, 31)
    assert committee.legal_basis == "성동구 도시계획 조례 제5조"
    assert verbs(committee) == ["communities.committee_created", "communities.committee_updated"]


def test_adding_a_member_writes_a_membership_and_events_on_both_sides(
    make_committee: Any, make_person: Any, programme_manager: User
) -> None:
    committee = make_committee()
    person = make_person(name="박교수", occupation="대학교 교수")

    seat = actions.add_member(
        programme_manager,
        committee,
        person,
        role="위원장",
        started_on=date(2026, 1, 1),
        ended_on=date(2027, 12, 31),
    )

    assert seat.kind == MembershipKind.COMMITTEE
    assert seat.group_label == "도시계획위원회"
    assert list(members_of(committee)) == [seat]
    assert verbs(committee)[-1] == "communities.member_added"
    assert Event.objects.for_target(person).filter(verb="people.membership_added").exists()


def test_a_person_sits_once_in_the_same_group(
    make_organization: Any, make_person: Any, programme_manager: User
) -> None:
    organization = make_organization()
    person = make_person()
    actions.add_member(programme_manager, organization, person, role="회원")

    with pytest.raises(CommunitiesError, match="이미 참여 중인 사람입니다"):
        actions.add_member(programme_manager, organization, person, role="총무")

    assert Membership.objects.filter(person=person).count() == 1


def test_member_term_dates_are_checked(
    make_organization: Any, make_person: Any, programme_manager: User
) -> None:
    organization = make_organization()

    with pytest.raises(CommunitiesError, match="종료일이 시작일보다 빠릅니다"):
        actions.add_member(
            programme_manager,
            organization,
            make_person(),
            started_on=date(2026, 5, 1),
            ended_on=date(2026, 4, 1),
        )
    assert Membership.objects.count() == 0
    assert "communities.member_added" not in verbs(organization)


def test_ending_a_member_keeps_the_row_with_its_end_date(
    make_organization: Any, make_person: Any, programme_manager: User
) -> None:
    organization = make_organization()
    seat = actions.add_member(programme_manager, organization, make_person(), started_on=date(2025, 1, 1))

    actions.end_member(programme_manager, organization, seat, ended_on=date(2025, 6, 30))

    seat.refresh_from_db()
    assert seat.ended_on == date(2025, 6, 30)
    assert not members_of(organization).current().exists()
    assert verbs(organization)[-1] == "communities.member_ended"


def test_a_seat_of_another_group_cannot_be_ended_here(
    make_organization: Any, make_committee: Any, make_person: Any, programme_manager: User
) -> None:
    organization = make_organization()
    seat = actions.add_member(programme_manager, make_committee(), make_person())

    with pytest.raises(CommunitiesError, match="회원이 아닙니다"):
        actions.end_member(programme_manager, organization, seat)

    seat.refresh_from_db()
    assert seat.ended_on is None


def test_activity_is_recorded_with_photos(make_organization: Any, programme_manager: User) -> None:
    organization = make_organization()

    activity = actions.record_activity(
        programme_manager,
        organization,
        date=date(2026, 4, 12),
        title="중랑천 정화활동",
        text="회원 25명이 참여했습니다.",
        photos=[png("a.png"), png("b.png")],
    )

    assert [photo.content_type for photo in activity.photos.all()] == ["image/png", "image/png"]
    assert activity.photos.first().file.read().startswith(b"\x89PNG")  # type: ignore[union-attr]
    event = Event.objects.for_target(organization).filter(verb="communities.activity_recorded").get()
    assert event.after["photos"] == 2


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (SimpleUploadedFile("a.png", b"not an image at all"), "사진\\(JPG, PNG, GIF, WEBP\\)만"),
        (SimpleUploadedFile("a.pdf", b"%PDF-1.4 minutes"), "사진\\(JPG, PNG, GIF, WEBP\\)만"),
        (SimpleUploadedFile("a.png", b""), "빈 파일"),
    ],
)
def test_a_refused_photo_records_nothing(
    make_organization: Any, programme_manager: User, upload: Any, message: str
) -> None:
    organization = make_organization()

    with pytest.raises(CommunitiesError, match=message):
        actions.record_activity(
            programme_manager, organization, date=date(2026, 4, 12), title="행사", photos=[png(), upload]
        )

    assert OrganizationActivity.objects.count() == 0
    assert ActivityPhoto.objects.count() == 0


def test_a_photo_over_the_size_limit_is_refused(
    make_organization: Any, programme_manager: User, settings: Any
) -> None:
    settings.SOTONG_COMMUNITIES_FILE_MAX_BYTES = 50
    with pytest.raises(CommunitiesError, match="파일이 너무 큽니다"):
        actions.record_activity(
            programme_manager, make_organization(), date=date(2026, 4, 12), title="행사", photos=[png()]
        )
    assert OrganizationActivity.objects.count() == 0


def test_minutes_take_a_pdf_and_need_an_agenda(make_organization: Any, programme_manager: User) -> None:
    organization = make_organization()
    with pytest.raises(CommunitiesError, match="안건을\\(를\\) 입력해 주세요"):
        actions.record_minutes(programme_manager, organization, date=date(2026, 5, 2), agenda="")

    minutes = actions.record_minutes(
        programme_manager,
        organization,
        date=date(2026, 5, 2),
        attendees="회장 외 12명",
        agenda="2026년 마을축제 준비",
        decisions="6월 둘째 주 토요일 개최",
        attachment=pdf(),
    )

    assert minutes.attachment_type == "application/pdf"
    assert minutes.attachment_name == "minutes.pdf"
    assert OrganizationMinutes.objects.count() == 1
    assert verbs(organization)[-1] == "communities.minutes_recorded"


def test_committee_meeting_is_recorded(make_committee: Any, programme_manager: User) -> None:
    committee = make_committee()

    meeting = actions.record_meeting(
        programme_manager,
        committee,
        date=date(2026, 3, 20),
        agenda="용도지역 변경 심의",
        decisions="원안 가결",
    )

    assert list(committee.meetings.all()) == [meeting]
    assert verbs(committee)[-1] == "communities.meeting_recorded"


def test_sysadmin_cannot_record_minutes(make_organization: Any, sysadmin: User) -> None:
    organization = make_organization()
    with pytest.raises(NotPermitted):
        actions.record_minutes(sysadmin, organization, date=date(2026, 5, 2), agenda="안건")
    assert OrganizationMinutes.objects.count() == 0


def test_a_seat_that_has_ended_cannot_be_ended_again(
    make_organization: Any, make_person: Any, programme_manager: User
) -> None:
    organization = make_organization()
    seat = actions.add_member(programme_manager, organization, make_person(), started_on=date(2024, 1, 1))
    actions.end_member(programme_manager, organization, seat, ended_on=date(2024, 12, 31))

    with pytest.raises(CommunitiesError, match="이미 끝난 참여입니다"):
        actions.end_member(programme_manager, organization, seat, ended_on=date(2025, 6, 30))

    seat.refresh_from_db()
    assert seat.ended_on == date(2024, 12, 31)
    assert verbs(organization).count("communities.member_ended") == 1
