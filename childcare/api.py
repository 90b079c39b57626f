"""/api/childcare/…: recognition cases (list, retrieve, check and decide by
POST), allowances, the registry of children (full records only where the
caller may open them; retrieve audited), visits recorded by POST, and the
allowance rolls through the core's RollViewSet.  Views validate input, call a
service, serialise output; a DomainError is a 400 with its Chinese message."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from civil_affairs import rolls
from civil_affairs.api import RecordViewMixin
from civil_affairs.pagination import KeysetPagination
from civil_affairs.permissions import HasCapability, has_capability
from civil_affairs.rules import mask_id_number

from . import payroll, selectors, services
from .models import Allowance, AllowanceRoll, Case, Child, Visit


class ChildcarePermission(HasCapability):
    capability = "childcare_view"


class PersonMixin(serializers.Serializer):
    def _person(self, person) -> dict:
        return {"id": person.pk, "name": person.name, "id_number": mask_id_number(person.id_number)}


class CaseSerializer(serializers.ModelSerializer):
    child = serializers.SerializerMethodField()

    class Meta:
        model = Case
        fields = [
            "id",
            "number",
            "child",
            "category",
            "setting",
            "state",
            "region",
            "submitted_on",
            "check_due",
            "checked_on",
            "check_opinion",
            "decided_on",
            "decision_note",
            "online",
        ]

    def get_child(self, case) -> dict:
        return {"id": case.child_id, "name": case.child.name, "id_number": mask_id_number(case.child.id_number)}


class CheckInput(serializers.Serializer):
    recommend = serializers.BooleanField()
    opinion = serializers.CharField(max_length=1000)


class DecideInput(serializers.Serializer):
    approve = serializers.BooleanField()
    note = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")


def _service(call):
    try:
        return call()
    except DjangoPermissionDenied:
        raise PermissionDenied from None


class CaseViewSet(RecordViewMixin, viewsets.ReadOnlyModelViewSet):
    """孤儿/事实无人抚养儿童认定申请 the caller may open."""

    permission_classes = [ChildcarePermission]
    pagination_class = KeysetPagination
    serializer_class = CaseSerializer

    def get_queryset(self):
        return selectors.case_list_for_user(self.request.user)

    @extend_schema(request=CheckInput, responses=CaseSerializer)
    @action(detail=True, methods=["post"], url_path="check", url_name="check")
    def check_case(self, request, pk=None):
        case = self.get_object()
        if not has_capability(request.user, "childcare_check"):
            raise PermissionDenied
        data = CheckInput(data=request.data)
        data.is_valid(raise_exception=True)
        _service(lambda: services.case_check(actor=request.user, case=case, **data.validated_data))
        return Response(CaseSerializer(Case.objects.get(pk=case.pk)).data)

    @extend_schema(request=DecideInput, responses=CaseSerializer)
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        case = self.get_object()
        if not has_capability(request.user, "childcare_decide"):
            raise PermissionDenied
        data = DecideInput(data=request.data)
        data.is_valid(raise_exception=True)
        _service(lambda: services.case_decide(actor=request.user, case=case, **data.validated_data))
        return Response(CaseSerializer(Case.objects.get(pk=case.pk)).data)


class AllowanceSerializer(serializers.ModelSerializer):
    child = serializers.SerializerMethodField()

    class Meta:
        model = Allowance
        fields = ["id", "child", "category", "setting", "region", "start_month", "last_month", "status", "next_review"]

    def get_child(self, a) -> dict:
        return {"id": a.child_id, "name": a.child.name, "id_number": mask_id_number(a.child.id_number)}


class AllowanceViewSet(RecordViewMixin, viewsets.ReadOnlyModelViewSet):
    permission_classes = [ChildcarePermission]
    pagination_class = KeysetPagination
    serializer_class = AllowanceSerializer

    def get_queryset(self):
        return selectors.allowance_list_for_user(self.request.user)


class ChildSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="person.name")
    id_number = serializers.SerializerMethodField()

    class Meta:
        model = Child
        fields = [
            "id",
            "name",
            "id_number",
            "kind",
            "region",
            "risk",
            "guardian_name",
            "guardian_situation",
            "school",
            "registered_on",
            "next_visit_due",
            "last_visit_on",
            "version",
        ]

    def get_id_number(self, c) -> str:
        return mask_id_number(c.person.id_number)


class ChildVisitSerializer(serializers.ModelSerializer):
    class Meta:
        model = Visit
        fields = ["id", "visited_on", "seen", "notes", "risk_seen", "on_time"]
        read_only_fields = ["risk_seen", "on_time"]


class ChildViewSet(RecordViewMixin, viewsets.ReadOnlyModelViewSet):
    """困境/留守儿童 whose full records the caller may open (assigned director,
    supervisor, childcare staff, auditor); others get an empty list."""

    permission_classes = [ChildcarePermission]
    pagination_class = KeysetPagination
    serializer_class = ChildSerializer

    def get_queryset(self):
        return selectors.child_records_for_user(self.request.user)

    @extend_schema(request=ChildVisitSerializer, responses=ChildVisitSerializer)
    @action(detail=True, methods=["post"])
    def visits(self, request, pk=None):
        child = self.get_object()
        if not has_capability(request.user, "childcare_registry"):
            raise PermissionDenied
        data = ChildVisitSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        visit = _service(lambda: services.visit_record(actor=request.user, child=child, **data.validated_data))
        return Response(ChildVisitSerializer(visit).data, status=201)


class ChildAllowanceRollSerializer(rolls.RollSerializer):
    class Meta(rolls.RollSerializer.Meta):
        model = AllowanceRoll


class AllowanceRollViewSet(rolls.RollViewSet):
    """儿童基本生活费花名册: district rolls; approve by POST; the bank file once approved."""

    roll_kind = payroll.ALLOWANCE_ROLL
    serializer_class = ChildAllowanceRollSerializer


router = DefaultRouter()
router.register("cases", CaseViewSet, basename="case")
router.register("allowances", AllowanceViewSet, basename="allowance")
router.register("children", ChildViewSet, basename="child")
router.register("payroll", AllowanceRollViewSet, basename="roll")
