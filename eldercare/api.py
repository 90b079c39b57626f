"""Eldercare API (/api/eldercare/…), scoped like the pages: validate input,
call a service, serialise output.  DomainError → 400 through the core's
exception handler."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from civil_affairs import rolls
from civil_affairs.api import RecordViewMixin
from civil_affairs.pagination import FieldKeysetPagination, KeysetPagination
from civil_affairs.permissions import HasCapability, has_capability
from civil_affairs.rules import mask_id_number

from .models import Facility, Institution, SeniorAllowance, SeniorAllowanceRoll, Settlement, Visit
from .selectors import homecare as homecare_selectors
from .selectors import institutions as institution_selectors
from .selectors.allowance import SENIOR_ALLOWANCE, allowance_list_for_resident
from .services import homecare as homecare_services
from .services import meals as meal_services
from .services import settlement as settlement_services

# ---------------------------------------------------------------- senior allowance


class SeniorAllowanceRollSerializer(rolls.RollSerializer):
    people = serializers.IntegerField(source="lines", read_only=True)

    class Meta(rolls.RollSerializer.Meta):
        model = SeniorAllowanceRoll
        fields = [f if f != "lines" else "people" for f in rolls.RollSerializer.Meta.fields]


class AllowanceRollViewSet(rolls.RollViewSet):
    """尊老金花名册: district rolls with their people and total; approve by POST; the bank file once approved."""

    roll_kind = SENIOR_ALLOWANCE
    serializer_class = SeniorAllowanceRollSerializer


class MyAllowanceSerializer(serializers.ModelSerializer):
    approved = serializers.SerializerMethodField()

    class Meta:
        model = SeniorAllowance
        fields = ["month", "band", "age", "amount", "held", "approved"]

    def get_approved(self, line) -> bool:
        return line.roll.status == SeniorAllowanceRoll.Status.APPROVED


class IsResident(HasCapability):
    def has_permission(self, request, view):
        return bool(request.user.is_authenticated and request.user.is_resident)


class MyAllowanceViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """我的尊老金: the resident's own payments, newest first."""

    serializer_class = MyAllowanceSerializer
    permission_classes = [IsResident]
    pagination_class = KeysetPagination

    def get_queryset(self):
        return allowance_list_for_resident(self.request.user)

    def paginate_queryset(self, queryset):
        self.paginator.ordering = "-month"
        return super().paginate_queryset(queryset)


# ---------------------------------------------------------------- home care


class HomeCareVisitSerializer(serializers.ModelSerializer):
    person = serializers.CharField(source="order.person.name", read_only=True)
    id_number = serializers.SerializerMethodField()
    provider = serializers.CharField(source="provider.name", read_only=True)

    class Meta:
        model = Visit
        fields = [
            "id",
            "person",
            "id_number",
            "provider",
            "month",
            "planned_start",
            "planned_end",
            "checked_in_at",
            "checked_out_at",
            "items",
            "amount",
            "elder_confirmed",
            "status",
            "flagged",
            "flag_reasons",
            "missed_reason",
            "locked",
        ]

    def get_id_number(self, visit) -> str:
        return mask_id_number(visit.order.person.id_number)


class CheckOutInput(serializers.Serializer):
    quantities = serializers.DictField(child=serializers.DecimalField(max_digits=6, decimal_places=2))
    elder_confirmed = serializers.BooleanField()


class MissedInput(serializers.Serializer):
    reason = serializers.CharField(max_length=200)


class EmptyInput(serializers.Serializer):
    pass


class VisitViewSet(RecordViewMixin, viewsets.ReadOnlyModelViewSet):
    """上门服务: provider staff see their own provider's visits; the provider's worker checks in and out."""

    serializer_class = HomeCareVisitSerializer
    permission_classes = [HasCapability]
    capability = "homecare_view"
    pagination_class = KeysetPagination

    def get_queryset(self):
        return homecare_selectors.visit_list_for_user(self.request.user)

    @extend_schema(request=EmptyInput, responses=HomeCareVisitSerializer)
    @action(detail=True, methods=["post"], url_path="check-in")
    def check_in(self, request, pk=None):
        visit = homecare_services.visit_check_in(actor=request.user, visit=self.get_object())
        return Response(HomeCareVisitSerializer(visit).data)

    @extend_schema(request=CheckOutInput, responses=HomeCareVisitSerializer)
    @action(detail=True, methods=["post"], url_path="check-out")
    def check_out(self, request, pk=None):
        visit = self.get_object()
        data = CheckOutInput(data=request.data)
        data.is_valid(raise_exception=True)
        visit = homecare_services.visit_check_out(actor=request.user, visit=visit, **data.validated_data)
        return Response(HomeCareVisitSerializer(visit).data)

    @extend_schema(request=MissedInput, responses=HomeCareVisitSerializer)
    @action(detail=True, methods=["post"])
    def missed(self, request, pk=None):
        visit = self.get_object()
        data = MissedInput(data=request.data)
        data.is_valid(raise_exception=True)
        visit = homecare_services.visit_missed(actor=request.user, visit=visit, **data.validated_data)
        return Response(HomeCareVisitSerializer(visit).data)


class SettlementSerializer(serializers.ModelSerializer):
    provider_name = serializers.CharField(source="provider.name", read_only=True)

    class Meta:
        model = Settlement
        fields = [
            "id",
            "provider",
            "provider_name",
            "month",
            "district",
            "visits",
            "people",
            "earned",
            "amount",
            "capped_people",
            "status",
            "approved_at",
        ]


class SettlementViewSet(RecordViewMixin, viewsets.ReadOnlyModelViewSet):
    """居家养老服务结算: one per provider and month; approve by POST."""

    serializer_class = SettlementSerializer
    permission_classes = [HasCapability]
    capability = "settlement_view"
    pagination_class = KeysetPagination

    def get_queryset(self):
        return homecare_selectors.settlement_list_for_user(self.request.user)

    @extend_schema(request=EmptyInput, responses=SettlementSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        settlement = self.get_object()
        if not has_capability(request.user, "settlement_approve"):
            raise PermissionDenied(_("您的角色不能审核结算。"))
        settlement = settlement_services.settlement_approve(actor=request.user, settlement=settlement)
        return Response(SettlementSerializer(settlement).data)


# ---------------------------------------------------------------- institutions


class InstitutionSerializer(serializers.ModelSerializer):
    beds_total = serializers.IntegerField(read_only=True)
    beds_occupied = serializers.IntegerField(read_only=True)
    beds_nursing = serializers.IntegerField(read_only=True)

    class Meta:
        model = Institution
        fields = [
            "id",
            "name",
            "filing_number",
            "operator",
            "star_grade",
            "grade_score",
            "grade_valid_until",
            "medical",
            "region",
            "beds_total",
            "beds_occupied",
            "beds_nursing",
        ]


class InstitutionViewSet(RecordViewMixin, viewsets.ReadOnlyModelViewSet):
    """养老机构: institution staff see only their own."""

    serializer_class = InstitutionSerializer
    permission_classes = [HasCapability]
    capability = "institution_view"
    pagination_class = KeysetPagination

    def get_queryset(self):
        return institution_selectors.institution_list_for_user(self.request.user)


# ---------------------------------------------------------------- meals


class MealRow(serializers.Serializer):
    id_number = serializers.CharField(max_length=18)
    date = serializers.CharField(max_length=10)
    meal = serializers.CharField(max_length=4)


class MealBatchInput(serializers.Serializer):
    point = serializers.PrimaryKeyRelatedField(queryset=Facility.objects.filter(kind=Facility.Kind.MEAL_POINT))
    rows = MealRow(many=True, max_length=10_000)


class MealBatchResult(serializers.Serializer):
    rows = serializers.IntegerField()
    added = serializers.IntegerField()
    duplicates = serializers.IntegerField()
    bad = serializers.IntegerField()
    errors = serializers.ListField(child=serializers.DictField())


class MealBatchViewSet(viewsets.GenericViewSet):
    """助餐记录批量上报: a meal point posts its meals (up to 10 000 rows); bad rows come back with row number and reason."""

    permission_classes = [HasCapability]
    capability = "meal_view"
    serializer_class = MealBatchInput

    @extend_schema(request=MealBatchInput, responses=MealBatchResult)
    def create(self, request):
        data = MealBatchInput(data=request.data)
        data.is_valid(raise_exception=True)
        rows = [(r["id_number"], r["date"], r["meal"]) for r in data.validated_data["rows"]]
        result = meal_services.meals_record(
            actor=request.user, point=data.validated_data["point"], rows=rows, source="api"
        )
        return Response(
            MealBatchResult(
                {
                    "rows": result.rows,
                    "added": result.added,
                    "duplicates": result.duplicates,
                    "bad": result.bad,
                    "errors": result.errors,
                }
            ).data,
            status=201 if result.added else 200,
        )


router = DefaultRouter()
router.register("allowance-rolls", AllowanceRollViewSet, basename="allowance-roll")
router.register("my-allowance", MyAllowanceViewSet, basename="my-allowance")
router.register("visits", VisitViewSet, basename="visit")
router.register("settlements", SettlementViewSet, basename="settlement")
router.register("institutions", InstitutionViewSet, basename="institution")
router.register("meals", MealBatchViewSet, basename="meal")


# ---------------------------------------------------------------- visits to the vulnerable elderly (探访关爱)


class VulnerableElderSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(source="person.name", read_only=True)
    id_number = serializers.SerializerMethodField()
    region = serializers.CharField(source="region_id", read_only=True)
    reasons = serializers.ListField(child=serializers.CharField(), read_only=True)
    listed_on = serializers.DateField(read_only=True)
    last_visit_on = serializers.DateField(read_only=True, allow_null=True)
    next_due = serializers.DateField(read_only=True)
    ended_on = serializers.DateField(read_only=True, allow_null=True)
    end_reason = serializers.CharField(read_only=True)

    def get_id_number(self, entry) -> str:
        return mask_id_number(entry.person.id_number)


class VulnerableVisitInput(serializers.Serializer):
    visited_on = serializers.DateField()
    seen = serializers.BooleanField()
    checks = serializers.DictField(child=serializers.ChoiceField(["ok", "concern", "urgent"]), required=False)
    notes = serializers.CharField(max_length=2000, required=False, allow_blank=True)


class DuePagination(FieldKeysetPagination):
    field = "next_due"


class VulnerableElderViewSet(RecordViewMixin, viewsets.ReadOnlyModelViewSet):
    """探访关爱对象: the open entries of the caller's jurisdiction, the most overdue first (ID numbers masked)."""

    serializer_class = VulnerableElderSerializer
    permission_classes = [HasCapability]
    capability = "visit_list_view"
    pagination_class = DuePagination

    def get_queryset(self):
        from .selectors.vulnerable import entry_list_for_user

        return entry_list_for_user(self.request.user).filter(ended_on__isnull=True)

    @extend_schema(request=VulnerableVisitInput, responses=VulnerableElderSerializer)
    @action(detail=True, methods=["post"])
    def visits(self, request, pk=None):
        """Record a visit (the community worker of the elder's community): seen or not, the checks, notes."""
        from .services.vulnerable import visit_record

        if not has_capability(request.user, "visit_record"):
            raise PermissionDenied
        entry = self.get_object()
        data = VulnerableVisitInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        visit_record(
            actor=request.user,
            entry=entry,
            visited_on=v["visited_on"],
            seen=v["seen"],
            checks=v.get("checks", {}),
            notes=v.get("notes", ""),
        )
        entry.refresh_from_db()
        return Response(VulnerableElderSerializer(entry).data, status=201)


router.register("vulnerable-elders", VulnerableElderViewSet, basename="vulnerable-elder")


# ---------------------------------------------------------------- home adaptations and family care beds


class AdaptationNeedSerializer(serializers.Serializer):
    item = serializers.CharField(max_length=100)
    quantity = serializers.IntegerField(min_value=1, max_value=999)
    unit_cost = serializers.DecimalField(max_digits=10, decimal_places=2)
    cost = serializers.DecimalField(max_digits=10, decimal_places=2, read_only=True)


class AdaptationSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    kind = serializers.CharField(read_only=True)
    name = serializers.CharField(source="person.name", read_only=True)
    id_number = serializers.SerializerMethodField()
    region = serializers.CharField(source="region_id", read_only=True)
    channel = serializers.CharField(read_only=True)
    group = serializers.CharField(read_only=True)
    cap = serializers.DecimalField(max_digits=10, decimal_places=2, read_only=True)
    state = serializers.CharField(read_only=True)
    due_on = serializers.DateField(read_only=True, allow_null=True)
    applied_at = serializers.DateTimeField(read_only=True)
    estimate = serializers.DecimalField(max_digits=10, decimal_places=2, read_only=True, allow_null=True)
    contractor = serializers.IntegerField(source="contractor_id", read_only=True, allow_null=True)
    budget = serializers.DecimalField(max_digits=10, decimal_places=2, read_only=True, allow_null=True)
    actual_cost = serializers.DecimalField(max_digits=10, decimal_places=2, read_only=True, allow_null=True)
    paid_amount = serializers.DecimalField(max_digits=10, decimal_places=2, read_only=True, allow_null=True)

    def get_id_number(self, case) -> str:
        return mask_id_number(case.person.id_number)


class AdaptationAssessInput(serializers.Serializer):
    needs = AdaptationNeedSerializer(many=True)
    note = serializers.CharField(max_length=500, required=False, allow_blank=True)


class AdaptationOrderInput(serializers.Serializer):
    contractor = serializers.IntegerField()
    budget = serializers.DecimalField(max_digits=10, decimal_places=2)


class AdaptationNoteInput(serializers.Serializer):
    note = serializers.CharField(max_length=500, required=False, allow_blank=True)


class AdaptationPayInput(serializers.Serializer):
    amount = serializers.DecimalField(max_digits=10, decimal_places=2, required=False)
    reference = serializers.CharField(max_length=50, required=False, allow_blank=True)


class AdaptationViewSet(RecordViewMixin, viewsets.ReadOnlyModelViewSet):
    """适老化改造与家庭养老床位: the cases of the caller's jurisdiction (ID numbers masked), newest first;
    the steps by POST (assess with a needs list, order within the cap, accept by a second person, pay).
    Completion with photos is a multipart upload on the case's page."""

    serializer_class = AdaptationSerializer
    permission_classes = [HasCapability]
    capability = "adaptation_view"
    pagination_class = KeysetPagination

    def get_queryset(self):
        from .selectors.adaptations import adaptation_list_for_user

        return adaptation_list_for_user(self.request.user)

    def _done(self, case):
        return Response(AdaptationSerializer(case).data)

    @extend_schema(request=AdaptationAssessInput, responses=AdaptationSerializer)
    @action(detail=True, methods=["post"])
    def assess(self, request, pk=None):
        from .services import adaptations

        case = self.get_object()
        data = AdaptationAssessInput(data=request.data)
        data.is_valid(raise_exception=True)
        needs = [(n["item"], n["quantity"], n["unit_cost"]) for n in data.validated_data["needs"]]
        note = data.validated_data.get("note", "")
        return self._done(adaptations.adaptation_assess(actor=request.user, adaptation=case, needs=needs, note=note))

    @extend_schema(request=AdaptationOrderInput, responses=AdaptationSerializer)
    @action(detail=True, methods=["post"])
    def order(self, request, pk=None):
        from .selectors.adaptations import contractor_offered
        from .services import adaptations

        case = self.get_object()
        data = AdaptationOrderInput(data=request.data)
        data.is_valid(raise_exception=True)
        contractor = contractor_offered(case, data.validated_data["contractor"])
        return self._done(
            adaptations.adaptation_order(
                actor=request.user, adaptation=case, contractor=contractor, budget=data.validated_data["budget"]
            )
        )

    @extend_schema(request=AdaptationNoteInput, responses=AdaptationSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        from .services import adaptations

        case = self.get_object()
        data = AdaptationNoteInput(data=request.data)
        data.is_valid(raise_exception=True)
        note = data.validated_data.get("note", "")
        return self._done(adaptations.adaptation_accept(actor=request.user, adaptation=case, note=note))

    @extend_schema(request=AdaptationPayInput, responses=AdaptationSerializer)
    @action(detail=True, methods=["post"])
    def pay(self, request, pk=None):
        from .services import adaptations

        case = self.get_object()
        data = AdaptationPayInput(data=request.data)
        data.is_valid(raise_exception=True)
        return self._done(
            adaptations.adaptation_pay(
                actor=request.user,
                adaptation=case,
                amount=data.validated_data.get("amount"),
                reference=data.validated_data.get("reference", ""),
            )
        )


router.register("adaptations", AdaptationViewSet, basename="adaptation")
