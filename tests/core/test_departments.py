import pytest

from jianguan.core.errors import DomainError
from jianguan.core.models import Department
from jianguan.platform.services import move_department


def test_moving_a_department_moves_its_subtree(province):
    # 济南市局 (with 历下区局 below it) moves under 山东省生态环境厅.
    move_department(province.jn_market, province.env)
    lixia = Department.objects.get(pk=province.lixia_market.pk)
    jn = Department.objects.get(pk=province.jn_market.pk)
    assert jn.path == f"{province.env.path}{jn.pk}/"
    assert lixia.path == f"{jn.path}{lixia.pk}/"
    assert set(Department.objects.filter(path__startswith=province.env.path).values_list("pk", flat=True)) == {
        province.env.pk,
        province.jn_env.pk,
        jn.pk,
        lixia.pk,
        province.jn_office_qd.pk,
    }


def test_a_department_cannot_move_under_its_own_subtree(province):
    with pytest.raises(DomainError) as caught:
        move_department(province.jn_market, province.lixia_market)
    assert caught.value.code == "department_cycle"
    assert Department.objects.get(pk=province.jn_market.pk).parent == province.market
