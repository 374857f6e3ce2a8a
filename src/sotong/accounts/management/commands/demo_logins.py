"""Print the demo staff logins (username, password, role, department); `make run` calls it."""

from __future__ import annotations

import unicodedata
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from sotong.accounts.demo import DEMO_LOGINS
from sotong.accounts.models import User


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


class Command(BaseCommand):
    help = "Print the demo staff logins (only on a DEBUG or SOTONG_DEMO instance)."

    def handle(self, *args: Any, **options: Any) -> None:
        if not (settings.DEBUG or settings.SOTONG_DEMO):
            self.stdout.write("demo logins are shown only when DEBUG or SOTONG_DEMO is on")
            return
        existing = set(
            User.objects.filter(username__in=[d.username for d in DEMO_LOGINS]).values_list(
                "username", flat=True
            )
        )
        header = ("아이디", "비밀번호", "역할", "부서")
        rows = [
            (login.username, login.password, str(login.role_label), login.department)
            for login in DEMO_LOGINS
            if login.username in existing
        ]
        if not rows:
            self.stdout.write("no demo logins in this database (run `manage.py load_demo`)")
            return
        widths = [max(_width(row[i]) for row in [header, *rows]) for i in range(4)]
        lines = [
            "  ".join(_pad(cell, widths[i]) for i, cell in enumerate(row)).rstrip() for row in [header, *rows]
        ]
        lines.insert(1, "  ".join("-" * w for w in widths))
        self.stdout.write(
            f"Demo logins on {settings.SITE_URL}/accounts/login/ (coordinator and sysadmin also need OTP;"
        )
        self.stdout.write("the OTP page shows the current code in demo mode):")
        self.stdout.write("\n".join(lines))
