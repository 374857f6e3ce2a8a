import pytest
from django.urls import reverse

from sotong.portal.navigation import PortalService, build_portal_menu

pytestmark = pytest.mark.django_db

MASTHEAD = "이 누리집은 대한민국 공식 전자정부 누리집입니다."


def test_portal_home_has_skip_link_first_main_and_footer(client):
    html = client.get(reverse("portal:home")).content.decode()

    body = html[html.index("<body") :]
    assert body.index('id="krds-skip-link"') < body.index('id="krds-header"') < body.index('id="main"')
    assert '<a href="#main">본문 바로가기</a>' in html
    assert '<html lang="ko">' in html
    assert 'id="krds-footer"' in html
    assert f'<a href="{reverse("portal:privacy")}" class="point">개인정보 처리방침</a>' in html
    assert "이 누리집은 서울특별시 성동구 누리집입니다." in html
    assert "공공누리 제1유형" in html
    assert reverse("set_language") in html
    assert "htmx.min.js" in html


def test_masthead_only_on_official_sites(client, settings):
    settings.SOTONG_OFFICIAL_SITE = False
    assert MASTHEAD not in client.get(reverse("portal:home")).content.decode()

    settings.SOTONG_OFFICIAL_SITE = True
    html = client.get(reverse("portal:home")).content.decode()
    assert MASTHEAD in html
    assert (
        html.index('id="krds-skip-link"') < html.index('id="krds-masthead"') < html.index('id="krds-header"')
    )


def test_portal_menu_links_only_pages_that_exist():
    services = (
        PortalService("있음", "portal:privacy", "설명"),
        PortalService("없음", "cases:no_such_page", "설명"),
    )

    links = build_portal_menu("/privacy/", services)

    assert [link.label for link in links] == ["있음"]
    assert links[0].current


def test_portal_pages_link_nothing_that_does_not_resolve(client):
    from django.urls import Resolver404, resolve

    for name in ("portal:home", "portal:privacy"):
        html = client.get(reverse(name)).content.decode()
        for href in __import__("re").findall(r'href="(/[^"#]*)"', html):
            if href.startswith("/static/"):
                continue
            try:
                resolve(href.split("?")[0])
            except Resolver404:
                pytest.fail(f"{name} links to {href}, which does not exist")


def test_privacy_policy_has_the_statutory_sections(client, settings):
    settings.SOTONG_PRIVACY_OFFICER = {"department": "전산정보과", "phone": "02-0000-0000"}

    html = client.get(reverse("portal:privacy")).content.decode()

    for heading in (
        "개인정보의 처리 목적",
        "처리하는 개인정보 항목",
        "개인정보의 처리 및 보유 기간",
        "정보주체의 권리·의무 및 행사 방법",
        "개인정보 보호책임자",
        "권익침해 구제 방법",
    ):
        assert heading in html
    assert "전산정보과" in html
    assert "02-0000-0000" in html
    assert "주민등록번호를 수집하지 않습니다" in html


def test_language_switch_turns_the_portal_english(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/privacy/"})
    assert response.status_code == 302

    html = client.get(reverse("portal:privacy")).content.decode()

    assert '<html lang="en">' in html
    assert "Privacy policy" in html
    assert "Skip to content" in html
    assert 'lang="ko"' in html  # the switch back is labelled in Korean


def test_missing_page_uses_the_shell_without_a_menu(client):
    response = client.get("/no-such-page/")
    html = response.content.decode()

    assert response.status_code == 404
    assert "페이지를 찾을 수 없습니다" in html
    assert 'id="krds-skip-link"' in html
    assert 'class="krds-main-menu"' not in html
