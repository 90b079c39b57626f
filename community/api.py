"""/api/community/: elections (with results entry), topics, social organisations
and the execution rate.  Views validate input, call one service, serialise the
result; reads go through the same scoped selectors as the pages."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter
from rest_framework.views import APIView

from civil_affairs import clock
from civil_affairs import rules as core_rules
from civil_affairs.api import RecordViewMixin
from civil_affairs.pagination import KeysetPagination
from civil_affairs.permissions import HasCapability
from civil_affairs.selectors import jurisdiction_prefix

from . import selectors, services
from .models import Election, SocialOrg, Topic


class CommunityPermission(HasCapability):
    capability = "community_view"


class ElectionSerializer(serializers.ModelSerializer):
    region_name = serializers.CharField(source="region.name", read_only=True)

    class Meta:
        model = Election
        fields = [
            "id",
            "region",
            "region_name",
            "election_day",
            "seats",
            "state",
            "roll_published_on",
            "registered",
            "voted",
            "turnout",
            "valid",
            "runoff_required",
            "announced_on",
            "handover_due",
            "handed_over_on",
            "handover_late",
        ]


class BoxSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=40)
    registered = serializers.IntegerField(min_value=0)
    issued = serializers.IntegerField(min_value=0)
    returned = serializers.IntegerField(min_value=0)
    valid = serializers.IntegerField(min_value=0)
    invalid = serializers.IntegerField(min_value=0)
    votes = serializers.DictField(child=serializers.IntegerField(min_value=0), help_text="候选人编号 → 得票")


class ResultsSerializer(serializers.Serializer):
    boxes = BoxSerializer(many=True)


class ElectionViewSet(RecordViewMixin, viewsets.ReadOnlyModelViewSet):
    """换届选举 of the caller's jurisdiction; POST results per ballot box."""

    serializer_class = ElectionSerializer
    permission_classes = [CommunityPermission]
    pagination_class = KeysetPagination
    filterset_fields = ["state", "region"]

    def get_queryset(self):
        return selectors.election_list_for_user(self.request.user)

    @extend_schema(request=ResultsSerializer, responses=ElectionSerializer)
    @action(detail=True, methods=["post"])
    def results(self, request, pk=None):
        election = self.get_object()
        if not selectors.may_handle(request.user, election.region_id):
            raise PermissionDenied
        data = ResultsSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.results_enter(actor=request.user, election=election, boxes=data.validated_data["boxes"])
        election.refresh_from_db()
        return Response(ElectionSerializer(election).data)


class TopicSerializer(serializers.ModelSerializer):
    proposer_name = serializers.SerializerMethodField()

    class Meta:
        model = Topic
        fields = [
            "id",
            "region",
            "title",
            "state",
            "proposer_name",
            "proposed_on",
            "decline_reason",
            "meeting_on",
            "attendance",
            "resolution",
            "owner",
            "due_on",
            "progress",
            "completed_on",
            "feedback",
        ]

    def get_proposer_name(self, obj) -> str:
        return core_rules.mask_name(obj.proposer.name) if obj.proposer_id else ""


class TopicViewSet(RecordViewMixin, viewsets.ReadOnlyModelViewSet):
    """议事协商 topics of the caller's jurisdiction."""

    serializer_class = TopicSerializer
    permission_classes = [CommunityPermission]
    pagination_class = KeysetPagination
    filterset_fields = ["state", "region"]

    def get_queryset(self):
        return selectors.topic_list_for_user(self.request.user)


class OrgSerializer(serializers.ModelSerializer):
    class Meta:
        model = SocialOrg
        fields = [
            "id",
            "region",
            "name",
            "kind",
            "credit_code",
            "registered_on",
            "grade",
            "grade_until",
            "abnormal_since",
            "violation_since",
        ]


class OrgViewSet(RecordViewMixin, viewsets.ReadOnlyModelViewSet):
    """社会组织 filed in the caller's jurisdiction."""

    serializer_class = OrgSerializer
    permission_classes = [CommunityPermission]
    pagination_class = KeysetPagination
    filterset_fields = ["kind", "grade"]

    def get_queryset(self):
        return selectors.org_list_for_user(self.request.user)


class ExecutionRateView(APIView):
    """协商意见按期执行率 of the caller's jurisdiction (or ?region= within it), per community and in total."""

    permission_classes = [CommunityPermission]

    @extend_schema(responses=None)
    def get(self, request):
        prefix = jurisdiction_prefix(request.user) or ""
        code = request.query_params.get("region", "")
        if code:
            region = selectors.scoped_region(request.user, code)
            if region is None:
                raise PermissionDenied
            prefix = region.prefix
        today = clock.today()
        return Response(
            {
                "on": today,
                "total": selectors.execution_rate_total(prefix, today),
                "communities": selectors.execution_rate_by_community(prefix, today),
            }
        )


class CommunityRouter(DefaultRouter):
    def get_urls(self):
        from django.urls import path

        return [*super().get_urls(), path("execution-rate/", ExecutionRateView.as_view(), name="execution-rate")]


router = CommunityRouter()
router.register("elections", ElectionViewSet, basename="election")
router.register("topics", TopicViewSet, basename="topic")
router.register("orgs", OrgViewSet, basename="org")
