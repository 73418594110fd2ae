"""The first bytes of real file types, and a disguised one, shared by the upload tests."""

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"
HTML = b"<html><script>alert(1)</script></html>"
