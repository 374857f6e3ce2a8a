"""What other insights work reads about the topics (관리 군집): cases per Seoul receipt day, and labels.

Only active topics count: named or pinned, and not merged into another. The alerts read these to find
surges per topic; the figures come from `TopicAssignment`, which keeps the receipt time of its case so
that a period is one index range per topic.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Q
from django.db.models.functions import TruncDate

from sotong.core.business_calendar import SEOUL
from sotong.insights.models_clusters import Topic, TopicAssignment

ACTIVE = (Q(name__gt="") | Q(pinned=True)) & Q(merged_into__isnull=True)


def active_topics() -> Iterable[Topic]:
    return Topic.objects.filter(ACTIVE)


def daily_counts(first: date, last: date) -> dict[tuple[int, date], int]:
    """Cases of each active topic per Seoul receipt day in [first, last]: {(topic id, day): count}.

    Days without a case are absent (read a missing key as 0)."""
    start = datetime.combine(first, time(0), SEOUL)
    end = datetime.combine(last + timedelta(days=1), time(0), SEOUL)
    rows = (
        TopicAssignment.objects.filter(
            received_at__gte=start,
            received_at__lt=end,
            topic__in=Topic.objects.filter(ACTIVE).values("pk"),
        )
        .annotate(day=TruncDate("received_at", tzinfo=SEOUL))
        .values("topic_id", "day")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {(row["topic_id"], row["day"]): row["n"] for row in rows}


def labels(ids: Iterable[int]) -> dict[int, str]:
    """The label staff see for each topic id: its name, else its number and first keywords."""
    return {
        topic.pk: topic.label
        for topic in Topic.objects.filter(pk__in=list(ids)).only("pk", "name", "keywords")
    }
