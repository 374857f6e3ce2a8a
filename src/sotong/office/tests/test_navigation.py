from types import SimpleNamespace

import pytest
from django.contrib.auth.models import AnonymousUser

from sotong.accounts.models import Role
from sotong.office.navigation import EVERYONE, OfficeMenuEntry, build_office_menu, visible_entries


def labels(links):
    return [str(link.label) for link in links]


def fake_user(*roles, is_staff=False, perms=()):
    return SimpleNamespace(
        is_authenticated=True,
        is_staff=is_staff,
        roles=lambda: set(roles),
        has_perm=lambda perm: perm in perms,
    )


def test_anonymous_visitor_gets_no_menu():
    assert build_office_menu(AnonymousUser()) == []


@pytest.mark.parametrize("role", [role.value for role in Role])
def test_every_role_sees_office_home_first(role):
    links = build_office_menu(fake_user(role), "/office/")

    assert labels(links)[0] == "업무 홈"
    assert links[0].url == "/office/"
    assert links[0].current


def test_staff_without_any_role_sees_only_home():
    assert labels(build_office_menu(fake_user())) == ["업무 홈"]


CASE_WORK = ["민원 처리", "민원·제안 등록"]
# a department's own board, its clusters (read only) and its safety flags; surges are the coordinator's
DEPARTMENT_ANALYSIS = ["상황판", "민원 군집", "안전 위험 민원"]
ANALYSIS = ["상황판", "민원 군집", "민원 급증", "안전 위험 민원"]
DEPARTMENT_MENUS = {
    Role.INTAKE: ["업무 홈", *CASE_WORK, "제안 일괄 등록", *DEPARTMENT_ANALYSIS],
    Role.HANDLER: ["업무 홈", *CASE_WORK, *DEPARTMENT_ANALYSIS],
    Role.SNS_OFFICER: ["업무 홈", *CASE_WORK],
    Role.PROGRAMME_MANAGER: ["업무 홈", "주민 명부", "단체·위원회", "뉴스레터·캠페인"],
}


@pytest.mark.parametrize("role", [Role.INTAKE, Role.HANDLER, Role.SNS_OFFICER, Role.PROGRAMME_MANAGER])
def test_department_roles_do_not_see_staff_or_admin_pages(role):
    assert labels(build_office_menu(fake_user(role, is_staff=True))) == DEPARTMENT_MENUS[role]


def test_coordinator_sees_staff_and_role_pages_but_not_admin():
    links = build_office_menu(fake_user(Role.COORDINATOR, is_staff=True))

    assert labels(links) == [
        "업무 홈",
        *CASE_WORK,
        "제안 일괄 등록",
        *ANALYSIS,
        "직원·권한",
        "권한 부여 기록",
    ]
    assert links[4].url == "/office/insights/board/"
    assert links[5].url == "/office/insights/clusters/"
    assert links[6].url == "/office/insights/surges/"
    assert links[7].url == "/office/insights/safety/"
    assert links[8].url == "/accounts/staff/"


def test_sysadmin_sees_access_log_and_admin():
    sysadmin = fake_user(Role.SYSADMIN, is_staff=True, perms={"core.view_personaldataaccesslog"})

    links = build_office_menu(sysadmin)

    assert labels(links) == [
        "업무 홈",
        *ANALYSIS,
        "주민 명부",
        "단체·위원회",
        "뉴스레터·캠페인",
        "직원·권한",
        "권한 부여 기록",
        "접근기록",
        "관리",
    ]
    assert links[-1].url == "/admin/"


def test_access_log_link_is_the_office_page_for_every_sysadmin():
    # the page checks the role alone, not Django admin's staff flag or model permission
    links = build_office_menu(fake_user(Role.SYSADMIN, is_staff=False))

    access_log = [link for link in links if link.label == "접근기록"]
    assert [link.url for link in access_log] == ["/office/access-log/"]


def test_admin_links_need_the_staff_flag_that_django_admin_checks():
    assert "관리" not in labels(build_office_menu(fake_user(Role.SYSADMIN, is_staff=False)))


def test_entry_whose_url_name_is_missing_falls_back_to_an_existing_path():
    entry = OfficeMenuEntry("직원", "accounts:no_such_name", frozenset({EVERYONE}), path="/accounts/staff/")

    assert labels(build_office_menu(fake_user(), entries=[entry])) == ["직원"]


def test_entry_whose_page_does_not_exist_is_left_out():
    missing = OfficeMenuEntry(
        "없는 화면", "cases:no_such_page", frozenset({EVERYONE}), path="/office/no-such-page/x/y/"
    )

    assert build_office_menu(fake_user(), entries=[missing]) == []


def test_current_page_below_an_entry_marks_it_current_but_not_home():
    links = build_office_menu(fake_user(Role.COORDINATOR), "/accounts/staff/12/")

    assert [str(link.label) for link in links if link.current] == ["직원·권한"]


def test_visible_entries_are_chosen_by_role_before_urls():
    entries = [
        OfficeMenuEntry("모두", "office:home", frozenset({EVERYONE})),
        OfficeMenuEntry("총괄", "office:home", frozenset({Role.COORDINATOR})),
    ]

    assert [e.label for e in visible_entries({Role.HANDLER}, entries)] == ["모두"]
    assert [e.label for e in visible_entries({Role.COORDINATOR}, entries)] == ["모두", "총괄"]


@pytest.mark.django_db
def test_menu_follows_the_users_active_grants(coordinator, handler):
    assert "직원·권한" in labels(build_office_menu(coordinator))
    assert labels(build_office_menu(handler)) == ["업무 홈", *CASE_WORK, *DEPARTMENT_ANALYSIS]
