"""Insights: surges and urgent safety flags."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("insights", "0003_clusters")]

    operations: list[migrations.operations.base.Operation] = []
