"""Insights: more columns of the board's rollups."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("insights", "0004_alerts")]

    operations: list[migrations.operations.base.Operation] = []
