"""Uploaded documents are what their names say: the first bytes must match the declared type."""

import pytest

from jianguan.core.errors import DomainError
from jianguan.platform.importing import checked_file
from tests.samples import HTML, JPEG, PDF, PNG

TYPES = [".jpg", ".jpeg", ".png", ".pdf", ".mp3", ".m4a"]


def check(name, data):
    return checked_file(name, data, types=TYPES, max_bytes=1024 * 1024, kind="attachment")


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("现场.png", PNG),
        ("现场.JPG", JPEG),
        ("决定书.pdf", PDF),
        ("录音.mp3", b"ID3\x04\x00" + b"\x00" * 20),
        ("录音.m4a", b"\x00\x00\x00\x20ftypM4A " + b"\x00" * 20),
    ],
)
def test_real_files_pass(name, data):
    assert len(check(name, data)) == 64


@pytest.mark.parametrize(
    ("name", "data"),
    [("照片.jpg", HTML), ("决定书.pdf", b"plain text"), ("照片.png", JPEG), ("录音.mp3", PDF), ("x.m4a", PNG)],
)
def test_disguised_files_are_refused_naming_the_type(name, data):
    with pytest.raises(DomainError) as refused:
        check(name, data)
    body = refused.value.as_body()
    assert body["code"] == "attachment_content"
    assert name.rsplit(".", 1)[1].upper() in body["message"] and body["message"] != body["message_en"]
