"""Who may act on the registry, and small helpers every people action shares.

Actors are a staff `User` (checked against the `people.*` rules in `people/rules.py` themselves, so
Django's superuser shortcut grants nothing here) or one of the
labels below for work nobody on the staff does by hand:

    CITIZEN    the person themself on the portal, after the view has verified them (SMS code, e-mail link)
    SCHEDULER  the periodic sweeps (retention, re-confirmation notices)
    SYSTEM     other apps' actions (communities adding a membership…)
"""

from __future__ import annotations

from typing import Any

import rules
from django.utils.translation import gettext as _

from sotong.accounts.models import User
from sotong.people.errors import NotPermitted
from sotong.people.models import Person

CITIZEN = "citizen"
SCHEDULER = "scheduler"
SYSTEM = "system"


def require(actor: Any, perm: str, *, labels: frozenset[str] = frozenset()) -> None:
    """Refuse unless `actor` is a staff user holding `perm` or one of the allowed actor `labels`."""
    if isinstance(actor, User):
        # The rule itself, not `User.has_perm`: a superuser gets no registry rights it was not granted.
        if actor.is_active and rules.has_perm(perm, actor):
            return
    elif isinstance(actor, str) and actor in labels:
        return
    raise NotPermitted(_("이 작업을 할 권한이 없습니다."), code="not_permitted")


def locked(person: Person) -> Person:
    """A fresh copy of `person` locked for update (the instance passed in is never changed)."""
    return Person.objects.select_for_update().get(pk=person.pk)


def refuse_anonymised(person: Person) -> None:
    from sotong.people.errors import PeopleError

    if person.anonymised_at is not None:
        raise PeopleError(_("익명화된 정책고객은 변경할 수 없습니다."), code="anonymised")


def summary(person: Person) -> dict[str, Any]:
    """The person's fields as an Event keeps them: masked contact, never the plain values."""
    masked = person.masked()
    return {
        "name": masked["name"],
        "gender": person.gender,
        "birth_year": person.birth_year,
        "dong": person.dong,
        "district": person.district,
        "mobile": masked["mobile"],
        "email": masked["email"],
        "occupation": person.occupation,
        "source": person.source,
    }
