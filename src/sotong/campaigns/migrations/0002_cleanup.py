"""Campaigns: what the clean-up of old recipient rows keeps — the deleted rows counted by status, and when the
last of a campaign's rows went."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("campaigns", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="campaign",
            name="purged_counts",
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.AddField(
            model_name="campaign",
            name="recipients_purged_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
    ]
