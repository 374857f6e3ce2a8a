from typing import Any

from django.apps import AppConfig
from django.db import connections
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _repair_search_index(sender: Any, using: str = "default", **kwargs: Any) -> None:
    """After every migrate: SQLite drops a table's triggers when a migration rebuilds it, so put the
    full-text index's triggers and the report-flag triggers back (and reindex / recompute) if one is gone;
    a no-op when all is in place."""
    from sotong.cases.report_flags import ensure_triggers
    from sotong.cases.search import ensure_search_index

    connection = connections[using]
    if "cases_case" in connection.introspection.table_names():
        ensure_search_index(connection)
        ensure_triggers(connection)


class CasesConfig(AppConfig):
    name = "sotong.cases"
    label = "cases"
    verbose_name = _("민원·제안")

    def ready(self) -> None:
        post_migrate.connect(_repair_search_index, sender=self, dispatch_uid="cases.repair_search_index")
