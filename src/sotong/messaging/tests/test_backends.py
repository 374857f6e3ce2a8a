"""The development SMS backends: file (one JSON line per message) and console."""

from __future__ import annotations

import io
import json

import pytest

from sotong.messaging.actions import queue_sms
from sotong.messaging.backends.sms import ConsoleSmsBackend, get_sms_backend
from sotong.messaging.models import Status
from sotong.messaging.tasks import deliver_message

pytestmark = pytest.mark.django_db


def test_file_backend_writes_one_json_line_per_message(settings, tmp_path, run_worker):
    # given
    settings.SOTONG_SMS_BACKEND = "file"
    settings.SOTONG_SMS_FILE_PATH = str(tmp_path / "sms")
    short = queue_sms("010-1234-5678", "첫째 안내")
    long = queue_sms("010-1234-5679", "둘째 안내 " * 20, subject="제목")

    # when
    run_worker()

    # then
    [written] = list((tmp_path / "sms").glob("*.jsonl"))
    lines = [json.loads(line) for line in written.read_text(encoding="utf-8").splitlines()]
    assert {line["customFields"]["messageId"] for line in lines} == {str(short.pk), str(long.pk)}
    by_id = {line["customFields"]["messageId"]: line for line in lines}
    assert by_id[str(short.pk)]["text"] == "첫째 안내"
    assert by_id[str(long.pk)]["type"] == "LMS"
    short.refresh_from_db()
    assert short.status == Status.SENT


def test_console_backend_prints_the_message(db):
    stream = io.StringIO()
    message = queue_sms("010-1234-5678", "콘솔 안내")

    [result] = ConsoleSmsBackend(stream).send_many([message])

    assert result.ok
    assert json.loads(stream.getvalue())["text"] == "콘솔 안내"


def test_unknown_backend_name_fails_the_attempt_for_a_later_retry(settings):
    # given a misconfigured deployment
    settings.SOTONG_SMS_BACKEND = "sotong.messaging.backends.sms.NoSuchBackend"
    message = queue_sms("010-1234-5678", "설정 오류")

    # when
    status = deliver_message.call(str(message.pk))

    # then the message is kept for another try, with the reason
    assert status == Status.RETRYING
    message.refresh_from_db()
    assert "NoSuchBackend" in message.last_error
    with pytest.raises(ImportError):
        get_sms_backend()
