"""민원분석: what the text pipeline stored about each case.

`CaseAnalysis` is written once per case by the batch analysis task (never in the intake transaction) and
redone when the pipeline version changes. The dense vector belongs to one fitted representation
(`model_version`); after a refit the sweep recomputes vectors from the stored morphemes without running
Kiwi again. Clusters, surges and the board of later work read these rows (keywords, nouns, vectors).
"""

from __future__ import annotations

import numpy as np
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sotong.cases.models import Case


class CaseAnalysis(models.Model):
    """민원 분석 결과: Kiwi morphemes and nouns, keywords, length, and the vector of the current model."""

    case = models.OneToOneField(
        Case, primary_key=True, on_delete=models.CASCADE, related_name="analysis", verbose_name=_("민원")
    )
    version = models.PositiveSmallIntegerField(_("분석 버전"))
    morphemes = models.TextField(_("형태소"), help_text=_("내용 형태소를 공백으로 이은 것"))
    nouns = models.TextField(_("명사"))
    keywords = models.JSONField(_("핵심어"), default=list)
    length = models.PositiveIntegerField(_("글자 수"))
    sentences = models.PositiveIntegerField(_("문장 수"))
    analysed_at = models.DateTimeField(_("분석 시각"), default=timezone.now)
    # float32 little-endian, L2-normalised; empty until a representation has been fitted.
    vector = models.BinaryField(null=True, blank=True, editable=False)
    model_version = models.CharField(_("표현 모델 버전"), max_length=40, blank=True, db_index=True)
    vectorised_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("민원 분석")
        verbose_name_plural = _("민원 분석")

    def __str__(self) -> str:
        return f"{self.case_id} v{self.version}"

    def vector_array(self) -> np.ndarray | None:
        return None if not self.vector else np.frombuffer(bytes(self.vector), dtype=np.float32)


class ScanWatermark(models.Model):
    """How far a worker scan over new cases has read: the highest case id it has handled, one row per
    scan (the clusters' topic assignment, the alerts' keyword and classifier scans)."""

    name = models.CharField(max_length=40, primary_key=True)
    value = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("검사 위치")
        verbose_name_plural = _("검사 위치")

    def __str__(self) -> str:
        return f"{self.name} {self.value}"


class RollupCounts(models.Model):
    """The counts both rollup tables carry (summed by the board; see `DailyCaseRollup`)."""

    received = models.PositiveIntegerField(_("접수"), default=0)
    answered = models.PositiveIntegerField(_("답변"), default=0)
    answered_on_time = models.PositiveIntegerField(_("기한 내 답변"), default=0)
    open_count = models.PositiveIntegerField(_("처리중"), default=0)
    overdue_open = models.PositiveIntegerField(_("지연"), default=0)
    satisfaction_count = models.PositiveIntegerField(_("만족도 응답"), default=0)
    satisfaction_sum = models.PositiveIntegerField(_("만족도 합계"), default=0)
    ping_pong = models.PositiveIntegerField(_("핑퐁"), default=0, help_text=_("3회 이상 이송된 민원"))
    unreported = models.PositiveIntegerField(
        _("미보고"), default=0, help_text=_("기한 안에 보고하지 않은 민원")
    )
    # 스피드지수 inputs: the answered cases with a statutory period of 1 day or more, and the sum of
    # their per-case index (statutory days − days taken) ÷ statutory days × 100; the board averages.
    speed_count = models.PositiveIntegerField(_("스피드지수 대상"), default=0)
    speed_sum = models.FloatField(_("스피드지수 합계"), default=0.0)

    class Meta:
        abstract = True


class DailyCaseRollup(RollupCounts):
    """상황판 집계: the cases received on one Seoul day, per channel, kind, category, handling department
    and dong, as they stood when the row was computed (`board.rollup` rewrites whole days).

    Counts follow the receipt day (a cohort): `answered` are the cases of that day answered or closed
    since, `answered_on_time` those answered by their deadline (or without one), `open_count` and
    `overdue_open` the ones still open, past the deadline when computed; `ping_pong` those transferred 3 or
    more times and `unreported` those with a missed progress report (whatever their status now), and the
    speed index inputs. The board reads only these rows.
    """

    day = models.DateField(_("접수일"))
    channel = models.CharField(_("접수 경로"), max_length=20)
    kind = models.CharField(_("종류"), max_length=20)
    category = models.CharField(_("분야"), max_length=40, blank=True)
    department = models.ForeignKey(
        "accounts.Department",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("처리부서"),
    )
    dong = models.CharField(_("행정동"), max_length=40, blank=True)
    computed_at = models.DateTimeField(_("집계 시각"), default=timezone.now)

    class Meta:
        verbose_name = _("일별 민원 집계")
        verbose_name_plural = _("일별 민원 집계")
        indexes = [
            models.Index(fields=["day"], name="insights_rollup_day"),
            # A bureau's or department's board: its few departments over a range of days.
            models.Index(fields=["department", "day"], name="insights_rollup_dept_day"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.channel} {self.kind} {self.received}"


class BoardDimensionRollup(RollupCounts):
    """상황판 집계 by one dimension, for the whole government: the counts of `DailyCaseRollup` summed per day
    and per value of one of channel, kind, category, handling department or dong. Written with the day's
    `DailyCaseRollup` rows in the same transaction. The whole government's board reads these few hundred
    rows a day instead of grouping every combination of the five dimensions (about 4,000 a day at Seoul's
    volume); a bureau's or department's board reads its departments' `DailyCaseRollup` rows, which are few.
    """

    day = models.DateField(_("접수일"))
    dimension = models.CharField(_("구분"), max_length=12)
    key = models.CharField(_("값"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("상황판 구분별 집계")
        verbose_name_plural = _("상황판 구분별 집계")
        indexes = [
            models.Index(fields=["dimension", "day"], name="insights_board_dimension"),
            models.Index(fields=["day"], name="insights_board_day"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.dimension}={self.key} {self.received}"


# Models of the clusters and of the alerts live in their own modules; importing them registers them.
from sotong.insights.models_alerts import *  # noqa: E402, F403
from sotong.insights.models_clusters import *  # noqa: E402, F403
