"""The urgent safety map (안전 위험 민원) in Chromium: markers for the flagged cases (own coordinates or the
dong's centre), the same cases in the table beside the map, no tile server and no outside request,
axe-core clean; a confirmation from the list; tiles drawn when a tile URL is configured."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from sotong.accounts.tests.fixtures import STAFF_PASSWORD
from sotong.cases.actions import submit_case
from sotong.cases.models import Case
from sotong.cases.tests.conftest import case_values
from sotong.insights.alerts import safety, terms
from sotong.insights.models_alerts import SafetyFlag, SafetyFlagStatus
from tests.browser.helpers import assert_accessible, confirmed_totp_device, press, screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MAP = "/office/insights/safety/"


def flagged_cases(org):
    terms.seed_default_terms()
    made = [
        submit_case(
            **case_values(
                org,
                title="집 앞 도로에 싱크홀이 생겼습니다",
                latitude=37.5501,
                longitude=127.0402,
                citizen_phone="010-6666-0001",
            )
        ),
        submit_case(
            **case_values(
                org, title="옹벽이 무너질 것 같습니다", dong="마장동", citizen_phone="010-6666-0002"
            )
        ),
        submit_case(**case_values(org, title="지하 주차장 침수", dong="", citizen_phone="010-6666-0003")),
        submit_case(**case_values(org, title="골목길 쓰레기 무단투기", citizen_phone="010-6666-0004")),
    ]
    safety.scan()
    return made


def test_map_shows_flagged_cases_with_the_list_beside_it(page, live_server, org, coordinator):
    sinkhole, wall, flooded, ordinary = flagged_cases(org)

    sign_in(page, live_server, coordinator.username, STAFF_PASSWORD, confirmed_totp_device(coordinator))
    page.goto(f"{live_server.url}{MAP}")

    assert page.locator("h1").inner_text() == "안전 위험 민원"
    # three flagged cases in the list; the ordinary one is not there
    rows = page.locator("#table-safety tbody tr")
    expect(rows).to_have_count(3)
    listed = rows.locator("th a").all_inner_texts()
    assert sorted(listed) == sorted([sinkhole.receipt_no, wall.receipt_no, flooded.receipt_no])
    assert ordinary.receipt_no not in page.locator("#main").inner_text()
    # two markers: the case with coordinates and the one placed at its dong's centre; the third has no place
    markers = page.locator("#safety-map .leaflet-marker-icon")
    expect(markers).to_have_count(2)
    alts = sorted(markers.evaluate_all("nodes => nodes.map(n => n.getAttribute('alt'))"))
    assert alts[0].startswith(sinkhole.receipt_no) or alts[1].startswith(sinkhole.receipt_no)
    assert any(alt.startswith(wall.receipt_no) for alt in alts)
    assert page.locator("#table-safety tr[data-placement='']").count() == 1
    # no tile server configured: a plain background, no tile images, and nothing fetched from outside
    assert page.locator("#safety-map.sotong-map-plain").count() == 1
    assert page.locator("#safety-map img.leaflet-tile").count() == 0
    assert page.outside_requests == []
    assert page.js_errors == []
    # the map and the list sit side by side on a desktop screen
    map_box = page.locator("#safety-map").bounding_box()
    list_box = page.locator("#table-safety").bounding_box()
    assert map_box is not None
    assert list_box is not None
    assert list_box["x"] >= map_box["x"] + map_box["width"]
    assert_accessible(page)
    screenshot(page, "insights-safety-map")

    # a marker opens its popup with a link to the case, and marks its row
    press(markers.first)
    expect(page.locator(".leaflet-popup-content a")).to_have_count(1)
    expect(page.locator("#table-safety tr.is-selected")).to_have_count(1)

    # confirming from the list marks the case 긴급 안전
    press(page.get_by_role("button", name=f"{wall.receipt_no} 위험 확인"))
    expect(page.locator(".sotong-message")).to_contain_text(wall.receipt_no)
    assert SafetyFlag.objects.get(case=wall).status == SafetyFlagStatus.CONFIRMED
    assert Case.objects.get(pk=wall.pk).is_urgent_safety
    assert page.js_errors == []


def test_tiles_are_drawn_from_the_configured_url(page, live_server, org, coordinator, settings):
    flagged_cases(org)
    settings.SOTONG_MAP_TILE_URL = f"{live_server.url}/static/tiles/{{z}}/{{x}}/{{y}}.png"

    sign_in(page, live_server, coordinator.username, STAFF_PASSWORD, confirmed_totp_device(coordinator))
    page.goto(f"{live_server.url}{MAP}")

    expect(page.locator("#safety-map img.leaflet-tile").first).to_be_attached()
    assert page.locator("#safety-map.sotong-map-plain").count() == 0
    tile = page.locator("#safety-map img.leaflet-tile").first.get_attribute("src")
    assert tile is not None
    assert re.match(rf"{re.escape(live_server.url)}/static/tiles/\d+/\d+/\d+\.png", tile)
    expect(page.locator("#safety-map .leaflet-marker-icon")).to_have_count(2)
    assert page.outside_requests == []


def test_keyword_page_and_surge_page(page, live_server, org, coordinator):
    from datetime import timedelta

    from sotong.insights.alerts import surges
    from sotong.insights.board.rollup import seoul_today
    from sotong.insights.models import DailyCaseRollup

    terms.seed_default_terms()
    day = seoul_today() - timedelta(days=1)
    for n in range(1, 57):
        DailyCaseRollup.objects.create(
            day=day - timedelta(days=n),
            channel="web",
            kind="suggestion",
            category="roads",
            dong="마장동",
            received=2,
        )
    DailyCaseRollup.objects.create(
        day=day, channel="web", kind="suggestion", category="roads", dong="마장동", received=14
    )
    surges.detect_day(day)

    sign_in(page, live_server, coordinator.username, STAFF_PASSWORD, confirmed_totp_device(coordinator))
    page.goto(f"{live_server.url}/office/insights/safety/terms/")

    # a term already listed (spaces aside) is refused with a Korean message at the field
    page.fill("#id_term", "가스누출")
    press(page.locator("form[aria-label='핵심어 추가'] button[type=submit]"))
    expect(page.locator("#id_term_error")).to_contain_text("이미 등록된 핵심어입니다: 가스 누출")
    assert_accessible(page)
    page.fill("#id_term", "전신주 기울어짐")
    press(page.locator("form[aria-label='핵심어 추가'] button[type=submit]"))
    expect(page.locator(".sotong-message")).to_contain_text("핵심어를 추가했습니다: 전신주 기울어짐")
    expect(page.locator("#table-terms tr[data-term='전신주 기울어짐']")).to_contain_text("사용")
    press(page.get_by_role("button", name="전신주 기울어짐 중지"))
    expect(page.locator("#table-terms tr[data-term='전신주 기울어짐']")).to_contain_text("중지")
    assert_accessible(page)

    page.goto(f"{live_server.url}/office/insights/surges/")
    row = page.locator("#table-surges tbody tr[data-dimension='dong']")
    expect(row).to_contain_text("마장동")
    expect(page.locator("#table-surges tbody tr[data-dimension='category']")).to_contain_text("roads")
    assert_accessible(page)
    screenshot(page, "insights-surges")
    press(row.locator("a"))
    page.wait_for_url(re.compile(r".*/office/cases/\?.*dong=.*"))
    assert page.js_errors == []
    assert page.outside_requests == []
