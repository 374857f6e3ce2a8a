"""Indexes for the work queues at a million cases (bench/cases_intake.py --queue-cases 1000000)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0004_routing_limits_onsite_investigation"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="case",
            index=models.Index(fields=["status", "received_at"], name="cases_case_status_received_idx"),
        ),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                condition=models.Q(("is_ping_pong", True)),
                fields=["received_at"],
                name="cases_case_ping_pong_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="caseassignment",
            index=models.Index(
                condition=models.Q(("ended_at__isnull", True)),
                fields=["department", "role", "case"],
                name="cases_open_assignment_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="progressreport",
            index=models.Index(fields=["status", "case"], name="cases_report_status_case_idx"),
        ),
    ]
