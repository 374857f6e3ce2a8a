"""Playwright driving Debian's Chromium against pytest-django's live server; axe-core for accessibility."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlparse

import pytest
from playwright.sync_api import expect

# Playwright's sync API runs an event loop in this thread; Django's ORM calls in the test body are still
# synchronous and safe here.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = "/usr/bin/chromium"
# The same patience for assertions as for actions (below): under `pytest -n auto` on two cores a form post
# can take longer than Playwright's 5 s default while the other worker runs a browser and a database.
expect.set_options(timeout=30_000)
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian Chromium is missing: run `make browser` (scripts/ensure_system_packages.sh)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


def _new_page(browser, live_server, **context_options):
    context = browser.new_context(locale="ko-KR", **context_options)
    # Generous: the suite runs on both cores beside a second browser and two database servers.
    context.set_default_timeout(30_000)
    server = urlparse(live_server.url)
    outside: list[str] = []

    def only_the_live_server(route):
        url = urlparse(route.request.url)
        if url.scheme in {"data", "blob"} or (url.hostname, url.port) == (server.hostname, server.port):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    context.route("**/*", only_the_live_server)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.outside_requests = outside  # type: ignore[attr-defined]
    page.js_errors = errors  # type: ignore[attr-defined]
    return context, page


@pytest.fixture
def page(browser, live_server):
    """A desktop-sized page whose requests may only reach the live server (no third-party hosts)."""
    context, page = _new_page(browser, live_server, viewport={"width": 1280, "height": 900})
    yield page
    context.close()


@pytest.fixture
def mobile_page(browser, live_server):
    context, page = _new_page(
        browser,
        live_server,
        viewport={"width": 375, "height": 812},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    )
    yield page
    context.close()


@pytest.fixture
def purposes(transactional_db):
    """The seeded consent purposes (a transactional test empties the table the migration filled)."""
    from sotong.people.models import ConsentPurpose
    from sotong.people.tests.conftest import _SEED

    found = {}
    for code, name, items, months, advertising, order in _SEED.PURPOSES:
        found[code], _created = ConsentPurpose.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "items": items,
                "retention_months": months,
                "is_advertising": advertising,
                "sort_order": order,
            },
        )
    return found
