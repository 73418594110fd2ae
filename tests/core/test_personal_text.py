"""Personal data inside free text: found by what makes it personal (an ID number's check character,
a bank card's Luhn digit, a phone number's shape, a home address's house number), masked."""

import pytest

from jianguan.core.personal import find, masked, sealed_texts, unsealed_texts

ID = "11010519491231002X"  # valid check character and date of birth


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        (f"身份证号{ID}。", "身份证号110105********002X。"),
        (f"身份证号{ID.lower()}", "身份证号110105********002X"),
        ("电话13812345678，", "电话138****5678，"),
        ("电话 +86 139-1234-5678", "电话 139****5678"),
        ("座机0531-86123456", "座机0531-****3456"),
        ("卡号6222021234567890128", "卡号6222 **** **** 0128"),
        ("卡号 6222 0212 3456 7890 128", "卡号 6222 **** **** 0128"),
        ("家住历下区泉城路188号3号楼2单元501室，每天", "家住****，每天"),
        ("住址：幸福小区5栋1单元302", "住址****"),
        ("邻居在7号楼2单元401室吵闹", "邻居在****吵闹"),
    ],
)
def test_personal_data_is_masked(text, shown):
    assert masked(text) == shown


@pytest.mark.parametrize(
    "text",
    [
        "11010519491231002Y 的校验位不对",  # not an ID number: wrong check character
        "订单号20260301123456789012",  # 20 digits: neither an ID nor a card
        "卡号6222021234567890129",  # fails the Luhn check
        "统一社会信用代码91370102MA3C12345X",
        "在5号楼门口卖烧烤",  # a building is a place, not a person's home
        "金额1234567890元",
        "10086和12345都打不通",
    ],
)
def test_what_is_not_personal_is_left_alone(text):
    assert masked(text) == text and find(text) == []


def test_several_texts_seal_together_and_unseal_as_written():
    shown, sealed = sealed_texts(title="举报", content=f"我是{ID}，电话13812345678")
    assert shown == {"title": "举报", "content": "我是110105********002X，电话138****5678"}
    assert ID not in sealed and "13812345678" not in sealed
    assert unsealed_texts(sealed) == {"title": "举报", "content": f"我是{ID}，电话13812345678"}
    assert sealed_texts(title="举报", content="没有个人信息") == ({"title": "举报", "content": "没有个人信息"}, "")
