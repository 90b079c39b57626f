"""factory-boy factories and builders for the shared core (civil_affairs); ID
numbers are always valid and unique."""

import datetime as dt
import itertools

import factory
from django.utils import timezone

from civil_affairs import rules
from civil_affairs.models import Household, HouseholdMember, IncomeRecord, Person, Region, Role, User

_sequence = itertools.count(1)


def valid_id_number(*, address_code: str = "320612", birth: dt.date = dt.date(1980, 5, 17), male: bool = True) -> str:
    """A fresh valid ID number (sequence parity matches sex)."""
    n = next(_sequence) % 499
    seq = n * 2 + (1 if male else 0)
    if seq == 0:
        seq = 2
    return rules.make_id_number(address_code, birth + dt.timedelta(days=next(_sequence) % 3000), seq)


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ("code",)

    code = "320600000000"
    name = factory.LazyAttribute(lambda o: f"区划{o.code}")


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    id_number = factory.LazyFunction(valid_id_number)
    # Names are validated (no digits): the sequence number in Chinese numerals keeps them apart.
    name = factory.Sequence(lambda n: "张" + "".join("〇一二三四五六七八九"[int(d)] for d in str(n)))
    hukou_region = factory.SubFactory(RegionFactory)
    residence_region = factory.SelfAttribute("hukou_region")
    phone = factory.Sequence(lambda n: f"139{n:08d}")


class HouseholdFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Household

    number = factory.Sequence(lambda n: f"HT{n:08d}")
    region = factory.SubFactory(RegionFactory)
    address = factory.Sequence(lambda n: f"幸福路{n}号")


class MemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = HouseholdMember

    household = factory.SubFactory(HouseholdFactory)
    person = factory.SubFactory(
        PersonFactory,
        residence_region=factory.SelfAttribute("..household.region"),
        hukou_region=factory.SelfAttribute("..household.region"),
    )
    relation = HouseholdMember.Relation.HEAD


class IncomeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IncomeRecord

    household = factory.SubFactory(HouseholdFactory)
    person = factory.SubFactory(PersonFactory)
    kind = IncomeRecord.Kind.WAGES
    amount = 14400
    period_start = dt.date(2025, 11, 1)
    period_end = dt.date(2026, 10, 31)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    role = Role.CASEWORKER
    password = factory.PostGenerationMethodCall("set_password", "Minzheng@2026")
    # Residents made here are verified (as after a code to their phone); pass
    # verified_at=None for an account still waiting for in-person verification.
    verified_at = factory.LazyAttribute(lambda o: timezone.now() if o.role == Role.RESIDENT else None)
    verification_method = factory.LazyAttribute(lambda o: "sms" if o.verified_at else "")

    @factory.post_generation
    def save_after(obj, create, extracted, **kwargs):
        if create:
            obj.save()


def pdf_bytes() -> bytes:
    """A real one-page PDF (uploads are parsed, not just sniffed)."""
    import io

    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def image_bytes(fmt: str = "JPEG") -> bytes:
    """A real 2×2 image in Pillow's format `fmt` ("JPEG" or "PNG")."""
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (2, 2), (200, 30, 30)).save(out, format=fmt)
    return out.getvalue()


# -------------------------------------------- registry import (person CSV)

GOOD_1 = rules.make_id_number("320612", dt.date(1950, 1, 1), 11)
GOOD_2 = rules.make_id_number("320612", dt.date(1960, 2, 2), 12)
BAD_CHECK = GOOD_1[:17] + ("0" if GOOD_1[17] != "0" else "1")


def person_csv(*rows) -> bytes:
    lines = ["id_number,name,hukou_region,residence_region,phone,disability_grade,labour_capacity"]
    lines += [",".join(r) for r in rows]
    return ("\n".join(lines) + "\n").encode("utf-8-sig")


# A person import of 4 rows: 1 good, then a bad check digit, an unknown region and a bad grade.
PERSON_IMPORT_ROWS = [
    (GOOD_1, "钱一", "320612001001", "", "13800000001", "0", "full"),
    (BAD_CHECK, "孙二", "320612001001", "", "", "0", "full"),  # row 3: check digit
    (GOOD_2, "李三", "320699999999", "", "", "0", "full"),  # row 4: unknown region
    (rules.make_id_number("320612", dt.date(1970, 3, 3), 13), "周四", "320612001001", "", "", "9", "full"),  # grade
]
