"""Insights: topic clusters and training examples."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("insights", "0002_dailycaserollup")]

    operations: list[migrations.operations.base.Operation] = []
