"""/api/relief/: standards (and the values in force), applications with one
POST action per procedure step, benefits, payroll rolls, the review tasks of
the nightly recheck, price-linkage subsidy rolls.  Views validate
input, call one service, serialise the result; reads go through the same
scoped selectors as the pages."""

from __future__ import annotations

import datetime as dt

import django_filters
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, inline_serializer
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from civil_affairs import clock, rolls
from civil_affairs import rules as core_rules
from civil_affairs.api import IdNumberField, RecordViewMixin
from civil_affairs.models import Parameter, User
from civil_affairs.pagination import KeysetPagination
from civil_affairs.permissions import HasCapability, has_capability
from civil_affairs.rules import region_ancestors
from civil_affairs.selectors import jurisdiction_prefix

from .models import Application, Benefit, HomeVisit, Objection, PayrollRoll, PriceSubsidyRoll, ReviewTask
from .selectors import applications as app_selectors
from .selectors import payroll as payroll_selectors
from .selectors import price_linkage as linkage_selectors
from .selectors import tasks as task_selectors
from .selectors.standards import standard_list_for_user, standards_in_force
from .services import applications as services
from .services import benefits as benefit_services
from .services import recheck as recheck_services


class ReliefPermission(HasCapability):
    capability = "relief_view"


def _in_region(field: str):
    """?region=CODE: that region and everything under it."""

    def apply(qs, name, value):
        try:
            return qs.filter(**{f"{field}__startswith": core_rules.region_prefix(value)})
        except ValueError:
            return qs.none()

    return apply


# ---------------------------------------------------------------- standards


class StandardSerializer(serializers.ModelSerializer):
    """A row of relief's dated parameters (the core's Parameter table)."""

    class Meta:
        model = Parameter
        fields = ["id", "region", "key", "value", "effective_from", "note"]


class StandardViewSet(viewsets.ReadOnlyModelViewSet):
    """救助标准: dated values per region (the caller's region, its subtree and its ancestors)."""

    serializer_class = StandardSerializer
    permission_classes = [ReliefPermission]
    pagination_class = KeysetPagination
    filterset_fields = ["key", "region"]

    def get_queryset(self):
        return standard_list_for_user(self.request.user)

    @extend_schema(
        parameters=[OpenApiParameter("region", str, required=True), OpenApiParameter("on", dt.date, required=False)],
        responses=inline_serializer(
            "StandardsInForce",
            {"region": serializers.CharField(), "on": serializers.DateField(), "values": serializers.DictField()},
        ),
    )
    @action(detail=False, url_path="in-force")
    def in_force(self, request):
        """The value of every standard in force for a region on a day (walking up the tree)."""
        code = request.query_params.get("region", "").strip()
        if not code.isdigit() or len(code) != 12:
            raise ValidationError({"region": _("区划代码应为12位数字。")})
        prefix = jurisdiction_prefix(request.user)
        if prefix is None or not (code.startswith(prefix) or code in region_ancestors(request.user.region_id)):
            raise Http404
        try:
            on = dt.date.fromisoformat(request.query_params.get("on") or clock.today().isoformat())
        except ValueError:
            raise ValidationError({"on": _("日期格式应为 YYYY-MM-DD。")}) from None
        values = standards_in_force(code, on)
        shown = {k: getattr(values, k) for k in values.keys()}  # an optional standard not set is null
        return Response(
            {"region": code, "on": on, "values": {k: None if v is None else str(v) for k, v in shown.items()}}
        )


# ---------------------------------------------------------------- applications


class VisitSerializer(serializers.ModelSerializer):
    """A home visit; `status` is confirmed once the second visitor signed it,
    declined (void) when they refused, else pending."""

    status = serializers.ChoiceField(choices=["confirmed", "pending", "declined"], read_only=True)
    decline_reason = serializers.CharField(read_only=True, default="")

    class Meta:
        model = HomeVisit
        fields = [
            "id",
            "visited_on",
            "first_visitor",
            "second_visitor",
            "living_conditions",
            "findings",
            "confirmed_at",
            "status",
            "decline_reason",
        ]


class PendingVisitSerializer(serializers.ModelSerializer):
    """A visit awaiting my signature, with the case it belongs to."""

    application_number = serializers.CharField(source="application.number", read_only=True)
    first_visitor_name = serializers.CharField(source="first_visitor.get_full_name", read_only=True)

    class Meta:
        model = HomeVisit
        fields = [
            "id",
            "application",
            "application_number",
            "visited_on",
            "first_visitor",
            "first_visitor_name",
            "second_visitor",
            "living_conditions",
            "findings",
            "confirmed_at",
        ]


class ObjectionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Objection
        fields = ["received_on", "raised_by", "content"]


class ApplicationSerializer(serializers.ModelSerializer):
    applicant_name = serializers.CharField(source="applicant.name", read_only=True)
    applicant_id_number = IdNumberField(source="applicant.id_number")
    household_number = serializers.CharField(source="household.number", read_only=True)

    class Meta:
        model = Application
        fields = [
            "id",
            "number",
            "kind",
            "temporary_type",
            "state",
            "household",
            "household_number",
            "applicant_name",
            "applicant_id_number",
            "region",
            "requested_amount",
            "accepted_on",
            "deadline",
            "eligible",
            "proposed_amount",
            "approval_level",
            "first_approved_by",
            "first_approved_at",
            "notice_start",
            "notice_end",
            "decided_on",
            "decision_reason",
            "recheck_of",
            "created_at",
        ]


class ApplicationDetailSerializer(ApplicationSerializer):
    visits = serializers.SerializerMethodField()
    objections = ObjectionSerializer(many=True, read_only=True)

    class Meta(ApplicationSerializer.Meta):
        fields = ApplicationSerializer.Meta.fields + [
            "reason",
            "checklist",
            "cross_check",
            "working",
            "proposal_note",
            "care_level",
            "support_mode",
            "paid_first_amount",
            "documents_due",
            "extension_reason",
            "return_reason",
            "visits",
            "objections",
        ]

    @extend_schema_field(VisitSerializer(many=True))
    def get_visits(self, application):
        return VisitSerializer(app_selectors.visits_with_status(application), many=True).data


class ChecklistInput(serializers.Serializer):
    checklist = serializers.DictField(child=serializers.BooleanField())


class ReturnInput(ChecklistInput):
    reason = serializers.CharField()


class ReasonInput(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class NoteInput(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="")


class VisitInput(serializers.Serializer):
    # Offered from the same list as the page: the street's other caseworkers (set per case below).
    second_visitor = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.none(), error_messages={"does_not_exist": app_selectors.NOT_A_SECOND_VISITOR}
    )
    visited_on = serializers.DateField()
    living_conditions = serializers.CharField()
    findings = serializers.CharField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        application, request = self.context.get("application"), self.context.get("request")
        if application is not None and request is not None:
            self.fields["second_visitor"].queryset = app_selectors.second_visitor_choices(request.user, application)


class ProposeInput(NoteInput):
    care_level = serializers.ChoiceField(choices=Application.CareLevel.choices, required=False, default="")
    support_mode = serializers.ChoiceField(choices=Application.SupportMode.choices, required=False, default="")
    has_capable_supporter = serializers.BooleanField(required=False, default=False)
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, required=False, allow_null=True, default=None)


class ObjectionInput(serializers.Serializer):
    received_on = serializers.DateField()
    content = serializers.CharField()
    raised_by = serializers.CharField(required=False, allow_blank=True, default="")


class AmountInput(serializers.Serializer):
    amount = serializers.DecimalField(max_digits=12, decimal_places=2)


class EmptyInput(serializers.Serializer):
    pass


class ApplicationFilter(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(label=_lazy("状态"), choices=Application.State.choices)
    kind = django_filters.ChoiceFilter(label=_lazy("救助类别"), choices=Application._meta.get_field("kind").choices)
    region = django_filters.CharFilter(label=_lazy("区划代码（含下级）"), method=_in_region("region__code"))

    class Meta:
        model = Application
        fields = ["state", "kind", "region"]


# action → (input serializer, capability, service call)
STEP_ACTIONS = {
    "submit": (EmptyInput, "relief_handle", lambda u, a, d: services.application_submit(actor=u, application=a)),
    "accept": (
        ChecklistInput,
        "relief_handle",
        lambda u, a, d: services.application_accept(actor=u, application=a, checklist=d["checklist"]),
    ),
    "return": (
        ReturnInput,
        "relief_handle",
        lambda u, a, d: services.application_return(
            actor=u, application=a, reason=d["reason"], checklist=d["checklist"]
        ),
    ),
    "extend": (
        ReasonInput,
        "relief_handle",
        lambda u, a, d: services.application_extend(actor=u, application=a, reason=d["reason"]),
    ),
    "visit": (
        VisitInput,
        "relief_handle",
        lambda u, a, d: services.application_visit_record(actor=u, application=a, **d),
    ),
    "propose": (
        ProposeInput,
        "relief_handle",
        lambda u, a, d: services.application_propose(actor=u, application=a, **d),
    ),
    "notice": (
        EmptyInput,
        "relief_handle",
        lambda u, a, d: services.application_notice_publish(actor=u, application=a),
    ),
    "objection": (
        ObjectionInput,
        "relief_handle",
        lambda u, a, d: services.application_objection_record(actor=u, application=a, **d),
    ),
    "pay-first": (
        AmountInput,
        "relief_handle",
        lambda u, a, d: services.application_pay_first(actor=u, application=a, amount=d["amount"]),
    ),
    "confirm": (NoteInput, None, lambda u, a, d: services.application_confirm(actor=u, application=a, note=d["note"])),
    "reject": (
        ReasonInput,
        None,
        lambda u, a, d: services.application_reject(actor=u, application=a, reason=d["reason"]),
    ),
}


class ApplicationViewSet(RecordViewMixin, viewsets.ReadOnlyModelViewSet):
    """救助申请 within the caller's jurisdiction; each procedure step is a POST action."""

    permission_classes = [ReliefPermission]
    pagination_class = KeysetPagination
    filterset_class = ApplicationFilter

    def get_queryset(self):
        qs = app_selectors.application_list_for_user(self.request.user)
        if self.action == "retrieve":
            qs = qs.prefetch_related("visits", "objections")
        return qs

    def get_serializer_class(self):
        return ApplicationDetailSerializer if self.action != "list" else ApplicationSerializer

    def _step(self, request, name):
        serializer_class, capability, call = STEP_ACTIONS[name]
        application = self.get_object()
        # Deciding is checked by the service (level, maker–checker); handling needs the capability.
        allowed = (
            has_capability(request.user, capability)
            if capability
            else (has_capability(request.user, "relief_handle") or has_capability(request.user, "relief_decide"))
        )
        if not allowed:
            raise PermissionDenied(_("您的角色不能办理此环节。"))
        data = serializer_class(data=request.data, context={"request": request, "application": application})
        data.is_valid(raise_exception=True)
        call(request.user, application, dict(data.validated_data))
        fresh = app_selectors.application_get_for_user(request.user, application.pk)
        return Response(
            ApplicationDetailSerializer(fresh, context={"request": request}).data, status=status.HTTP_200_OK
        )


def _make_step(name: str):
    serializer_class = STEP_ACTIONS[name][0]

    @extend_schema(request=serializer_class, responses=ApplicationDetailSerializer, summary=f"step: {name}")
    def step(self, request, pk=None):
        return self._step(request, name)

    step.__name__ = name.replace("-", "_")
    return action(detail=True, methods=["post"], url_path=name, url_name=name)(step)


for _name in STEP_ACTIONS:
    setattr(ApplicationViewSet, _name.replace("-", "_"), _make_step(_name))


# ---------------------------------------------------------------- home visits awaiting my signature


class VisitHandlePermission(HasCapability):
    capability = "relief_handle"


class DeclineInput(serializers.Serializer):
    reason = serializers.CharField(max_length=500)


class VisitViewSet(viewsets.GenericViewSet):
    """入户调查待确认: the visits naming me as second visitor; I confirm or
    decline each in my own session (only the named visitor may)."""

    permission_classes = [VisitHandlePermission]
    pagination_class = KeysetPagination
    serializer_class = PendingVisitSerializer

    def get_queryset(self):
        if self.action == "list":
            return app_selectors.visits_awaiting_confirmation(self.request.user)
        # any visit on a case in my jurisdiction (else 404); whether it is mine to sign: 403 below
        return HomeVisit.objects.filter(application__in=app_selectors.application_list_for_user(self.request.user))

    def list(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def _mine(self):
        visit = self.get_object()
        if visit.second_visitor_id != self.request.user.pk:
            raise PermissionDenied(_("只有被列为共同调查人的工作人员本人才能确认或拒绝这次入户调查。"))
        return visit

    @extend_schema(request=EmptyInput, responses=PendingVisitSerializer)
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        """Sign the visit as its second visitor."""
        visit = services.visit_confirm(actor=request.user, visit=self._mine())
        return Response(PendingVisitSerializer(visit).data)

    @extend_schema(request=DeclineInput, responses=PendingVisitSerializer)
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        """Refuse to sign it, with a reason: the visit is void."""
        visit = self._mine()
        data = DeclineInput(data=request.data)
        data.is_valid(raise_exception=True)
        visit = services.visit_decline(actor=request.user, visit=visit, **data.validated_data)
        return Response(PendingVisitSerializer(visit).data)


# ---------------------------------------------------------------- benefits


class BenefitSerializer(serializers.ModelSerializer):
    recipient_name = serializers.CharField(source="recipient.name", read_only=True)
    recipient_id_number = IdNumberField(source="recipient.id_number")
    household_number = serializers.CharField(source="household.number", read_only=True)

    class Meta:
        model = Benefit
        fields = [
            "id",
            "household",
            "household_number",
            "recipient_name",
            "recipient_id_number",
            "kind",
            "region",
            "monthly_amount",
            "members",
            "care_level",
            "start_month",
            "last_month",
            "next_recheck",
            "stable",
            "status",
            "status_reason",
            "application",
        ]


class StatusInput(serializers.Serializer):
    status = serializers.ChoiceField(choices=Benefit.Status.choices)
    reason = serializers.CharField()


class BenefitFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(label=_lazy("状态"), choices=Benefit.Status.choices)
    kind = django_filters.ChoiceFilter(label=_lazy("救助类别"), choices=Benefit._meta.get_field("kind").choices)
    region = django_filters.CharFilter(label=_lazy("区划代码（含下级）"), method=_in_region("region__code"))

    class Meta:
        model = Benefit
        fields = ["status", "kind", "region"]


class BenefitViewSet(RecordViewMixin, viewsets.ReadOnlyModelViewSet):
    """救助待遇 within the caller's jurisdiction."""

    serializer_class = BenefitSerializer
    permission_classes = [ReliefPermission]
    pagination_class = KeysetPagination
    filterset_class = BenefitFilter

    def get_queryset(self):
        return app_selectors.benefit_list_for_user(self.request.user)

    @extend_schema(request=EmptyInput, responses={201: ApplicationDetailSerializer})  # answers 201 Created
    @action(detail=True, methods=["post"])
    def recheck(self, request, pk=None):
        """Open a recheck (a new application, already accepted)."""
        benefit = self.get_object()
        if not has_capability(request.user, "relief_handle"):
            raise PermissionDenied(_("您的角色不能发起复核。"))
        application = benefit_services.benefit_recheck_start(actor=request.user, benefit=benefit)
        fresh = app_selectors.application_get_for_user(request.user, application.pk)
        return Response(
            ApplicationDetailSerializer(fresh, context={"request": request}).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(request=StatusInput, responses=BenefitSerializer)
    @action(detail=True, methods=["post"], url_path="status")
    def change_status(self, request, pk=None):
        """Suspend, resume or stop, with a reason."""
        benefit = self.get_object()
        if not has_capability(request.user, "relief_decide"):
            raise PermissionDenied(_("您的角色不能变更待遇状态。"))
        data = StatusInput(data=request.data)
        data.is_valid(raise_exception=True)
        benefit = benefit_services.benefit_status_change(actor=request.user, benefit=benefit, **data.validated_data)
        return Response(
            BenefitSerializer(
                app_selectors.benefit_get_for_user(request.user, benefit.pk), context={"request": request}
            ).data
        )


# ---------------------------------------------------------------- district rolls (civil_affairs.rolls)


class RollSerializer(rolls.RollSerializer):
    class Meta(rolls.RollSerializer.Meta):
        model = PayrollRoll


class RollViewSet(rolls.RollViewSet):
    """发放花名册: district rolls with their line count and total; approve by POST; the bank file once approved."""

    roll_kind = payroll_selectors.PAYROLL
    serializer_class = RollSerializer


class SubsidyRollSerializer(rolls.RollSerializer):
    people = serializers.IntegerField(source="lines", read_only=True)  # one line per person

    class Meta(rolls.RollSerializer.Meta):
        model = PriceSubsidyRoll
        fields = [f if f != "lines" else "people" for f in rolls.RollSerializer.Meta.fields]


class SubsidyRollViewSet(rolls.RollViewSet):
    """物价补贴花名册: district rolls with their people and total; approve by POST; the bank file once approved."""

    roll_kind = linkage_selectors.PRICE_SUBSIDY
    serializer_class = SubsidyRollSerializer


# ---------------------------------------------------------------- review tasks of the nightly recheck


class ReviewTaskSerializer(serializers.ModelSerializer):
    person_name = serializers.CharField(source="person.name", read_only=True, default="")
    person_id_number = IdNumberField(source="person.id_number", default="")
    household_number = serializers.CharField(source="benefit.household.number", read_only=True)

    class Meta:
        model = ReviewTask
        fields = [
            "id",
            "kind",
            "status",
            "benefit",
            "household_number",
            "person_name",
            "person_id_number",
            "region",
            "evidence",
            "due",
            "created_at",
            "resolved_by",
            "resolved_at",
            "resolution",
        ]


class ResolveInput(serializers.Serializer):
    status = serializers.ChoiceField(choices=[ReviewTask.Status.DONE, ReviewTask.Status.DISMISSED])
    note = serializers.CharField()


class ReviewTaskFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(label=_lazy("任务类型"), choices=ReviewTask.Kind.choices)
    status = django_filters.ChoiceFilter(label=_lazy("状态"), choices=ReviewTask.Status.choices)
    region = django_filters.CharFilter(label=_lazy("区划代码（含下级）"), method=_in_region("region__code"))

    class Meta:
        model = ReviewTask
        fields = ["kind", "status", "region"]


class ReviewTaskViewSet(RecordViewMixin, viewsets.ReadOnlyModelViewSet):
    """核查任务 within the caller's jurisdiction (every status; filter by ?status=open)."""

    serializer_class = ReviewTaskSerializer
    permission_classes = [ReliefPermission]
    pagination_class = KeysetPagination
    filterset_class = ReviewTaskFilter

    def get_queryset(self):
        return task_selectors.task_list_for_user(self.request.user, status="all")

    @extend_schema(request=ResolveInput, responses=ReviewTaskSerializer)
    @action(detail=True, methods=["post"])
    def resolve(self, request, pk=None):
        """Close the task as done, or as checked with nothing to change, with a note."""
        task = self.get_object()
        if not has_capability(request.user, "relief_handle"):
            raise PermissionDenied(_("您的角色不能处理核查任务。"))
        data = ResolveInput(data=request.data)
        data.is_valid(raise_exception=True)
        recheck_services.task_resolve(actor=request.user, task=task, **data.validated_data)
        return Response(ReviewTaskSerializer(self.get_queryset().get(pk=task.pk), context={"request": request}).data)


router = DefaultRouter()
router.register("standards", StandardViewSet, basename="standard")
router.register("applications", ApplicationViewSet, basename="application")
router.register("benefits", BenefitViewSet, basename="benefit")
router.register("visits", VisitViewSet, basename="visit")
router.register("payroll", RollViewSet, basename="roll")
router.register("tasks", ReviewTaskViewSet, basename="task")
router.register("price-linkage", SubsidyRollViewSet, basename="subsidy-roll")
