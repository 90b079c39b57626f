"""/api/core/: regions, persons and households, scoped like the pages.
Views validate input, read through selectors, serialise output."""
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers, viewsets
from rest_framework.routers import DefaultRouter

from . import selectors, services
from .pagination import KeysetPagination
from .filters import HouseholdFilter, PersonFilter
from .models import Household, HouseholdMember, Person, Region
from .permissions import has_capability


class RegionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Region
        fields = ["code", "name", "level", "parent", "is_urban"]


class IdNumberField(serializers.Field):
    """The full ID number for roles that need it, masked for everyone else."""

    def __init__(self, **kwargs):
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, value):
        request = self.context.get("request")
        if request is not None and has_capability(request.user, "full_id_number") and self.context.get("detail"):
            return value
        from .rules import mask_id_number

        return mask_id_number(value)


@extend_schema_field(serializers.CharField)
class _IdNumberSchema(IdNumberField):
    pass


class PersonSerializer(serializers.ModelSerializer):
    id_number = _IdNumberSchema()

    class Meta:
        model = Person
        fields = ["id", "id_number", "name", "sex", "birth_date", "hukou_region", "residence_region",
                  "disability_grade", "disability_type", "labour_capacity", "death_date"]


class MemberSerializer(serializers.ModelSerializer):
    person = PersonSerializer()

    class Meta:
        model = HouseholdMember
        fields = ["relation", "person"]


class HouseholdSerializer(serializers.ModelSerializer):
    head_name = serializers.CharField(read_only=True, allow_null=True)
    size = serializers.IntegerField(read_only=True, allow_null=True)

    class Meta:
        model = Household
        fields = ["id", "number", "region", "address", "head_name", "size", "created_at"]


class HouseholdDetailSerializer(HouseholdSerializer):
    members = MemberSerializer(many=True, read_only=True)

    class Meta(HouseholdSerializer.Meta):
        fields = HouseholdSerializer.Meta.fields + ["members"]


class RegionViewSet(viewsets.ReadOnlyModelViewSet):
    """行政区划 (within the caller's jurisdiction)."""

    serializer_class = RegionSerializer
    pagination_class = KeysetPagination
    filterset_fields = ["level", "parent"]
    lookup_field = "code"
    lookup_value_regex = r"\d{12}"

    def get_queryset(self):
        return selectors.region_list_for_user(self.request.user)

    def paginate_queryset(self, queryset):
        self.paginator.ordering = "code"
        return super().paginate_queryset(queryset)


class PersonViewSet(viewsets.ReadOnlyModelViewSet):
    """人员 (ID numbers masked in lists; full on detail for roles that need them)."""

    serializer_class = PersonSerializer
    filterset_class = PersonFilter

    def get_queryset(self):
        return selectors.person_list_for_user(self.request.user)

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "detail": self.action == "retrieve"}

    def retrieve(self, request, *args, **kwargs):
        response = super().retrieve(request, *args, **kwargs)
        if has_capability(request.user, "full_id_number"):
            services.person_viewed(actor=request.user, person=self.get_object())
        return response


class HouseholdViewSet(viewsets.ReadOnlyModelViewSet):
    """家庭 with members."""

    filterset_class = HouseholdFilter

    def get_queryset(self):
        qs = selectors.household_list_for_user(self.request.user)
        if self.action == "retrieve":
            qs = qs.prefetch_related("members__person")
        return qs

    def get_serializer_class(self):
        return HouseholdDetailSerializer if self.action == "retrieve" else HouseholdSerializer


router = DefaultRouter()
router.register("regions", RegionViewSet, basename="region")
router.register("persons", PersonViewSet, basename="person")
router.register("households", HouseholdViewSet, basename="household")

