"""The campaign report: totals from the recipients' states (one grouped count, plus the rows already deleted
after the retention period, counted by status in `Campaign.purged_counts`), hours from `HourlyStat`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sotong.campaigns.models import Campaign, DeliveryEvent, EventKind, HourlyStat, RecipientStatus

S = RecipientStatus


@dataclass
class Report:
    totals: dict[str, int]
    hours: list[dict[str, Any]] = field(default_factory=list)

    LABELS = (
        ("recipients", gettext_lazy("대상")),
        ("sent", gettext_lazy("발송")),
        ("delivered", gettext_lazy("도달")),
        ("failed", gettext_lazy("실패")),
        ("bounced", gettext_lazy("반송")),
        ("unsubscribed", gettext_lazy("수신 거부")),
        ("skipped", gettext_lazy("발송 제외")),
        ("pending", gettext_lazy("대기")),
    )

    def rows(self) -> list[tuple[str, int]]:
        return [(str(label), self.totals[key]) for key, label in self.LABELS]

    def table(self) -> list[list[Any]]:
        """Totals, a blank line, then one line per hour (for CSV and XLSX)."""
        out: list[list[Any]] = [[_("항목"), _("건수")]]
        out += [[label, value] for label, value in self.rows()]
        out.append([])
        out.append([_("시각"), _("발송"), _("실패"), _("도달"), _("반송"), _("수신 거부")])
        for hour in self.hours:
            out.append(
                [
                    hour["hour"],
                    hour["sent"],
                    hour["failed"],
                    hour["delivered"],
                    hour["bounced"],
                    hour["unsubscribed"],
                ]
            )
        return out


def status_counts(campaign: Campaign) -> dict[int, int]:
    """Recipients by status: the rows still kept and the ones the clean-up sweep deleted."""
    counts = dict.fromkeys(S.values, 0)
    for status, number in campaign.recipients.order_by().values_list("status").annotate(n=Count("pk")):
        counts[status] += number
    for status, number in (campaign.purged_counts or {}).items():
        counts[int(status)] += int(number)
    return counts


def totals_from(counts: dict[int, int]) -> dict[str, int]:
    """The report's totals from the counts by status (sent counts what went out, delivered or bounced)."""
    return {
        "recipients": sum(counts.values()),
        "sent": counts[S.SENT] + counts[S.DELIVERED] + counts[S.BOUNCED],
        "delivered": counts[S.DELIVERED],
        "failed": counts[S.FAILED],
        "bounced": counts[S.BOUNCED],
        "skipped": counts[S.SKIPPED],
        "pending": counts[S.PENDING] + counts[S.SENDING],
    }


def campaign_report(campaign: Campaign) -> Report:
    counts: dict[str, int] = totals_from(status_counts(campaign))
    counts["unsubscribed"] = DeliveryEvent.objects.filter(
        campaign=campaign, kind=EventKind.UNSUBSCRIBED
    ).count()
    hours = [
        {
            "hour": timezone.localtime(stat.hour).strftime("%Y-%m-%d %H:00"),
            "sent": stat.sent,
            "failed": stat.failed,
            "delivered": stat.delivered,
            "bounced": stat.bounced,
            "unsubscribed": stat.unsubscribed,
        }
        for stat in HourlyStat.objects.filter(campaign=campaign).order_by("hour")
    ]
    return Report(totals=counts, hours=hours)
