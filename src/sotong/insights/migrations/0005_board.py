"""Insights: more columns of the board's rollups (핑퐁, 미보고, 스피드지수 inputs) and the per-department index."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("insights", "0004_alerts")]

    operations = [
        migrations.AddField(
            model_name="dailycaserollup",
            name="ping_pong",
            field=models.PositiveIntegerField(
                default=0, help_text="3회 이상 이송된 민원", verbose_name="핑퐁"
            ),
        ),
        migrations.AddField(
            model_name="dailycaserollup",
            name="unreported",
            field=models.PositiveIntegerField(
                default=0, help_text="기한 안에 보고하지 않은 민원", verbose_name="미보고"
            ),
        ),
        migrations.AddField(
            model_name="dailycaserollup",
            name="speed_count",
            field=models.PositiveIntegerField(default=0, verbose_name="스피드지수 대상"),
        ),
        migrations.AddField(
            model_name="dailycaserollup",
            name="speed_sum",
            field=models.FloatField(default=0.0, verbose_name="스피드지수 합계"),
        ),
        migrations.AddIndex(
            model_name="dailycaserollup",
            index=models.Index(fields=["department", "day"], name="insights_rollup_dept_day"),
        ),
    ]
