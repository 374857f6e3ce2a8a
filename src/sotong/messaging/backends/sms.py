"""SMS backends for development and tests: console, file (JSON lines) and locmem; `http` is the gateway."""

from __future__ import annotations

import json
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

from sotong.messaging.backends.base import SendResult, SmsBackend

if TYPE_CHECKING:
    from sotong.messaging.models import Message

# Like django.core.mail.outbox: what the locmem backend "sent", for tests to read.
outbox: list[dict[str, Any]] = []

BACKENDS = {
    "console": "sotong.messaging.backends.sms.ConsoleSmsBackend",
    "file": "sotong.messaging.backends.sms.FileSmsBackend",
    "locmem": "sotong.messaging.backends.sms.LocmemSmsBackend",
    "http": "sotong.messaging.backends.http.HttpSmsBackend",
}


def get_sms_backend(name: str | None = None) -> SmsBackend:
    """The backend named by SOTONG_SMS_BACKEND: console, file, locmem, http, or a dotted path."""
    name = name or settings.SOTONG_SMS_BACKEND
    backend_class = import_string(BACKENDS.get(name, name))
    return backend_class()


class ConsoleSmsBackend(SmsBackend):
    """Prints each message as one JSON line on standard output."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stdout

    def send_many(self, messages: Sequence[Message]) -> list[SendResult]:
        for message in messages:
            self.stream.write(json.dumps(self.payload(message), ensure_ascii=False) + "\n")
        self.stream.flush()
        return [SendResult.sent(f"console-{message.pk}") for message in messages]


class FileSmsBackend(SmsBackend):
    """Appends one JSON line per message to `<SOTONG_SMS_FILE_PATH>/sms-YYYYMMDD.jsonl`."""

    _lock = threading.Lock()

    def __init__(self, path: str | Path | None = None) -> None:
        self.directory = Path(path or settings.SOTONG_SMS_FILE_PATH)

    def send_many(self, messages: Sequence[Message]) -> list[SendResult]:
        self.directory.mkdir(parents=True, exist_ok=True)
        now = timezone.localtime()
        target = self.directory / f"sms-{now:%Y%m%d}.jsonl"
        lines = "".join(
            json.dumps({"at": now.isoformat(), **self.payload(m)}, ensure_ascii=False) + "\n"
            for m in messages
        )
        with self._lock, target.open("a", encoding="utf-8") as handle:
            handle.write(lines)
        return [SendResult.sent(f"file-{message.pk}") for message in messages]


class LocmemSmsBackend(SmsBackend):
    """Keeps messages in `sotong.messaging.backends.sms.outbox` (tests)."""

    def send_many(self, messages: Sequence[Message]) -> list[SendResult]:
        outbox.extend(self.payload(message) for message in messages)
        return [SendResult.sent(f"locmem-{message.pk}") for message in messages]
