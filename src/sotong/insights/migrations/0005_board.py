"""Insights: more columns of the board's rollups (핑퐁, 미보고, 스피드지수 inputs), the per-department index,
and the per-dimension rollups the board reads (`BoardDimensionRollup`)."""

from django.db import migrations, models

COUNTS = [
    "received",
    "answered",
    "answered_on_time",
    "open_count",
    "overdue_open",
    "satisfaction_count",
    "satisfaction_sum",
    "ping_pong",
    "unreported",
    "speed_count",
]
LABELS = {
    "received": "접수",
    "answered": "답변",
    "answered_on_time": "기한 내 답변",
    "open_count": "처리중",
    "overdue_open": "지연",
    "satisfaction_count": "만족도 응답",
    "satisfaction_sum": "만족도 합계",
    "ping_pong": "핑퐁",
    "unreported": "미보고",
    "speed_count": "스피드지수 대상",
}

HELP = {
    "ping_pong": {"help_text": "3회 이상 이송된 민원"},
    "unreported": {"help_text": "기한 안에 보고하지 않은 민원"},
}

DIMENSIONS = {
    "channel": "channel",
    "kind": "kind",
    "category": "category",
    "department": "department_id",
    "dong": "dong",
}


def sum_existing_days(apps, schema_editor):  # type: ignore[no-untyped-def]
    """The per-dimension rows of the days already rolled up (their new columns stay 0 until the sweep, or
    `insights_rollup --from --to` for older days, recomputes them)."""
    fine = apps.get_model("insights", "DailyCaseRollup").objects.order_by()
    coarse = apps.get_model("insights", "BoardDimensionRollup")
    sums = {name: models.Sum(name) for name in [*COUNTS, "speed_sum"]}
    for dimension, field in DIMENSIONS.items():
        rows = [
            coarse(
                day=row.pop("day"),
                dimension=dimension,
                key="" if row[field] is None else str(row.pop(field)),
                **{name: value or 0 for name, value in row.items() if name in sums},
            )
            for row in fine.values("day", field).annotate(**sums).iterator(chunk_size=2000)
        ]
        coarse.objects.bulk_create(rows, batch_size=2000)


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
        migrations.CreateModel(
            name="BoardDimensionRollup",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("day", models.DateField(verbose_name="접수일")),
                ("dimension", models.CharField(max_length=12, verbose_name="구분")),
                ("key", models.CharField(blank=True, max_length=40, verbose_name="값")),
                *(
                    (
                        name,
                        models.PositiveIntegerField(
                            default=0, verbose_name=LABELS[name], **HELP.get(name, {})
                        ),
                    )
                    for name in COUNTS
                ),
                ("speed_sum", models.FloatField(default=0.0, verbose_name="스피드지수 합계")),
            ],
            options={
                "verbose_name": "상황판 구분별 집계",
                "verbose_name_plural": "상황판 구분별 집계",
                "indexes": [
                    models.Index(fields=["dimension", "day"], name="insights_board_dimension"),
                    models.Index(fields=["day"], name="insights_board_day"),
                ],
            },
        ),
        migrations.RunPython(sum_existing_days, migrations.RunPython.noop),
    ]
