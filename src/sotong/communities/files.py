"""Checking uploaded photos and minutes attachments: recognised by their content, limited in size."""

from __future__ import annotations

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

from sotong.communities.errors import CommunitiesError
from sotong.core.files import DOCUMENT_TYPES, IMAGE_TYPES, sniff_content_type


def max_bytes() -> int:
    return int(getattr(settings, "SOTONG_COMMUNITIES_FILE_MAX_BYTES", 10 * 1024 * 1024))


def check_upload(uploaded: UploadedFile, *, photos_only: bool, field: str) -> tuple[str, str, int]:
    """(safe name, content type, size) of an accepted file; a refused one raises `CommunitiesError`."""
    size = uploaded.size or 0
    if size <= 0:
        raise CommunitiesError(_("빈 파일은 올릴 수 없습니다."), field=field)
    limit = max_bytes()
    if size > limit:
        raise CommunitiesError(
            _("파일이 너무 큽니다. %(mb)sMB 이하만 올릴 수 있습니다.")
            % {"mb": round(limit / 1024 / 1024, 1)},
            field=field,
        )
    uploaded.seek(0)
    head = uploaded.read(16)
    uploaded.seek(0)
    content_type = sniff_content_type(head)
    allowed = IMAGE_TYPES if photos_only else DOCUMENT_TYPES
    name = get_valid_filename((uploaded.name or "file").rsplit("/", 1)[-1])[:150] or "file"
    if content_type not in allowed or not name.lower().endswith(allowed[content_type]):
        message = (
            _("사진(JPG, PNG, GIF, WEBP)만 올릴 수 있습니다.")
            if photos_only
            else _("사진(JPG, PNG, GIF, WEBP)과 PDF 파일만 올릴 수 있습니다.")
        )
        raise CommunitiesError(message, field=field)
    return name, content_type, size
