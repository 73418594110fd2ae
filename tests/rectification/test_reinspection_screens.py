"""The on-site re-inspection screen: each point answered, photos from the camera, errors beside the
field; on a 390 px phone in Chromium."""

import pytest
from django.test import Client

from tests.spotcheck.images import png
from tests.ui_text import leaked_codes, visible_text


@pytest.fixture
def reinspection(setup, province, make_user, settings, tmp_path):
    from jianguan.rectification.services import open_rectification, report_rectification, review_rectification
    from jianguan.rectification.services import setup as rectification_setup

    settings.MEDIA_ROOT = str(tmp_path)
    rectification_setup()
    officer = make_user("officer", department=province.lixia_market)
    order, _code = open_rectification(
        "record", "record-7001", setup.subject, province.lixia_market, "货架未清洁；进货台账缺失", actor=officer
    )
    report_rectification(order, officer, "已清洁货架，补建台账")
    review_rectification(order, officer, "reinspect", "需现场复查")
    return order, officer


@pytest.mark.django_db
def test_the_reinspection_form_shows_errors_beside_the_field_and_writes_nothing_until_complete(
    reinspection, province, make_user
):
    order, officer = reinspection
    client = Client()
    client.force_login(officer)
    url = f"/rectifications/{order.pk}/reinspect/"
    page = client.get(url).content.decode()
    assert "货架未清洁" in page and "进货台账缺失" in page and 'capture="environment"' in page
    assert leaked_codes(visible_text(page)) == set()

    answered = {"point_0": "yes", "point_1": "yes", "comment": "现场核实"}
    refused = [
        ({"point_0": "yes"}, [], "#point-1"),
        (answered, [], "photo-error"),
        (answered, [("a.jpg", b"<html>not a photo</html>")], "photo-error"),
    ]
    for data, files, marker in refused:
        from django.core.files.uploadedfile import SimpleUploadedFile

        body = dict(data)
        if files:
            body["photos"] = [SimpleUploadedFile(n, c, content_type="image/jpeg") for n, c in files]
        response = client.post(url, body)
        assert response.status_code == 200
        html = response.content.decode()
        assert marker.lstrip("#") in html
        order.refresh_from_db()
        assert order.state == "reinspection" and not order.evidence.exists()
    response = client.post(url, {"point_0": "yes"})
    assert "请回答此项" in response.content.decode() or "Answer this point" in response.content.decode()

    from django.core.files.uploadedfile import SimpleUploadedFile

    photo = png(32, 24)
    response = client.post(url, {**answered, "photos": [SimpleUploadedFile("现场.png", photo, "image/png")]})
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.state == "closed" and order.reinspection[1] == {"point": "进货台账缺失", "rectified": True}
    stored = order.evidence.get()
    detail = client.get(f"/rectifications/{order.pk}/").content.decode()
    assert (
        f"/rectifications/{order.pk}/photos/{stored.sha256}/" in detail and leaked_codes(visible_text(detail)) == set()
    )
    assert b"".join(client.get(f"/rectifications/{order.pk}/photos/{stored.sha256}/").streaming_content) == photo
    # Another county's officer sees neither the form nor the photo.
    other = make_user("officer", department=province.shinan_market)
    client.force_login(other)
    assert client.get(url).status_code == 404
    assert client.get(f"/rectifications/{order.pk}/photos/{stored.sha256}/").status_code == 404


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_browser_reinspection_on_a_phone_with_a_photo(
    flushable_audit, live_server, reinspection, browser_page, screenshot
):
    from tests.conftest import log_in

    order, officer = reinspection
    officer.set_password("Demo-2026!")
    officer.save()
    page = browser_page
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, live_server.url, officer.username, "Demo-2026!")
    page.goto(f"{live_server.url}/rectifications/{order.pk}/")
    page.click("#reinspect")
    page.wait_for_selector("#reinspection-form")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    box = page.locator("label[for='q0-yes']").bounding_box()
    assert box["height"] >= 44 and box["width"] >= 44
    page.click("label[for='q0-yes']")
    page.click("label[for='q1-no']")
    page.fill("#comment", "台账仍未建立")
    page.set_input_files("#photos", files=[{"name": "复查.png", "mimeType": "image/png", "buffer": png(64, 48)}])
    assert "复查.png" in page.inner_text("#photo-names")
    assert leaked_codes(page.inner_text("body")) == set()
    screenshot(page, "officer-reinspection-form", width=390, height=844)
    page.set_viewport_size({"width": 390, "height": 844})
    page.click("#save-reinspection")
    page.wait_for_selector("#reinspection-photos")
    order.refresh_from_db()
    assert order.state == "issued" and "进货台账缺失" in order.review
    screenshot(page, "officer-reinspection-done", width=390, height=844)
