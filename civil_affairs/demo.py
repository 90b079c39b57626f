"""The demo city loaded by `manage.py seed_demo`: a synthetic Nantong (南通市).

Seeded `random.Random` streams drive everything in a fixed order (lists and
tuples, never sets or dict-hash order), so a seed always gives the same city.  Dates
are relative to REFERENCE_DATE, not today, for the same reason.

Loading streams CSV into PostgreSQL with COPY, a chunk of households at a
time, on a loader thread: the server indexes one chunk while Python
generates the next.  Ids are assigned here (the tables are empty when we
start) and the identity sequences are moved past them at the end.
"""

from __future__ import annotations

import bisect
import datetime as dt
import io
import math
import queue
import random
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from django.apps import apps
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import rules, services
from .models import HouseholdMember, Person, Region, Role, User

REFERENCE_DATE = dt.date(2026, 10, 31)
REFERENCE_ORDINAL = REFERENCE_DATE.toordinal()
# Income and spending cover the 12 months ending with the month before the reference date.
PERIOD_START = dt.date(2025, 10, 1)
PERIOD_END = dt.date(2026, 9, 30)
DEMO_PASSWORD = "Minzheng@2026"
CHUNK_HOUSEHOLDS = 20_000
# The demo community always gets this many households (or all of them), so the
# community-worker and resident logins have people to look at at any N.
DEMO_COMMUNITY_MIN = 60

Progress = Callable[[str], None]


class DemoDataPresent(services.DomainError):
    """The database already holds a city; seeding again needs --reset."""


# ---------------------------------------------------------------- the region tree

PROVINCE = ("320000000000", "江苏省")
CITY = ("320600000000", "南通市")
# County code, name, registered population (10 000s) and its streets/townships,
# the seat first.  Real names; the 3-digit township codes are generated.
COUNTIES: tuple[tuple[str, str, int, tuple[str, ...]], ...] = (
    (
        "320612",
        "通州区",
        125,
        (
            "金沙街道",
            "兴仁镇",
            "先锋街道",
            "金新街道",
            "西亭镇",
            "二甲镇",
            "东社镇",
            "三余镇",
            "十总镇",
            "刘桥镇",
            "平潮镇",
            "石港镇",
        ),
    ),
    (
        "320613",
        "崇川区",
        128,
        (
            "文峰街道",
            "和平桥街道",
            "城东街道",
            "任港街道",
            "新城桥街道",
            "虹桥街道",
            "学田街道",
            "钟秀街道",
            "观音山街道",
            "狼山镇街道",
            "幸福街道",
            "唐闸镇街道",
        ),
    ),
    (
        "320614",
        "海门区",
        100,
        (
            "海门街道",
            "三厂街道",
            "滨江街道",
            "三星镇",
            "常乐镇",
            "悦来镇",
            "四甲镇",
            "余东镇",
            "正余镇",
            "包场镇",
            "临江镇",
            "海永镇",
        ),
    ),
    (
        "320623",
        "如东县",
        98,
        (
            "掘港街道",
            "城中街道",
            "苴镇街道",
            "长沙镇",
            "大豫镇",
            "丰利镇",
            "曹埠镇",
            "岔河镇",
            "双甸镇",
            "新店镇",
            "河口镇",
            "栟茶镇",
        ),
    ),
    (
        "320681",
        "启东市",
        110,
        (
            "汇龙镇",
            "南阳镇",
            "北新镇",
            "王鲍镇",
            "合作镇",
            "海复镇",
            "惠萍镇",
            "东海镇",
            "寅阳镇",
            "近海镇",
            "吕四港镇",
            "启隆镇",
        ),
    ),
    (
        "320682",
        "如皋市",
        140,
        (
            "如城街道",
            "城北街道",
            "城南街道",
            "东陈镇",
            "丁堰镇",
            "白蒲镇",
            "下原镇",
            "九华镇",
            "石庄镇",
            "长江镇",
            "搬经镇",
            "磨头镇",
        ),
    ),
    (
        "320685",
        "海安市",
        92,
        (
            "海安街道",
            "城东镇",
            "角斜镇",
            "李堡镇",
            "大公镇",
            "雅周镇",
            "白甸镇",
            "南莫镇",
            "墩头镇",
            "曲塘镇",
            "孙庄街道",
            "滨海新区",
        ),
    ),
)
URBAN_STEMS = (
    "新华",
    "文峰",
    "和平",
    "幸福",
    "东方",
    "团结",
    "光明",
    "长青",
    "建设",
    "人民",
    "友谊",
    "育才",
    "花园",
    "星湖",
    "桃园",
    "南川",
    "北濠",
    "东港",
    "西郊",
    "城中",
    "金桥",
    "银河",
    "永兴",
    "启秀",
    "虹桥",
    "钟楼",
    "青年",
    "朝阳",
    "紫琅",
    "濠西",
    "五一",
    "红星",
    "兴隆",
    "三友",
    "四季",
    "江海",
    "滨江",
    "沿河",
    "桥北",
    "新桥",
    "富民",
    "裕丰",
    "长安",
    "安康",
    "庆丰",
    "合兴",
    "联合",
    "同心",
    "新民",
    "胜利",
    "前进",
    "八一",
    "东兴",
    "西园",
    "南苑",
    "北苑",
    "中南",
    "锦绣",
    "翠竹",
    "阳光",
)
VILLAGE_STEMS = (
    "三里墩",
    "何家",
    "杨港",
    "东灶",
    "西灶",
    "五总",
    "十总",
    "双桥",
    "石桥",
    "三官殿",
    "观音",
    "龙王",
    "凤凰",
    "百花",
    "梨园",
    "桑园",
    "竹林",
    "松林",
    "柳荫",
    "杨庄",
    "李庄",
    "王庄",
    "张家",
    "陈家",
    "周家",
    "徐家",
    "严家",
    "顾家",
    "季家",
    "曹家",
    "施家",
    "陆洪",
    "金星",
    "银星",
    "红旗",
    "先锋",
    "勤丰",
    "南郊",
    "北郊",
    "东渡",
    "西渡",
    "九圩",
    "新港",
    "老坝",
    "长桥",
    "大洋",
    "小洋",
    "刘埠",
    "蒋庄",
    "丁家",
    "葛家",
    "唐洪",
    "万兴",
    "兴旺",
    "永安",
    "太平",
    "福安",
    "寿星",
    "长寿",
    "丰收",
)


@dataclass(frozen=True)
class RegionRow:
    code: str
    name: str
    parent: str | None
    is_urban: bool


@dataclass(frozen=True)
class Community:
    code: str
    name: str
    address: str  # 南通市…区…街道…社区, the start of every address in it
    county: str  # 6-digit address code of the ID numbers issued here
    is_urban: bool
    weight: float  # share of the city's households


def build_tree(rng: random.Random) -> tuple[list[RegionRow], list[Community]]:
    """Province → city → 7 real counties → 8–12 streets/townships each →
    generated communities and villages (about 2 000 in all)."""
    rows = [RegionRow(*PROVINCE, None, True), RegionRow(*CITY, PROVINCE[0], True)]
    communities: list[Community] = []
    for county6, county_name, population, streets in COUNTIES:
        county_code = f"{county6}000000"
        rows.append(RegionRow(county_code, county_name, CITY[0], True))
        county_communities: list[Community] = []
        for s, street_name in enumerate(streets[: rng.randint(8, 12)], start=1):
            street_code = f"{county6}{s:03d}000"
            urban_street = street_name.endswith("街道")
            rows.append(RegionRow(street_code, street_name, county_code, urban_street))
            for code, name, urban in _street_communities(rng, street_code, urban_street):
                rows.append(RegionRow(code, name, street_code, urban))
                weight = (1.5 + rng.random() * 1.5) if urban else (0.6 + rng.random() * 0.8)
                county_communities.append(
                    Community(code, name, f"{CITY[1]}{county_name}{street_name}{name}", county6, urban, weight)
                )
        total = sum(c.weight for c in county_communities)
        communities += [
            Community(c.code, c.name, c.address, c.county, c.is_urban, c.weight * population / total)
            for c in county_communities
        ]
    return rows, communities


def _street_communities(rng: random.Random, street_code: str, urban_street: bool) -> list[tuple[str, str, bool]]:
    """Streets (街道) hold residential communities; townships (镇) a few in the
    town centre and villages around it."""
    n_urban = rng.randint(16, 34) if urban_street else rng.randint(2, 4)
    n_rural = 0 if urban_street else rng.randint(22, 38)
    names = [(f"{stem}社区", True) for stem in rng.sample(URBAN_STEMS, n_urban)]
    names += [(f"{stem}村", False) for stem in rng.sample(VILLAGE_STEMS, n_rural)]
    return [(f"{street_code[:9]}{i:03d}", name, urban) for i, (name, urban) in enumerate(names, start=1)]


def allocate_households(rng: random.Random, communities: list[Community], n: int) -> list[int]:
    """Households per community, in proportion to the weights; the first
    community (the demo one) gets DEMO_COMMUNITY_MIN first."""
    counts = [0] * len(communities)
    counts[0] = min(n, DEMO_COMMUNITY_MIN)
    cumulative = _cumulative([c.weight for c in communities])
    total, random_ = cumulative[-1], rng.random
    for _i in range(n - counts[0]):
        counts[bisect.bisect(cumulative, random_() * total)] += 1
    return counts


def _cumulative(weights: list[float] | tuple[float, ...]) -> list[float]:
    out, running = [], 0.0
    for w in weights:
        running += w
        out.append(running)
    return out


# ---------------------------------------------------------------- people

SURNAMES = (  # weights: national frequency, with Nantong's own names (顾 季 施 陆 曹 缪 瞿 印 冒) boosted
    ("王", 7.1),
    ("李", 7.0),
    ("张", 6.7),
    ("刘", 5.4),
    ("陈", 5.0),
    ("杨", 3.1),
    ("黄", 2.2),
    ("赵", 2.0),
    ("吴", 2.0),
    ("周", 2.2),
    ("徐", 2.4),
    ("孙", 1.6),
    ("马", 1.4),
    ("朱", 1.8),
    ("胡", 1.3),
    ("郭", 1.2),
    ("何", 1.2),
    ("高", 1.1),
    ("林", 1.1),
    ("罗", 1.0),
    ("郑", 0.9),
    ("梁", 0.9),
    ("谢", 0.8),
    ("宋", 0.8),
    ("唐", 0.8),
    ("许", 0.9),
    ("韩", 0.7),
    ("冯", 0.7),
    ("邓", 0.7),
    ("曹", 1.1),
    ("彭", 0.6),
    ("曾", 0.6),
    ("肖", 0.6),
    ("田", 0.6),
    ("董", 0.6),
    ("袁", 0.6),
    ("潘", 0.5),
    ("于", 0.5),
    ("蒋", 0.6),
    ("蔡", 0.6),
    ("余", 0.5),
    ("杜", 0.5),
    ("叶", 0.5),
    ("程", 0.5),
    ("苏", 0.5),
    ("魏", 0.4),
    ("吕", 0.4),
    ("丁", 0.6),
    ("任", 0.4),
    ("沈", 0.8),
    ("姚", 0.5),
    ("卢", 0.4),
    ("姜", 0.5),
    ("崔", 0.3),
    ("钟", 0.3),
    ("陆", 1.2),
    ("汪", 0.3),
    ("范", 0.4),
    ("金", 0.4),
    ("石", 0.3),
    ("夏", 0.4),
    ("邱", 0.3),
    ("秦", 0.3),
    ("严", 0.5),
    ("顾", 1.4),
    ("季", 0.9),
    ("施", 0.9),
    ("缪", 0.4),
    ("瞿", 0.3),
    ("印", 0.2),
    ("冒", 0.2),
    ("葛", 0.4),
)
# Given-name characters by birth era and sex: 建国/秀英 for the old, 浩宇/梓涵 for the young.
GIVEN_CHARS = {
    ("old", "M"): "国建华明德富贵荣生根宝林志发福金海兴荣祥春忠永泉山义昌",
    ("old", "F"): "秀英兰桂芳珍凤玉梅菊琴红美花翠娟霞素云月萍香巧芬",
    ("mid", "M"): "伟强磊军勇杰涛斌超明刚平辉鹏华飞波宇浩凯健俊峰东亮成晨",
    ("mid", "F"): "芳娜敏静丽艳娟霞燕萍雪慧婷倩颖洁佳琳莉丹晶玲红云",
    ("young", "M"): "浩宇轩睿子泽皓博然辰逸航晨阳俊熙铭哲瑞嘉豪鑫宸奕昊",
    ("young", "F"): "梓涵欣怡诗雨萱思彤悦可馨语佳琪妍然一若晨瑶雅梦淑",
}
PHONE_PREFIXES = (
    "130",
    "131",
    "132",
    "133",
    "135",
    "136",
    "137",
    "138",
    "139",
    "150",
    "151",
    "152",
    "153",
    "157",
    "158",
    "159",
    "177",
    "180",
    "181",
    "182",
    "183",
    "187",
    "188",
    "189",
    "199",
)
ELDER_BANDS = ((60, 70), (70, 80), (80, 90), (90, 100), (100, 106))
ELDER_BAND_CUM = _cumulative((45.0, 33.0, 17.0, 4.6, 0.4))
DISABILITY_GRADE_CUM = _cumulative((15.0, 20.0, 30.0, 35.0))  # grades 1–4
DISABILITY_TYPES = tuple(t for t in Person.DisabilityType.values if t)
DISABILITY_TYPE_CUM = _cumulative((45.0, 12.0, 15.0, 2.0, 8.0, 10.0, 8.0))  # in DisabilityType order

H, SP, CH, PA, GC, OT = "head", "spouse", "child", "parent", "grandchild", "other"
Spec = tuple[str, int, str]  # relation to head, age on REFERENCE_DATE, sex


@dataclass
class Member:
    id: int
    age: int
    relation: str
    labour: str
    grade: int
    disability_type: str
    dead: bool
    student: bool


def _era(age: int) -> str:
    return "old" if age >= 55 else ("mid" if age >= 22 else "young")


class CityGenerator:
    """Households, their people and their records as CSV rows for COPY."""

    def __init__(self, rng: random.Random, communities: list[Community], stamp: str) -> None:
        self.rng = rng
        self.communities = communities
        self.stamp = stamp  # created_at/updated_at of every row
        self.next_id = {table: 1 for table in TABLES}
        self.id_sequences: dict[tuple[str, int, str], int] = {}
        self.dates: dict[int, tuple[dt.date, str]] = {}
        self.street_serial: dict[str, int] = {}
        self.surname_cum = _cumulative([w for _s, w in SURNAMES])
        self.compositions = (
            (12.0, self._elder_single),
            (14.0, self._elder_couple),
            (10.0, self._adult_single),
            (10.0, self._couple),
            (22.0, lambda: self._couple_children(1)),
            (8.0, lambda: self._couple_children(2)),
            (10.0, self._three_generations),
            (8.0, self._elder_family),
            (4.0, self._single_parent),
            (2.0, self._elder_with_adult_child),
        )
        self.composition_cum = _cumulative([w for w, _f in self.compositions])

    # ---- chunks

    def chunks(self, counts: list[int], size: int) -> Iterator[Chunk]:
        chunk = Chunk()
        for community, count in zip(self.communities, counts):
            for _i in range(count):
                self.household(community, chunk.rows)
                chunk.households += 1
                if chunk.households == size:
                    yield chunk
                    chunk = Chunk()
        if chunk.households:
            yield chunk

    def _id(self, table: str) -> int:
        value = self.next_id[table]
        self.next_id[table] = value + 1
        return value

    def household(self, community: Community, rows: dict[str, list[str]]) -> None:
        hid = self._id("household")
        street = community.code[:9]
        serial = self.street_serial.get(street, 0) + 1
        self.street_serial[street] = serial
        rows["household"].append(
            f"{hid},H{street}{serial:08d},{self._address(community)},{self.stamp},{self.stamp},{community.code}"
        )
        members = self._members(community, self._compose(), rows["person"])
        for m in members:
            rows["member"].append(f"{m.id},{m.relation},,{hid},{m.id}")
        self._incomes(hid, community, members, rows["income"])
        self._assets(hid, community, members, rows["asset"])
        self._expenditures(hid, members, rows["expenditure"])

    def _address(self, community: Community) -> str:
        r = self.rng.random
        if community.is_urban:
            floor, flat = 1 + int(r() * 18), 1 + int(r() * 4)
            return f"{community.address}{1 + int(r() * 40)}幢{1 + int(r() * 4)}单元{floor}0{flat}室"
        return f"{community.address}{1 + int(r() * 24)}组{1 + int(r() * 60)}号"

    # ---- who lives together

    def _compose(self) -> list[Spec]:
        pick = bisect.bisect(self.composition_cum, self.rng.random() * self.composition_cum[-1])
        return self.compositions[pick][1]()

    def _elder_age(self, low: int = 60) -> int:
        r = self.rng.random
        lo, hi = ELDER_BANDS[bisect.bisect(ELDER_BAND_CUM, r() * ELDER_BAND_CUM[-1])]
        return max(low, lo + int(r() * (hi - lo)))

    def _sex(self, p_male: float) -> str:
        return "M" if self.rng.random() < p_male else "F"

    def _spouse(self, head_age: int, head_sex: str) -> Spec:
        gap = int(self.rng.random() * 7) - 1  # husbands are usually a little older
        age = head_age - gap if head_sex == "M" else head_age + gap
        return (SP, max(20, min(105, age)), "F" if head_sex == "M" else "M")

    def _child_of(self, parent_age: int, relation: str = CH) -> Spec:
        age = parent_age - 22 - int(self.rng.random() * 14)
        return (relation, max(0, age), self._sex(0.52))

    def _elder_single(self) -> list[Spec]:
        return [(H, self._elder_age(65), self._sex(0.35))]

    def _elder_couple(self) -> list[Spec]:
        head = (H, self._elder_age(), self._sex(0.8))
        return [head, self._spouse(head[1], head[2])]

    def _adult_single(self) -> list[Spec]:
        return [(H, 20 + int(self.rng.random() * 40), self._sex(0.58))]

    def _couple(self) -> list[Spec]:
        head = (H, 23 + int(self.rng.random() * 37), self._sex(0.8))
        return [head, self._spouse(head[1], head[2])]

    def _children(self, parent_age: int, n: int) -> list[Spec]:
        first = self._child_of(parent_age)
        if n == 1:
            return [first]
        return [first, (CH, max(0, first[1] - 1 - int(self.rng.random() * 8)), self._sex(0.52))]

    def _couple_children(self, n: int) -> list[Spec]:
        head = (H, 26 + int(self.rng.random() * 30), self._sex(0.8))
        spouse = self._spouse(head[1], head[2])
        return [head, spouse, *self._children(min(head[1], spouse[1]), n)]

    def _three_generations(self) -> list[Spec]:
        """A couple with one or two children and one or both of the head's parents."""
        head = (H, 28 + int(self.rng.random() * 23), self._sex(0.8))
        children = self._children(head[1], 2 if self.rng.random() < 0.3 else 1)
        family = [head, self._spouse(head[1], head[2]), *children]
        parent_age = min(104, head[1] + 24 + int(self.rng.random() * 11))
        family.append((PA, parent_age, "F"))
        if self.rng.random() < 0.5:
            family.append((PA, min(105, parent_age + 2), "M"))
        return family

    def _elder_family(self) -> list[Spec]:
        """Elderly head living with a grown child, the child's spouse and a grandchild."""
        head = (H, 58 + int(self.rng.random() * 28), self._sex(0.75))
        family = [head]
        if self.rng.random() < 0.7:
            family.append(self._spouse(head[1], head[2]))
        child = (CH, max(24, head[1] - 24 - int(self.rng.random() * 10)), self._sex(0.55))
        family.append(child)
        if self.rng.random() < 0.8:
            family.append((OT, child[1], "F" if child[2] == "M" else "M"))
        family.append(self._child_of(child[1], GC))
        return family

    def _single_parent(self) -> list[Spec]:
        head = (H, 28 + int(self.rng.random() * 28), self._sex(0.3))
        return [head, self._child_of(head[1])]

    def _elder_with_adult_child(self) -> list[Spec]:
        head = (H, self._elder_age(70), self._sex(0.4))
        return [head, (CH, max(30, head[1] - 25 - int(self.rng.random() * 10)), self._sex(0.6))]

    # ---- persons

    def _members(self, community: Community, specs: list[Spec], out: list[str]) -> list[Member]:
        family_name = self._surname()
        return [
            self._person(
                out,
                community,
                relation,
                age,
                sex,
                family_name if relation in (CH, GC) or (sex == "M" and relation in (H, SP, PA)) else self._surname(),
            )
            for relation, age, sex in specs
        ]

    def _surname(self) -> str:
        return SURNAMES[bisect.bisect(self.surname_cum, self.rng.random() * self.surname_cum[-1])][0]

    def _given_name(self, age: int, sex: str) -> str:
        chars, r = GIVEN_CHARS[(_era(age), sex)], self.rng.random
        first = chars[int(r() * len(chars))]
        return first if r() < 0.3 else first + chars[int(r() * len(chars))]

    def _person(self, out: list[str], community: Community, relation: str, age: int, sex: str, surname: str) -> Member:
        r = self.rng.random
        pid = self._id("person")
        ordinal = REFERENCE_ORDINAL - int((age + r()) * 365.2425)
        birth, birth_iso = self._date(ordinal)
        sequence = self._id_sequence(community.county, ordinal, sex)
        id_number = rules.make_id_number(community.county, birth, sequence)
        grade, dtype = self._disability(age)
        dead = r() < (0.03 if age >= 80 else 0.008 if age >= 60 else 0.0005)
        death = self._date(REFERENCE_ORDINAL - int(r() * min(700, age * 365)))[1] if dead else ""
        residence = community.code if r() >= 0.03 else self._elsewhere()
        labour = _labour_capacity(age, grade, r() < 0.03)
        out.append(
            f"{pid},{id_number},{surname}{self._given_name(age, sex)},{sex},{birth_iso},"
            f"{self._phone(age) or EMPTY},{grade},{dtype or EMPTY},{labour},{death},"
            f"{self.stamp},{self.stamp},{community.code},{residence}"
        )
        student = 3 <= age <= 18 or (19 <= age <= 22 and r() < 0.55)
        return Member(pid, age, relation, labour, grade, dtype, dead, student)

    def _date(self, ordinal: int) -> tuple[dt.date, str]:
        cached = self.dates.get(ordinal)
        if cached is None:
            day = dt.date.fromordinal(ordinal)
            cached = self.dates[ordinal] = (day, day.isoformat())
        return cached

    def _id_sequence(self, county: str, ordinal: int, sex: str) -> int:
        """The 3-digit sequence: unique per county and birth date, odd for men.
        Counter c maps to (37c + ordinal) mod 499, a bijection for c < 499, so
        numbers look spread out yet never repeat."""
        key = (county, ordinal, sex)
        c = self.id_sequences.get(key, 0)
        if c >= 499:
            raise services.DomainError(_("同一区县同一天出生的同性别人员超过499人，无法生成身份证号码。"))
        self.id_sequences[key] = c + 1
        v = (37 * c + ordinal) % 499
        return 2 * v + 1 if sex == "M" else 2 * v + 2

    def _disability(self, age: int) -> tuple[int, str]:
        r = self.rng.random
        if r() >= (0.02 if age < 18 else 0.04 if age < 60 else 0.11 if age < 80 else 0.22):
            return 0, ""
        grade = 1 + bisect.bisect(DISABILITY_GRADE_CUM, r() * DISABILITY_GRADE_CUM[-1])
        kind = DISABILITY_TYPES[bisect.bisect(DISABILITY_TYPE_CUM, r() * DISABILITY_TYPE_CUM[-1])]
        return grade, kind

    def _phone(self, age: int) -> str:
        r = self.rng.random
        if age < 16 or r() >= (0.95 if age < 70 else 0.6 if age < 85 else 0.25):
            return ""
        return f"{PHONE_PREFIXES[int(r() * len(PHONE_PREFIXES))]}{int(r() * 100_000_000):08d}"

    def _elsewhere(self) -> str:
        return self.communities[int(self.rng.random() * len(self.communities))].code

    # ---- money (amounts in fen; rows carry yuan with two decimals)

    def _record(
        self,
        rows: list[str],
        table: str,
        kind: str,
        hid: int,
        pid: int,
        fen: int,
        start: str = PERIOD_START.isoformat(),
        end: str = PERIOD_END.isoformat(),
    ) -> None:
        rows.append(
            f"{self._id(table)},{fen // 100}.{fen % 100:02d},declared,{start},{end},{EMPTY},"
            f"{self.stamp},{kind},{hid},{pid}"
        )

    def _lognormal(self, median: float, sigma: float) -> float:
        return median * math.exp(sigma * self.rng.gauss(0.0, 1.0))

    def _incomes(self, hid: int, community: Community, members: list[Member], rows: list[str]) -> None:
        r = self.rng.random
        for m in members:
            if m.dead:
                continue
            if m.age >= 60:
                self._record(rows, "income", "transfer", hid, m.id, self._monthly_pension(community) * 1200)
            elif m.age >= 18 and not m.student and m.labour != "none":
                monthly = self._monthly_wage(m.labour == "partial")
                if monthly:
                    self._record(rows, "income", "wages", hid, m.id, monthly * 1200)
            if m.grade in (1, 2):  # 残疾人两项补贴: recorded, not counted toward dibao
                self._record(rows, "income", "disability_allowance", hid, m.id, (1800 + int(r() * 1800)) * 100)
        earner = _main_earner(members)
        if r() < 0.05:
            self._record(rows, "income", "business", hid, earner.id, int(self._lognormal(60_000, 0.6)) * 100)
        if r() < 0.06:
            self._record(rows, "income", "property", hid, earner.id, (6_000 + int(r() * 42_000)) * 100)

    def _monthly_pension(self, community: Community) -> int:
        """Urban retirees mostly draw an employee pension; villagers the small basic one."""
        r = self.rng.random
        if r() < (0.85 if community.is_urban else 0.55):
            return 1800 + int(r() * 3400)
        return 350 + int(r() * 750)

    def _monthly_wage(self, partial: bool) -> int:
        """0 = out of work.  A tail of odd-job earners makes some households poor."""
        r = self.rng.random
        if r() >= (0.45 if partial else 0.88):
            return 0
        if r() < 0.08:
            return int(r() * 1500)
        wage = max(2490.0, min(30_000.0, self._lognormal(5200, 0.35)))  # 2490: Jiangsu minimum wage
        return int(wage * (0.5 if partial else 1.0))

    def _assets(self, hid: int, community: Community, members: list[Member], rows: list[str]) -> None:
        r = self.rng.random
        holder = _main_earner(members)
        snapshot = PERIOD_END.isoformat()

        def asset(kind: str, yuan: float) -> None:
            self._record(rows, "asset", kind, hid, holder.id, int(yuan) * 100, snapshot, snapshot)

        if r() < 0.88:
            asset("deposit", max(100.0, self._lognormal(30_000, 1.2)))
        if r() < 0.08:
            asset("securities", self._lognormal(60_000, 1.0))
        if r() < (0.35 if community.is_urban else 0.25):
            asset("vehicle", self._lognormal(120_000, 0.5))
        if any(m.disability_type == "physical" for m in members) and r() < 0.3:
            asset("mobility_vehicle", 3_000 + r() * 5_000)
        if r() < 0.85:
            median = 900_000 if community.is_urban else 350_000
            asset("house", self._lognormal(median, 0.4))
            if r() < 0.12:
                asset("house", self._lognormal(median * 0.7, 0.4))
        if r() < 0.04:
            asset("business", self._lognormal(100_000, 1.0))

    def _expenditures(self, hid: int, members: list[Member], rows: list[str]) -> None:
        r = self.rng.random
        for m in members:
            if m.dead:
                continue
            if r() < (0.2 if m.age >= 70 or m.grade in (1, 2) else 0.02):
                fen = int(max(200.0, min(300_000.0, self._lognormal(8_000, 1.0)))) * 100
                self._record(rows, "expenditure", "medical", hid, m.id, fen)
            if m.student and r() < 0.3:
                self._record(rows, "expenditure", "education", hid, m.id, (2_000 + int(r() * 28_000)) * 100)


def _labour_capacity(age: int, grade: int, ill: bool) -> str:
    if age < 16 or age >= 60 or grade in (1, 2):
        return "none"
    return "partial" if grade or ill else "full"


def _main_earner(members: list[Member]) -> Member:
    """Whose name the household's business, rent and assets are under: the head
    unless the head is gone or past working age and someone younger is not."""
    working = [m for m in members if not m.dead and 18 <= m.age < 60]
    head = members[0]
    return head if not head.dead and (head.age < 60 or not working) else (working or members)[0]


# ---------------------------------------------------------------- loading

TABLES = {  # key: (table, columns in the order the generator writes them)
    "household": ("civil_affairs_household", "id, number, address, created_at, updated_at, region_id"),
    "person": (
        "civil_affairs_person",
        "id, id_number, name, sex, birth_date, phone, disability_grade, "
        "disability_type, labour_capacity, death_date, created_at, updated_at, "
        "hukou_region_id, residence_region_id",
    ),
    "member": ("civil_affairs_householdmember", "id, relation, joined_on, household_id, person_id"),
    "income": (
        "civil_affairs_incomerecord",
        "id, amount, source, period_start, period_end, note, created_at, kind, household_id, person_id",
    ),
    "asset": (
        "civil_affairs_assetrecord",
        "id, amount, source, period_start, period_end, note, created_at, kind, household_id, person_id",
    ),
    "expenditure": (
        "civil_affairs_expenditurerecord",
        "id, amount, source, period_start, period_end, note, created_at, kind, household_id, person_id",
    ),
}
REGION_TABLE = ("civil_affairs_region", "code, name, level, prefix, is_urban, parent_id")
EMPTY = '""'  # an empty string in CSV COPY; an unquoted empty field is NULL


@dataclass
class Chunk:
    households: int = 0
    rows: dict[str, list[str]] = field(default_factory=lambda: {key: [] for key in TABLES})


def _copy(cursor, target: tuple[str, str], rows: list[str]) -> None:
    if rows:
        table, columns = target
        cursor.copy_expert(
            f"COPY {table} ({columns}) FROM STDIN WITH (FORMAT csv)", io.StringIO("\n".join(rows) + "\n"), size=1 << 20
        )


class _Loader(threading.Thread):
    """COPYs the chunks the generator hands over.  psycopg2 lets go of the GIL
    while it waits on the server, so generation and indexing overlap."""

    def __init__(self, raw_connection, total: int, progress: Progress) -> None:
        super().__init__(name="seed_demo-loader", daemon=True)
        self.raw_connection = raw_connection
        self.total = total
        self.progress = progress
        self.chunks: queue.Queue[Chunk | None] = queue.Queue(maxsize=2)
        self.error: BaseException | None = None

    def run(self) -> None:
        started, done = time.monotonic(), 0
        try:
            with self.raw_connection.cursor() as cursor:
                while (chunk := self.chunks.get()) is not None:
                    for key in TABLES:
                        _copy(cursor, TABLES[key], chunk.rows[key])
                    done += chunk.households
                    rate = done / max(time.monotonic() - started, 1e-6)
                    self.progress(
                        _("家庭 %(done)d/%(total)d（每秒 %(rate)d 户）")
                        % {"done": done, "total": self.total, "rate": rate}
                    )
        except BaseException as exc:  # handed to the main thread, which re-raises it
            self.error = exc
            while self.chunks.get() is not None:  # keep the producer from blocking
                pass


def _load_households(raw_connection, generator: CityGenerator, counts: list[int], progress: Progress) -> None:
    loader = _Loader(raw_connection, sum(counts), progress)
    loader.start()
    try:
        for chunk in generator.chunks(counts, CHUNK_HOUSEHOLDS):
            if loader.error is not None:
                break
            loader.chunks.put(chunk)
    finally:
        loader.chunks.put(None)
        loader.join()
    if loader.error is not None:
        raise loader.error


def _region_rows(regions: list[RegionRow]) -> list[str]:
    return [
        f"{r.code},{r.name},{rules.region_level_of(r.code)},{rules.region_prefix(r.code)},"
        f"{'t' if r.is_urban else 'f'},{r.parent or ''}"
        for r in regions
    ]


def _truncate() -> None:
    """Empty every civil_affairs table; CASCADE empties whatever points at them."""
    config = apps.get_app_config("civil_affairs")
    tables = sorted(m._meta.db_table for m in config.get_models(include_auto_created=True))
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {', '.join(map(connection.ops.quote_name, tables))} RESTART IDENTITY CASCADE")


def _move_sequences(cursor) -> None:
    """Move each COPYed table's id sequence past the largest id written, read
    from the table itself (member rows reuse their person's id, so the
    generator's counters are not the truth), so the next ORM insert is free."""
    for table, _columns in TABLES.values():
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence(%s, 'id'), COALESCE(MAX(id), 1), MAX(id) IS NOT NULL)"
            f" FROM {connection.ops.quote_name(table)}",
            [table],
        )


# ---------------------------------------------------------------- accounts


@dataclass(frozen=True)
class Login:
    username: str
    password: str
    role: str
    region: str


@dataclass(frozen=True)
class SeedResult:
    regions: int
    households: int
    persons: int
    logins: list[Login]


def _staff_logins(regions: list[RegionRow]) -> list[tuple[str, str, str, str]]:
    """(username, role, region code, display name) of the demo staff."""
    streets = [r for r in regions if rules.region_level_of(r.code) == 4]
    jinsha = streets[0]  # the seat of 通州区, first by code
    other = next(s for s in streets if s.code.startswith("320613"))
    community = next(r for r in regions if r.parent == jinsha.code)
    city, tongzhou = CITY[0], "320612000000"
    return [
        ("admin", Role.BUREAU_ADMIN, city, "系统管理员"),
        ("reviewer_tz", Role.REVIEWER, tongzhou, "通州区审核员"),
        ("caseworker_jinsha", Role.CASEWORKER, jinsha.code, f"{jinsha.name}经办人"),
        # the second visitor who co-signs 金沙's home visits
        ("caseworker_jinsha2", Role.CASEWORKER, jinsha.code, f"{jinsha.name}经办人（二）"),
        ("caseworker_other", Role.CASEWORKER, other.code, f"{other.name}经办人"),
        ("community_worker", Role.COMMUNITY_WORKER, community.code, f"{community.name}社工"),
        ("institution_staff", Role.INSTITUTION_STAFF, tongzhou, "养老机构工作人员"),
        ("charity_staff", Role.CHARITY_STAFF, city, "慈善组织工作人员"),
        ("auditor", Role.AUDITOR, city, "审计员"),
    ]


def _create_accounts(regions: list[RegionRow]) -> list[Login]:
    """Demo staff, one per role, and a resident bound to the first household's
    head.  A username that already exists is left as it is."""
    logins = []
    for username, role, code, name in _staff_logins(regions):
        region = Region.objects.get(code=code)
        password = DEMO_PASSWORD
        if User.objects.filter(username=username).exists():
            password = _("（已存在，未修改）")
        else:
            services.staff_user_create(
                actor=None, username=username, password=DEMO_PASSWORD, role=role, region=region, name=name
            )
        logins.append(Login(username, password, Role(role).label, region.name))
    return logins + _resident_login()


def _resident_login() -> list[Login]:
    head = (
        HouseholdMember.objects.filter(relation=HouseholdMember.Relation.HEAD, person__death_date=None)
        .exclude(person__phone="")
        .select_related("person__residence_region")
        .order_by("household_id")
        .first()
    )
    if head is None or User.objects.filter(username=head.person.phone).exists():
        return []
    person = head.person
    # Verified as if at the window: the demo resident sees their household at once.
    services.resident_account_create(
        phone=person.phone,
        id_number=person.id_number,
        name=person.name,
        password_hash=make_password(DEMO_PASSWORD),
        verification_method="in_person",
    )
    return [Login(person.phone, DEMO_PASSWORD, f"{Role.RESIDENT.label}（{person.name}）", person.residence_region.name)]


# ---------------------------------------------------------------- entry point


def area_seeders() -> list:
    """Each registered policy area's demo seeder (Area.demo_seeder), in menu order,
    run after the city is loaded."""
    from .areas import registered, resolve

    return [resolve(area.demo_seeder) for area in registered() if area.demo_seeder]


def city_exists() -> bool:
    return Region.objects.exists()


def seed_city(
    *, households: int, seed: int = 2026, reset: bool = False, progress: Progress = lambda _message: None
) -> SeedResult:
    """Build the demo city with `households` households.  Refuses when a city
    is already loaded unless `reset` (which empties the core tables first)."""
    if households < 1:
        raise services.DomainError(_("家庭数须为正整数，当前为 %(n)d。") % {"n": households})
    # One stream per stage: the tree and the first households (hence the demo
    # logins) are the same for a seed whatever the number of households.
    regions, communities = build_tree(random.Random(f"tree-{seed}"))
    counts = allocate_households(random.Random(f"allocation-{seed}"), communities, households)
    generator = CityGenerator(random.Random(f"people-{seed}"), communities, timezone.now().isoformat())
    with transaction.atomic():
        if reset:
            _truncate()
        elif city_exists():
            raise DemoDataPresent(
                _(
                    "数据库中已有行政区划等数据。请加 --reset 清空后重建，或加 --if-empty 跳过。"
                    "Data already present: use --reset to wipe and reload, "
                    "or --if-empty to skip."
                )
            )
        with connection.cursor() as cursor:
            # Check foreign keys per COPY, not all at commit: bounded memory.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            with cursor.connection.cursor() as raw_cursor:
                _copy(raw_cursor, REGION_TABLE, _region_rows(regions))
            progress(_("行政区划 %(n)d 个，社区/村 %(c)d 个。") % {"n": len(regions), "c": len(communities)})
            _load_households(cursor.connection, generator, counts, progress)
            _move_sequences(cursor)
        logins = _create_accounts(regions)
    with connection.cursor() as cursor:
        # Fresh statistics, so the planner uses the new indexes from the first query on.
        cursor.execute(f"ANALYZE {', '.join(table for table, _columns in TABLES.values())}, civil_affairs_region")
    return SeedResult(len(regions), households, generator.next_id["person"] - 1, logins)
