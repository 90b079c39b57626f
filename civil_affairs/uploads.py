"""Is an uploaded document what its extension says, all the way through?

The first bytes prove nothing: `%PDF-` followed by HTML, or a JPEG header
followed by PHP, pass a magic-number check.  Each allowed type is parsed
with a real parser (Pillow decodes images, pypdf reads PDFs), and nothing
may follow the image's end marker: a valid JPEG with `<?php …` appended
decodes fine, so the bytes after the end (JPEG EOI `FFD9`, PNG `IEND`) are
checked too.  Pure functions over bytes; services.document_check calls them."""

from __future__ import annotations

import io
import warnings

from django.utils.translation import gettext as _
from PIL import Image
from pypdf import PdfReader

IMAGE_FORMATS = {"jpg": "JPEG", "jpeg": "JPEG", "png": "PNG"}
# Some tools pad a file after its end marker; a little padding is accepted, nothing else.
TRAILING_TOLERANCE = 16
PADDING = b"\x00\r\n\t "


class UploadRejected(ValueError):
    """The file is not an acceptable document; the message is for people."""


def jpeg_end(data: bytes) -> int | None:
    """Offset just past the EOI marker ending the JPEG that starts `data`,
    found by walking its segments (and skipping entropy-coded scan data)."""
    n = len(data)
    if not data.startswith(b"\xff\xd8"):
        return None
    pos = 2
    while pos < n:
        if data[pos] != 0xFF:
            return None
        while pos < n and data[pos] == 0xFF:  # fill bytes before a marker
            pos += 1
        if pos >= n:
            return None
        marker = data[pos]
        pos += 1
        if marker == 0xD9:  # EOI
            return pos
        if marker == 0x01 or 0xD0 <= marker <= 0xD7:  # markers without a length
            continue
        if pos + 2 > n:
            return None
        length = int.from_bytes(data[pos : pos + 2], "big")
        if length < 2:
            return None
        pos += length
        if marker == 0xDA:  # start of scan: skip to the next real marker
            while True:
                pos = data.find(b"\xff", pos)
                if pos < 0 or pos + 1 >= n:
                    return None
                following = data[pos + 1]
                if following == 0x00 or 0xD0 <= following <= 0xD7:  # stuffed byte, restart marker
                    pos += 2
                elif following == 0xFF:  # fill byte
                    pos += 1
                else:
                    break
    return None


def png_end(data: bytes) -> int | None:
    """Offset just past the IEND chunk, walking the chunks after the signature."""
    n, pos = len(data), 8
    while pos + 12 <= n:
        length = int.from_bytes(data[pos : pos + 4], "big")
        kind = data[pos + 4 : pos + 8]
        pos += 12 + length  # length, type, data, CRC
        if kind == b"IEND":
            return pos if pos <= n else None
    return None


def _nothing_after(data: bytes, end: int | None) -> bool:
    return end is not None and len(data) - end <= TRAILING_TOLERANCE and not data[end:].strip(PADDING)


def image_check(data: bytes, ext: str) -> None:
    """Decode the whole image; its format must match the extension and nothing may follow it."""
    expected = IMAGE_FORMATS[ext]
    try:
        with warnings.catch_warnings():
            # Above Image.MAX_IMAGE_PIXELS Pillow only warns (and refuses at twice that): refuse at once.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                detected = image.format
                image.verify()
            with Image.open(io.BytesIO(data)) as image:  # verify() leaves it unusable; decode a fresh one
                image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise UploadRejected(_("图片像素过多，请缩小后再上传。")) from None
    except Exception:  # Pillow signals a broken file with many exception types
        raise UploadRejected(_("图片文件已损坏，或不是有效的图片。")) from None
    if detected != expected:
        raise UploadRejected(_("文件内容与扩展名不符。"))
    if not _nothing_after(data, jpeg_end(data) if expected == "JPEG" else png_end(data)):
        raise UploadRejected(_("图片文件结尾有多余的内容，请重新导出或拍照后上传。"))


def pdf_check(data: bytes) -> None:
    """Parse the PDF strictly: at least one page, not encrypted, nothing after its last %%EOF."""
    try:
        reader = PdfReader(io.BytesIO(data), strict=True)
        encrypted = reader.is_encrypted
        pages = 0 if encrypted else len(reader.pages)
    except Exception:  # pypdf signals a broken file with many exception types
        raise UploadRejected(_("PDF 文件已损坏，或不是有效的 PDF。")) from None
    if encrypted:
        raise UploadRejected(_("PDF 文件已加密，请取消密码保护后再上传。"))
    if pages < 1:
        raise UploadRejected(_("PDF 文件没有页面。"))
    eof = data.rfind(b"%%EOF")
    if not _nothing_after(data, eof + 5 if eof >= 0 else None):
        raise UploadRejected(_("PDF 文件结尾有多余的内容，请重新导出后上传。"))


def content_check(data: bytes, ext: str) -> None:
    """Raise UploadRejected unless `data` is a sound file of type `ext` (pdf, jpg, jpeg, png)."""
    if ext == "pdf":
        pdf_check(data)
    else:
        image_check(data, ext)
