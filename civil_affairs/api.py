"""/api/core/: regions, persons and households, scoped like the pages.
Views validate input, read through selectors, serialise output."""

from django.utils.translation import gettext_lazy as _lazy
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers, viewsets
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from . import clock, rules, selectors, services
from .filters import HouseholdFilter, PersonFilter
from .models import Household, HouseholdMember, Person, Region
from .pagination import FieldKeysetPagination, KeysetPagination
from .permissions import has_capability


class RegionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Region
        fields = ["code", "name", "level", "parent", "is_urban"]


@extend_schema_field(serializers.CharField)
class IdNumberField(serializers.Field):
    """A read-only ID number: in full on a detail view (context "detail") for roles
    with `full_id_number`, masked everywhere else.  Public: areas' serializers use it."""

    def __init__(self, **kwargs):
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, value):
        request = self.context.get("request")
        if request is not None and has_capability(request.user, "full_id_number") and self.context.get("detail"):
            return value
        return rules.mask_id_number(value)


class PersonSerializer(serializers.ModelSerializer):
    """Roles without full ID numbers get no birth date (digits 7–14 of the number)
    and the registered residence only at city level (digits 1–4, which the mask
    shows anyway); everyone gets the age."""

    id_number = IdNumberField()
    # Not read-only only so that the schema may call it optional; the viewsets are read-only.
    birth_date = serializers.DateField(required=False, help_text=_lazy("仅对可查看完整身份证号的角色返回。"))
    age = serializers.SerializerMethodField(help_text=_lazy("周岁"))
    hukou_region = serializers.CharField(
        source="hukou_region_id",
        read_only=True,
        help_text=_lazy("户籍地区划代码；不能查看完整身份证号的角色只得到市级代码（前4位，其余补0）。"),
    )

    class Meta:
        model = Person
        fields = [
            "id",
            "id_number",
            "name",
            "sex",
            "birth_date",
            "age",
            "hukou_region",
            "residence_region",
            "disability_grade",
            "disability_type",
            "labour_capacity",
            "death_date",
        ]

    @extend_schema_field(serializers.IntegerField)
    def get_age(self, person) -> int:
        return rules.age_on(person.birth_date, clock.today())

    def to_representation(self, person):
        data = super().to_representation(person)
        request = self.context.get("request")
        if request is None or not has_capability(request.user, "full_id_number"):
            del data["birth_date"]
            data["hukou_region"] = rules.city_level_code(person.hukou_region_id)
        return data


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


class RecordViewMixin:
    """GET of one record writes a VIEW audit event, as its page does."""

    def retrieve(self, request, *args, **kwargs):
        instance = self.get_object()
        services.record_viewed(actor=request.user, target=instance, changes={"api": True})
        return Response(self.get_serializer(instance).data)


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


class ResidenceKeysetPagination(FieldKeysetPagination):
    field = "residence_region_id"


class PersonViewSet(viewsets.ReadOnlyModelViewSet):
    """人员 (ID numbers masked in lists; full on detail for roles that need them), listed by
    residence region then id: the (region, id) index, or with a disability filter the
    partial index person_disabled (grade, sex, region, id), serves the order."""

    serializer_class = PersonSerializer
    filterset_class = PersonFilter
    # ids follow the order people were registered in, region by region: in -id order a
    # district's page walked past every later district's people first.
    pagination_class = ResidenceKeysetPagination

    def get_queryset(self):
        return selectors.person_list_for_user(self.request.user)

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "detail": self.action == "retrieve"}

    def retrieve(self, request, *args, **kwargs):
        response = super().retrieve(request, *args, **kwargs)
        if has_capability(request.user, "full_id_number"):
            services.person_viewed(actor=request.user, person=self.get_object())
        return response


class HouseholdViewSet(RecordViewMixin, viewsets.ReadOnlyModelViewSet):
    """家庭 with members, listed by region then id (the (region, id) index), as the workbench pages them."""

    filterset_class = HouseholdFilter
    pagination_class = FieldKeysetPagination

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
