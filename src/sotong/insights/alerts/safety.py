"""안전 위험 민원: the minute scan that flags new cases, and the learned classifier.

Two watermarks (`ScanWatermark`), both advanced only by the scan task on the worker, so intake pays
nothing:

- `safety.keywords` over case ids: the title and body of every new case against the active terms
  (cheap, no analysis needed, so a hit is flagged by the next minute's scan);
- `safety.classifier` over `CaseAnalysis` case ids: the stored vector of every newly analysed case
  through the classifier of the current representation; a probability at or above its threshold
  flags the case, and a case already flagged by a term gets the probability as its score.

The classifier is a logistic regression over the 256-dimension vectors, refitted by a task
(`refit_classifier`). Labels, strongest first: staff decisions (a confirmed flag is a positive, a
dismissed one a negative, weight `DECIDED_WEIGHT`), cases staff marked 긴급 안전 themselves (positive,
same weight), open keyword flags (weak positives, weight 1), and a sample of the other analysed cases
(weak negatives, weight 1). Flags the classifier raised and nobody decided are never used as labels, so
it does not teach itself its own mistakes.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from sotong.cases.models import Case
from sotong.core.events import record_event
from sotong.insights import representation as rep
from sotong.insights.alerts.terms import active_terms, matching_terms
from sotong.insights.models import CaseAnalysis, ScanWatermark
from sotong.insights.models_alerts import (
    SafetyClassifier,
    SafetyFlag,
    SafetyFlagReason,
    SafetyFlagStatus,
)

logger = logging.getLogger(__name__)

KEYWORD_SCAN = "safety.keywords"
CLASSIFIER_SCAN = "safety.classifier"
BATCH = 1_000
ACTOR = "insights.safety"

MIN_POSITIVES = 5
MIN_NEGATIVES = 5
DECIDED_WEIGHT = 5.0
NEGATIVE_SAMPLE = 20_000
RESCORE_DAYS = 7


def threshold() -> float:
    """The probability at which the classifier flags a case (`SOTONG_SAFETY_THRESHOLD`, default 0.7)."""
    return float(settings.SOTONG_SAFETY_THRESHOLD)


# --- watermarks -----------------------------------------------------------------------------------------


def watermark(name: str) -> int:
    row = ScanWatermark.objects.filter(name=name).values_list("value", flat=True).first()
    return int(row or 0)


def _advance(name: str, value: int) -> None:
    """Move the watermark forward (never back, even if two scans overlap)."""
    ScanWatermark.objects.get_or_create(name=name)
    ScanWatermark.objects.filter(name=name, value__lt=value).update(value=value, updated_at=timezone.now())


def pending() -> bool:
    """Whether a case or an analysis is above its watermark (the minute sweep enqueues a scan then)."""
    newest_case = Case.objects.aggregate(top=Max("pk"))["top"] or 0
    if newest_case > watermark(KEYWORD_SCAN):
        return True
    newest_analysis = CaseAnalysis.objects.aggregate(top=Max("case_id"))["top"] or 0
    return newest_analysis > watermark(CLASSIFIER_SCAN)


# --- the scan -------------------------------------------------------------------------------------------


@dataclass
class ScanResult:
    keyword_flags: int = 0
    classifier_flags: int = 0
    scored: int = 0

    def __str__(self) -> str:
        return f"keywords {self.keyword_flags}, classifier {self.classifier_flags}, scored {self.scored}"


def _record(flags: list[SafetyFlag], labels: dict[int, str]) -> None:
    for flag in flags:
        target = Case(pk=flag.case_id, receipt_no=labels.get(flag.case_id, ""), title="")
        record_event(
            ACTOR,
            "insights.safety_flagged",
            target,
            after={"reason": flag.reason, "terms": flag.terms, "score": flag.score},
        )


def scan_keywords(result: ScanResult, *, batch: int = BATCH, max_batches: int = 20) -> None:
    """Flag the new cases whose text holds an active term."""
    terms = active_terms()
    for _round in range(max_batches):
        mark = watermark(KEYWORD_SCAN)
        rows = list(
            Case.objects.filter(pk__gt=mark)
            .order_by("pk")
            .values_list("pk", "receipt_no", "title", "body")[:batch]
        )
        if not rows:
            return
        hits = {pk: matching_terms(f"{title} {body}", terms) for pk, _no, title, body in rows}
        flags = [
            SafetyFlag(case_id=pk, reason=SafetyFlagReason.KEYWORD, terms=found)
            for pk, found in hits.items()
            if found
        ]
        with transaction.atomic():
            already = set(
                SafetyFlag.objects.filter(case_id__in=[f.case_id for f in flags]).values_list(
                    "case_id", flat=True
                )
            )
            new = [flag for flag in flags if flag.case_id not in already]
            SafetyFlag.objects.bulk_create(new, ignore_conflicts=True)
            _record(new, {pk: no for pk, no, _t, _b in rows})
            _advance(KEYWORD_SCAN, rows[-1][0])
        result.keyword_flags += len(new)


def current_classifier() -> SafetyClassifier | None:
    """The newest classifier fitted on the current representation's vectors."""
    version = rep.current_version()
    if not version:
        return None
    return SafetyClassifier.objects.filter(model_version=version).order_by("-fitted_at", "-pk").first()


def _vectors(rows: list[tuple[int, bytes | memoryview | None]]) -> tuple[list[int], np.ndarray]:
    ids = [pk for pk, vector in rows if vector]
    if not ids:
        return [], np.zeros((0, 0), dtype=np.float32)
    matrix = np.vstack([np.frombuffer(bytes(vector), dtype=np.float32) for _pk, vector in rows if vector])
    return ids, matrix


def scan_classifier(result: ScanResult, *, batch: int = BATCH, max_batches: int = 20) -> None:
    """Score the newly analysed cases; flag those at or above the threshold."""
    classifier = current_classifier()
    for _round in range(max_batches):
        analyses = CaseAnalysis.objects.filter(case_id__gt=watermark(CLASSIFIER_SCAN)).order_by("case_id")
        if classifier is None:
            # Nothing to score with: the keyword scan has seen these cases; a first fit rewinds (`refit`).
            top = analyses.aggregate(top=Max("case_id"))["top"]
            if top:
                _advance(CLASSIFIER_SCAN, top)
            return
        rows = list(analyses.values_list("case_id", "model_version", "vector")[:batch])
        if not rows:
            return
        ids, matrix = _vectors([(pk, v) for pk, version, v in rows if version == classifier.model_version])
        probabilities = classifier.probabilities(matrix) if ids else np.zeros(0)
        scores = {pk: round(float(p), 4) for pk, p in zip(ids, probabilities, strict=True)}
        with transaction.atomic():
            existing = {flag.case_id: flag for flag in SafetyFlag.objects.filter(case_id__in=ids)}
            for flag in existing.values():
                flag.score = scores[flag.case_id]
            SafetyFlag.objects.bulk_update(list(existing.values()), ["score"])
            new = [
                SafetyFlag(case_id=pk, reason=SafetyFlagReason.CLASSIFIER, score=score)
                for pk, score in scores.items()
                if score >= classifier.threshold and pk not in existing
            ]
            SafetyFlag.objects.bulk_create(new, ignore_conflicts=True)
            numbers = dict(
                Case.objects.filter(pk__in=[f.case_id for f in new]).values_list("pk", "receipt_no")
            )
            _record(new, numbers)
            _advance(CLASSIFIER_SCAN, rows[-1][0])
        result.scored += len(ids)
        result.classifier_flags += len(new)
        if len(rows) < batch:
            return


def rewind_classifier_scan(days: int = RESCORE_DAYS) -> None:
    """After a refit, score again the cases received in the last `days` days (existing flags only get
    the new score; a dismissed case is never flagged again)."""
    since = timezone.now() - timedelta(days=days)
    first = Case.objects.filter(received_at__gte=since).order_by("pk").values_list("pk", flat=True).first()
    if first is not None:
        ScanWatermark.objects.update_or_create(name=CLASSIFIER_SCAN, defaults={"value": first - 1})


def scan() -> ScanResult:
    """The minute scan: keyword hits first, then the classifier over the newly analysed cases."""
    result = ScanResult()
    scan_keywords(result)
    scan_classifier(result)
    return result


# --- the classifier -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TrainingSet:
    ids: list[int]
    labels: np.ndarray
    weights: np.ndarray
    decisions: int


def training_set(version: str, *, sample: int = NEGATIVE_SAMPLE) -> TrainingSet:
    """Case ids with labels and weights (see the module docstring), among cases with a vector of `version`."""
    decided = dict(SafetyFlag.objects.exclude(status=SafetyFlagStatus.OPEN).values_list("case_id", "status"))
    marked = set(Case.objects.filter(is_urgent_safety=True).values_list("pk", flat=True))
    weak = set(
        SafetyFlag.objects.filter(status=SafetyFlagStatus.OPEN, reason=SafetyFlagReason.KEYWORD).values_list(
            "case_id", flat=True
        )
    )
    undecided_classifier = set(
        SafetyFlag.objects.filter(
            status=SafetyFlagStatus.OPEN, reason=SafetyFlagReason.CLASSIFIER
        ).values_list("case_id", flat=True)
    )
    labelled: dict[int, tuple[int, float]] = {}
    for pk in weak:
        labelled[pk] = (1, 1.0)
    for pk in marked:
        labelled[pk] = (1, DECIDED_WEIGHT)
    for pk, status in decided.items():
        labelled[pk] = (1 if status == SafetyFlagStatus.CONFIRMED else 0, DECIDED_WEIGHT)
    with_vector = CaseAnalysis.objects.filter(model_version=version)
    known = set(with_vector.filter(case_id__in=list(labelled)).values_list("case_id", flat=True))
    labelled = {pk: value for pk, value in labelled.items() if pk in known}
    skip = set(labelled) | undecided_classifier | marked | weak
    others = with_vector.order_by("-case_id").values_list("case_id", flat=True)[: sample + len(skip)]
    taken = 0
    for pk in others:
        if pk in skip:
            continue
        labelled[pk] = (0, 1.0)
        taken += 1
        if taken >= sample:
            break
    ids = sorted(labelled)
    return TrainingSet(
        ids=ids,
        labels=np.array([labelled[pk][0] for pk in ids], dtype=np.int8),
        weights=np.array([labelled[pk][1] for pk in ids], dtype=np.float64),
        decisions=sum(1 for pk in decided if pk in known),
    )


def _load_vectors(ids: list[int], version: str) -> np.ndarray:
    vectors: dict[int, bytes] = {}
    for start in range(0, len(ids), 2_000):
        chunk = ids[start : start + 2_000]
        rows = CaseAnalysis.objects.filter(case_id__in=chunk, model_version=version).values_list(
            "case_id", "vector"
        )
        vectors.update({pk: bytes(vector) for pk, vector in rows if vector})
    return np.vstack([np.frombuffer(vectors[pk], dtype=np.float32) for pk in ids])


def refit_classifier() -> SafetyClassifier | None:
    """Fit a new classifier on the current representation's vectors; None when there are too few examples
    of either class (the keyword list keeps working alone until then)."""
    from sklearn.linear_model import LogisticRegression

    version = rep.current_version()
    if not version:
        return None
    data = training_set(version)
    positives = int(data.labels.sum())
    negatives = len(data.ids) - positives
    if positives < MIN_POSITIVES or negatives < MIN_NEGATIVES:
        logger.info("insights.safety: %d positives, %d negatives: no classifier yet", positives, negatives)
        return None
    vectors = _load_vectors(data.ids, version)
    model = LogisticRegression(C=4.0, class_weight="balanced", max_iter=2_000)
    model.fit(vectors, data.labels, sample_weight=data.weights)
    classifier = SafetyClassifier.objects.create(
        model_version=version,
        weights=model.coef_[0].astype(np.float32).tobytes(),
        intercept=float(model.intercept_[0]),
        threshold=threshold(),
        positives=positives,
        negatives=negatives,
        decisions=data.decisions,
    )
    rewind_classifier_scan()
    return classifier


def refit_due(now: datetime | None = None) -> bool:
    """A refit is due when the current representation has no classifier, the last one is a day old, or
    staff decided a flag since it was fitted."""
    version = rep.current_version()
    if not version:
        return False
    latest = current_classifier()
    if latest is None:
        return True
    now = now or timezone.now()
    if latest.fitted_at < now - timedelta(days=1):
        return True
    return SafetyFlag.objects.filter(decided_at__gt=latest.fitted_at).exists()
