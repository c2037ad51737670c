"""Attachments are judged by what they contain, not by their names (a .jpg that is an .exe is
refused). Accepted: JPEG, PNG, WebP, HEIC/HEIF (iPhone photos), GIF and PDF, each at most
``MAX_BYTES``, at most ``MAX_FILES`` per submission."""

from __future__ import annotations

import hashlib

from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

MAX_BYTES = 10 * 1024 * 1024
MAX_FILES = 6

KINDS = {
    "image/jpeg": "JPEG",
    "image/png": "PNG",
    "image/webp": "WebP",
    "image/heic": "HEIC",
    "image/gif": "GIF",
    "application/pdf": "PDF",
}


def sniff(head: bytes) -> str | None:
    """The MIME type the first bytes prove, or None."""
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head[4:8] == b"ftyp" and head[8:12] in (
        b"heic",
        b"heix",
        b"mif1",
        b"msf1",
        b"heis",
        b"hevc",
    ):
        return "image/heic"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    return None


def check(upload, *, field: str = "attachments") -> tuple[str, int, str]:
    """(content type, size, sha256) of an uploaded file, or ValidationError naming the file."""
    name = getattr(upload, "name", "") or _("file")
    size = upload.size or 0
    if size == 0:
        raise ValidationError({field: _("“%(name)s” is empty.") % {"name": name}})
    if size > MAX_BYTES:
        raise ValidationError(
            {
                field: _("“%(name)s” is %(size)s; at most %(max)s per file.")
                % {"name": name, "size": filesizeformat(size), "max": filesizeformat(MAX_BYTES)}
            }
        )
    upload.seek(0)
    head = upload.read(32)
    kind = sniff(head)
    if kind is None:
        raise ValidationError(
            {
                field: _(
                    "“%(name)s” is not a photo or a PDF (its content was checked, not its name). "
                    "Send JPEG, PNG, WebP, HEIC, GIF or PDF files."
                )
                % {"name": name}
            }
        )
    upload.seek(0)
    digest = hashlib.sha256()
    for chunk in upload.chunks() if hasattr(upload, "chunks") else [upload.read()]:
        digest.update(chunk)
    upload.seek(0)
    return kind, size, digest.hexdigest()


def check_all(uploads, *, field: str = "attachments") -> list[tuple[object, str, int, str]]:
    uploads = [u for u in (uploads or []) if u]
    if len(uploads) > MAX_FILES:
        raise ValidationError({field: _("At most %(n)d files.") % {"n": MAX_FILES}})
    return [(u, *check(u, field=field)) for u in uploads]
