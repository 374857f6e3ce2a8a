"""Writing the Event timeline: every action calls `record_event` inside its transaction."""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from sotong.core.db.inserts import insert_row
from sotong.core.models import Event


def _actor_label(actor: Any) -> str:
    if actor is None:
        return "system"
    if isinstance(actor, str):
        return actor
    return str(getattr(actor, "username", "") or actor)


def record_event(
    actor: Any,
    verb: str,
    target: models.Model | None = None,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    note: str = "",
    ip_address: str | None = None,
) -> Event:
    """Append one Event. `actor` is a user, a label such as "citizen" or "scheduler", or None (system)."""
    user = actor if getattr(actor, "pk", None) is not None and hasattr(actor, "get_username") else None
    event = Event(
        actor=user,
        actor_label=_actor_label(actor),
        verb=verb,
        before=_jsonable(before or {}),
        after=_jsonable(after or {}),
        note=note,
        ip_address=ip_address,
    )
    if target is not None:
        event.target_type = ContentType.objects.get_for_model(target._meta.model)
        event.target_id = str(target.pk)
        event.target_label = str(target)[:200]
    insert_row(event)
    return event


def _jsonable(values: dict[str, Any]) -> dict[str, Any]:
    """Values as JSON can hold them: model instances become their pk, dates their ISO text."""
    out: dict[str, Any] = {}
    for key, value in values.items():
        if isinstance(value, models.Model):
            out[key] = value.pk
        elif hasattr(value, "isoformat"):
            out[key] = value.isoformat()
        elif isinstance(value, list | tuple | set):
            out[key] = [v.pk if isinstance(v, models.Model) else v for v in value]
        else:
            out[key] = value
    return out
