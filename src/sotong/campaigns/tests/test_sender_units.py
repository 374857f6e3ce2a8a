"""The sender's parts on their own: the sliding window, and pausing mid-campaign then resuming."""

from __future__ import annotations

from collections import Counter

from sotong.campaigns import actions
from sotong.campaigns.models import RecipientStatus, State
from sotong.campaigns.sender import CampaignSender, SlidingWindow


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def test_sliding_window_never_lets_more_than_the_limit_through_in_any_second() -> None:
    clock = FakeClock()
    window = SlidingWindow(10, 1.0, clock=clock, sleep=clock.sleep)
    sent_at: list[float] = []
    for _ in range(35):
        window.acquire(1)
        sent_at.append(clock.now)
        clock.now += 0.01
    for moment in sent_at:
        assert sum(1 for t in sent_at if moment <= t < moment + 1.0) <= 10
    assert sent_at[-1] >= 3.0  # 35 at 10 a second take more than three seconds
    assert clock.slept


def test_paused_campaign_stops_at_a_batch_boundary_and_resumes_with_the_rest_once(
    settings, programme_manager, newsletter, sms_template, make_subscriber, make_list, sms_gateway
) -> None:
    settings.SOTONG_CAMPAIGN_BATCH_SIZE = 4
    readers = [make_subscriber(newsletter) for _ in range(10)]
    campaign = actions.create_campaign(
        programme_manager, name="정지", template=sms_template, lists=[make_list(readers)]
    )
    actions.start_campaign(programme_manager, campaign)

    class PauseAfterFirstBatch(CampaignSender):
        paused = False

        def flush(self) -> None:
            recorded = self.pending["sent"]
            super().flush()
            if recorded and not self.paused:
                self.paused = True
                actions.pause_campaign(programme_manager, self.campaign)

    # The first batch is recorded while the second is already on the wire (the sender keeps one gateway
    # call ahead): the pause lets that one finish and be recorded, and claims nothing more.
    assert PauseAfterFirstBatch(campaign.pk).run() == State.PAUSED
    assert len(sms_gateway.requests) == 2
    assert len(sms_gateway.messages) == 8
    assert campaign.recipients.filter(status=RecipientStatus.SENT).count() == 8
    assert campaign.recipients.filter(status=RecipientStatus.PENDING).count() == 2
    assert not campaign.recipients.filter(status=RecipientStatus.SENDING).exists()

    actions.resume_campaign(programme_manager, campaign)
    assert CampaignSender(campaign.pk).run() == State.FINISHED
    numbers = Counter(item["to"] for item in sms_gateway.messages)
    assert numbers == Counter({reader.mobile.replace("-", ""): 1 for reader in readers})
    campaign.refresh_from_db()
    assert (campaign.sent, campaign.total) == (10, 10)


def test_fast_template_path_renders_exactly_as_the_django_engine() -> None:
    from django.template import Context, Engine

    from sotong.campaigns.rendering import _compile, _render, _Simple

    values = {
        "name": "<홍&길동>",
        "masked_name": "홍*동",
        "dong": "행당{1}동",
        "district": "",
        "birth_year": "1980",
        "occupation": "회사원 {occupation}",
    }
    sources = [
        "{{ name }}님 {안녕} {{dong}} }} {",
        "<p>{{ name }}</p>{{ occupation }}{# 주석 #}",
        "plain {0} {name} {{ birth_year }}{{ name }}{{ name }}",
        "",
    ]
    for source in sources:
        for autoescape in (False, True):
            compiled = _compile(source, autoescape)
            assert isinstance(compiled, _Simple)
            expected = (
                Engine(autoescape=autoescape)
                .from_string(source)
                .render(Context(values, autoescape=autoescape))
            )
            assert _render(compiled, values, autoescape) == expected


def test_base64_parts_are_cut_in_crlf_lines_of_76_as_encodebytes_would() -> None:
    import base64

    from sotong.campaigns.mime import _b64

    for length in (0, 1, 18, 19, 20, 100, 1500):
        text = "가a" * length
        assert _b64(text) == base64.encodebytes(text.encode()).replace(b"\n", b"\r\n")


def test_the_run_commits_without_waiting_for_the_disk_and_restores_the_setting_after(
    settings, programme_manager, newsletter, sms_template, make_subscriber, make_list, sms_gateway
) -> None:
    from django.db import connection

    def durability() -> str:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SHOW synchronous_commit")
            else:
                cursor.execute("PRAGMA synchronous")
            return str(cursor.fetchone()[0])

    before = durability()
    seen: list[str] = []

    class Watching(CampaignSender):
        def flush(self) -> None:
            seen.append(durability())
            super().flush()

    campaign = actions.create_campaign(
        programme_manager,
        name="비동기 커밋",
        template=sms_template,
        lists=[make_list([make_subscriber(newsletter) for _ in range(3)])],
    )
    actions.start_campaign(programme_manager, campaign)
    assert Watching(campaign.pk).run() == State.FINISHED

    # PostgreSQL: synchronous_commit off while the loop runs; SQLite: WAL with synchronous=NORMAL (1),
    # the same guarantee (a killed process loses no commit), set for every connection
    assert seen
    assert set(seen) == ({"off"} if connection.vendor == "postgresql" else {"1"})
    assert durability() == before
