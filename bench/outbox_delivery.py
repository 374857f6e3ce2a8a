"""Outbox delivery throughput: what durability (transactional outbox + task queue + worker) costs.

Side by side in one run, on a fresh SQLite file database (or DATABASE_URL when set):
  bare    — the SMS backend's send() called directly for N messages (no database at all)
  outbox  — queue_sms() for N messages in one transaction, then the real db_worker drains the queue
Prints messages per second for each and the ratio outbox/bare. The backend is the in-memory one, so the
figures measure sotong's own cost, not a gateway's.

    .venv/bin/python bench/outbox_delivery.py [N]
"""

from __future__ import annotations

import io
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))


def main(count: int) -> None:
    workdir = tempfile.mkdtemp(prefix="sotong-bench-")
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{workdir}/bench.sqlite3")
    os.environ.update(
        SOTONG_DEMO="1",
        SOTONG_VAR_DIR=workdir,
        SOTONG_SMS_BACKEND="locmem",
        DJANGO_SETTINGS_MODULE="sotong.settings",
    )
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import transaction

    from sotong.messaging.actions import queue_sms
    from sotong.messaging.backends import get_sms_backend
    from sotong.messaging.models import Message, Status

    call_command("migrate", verbosity=0)
    texts = [f"[성동구] 민원 {i:06d}번이 접수되었습니다. 담당: 자치행정과 02-2286-5000" for i in range(count)]
    phones = [f"010{i:08d}" for i in range(count)]

    # bare: the backend alone, with in-memory message objects
    backend = get_sms_backend()
    unsaved = [
        Message(channel="sms", recipient=p, sender="0222860000", body_text=t)
        for p, t in zip(phones, texts, strict=True)
    ]
    start = time.perf_counter()
    for message in unsaved:
        backend.send(message)
    bare = count / (time.perf_counter() - start)

    # outbox: queue in one business transaction, then the real worker delivers each message as a task
    start = time.perf_counter()
    with transaction.atomic():
        for phone, text in zip(phones, texts, strict=True):
            queue_sms(phone, text, purpose="bench")
    queued = time.perf_counter() - start
    call_command(
        "db_worker",
        "--batch",
        "--queue-name",
        "*",
        "--no-startup-delay",
        "--no-reload",
        verbosity=0,
        stdout=io.StringIO(),
    )
    total = time.perf_counter() - start
    sent = Message.objects.filter(status=Status.SENT).count()
    assert sent == count, f"only {sent} of {count} sent"
    outbox = count / total

    print(f"messages: {count}  database: {django.db.connection.vendor}")
    print(f"bare backend send     {bare:12,.0f} msg/s")
    print(f"outbox queue only     {count / queued:12,.0f} msg/s")
    print(f"outbox queue+deliver  {outbox:12,.0f} msg/s")
    print(f"ratio outbox/bare     {outbox / bare:12.4f}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 2000)
