"""Identity rules: worked examples plus properties (hypothesis)."""

import datetime as dt

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from civil_affairs import rules

# A well-known valid example (GB 11643 sample): 11010519491231002X.
VALID = "11010519491231002X"


def test_valid_number_parses_sex_and_birth_date():
    info = rules.parse_id_number(VALID)
    assert info.birth_date == dt.date(1949, 12, 31)
    assert info.sex == "F"  # sequence 002 is even
    assert info.address_code == "110105"


def test_lowercase_x_is_accepted_and_normalised():
    assert rules.parse_id_number(VALID.lower()).number == VALID


@pytest.mark.parametrize(
    "number, message",
    [
        # never which character was expected: that would help complete a guessed number
        ("110105194912310021", "身份证号码校验位错误。"),
        ("110105194902300028", "身份证号码中的出生日期 19490230 不存在。"),
        ("11010519491231002", "身份证号码应为18位，当前为17位。"),
        ("1101051949123100212", "身份证号码应为18位，当前为19位。"),
        ("11010519491231A02X", "身份证号码前17位须为数字，最后一位为数字或X。"),
    ],
)
def test_bad_numbers_are_rejected_with_a_clear_chinese_message(number, message):
    with translation.override("zh-hans"), pytest.raises(rules.IdNumberError) as exc:
        rules.parse_id_number(number)
    assert str(exc.value) == message


def test_future_birth_date_is_rejected():
    number = rules.make_id_number("320612", dt.date(2030, 1, 1), 1)
    with pytest.raises(rules.IdNumberError, match="不合理"):
        rules.parse_id_number(number, today=dt.date(2026, 11, 22))


@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2026, 1, 1)), st.integers(0, 999))
def test_every_made_number_validates_and_round_trips(birth, seq):
    number = rules.make_id_number("320612", birth, seq)
    info = rules.parse_id_number(number)
    assert info.birth_date == birth
    assert info.sex == ("M" if seq % 2 else "F")


@given(
    st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2026, 1, 1)),
    st.integers(0, 999),
    st.integers(0, 16),
    st.integers(1, 9),
)
def test_any_single_digit_change_is_caught(birth, seq, position, delta):
    number = rules.make_id_number("320612", birth, seq)
    digit = (int(number[position]) + delta) % 10
    changed = number[:position] + str(digit) + number[position + 1 :]
    with pytest.raises(rules.IdNumberError):
        rules.parse_id_number(changed)


def test_masking():
    assert rules.mask_id_number("320612198005170013") == "3206**********0013"
    assert rules.mask_name("张三") == "张*"
    assert rules.mask_name("张小三") == "张*三"
    assert rules.mask_name("欧阳小明") == "欧**明"
    assert rules.mask_phone("13912345678") == "139****5678"


@pytest.mark.parametrize(
    "code, level, prefix",
    [
        ("320000000000", 1, "32"),
        ("320600000000", 2, "3206"),
        ("320612000000", 3, "320612"),
        ("320612001000", 4, "320612001"),
        ("320612001002", 5, "320612001002"),
    ],
)
def test_region_levels_and_prefixes(code, level, prefix):
    assert rules.region_level_of(code) == level
    assert rules.region_prefix(code) == prefix


def test_region_code_must_be_12_digits():
    with pytest.raises(ValueError):
        rules.region_level_of("3206")


def test_age_on():
    assert rules.age_on(dt.date(1946, 11, 23), dt.date(2026, 11, 22)) == 79
    assert rules.age_on(dt.date(1946, 11, 22), dt.date(2026, 11, 22)) == 80


def test_full_width_digits_and_x_are_accepted_as_typed_by_chinese_input_methods():
    full_width = VALID[:17].translate(str.maketrans("0123456789", "０１２３４５６７８９")) + "ｘ"
    assert rules.parse_id_number(full_width).number == VALID
    assert rules.parse_id_number(f"\u3000{VALID[:17]}Ｘ ").number == VALID
    assert rules.parse_mobile_phone("１３８ ００００ １１１１".replace(" ", "")) == "13800001111"


@pytest.mark.parametrize(
    "number",
    [
        VALID[:16] + "²X",  # NFKC would make this "2"
        VALID[:16] + "٣X",  # Arabic-Indic three: str.isdigit() says yes, int() reads 3
        "١١٠١٠٥١٩٤٩١٢٣١٠٠٢X",
        VALID[:17] + "x\u0301",  # a combining accent makes it 19 characters
    ],
)
def test_other_digits_than_ascii_and_full_width_are_refused(number):
    with pytest.raises(rules.IdNumberError):
        rules.parse_id_number(number)


@pytest.mark.parametrize("phone", ["1380000111²", "1٣800001111", "13800001111 1", "23800001111", ""])
def test_mobile_phone_is_eleven_ascii_or_full_width_digits(phone):
    with pytest.raises(rules.PhoneError, match="11位手机号码"):
        rules.parse_mobile_phone(phone)


@given(st.text())
def test_any_text_is_an_id_number_or_an_id_number_error(raw):
    try:
        info = rules.parse_id_number(raw)
    except rules.IdNumberError:
        return
    assert info.number.isascii() and len(info.number) == 18 and rules.ID_NUMBER_RE.fullmatch(info.number)


@given(st.text(alphabet=st.sampled_from("0123456789０１２３４５６７８９Xxｘ²³¹٣۳߃१০")))
def test_digit_lookalikes_never_crash_the_id_parser(raw):
    try:
        rules.parse_id_number(raw)
    except rules.IdNumberError:
        pass


# ------------------------------------------------ address codes (GB/T 2260)


def _stdnum_table_codes() -> set[str]:
    """The 6-digit codes of python-stdnum's cn/loc.dat, read straight from the
    file (province lines "32 …", county lines "  0611 …"), not through rules."""
    from importlib.resources import files

    codes, province = set(), None
    for line in files("stdnum").joinpath("cn/loc.dat").read_text(encoding="utf-8").splitlines():
        if line[:2].isdigit():
            province = line[:2]
        elif line.startswith("  ") and line[2:6].isdigit():
            codes.add(province + line[2:6])
    return codes


def test_the_address_table_is_stdnums_whole_table():
    table = _stdnum_table_codes()
    assert len(table) > 6000
    assert rules.address_codes() == table


def test_every_code_of_the_table_with_a_valid_date_and_check_digit_parses():
    for n, code in enumerate(sorted(_stdnum_table_codes())):
        number = rules.make_id_number(code, dt.date(1950, 1, 1) + dt.timedelta(days=n * 7 % 25_000), n % 1000)
        assert rules.parse_id_number(number).address_code == code


@pytest.mark.parametrize(
    "code, note",
    [
        ("320611", "港闸区, abolished 2020 (merged into 崇川区)"),
        ("320684", "海门市, became 320614 海门区 in 2020"),
        ("320602", "崇川区's code until 2019"),
        ("320683", "通州市, became 320612 通州区 in 2009"),
        ("110103", "北京 崇文区, abolished 2010"),
    ],
)
def test_abolished_and_renamed_counties_codes_stay_valid(code, note):
    # Born 1960, long before some of these codes existed or after they ended:
    # numbers are issued and kept regardless of when the county changed.
    for birth in (dt.date(1960, 3, 1), dt.date(2024, 3, 1)):
        number = rules.make_id_number(code, birth, 11)
        assert rules.parse_id_number(number, today=dt.date(2026, 11, 1)).address_code == code, note


@given(
    st.integers(0, 999_999).map(lambda n: f"{n:06d}").filter(lambda c: c not in rules.address_codes()),
    st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2026, 1, 1)),
    st.integers(0, 999),
)
def test_a_code_not_in_the_table_is_refused_with_the_address_message(code, birth, seq):
    number = rules.make_id_number(code, birth, seq)  # valid date and check digit
    with translation.override("zh-hans"), pytest.raises(rules.IdNumberError) as exc:
        rules.parse_id_number(number)
    assert str(exc.value) == f"身份证号码前6位地址码 {code} 不是有效的行政区划代码。"


@pytest.mark.parametrize("code", ["320699", "320615", "999999", "000000"])
def test_made_up_address_codes_are_refused(code):
    with translation.override("zh-hans"), pytest.raises(rules.IdNumberError, match="地址码"):
        rules.parse_id_number(rules.make_id_number(code, dt.date(1980, 5, 17), 13))


@given(
    st.sampled_from(sorted(rules.address_codes())),
    st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2026, 1, 1)),
    st.integers(0, 999),
    st.integers(1, 10),
)
def test_the_check_digit_message_never_reveals_the_expected_character(code, birth, seq, shift):
    right = rules.make_id_number(code, birth, seq)
    expected = right[17]
    wrong = right[:17] + rules.ID_CHECK_CHARS[(rules.ID_CHECK_CHARS.index(expected) + shift) % 11]
    for language in ("zh-hans", "en"):
        with translation.override(language), pytest.raises(rules.IdNumberError) as exc:
            rules.parse_id_number(wrong)
        assert expected not in str(exc.value)
        assert "校验位" in str(exc.value) or "check" in str(exc.value).lower()
