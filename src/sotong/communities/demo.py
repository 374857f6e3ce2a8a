"""Demo organizations and committees of 성동구, with members drawn from the demo registry (called by
`load_demo` after `people.demo`, in INSTALLED_APPS order).

Per 행정동: a 주민자치회, a 통장협의회 and a 새마을부녀회; district-wide: 바르게살기운동 성동구협의회, 성동구
자원봉사센터, 성수동 도시재생 주민협의체, 성동구 자율방범대, 성동구 소상공인연합회. Committees with their legal
basis, two-year term and owning department (도시계획위원회 under 도시계획과, 주민참여예산위원회 under 기획예산과...).

The people demo already seated some of its people in groups by name only (`Membership.group_label`,
no group row: the registry is loaded before this app). Those seats are linked here to the group of
that name, keeping their role and term, rather than seated a second time. Every other change goes
through the communities actions as the demo programme manager: new groups, further members (통장,
위원장, experts by occupation, each with a paper consent for the group's purpose), activities, minutes
and meetings.

Idempotent: groups are found by name, seats already held are kept, and records are added only to
groups that have none, so a second load adds nothing (only seats of people registered since).
"""

from __future__ import annotations

import random
from collections import Counter
from datetime import date, timedelta
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from sotong.accounts.models import Department, User
from sotong.communities import actions
from sotong.communities.models import (
    Committee,
    CommitteeMeeting,
    Group,
    Organization,
    OrganizationActivity,
    OrganizationMinutes,
    OrganizationType,
    members_of,
)
from sotong.core.events import record_event
from sotong.people import actions as people_actions
from sotong.people.demo import DONGS, PROGRAMME_MANAGER
from sotong.people.models import ConsentPurpose, Membership, MembershipKind, Person

SEED = 20160701

PER_DONG: list[tuple[str, str, str]] = [
    (
        "{dong} 주민자치회",
        OrganizationType.RESIDENTS_COUNCIL,
        "주민자치 사업을 심의하고 마을 의제를 주민총회에 올리는 동 단위 주민대표 기구입니다.",
    ),
    (
        "{dong} 통장협의회",
        OrganizationType.TONGJANG_COUNCIL,
        "동 통장들이 행정 소식을 전하고 주민 불편 사항을 모아 동 주민센터와 협의합니다.",
    ),
    (
        "{dong} 새마을부녀회",
        OrganizationType.VOLUNTEER,
        "김장 나눔, 경로잔치, 재활용품 모으기 등 이웃 돕기 봉사를 합니다.",
    ),
]
DISTRICT_WIDE: list[tuple[str, str, str]] = [
    (
        "바르게살기운동 성동구협의회",
        OrganizationType.CIVIC,
        "진실·질서·화합 운동과 지역 캠페인을 펼치는 국민운동단체입니다.",
    ),
    (
        "성동구 자원봉사센터",
        OrganizationType.VOLUNTEER,
        "구민 자원봉사자를 모집·교육하고 봉사처와 연결합니다.",
    ),
    (
        "성수동 도시재생 주민협의체",
        OrganizationType.CIVIC,
        "성수동 도시재생 활성화 계획의 주민 의견을 모으고 사업을 함께 운영합니다.",
    ),
    (
        "성동구 자율방범대",
        OrganizationType.VOLUNTEER,
        "동별 대원이 야간 순찰과 청소년 귀가 지도를 합니다.",
    ),
    (
        "성동구 소상공인연합회",
        OrganizationType.PROFESSIONAL,
        "골목상권 소상공인의 의견을 모아 구와 상생 방안을 협의합니다.",
    ),
]
# name, department code, legal basis, purpose, chair's occupations
COMMITTEES: list[tuple[str, str, str, str]] = [
    (
        "도시계획위원회",
        "D143",
        "국토의 계획 및 이용에 관한 법률 제113조, 서울특별시 성동구 도시계획 조례 제4조",
        "구 도시관리계획과 지구단위계획 등 도시계획 사항을 심의하고 자문합니다.",
    ),
    (
        "주민참여예산위원회",
        "D111",
        "지방재정법 제39조, 서울특별시 성동구 주민참여예산제 운영 조례 제7조",
        "주민이 제안한 사업을 심사하고 예산 편성 우선순위를 정합니다.",
    ),
    (
        "지역사회보장협의체",
        "D131",
        "사회보장급여의 이용·제공 및 수급권자 발굴에 관한 법률 제41조",
        "지역사회보장계획을 심의하고 복지 자원을 연계합니다.",
    ),
    (
        "성평등위원회",
        "D121",
        "양성평등기본법 제11조, 서울특별시 성동구 성평등 기본 조례 제9조",
        "성평등 정책의 기본계획과 성별영향평가 결과를 심의합니다.",
    ),
    (
        "건축위원회",
        "D142",
        "건축법 제4조, 서울특별시 성동구 건축 조례 제5조",
        "건축물의 건축과 분쟁에 관한 사항을 심의합니다.",
    ),
]
EXPERTS_BY_COMMITTEE = {
    "도시계획위원회": ("교수", "건축사", "변호사", "연구원"),
    "주민참여예산위원회": ("세무사", "교수", "자영업", "주부"),
    "지역사회보장협의체": ("사회복지사", "의사", "간호사", "교수"),
    "성평등위원회": ("변호사", "교수", "교사", "연구원"),
    "건축위원회": ("건축사", "교수", "변호사", "연구원"),
}
# type: (members, role of the others, youngest age, who else may join)
ORGANIZATION_SIZES: dict[str, tuple[int, str, int, dict[str, Any]]] = {
    OrganizationType.RESIDENTS_COUNCIL: (6, "위원", 25, {}),
    OrganizationType.TONGJANG_COUNCIL: (5, "통장", 35, {}),
    OrganizationType.VOLUNTEER: (4, "회원", 20, {}),
    OrganizationType.CIVIC: (5, "회원", 25, {}),
    OrganizationType.PROFESSIONAL: (4, "회원", 25, {"occupation__in": ["자영업", "회사원"]}),
}
ACTIVITIES = [
    (
        "골목 대청소의 날",
        "주민과 함께 골목길과 이면도로의 쓰레기를 치우고 무단투기 금지 안내문을 붙였습니다.",
    ),
    ("홀몸 어르신 김장 나눔", "김장 김치 120포기를 담가 동 주민센터를 통해 홀몸 어르신 댁에 전달했습니다."),
    ("야간 안전 순찰", "공원과 학교 주변을 순찰하고 고장 난 보안등 3곳을 주민센터에 알렸습니다."),
    ("마을 축제 부스 운영", "마을 축제에서 재활용 체험과 주민자치 사업 홍보 부스를 운영했습니다."),
    ("폭염 대비 그늘막 점검", "횡단보도 그늘막과 무더위 쉼터의 운영 상태를 점검했습니다."),
]
MINUTES = [
    (
        "정기총회: 지난해 결산과 올해 사업계획",
        "결산 승인, 사업계획 원안 의결, 감사 1명 선출",
    ),
    (
        "월례회의: 마을 환경 개선 사업 논의",
        "불법 주정차 캠페인을 다음 달 둘째 주에 하기로 함",
    ),
]
MEETINGS = [
    (
        "제1차 정기회의: 운영 세칙 개정과 분과 구성",
        "운영 세칙 개정안 원안 가결, 분과별 위원 배정",
    ),
    (
        "제2차 정기회의: 상정 안건 심의",
        "2건 원안 의결, 1건 조건부 의결(보행 동선 보완)",
    ),
]


class _Loader:
    def __init__(self, manager: User) -> None:
        self.manager = manager
        self.rng = random.Random(SEED)  # noqa: S311 - demo data, not secrets
        self.today = timezone.localdate()
        self.tallies: Counter[str] = Counter()
        self.purposes = {p.code: p for p in ConsentPurpose.objects.all()}

    def organization(self, name: str, type: str, description: str, dong: str = "") -> Organization:
        found = Organization.objects.filter(name=name).first()
        if found is not None:
            return found
        self.tallies["organizations"] += 1
        founded = date(self.rng.randint(1995, 2020), self.rng.randint(1, 12), 1)
        return actions.create_organization(
            self.manager, name=name, type=type, dong=dong, description=description, founded_on=founded
        )

    def committee(self, name: str, department_code: str, legal_basis: str, purpose: str) -> Committee:
        found = Committee.objects.filter(name=name).first()
        if found is not None:
            return found
        department = Department.objects.filter(code=department_code).first() or self.manager.department
        assert department is not None, "the demo programme manager has a department"
        # Two-year terms, the current one started on 1 January of last year.
        start = date(self.today.year - 1, 1, 1)
        self.tallies["committees"] += 1
        return actions.create_committee(
            self.manager,
            name=name,
            department=department,
            purpose=purpose,
            legal_basis=legal_basis,
            term_start=start,
            term_end=date(start.year + 2, 1, 1) - timedelta(days=1),
        )

    def link_named_seats(self, group: Group) -> None:
        """The people demo's seats that name this group (label only) become its seats."""
        named = Membership.objects.filter(
            kind=group.membership_kind, group_type__isnull=True, group_label=group.name
        )
        seats = list(named.values_list("pk", "person_id"))
        if not seats:
            return
        named.update(group_type=ContentType.objects.get_for_model(type(group)), group_id=str(group.pk))
        for membership, person in seats:
            record_event(
                self.manager,
                "communities.member_added",
                group,
                after={"membership": membership, "person": person, "linked": True},
                note="demo",
            )
        self.tallies["seats linked"] += len(seats)

    def seat(self, group: Group, person: Person, role: str, start: date, end: date | None = None) -> None:
        purpose = self.purposes.get(
            "committee" if group.membership_kind == MembershipKind.COMMITTEE else "organization"
        )
        if (
            purpose is not None
            and not Person.objects.filter(pk=person.pk).with_live_consent(purpose).exists()
        ):
            people_actions.give_consent(
                people_actions.SYSTEM,
                person,
                purpose,
                sms=bool(person.mobile),
                email=bool(person.email),
                method="paper",
                evidence={"scan_ref": f"위촉동의서-{person.pk:05d}"},
                # Re-confirmed within the retention period however long ago the seat began.
                given_at=timezone.now() - timedelta(days=min((self.today - start).days, 600)),
            )
        actions.add_member(self.manager, group, person, role=role, started_on=start, ended_on=end)
        self.tallies["members added"] += 1

    def candidates(self, group: Group, **filters: Any) -> list[Person]:
        seated = members_of(group).current().values("person_id")
        people = Person.objects.active().filter(**filters).exclude(pk__in=seated).order_by("pk")
        return list(people[:40])

    def top_up(self, organization: Organization) -> None:
        """Seat residents (of the organization's dong, if it has one) until it has its demo size, with a
        회장 and a 총무 if it has none yet."""
        size, member_role, age, filters = ORGANIZATION_SIZES.get(organization.type, (4, "회원", 20, {}))
        have = members_of(organization).current().count()
        if have >= size:
            return
        if organization.dong:
            filters = {**filters, "dong": organization.dong}
        if organization.name.endswith("부녀회"):
            filters = {**filters, "gender": "F"}
        people = self.candidates(organization, birth_year__lte=self.today.year - age, **filters)
        held = set(members_of(organization).current().values_list("role", flat=True))
        for person in self.rng.sample(people, min(size - have, len(people))):
            role = next((r for r in ("회장", "총무") if r not in held), member_role)
            held.add(role)
            start = self.today - timedelta(days=self.rng.randint(60, 1400))
            self.seat(organization, person, role, start)

    def committee_members(self, committee: Committee) -> None:
        """A 위원장 if there is none, then experts by occupation until seven members sit."""
        assert committee.term_start is not None
        seats = members_of(committee).current()
        needs_chair = not seats.filter(role="위원장").exists()
        wanted = max(7 - seats.count(), int(needs_chair))
        if not wanted:
            return
        occupations = EXPERTS_BY_COMMITTEE.get(committee.name, ("교수",))
        people = self.candidates(committee, occupation__in=occupations)
        for person in self.rng.sample(people, min(wanted, len(people))):
            role = "위원장" if needs_chair else "위원"
            needs_chair = False
            self.seat(committee, person, role, committee.term_start, committee.term_end)

    def records(self, organization: Organization) -> None:
        if OrganizationActivity.objects.filter(organization=organization).exists():
            return
        for title, text in self.rng.sample(ACTIVITIES, 2):
            day = self.today - timedelta(days=self.rng.randint(7, 300))
            actions.record_activity(self.manager, organization, date=day, title=title, text=text)
            self.tallies["activities"] += 1
        if OrganizationMinutes.objects.filter(organization=organization).exists():
            return
        attendees = self.attendees(organization)
        for days_ago, (agenda, decisions) in zip((150, 30), MINUTES, strict=True):
            actions.record_minutes(
                self.manager,
                organization,
                date=self.today - timedelta(days=days_ago),
                agenda=agenda,
                attendees=attendees,
                decisions=decisions,
            )
            self.tallies["minutes"] += 1

    def meetings(self, committee: Committee) -> None:
        if CommitteeMeeting.objects.filter(committee=committee).exists():
            return
        attendees = self.attendees(committee)
        for days_ago, (agenda, decisions) in zip((120, 21), MEETINGS, strict=True):
            actions.record_meeting(
                self.manager,
                committee,
                date=self.today - timedelta(days=days_ago),
                agenda=agenda,
                attendees=attendees,
                decisions=decisions,
            )
            self.tallies["meetings"] += 1

    def attendees(self, group: Group) -> str:
        """Attendees as minutes keep them: roles and masked names, never contacts."""
        seats = members_of(group).current().order_by("pk")[:8]
        names = [f"{seat.role or '회원'} {seat.person.masked()['name']}" for seat in seats]
        return ", ".join(names) or "회원 일동"


def load() -> str:
    """Add the demo organizations and committees; returns a one-line summary for `load_demo`."""
    manager = User.objects.filter(username=PROGRAMME_MANAGER, is_active=True).first()
    if manager is None:
        return "skipped (no demo programme manager)"
    loader = _Loader(manager)
    organizations: list[Organization] = []
    for dong in DONGS:
        for pattern, type, description in PER_DONG:
            organizations.append(loader.organization(pattern.format(dong=dong), type, description, dong))
    for name, type, description in DISTRICT_WIDE:
        organizations.append(loader.organization(name, type, description))
    for organization in organizations:
        loader.link_named_seats(organization)
        loader.top_up(organization)
    # Records for the district-wide groups and the councils of a few dongs, so the lists have content.
    for organization in organizations:
        if organization.dong in ("", *DONGS[:4]) and members_of(organization).exists():
            loader.records(organization)
    for name, department, legal_basis, purpose in COMMITTEES:
        committee = loader.committee(name, department, legal_basis, purpose)
        loader.link_named_seats(committee)
        loader.committee_members(committee)
        loader.meetings(committee)
    parts = ", ".join(f"{name} {value}" for name, value in sorted(loader.tallies.items()))
    return parts or "already loaded"
