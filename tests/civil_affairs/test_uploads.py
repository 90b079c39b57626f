"""Uploaded evidence is parsed, not sniffed (issue 10, finding 11): a real
parser per type, formats matching the extension, nothing after the end of
an image or a PDF, encrypted PDFs and decompression bombs refused."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from pypdf import PdfWriter

from civil_affairs import services
from civil_affairs.models import Document, Role
from tests.factories import image_bytes, pdf_bytes

PHP = b"<?php system($_GET['c']); ?>"
HTML = b"<html><script>alert(document.cookie)</script></html>"


def _upload(actor, household, name, content):
    return services.document_upload(
        actor=actor, household=household, kind="other", uploaded=SimpleUploadedFile(name, content)
    )


def _encrypted_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=100, height=100)
    writer.encrypt(
        user_password="secret", owner_password="secret", algorithm="RC4-128"
    )  # AES needs `cryptography`, not installed
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _empty_pdf() -> bytes:
    out = io.BytesIO()
    PdfWriter().write(out)
    return out.getvalue()


def _photo(width=64, height=48, **save) -> bytes:
    """A noisy image, so the JPEG's scan data has stuffed bytes and real entropy."""
    out = io.BytesIO()
    Image.effect_noise((width, height), 60).convert("RGB").save(out, format="JPEG", **save)
    return out.getvalue()


@pytest.mark.parametrize(
    "name, content, content_type",
    [
        ("scan.pdf", pdf_bytes(), "application/pdf"),
        ("photo.jpg", image_bytes("JPEG"), "image/jpeg"),
        ("photo.jpeg", _photo(quality=95), "image/jpeg"),
        ("progressive.jpg", _photo(progressive=True), "image/jpeg"),
        ("restarts.jpg", _photo(restart_marker_blocks=1), "image/jpeg"),
        ("screen.png", image_bytes("PNG"), "image/png"),
        ("padded.pdf", pdf_bytes() + b"\r\n", "application/pdf"),  # a little padding is tolerated
    ],
)
def test_real_files_are_accepted(households, users, name, content, content_type):
    doc = _upload(users[Role.CASEWORKER], households["ours"], name, content)
    assert doc.content_type == content_type and doc.size == len(content)
    assert doc.file.read() == content


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("fake.pdf", b"%PDF-1.7\n" + HTML, "PDF 文件已损坏"),
        ("fake.jpg", b"\xff\xd8\xff\xe0" + PHP, "图片文件已损坏"),
        ("fake.png", b"\x89PNG\r\n\x1a\n" + PHP, "图片文件已损坏"),
        ("tail.jpg", image_bytes("JPEG") + PHP, "结尾有多余的内容"),
        ("tail.jpeg", _photo() + b"\n" + HTML, "结尾有多余的内容"),
        ("tail.png", image_bytes("PNG") + PHP, "结尾有多余的内容"),
        ("tail.pdf", pdf_bytes() + HTML, "PDF 文件结尾有多余的内容"),
        ("locked.pdf", _encrypted_pdf(), "PDF 文件已加密"),
        ("empty.pdf", _empty_pdf(), "PDF 文件没有页面"),
        ("png-as.jpg", image_bytes("PNG"), "内容与扩展名不符"),  # the magic check still runs first
        ("truncated.jpg", image_bytes("JPEG")[:-40], "图片文件已损坏"),
    ],
)
def test_malicious_or_broken_files_are_refused(households, users, name, content, message):
    with pytest.raises(services.DomainError, match=message):
        _upload(users[Role.CASEWORKER], households["ours"], name, content)
    assert not Document.objects.exists()


def test_a_decompression_bomb_is_refused(households, users, monkeypatch):
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 100)  # a 20×20 picture now counts as too many pixels
    out = io.BytesIO()
    Image.new("RGB", (20, 20)).save(out, format="PNG")
    with pytest.raises(services.DomainError, match="图片像素过多"):
        _upload(users[Role.CASEWORKER], households["ours"], "big.png", out.getvalue())


def test_the_workbench_and_portal_forms_show_the_reason(households, users, login):
    household = households["ours"]
    response = login(users[Role.CASEWORKER]).post(
        f"/work/households/{household.pk}/",
        {"kind": "other", "file": SimpleUploadedFile("x.jpg", image_bytes("JPEG") + PHP)},
    )
    assert response.status_code == 200 and "结尾有多余的内容" in response.content.decode()
    assert not Document.objects.exists()


def test_downloads_stay_attachments_with_nosniff(households, users, login):
    doc = _upload(users[Role.CASEWORKER], households["ours"], "photo.png", image_bytes("PNG"))
    response = login(users[Role.CASEWORKER]).get(f"/work/documents/{doc.pk}/")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment")
