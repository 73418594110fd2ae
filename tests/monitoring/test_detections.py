"""Detections in from video and remote-sensing analysis: every refusal with its reason, each
detection stored once, its image kept once by its hash with a receipt in the audit trail, a polygon
matched to the sites it covers, the count rule on its edges, and who may read what."""

import base64
import datetime as dt
import struct
import zlib
from dataclasses import dataclass

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

URL = "/api/v1/monitoring/detections"
# A triangle over 历下 in WGS-84: (117.02, 36.66) lies inside; (117.04, 36.68) lies inside its bounding
# box but outside the triangle; (117.03, 36.65) lies on its southern edge.
TRIANGLE = {"type": "Polygon", "coordinates": [[[117.01, 36.65], [117.05, 36.65], [117.01, 36.69], [117.01, 36.65]]]}


def png(shade: int, size: int = 2) -> bytes:
    """A real PNG of one colour, built by hand so that each shade has its own hash."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + bytes([shade % 256, shade // 256 % 256, 7]) * size for _ in range(size))
    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


@dataclass
class Detectors:
    monitor: object
    camera: object
    tiles: object
    outside: object
    edge: object
    shade: int = 0

    def at(self, minutes: float) -> str:
        return self.monitor.at(minutes)

    def item(self, device, minutes: float, label="no_mask", confidence=0.9, image: bytes | None = None, **extra):
        self.shade += 1
        body = {
            "device": device.code,
            "time": self.at(minutes),
            "model": "kitchen-yolo" if device.kind != "remote_sensing" else "land-seg",
            "model_version": "2026.11",
            "label": label,
            "confidence": confidence,
            "image": b64(image if image is not None else png(self.shade)),
        }
        if device.kind == "remote_sensing":
            body["polygon"] = TRIANGLE
        else:
            body["box"] = [10, 20, 30, 40]
        body.update(extra)
        return body

    def post(self, items, client: Client | None = None):
        client = client or self.monitor.client()
        return client.post(URL, items, content_type="application/json")


@pytest.fixture
def detectors(monitor, setup, province, make_subject):
    from jianguan.monitoring.services import register_device

    def device(code, kind, department, longitude, latitude, subject=None):
        return register_device(
            code=code,
            source=setup.source,
            kind=kind,
            name=code,
            department=department,
            region="370102",
            subject=subject,
            longitude=longitude,
            latitude=latitude,
        )

    return Detectors(
        monitor,
        device("CAM-001", "kitchen", province.lixia_market, 117.02, 36.66, setup.subject),
        device("RS-001", "remote_sensing", province.jn_env, 117.00, 36.60),
        device("CC-OUT", "cold_chain", province.lixia_market, 117.04, 36.68, make_subject("济南城外冷库有限公司")),
        device("CC-EDGE", "cold_chain", province.lixia_market, 117.03, 36.65, make_subject("济南边界冷库有限公司")),
    )


def test_every_refusal_is_kept_with_its_reason(detectors):
    from jianguan.monitoring.models import BadReading, Detection

    d = detectors
    cam, tiles = d.camera, d.tiles
    bowtie = {"type": "Polygon", "coordinates": [[[117, 36], [117.1, 36.1], [117.1, 36], [117, 36.1], [117, 36]]]}
    refused = [
        ("malformed", "no_mask"),
        ("malformed", {k: v for k, v in d.item(cam, 0).items() if k != "image"}),
        ("forbidden_character", d.item(cam, 1, model="yolo\u0000")),
        ("bad_id", d.item(cam, 2, id="x" * 65)),
        ("bad_model", d.item(cam, 3, model_version=" ")),
        ("bad_time", d.item(cam, 4, time="2026-12-07 08:00")),
        ("unknown_device", {**d.item(cam, 5), "device": "NOPE-1"}),
        ("not_a_detector", {**d.item(cam, 6), "device": d.monitor.cold.code}),
        ("future_time", d.item(cam, 60 * 24 + 120)),  # over an hour ahead of now
        ("unknown_label", d.item(cam, 7, label="dancing")),
        ("unknown_label", d.item(cam, 8, label="illegal_land_use")),  # a label of remote sensing only
        ("bad_confidence", d.item(cam, 9, confidence=1.2)),
        ("bad_confidence", d.item(cam, 10, confidence=True)),
        ("bad_box", d.item(cam, 11, box=[0, 0, 0, 10])),
        ("bad_box", {**d.item(cam, 12), "polygon": TRIANGLE}),
        ("bad_polygon", d.item(tiles, 13, label="illegal_land_use", polygon=bowtie)),
        (
            "bad_polygon",
            d.item(tiles, 14, label="illegal_land_use", polygon={**TRIANGLE, "coordinates": [[[117, 36]] * 3]}),
        ),
        ("bad_polygon", {**d.item(tiles, 15, label="illegal_land_use"), "box": [1, 1, 1, 1]}),
        ("bad_image", d.item(cam, 16) | {"image": "not base64!"}),
        ("image_too_large", d.item(cam, 17, image=b"\x89PNG\r\n\x1a\n" + bytes(2 * 1024 * 1024))),
        ("not_an_image", d.item(cam, 18, image=b"GIF89a" + bytes(40))),
    ]
    good = d.item(cam, 30, id="ok-1")
    response = d.post([good, *[raw for _code, raw in refused]])
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["kind"], body["submitted"], body["accepted"], body["duplicates"], body["rejected"]) == (
        "detections",
        len(refused) + 1,
        1,
        0,
        len(refused),
    )
    assert [e["code"] for e in body["errors"]] == [code for code, _raw in refused]
    assert [e["row"] for e in body["errors"]] == list(range(2, len(refused) + 2))
    assert all(e["message"] and e["message_en"] for e in body["errors"])
    assert body["errors"][19]["message_en"].endswith("（2048 KB）")
    kept = list(BadReading.objects.filter(delivery_id=body["id"]).order_by("position"))
    assert [b.reason for b in kept] == [code for code, _raw in refused]
    assert kept[6].device_code == "NOPE-1"
    # The image of a refused detection is kept as its length and hash, not its bytes.
    assert '"chars":' in kept[19].payload and len(kept[19].payload) <= 2000
    assert Detection.objects.count() == 1


def test_whole_call_refusals(detectors, make_user, province):
    d = detectors
    assert d.post({"rows": []}).json()["code"] == "not_a_list"
    too_many = d.post([{}] * 101)
    assert too_many.status_code == 413 and too_many.json()["code"] == "too_many_detections"
    staff = Client()
    staff.force_login(make_user("platform_admin", department=province.market))
    refused = d.post([d.item(d.camera, 0)], client=staff)
    assert refused.status_code == 403 and refused.json()["code"] == "api_client_only"
    ok = d.post({"detections": [d.item(d.camera, 0)]}).json()
    assert ok["accepted"] == 1


def test_a_detection_is_stored_once(detectors):
    from jianguan.monitoring.models import Detection

    d = detectors
    cam = d.camera
    first = [d.item(cam, 0, id="f-1"), d.item(cam, 5), d.item(cam, 5, label="no_cap")]
    assert d.post(first).json()["accepted"] == 3
    again = [
        d.item(cam, 0, id="f-1"),  # the same id, whatever its other fields
        d.item(cam, 9, id="f-1", label="rat"),
        d.item(cam, 5),  # no id: the same time and label
        d.item(cam, 5, id="f-2"),  # an id of its own: another person in the same frame
        d.item(cam, 20, id="f-3"),
        d.item(cam, 21, id="f-3"),  # repeated within the call: the first wins
    ]
    body = d.post(again).json()
    assert (body["accepted"], body["duplicates"], body["rejected"]) == (2, 4, 0)
    assert Detection.objects.count() == 5
    assert Detection.objects.get(detection_id="f-3").detected_at == d.monitor.t0 + dt.timedelta(minutes=20)


def test_one_image_is_kept_once_with_a_receipt_for_each_detection(detectors):
    import hashlib

    from jianguan.audit.models import AuditEvent
    from jianguan.monitoring.models import Detection, Evidence

    d = detectors
    image = png(4242, size=8)
    body = d.post([d.item(d.camera, 0, image=image), d.item(d.camera, 1, label="smoking", image=image)]).json()
    assert body["accepted"] == 2
    d.post([d.item(d.camera, 2, label="no_cap", image=image)])
    [evidence] = Evidence.objects.all()
    digest = hashlib.sha256(image).hexdigest()
    assert (evidence.sha256, evidence.size, evidence.media_type, evidence.width, evidence.height) == (
        digest,
        len(image),
        "image/png",
        8,
        8,
    )
    assert evidence.source == d.monitor.source
    assert evidence.file.name == f"monitoring/evidence/{digest[:2]}/{digest}.png"
    with evidence.file.open("rb") as stored:
        assert stored.read() == image
    assert set(Detection.objects.values_list("evidence", flat=True)) == {evidence.pk}
    receipts = AuditEvent.objects.filter(action="monitoring.evidence_received", object_id=str(evidence.pk))
    assert sorted(e.after["first_receipt"] for e in receipts) == [False, False, True]
    assert {e.after["sha256"] for e in receipts} == {digest}


def test_bytes_left_by_a_rolled_back_delivery_are_taken_not_written_twice(detectors):
    import hashlib

    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from jianguan.monitoring.models import Evidence

    d = detectors
    image = png(5151, size=3)
    digest = hashlib.sha256(image).hexdigest()
    name = f"monitoring/evidence/{digest[:2]}/{digest}.png"
    if not default_storage.exists(name):
        default_storage.save(name, ContentFile(image))
    assert d.post([d.item(d.camera, 0, image=image)]).json()["accepted"] == 1
    assert Evidence.objects.get().file.name == name
    # A file of that name holding other bytes is not taken for the evidence.
    other = png(5152, size=3)
    forged = f"monitoring/evidence/{hashlib.sha256(other).hexdigest()[:2]}/{hashlib.sha256(other).hexdigest()}.png"
    default_storage.delete(forged)
    default_storage.save(forged, ContentFile(b"tampered"))
    d.post([d.item(d.camera, 1, image=other)])
    kept = Evidence.objects.get(sha256=hashlib.sha256(other).hexdigest())
    assert kept.file.name != forged
    with kept.file.open("rb") as stored:
        assert stored.read() == other


def test_the_list_costs_the_same_queries_whatever_its_length(detectors, make_user, province):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    d = detectors
    d.post([d.item(d.camera, 0, label="rat"), d.item(d.tiles, 0, label="illegal_land_use")])
    staff = Client()
    staff.force_login(make_user("officer", department=province.jn_market, department_scope="all"))

    def counted() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert staff.get(URL, {"limit": 50}).status_code == 200
        return len(queries)

    few = counted()
    assert staff.get(URL).json()["count"] == 2
    d.post(
        [d.item(d.camera, t, label="no_cap") for t in range(1, 6)] + [d.item(d.tiles, 5, label="suspected_discharge")]
    )
    assert counted() == few


def test_a_file_that_only_begins_like_a_png_is_refused(detectors):
    pytest.importorskip("PIL")
    from jianguan.monitoring.models import Evidence

    d = detectors
    disguised = b"\x89PNG\r\n\x1a\n" + b"this is a text file, not a picture" * 4
    truncated = png(9, size=16)[:40]
    body = d.post([d.item(d.camera, 0, image=disguised), d.item(d.camera, 1, image=truncated)]).json()
    assert [e["code"] for e in body["errors"]] == ["not_an_image", "not_an_image"]
    assert Evidence.objects.count() == 0


def test_a_jpeg_is_taken_as_a_jpeg(detectors):
    image_module = pytest.importorskip("PIL.Image")
    import io

    from jianguan.monitoring.models import Evidence

    buffer = io.BytesIO()
    image_module.new("RGB", (32, 24), (200, 30, 30)).save(buffer, "JPEG")
    d = detectors
    assert d.post([d.item(d.camera, 0, label="rat", image=buffer.getvalue())]).json()["accepted"] == 1
    [evidence] = Evidence.objects.all()
    assert (evidence.media_type, evidence.width, evidence.height) == ("image/jpeg", 32, 24)
    assert evidence.file.name.endswith(".jpg")


def test_a_polygon_covers_the_sites_inside_it_and_on_its_edge(detectors):
    from jianguan.monitoring.models import Detection

    d = detectors
    m = d.monitor
    assert d.post([d.item(d.tiles, 0, label="illegal_land_use")]).json()["accepted"] == 1
    detection = Detection.objects.get()
    covered = set(detection.covered_devices.all())
    # The devices of the fixture all stand at (117.02, 36.66); the tile source itself is not a site.
    assert covered == {m.cold, m.gas, m.effluent, d.camera, d.edge}
    assert d.outside not in covered and d.tiles not in covered
    assert set(detection.subjects.all()) == {m.cold.subject, d.edge.subject}
    assert detection.polygon == TRIANGLE and detection.box is None


def clues(rule):
    from jianguan.monitoring.models import Clue

    return list(Clue.objects.filter(rule=rule).order_by("first_at"))


def test_the_count_rule_needs_k_within_the_window(detectors):
    d = detectors
    cam = d.camera
    rule = "kitchen_no_mask"  # no_mask at 0.7 or more, 3 times within 60 minutes → yellow
    d.post([d.item(cam, 0), d.item(cam, 30), d.item(cam, 45, confidence=0.69)])
    assert clues(rule) == []  # K-1: the third is below the rule's confidence
    d.post([d.item(cam, 60)])
    assert clues(rule) == []  # the first is exactly 60 minutes earlier: just outside the window
    body = d.post([d.item(cam, 89, id="k")]).json()
    [clue] = clues(rule)  # 30, 60, 89: three within 60 minutes
    assert body["clues"] == [clue.number]
    assert (clue.level, clue.hits, clue.first_at) == ("yellow", 1, d.monitor.t0 + dt.timedelta(minutes=89))
    from jianguan.monitoring.models import Detection

    window = Detection.objects.filter(detected_at__gte=d.monitor.t0 + dt.timedelta(minutes=30), confidence__gte=0.7)
    entry = clue.evidence[0]
    assert (entry["label"], entry["count"]) == ("no_mask", 3)
    assert entry["detections"] == [x.pk for x in window.order_by("detected_at")]
    assert entry["images"] == [x.evidence.sha256 for x in window.order_by("detected_at")]
    d.post([d.item(cam, 85)])  # a fourth within 30..89: the same clue, one more hit
    [clue] = clues(rule)
    assert clue.hits == 2 and clue.evidence[1]["count"] == 4


def test_one_delivery_is_judged_as_if_it_arrived_one_by_one(detectors):
    d = detectors
    d.post([d.item(d.camera, t) for t in (20, 0, 10)])
    [clue] = clues("kitchen_no_mask")
    assert clue.hits == 1 and clue.first_at == d.monitor.t0 + dt.timedelta(minutes=20)


def test_three_people_in_one_frame_are_three_detections(detectors):
    d = detectors
    body = d.post([d.item(d.camera, 0, id=f"p{n}") for n in range(3)]).json()
    assert body["accepted"] == 3
    [clue] = clues("kitchen_no_mask")
    assert clue.evidence[-1]["count"] == 3


def test_a_late_detection_completes_a_window(detectors):
    d = detectors
    d.post([d.item(d.camera, 0), d.item(d.camera, 50)])
    assert clues("kitchen_no_mask") == []
    d.post([d.item(d.camera, 30)])  # late: 0, 30 and 50 lie within 60 minutes
    [clue] = clues("kitchen_no_mask")
    assert clue.evidence[0]["count"] == 3


def test_a_rat_once_is_a_red_clue_with_its_evidence(detectors):
    from jianguan.facts.models import Fact
    from jianguan.monitoring.models import Detection

    d = detectors
    body = d.post([d.item(d.camera, 0, label="rat", confidence=0.61)]).json()
    [clue] = clues("kitchen_rat")
    detection = Detection.objects.get()
    assert (clue.level, clue.device, clue.subject, clue.department) == (
        "red",
        d.camera,
        d.camera.subject,
        d.camera.department,
    )
    assert clue.evidence[0]["detections"] == [detection.pk]
    assert clue.evidence[0]["images"] == [detection.evidence.sha256]
    assert body["clues"] == [clue.number]
    assert Fact.objects.filter(name="monitoring.clue_raised", object_id=str(clue.pk)).count() == 1


def test_detections_and_their_images_are_read_within_scope(detectors, make_user, province):
    d = detectors
    image = png(77, size=4)
    d.post([d.item(d.camera, 0, label="rat", image=image)])
    own = Client()
    own.force_login(make_user("officer", department=province.lixia_market))
    listed = own.get(URL).json()
    assert listed["count"] == 1
    [item] = listed["items"]
    detail = own.get(f"{URL}/{item['id']}").json()
    assert detail["evidence"]["media_type"] == "image/png" and detail["label"] == "rat"
    picture = own.get(f"{URL}/{item['id']}/image")
    assert picture.status_code == 200 and picture["Content-Type"] == "image/png"
    assert b"".join(picture.streaming_content) == image
    assert picture["X-Content-SHA256"] == detail["evidence"]["sha256"]
    other = Client()
    other.force_login(make_user("officer", department=province.qd_market))
    assert other.get(URL).json()["count"] == 0
    assert other.get(f"{URL}/{item['id']}").status_code == 404
    assert other.get(f"{URL}/{item['id']}/image").status_code == 404
    # The remote-sensing source's detection is read by its own department (生态环境), not by 市场监管.
    d.post([d.item(d.tiles, 1, label="illegal_land_use")])
    assert [x["label"] for x in own.get(URL).json()["items"]] == ["rat"]
    env = Client()
    env.force_login(make_user("officer", department=province.jn_env))
    assert [x["label"] for x in env.get(URL).json()["items"]] == ["illegal_land_use"]


def test_the_policy_refuses_a_detections_rule_without_known_labels(db):
    import json

    from jianguan.core.errors import DomainError
    from jianguan.monitoring.policy import DATA
    from jianguan.platform.policies import validate_policy

    shipped = json.loads((DATA / "policy.json").read_text(encoding="utf-8"))
    validate_policy("monitoring", shipped)
    rat = next(r for r in shipped["rules"] if r["code"] == "kitchen_rat")
    for broken in (
        {**rat, "labels": ["unicorn"]},
        {**rat, "labels": []},
        {**rat, "quantity": "temperature"},
        {**rat, "minutes": 0},
        {**rat, "min_confidence": 1.5},
    ):
        with pytest.raises(DomainError) as refused:
            validate_policy("monitoring", {**shipped, "rules": [broken]})
        assert refused.value.code == "invalid_policy"
    gas = next(r for r in shipped["rules"] if r["code"] == "gas_leak")
    with pytest.raises(DomainError):
        validate_policy("monitoring", {**shipped, "rules": [{**gas, "labels": ["rat"]}]})
    with pytest.raises(DomainError):
        validate_policy("monitoring", {**shipped, "labels": {"Rat!": shipped["labels"]["rat"]}, "rules": []})
