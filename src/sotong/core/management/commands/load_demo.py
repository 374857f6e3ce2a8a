"""Load the demo district: every app's `demo.load()` in INSTALLED_APPS order.

manage.py load_demo             # add the demo data
manage.py load_demo --if-empty  # only when the database has no departments yet (what `make run` does)
"""

from __future__ import annotations

from importlib import import_module
from importlib.util import find_spec
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction


class Command(BaseCommand):
    help = "Load the demo district (departments, staff for every role, codes, and what later apps add)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--if-empty", action="store_true", help="skip when the database already has data")

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.SOTONG_DEMO:
            raise CommandError("Demo data is only loaded when SOTONG_DEMO (or DEBUG) is on.")
        department_model = apps.get_model("accounts", "Department")
        if options["if_empty"] and department_model.objects.exists():
            self.stdout.write("demo: database already has data, nothing loaded")
            return
        with transaction.atomic():
            for config in apps.get_app_configs():
                module_name = f"{config.name}.demo"
                if not config.name.startswith("sotong.") or find_spec(module_name) is None:
                    continue
                summary = import_module(module_name).load()
                self.stdout.write(f"demo: {config.label}: {summary}")
