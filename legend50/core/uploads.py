"""Upload checks shared by every app: a file's kind is recognised by its content, not its name.

PDF starts with %PDF-; HWP, DOC and XLS are OLE2 compound files; XLSX, DOCX and HWPX are zip packages
whose structure is checked (and refused when their unpacked size, file count or compression ratio is
excessive — a zip bomb — or a member name escapes the package); JPEG and PNG by their signatures; ZIP
archives get the same bomb checks; CSV must be text.
"""

from __future__ import annotations

import hashlib
import zipfile

from django.conf import settings
from django.utils.translation import gettext as _

from legend50.core.errors import ValidationFailed

OLE2_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")
ZIP_MAGIC = b"PK\x03\x04"
ALLOWED = ("pdf", "xlsx", "docx", "hwp", "hwpx")  # documents, the default
OLE2_KINDS = ("hwp", "doc", "xls")
PACKAGE_KINDS = ("xlsx", "docx", "hwpx")
SIGNATURES = {"jpg": b"\xff\xd8\xff", "jpeg": b"\xff\xd8\xff", "png": b"\x89PNG\r\n\x1a\n"}


def max_bytes() -> int:
    return int(getattr(settings, "LEGEND50_MAX_ATTACHMENT_BYTES", 20 * 1024 * 1024))


def max_unpacked_bytes() -> int:
    return int(getattr(settings, "LEGEND50_MAX_UNPACKED_BYTES", 200 * 1024 * 1024))


def max_zip_members() -> int:
    return int(getattr(settings, "LEGEND50_MAX_ZIP_MEMBERS", 2000))


MAX_RATIO = 200  # a member expanding more than this is treated as a bomb


def _fail(message: str):
    raise ValidationFailed(message, errors={"file": [message]})


def check_name(name: str) -> str:
    """The uploaded name, refused when it carries a path (`../`, `/`, `\\`) or control characters."""
    raw = name or ""
    if not raw.strip():
        _fail(_("파일 이름이 없습니다."))
    if "/" in raw or "\\" in raw or ".." in raw or any(ord(ch) < 32 for ch in raw):
        _fail(_("파일 이름에 경로(../, /, \\)나 제어 문자를 쓸 수 없습니다: %(name)s") % {"name": raw[:100]})
    if len(raw) > 200:
        _fail(_("파일 이름이 너무 깁니다 (200자 이내)."))
    return raw.strip()


def extension_of(name: str) -> str:
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def _check_zip(upload, ext: str) -> None:
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            members = archive.infolist()
            if len(members) > max_zip_members():
                _fail(
                    _("압축 구조 안의 파일 수가 너무 많습니다 (%(n)d개): 압축 폭탄으로 의심되어 거부합니다.")
                    % {"n": len(members)}
                )
            total = 0
            names = set()
            for info in members:
                total += info.file_size
                if info.filename.startswith("/") or ".." in info.filename.split("/"):
                    _fail(
                        _("압축 구조 안에 허용되지 않는 경로가 있습니다: %(name)s")
                        % {"name": info.filename[:100]}
                    )
                if (
                    info.compress_size
                    and info.file_size / info.compress_size > MAX_RATIO
                    and info.file_size > 1024 * 1024
                ):
                    _fail(_("압축 비율이 비정상적으로 큽니다: 압축 폭탄으로 의심되어 거부합니다."))
                names.add(info.filename)
            if total > max_unpacked_bytes():
                _fail(
                    _("압축을 풀면 %(mb)d MB로 허용 한도를 넘습니다: 압축 폭탄으로 의심되어 거부합니다.")
                    % {"mb": total // (1024 * 1024)}
                )
            if ext == "zip":
                ok = True
            elif ext == "xlsx":
                ok = "[Content_Types].xml" in names and "xl/workbook.xml" in names
            elif ext == "docx":
                ok = "[Content_Types].xml" in names and "word/document.xml" in names
            else:  # hwpx
                ok = "mimetype" in names and archive.read("mimetype")[:64].startswith(b"application/hwp+zip")
            if not ok:
                _fail(
                    _("파일 내용이 %(ext)s 형식이 아닙니다 (확장자와 내용이 다릅니다).")
                    % {"ext": ext.upper()}
                )
    except zipfile.BadZipFile:
        _fail(_("파일 내용이 %(ext)s 형식이 아닙니다 (손상되었거나 다른 형식입니다).") % {"ext": ext.upper()})


def inspect(upload, name: str, *, allowed=ALLOWED, max_size: int | None = None) -> tuple[str, int, str]:
    """Validate an uploaded file; returns (kind, size, sha256) or raises ValidationFailed naming it."""
    name = check_name(name)
    ext = extension_of(name)
    if ext not in allowed:
        _fail(
            _("%(kinds)s 파일만 올릴 수 있습니다: %(name)s")
            % {"kinds": ", ".join(k.upper() for k in allowed), "name": name}
        )
    size = upload.size
    cap = max_size or max_bytes()
    if size == 0:
        _fail(_("빈 파일입니다: %(name)s") % {"name": name})
    if size > cap:
        _fail(
            _("파일이 너무 큽니다: %(name)s %(size).1f MB (한도 %(cap).0f MB).")
            % {"name": name, "size": size / 1024 / 1024, "cap": cap / 1024 / 1024}
        )
    upload.seek(0)
    head = upload.read(8)
    mismatch = _("파일 내용이 %(ext)s 형식이 아닙니다 (확장자와 내용이 다릅니다): %(name)s") % {
        "ext": ext.upper(),
        "name": name,
    }
    if ext == "pdf":
        if not head.startswith(b"%PDF-"):
            _fail(mismatch)
    elif ext in OLE2_KINDS:
        if head != OLE2_MAGIC:
            _fail(mismatch)
    elif ext in SIGNATURES:
        if not head.startswith(SIGNATURES[ext]):
            _fail(mismatch)
    elif ext == "csv":
        upload.seek(0)
        if b"\x00" in upload.read(8192):
            _fail(mismatch)
    else:
        if not head.startswith(ZIP_MAGIC):
            _fail(_("파일 내용이 %(ext)s 형식이 아닙니다 (확장자와 내용이 다릅니다).") % {"ext": ext.upper()})
        _check_zip(upload, ext)
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks() if hasattr(upload, "chunks") else iter(lambda: upload.read(65536), b""):
        digest.update(chunk)
    upload.seek(0)
    return ext, size, digest.hexdigest()


CONTENT_TYPES = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "hwp": "application/x-hwp",
    "hwpx": "application/hwp+zip",
}
