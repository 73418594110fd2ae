"""Attachments to a demand are checked by content, not only by name."""

import base64

from django.test import Client

from tests.samples import HTML


def test_the_public_form_refuses_html_sent_as_a_photo(hotline):
    filed = Client().post(
        "/api/v1/public/complaints",
        {
            "content": "济南市历下区一家药店不凭处方卖抗生素",
            "attachments": [{"name": "照片.jpg", "content_base64": base64.b64encode(HTML).decode()}],
        },
        content_type="application/json",
    )
    assert filed.status_code == 400 and filed.json()["code"] == "attachment_content"
