"""What an uploaded file may be (project documents, dialogue materials, written input): a size
limit and a short list of types, checked by content. And how a stored file is served back.

The browser's file name and content type are only claims. A file passes when its extension is on
the list *and* its first bytes (or, for text, its encoding) agree with that extension; the content
type we store is the one we decided on, never the one the browser sent.
"""

from __future__ import annotations

import codecs
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import PurePosixPath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404
from django.utils.formats import number_format
from django.utils.translation import gettext as _

PDF = b"%PDF-"
ZIP = b"PK\x03\x04"
PNG = b"\x89PNG\r\n\x1a\n"
JPEG = b"\xff\xd8\xff"


def _head(upload: UploadedFile, size: int = 16) -> bytes:
    upload.seek(0)
    head = upload.read(size)
    upload.seek(0)
    return head


def _starts_with(magic: bytes) -> Callable[[UploadedFile], bool]:
    def check(upload: UploadedFile) -> bool:
        return _head(upload).startswith(magic)

    return check


def _zip_names(upload: UploadedFile) -> list[str] | None:
    """The member names of a zip archive (read from its directory only), or None."""
    if not _head(upload).startswith(ZIP):
        return None
    try:
        with zipfile.ZipFile(upload) as archive:
            return archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    finally:
        upload.seek(0)


def _ooxml(folder: str) -> Callable[[UploadedFile], bool]:
    """An Office Open XML file: a zip with a content-types part and the format's folder."""

    def check(upload: UploadedFile) -> bool:
        names = _zip_names(upload) or []
        return "[Content_Types].xml" in names and any(name.startswith(folder) for name in names)

    return check


def _odf(mimetype: str) -> Callable[[UploadedFile], bool]:
    """An OpenDocument file: a zip whose `mimetype` member names the format."""

    def check(upload: UploadedFile) -> bool:
        if _zip_names(upload) is None:
            return False
        try:
            with zipfile.ZipFile(upload) as archive, archive.open("mimetype") as member:
                return member.read(len(mimetype) + 1).decode("ascii", "replace") == mimetype
        except (KeyError, zipfile.BadZipFile, OSError, ValueError):
            return False
        finally:
            upload.seek(0)

    return check


def _utf8_text(upload: UploadedFile) -> bool:
    decoder = codecs.getincrementaldecoder("utf-8")()
    upload.seek(0)
    try:
        for chunk in upload.chunks():
            if b"\x00" in chunk:
                return False
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    finally:
        upload.seek(0)
    return True


@dataclass(frozen=True)
class FileType:
    content_type: str
    matches: Callable[[UploadedFile], bool]


ODT = "application/vnd.oasis.opendocument.text"
ODS = "application/vnd.oasis.opendocument.spreadsheet"
OOXML = "application/vnd.openxmlformats-officedocument"

ALLOWED: dict[str, FileType] = {
    "pdf": FileType("application/pdf", _starts_with(PDF)),
    "docx": FileType(f"{OOXML}.wordprocessingml.document", _ooxml("word/")),
    "xlsx": FileType(f"{OOXML}.spreadsheetml.sheet", _ooxml("xl/")),
    "pptx": FileType(f"{OOXML}.presentationml.presentation", _ooxml("ppt/")),
    "odt": FileType(ODT, _odf(ODT)),
    "ods": FileType(ODS, _odf(ODS)),
    "txt": FileType("text/plain; charset=utf-8", _utf8_text),
    "csv": FileType("text/csv; charset=utf-8", _utf8_text),
    "png": FileType("image/png", _starts_with(PNG)),
    "jpg": FileType("image/jpeg", _starts_with(JPEG)),
    "jpeg": FileType("image/jpeg", _starts_with(JPEG)),
}

# For the file input's `accept` attribute: a hint to the browser, not a check.
ACCEPT = ",".join(f".{extension}" for extension in ALLOWED)


def limit_in_mb(limit: int | None = None) -> str:
    """The upload limit as people read it: "20", "1,5", "0,25" (localised)."""
    megabytes = Decimal(limit if limit is not None else settings.LUPIN_UPLOAD_MAX_BYTES) / (
        1024 * 1024
    )
    places = 0 if megabytes == megabytes.to_integral_value() else (1 if megabytes >= 1 else 2)
    return number_format(megabytes, decimal_pos=places)


def validate_upload(upload: UploadedFile, *, max_bytes: int | None = None) -> str:
    """Check size, extension and content; return the content type to store, or raise.
    `max_bytes` overrides the general limit (tender files have their own, larger one)."""
    limit: int = max_bytes if max_bytes is not None else settings.LUPIN_UPLOAD_MAX_BYTES
    if (upload.size or 0) > limit:
        raise ValidationError(
            _("The file is too large: the limit is %(limit)s MB.") % {"limit": limit_in_mb(limit)},
            code="too_large",
        )
    if not upload.size:
        raise ValidationError(_("The file is empty."), code="empty")
    extension = PurePosixPath(upload.name or "").suffix.lower().lstrip(".")
    allowed = ", ".join(sorted({e for e in ALLOWED if e != "jpeg"}))
    file_type = ALLOWED.get(extension)
    if file_type is None:
        raise ValidationError(
            _("Files of this type cannot be uploaded. Allowed types: %(types)s.")
            % {"types": allowed},
            code="forbidden_type",
        )
    if not file_type.matches(upload):
        raise ValidationError(
            _("The file's content is not a valid .%(extension)s file.") % {"extension": extension},
            code="content_mismatch",
        )
    return file_type.content_type


def private_download(file: FieldFile, *, content_type: str, fallback_name: str) -> FileResponse:
    """Serve a stored file to someone an access helper has already let through: always as an
    attachment, never sniffed, never cached by a shared cache; 404 when storage lost it."""
    try:
        handle = file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=PurePosixPath(file.name or fallback_name).name,
        content_type=content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
