"""The portal wizard's draft folder: uploads wait here until the case is submitted.

Files live under `DRAFT_FOLDER/<draft id>/` in the default storage; the submit step moves them onto the
case inside its transaction, and the `cases.purge_drafts` sweep removes what abandoned wizards left.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.core.files.storage import default_storage
from django.utils import timezone

logger = logging.getLogger(__name__)

DRAFT_FOLDER = "cases/drafts"


def delete_draft_file(path: str) -> None:
    """Delete one file of a draft folder; anything outside the folder is left alone."""
    if not path or not path.startswith(DRAFT_FOLDER + "/"):
        return
    try:
        default_storage.delete(path)
    except OSError:
        logger.warning("could not delete draft file %s", path)


def purge_stale_drafts(*, older_than: timedelta = timedelta(days=1)) -> int:
    """Delete draft folders whose files are older than `older_than` (abandoned wizards); for the scheduler.

    A draft lives in the citizen's session, which expires long before a day has passed.
    """
    cutoff = timezone.now() - older_than
    removed = 0
    try:
        folders = default_storage.listdir(DRAFT_FOLDER)[0]
    except (FileNotFoundError, NotADirectoryError):
        return 0
    for folder in folders:
        path = f"{DRAFT_FOLDER}/{folder}"
        for name in default_storage.listdir(path)[1]:
            if default_storage.get_modified_time(f"{path}/{name}") < cutoff:
                default_storage.delete(f"{path}/{name}")
                removed += 1
    return removed
