"""Demo district: a 성동구-like organisation with one staff login per role (called by `load_demo`).

The departments follow the seed documents (소통 네트워크 시스템 운영 계획): 구민고충민원실 is the
coordinator (총괄부서), 감사담당관·자치행정과·교육지원과 receive proposals (주관부서), 전산정보과 runs the
system. Codes are local ("B1" bureau, "D101" division, "D101-T1" team); phones follow 02-2286-xxxx.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from sotong.accounts import actions
from sotong.accounts.models import Department, DepartmentLevel, Role, User

# One shared password, printed by `manage.py demo_logins` and shown on the login page in demo mode only.
DEMO_PASSWORD = "sotong-demo-2025"  # noqa: S105

# Fixed TOTP secrets (hex) for the accounts that need two-factor, so the demo works the same every time.
# Base32 of these: coordinator GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ, sysadmin GM2DKNRXHA4TAMJSGM2DKNRXHA4TAMJS.
DEMO_TOTP_KEYS = {
    "coordinator": "3132333435363738393031323334353637383930",
    "sysadmin": "3334353637383930313233343536373839303132",
}


@dataclass(frozen=True)
class DemoLogin:
    username: str
    password: str
    role_label: str | Promise
    department: str
    name: str
    role: str
    department_code: str


# (code, name, English name, phone, teams) per division, grouped by bureau; None = reports to the mayor directly.
ORGANISATION: list[tuple[str | None, str, str, list[tuple[str, str, str, str, list[str]]]]] = [
    (
        None,
        "",
        "",
        [
            ("D101", "감사담당관", "Audit Officer", "02-2286-5111", ["감사팀", "조사팀", "청렴팀"]),
            (
                "D102",
                "구민고충민원실",
                "Citizen Grievance Office",
                "02-2286-5600",
                ["고충민원팀", "민원조사팀"],
            ),
            ("D103", "뉴미디어담당관", "New Media Officer", "02-2286-5082", ["뉴미디어팀", "SNS소통팀"]),
            ("D104", "구정기획단", "Policy Planning Group", "02-2286-5090", ["구정기획팀", "약속사업팀"]),
        ],
    ),
    (
        "B1",
        "기획조정실",
        "Planning and Coordination Office",
        [
            (
                "D111",
                "기획예산과",
                "Planning and Budget Division",
                "02-2286-5150",
                ["기획팀", "예산팀", "주민참여예산팀"],
            ),
            (
                "D112",
                "전산정보과",
                "Information Technology Division",
                "02-2286-5180",
                ["정보화기획팀", "전산운영팀"],
            ),
            ("D113", "홍보과", "Public Relations Division", "02-2286-5070", ["언론팀", "홍보기획팀"]),
        ],
    ),
    (
        "B2",
        "행정국",
        "Administration Bureau",
        [
            (
                "D121",
                "자치행정과",
                "Autonomous Administration Division",
                "02-2286-5220",
                ["자치행정팀", "마을자치팀"],
            ),
            (
                "D122",
                "교육지원과",
                "Education Support Division",
                "02-2286-5290",
                ["교육사업팀", "평생학습팀"],
            ),
            ("D123", "총무과", "General Affairs Division", "02-2286-5200", ["총무팀", "인사팀"]),
            (
                "D124",
                "민원여권과",
                "Civil Service and Passport Division",
                "02-2286-5250",
                ["민원팀", "여권팀"],
            ),
        ],
    ),
    (
        "B3",
        "복지국",
        "Welfare Bureau",
        [
            ("D131", "복지정책과", "Welfare Policy Division", "02-2286-5300", ["복지정책팀", "복지자원팀"]),
            (
                "D132",
                "어르신장애인과",
                "Senior and Disability Division",
                "02-2286-5330",
                ["어르신복지팀", "장애인복지팀"],
            ),
            (
                "D133",
                "아동청소년과",
                "Children and Youth Division",
                "02-2286-5360",
                ["아동복지팀", "청소년팀"],
            ),
            ("D134", "일자리정책과", "Jobs Policy Division", "02-2286-5380", ["일자리팀", "사회적경제팀"]),
        ],
    ),
    (
        "B4",
        "도시안전국",
        "Urban Safety Bureau",
        [
            ("D141", "교통행정과", "Transport Division", "02-2286-5400", ["교통행정팀", "주차관리팀"]),
            ("D142", "건축과", "Building Division", "02-2286-5430", ["건축행정팀", "건축안전팀"]),
            ("D143", "도시계획과", "Urban Planning Division", "02-2286-5450", ["도시계획팀", "도시재생팀"]),
            (
                "D144",
                "안전재난과",
                "Safety and Disaster Division",
                "02-2286-5470",
                ["안전관리팀", "재난대응팀", "안전순찰팀"],
            ),
        ],
    ),
    (
        "B5",
        "환경국",
        "Environment Bureau",
        [
            ("D151", "청소행정과", "Sanitation Division", "02-2286-5500", ["청소행정팀", "자원순환팀"]),
            ("D152", "공원녹지과", "Parks and Green Division", "02-2286-5530", ["공원관리팀", "녹지팀"]),
            ("D153", "환경과", "Environment Division", "02-2286-5550", ["환경정책팀", "대기환경팀"]),
        ],
    ),
    (
        "B6",
        "보건소",
        "Public Health Center",
        [
            (
                "D161",
                "보건행정과",
                "Health Administration Division",
                "02-2286-7000",
                ["보건행정팀", "의약팀"],
            ),
            (
                "D162",
                "건강증진과",
                "Health Promotion Division",
                "02-2286-7050",
                ["건강증진팀", "감염병관리팀"],
            ),
        ],
    ),
]

# username, name, position, division code, role
STAFF: list[tuple[str, str, str, str, Role]] = [
    ("coordinator", "김소통", "주무관", "D102", Role.COORDINATOR),
    ("intake", "이주관", "주무관", "D101", Role.INTAKE),
    ("handler", "박처리", "주무관", "D151", Role.HANDLER),
    ("handler2", "최협조", "주무관", "D141", Role.HANDLER),
    ("sns", "정소통", "주무관", "D113", Role.SNS_OFFICER),
    ("programme", "한사업", "주무관", "D103", Role.PROGRAMME_MANAGER),
    ("sysadmin", "윤관리", "주무관", "D112", Role.SYSADMIN),
]


def _division_names() -> dict[str, str]:
    return {code: name for _b, _n, _e, divisions in ORGANISATION for code, name, *_rest in divisions}


DEMO_LOGINS: list[DemoLogin] = [
    DemoLogin(
        username=username,
        password=DEMO_PASSWORD,
        role_label=role.label,
        department=_division_names()[division],
        name=name,
        role=role.value,
        department_code=division,
    )
    for username, name, _position, division, role in STAFF
]


def _load_departments() -> int:
    count = 0
    for bureau_code, bureau_name, bureau_en, divisions in ORGANISATION:
        bureau = None
        if bureau_code:
            bureau = actions.create_department(
                None,
                code=bureau_code,
                name=bureau_name,
                name_en=bureau_en,
                level=DepartmentLevel.BUREAU,
                sort_order=int(bureau_code[1:]),
            )
            count += 1
        for order, (code, name, name_en, phone, teams) in enumerate(divisions, start=1):
            division = actions.create_department(
                None,
                code=code,
                name=name,
                name_en=name_en,
                level=DepartmentLevel.DIVISION,
                parent=bureau,
                phone=phone,
                sort_order=order,
            )
            count += 1
            prefix, last = phone.rsplit("-", 1)
            for number, team in enumerate(teams, start=1):
                actions.create_department(
                    None,
                    code=f"{code}-T{number}",
                    name=team,
                    level=DepartmentLevel.TEAM,
                    parent=division,
                    phone=f"{prefix}-{int(last) + number:04d}",
                    sort_order=number,
                )
                count += 1
    return count


def _load_staff() -> list[User]:
    by_code = {d.code: d for d in Department.objects.filter(code__in=[s[3] for s in STAFF])}
    users = []
    for username, name, position, division, role in STAFF:
        department = by_code[division]
        user = actions.create_staff_user(
            None,
            username=username,
            name=name,
            department=department,
            password=DEMO_PASSWORD,
            email=f"{username}@sotong.localhost",
            position=position,
            office_phone=department.phone,
            is_staff=role == Role.SYSADMIN,
            is_superuser=role == Role.SYSADMIN,
        )
        actions.grant_role(None, user, department, role, str(_("데모 데이터")))
        if username in DEMO_TOTP_KEYS:
            TOTPDevice.objects.create(
                user=user, name=actions.TOTP_DEVICE_NAME, key=DEMO_TOTP_KEYS[username], confirmed=True
            )
        users.append(user)
    return users


def load() -> str:
    """Add the demo departments, staff and roles; returns a one-line summary for `load_demo`."""
    departments = _load_departments()
    users = _load_staff()
    return f"{departments} departments, {len(users)} staff logins (password {DEMO_PASSWORD})"
