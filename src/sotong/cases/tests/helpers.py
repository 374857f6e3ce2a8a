"""Helpers for the cases tests: a comparable picture of everything an action could change."""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from sotong.cases.models import Case
from sotong.core.models import Event
from sotong.messaging.models import Message

CAST = [
    "coordinator",
    "intake_officer",
    "handler",
    "other_dept_handler",
    "sns_officer",
    "programme_manager",
    "sysadmin",
]

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64
PDF = b"%PDF-1.7\n" + b"0" * 64


def upload(
    name: str = "photo.png", content: bytes = PNG, content_type: str = "image/png"
) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def state(case: Case) -> dict[str, Any]:
    """The case row and the counts of every related row, events and messages included."""
    fresh = Case.objects.get(pk=case.pk)
    row = {field.attname: getattr(fresh, field.attname) for field in Case._meta.concrete_fields}
    row.pop("updated_at")
    return {
        "row": row,
        "assignments": list(fresh.assignments.values_list("department_id", "role", "officer_id", "ended_at")),
        "transfers": fresh.transfers.count(),
        "extensions": fresh.extensions.count(),
        "notes": fresh.notes.count(),
        "answers": fresh.answers.count(),
        "avoidance": list(fresh.avoidance_requests.values_list("status", flat=True)),
        "related": sorted(fresh.related.values_list("pk", flat=True)),
        "surveys": fresh.surveys.count(),
        "attachments": fresh.attachments.count(),
        "events": Event.objects.count(),
        "messages": Message.objects.count(),
    }
