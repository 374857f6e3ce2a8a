"""Campaigns: what the clean-up of old recipient rows keeps (filled in by that work if it needs columns)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("campaigns", "0001_initial")]

    operations: list[migrations.operations.base.Operation] = []
