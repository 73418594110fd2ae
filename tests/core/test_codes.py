import pytest

from jianguan.core.codes import (
    CodeError,
    mask_id_number,
    registration_no_with_check,
    uscc_with_check,
    validate_id_number,
    validate_registration_no,
    validate_uscc,
)


def test_standard_example_uscc_is_valid_and_normalised():
    # GB 32100's worked example: 91350100M000100Y4 has check character 3.
    assert validate_uscc(" 91350100m000100y43 ") == "91350100M000100Y43"


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("91350100M000100Y4", "uscc_length"),
        ("91350100M000100Y4Z", "uscc_charset"),
        ("9135010OM000100Y43", "uscc_charset"),
        ("91A50100M000100Y43", "uscc_region"),
        ("91350100M000100Y44", "uscc_checksum"),
    ],
)
def test_uscc_errors_say_what_is_wrong(value, code):
    with pytest.raises(CodeError) as caught:
        validate_uscc(value)
    assert caught.value.code == code
    body = caught.value.as_body()
    assert body["message"] and body["message_en"] and body["message"] != body["message_en"]


def test_uscc_checksum_error_names_the_expected_character():
    with pytest.raises(CodeError) as caught:
        validate_uscc("91350100M000100Y44")
    assert "“3”" in caught.value.as_body()["message"]


def test_uscc_of_agricultural_registrations_with_letter_prefix_is_accepted():
    code = uscc_with_check("N2370102MA1234567")
    assert validate_uscc(code) == code


def test_registration_number_mod_11_10():
    number = registration_no_with_check("37010200012345")
    assert validate_registration_no(number) == number
    wrong = number[:-1] + str((int(number[-1]) + 1) % 10)
    with pytest.raises(CodeError) as caught:
        validate_registration_no(wrong)
    assert caught.value.code == "regno_checksum"
    with pytest.raises(CodeError) as caught:
        validate_registration_no("3701020001234")
    assert caught.value.code == "regno_length"


def test_id_number_checks_checksum_and_birth_date():
    assert validate_id_number("11010519491231002X") == "11010519491231002X"
    with pytest.raises(CodeError) as caught:
        validate_id_number("110105194912310021")
    assert caught.value.code == "id_checksum"
    with pytest.raises(CodeError) as caught:
        validate_id_number("11010519491331002")
    assert caught.value.code == "id_length"


def test_id_number_is_masked_to_first_six_and_last_four():
    assert mask_id_number("11010519491231002X") == "110105********002X"
