"""Campaigns: columns or indexes the sender needs (filled in by that work if it needs any)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("campaigns", "0002_cleanup")]

    operations: list[migrations.operations.base.Operation] = []
