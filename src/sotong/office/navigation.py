"""The back office's menu, built from the signed-in user's roles (never decided in templates)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.urls import NoReverseMatch, Resolver404, resolve, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from sotong.accounts.models import Role

# Every member of staff, with or without a role grant.
EVERYONE = "*"


@dataclass(frozen=True)
class OfficeMenuEntry:
    """A menu entry: shown to users holding any of `roles`, at `url_name` (or `path` until the name exists)."""

    label: str | Promise
    url_name: str
    roles: frozenset[str]
    description: str | Promise = ""
    path: str = ""
    # The permission the page itself checks, so the menu never offers a page that answers 403.
    permission: str = ""
    # A further condition on the user, for pages with a gate of their own (Django's admin wants is_staff).
    condition: Callable[[Any], bool] | None = None

    def allows(self, user: Any) -> bool:
        if self.permission and not user.has_perm(self.permission):
            return False
        return self.condition is None or self.condition(user)

    def url(self) -> str | None:
        try:
            return reverse(self.url_name)
        except NoReverseMatch:
            pass
        if self.path:
            try:
                resolve(self.path)
            except Resolver404:
                return None
            return self.path
        return None


@dataclass(frozen=True)
class OfficeMenuLink:
    label: str | Promise
    url: str
    description: str | Promise
    current: bool


def _roles(*roles: str) -> frozenset[str]:
    return frozenset(roles)


def _is_staff(user: Any) -> bool:
    return bool(getattr(user, "is_staff", False))


# In menu order. Later issues add their entries (민원 처리, 보고 승인, 상황판…) here with the roles that may use them.
OFFICE_MENU: tuple[OfficeMenuEntry, ...] = (
    OfficeMenuEntry(
        _("업무 홈"),
        "office:home",
        _roles(EVERYONE),
        _("소속 부서와 역할, 오늘 처리할 일을 봅니다."),
    ),
    OfficeMenuEntry(
        _("민원 처리"),
        "cases_office:queues",
        _roles(Role.COORDINATOR, Role.INTAKE, Role.HANDLER, Role.SNS_OFFICER),
        _("신규, 기한 임박, 지연, 보고요청 등 부서의 민원·제안을 처리합니다."),
    ),
    OfficeMenuEntry(
        _("민원·제안 등록"),
        "cases_office:new",
        _roles(Role.COORDINATOR, Role.INTAKE, Role.HANDLER, Role.SNS_OFFICER),
        _("전화, 방문, 회의에서 받은 민원과 제안을 등록합니다."),
    ),
    OfficeMenuEntry(
        _("제안 일괄 등록"),
        "cases_office:import",
        _roles(Role.COORDINATOR, Role.INTAKE),
        _("회의 제안을 엑셀·CSV 파일로 한꺼번에 등록합니다."),
    ),
    OfficeMenuEntry(
        _("상황판"),
        "insights_office:board",
        _roles(Role.COORDINATOR, Role.SYSADMIN, Role.INTAKE, Role.HANDLER),
        _("접수량, 지연·핑퐁·미보고, 처리기간 준수율과 신속처리지수를 보고 해당 민원 목록으로 이동합니다."),
    ),
    OfficeMenuEntry(
        _("민원 군집"),
        "insights_office:clusters",
        _roles(Role.COORDINATOR, Role.SYSADMIN, Role.INTAKE, Role.HANDLER),
        _("기간별 주제 군집과 핵심어, 추이를 보고 군집에 이름을 붙이거나 합치고 나눕니다."),
    ),
    OfficeMenuEntry(
        _("민원 급증"),
        "insights_office:surges",
        _roles(Role.COORDINATOR, Role.SYSADMIN),
        _("분야·행정동·주제별로 평소보다 크게 늘어난 날을 봅니다."),
    ),
    OfficeMenuEntry(
        _("안전 위험 민원"),
        "insights_office:safety",
        _roles(Role.COORDINATOR, Role.SYSADMIN, Role.INTAKE, Role.HANDLER),
        _("긴급 안전 위험으로 표시된 민원을 지도와 목록으로 보고 확인하거나 해제합니다."),
    ),
    OfficeMenuEntry(
        _("주민 명부"),
        "people_office:index",
        _roles(Role.PROGRAMME_MANAGER, Role.SYSADMIN),
        _("전자소통 가입자, 단체 회원, 위원회 위원을 한 화면에서 찾고 목록을 만듭니다."),
    ),
    OfficeMenuEntry(
        _("단체·위원회"),
        "communities_office:organizations",
        _roles(Role.PROGRAMME_MANAGER, Role.SYSADMIN),
        _("단체와 위원회의 회원·위원, 활동내역, 회의록과 분야별 전문가 그룹을 관리합니다."),
    ),
    OfficeMenuEntry(
        _("뉴스레터·캠페인"),
        "campaigns_office:index",
        _roles(Role.PROGRAMME_MANAGER, Role.SYSADMIN),
        _("뉴스레터와 문자·전자우편 캠페인을 보내고 결과를 봅니다. 긴급 문자도 여기서 보냅니다."),
    ),
    OfficeMenuEntry(
        _("직원·권한"),
        "accounts:staff_list",
        _roles(Role.COORDINATOR, Role.SYSADMIN),
        _("직원에게 부서별 역할을 부여하거나 회수합니다."),
        path="/accounts/staff/",
    ),
    OfficeMenuEntry(
        _("권한 부여 기록"),
        "accounts:grant_history",
        _roles(Role.COORDINATOR, Role.SYSADMIN),
        _("역할을 부여하고 회수한 기록을 봅니다."),
    ),
    OfficeMenuEntry(
        _("접근기록"),
        "office:access_log",
        _roles(Role.SYSADMIN),
        _("개인정보 접근기록을 조회하고 월별 점검 결과를 남깁니다."),
    ),
    OfficeMenuEntry(
        _("관리"),
        "admin:index",
        _roles(Role.SYSADMIN),
        _("부서, 공통코드, 휴일 등 기준 정보를 관리합니다."),
        condition=_is_staff,
    ),
)


def visible_entries(
    roles: Iterable[str], entries: Iterable[OfficeMenuEntry] = OFFICE_MENU
) -> list[OfficeMenuEntry]:
    """The entries a holder of `roles` may see, before URLs are resolved."""
    held = set(roles) | {EVERYONE}
    return [entry for entry in entries if entry.roles & held]


def build_office_menu(
    user: Any, current_path: str = "", entries: Iterable[OfficeMenuEntry] = OFFICE_MENU
) -> list[OfficeMenuLink]:
    """The menu for `user`: nothing for anonymous visitors, otherwise the entries of their roles whose pages exist.

    A link is current when `current_path` is its URL or lies below it (the home page only matches itself).
    """
    if not getattr(user, "is_authenticated", False):
        return []
    roles = user.roles()
    links = []
    for entry in visible_entries(roles, entries):
        if not entry.allows(user):
            continue
        url = entry.url()
        if url is None:
            continue
        links.append(OfficeMenuLink(entry.label, url, entry.description, _is_current(url, current_path)))
    return links


def _is_current(url: str, current_path: str) -> bool:
    if not current_path:
        return False
    if current_path == url:
        return True
    return url.count("/") > 2 and current_path.startswith(url)
