"""Insights: surges and urgent safety flags (with the managed keyword list seeded)."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

# The terms as they were when this migration was written (alerts/terms.py may change later; a migration
# must not follow it).
SEED_TERMS = (
    "싱크홀",
    "땅꺼짐",
    "지반침하",
    "붕괴",
    "균열",
    "가스 누출",
    "가스 냄새",
    "화재",
    "불이 났",
    "폭발",
    "감전",
    "누전",
    "전선이 끊어",
    "추락",
    "낙하물",
    "떨어질 것 같",
    "침수",
    "범람",
    "산사태",
    "옹벽",
    "축대",
    "맨홀",
    "쓰러질",
    "기울어",
)


def seed_terms(apps, schema_editor):  # type: ignore[no-untyped-def]
    SafetyTerm = apps.get_model("insights", "SafetyTerm")
    existing = set(SafetyTerm.objects.values_list("term", flat=True))
    SafetyTerm.objects.bulk_create([SafetyTerm(term=term) for term in SEED_TERMS if term not in existing])


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0007_report_flags"),
        ("insights", "0003_clusters"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="SafetyClassifier",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "model_version",
                    models.CharField(db_index=True, max_length=40, verbose_name="표현 모델 버전"),
                ),
                ("weights", models.BinaryField()),
                ("intercept", models.FloatField()),
                ("threshold", models.FloatField(verbose_name="표시 기준 확률")),
                ("positives", models.PositiveIntegerField(verbose_name="위험 예시")),
                ("negatives", models.PositiveIntegerField(verbose_name="일반 예시")),
                ("decisions", models.PositiveIntegerField(verbose_name="직원 판단 수")),
                (
                    "fitted_at",
                    models.DateTimeField(default=django.utils.timezone.now, verbose_name="학습 시각"),
                ),
            ],
            options={
                "verbose_name": "안전 위험 분류 모델",
                "verbose_name_plural": "안전 위험 분류 모델",
                "get_latest_by": "fitted_at",
            },
        ),
        migrations.CreateModel(
            name="SurgeScan",
            fields=[
                ("day", models.DateField(primary_key=True, serialize=False, verbose_name="날짜")),
                (
                    "scanned_at",
                    models.DateTimeField(default=django.utils.timezone.now, verbose_name="검사 시각"),
                ),
                ("found", models.PositiveIntegerField(default=0, verbose_name="급증 수")),
            ],
            options={"verbose_name": "급증 검사", "verbose_name_plural": "급증 검사"},
        ),
        migrations.CreateModel(
            name="SafetyTerm",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("term", models.CharField(max_length=40, unique=True, verbose_name="핵심어")),
                ("is_active", models.BooleanField(default=True, verbose_name="사용")),
                (
                    "created_at",
                    models.DateTimeField(default=django.utils.timezone.now, verbose_name="등록 시각"),
                ),
                (
                    "created_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "안전 위험 핵심어",
                "verbose_name_plural": "안전 위험 핵심어",
                "ordering": ["term"],
            },
        ),
        migrations.CreateModel(
            name="Surge",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "dimension",
                    models.CharField(
                        choices=[("category", "분야"), ("dong", "행정동"), ("cluster", "주제 군집")],
                        max_length=10,
                        verbose_name="구분",
                    ),
                ),
                (
                    "key",
                    models.CharField(
                        help_text="분야 코드, 행정동 이름 또는 군집 번호", max_length=80, verbose_name="키"
                    ),
                ),
                ("label", models.CharField(max_length=200, verbose_name="이름")),
                ("day", models.DateField(verbose_name="날짜")),
                ("observed", models.PositiveIntegerField(verbose_name="접수 건수")),
                ("expected", models.FloatField(verbose_name="기대 건수")),
                (
                    "upper",
                    models.PositiveIntegerField(
                        help_text="이 건수 이상이면 급증으로 봅니다", verbose_name="상한"
                    ),
                ),
                (
                    "score",
                    models.FloatField(help_text="-log10(우연히 이만큼 많을 확률)", verbose_name="점수"),
                ),
                (
                    "detected_at",
                    models.DateTimeField(default=django.utils.timezone.now, verbose_name="감지 시각"),
                ),
                ("notified_at", models.DateTimeField(blank=True, null=True, verbose_name="알림 시각")),
            ],
            options={
                "verbose_name": "급증",
                "verbose_name_plural": "급증",
                "ordering": ["-day", "-score"],
                "indexes": [models.Index(fields=["day"], name="insights_surge_day")],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("dimension", "key", "day"), name="insights_surge_unique_day"
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="SafetyFlag",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "reason",
                    models.CharField(
                        choices=[("keyword", "핵심어"), ("classifier", "분류 모델")],
                        max_length=12,
                        verbose_name="근거",
                    ),
                ),
                ("terms", models.JSONField(blank=True, default=list, verbose_name="핵심어")),
                ("score", models.FloatField(blank=True, null=True, verbose_name="위험 확률")),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("open", "확인 대기"),
                            ("confirmed", "위험 확인"),
                            ("dismissed", "해당 없음"),
                        ],
                        default="open",
                        max_length=12,
                        verbose_name="상태",
                    ),
                ),
                (
                    "flagged_at",
                    models.DateTimeField(default=django.utils.timezone.now, verbose_name="표시 시각"),
                ),
                ("decided_at", models.DateTimeField(blank=True, null=True, verbose_name="판단 시각")),
                (
                    "case",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="safety_flag",
                        to="cases.case",
                        verbose_name="민원",
                    ),
                ),
                (
                    "decided_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="판단한 직원",
                    ),
                ),
            ],
            options={
                "verbose_name": "안전 위험 민원",
                "verbose_name_plural": "안전 위험 민원",
                "indexes": [models.Index(fields=["status", "flagged_at"], name="insights_safety_status")],
            },
        ),
        migrations.RunPython(seed_terms, migrations.RunPython.noop),
    ]
