"""Recognising uploaded files by their content (the first bytes), not by the name the sender gave them."""

from __future__ import annotations

from typing import Any

IMAGE_TYPES: dict[str, tuple[str, ...]] = {
    "image/jpeg": (".jpg", ".jpeg"),
    "image/png": (".png",),
    "image/gif": (".gif",),
    "image/webp": (".webp",),
}
# Images and PDF: what citizens and staff may attach; each type with the file-name endings that go with it.
DOCUMENT_TYPES: dict[str, tuple[str, ...]] = {**IMAGE_TYPES, "application/pdf": (".pdf",)}


def sniff_content_type(head: bytes) -> str | None:
    """The type of a file from its first 16 bytes, or None when it is none of `DOCUMENT_TYPES`."""
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    return None


# The `accept` attribute of a file input for `DOCUMENT_TYPES`: the types and their endings.
DOCUMENT_ACCEPT = ",".join([*DOCUMENT_TYPES, *(ext for exts in DOCUMENT_TYPES.values() for ext in exts)])


def upload_content_type(upload: Any) -> str | None:
    """The type of an upload when its content and its file name agree (a JPEG named .jpg), else None."""
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    content_type = sniff_content_type(head)
    if content_type is None or not (upload.name or "").lower().endswith(DOCUMENT_TYPES[content_type]):
        return None
    return content_type
