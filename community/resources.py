"""Import-export for committee members, social organisations and rating results
(CSV and Excel), through the core's chunked import (good rows kept, bad rows
reported with row number and reason)."""

from __future__ import annotations

from import_export import fields

from civil_affairs.models import Person, Region
from civil_affairs.resources import CheckedResource, ChoiceWidget, DayWidget, KeyWidget, StrictResource, TextWidget

from .models import Committee, CommitteeMember, Rating, SocialOrg


class CommitteeMemberResource(CheckedResource):
    """One current committee member per row: the community's current committee must exist."""

    committee = fields.Field(attribute="committee", column_name="委员会编号", widget=KeyWidget(Committee, field="pk"))
    person = fields.Field(attribute="person", column_name="身份证号", widget=KeyWidget(Person, field="id_number"))
    post = fields.Field(attribute="post", column_name="职务", widget=ChoiceWidget(CommitteeMember.Post.choices))
    term_start = fields.Field(attribute="term_start", column_name="任期开始", widget=DayWidget())
    term_end = fields.Field(attribute="term_end", column_name="任期届满", widget=DayWidget())

    required = ("committee", "person", "post", "term_start", "term_end")

    class Meta(StrictResource.Meta):
        model = CommitteeMember
        import_id_fields = ("committee", "person")
        fields = ("committee", "person", "post", "term_start", "term_end")


class SocialOrgResource(CheckedResource):
    region = fields.Field(attribute="region", column_name="登记机关区划代码", widget=KeyWidget(Region, field="code"))
    name = fields.Field(attribute="name", column_name="名称", widget=TextWidget())
    kind = fields.Field(attribute="kind", column_name="类型", widget=ChoiceWidget(SocialOrg.Kind.choices))
    credit_code = fields.Field(attribute="credit_code", column_name="统一社会信用代码", widget=TextWidget(upper=True))
    registered_on = fields.Field(attribute="registered_on", column_name="登记日期", widget=DayWidget())
    legal_rep = fields.Field(attribute="legal_rep", column_name="法定代表人", widget=TextWidget())
    grade = fields.Field(attribute="grade", column_name="评估等级", widget=TextWidget(upper=True))
    grade_until = fields.Field(attribute="grade_until", column_name="等级有效期至", widget=DayWidget())

    required = ("region", "name", "kind", "registered_on")

    class Meta(StrictResource.Meta):
        model = SocialOrg
        import_id_fields = ("credit_code",)
        fields = ("region", "name", "kind", "credit_code", "registered_on", "legal_rep", "grade", "grade_until")


class RatingResource(CheckedResource):
    org = fields.Field(
        attribute="org", column_name="统一社会信用代码", widget=KeyWidget(SocialOrg, field="credit_code")
    )
    applied_on = fields.Field(attribute="applied_on", column_name="申请日期", widget=DayWidget())
    state = fields.Field(attribute="state", column_name="状态", widget=ChoiceWidget(Rating.State.choices))
    score = fields.Field(attribute="score", column_name="评估得分", widget=TextWidget())
    grade = fields.Field(attribute="grade", column_name="评估等级", widget=TextWidget(upper=True))
    scored_on = fields.Field(attribute="scored_on", column_name="评估日期", widget=DayWidget())
    valid_until = fields.Field(attribute="valid_until", column_name="有效期至", widget=DayWidget())

    required = ("org", "applied_on", "state")

    class Meta(StrictResource.Meta):
        model = Rating
        import_id_fields = ("org", "applied_on")
        fields = ("org", "applied_on", "state", "score", "grade", "scored_on", "valid_until")
