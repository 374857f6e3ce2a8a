"""Recognising uploaded files by their content (the first bytes), not by the name the sender gave them."""

from __future__ import annotations

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
