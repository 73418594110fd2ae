"""Units registered centrally (USCC authority code 100000) are valid under GB 32100: the register takes
them, placing each by its address, or at the province to review when the address names no city."""

import pytest

from jianguan.core.codes import uscc_with_check, validate_uscc
from jianguan.platform.importing import run_import
from jianguan.subjects.models import Subject
from jianguan.subjects.schemas import SubjectIn
from jianguan.subjects.services import register_subject

pytestmark = pytest.mark.django_db


def central(n: int) -> str:
    return uscc_with_check(f"12100000MB{n:07d}")


def test_a_central_uscc_is_valid():
    assert validate_uscc(central(1)) == central(1)


def test_the_address_places_a_centrally_registered_unit():
    subject = register_subject(
        SubjectIn(name="山东大学", uscc=central(1), registered_address="山东省济南市历城区山大南路27号")
    )
    assert subject.region_id == "370112" and subject.region_to_review is False


def test_without_an_address_it_waits_at_the_province_for_review():
    subject = register_subject(SubjectIn(name="某部属科研院所", uscc=central(2)))
    assert subject.region_id == "370000" and subject.region_to_review is True


def test_a_region_given_wins_over_the_address():
    subject = register_subject(
        SubjectIn(name="中国石油大学（华东）", uscc=central(3), region_code="370211", registered_address="北京市")
    )
    assert subject.region_id == "370211" and subject.region_to_review is False


def test_an_import_takes_central_units_with_the_rest():
    rows = [
        ["名称", "统一社会信用代码", "注册地址"],
        ["山东大学", central(1), "济南市历城区山大南路27号"],
        ["中国海洋大学", central(4), "青岛市崂山区松岭路238号"],
        ["某部属研究所", central(5), ""],
    ]
    data = "\n".join(",".join(r) for r in rows).encode()
    batch = run_import("subjects", data, "subjects.csv")
    assert (batch.accepted, batch.rejected) == (3, 0), list(batch.rows.values_list("errors", flat=True))
    placed = dict(Subject.objects.values_list("name", "region_id"))
    assert placed == {"山东大学": "370112", "中国海洋大学": "370212", "某部属研究所": "370000"}
    assert list(Subject.objects.filter(region_to_review=True).values_list("name", flat=True)) == ["某部属研究所"]
