"""급증 감지: categories, dongs and clusters whose cases of one Seoul day rose beyond their expected level.

For one day D and each key (a category code, a dong, a cluster) with at least `MIN_COUNT` cases on D:

- the baseline is the `BASELINE_DAYS` (8 weeks) before D; weekday factors come from the district's total
  over the same days (Mondays are busier than Sundays everywhere, and one key has too few cases to learn
  its own week; a public holiday counts as a Sunday), so the key's expected count on D is its rate per average day × D's weekday factor, and
  never below `FLOOR` (a key that was silent for 8 weeks is not expected at zero);
- the spread is quasi-Poisson: the dispersion φ (≥ 1, ≤ `MAX_DISPERSION`) is the key's own variance over
  its expected counts in the baseline; with φ > 1 the count is read as negative binomial with that mean
  and variance φ·mean, otherwise as Poisson;
- D is a surge when P(X ≥ observed) < `ALPHA` (0.001: some 50 keys are tested a day, so about one false
  alarm in 20 days), the count is at least `MIN_COUNT` and at least `MIN_RATIO` × expected. `upper` is
  the smallest count that would have been one; `score` is −log10 P.

Category and dong counts are read from the board's `DailyCaseRollup` rows (never the cases); cluster
counts from `sotong.insights.clusters.counts` when that module is there. Detecting a day twice gives
the same rows and no second notice (`notified_at`, outbox idempotency keys).
"""

from __future__ import annotations

import importlib
import math
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from scipy import stats

from sotong.accounts.models import Role, User
from sotong.core.business_calendar import business_calendar
from sotong.core.events import record_event
from sotong.core.models import Code
from sotong.insights.board.rollup import days_between
from sotong.insights.models import DailyCaseRollup
from sotong.insights.models_alerts import Surge, SurgeDimension, SurgeScan
from sotong.messaging.actions import queue_email
from sotong.messaging.models import Message

BASELINE_DAYS = 56
MIN_COUNT = 5
MIN_RATIO = 1.5
ALPHA = 0.001
FLOOR = 0.5
MAX_DISPERSION = 5.0
ACTOR = "insights.surges"

# day → key → count
Counts = dict[date, dict[str, int]]


@dataclass(frozen=True)
class Expectation:
    expected: float
    dispersion: float
    upper: int
    p_value: float

    @property
    def score(self) -> float:
        return round(-math.log10(max(self.p_value, 1e-300)), 2)


def _distribution(mean: float, dispersion: float) -> Any:
    if dispersion > 1.0:
        return stats.nbinom(mean / (dispersion - 1.0), 1.0 / dispersion)
    return stats.poisson(mean)


def day_type(day: date) -> int:
    """The weekday (0 Monday … 6 Sunday), a public holiday on a weekday read as a Sunday: offices are
    closed and the phone and visit channels are silent, so it looks like one."""
    weekday = day.weekday()
    if weekday < 5 and not business_calendar().is_working_day(day):
        return 6
    return weekday


def weekday_factors(totals: dict[date, int], first: date, last: date) -> list[float]:
    """Each weekday's mean district total over the overall daily mean, [first, last]; 1.0 without data."""
    sums, days = [0.0] * 7, [0] * 7
    for day in days_between(first, last):
        kind = day_type(day)
        sums[kind] += totals.get(day, 0)
        days[kind] += 1
    overall = sum(sums) / max(sum(days), 1)
    if overall <= 0:
        return [1.0] * 7
    return [(sums[w] / days[w]) / overall if days[w] else 1.0 for w in range(7)]


def expectation(
    history: dict[date, int], first: date, last: date, day: date, factors: list[float], observed: int
) -> Expectation:
    """The expected count of one key on `day` from its counts on [first, last], the surge bound and the
    chance of `observed` or more."""
    weights = {d: factors[day_type(d)] for d in days_between(first, last)}
    weight_sum = sum(weights.values())
    rate = sum(history.get(d, 0) for d in weights) / weight_sum if weight_sum else 0.0
    dispersion = 1.0
    if rate > 0 and len(weights) > 1:
        chi = 0.0
        for d, factor in weights.items():
            mean = rate * factor
            if mean > 0:
                chi += (history.get(d, 0) - mean) ** 2 / mean
        dispersion = min(max(chi / (len(weights) - 1), 1.0), MAX_DISPERSION)
    expected = max(rate * factors[day_type(day)], FLOOR)
    distribution = _distribution(expected, dispersion)
    bound = int(distribution.isf(ALPHA)) + 1
    upper = max(bound, MIN_COUNT, math.ceil(expected * MIN_RATIO))
    p_value = float(distribution.sf(observed - 1))
    return Expectation(round(expected, 2), round(dispersion, 2), upper, p_value)


def _rollup_counts(field: str, first: date, last: date) -> Counts:
    counts: Counts = defaultdict(dict)
    rows = (
        DailyCaseRollup.objects.filter(day__gte=first, day__lte=last)
        .exclude(**{field: ""})
        .order_by()
        .values_list("day", field)
        .annotate(n=Sum("received"))
    )
    for day, key, n in rows:
        counts[day][str(key)] = int(n or 0)
    return counts


def _district_totals(first: date, last: date) -> dict[date, int]:
    rows = DailyCaseRollup.objects.filter(day__gte=first, day__lte=last).order_by().values_list("day")
    return {day: int(n or 0) for day, n in rows.annotate(n=Sum("received"))}


def _category_labels(keys: list[str]) -> dict[str, str]:
    names = dict(Code.objects.in_group("case_category").filter(code__in=keys).values_list("code", "name"))
    return {key: names.get(key, key) for key in keys}


def _clusters() -> Any | None:
    """The topics' counting module (`sotong.insights.clusters.counts`), looked up when used so that the
    category and dong surges never depend on it."""
    try:
        return importlib.import_module("sotong.insights.clusters.counts")
    except ImportError:
        return None


def _cluster_counts(first: date, last: date) -> Counts:
    """Cases per active topic (named or pinned cluster) and day: `clusters.counts.daily_counts`."""
    module = _clusters()
    if module is None:
        return {}
    counts: Counts = defaultdict(dict)
    for (topic, day), n in module.daily_counts(first, last).items():
        counts[day][str(topic)] = int(n)
    return counts


def _cluster_labels(keys: list[str]) -> dict[str, str]:
    module = _clusters()
    found: dict[Any, str] = dict(module.labels([int(key) for key in keys])) if module else {}
    return {key: found.get(int(key)) or _("군집 %(key)s") % {"key": key} for key in keys}


DIMENSIONS: dict[str, tuple[Callable[[date, date], Counts], Callable[[list[str]], dict[str, str]]]] = {
    SurgeDimension.CATEGORY: (partial(_rollup_counts, "category"), _category_labels),
    SurgeDimension.DONG: (partial(_rollup_counts, "dong"), lambda keys: {k: k for k in keys}),
    SurgeDimension.CLUSTER: (_cluster_counts, _cluster_labels),
}


def find_surges(day: date) -> list[Surge]:
    """The surges of `day` (unsaved rows), from the stored counts of `day` and the 8 weeks before it."""
    first, last = day - timedelta(days=BASELINE_DAYS), day - timedelta(days=1)
    totals = _district_totals(first, last)
    if not any(totals.values()):
        return []  # no history to compare with
    factors = weekday_factors(totals, first, last)
    found: list[Surge] = []
    for dimension, (counter, labeller) in DIMENSIONS.items():
        today = counter(day, day).get(day, {})
        candidates = {key: n for key, n in today.items() if n >= MIN_COUNT}
        if not candidates:
            continue
        history = counter(first, last)
        surges = []
        for key, observed in candidates.items():
            per_day = {d: history[d][key] for d in history if key in history[d]}
            scored = expectation(per_day, first, last, day, factors, observed)
            if observed < scored.upper:
                continue
            surges.append(
                Surge(
                    dimension=dimension,
                    key=key,
                    day=day,
                    observed=observed,
                    expected=scored.expected,
                    upper=scored.upper,
                    score=scored.score,
                )
            )
        labels = labeller([surge.key for surge in surges]) if surges else {}
        for surge in surges:
            surge.label = labels.get(surge.key, surge.key)[:200]
        found.extend(surges)
    return found


def coordinators() -> list[User]:
    """Active coordinators with an e-mail address (the surge notices go to them)."""
    return list(
        User.objects.filter(
            is_active=True, role_grants__role=Role.COORDINATOR, role_grants__revoked_at__isnull=True
        )
        .exclude(email="")
        .distinct()
        .order_by("pk")
    )


def case_list_link(surge: Surge) -> str:
    """Where the surge's cases are: the office case list of that day and category or dong; for a topic
    (no list filter exists) the page of its latest cluster, with its example cases, when there is one."""
    from sotong.insights.board.read import case_list_url

    if surge.dimension != SurgeDimension.CLUSTER:
        return case_list_url(surge.day, surge.day, **{surge.dimension: surge.key})
    from sotong.insights.models_clusters import Cluster

    latest = (
        Cluster.objects.filter(topic_id=int(surge.key)).order_by("-pk").values_list("pk", flat=True).first()
    )
    return reverse("insights_office:cluster", args=[latest]) if latest else ""


def _notify(surge: Surge, recipients: list[User]) -> int:
    keys = {
        user.pk: f"insights.surge:{surge.dimension}:{surge.key}:{surge.day.isoformat()}:{user.pk}"
        for user in recipients
    }
    used = set(
        Message.objects.filter(idempotency_key__in=keys.values()).values_list("idempotency_key", flat=True)
    )
    link = case_list_link(surge)
    sent = 0
    for user in recipients:
        if keys[user.pk] in used:
            continue
        queue_email(
            user.email,
            _("[민원 급증] %(day)s %(dimension)s %(label)s %(observed)d건")
            % {
                "day": surge.day.isoformat(),
                "dimension": surge.get_dimension_display(),
                "label": surge.label[:60],
                "observed": surge.observed,
            },
            _(
                "%(name)s님, 평소보다 민원이 크게 늘었습니다.\n\n"
                "날짜: %(day)s\n구분: %(dimension)s\n대상: %(label)s\n접수: %(observed)d건 "
                "(평소 예상 %(expected).1f건, 급증 기준 %(upper)d건 이상)\n\n"
                "급증 목록: %(surges)s\n%(cases)s"
            )
            % {
                "name": user.get_full_name(),
                "day": surge.day.isoformat(),
                "dimension": surge.get_dimension_display(),
                "label": surge.label,
                "observed": surge.observed,
                "expected": surge.expected,
                "upper": surge.upper,
                "surges": settings.SITE_URL + reverse("insights_office:surges"),
                "cases": (_("해당 민원: %(url)s\n") % {"url": settings.SITE_URL + link}) if link else "",
            },
            purpose="insights.surge",
            about=surge,
            idempotency_key=keys[user.pk],
            actor=ACTOR,
        )
        sent += 1
    return sent


@dataclass(frozen=True)
class DetectResult:
    day: date
    surges: int
    notices: int

    def __str__(self) -> str:
        return f"{self.day}: {self.surges} surges, {self.notices} notices"


def detect_day(day: date, now: datetime | None = None) -> DetectResult:
    """Store the surges of `day` (replacing un-notified rows that no longer hold) and tell the
    coordinators of each new one; running it again changes nothing and sends nothing."""
    now = now or timezone.now()
    found = find_surges(day)
    with transaction.atomic():
        existing = {(s.dimension, s.key): s for s in Surge.objects.select_for_update().filter(day=day)}
        keep: set[tuple[str, str]] = set()
        stored: list[Surge] = []
        for surge in found:
            key = (surge.dimension, surge.key)
            keep.add(key)
            old = existing.get(key)
            if old is None:
                surge.detected_at = now
                surge.save()
                record_event(
                    ACTOR,
                    "insights.surge_detected",
                    surge,
                    after={"observed": surge.observed, "expected": surge.expected},
                )
                stored.append(surge)
                continue
            old.label, old.observed, old.expected = surge.label, surge.observed, surge.expected
            old.upper, old.score = surge.upper, surge.score
            old.save(update_fields=["label", "observed", "expected", "upper", "score"])
            stored.append(old)
        stale = [s.pk for key, s in existing.items() if key not in keep and s.notified_at is None]
        Surge.objects.filter(pk__in=stale).delete()
        recipients = coordinators()
        notices = 0
        for surge in stored:
            if surge.notified_at is not None:
                continue
            notices += _notify(surge, recipients)
            surge.notified_at = now
            surge.save(update_fields=["notified_at"])
        SurgeScan.objects.update_or_create(day=day, defaults={"scanned_at": now, "found": len(stored)})
    return DetectResult(day, len(stored), notices)


def days_to_scan(today: date, *, back: int = 7) -> list[date]:
    """Complete days (before `today`) not yet scanned, at most `back` days back."""
    wanted = [today - timedelta(days=n) for n in range(back, 0, -1)]
    done = set(SurgeScan.objects.filter(day__in=wanted).values_list("day", flat=True))
    return [day for day in wanted if day not in done]
