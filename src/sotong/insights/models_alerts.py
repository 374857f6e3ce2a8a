"""Surges (급증) and urgent safety flags (안전 위험 민원).

`Surge` rows are written by the daily detection task (`alerts.surges`), one per dimension, key and day,
and the coordinators hear of each once. `SafetyTerm` is the managed keyword list, `SafetyFlag` a case
detected as an urgent safety risk (by a term or by the learned classifier, `SafetyClassifier`), decided
by staff; `ScanWatermark` (models.py) keeps how far the scans have read.
"""

from __future__ import annotations

import numpy as np
from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sotong.cases.models import Case

__all__ = [
    "SafetyClassifier",
    "SafetyFlag",
    "SafetyFlagReason",
    "SafetyFlagStatus",
    "SafetyTerm",
    "Surge",
    "SurgeDimension",
    "SurgeScan",
]


class SurgeDimension(models.TextChoices):
    CATEGORY = "category", _("분야")
    DONG = "dong", _("행정동")
    CLUSTER = "cluster", _("주제 군집")


class Surge(models.Model):
    """급증: a category, dong or cluster whose cases of one Seoul day passed their expected upper bound."""

    dimension = models.CharField(_("구분"), max_length=10, choices=SurgeDimension.choices)
    key = models.CharField(_("키"), max_length=80, help_text=_("분야 코드, 행정동 이름 또는 군집 번호"))
    label = models.CharField(_("이름"), max_length=200)
    day = models.DateField(_("날짜"))
    observed = models.PositiveIntegerField(_("접수 건수"))
    expected = models.FloatField(_("기대 건수"))
    upper = models.PositiveIntegerField(_("상한"), help_text=_("이 건수 이상이면 급증으로 봅니다"))
    score = models.FloatField(_("점수"), help_text=_("-log10(우연히 이만큼 많을 확률)"))
    detected_at = models.DateTimeField(_("감지 시각"), default=timezone.now)
    notified_at = models.DateTimeField(_("알림 시각"), null=True, blank=True)

    class Meta:
        verbose_name = _("급증")
        verbose_name_plural = _("급증")
        ordering = ["-day", "-score"]
        constraints = [
            models.UniqueConstraint(fields=["dimension", "key", "day"], name="insights_surge_unique_day")
        ]
        indexes = [models.Index(fields=["day"], name="insights_surge_day")]

    def __str__(self) -> str:
        return f"{self.day} {self.dimension} {self.label} {self.observed}"

    @property
    def ratio(self) -> float:
        return round(self.observed / self.expected, 1) if self.expected else float(self.observed)


class SurgeScan(models.Model):
    """A Seoul day the surge detection has examined (the daily sweep skips days already scanned)."""

    day = models.DateField(_("날짜"), primary_key=True)
    scanned_at = models.DateTimeField(_("검사 시각"), default=timezone.now)
    found = models.PositiveIntegerField(_("급증 수"), default=0)

    class Meta:
        verbose_name = _("급증 검사")
        verbose_name_plural = _("급증 검사")

    def __str__(self) -> str:
        return f"{self.day} {self.found}"


class SafetyTerm(models.Model):
    """안전 위험 핵심어: a word or phrase that flags a case as an urgent safety risk."""

    term = models.CharField(_("핵심어"), max_length=40, unique=True)
    is_active = models.BooleanField(_("사용"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("등록 시각"), default=timezone.now)

    class Meta:
        verbose_name = _("안전 위험 핵심어")
        verbose_name_plural = _("안전 위험 핵심어")
        ordering = ["term"]

    def __str__(self) -> str:
        return self.term

    @property
    def compact(self) -> str:
        """The term without spaces: "가스 누출" also matches "가스누출" (the text is compacted too)."""
        return "".join(self.term.split())


class SafetyFlagReason(models.TextChoices):
    KEYWORD = "keyword", _("핵심어")
    CLASSIFIER = "classifier", _("분류 모델")


class SafetyFlagStatus(models.TextChoices):
    OPEN = "open", _("확인 대기")
    CONFIRMED = "confirmed", _("위험 확인")
    DISMISSED = "dismissed", _("해당 없음")


class SafetyFlag(models.Model):
    """안전 위험 민원 표시: one per case, written by the scan task, decided (confirmed/dismissed) by staff."""

    case = models.OneToOneField(
        Case, on_delete=models.CASCADE, related_name="safety_flag", verbose_name=_("민원")
    )
    reason = models.CharField(_("근거"), max_length=12, choices=SafetyFlagReason.choices)
    terms = models.JSONField(_("핵심어"), default=list, blank=True)
    score = models.FloatField(_("위험 확률"), null=True, blank=True)
    status = models.CharField(
        _("상태"), max_length=12, choices=SafetyFlagStatus.choices, default=SafetyFlagStatus.OPEN
    )
    flagged_at = models.DateTimeField(_("표시 시각"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("판단한 직원"),
    )
    decided_at = models.DateTimeField(_("판단 시각"), null=True, blank=True)

    class Meta:
        verbose_name = _("안전 위험 민원")
        verbose_name_plural = _("안전 위험 민원")
        indexes = [models.Index(fields=["status", "flagged_at"], name="insights_safety_status")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.reason} {self.status}"


class SafetyClassifier(models.Model):
    """The learned urgent-safety classifier: logistic regression over the case vectors of one
    representation (`model_version`); the newest row of the current representation is used."""

    model_version = models.CharField(_("표현 모델 버전"), max_length=40, db_index=True)
    # float32 little-endian weights, one per vector dimension.
    weights = models.BinaryField(editable=False)
    intercept = models.FloatField()
    threshold = models.FloatField(_("표시 기준 확률"))
    positives = models.PositiveIntegerField(_("위험 예시"))
    negatives = models.PositiveIntegerField(_("일반 예시"))
    decisions = models.PositiveIntegerField(_("직원 판단 수"))
    fitted_at = models.DateTimeField(_("학습 시각"), default=timezone.now)

    class Meta:
        verbose_name = _("안전 위험 분류 모델")
        verbose_name_plural = _("안전 위험 분류 모델")
        get_latest_by = "fitted_at"

    def __str__(self) -> str:
        return f"{self.model_version} {self.fitted_at:%Y-%m-%d %H:%M}"

    def weight_array(self) -> np.ndarray:
        return np.frombuffer(bytes(self.weights), dtype=np.float32)

    def probabilities(self, vectors: np.ndarray) -> np.ndarray:
        """P(urgent safety) for each row of `vectors` (float32, one case per row)."""
        logits = vectors.astype(np.float64) @ self.weight_array().astype(np.float64) + self.intercept
        return 1.0 / (1.0 + np.exp(-logits))
