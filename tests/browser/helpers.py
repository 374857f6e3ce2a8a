"""Helpers for the page tests: axe-core, screenshots, signing in through the real forms."""

from __future__ import annotations

import os
from pathlib import Path

from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = Path(os.environ.get("SOTONG_SCREENSHOTS", "/tmp/sotong-screenshots"))


def axe_violations(page, impacts=("serious", "critical")) -> list[dict]:
    """Run axe-core (WCAG 2.x A/AA rules) on the page; the violations of the given impacts."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        """async () => await axe.run(document, {
            runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']},
        })"""
    )
    return [v for v in result["violations"] if v["impact"] in impacts]


def assert_accessible(page) -> None:
    violations = axe_violations(page)
    report = "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(node["target"][0] if node["target"] else "?" for node in v["nodes"][:5])
        for v in violations
    )
    assert not violations, f"axe-core found serious/critical problems on {page.url}:\n{report}"


def screenshot(page, name: str, full_page: bool = True) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    # Transitions are finished at once: a full-page capture resizes the viewport for a moment, and the
    # KRDS header slides on the resulting scroll events.
    page.screenshot(path=str(path), full_page=full_page, animations="disabled")
    return path


def press(locator) -> None:
    """Activate a button or link from the keyboard (focus, Enter), as a keyboard user does.

    A mouse click goes to screen coordinates; right after a full-page screenshot, or while the KRDS header
    slides in on a scroll, another element can be under them for a moment and the click is lost. The
    keyboard reaches the element itself.
    """
    locator.focus()
    locator.press("Enter")


def choose(locator) -> None:
    """Check a radio button or tick a checkbox from the keyboard (Space) and make sure it took."""
    from playwright.sync_api import expect

    if not locator.is_checked():
        locator.focus()
        locator.press("Space")
    expect(locator).to_be_checked()


def confirmed_totp_device(user) -> TOTPDevice:
    """An enrolled authenticator for `user`, as if they had scanned the QR code earlier."""
    return TOTPDevice.objects.create(user=user, name="시험용 OTP", confirmed=True)


def current_code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):0{device.digits}d}"


def sign_in(page, live_server, username: str, password: str, device: TOTPDevice | None = None) -> None:
    """Sign in through the login form (and the OTP page when the role needs it); ends on the office home."""
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    press(page.locator("form[action$='/accounts/login/'] button[type=submit]"))
    if device is not None:
        page.wait_for_url("**/accounts/otp/**")
        page.fill("input[name=token]", current_code(device))
        press(page.locator("form[action$='/accounts/otp/'] button[type=submit]"))
    page.wait_for_url(f"{live_server.url}/office/")
