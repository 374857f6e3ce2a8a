"""Demo cases: a year of complaints and proposals across channels, kinds, departments and states.

Titles are real petition titles (청와대 국민청원, ../shared/data/petition_titles.csv, MIT, see its README),
sampled deterministically from the categories a district handles and mapped to the `case_category`
codes of core/demo.py and to a handling division of accounts/demo.py. Every case goes through the real
actions (submit, assign, start, transfer, avoidance, extension, reports, answer, close, rate) with
`received_at` spread over the past year, so every staff queue has something to show.

The actions stamp their own rows with the time of loading; afterwards the demo moves answer, closing,
rating, assignment and transfer times back to plausible moments after receipt (received + a share of
the statutory period), so the speed index and on-time rates look like a year's work. Events are
append-only and keep the loading time.
"""

from __future__ import annotations

import csv
import os
import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone

from sotong.accounts import actions as account_actions
from sotong.accounts.models import Department, Role, User
from sotong.cases import actions
from sotong.cases.models import (
    Answer,
    Case,
    CaseAssignment,
    CaseKind,
    CaseStatus,
    Channel,
    Meeting,
    ProgressReport,
    ReportStatus,
    SatisfactionSurvey,
    Transfer,
    TransferKind,
)
from sotong.core.business_calendar import SEOUL, business_calendar
from sotong.core.errors import DomainError

DEMO_CASES = int(os.environ.get("SOTONG_DEMO_CASES", "400"))
SEED = 20141211  # the date of the 소통 네트워크 plan
PETITION_FILE = "petition_titles.csv"
# Fallback titles when the shared data directory is not beside the checkout (another machine, CI).
FALLBACK_TITLES: list[tuple[str, str]] = [
    ("안전/환경", "골목길 쓰레기 무단투기 단속 카메라 설치 요청"),
    ("안전/환경", "공사장 소음과 미세먼지 대책을 마련해 주세요"),
    ("안전/환경", "어린이 보호구역 안전 점검을 요청합니다"),
    ("교통/건축/국토", "불법 주차 차량 단속을 강화해 주세요"),
    ("교통/건축/국토", "마을버스 배차 간격을 줄여 주세요"),
    ("교통/건축/국토", "횡단보도 신호등 설치 요청"),
    ("교통/건축/국토", "노후 아파트 재건축 절차 문의"),
    ("보건복지", "어르신 무료 급식소 확대를 바랍니다"),
    ("보건복지", "코로나 예방접종 예약 방법 문의"),
    ("육아/교육", "국공립 어린이집 추가 설립 요청"),
    ("육아/교육", "학교 앞 통학로 보도 확장 제안"),
    ("일자리", "청년 일자리 지원 사업 확대 요청"),
    ("문화/예술/체육/언론", "동네 체육시설 야간 개방 제안"),
    ("반려동물", "반려견 놀이터 설치를 제안합니다"),
    ("행정", "주민센터 민원 처리 시간 연장 요청"),
    ("기타", "공원 산책로 가로등 밝기 개선 요청"),
]


def _petition_file() -> Path:
    configured = getattr(settings, "SOTONG_PETITION_TITLES", "")
    return Path(configured) if configured else settings.PROJECT_DIR.parent / "shared" / "data" / PETITION_FILE


DONGS = [
    "왕십리도선동", "왕십리2동", "마장동", "사근동", "행당1동", "행당2동", "응봉동", "금호1가동",
    "금호2·3가동", "금호4가동", "옥수동", "성수1가1동", "성수1가2동", "성수2가1동", "성수2가3동",
    "송정동", "용답동",
]  # fmt: skip

# Petition category → (case_category code, handling division code), with keyword overrides below.
CATEGORY_MAP: dict[str, tuple[str, str]] = {
    "교통/건축/국토": ("traffic", "D141"),
    "안전/환경": ("safety", "D144"),
    "보건복지": ("welfare", "D131"),
    "육아/교육": ("education", "D122"),
    "일자리": ("economy", "D134"),
    "경제민주화": ("economy", "D134"),
    "문화/예술/체육/언론": ("culture", "D121"),
    "반려동물": ("health", "D161"),
    "저출산/고령화대책": ("welfare", "D132"),
    "행정": ("administration", "D124"),
    "기타": ("administration", "D123"),
}
KEYWORDS: list[tuple[tuple[str, ...], tuple[str, str]]] = [
    (("쓰레기", "청소", "재활용", "분리수거", "폐기물"), ("cleaning", "D151")),
    (("미세먼지", "소음", "악취", "환경", "매연"), ("cleaning", "D153")),
    (("공원", "나무", "녹지", "산책"), ("parks", "D152")),
    (("건축", "아파트", "재건축", "재개발", "주택", "층간"), ("construction", "D142")),
    (("도로", "보도", "인도", "횡단보도", "신호등", "가로등"), ("roads", "D143")),
    (("주차", "버스", "교통", "택시", "킥보드", "자전거"), ("traffic", "D141")),
    (("코로나", "병원", "의료", "백신", "감염", "위생", "식품"), ("health", "D162")),
    (("어린이집", "아동", "청소년", "보육"), ("welfare", "D133")),
    (("노인", "어르신", "장애"), ("welfare", "D132")),
    (("학교", "교육", "학생", "학원"), ("education", "D122")),
]
# How often each petition category is drawn (national politics and diplomacy stay out).
CATEGORY_WEIGHTS = {
    "교통/건축/국토": 18,
    "안전/환경": 20,
    "보건복지": 12,
    "육아/교육": 10,
    "일자리": 6,
    "경제민주화": 3,
    "문화/예술/체육/언론": 5,
    "반려동물": 5,
    "저출산/고령화대책": 3,
    "행정": 10,
    "기타": 8,
}

KIND_WEIGHTS = [
    (CaseKind.SUGGESTION, 30),
    (CaseKind.OTHER, 15),
    (CaseKind.INQUIRY_PROCEDURE, 12),
    (CaseKind.GRIEVANCE, 9),
    (CaseKind.INQUIRY_LAW, 5),
    (CaseKind.STATUTORY, 3),
    (CaseKind.PROPOSAL, 26),
]
CHANNEL_WEIGHTS = [
    (Channel.WEB, 34),
    (Channel.MOBILE, 26),
    (Channel.PHONE, 14),
    (Channel.EPEOPLE, 10),
    (Channel.VISIT, 6),
    (Channel.SNS, 4),
    (Channel.EMAIL, 3),
    (Channel.MONITOR, 3),
]
# Meeting channels and their intake division (seed 000: 감사담당관, 자치행정과, 교육지원과).
MEETINGS: list[tuple[Channel, str, str, str]] = [
    (Channel.MAYOR_DIALOGUE, "D101", "구청장과의 대화", "구청 대강당"),
    (Channel.FIELD_OFFICE, "D101", "현장구청장실", "동 주민센터"),
    (Channel.OPEN_MEETING, "D121", "동 주민센터 열린만남", "동 주민센터 회의실"),
    (Channel.PARENTS_MEETING, "D122", "학부모간담회", "구청 기획상황실"),
]
STATUTORY_TYPES = ["resident_copy", "building_permit", "road_occupation", "outdoor_ad", "food_business"]
SURNAMES = "김이박최정강조윤장임한오서신권황안송류홍"
GIVEN = [
    "민준",
    "서연",
    "도윤",
    "지우",
    "하준",
    "서윤",
    "은우",
    "지민",
    "영숙",
    "정호",
    "미경",
    "성민",
    "현우",
    "수빈",
]
BODIES = [
    "{dong}에 사는 주민입니다. {title} 건으로 글을 올립니다. 현장을 확인하시고 조치해 주시기 바랍니다.",
    "{title}. 오래전부터 불편을 겪고 있습니다. {dong} 주민들의 의견도 같습니다. 검토 부탁드립니다.",
    "안녕하세요. {dong} 주민입니다. {title} 관련하여 구청의 답변을 듣고 싶습니다.",
    "{title} 문제로 민원을 드립니다. 언제까지 처리되는지 알려 주시면 감사하겠습니다.",
]
ANSWERS = [
    "현장을 확인한 결과 말씀하신 내용을 반영하여 조치하였습니다. 불편을 드려 죄송합니다.",
    "소중한 의견 감사합니다. 관계 법령을 검토하여 추진 일정에 반영하겠습니다.",
    "해당 내용은 관련 부서와 협의하여 다음 분기 사업으로 추진할 예정입니다.",
    "민원 내용을 확인하여 담당 직원이 현장 점검을 마쳤습니다. 지속적으로 관리하겠습니다.",
]
REPORTS = [
    "현장 확인을 마치고 사업 예산을 검토하고 있습니다.",
    "관계 부서 협의를 진행 중이며 다음 달 설계를 시작합니다.",
    "추진 일정에 따라 공사 업체를 선정하고 있습니다.",
    "주민 의견 수렴을 마치고 세부 계획을 세우고 있습니다.",
]
CONSENT = {
    "purpose": "민원 처리",
    "items": "이름, 휴대전화, 전자우편",
    "retention": "10년",
    "required": True,
    "agreed": True,
}


@dataclass(frozen=True)
class Petition:
    title: str
    category: str
    division: str


def _petitions(rng: random.Random, count: int) -> list[Petition]:
    """`count` titles drawn deterministically from the local categories (reading the CSV with csv)."""
    by_category: dict[str, list[str]] = defaultdict(list)
    path = _petition_file()
    if path.exists():
        with path.open(encoding="utf-8-sig", newline="") as handle:
            for row in csv.DictReader(handle):
                title = " ".join((row.get("title") or "").split())
                if row.get("category") in CATEGORY_WEIGHTS and 8 <= len(title) <= 80:
                    by_category[row["category"]].append(title)
    if not by_category:
        for category, title in FALLBACK_TITLES:
            by_category[category].append(title)
    categories = sorted(by_category)
    weights = [CATEGORY_WEIGHTS[name] for name in categories]
    picked: list[Petition] = []
    for category in rng.choices(categories, weights=weights, k=count):
        title = rng.choice(by_category[category])
        code, division = CATEGORY_MAP[category]
        for words, mapped in KEYWORDS:
            if any(word in title for word in words):
                code, division = mapped
                break
        picked.append(Petition(title, code, division))
    return picked


def _weighted(rng: random.Random, table: list[tuple[Any, int]]) -> Any:
    return rng.choices([value for value, _w in table], weights=[w for _v, w in table], k=1)[0]


def _received_at(rng: random.Random, now: datetime, cal: Any) -> datetime:
    """A working moment in the past year, denser in recent months."""
    days = int(365 * rng.random() ** 1.6)
    day = (timezone.localtime(now, SEOUL) - timedelta(days=days)).date()
    moment = datetime.combine(day, time(9), SEOUL) + timedelta(minutes=rng.randrange(0, 9 * 60))
    moment = cal.next_working_moment(moment)
    return min(moment, now - timedelta(minutes=rng.randrange(5, 120)))


def _staff(divisions: dict[str, Department]) -> dict[str, User]:
    """One handler per division (the accounts demo has handlers in 청소행정과 and 교통행정과 only) and the
    intake officers of 자치행정과 and 교육지원과 (열린만남, 학부모간담회)."""
    from sotong.accounts.demo import DEMO_PASSWORD

    existing = {user.username: user for user in User.objects.all()}
    # Argon2 is slow on purpose: hash the demo password once and give every new demo login that hash.
    demo_hash = existing["coordinator"].password if "coordinator" in existing else None
    handlers: dict[str, User] = {}
    for code, department in sorted(divisions.items()):
        username = {"D151": "handler", "D141": "handler2"}.get(code, f"handler-{code.lower()}")
        user = existing.get(username)
        if user is None:
            user = account_actions.create_staff_user(
                None,
                username=username,
                name=_name(random.Random(code)),  # noqa: S311 - demo names
                department=department,
                password=None if demo_hash else DEMO_PASSWORD,
                email=f"{username}@sotong.localhost",
                position="주무관",
                office_phone=department.phone,
            )
            _set_hash(user, demo_hash)
            account_actions.grant_role(None, user, department, Role.HANDLER, "데모 데이터")
        handlers[code] = user
    for code in ("D121", "D122"):
        username = f"intake-{code.lower()}"
        if username not in existing:
            user = account_actions.create_staff_user(
                None,
                username=username,
                name=_name(random.Random(username)),  # noqa: S311 - demo names
                department=divisions[code],
                password=None if demo_hash else DEMO_PASSWORD,
                email=f"{username}@sotong.localhost",
                position="주무관",
                office_phone=divisions[code].phone,
            )
            _set_hash(user, demo_hash)
            account_actions.grant_role(None, user, divisions[code], Role.INTAKE, "데모 데이터")
    return handlers


def _set_hash(user: User, password_hash: str | None) -> None:
    if password_hash:
        User.objects.filter(pk=user.pk).update(password=password_hash)


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


def _phone(rng: random.Random) -> str:
    return f"010-{rng.randrange(2000, 9999)}-{rng.randrange(1000, 9999)}"


class _Loader:
    def __init__(self, count: int, now: datetime) -> None:
        self.rng = random.Random(SEED)  # noqa: S311 - deterministic demo data
        self.now = now
        self.cal = business_calendar()
        self.count = count
        codes = {division for _c, division in CATEGORY_MAP.values()} | {d for _w, (_c, d) in KEYWORDS}
        codes |= {"D101", "D102", "D121", "D122"}
        self.divisions = {d.code: d for d in Department.objects.filter(code__in=codes)}
        self.coordinator = User.objects.get(username="coordinator")
        self.intake = {
            "D101": User.objects.get(username="intake"),
        }
        self.handlers = _staff(self.divisions)
        self.intake["D121"] = User.objects.get(username="intake-d121")
        self.intake["D122"] = User.objects.get(username="intake-d122")
        self.meetings: dict[Channel, list[Meeting]] = defaultdict(list)
        self.backdates: list[tuple[Case, datetime]] = []
        self.tallies: dict[str, int] = defaultdict(int)

    # Meetings -----------------------------------------------------------------------------------

    def meeting_for(self, channel: Channel, received: datetime) -> Meeting:
        held_on = timezone.localtime(received, SEOUL).date()
        month = held_on.replace(day=1)
        for meeting in self.meetings[channel]:
            if meeting.held_on.replace(day=1) == month:
                return meeting
        _ch, intake_code, title, place = next(m for m in MEETINGS if m[0] == channel)
        meeting = actions.register_meeting(
            actor=self.intake[intake_code],
            channel=channel,
            title=f"{held_on:%Y년 %m월} {title}",
            held_on=held_on,
            intake_department=self.divisions[intake_code],
            place=place,
            attendees="\n".join(f"{_name(self.rng)}, {self.rng.choice(DONGS)} 주민" for _ in range(5)),
        )
        self.meetings[channel].append(meeting)
        return meeting

    # One case -----------------------------------------------------------------------------------

    def submit(self, petition: Petition) -> Case:
        rng = self.rng
        kind = _weighted(rng, KIND_WEIGHTS)
        received = _received_at(rng, self.now, self.cal)
        dong = rng.choice(DONGS)
        meeting = None
        if kind == CaseKind.PROPOSAL:
            channel = rng.choice([m[0] for m in MEETINGS])
            intake_code = next(m[1] for m in MEETINGS if m[0] == channel)
            meeting = self.meeting_for(channel, received)
            actor: Any = self.intake[intake_code]
        else:
            channel = _weighted(rng, CHANNEL_WEIGHTS)
            intake_code = "D102"
            actor = actions.CITIZEN if channel in (Channel.WEB, Channel.MOBILE) else self.coordinator
        recent = self.now - received < timedelta(days=10)
        notify = recent and rng.random() < 0.5
        return actions.submit_case(
            actor=actor,
            kind=kind,
            channel=channel,
            title=petition.title,
            body=rng.choice(BODIES).format(dong=dong, title=petition.title),
            intake_department=self.divisions[intake_code],
            citizen_name=_name(rng),
            citizen_phone=_phone(rng),
            citizen_email="" if rng.random() < 0.5 else f"citizen{rng.randrange(10**6)}@example.com",
            notify_sms=notify,
            category=petition.category,
            statutory_type=rng.choice(STATUTORY_TYPES) if kind == CaseKind.STATUTORY else "",
            dong=dong,
            address=f"서울특별시 성동구 {dong}",
            consents=[{**CONSENT, "at": received.isoformat()}],
            meeting=meeting,
            proposer_details=f"{dong} 주민" if meeting else "",
            received_at=received,
            is_urgent_safety=petition.category == "safety" and rng.random() < 0.2,
            is_multi_party=rng.random() < 0.03,
        )

    def assigner(self, case: Case) -> User:
        return self.intake.get(case.intake_department.code, self.coordinator)

    def play(self, case: Case, petition: Petition) -> None:
        """Take `case` as far as its age suggests."""
        rng = self.rng
        age = self.now - case.received_at
        roll = rng.random()
        if age < timedelta(days=3) and roll < 0.35:
            self.tallies["new"] += 1
            return  # 접수: waiting for assignment
        if case.kind != CaseKind.PROPOSAL and roll < 0.02:
            actions.transfer_case(
                case,
                actor=self.coordinator,
                kind=TransferKind.AGENCY,
                to_agency=rng.choice(["서울특별시", "서울지방경찰청", "국토교통부"]),
                reason="소관 기관으로 이송합니다.",
            )
            self.tallies["transferred_out"] += 1
            return
        division = self.divisions[petition.division]
        handler = self.handlers[petition.division]
        case = actions.assign_case(
            case,
            actor=self.assigner(case),
            department=division,
            officer=handler if rng.random() < 0.7 else None,
        )
        if case.kind == CaseKind.PROPOSAL:
            _backdate_first_report(case)
        # a few ping-pong cases and avoidance requests among the open ones
        if age < timedelta(days=40) and rng.random() < 0.03:
            self.ping_pong(case, petition)
            return
        if age < timedelta(days=30) and rng.random() < 0.03:
            actions.request_avoidance(
                case, actor=handler, reason="우리 부서 소관 업무가 아닙니다. 관련 부서로 재지정을 요청합니다."
            )
            self.tallies["avoidance"] += 1
            return
        if case.kind == CaseKind.PROPOSAL:
            self.proposal(case, handler, age)
            return
        self.complaint(case, handler, age)

    def ping_pong(self, case: Case, petition: Petition) -> None:
        codes = [code for code in self.handlers if code != petition.division]
        current = petition.division
        for _ in range(3):
            target = self.rng.choice([code for code in codes if code != current])
            actions.transfer_case(
                case,
                actor=self.handlers[current],
                kind=TransferKind.MISFILED,
                to_department=self.divisions[target],
                reason="소관 부서가 아니어서 이송합니다.",
            )
            current = target
        self.tallies["ping_pong"] += 1

    def complaint(self, case: Case, handler: User, age: timedelta) -> None:
        rng = self.rng
        assert case.deadline_at is not None
        period = max(case.deadline_at - case.received_at, timedelta(hours=3))
        open_share = 0.08 if age > timedelta(days=60) else (0.3 if age > timedelta(days=14) else 0.55)
        if rng.random() < open_share:
            if rng.random() < 0.6:
                case = actions.start_processing(case, actor=handler)
            deadline = case.deadline_at or self.now
            if rng.random() < 0.15 and deadline > self.now and case.period_days >= 7:
                actions.extend_deadline(
                    case, actor=handler, days=min(7, case.period_days), reason="현장 조사가 더 필요합니다."
                )
            self.tallies["open"] += 1
            return
        case = actions.start_processing(case, actor=handler)
        late = rng.random() < 0.1
        taken = period * (1 + rng.random() * 0.6 if late else 0.2 + rng.random() * 0.75)
        answered_at = min(case.received_at + taken, self.now - timedelta(minutes=10))
        answer = actions.answer_case(case, actor=handler, body=rng.choice(ANSWERS))
        self.backdates.append((case, answered_at))
        if age > timedelta(days=7) and rng.random() < 0.85:
            actions.close_case(case, actor=self.coordinator)
        if rng.random() < 0.35:
            actions.rate_case(case, score=rng.choices([5, 4, 3, 2, 1], [40, 30, 15, 10, 5])[0])
        self.tallies["answered"] += 1
        del answer

    def proposal(self, case: Case, handler: User, age: timedelta) -> None:
        """Monthly reports since receipt: submitted and approved, a few returned or missed; old ones answered."""
        rng = self.rng
        approver = self.assigner(case)
        # most proposals are settled within two to five months; the rest stay open
        settles = age > timedelta(days=60) and rng.random() < 0.75
        lifetime = timedelta(days=rng.randrange(45, 150)) if settles else age
        until = min(self.now, case.received_at + lifetime)
        report = ProgressReport.objects.filter(case=case, status=ReportStatus.REQUESTED).first()
        while report is not None and report.due_at < until:
            if rng.random() < 0.12:
                break  # not reported: the monthly check marks it 미보고
            submitted = report.due_at - timedelta(days=rng.randrange(0, 5))
            submitted = max(submitted, report.requested_at + timedelta(hours=1))
            actions.submit_report(report, actor=handler, body=rng.choice(REPORTS), now=submitted)
            decided = min(submitted + timedelta(days=rng.randrange(1, 4)), self.now - timedelta(minutes=5))
            if rng.random() < 0.08:
                actions.return_report(
                    report, actor=approver, note="추진 일정을 구체적으로 적어 주세요.", now=decided
                )
                actions.submit_report(report, actor=handler, body=rng.choice(REPORTS), now=decided)
            actions.approve_report(report, actor=approver, now=decided)
            report = ProgressReport.objects.filter(case=case, status=ReportStatus.REQUESTED).first()
        if settles and until < self.now:
            case = Case.objects.get(pk=case.pk)
            if case.status == CaseStatus.ASSIGNED:
                case = actions.start_processing(case, actor=handler)
            actions.answer_case(case, actor=handler, body=rng.choice(ANSWERS))
            self.backdates.append((case, until))
            actions.close_case(case, actor=approver)
            self.tallies["answered"] += 1
            return
        if report is not None and report.due_at > self.now and rng.random() < 0.3:
            actions.submit_report(report, actor=handler, body=rng.choice(REPORTS), now=self.now)
        self.tallies["open"] += 1

    # Every queue shows something ------------------------------------------------------------

    def top_up(self, petitions: list[Petition]) -> None:
        """Add a few cases to any staff queue the random year left empty (small demos, tests)."""
        from sotong.cases.queues import Queue, queue_counts

        counts = queue_counts(self.coordinator, now=self.now)
        pool = iter(petitions * 3)
        if not counts[Queue.NEW]:
            for _ in range(3):
                self.submit_recent(next(pool), kind=CaseKind.SUGGESTION)
        if not counts[Queue.DUE_SOON]:
            for _ in range(2):
                petition = next(pool)
                self.assign(self.submit_recent(petition, kind=CaseKind.OTHER), petition)
        for name, make in (
            (Queue.OVERDUE, self.make_overdue),
            (Queue.PING_PONG, self.make_ping_pong),
            (Queue.AVOIDANCE_PENDING, self.make_avoidance),
            (Queue.REPORT_REQUESTED, self.make_report_requested),
            (Queue.UNREPORTED, self.make_unreported),
            (Queue.REPORT_SUBMITTED, self.make_report_submitted),
        ):
            if not counts[name]:
                make(next(pool))

    def submit_recent(self, petition: Petition, *, kind: str, age: timedelta = timedelta(hours=1)) -> Case:
        return actions.submit_case(
            actor=self.coordinator,
            kind=kind,
            channel=Channel.PHONE,
            title=petition.title,
            body=self.rng.choice(BODIES).format(dong=DONGS[0], title=petition.title),
            intake_department=self.divisions["D102"],
            citizen_name=_name(self.rng),
            citizen_phone=_phone(self.rng),
            category=petition.category,
            dong=DONGS[0],
            received_at=self.now - age,
        )

    def submit_proposal(self, petition: Petition, *, age: timedelta) -> Case:
        received = self.now - age
        meeting = self.meeting_for(Channel.MAYOR_DIALOGUE, received)
        return actions.submit_case(
            actor=self.intake["D101"],
            kind=CaseKind.PROPOSAL,
            channel=Channel.MAYOR_DIALOGUE,
            title=petition.title,
            body=self.rng.choice(BODIES).format(dong=DONGS[1], title=petition.title),
            intake_department=self.divisions["D101"],
            citizen_name=_name(self.rng),
            citizen_phone=_phone(self.rng),
            category=petition.category,
            meeting=meeting,
            received_at=received,
        )

    def assign(self, case: Case, petition: Petition) -> Case:
        case = actions.assign_case(
            case,
            actor=self.assigner(case),
            department=self.divisions[petition.division],
            officer=self.handlers[petition.division],
        )
        if case.kind == CaseKind.PROPOSAL:
            _backdate_first_report(case)
        return case

    def make_overdue(self, petition: Petition) -> None:
        self.assign(self.submit_recent(petition, kind=CaseKind.SUGGESTION, age=timedelta(days=30)), petition)

    def make_ping_pong(self, petition: Petition) -> None:
        case = self.assign(
            self.submit_recent(petition, kind=CaseKind.SUGGESTION, age=timedelta(days=2)), petition
        )
        self.ping_pong(case, petition)

    def make_avoidance(self, petition: Petition) -> None:
        case = self.assign(
            self.submit_recent(petition, kind=CaseKind.SUGGESTION, age=timedelta(days=2)), petition
        )
        actions.request_avoidance(
            case, actor=self.handlers[petition.division], reason="우리 부서 소관 업무가 아닙니다."
        )

    def make_report_requested(self, petition: Petition) -> None:
        self.assign(self.submit_proposal(petition, age=timedelta(days=2)), petition)

    def make_unreported(self, petition: Petition) -> None:
        self.assign(self.submit_proposal(petition, age=timedelta(days=20)), petition)

    def make_report_submitted(self, petition: Petition) -> None:
        case = self.assign(self.submit_proposal(petition, age=timedelta(days=3)), petition)
        report = ProgressReport.objects.get(case=case)
        actions.submit_report(report, actor=self.handlers[petition.division], body=REPORTS[0], now=self.now)

    # After the actions --------------------------------------------------------------------------

    def backdate(self) -> None:
        """Move answer, closing and rating times back to when the work would have been done."""
        for case, answered_at in self.backdates:
            closed_at = min(answered_at + timedelta(days=self.rng.randrange(1, 5)), self.now)
            Answer.objects.filter(case=case).update(answered_at=answered_at)
            Case.objects.filter(pk=case.pk, answered_at__isnull=False).update(answered_at=answered_at)
            Case.objects.filter(pk=case.pk, closed_at__isnull=False).update(closed_at=closed_at)
            SatisfactionSurvey.objects.filter(case=case).update(submitted_at=closed_at)
        for case_id, received_at in Case.objects.values_list("pk", "received_at"):
            moment = received_at + timedelta(hours=1)
            CaseAssignment.objects.filter(
                case_id=case_id, assigned_at__gt=self.now - timedelta(hours=1)
            ).update(assigned_at=moment)
            Transfer.objects.filter(case_id=case_id).update(transferred_at=moment)


def load(count: int = DEMO_CASES, now: datetime | None = None) -> str:
    """Add `count` demo cases through the real actions; returns a one-line summary for `load_demo`."""
    now = now or timezone.now()
    loader = _Loader(count, now)
    petitions = _petitions(loader.rng, count)
    cases = 0
    for petition in petitions:
        case = loader.submit(petition)
        cases += 1
        try:
            loader.play(case, petition)
        except DomainError as error:  # pragma: no cover - a demo case that an action refused stays as it is
            loader.tallies[f"refused:{error.code}"] += 1
    loader.top_up(petitions)
    missed = actions.mark_missed_reports(now)
    loader.backdate()
    parts = ", ".join(f"{name} {value}" for name, value in sorted(loader.tallies.items()))
    return f"{cases} cases ({parts}), {missed} reports missed, {Meeting.objects.count()} meetings"


def received_days(cases: list[Case]) -> set[date]:
    """The Seoul days on which `cases` were received (for tests)."""
    return {timezone.localtime(case.received_at, SEOUL).date() for case in cases}


def _backdate_first_report(case: Case) -> None:
    """The first report was requested when the (backdated) case was assigned, not today."""
    ProgressReport.objects.filter(case=case, is_first=True).update(
        requested_at=case.received_at + timedelta(hours=1)
    )
