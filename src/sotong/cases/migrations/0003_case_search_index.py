"""Korean full-text search: pg_trgm GIN index on PostgreSQL, FTS5 trigram table and triggers on SQLite.

Neither is part of the model state (an expression index over three columns and a virtual table), so
both are created here directly; see sotong.cases.search.
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

from sotong.cases.search import install_search_index, uninstall_search_index


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0002_receipt_counter"),
    ]

    operations = [
        TrigramExtension(),  # PostgreSQL only; a no-op elsewhere
        migrations.RunPython(install_search_index, uninstall_search_index),
    ]
