"""Worker tasks of the alerts; each is idempotent and works from stored rows and watermarks."""

from __future__ import annotations

from django_tasks import task

from sotong.insights.alerts import safety, surges
from sotong.insights.board import rollup


@task()
def detect_surges() -> str:
    """급증 감지: each complete Seoul day of the last week not yet scanned (its rollup made exact first)."""
    results = []
    for day in surges.days_to_scan(rollup.seoul_today()):
        rollup.recompute_day(day)
        results.append(str(surges.detect_day(day)))
    return "; ".join(results) or "nothing to scan"


@task()
def scan_safety() -> str:
    """안전 위험 민원: new cases against the keyword list, newly analysed ones through the classifier."""
    return str(safety.scan())


@task()
def refit_safety_classifier() -> str:
    """The urgent-safety classifier fitted again on staff decisions, 긴급 안전 marks and keyword hits."""
    classifier = safety.refit_classifier()
    if classifier is None:
        return "too few examples"
    return f"fitted on {classifier.positives} positives, {classifier.negatives} negatives"
