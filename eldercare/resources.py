"""Import-export for eldercare's registers (CSV and Excel): institutions,
beds, providers and their price lists.  Imports run through the core's
chunked import (good rows kept, bad rows reported by row number and a
Chinese reason under the column's header); exports through the admin's
SafeExportMixin (escaped, audited)."""

from __future__ import annotations

from import_export import fields

from civil_affairs.models import Region
from civil_affairs.resources import CheckedResource, ChoiceWidget, CountWidget, KeyWidget, NumberWidget, TextWidget

from .models import Bed, Institution, Provider, ServiceItem


class InstitutionResource(CheckedResource):
    name = fields.Field(attribute="name", column_name="名称", widget=TextWidget())
    filing_number = fields.Field(attribute="filing_number", column_name="备案编号", widget=TextWidget())
    operator = fields.Field(
        attribute="operator", column_name="运营方式", widget=ChoiceWidget(Institution.Operator.choices)
    )
    star_grade = fields.Field(attribute="star_grade", column_name="星级", widget=CountWidget())
    grade_score = fields.Field(attribute="grade_score", column_name="评定得分", widget=CountWidget())
    medical = fields.Field(
        attribute="medical", column_name="医疗能力", widget=ChoiceWidget(Institution.Medical.choices)
    )
    region = fields.Field(attribute="region", column_name="所在区划代码", widget=KeyWidget(Region, field="code"))
    required = ("name", "filing_number", "operator", "region")

    class Meta(CheckedResource.Meta):
        model = Institution
        import_id_fields = ("filing_number",)
        fields = ("name", "filing_number", "operator", "star_grade", "grade_score", "medical", "region")


class BedResource(CheckedResource):
    institution = fields.Field(
        attribute="institution", column_name="机构备案编号", widget=KeyWidget(Institution, field="filing_number")
    )
    room = fields.Field(attribute="room", column_name="房间号", widget=TextWidget())
    number = fields.Field(attribute="number", column_name="床位号", widget=TextWidget())
    kind = fields.Field(attribute="kind", column_name="床位类型", widget=ChoiceWidget(Bed.Kind.choices))
    required = ("institution", "room", "number")

    class Meta(CheckedResource.Meta):
        model = Bed
        import_id_fields = ("institution", "room", "number")
        fields = ("institution", "room", "number", "kind")


class ProviderResource(CheckedResource):
    name = fields.Field(attribute="name", column_name="名称", widget=TextWidget())
    credit_code = fields.Field(attribute="credit_code", column_name="统一社会信用代码", widget=TextWidget(upper=True))
    region = fields.Field(attribute="region", column_name="所在区划代码", widget=KeyWidget(Region, field="code"))
    bank_account = fields.Field(attribute="bank_account", column_name="结算银行账号", widget=TextWidget())
    required = ("name", "credit_code", "region")

    class Meta(CheckedResource.Meta):
        model = Provider
        import_id_fields = ("credit_code",)
        fields = ("name", "credit_code", "region", "bank_account")


class ServiceItemResource(CheckedResource):
    provider = fields.Field(
        attribute="provider", column_name="统一社会信用代码", widget=KeyWidget(Provider, field="credit_code")
    )
    code = fields.Field(attribute="code", column_name="项目编码", widget=TextWidget())
    name = fields.Field(attribute="name", column_name="服务项目", widget=TextWidget())
    unit_price = fields.Field(attribute="unit_price", column_name="单价", widget=NumberWidget())
    required = ("provider", "code", "name", "unit_price")

    class Meta(CheckedResource.Meta):
        model = ServiceItem
        import_id_fields = ("provider", "code")
        fields = ("provider", "code", "name", "unit_price")
