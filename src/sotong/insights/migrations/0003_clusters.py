"""Insights: topic clusters and training examples."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("insights", "0002_dailycaserollup"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="ScanWatermark",
            fields=[
                ("name", models.CharField(max_length=40, primary_key=True, serialize=False)),
                ("value", models.BigIntegerField(default=0)),
                ("updated_at", models.DateTimeField(auto_now=True)),
            ],
            options={"verbose_name": "검사 위치", "verbose_name_plural": "검사 위치"},
        ),
        migrations.CreateModel(
            name="ClusterRun",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("first_day", models.DateField(verbose_name="접수일(부터)")),
                ("last_day", models.DateField(verbose_name="접수일(까지)")),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("pending", "대기"),
                            ("running", "실행 중"),
                            ("done", "완료"),
                            ("failed", "실패"),
                        ],
                        default="pending",
                        max_length=10,
                        verbose_name="상태",
                    ),
                ),
                ("k", models.PositiveIntegerField(default=0, verbose_name="군집 수")),
                ("seed", models.PositiveIntegerField(default=0, verbose_name="난수 시드")),
                ("parameters", models.JSONField(blank=True, default=dict, verbose_name="매개변수")),
                ("model_version", models.CharField(blank=True, max_length=40, verbose_name="표현 모델 버전")),
                ("cases", models.PositiveIntegerField(default=0, verbose_name="분석한 민원")),
                (
                    "created_at",
                    models.DateTimeField(default=django.utils.timezone.now, verbose_name="요청 시각"),
                ),
                ("started_at", models.DateTimeField(blank=True, null=True, verbose_name="시작 시각")),
                ("finished_at", models.DateTimeField(blank=True, null=True, verbose_name="완료 시각")),
                ("seconds", models.FloatField(blank=True, null=True, verbose_name="소요 시간(초)")),
                ("error", models.TextField(blank=True, verbose_name="오류")),
                (
                    "requested_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="요청자",
                    ),
                ),
            ],
            options={
                "verbose_name": "군집 분석 실행",
                "verbose_name_plural": "군집 분석 실행",
                "ordering": ["-created_at", "-id"],
            },
        ),
        migrations.CreateModel(
            name="Topic",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("name", models.CharField(blank=True, max_length=80, verbose_name="이름")),
                ("pinned", models.BooleanField(default=False, verbose_name="고정")),
                ("keywords", models.JSONField(blank=True, default=list, verbose_name="핵심어")),
                ("centroid", models.BinaryField(blank=True, null=True)),
                ("model_version", models.CharField(blank=True, max_length=40, verbose_name="표현 모델 버전")),
                (
                    "created_at",
                    models.DateTimeField(default=django.utils.timezone.now, verbose_name="만든 시각"),
                ),
                (
                    "updated_at",
                    models.DateTimeField(default=django.utils.timezone.now, verbose_name="바꾼 시각"),
                ),
                (
                    "merged_into",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="insights.topic",
                        verbose_name="병합된 군집",
                    ),
                ),
            ],
            options={
                "verbose_name": "관리 군집",
                "verbose_name_plural": "관리 군집",
                "ordering": ["name", "id"],
            },
        ),
        migrations.CreateModel(
            name="Cluster",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("number", models.PositiveIntegerField(verbose_name="번호")),
                ("size", models.PositiveIntegerField(verbose_name="민원 수")),
                ("keywords", models.JSONField(default=list, verbose_name="핵심어")),
                ("daily", models.JSONField(default=list, verbose_name="일별 건수")),
                ("members", models.BinaryField()),
                ("centroid", models.BinaryField()),
                (
                    "topic_similarity",
                    models.FloatField(blank=True, null=True, verbose_name="관리 군집 유사도"),
                ),
                (
                    "run",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="clusters",
                        to="insights.clusterrun",
                        verbose_name="실행",
                    ),
                ),
                (
                    "topic",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="clusters",
                        to="insights.topic",
                        verbose_name="관리 군집",
                    ),
                ),
            ],
            options={
                "verbose_name": "군집",
                "verbose_name_plural": "군집",
                "ordering": ["run", "-size", "number"],
                "constraints": [
                    models.UniqueConstraint(fields=("run", "number"), name="insights_cluster_run_number")
                ],
            },
        ),
        migrations.CreateModel(
            name="TopicAssignment",
            fields=[
                (
                    "case",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="+",
                        serialize=False,
                        to="cases.case",
                        verbose_name="민원",
                    ),
                ),
                (
                    "source",
                    models.CharField(
                        choices=[("run", "군집 분석"), ("new", "신규 배정"), ("example", "학습 예시")],
                        max_length=10,
                        verbose_name="출처",
                    ),
                ),
                ("similarity", models.FloatField(blank=True, null=True, verbose_name="유사도")),
                ("received_at", models.DateTimeField(verbose_name="접수 시각")),
                (
                    "assigned_at",
                    models.DateTimeField(default=django.utils.timezone.now, verbose_name="배정 시각"),
                ),
                (
                    "topic",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="assignments",
                        to="insights.topic",
                        verbose_name="관리 군집",
                    ),
                ),
            ],
            options={
                "verbose_name": "관리 군집 배정",
                "verbose_name_plural": "관리 군집 배정",
                "indexes": [models.Index(fields=["topic", "received_at"], name="insights_topic_assign_day")],
            },
        ),
        migrations.CreateModel(
            name="TopicExample",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("positive", models.BooleanField(default=True, verbose_name="긍정 예시")),
                (
                    "marked_at",
                    models.DateTimeField(default=django.utils.timezone.now, verbose_name="표시 시각"),
                ),
                (
                    "case",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="cases.case",
                        verbose_name="민원",
                    ),
                ),
                (
                    "marked_by",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="표시자",
                    ),
                ),
                (
                    "topic",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="examples",
                        to="insights.topic",
                        verbose_name="관리 군집",
                    ),
                ),
            ],
            options={
                "verbose_name": "학습 예시",
                "verbose_name_plural": "학습 예시",
                "constraints": [
                    models.UniqueConstraint(fields=("topic", "case"), name="insights_topic_example_once")
                ],
            },
        ),
    ]
