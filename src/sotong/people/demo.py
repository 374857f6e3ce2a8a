"""Demo registry: about 400 people of 성동구 with consents, memberships, two lists and three segments.

Every person, consent, membership, list and segment is made through the real people actions, so the
Events, the encrypted contacts and the blind indexes are what production would hold. Names are drawn
from common surnames and given-name syllables, dongs are the 17 행정동 of 성동구, birth years span
every age band. Consents: most people agreed to 전자소통 정책정보 수신; committee and organization
members to their own purpose; a few to 광고성 정보; some consents are withdrawn and some, given almost
two years ago, are due for re-confirmation. Random choices are seeded, so two loads look the same.

SOTONG_DEMO_PEOPLE sets the number of people (400 by default).
"""

from __future__ import annotations

import os
import random
from collections import Counter
from datetime import timedelta
from typing import Any

from django.utils import timezone

from sotong.accounts.models import User
from sotong.people import actions
from sotong.people.models import ConsentPurpose, Gender, MembershipKind, Person, Source
from sotong.people.segments import SegmentFilter

DEMO_PEOPLE = int(os.environ.get("SOTONG_DEMO_PEOPLE", "400"))
SEED = 20150301
PROGRAMME_MANAGER = "programme"  # the demo programme manager of accounts/demo.py

DONGS = [
    "왕십리도선동",
    "왕십리2동",
    "마장동",
    "사근동",
    "행당1동",
    "행당2동",
    "응봉동",
    "금호1가동",
    "금호2·3가동",
    "금호4가동",
    "옥수동",
    "성수1가1동",
    "성수1가2동",
    "성수2가1동",
    "성수2가3동",
    "송정동",
    "용답동",
]
SURNAMES = [
    ("김", 21),
    ("이", 15),
    ("박", 8),
    ("최", 5),
    ("정", 5),
    ("강", 2),
    ("조", 2),
    ("윤", 2),
    ("장", 2),
    ("임", 2),
    ("한", 1),
    ("오", 1),
    ("서", 1),
    ("신", 1),
    ("권", 1),
    ("황", 1),
    ("안", 1),
    ("송", 1),
    ("류", 1),
    ("전", 1),
    ("홍", 1),
    ("고", 1),
    ("문", 1),
    ("양", 1),
    ("손", 1),
]
MALE_SYLLABLES = "민준서도예시하주지건우현유진영호성재승태동석훈철수상경"
FEMALE_SYLLABLES = "서지민수하윤은채예아연다혜영미정희경숙선나유현소"
OCCUPATIONS = [
    ("회사원", 24),
    ("자영업", 12),
    ("주부", 10),
    ("학생", 9),
    ("공무원", 5),
    ("교사", 5),
    ("무직", 5),
    ("사회복지사", 3),
    ("의사", 2),
    ("간호사", 2),
    ("변호사", 2),
    ("교수", 2),
    ("연구원", 2),
    ("건축사", 1),
    ("세무사", 1),
    ("예술인", 2),
    ("농업", 1),
]
EXPERT_OCCUPATIONS = ["교수", "변호사", "의사", "건축사", "세무사", "연구원", "사회복지사"]
ORGANIZATIONS = [
    "{dong} 주민자치회",
    "{dong} 새마을부녀회",
    "바르게살기운동 성동구협의회",
    "성동구 자원봉사센터",
    "성수동 도시재생 주민협의체",
    "성동구 자율방범대",
]
COMMITTEES = [
    ("도시계획위원회", "위원"),
    ("주민참여예산위원회", "위원"),
    ("지역사회보장협의체", "위원"),
    ("성평등위원회", "위원"),
    ("도시계획위원회", "부위원장"),
    ("주민참여예산위원회", "분과위원장"),
]
USER_AGENTS = [
    "Mozilla/5.0 (Linux; Android 14; SM-S921N) AppleWebKit/537.36 Chrome/124.0 Mobile Safari/537.36",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/124.0 Safari/537.36",
]
SOURCES = [(Source.PORTAL, 50), (Source.HOMEPAGE, 20), (Source.MOBILE_WEB, 15), (Source.MEETING, 10)]


def _weighted(rng: random.Random, pairs: list[tuple[Any, int]]) -> Any:
    return rng.choices([value for value, _w in pairs], weights=[w for _v, w in pairs])[0]


def _name(rng: random.Random, gender: str) -> str:
    syllables = MALE_SYLLABLES if gender == Gender.MALE else FEMALE_SYLLABLES
    first, second = rng.sample(syllables, 2)
    return _weighted(rng, SURNAMES) + first + second


def _birth_year(rng: random.Random, this_year: int) -> int:
    # Ages 16–84, weighted towards the 30s–60s who answer policy surveys most.
    age = _weighted(
        rng,
        [
            (rng.randint(16, 19), 5),
            (rng.randint(20, 29), 14),
            (rng.randint(30, 39), 20),
            (rng.randint(40, 49), 22),
            (rng.randint(50, 59), 18),
            (rng.randint(60, 69), 13),
            (rng.randint(70, 84), 8),
        ],
    )
    return this_year - int(age)


def _web_evidence(rng: random.Random) -> dict[str, str]:
    return {"ip": f"203.0.113.{rng.randint(1, 254)}", "user_agent": rng.choice(USER_AGENTS)}


class _Loader:
    def __init__(self, count: int) -> None:
        self.rng = random.Random(SEED)  # noqa: S311 - demo data, not secrets
        self.count = count
        self.now = timezone.now()
        self.purposes = {p.code: p for p in ConsentPurpose.objects.all()}
        self.tallies: Counter[str] = Counter()

    def person(self, i: int) -> Person:
        rng = self.rng
        gender = rng.choice([Gender.MALE, Gender.FEMALE])
        birth_year = _birth_year(rng, self.now.year)
        age = self.now.year - birth_year
        occupation = "학생" if age < 20 else _weighted(rng, OCCUPATIONS)
        if age >= 68 and occupation in ("학생", "회사원"):
            occupation = "무직"
        reach = rng.random()
        mobile = f"010-{rng.randint(2000, 9899)}-{i:04d}" if reach < 0.9 else ""
        email = f"sd{i:04d}.{rng.choice(['mail', 'home', 'work'])}@example.com" if reach > 0.3 else ""
        return actions.register_person(
            actions.SYSTEM,
            name=_name(rng, gender),
            gender=gender,
            birth_year=birth_year,
            dong=rng.choice(DONGS),
            occupation=occupation,
            mobile=mobile,
            email=email,
            source=_weighted(rng, SOURCES),
        )

    def consent(self, person: Person, code: str, *, days_ago: int, method: str = "web_form") -> Any:
        purpose = self.purposes.get(code)
        if purpose is None:
            return None
        sms = bool(person.mobile) and (not person.email or self.rng.random() < 0.85)
        email = bool(person.email) and (not sms or self.rng.random() < 0.6)
        evidence = (
            _web_evidence(self.rng) if method == "web_form" else {"scan_ref": f"동의서-{person.pk:05d}"}
        )
        consent = actions.give_consent(
            actions.SYSTEM,
            person,
            purpose,
            sms=sms,
            email=email,
            method=method,
            evidence=evidence,
            given_at=self.now - timedelta(days=days_ago),
        )
        self.tallies[f"consent:{code}"] += 1
        return consent

    def take_part(self, person: Person) -> None:
        rng = self.rng
        roll = rng.random()
        if roll < 0.82:
            # 전자소통 가입자; about one in 12 consented nearly two years ago (re-confirmation due soon).
            due = rng.random() < 0.08
            consent = self.consent(
                person, "e_sotong", days_ago=rng.randint(700, 725) if due else rng.randint(3, 600)
            )
            actions.add_membership(
                actions.SYSTEM,
                person,
                MembershipKind.SUBSCRIBER,
                started_on=timezone.localdate(consent.given_at) if consent else None,
            )
            self.tallies["due"] += int(due)
            if rng.random() < 0.06 and consent is not None:
                actions.withdraw_consent(actions.SYSTEM, consent)
                self.tallies["withdrawn"] += 1
            if rng.random() < 0.07:
                self.consent(person, "advertising", days_ago=rng.randint(3, 400))
        if roll >= 0.7 and rng.random() < 0.5 or roll >= 0.95:
            label = rng.choice(ORGANIZATIONS).format(dong=person.dong)
            self.consent(person, "organization", days_ago=rng.randint(30, 900), method="paper")
            actions.add_membership(
                actions.SYSTEM,
                person,
                MembershipKind.ORGANIZATION,
                group_label=label,
                role=_weighted(rng, [("회원", 8), ("총무", 1), ("회장", 1)]),
                started_on=timezone.localdate() - timedelta(days=rng.randint(30, 1500)),
            )
            self.tallies["organization"] += 1
        if person.occupation in EXPERT_OCCUPATIONS and rng.random() < 0.6 or roll < 0.02:
            committee, role = rng.choice(COMMITTEES)
            start = timezone.localdate() - timedelta(days=rng.randint(30, 700))
            # 위원회 consents given 25–26 months ago are past their 2-year re-confirmation (kept 48 months).
            self.consent(person, "committee", days_ago=rng.randint(20, 790), method="paper")
            actions.add_membership(
                actions.SYSTEM,
                person,
                MembershipKind.COMMITTEE,
                group_label=committee,
                role=role,
                started_on=start,
                ended_on=start + timedelta(days=730),
            )
            self.tallies["committee"] += 1
        if rng.random() < 0.05:
            actions.add_membership(actions.SYSTEM, person, MembershipKind.MONITOR, group_label="시민모니터")
            self.tallies["monitor"] += 1

    def lists_and_segments(self, people: list[Person]) -> None:
        manager = User.objects.filter(username=PROGRAMME_MANAGER, is_active=True).first()
        if manager is None:
            return
        briefing = actions.create_list(
            manager, name="2026 주민참여예산 설명회 참석자", description="성동구청 3층 대회의실, 3월 설명회"
        )
        actions.add_to_list(manager, briefing, self.rng.sample(people, min(35, len(people))))
        seongsu = actions.create_list(
            manager, name="성수동 도시재생 간담회", description="성수1가·2가 주민 간담회"
        )
        actions.add_to_list(manager, seongsu, [p for p in people if p.dong.startswith("성수")][:25])
        for name, rule in (
            (
                "2030 정책정보 문자 수신자",
                SegmentFilter(age_bands=["20s", "30s"], consent_purpose="e_sotong", consent_channel="sms"),
            ),
            (
                "위원회 전문가(교수·변호사·의사)",
                SegmentFilter(memberships=["committee"], occupations=["교수", "변호사", "의사"]),
            ),
            (
                "성수동 권역 가입자",
                SegmentFilter(dongs=[d for d in DONGS if d.startswith("성수")], memberships=["subscriber"]),
            ),
        ):
            actions.save_segment(manager, name=name, filters=rule)
        self.tallies["lists"] = 2
        self.tallies["segments"] = 3


def load(count: int | None = None) -> str:
    """Add the demo registry; returns a one-line summary for `load_demo`."""
    loader = _Loader(DEMO_PEOPLE if count is None else count)
    start = Person.objects.count()
    people = []
    for i in range(start + 1, start + loader.count + 1):
        person = loader.person(i)
        loader.take_part(person)
        people.append(person)
    loader.lists_and_segments(people)
    parts = ", ".join(f"{name} {value}" for name, value in sorted(loader.tallies.items()))
    return f"{len(people)} people ({parts})"
