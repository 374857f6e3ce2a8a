"""The campaign's work on the real worker: one task runs the sender until the campaign is done or waits."""

from __future__ import annotations

from django_tasks import task


@task(queue_name="messages")
def run_campaign(campaign_id: int) -> str:
    """Send campaign `campaign_id` (idempotent: a second task finds the lease taken or nothing pending)."""
    from sotong.campaigns.sender import CampaignSender

    return CampaignSender(campaign_id).run()
