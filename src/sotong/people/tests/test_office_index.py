"""The registry's one screen: filters, search, masking, paging, live counts, segments and lists."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from sotong.core.models import PersonalDataAccessLog
from sotong.people import actions
from sotong.people.models import PersonList, Segment
from sotong.people.segments import SegmentFilter
from sotong.people.tests.conftest import MakePerson
from sotong.people.views.office_common import PEOPLE_PER_PAGE

INDEX = reverse("people_office:index")


@pytest.fixture
def registry(make_person: MakePerson) -> dict[str, Any]:
    """A subscriber, an organization member who is also on a committee, and a monitor without consent."""
    kim = make_person(name="김민준", gender="M", birth_year=1985, dong="행당1동", occupation="교사")
    actions.add_membership(actions.SYSTEM, kim, "subscriber")
    lee = make_person(
        name="이서연", gender="F", birth_year=1960, dong="마장동", occupation="교수", mobile="010-2222-3333"
    )
    actions.add_membership(actions.SYSTEM, lee, "organization", group_label="마장동 주민자치회")
    actions.add_membership(actions.SYSTEM, lee, "committee", group_label="도시계획위원회")
    park = make_person(name="박도윤", gender="M", birth_year=2000, dong="옥수동", consent=None)
    actions.add_membership(actions.SYSTEM, park, "monitor")
    return {"kim": kim, "lee": lee, "park": park}


def shown_ids(response: Any) -> list[int]:
    return [person.pk for person, _masked in response.context["rows"]]


def test_list_shows_everyone_masked_with_the_live_count(verified_client, programme_manager, registry):
    response = verified_client(programme_manager).get(INDEX)

    assert response.status_code == 200
    page = response.content.decode()
    assert "김*준" in page
    assert "김민준" not in page
    assert "010-****-3333" in page
    assert "010-2222-3333" not in page
    assert "도시계획위원회" in page
    assert response.context["total"] == 3
    assert response.context["page"].paginator.count == 3
    assert not PersonalDataAccessLog.objects.exists()


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"memberships": "subscriber"}, ["kim"]),
        ({"memberships": ["organization", "monitor"]}, ["lee", "park"]),
        ({"age_bands": "60s"}, ["lee"]),
        ({"genders": "M"}, ["kim", "park"]),
        ({"dong": "옥수동"}, ["park"]),
        ({"occupation": "교수"}, ["lee"]),
        ({"consent_purpose": "e_sotong"}, ["kim", "lee"]),
        ({"organization": "주민자치"}, ["lee"]),
        ({"name": "김민준"}, ["kim"]),
        ({"name": "민", "dong": "행당1동"}, ["kim"]),
        ({"contact": "010-2222-3333"}, ["lee"]),
        ({"contact": "010 2222 3333"}, ["lee"]),
    ],
)
def test_filters_and_search_select_the_right_people(
    verified_client, programme_manager, registry, query, expected
):
    response = verified_client(programme_manager).get(INDEX, query)

    assert response.status_code == 200
    assert sorted(shown_ids(response)) == sorted(registry[key].pk for key in expected)


def test_part_of_a_name_alone_or_part_of_a_phone_finds_nobody(verified_client, programme_manager, registry):
    client = verified_client(programme_manager)
    assert shown_ids(client.get(INDEX, {"name": "민"})) == []
    assert shown_ids(client.get(INDEX, {"contact": "2222"})) == []


def test_a_malformed_contact_gets_a_korean_message(verified_client, programme_manager, registry):
    response = verified_client(programme_manager).get(INDEX, {"contact": "010-12"})
    assert response.status_code == 200
    assert "휴대전화 번호가 올바르지 않습니다" in response.content.decode()
    assert shown_ids(response) == []


def test_the_list_pages_in_fifties(
    verified_client, programme_manager, make_person, django_assert_max_num_queries
):
    for _n in range(PEOPLE_PER_PAGE + 3):
        make_person(consent=None)
    client = verified_client(programme_manager)
    with django_assert_max_num_queries(25):
        first = client.get(INDEX)
    assert len(first.context["rows"]) == PEOPLE_PER_PAGE
    second = client.get(INDEX, {"page": 2})
    assert len(second.context["rows"]) == 3


def test_a_filter_is_saved_as_a_segment_and_counted_live(
    verified_client, programme_manager, registry, make_person
):
    client = verified_client(programme_manager)
    response = client.post(
        reverse("people_office:segment_save") + "?genders=M&consent_purpose=e_sotong",
        {"segment-name": "남성 수신 동의자"},
    )

    segment = Segment.objects.get()
    assert response.status_code == 302
    assert response["Location"].endswith(f"?segment={segment.pk}")
    assert segment.filters == {"genders": ["M"], "consent_purpose": "e_sotong"}
    make_person(name="최하준", gender="M")
    page = client.get(INDEX, {"segment": segment.pk})
    assert sorted(shown_ids(page)) == sorted([registry["kim"].pk, page.context["rows"][1][0].pk])
    assert page.context["segments"] == [(segment, 2)]


def test_saving_without_a_filter_or_a_name_saves_nothing(verified_client, programme_manager, registry):
    client = verified_client(programme_manager)
    client.post(reverse("people_office:segment_save"), {"segment-name": "전체"})
    client.post(reverse("people_office:segment_save") + "?genders=M", {"segment-name": " "})
    assert not Segment.objects.exists()


def test_a_segment_can_be_deleted(verified_client, programme_manager, registry):
    segment = actions.save_segment(programme_manager, name="여성", filters=SegmentFilter(genders=["F"]))
    verified_client(programme_manager).post(reverse("people_office:segment_delete", args=[segment.pk]))
    assert not Segment.objects.exists()


def test_ticked_people_go_on_a_new_list(verified_client, programme_manager, registry):
    response = verified_client(programme_manager).post(
        reverse("people_office:list_add"),
        {
            "scope": "selected",
            "new_name": "설명회 참석자",
            "people": [registry["kim"].pk, registry["park"].pk],
        },
    )

    person_list = PersonList.objects.get()
    assert response.status_code == 302
    assert person_list.name == "설명회 참석자"
    assert set(person_list.members.values_list("pk", flat=True)) == {registry["kim"].pk, registry["park"].pk}


def test_the_whole_filter_result_goes_on_an_existing_list(verified_client, programme_manager, registry):
    person_list = actions.create_list(programme_manager, name="위원·단체")
    verified_client(programme_manager).post(
        reverse("people_office:list_add") + "?memberships=organization&memberships=monitor",
        {"scope": "all", "person_list": person_list.pk},
    )

    assert set(person_list.members.values_list("pk", flat=True)) == {registry["lee"].pk, registry["park"].pk}
    page = verified_client(programme_manager).get(INDEX, {"list": person_list.pk})
    assert sorted(shown_ids(page)) == sorted([registry["lee"].pk, registry["park"].pk])


def test_a_list_needs_a_name_and_people(verified_client, programme_manager, registry):
    client = verified_client(programme_manager)
    client.post(reverse("people_office:list_add"), {"scope": "selected", "people": [registry["kim"].pk]})
    client.post(reverse("people_office:list_add"), {"scope": "selected", "new_name": "빈 명단"})
    assert not PersonList.objects.exists()
