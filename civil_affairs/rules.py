"""Identity rules (DOMAIN.md "Identity rules"): pure functions, no ORM.

Resident ID: 6-digit address code, 8-digit birth date, 3-digit sequence (odd =
male), check character by ISO 7064 MOD 11-2.  Region code: 12 digits,
province 2, city 2, county 2, township 3, village 3.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK_CHARS = "10X98765432"
EARLIEST_BIRTH = dt.date(1890, 1, 1)
# ASCII only: `\d` and str.isdigit() also accept "²", "٣" and other scripts' digits.
ID_NUMBER_RE = re.compile(r"[0-9]{17}[0-9X]", re.ASCII)
MOBILE_PHONE_RE = re.compile(r"1[0-9]{10}", re.ASCII)
# Full-width digits and X, as Chinese input methods type them, become ASCII;
# nothing else does (NFKC would also turn "²" into "2").
_FULL_WIDTH = str.maketrans({**{chr(0xFF10 + i): str(i) for i in range(10)}, "Ｘ": "X", "ｘ": "X"})


class IdNumberError(ValueError):
    """A resident ID number that cannot be right; the message is for people."""


class PhoneError(ValueError):
    """A mobile number that cannot be right; the message is for people."""


def ascii_digits(raw: str) -> str:
    """Full-width digits (０-９) and Ｘ/ｘ as their ASCII forms; every other character unchanged."""
    return (raw or "").translate(_FULL_WIDTH)


@dataclass(frozen=True)
class IdNumberInfo:
    number: str
    address_code: str
    birth_date: dt.date
    sex: str  # "M" or "F"


@functools.cache
def address_codes() -> frozenset[str]:
    """Every 6-digit GB/T 2260 code, current or historical: python-stdnum's
    `cn/loc` table (the one `stdnum.cn.ric` reads), loaded once.  Its year
    ranges are ignored on purpose: a number issued under a county's old code
    stays valid after the county is renamed, merged or abolished, and a person
    born before a code existed may hold it (numbers were issued later)."""
    from stdnum import numdb

    codes = set()
    for _code, province, _name, _sub, counties in numdb.get("cn/loc").prefixes:
        for width, low, high, _county, _props in counties:
            codes.update(f"{province}{n:0{width}d}" for n in range(int(low), int(high) + 1))
    return frozenset(codes)


def id_check_char(first17: str) -> str:
    total = sum(int(d) * w for d, w in zip(first17, ID_WEIGHTS))
    return ID_CHECK_CHARS[total % 11]


def parse_id_number(raw: str, *, today: dt.date | None = None) -> IdNumberInfo:
    """Validate an 18-character resident ID number and return what it encodes.

    Raises IdNumberError with a message that says exactly what is wrong."""
    number = ascii_digits(raw).strip().upper()
    if len(number) != 18:
        raise IdNumberError(_("身份证号码应为18位，当前为%(n)d位。") % {"n": len(number)})
    if not ID_NUMBER_RE.fullmatch(number):
        raise IdNumberError(_("身份证号码前17位须为数字，最后一位为数字或X。"))
    if number[:6] not in address_codes():
        raise IdNumberError(_("身份证号码前6位地址码 %(code)s 不是有效的行政区划代码。") % {"code": number[:6]})
    try:
        birth = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise IdNumberError(_("身份证号码中的出生日期 %(d)s 不存在。") % {"d": number[6:14]}) from None
    today = today or dt.date.today()
    if birth < EARLIEST_BIRTH or birth > today:
        raise IdNumberError(_("身份证号码中的出生日期 %(d)s 不合理。") % {"d": birth.isoformat()})
    # Never say which character was expected: that would turn the form into a
    # tool for completing guessed or partly known numbers.
    if number[17] != id_check_char(number[:17]):
        raise IdNumberError(_("身份证号码校验位错误。"))
    sex = "M" if int(number[16]) % 2 == 1 else "F"
    return IdNumberInfo(number=number, address_code=number[:6], birth_date=birth, sex=sex)


def parse_mobile_phone(raw: str) -> str:
    """An 11-digit mainland mobile number in ASCII digits (full-width digits accepted)."""
    phone = ascii_digits(raw).strip()
    if not MOBILE_PHONE_RE.fullmatch(phone):
        raise PhoneError(_("请输入11位手机号码。"))
    return phone


def same_mobile_phone(on_file: str, entered: str) -> bool:
    """Is the registry's phone (maybe written "139 0000 0001" or "+86…") this mobile number?"""
    digits = re.sub(r"[^0-9]", "", ascii_digits(on_file))
    if len(digits) == 13 and digits.startswith("86"):
        digits = digits[2:]
    return bool(entered) and digits == entered


def make_id_number(address_code: str, birth_date: dt.date, sequence: int) -> str:
    """Build a valid ID number (used by the demo city and test factories)."""
    first17 = f"{address_code}{birth_date:%Y%m%d}{sequence:03d}"
    return first17 + id_check_char(first17)


def mask_id_number(number: str) -> str:
    """`320602199001011234` → `3206**********1234` (DESIGN.md)."""
    if not number or len(number) < 8:
        return number or ""
    return number[:4] + "*" * (len(number) - 8) + number[-4:]


def mask_name(name: str) -> str:
    """`张三` → `张*`, `张小三` → `张*三` (for public notices)."""
    if not name:
        return ""
    if len(name) <= 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def mask_phone(phone: str) -> str:
    if not phone or len(phone) < 7:
        return phone or ""
    return phone[:3] + "****" + phone[-4:]


# Region levels and how many leading digits of the 12-digit code identify them.
REGION_PREFIX_LEN = {1: 2, 2: 4, 3: 6, 4: 9, 5: 12}


def region_level_of(code: str) -> int:
    """Level of a 12-digit statistical division code (1 province … 5 village)."""
    if len(code) != 12 or not code.isdigit():
        raise ValueError(_("区划代码应为12位数字：%(c)s") % {"c": code})
    if code[9:] != "000":
        return 5
    if code[6:9] != "000":
        return 4
    if code[4:6] != "00":
        return 3
    if code[2:4] != "00":
        return 2
    return 1


def region_prefix(code: str) -> str:
    """The leading digits every code in this region's subtree starts with."""
    return code[: REGION_PREFIX_LEN[region_level_of(code)]]


def region_ancestors(code: str) -> list[str]:
    """The code itself and every ancestor's code, nearest first."""
    level = region_level_of(code)
    return [code[: REGION_PREFIX_LEN[lv]].ljust(12, "0") for lv in range(level, 0, -1)]


def age_on(birth_date: dt.date, on: dt.date) -> int:
    return on.year - birth_date.year - ((on.month, on.day) < (birth_date.month, birth_date.day))


def city_level_code(code: str) -> str:
    """`320612001001` → `320600000000`: the city, which tells no more than the
    first 4 digits a masked ID number shows (the county would give away 5–6)."""
    return code[:4] + "0" * 8 if code else code


# ---------------------------------------------------------------- person names

PERSON_NAME_MAX = 50
# Middle dots people type between the parts of a name (欧阳·娜娜, 买买提·艾力):
# full-width and look-alike variants all become U+00B7.
_NAME_DOTS = str.maketrans({c: "·" for c in "・･•‧∙⋅"})
_NAME_CHARS = re.compile(
    "["
    "\u3400-\u4dbf"  # CJK Extension A
    "\u4e00-\u9fff"  # CJK Unified Ideographs
    "\uf900-\ufaff"  # CJK Compatibility Ideographs
    "\u3007"  # 〇, used in names
    "\U00020000-\U0003134f"  # CJK Extensions B–G (the rare characters of names)
    "\U00031350-\U000323af"  # CJK Extension H
    "\U0002f800-\U0002fa1f"  # CJK Compatibility Ideographs Supplement
    "A-Za-z"
    "\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f"  # Latin letters with accents (ü of pinyin)
    "· "
    "]+"
)


class PersonNameError(ValueError):
    """A name that cannot be a person's; the message is for people."""


def normalise_person_name(raw: str) -> str:
    """Trim, turn middle-dot variants into "·" and ideographic spaces into
    single spaces; nothing else changes."""
    name = (raw or "").translate(_NAME_DOTS).replace("\u3000", " ").strip(" ")
    return re.sub(" {2,}", " ", name)


def validate_person_name(raw: str) -> str:
    """The normalised name, or PersonNameError: Chinese characters, Latin
    letters, "·" and spaces, 1–50 characters.  Anything else (digits, "=",
    "+", "@", "<", tabs…) could be a formula or markup in an export."""
    name = normalise_person_name(raw)
    if not name:
        raise PersonNameError(_("请输入姓名。"))
    if len(name) > PERSON_NAME_MAX:
        raise PersonNameError(_("姓名不能超过%(n)d个字符。") % {"n": PERSON_NAME_MAX})
    if not _NAME_CHARS.fullmatch(name) or name.startswith("·") or name.endswith("·"):
        raise PersonNameError(_("姓名只能包含汉字、英文字母、间隔号“·”和空格。"))
    return name
