"""Topic clusters (군집) of cases and the staff's managed training data. Filled in by the clusters work.

Two layers, so that staff decisions outlive any one clustering:

- `ClusterRun` and its `Cluster` rows are one clustering of one period (k-means over the stored vectors);
  each cluster keeps its member ids as one packed array, its c-TF-IDF keywords and its counts per day.
  A later run replaces nothing: it is a new object, and old runs are pruned by age.
- `Topic` is a cluster the staff named or pinned (관리 군집). A new run matches its clusters to the topics
  by centroid similarity, so names survive; `TopicExample` rows are the managed training data (positive or
  negative examples) and `TopicAssignment` says which topic each case belongs to (one at most), written
  by the runs and, for new cases, by the assignment task above its own watermark (`ScanWatermark` "assign").
"""

from __future__ import annotations

import numpy as np
from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

__all__ = ["Cluster", "ClusterRun", "Topic", "TopicAssignment", "TopicExample"]


def _ids(blob: bytes | memoryview | None) -> np.ndarray:
    return np.frombuffer(bytes(blob or b""), dtype=np.int64)


class ClusterRun(models.Model):
    """군집 분석 실행: one clustering of the cases received in a period, with its parameters and timing."""

    class Status(models.TextChoices):
        PENDING = "pending", _("대기")
        RUNNING = "running", _("실행 중")
        DONE = "done", _("완료")
        FAILED = "failed", _("실패")

    first_day = models.DateField(_("접수일(부터)"))
    last_day = models.DateField(_("접수일(까지)"))
    status = models.CharField(_("상태"), max_length=10, choices=Status.choices, default=Status.PENDING)
    k = models.PositiveIntegerField(_("군집 수"), default=0)
    seed = models.PositiveIntegerField(_("난수 시드"), default=0)
    parameters = models.JSONField(_("매개변수"), default=dict, blank=True)
    model_version = models.CharField(_("표현 모델 버전"), max_length=40, blank=True)
    cases = models.PositiveIntegerField(_("분석한 민원"), default=0)
    created_at = models.DateTimeField(_("요청 시각"), default=timezone.now)
    started_at = models.DateTimeField(_("시작 시각"), null=True, blank=True)
    finished_at = models.DateTimeField(_("완료 시각"), null=True, blank=True)
    seconds = models.FloatField(_("소요 시간(초)"), null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("요청자"),
    )
    error = models.TextField(_("오류"), blank=True)

    class Meta:
        verbose_name = _("군집 분석 실행")
        verbose_name_plural = _("군집 분석 실행")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.first_day}~{self.last_day} #{self.pk}"


class Topic(models.Model):
    """관리 군집: a cluster the staff named or pinned; survives re-clustering and receives new cases."""

    name = models.CharField(_("이름"), max_length=80, blank=True)
    pinned = models.BooleanField(_("고정"), default=False)
    keywords = models.JSONField(_("핵심어"), default=list, blank=True)
    # float32 unit vector of `model_version`; recomputed from examples and members after a refit.
    centroid = models.BinaryField(null=True, blank=True, editable=False)
    model_version = models.CharField(_("표현 모델 버전"), max_length=40, blank=True)
    merged_into = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("병합된 군집"),
    )
    created_at = models.DateTimeField(_("만든 시각"), default=timezone.now)
    updated_at = models.DateTimeField(_("바꾼 시각"), default=timezone.now)

    class Meta:
        verbose_name = _("관리 군집")
        verbose_name_plural = _("관리 군집")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        if self.name:
            return self.name
        words = ", ".join(str(word) for word in (self.keywords or [])[:3])
        return f"#{self.pk} {words}".strip()

    @property
    def active(self) -> bool:
        return self.merged_into_id is None and (bool(self.name) or self.pinned)

    def centroid_array(self) -> np.ndarray | None:
        return None if not self.centroid else np.frombuffer(bytes(self.centroid), dtype=np.float32)


class Cluster(models.Model):
    """군집: one cluster of one run: members, keywords, size and counts per day of the run's period."""

    run = models.ForeignKey(
        ClusterRun, on_delete=models.CASCADE, related_name="clusters", verbose_name=_("실행")
    )
    number = models.PositiveIntegerField(_("번호"))
    size = models.PositiveIntegerField(_("민원 수"))
    keywords = models.JSONField(_("핵심어"), default=list)
    # Counts of members per receipt day, index 0 = run.first_day.
    daily = models.JSONField(_("일별 건수"), default=list)
    # Sorted int64 case ids and the float32 unit centroid, packed.
    members = models.BinaryField(editable=False)
    centroid = models.BinaryField(editable=False)
    topic = models.ForeignKey(
        Topic,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="clusters",
        verbose_name=_("관리 군집"),
    )
    topic_similarity = models.FloatField(_("관리 군집 유사도"), null=True, blank=True)

    class Meta:
        verbose_name = _("군집")
        verbose_name_plural = _("군집")
        ordering = ["run", "-size", "number"]
        constraints = [models.UniqueConstraint(fields=["run", "number"], name="insights_cluster_run_number")]

    def __str__(self) -> str:
        return f"{self.run_id}/{self.number}"

    def member_ids(self) -> np.ndarray:
        return _ids(self.members)

    def centroid_array(self) -> np.ndarray:
        return np.frombuffer(bytes(self.centroid), dtype=np.float32)


class TopicExample(models.Model):
    """학습 예시: a case the staff marked as belonging (positive) or not belonging (negative) to a topic."""

    topic = models.ForeignKey(
        Topic, on_delete=models.CASCADE, related_name="examples", verbose_name=_("관리 군집")
    )
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+", verbose_name=_("민원"))
    positive = models.BooleanField(_("긍정 예시"), default=True)
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("표시자"),
    )
    marked_at = models.DateTimeField(_("표시 시각"), default=timezone.now)

    class Meta:
        verbose_name = _("학습 예시")
        verbose_name_plural = _("학습 예시")
        constraints = [models.UniqueConstraint(fields=["topic", "case"], name="insights_topic_example_once")]

    def __str__(self) -> str:
        return f"{self.topic_id} {'+' if self.positive else '-'}{self.case_id}"


class TopicAssignment(models.Model):
    """The topic a case belongs to (at most one), with where the assignment came from."""

    class Source(models.TextChoices):
        RUN = "run", _("군집 분석")
        NEW = "new", _("신규 배정")
        EXAMPLE = "example", _("학습 예시")

    case = models.OneToOneField(
        "cases.Case", primary_key=True, on_delete=models.CASCADE, related_name="+", verbose_name=_("민원")
    )
    topic = models.ForeignKey(
        Topic, on_delete=models.CASCADE, related_name="assignments", verbose_name=_("관리 군집")
    )
    source = models.CharField(_("출처"), max_length=10, choices=Source.choices)
    similarity = models.FloatField(_("유사도"), null=True, blank=True)
    received_at = models.DateTimeField(_("접수 시각"))
    assigned_at = models.DateTimeField(_("배정 시각"), default=timezone.now)

    class Meta:
        verbose_name = _("관리 군집 배정")
        verbose_name_plural = _("관리 군집 배정")
        indexes = [models.Index(fields=["topic", "received_at"], name="insights_topic_assign_day")]

    def __str__(self) -> str:
        return f"{self.case_id}→{self.topic_id}"
