"""/api/charity/: organisations (with their figures from the ledger), donations
(list, read, record one), receipts, disbursements.  Reads go through the same
scoped selectors as the pages; writes call one service each."""

from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response
from rest_framework.routers import APIRootView, DefaultRouter

from civil_affairs.api import RecordViewMixin
from civil_affairs.clock import today
from civil_affairs.pagination import KeysetPagination
from civil_affairs.permissions import HasCapability, has_capability

from . import selectors, services
from .models import Campaign, Disbursement, Donation, Fund, Organisation, Project, Receipt


class CharityPermission(HasCapability):
    capability = "charity_view"


class OrganisationSerializer(serializers.ModelSerializer):
    income_this_year = serializers.SerializerMethodField()

    class Meta:
        model = Organisation
        fields = ["id", "name", "region", "org_type", "registered_on", "rating", "recognition", "recognised_on",
                  "public_fundraising", "income_this_year"]  # fmt: skip

    def get_income_this_year(self, org) -> str:
        year = today().year
        return str(selectors.yearly_figures([org.pk]).get(org.pk, {}).get(year, selectors.YearFigures(year)).income)


class OrganisationViewSet(RecordViewMixin, viewsets.ReadOnlyModelViewSet):
    """慈善组织 (charity staff: their own; the bureau: its jurisdiction)."""

    serializer_class = OrganisationSerializer
    permission_classes = [CharityPermission]
    pagination_class = KeysetPagination

    def get_queryset(self):
        return selectors.organisations_for_user(self.request.user)


class DonationSerializer(serializers.ModelSerializer):
    donor_name = serializers.SerializerMethodField()
    receipt_code = serializers.SerializerMethodField()

    class Meta:
        model = Donation
        fields = ["id", "organisation", "donor", "donor_name", "anonymous", "kind", "item", "amount", "received_on",
                  "campaign", "fund", "project", "transaction_id", "receipt_declined", "receipt_code"]  # fmt: skip

    def get_donor_name(self, d) -> str:
        return _("匿名") if d.anonymous or d.donor is None else d.donor.name

    def get_receipt_code(self, d) -> str:
        receipt = d.receipt
        return receipt.code if receipt else ""


class DonationInput(serializers.Serializer):
    organisation = serializers.IntegerField()
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    received_on = serializers.DateField()
    name = serializers.CharField(required=False, allow_blank=True, default="")
    donor_kind = serializers.ChoiceField(choices=["person", "company"], default="person")
    id_number = serializers.CharField(required=False, allow_blank=True, default="")
    anonymous = serializers.BooleanField(default=False)
    kind = serializers.ChoiceField(choices=Donation.Kind.choices, default="money")
    item = serializers.CharField(required=False, allow_blank=True, default="")
    campaign = serializers.IntegerField(required=False, allow_null=True, default=None)
    fund = serializers.IntegerField(required=False, allow_null=True, default=None)
    project = serializers.IntegerField(required=False, allow_null=True, default=None)
    transaction_id = serializers.CharField(required=False, allow_blank=True, default="", max_length=64)


def _own(model, org, pk):
    if pk is None:
        return None
    found = model.objects.filter(organisation=org, pk=pk).first()
    if found is None:
        raise ValidationError({"detail": _("所选项目不属于本组织。")})
    return found


class DonationViewSet(RecordViewMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """捐赠: list and read in scope; POST records one (the organisation's own staff)."""

    serializer_class = DonationSerializer
    permission_classes = [CharityPermission]
    pagination_class = KeysetPagination

    def get_queryset(self):
        return selectors.donation_list_for_user(self.request.user)

    def create(self, request, *args, **kwargs):
        if not has_capability(request.user, "charity_handle"):
            raise PermissionDenied
        data = DonationInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        org = selectors.organisations_for_user(request.user).filter(pk=v["organisation"]).first()
        if org is None or selectors.staff_organisation_id(request.user) != org.pk:
            raise PermissionDenied
        donor = None
        if not v["anonymous"]:
            donor = services.donor_get_or_create(
                org=org, kind=v["donor_kind"], name=v["name"], id_number=v["id_number"]
            )
        donation = services.donation_record(
            actor=request.user, org=org, amount=v["amount"], received_on=v["received_on"], donor=donor,
            anonymous=v["anonymous"], kind=v["kind"], item=v["item"], campaign=_own(Campaign, org, v["campaign"]),
            fund=_own(Fund, org, v["fund"]), project=_own(Project, org, v["project"]),
            transaction_id=v["transaction_id"],
        )  # fmt: skip
        return Response(DonationSerializer(donation).data, status=status.HTTP_201_CREATED)


class ReceiptSerializer(serializers.ModelSerializer):
    code = serializers.CharField(read_only=True)

    class Meta:
        model = Receipt
        fields = ["id", "code", "organisation", "year", "number", "kind", "donor", "amount", "issued_on",
                  "e_receipt_code", "void", "void_reason"]  # fmt: skip


class ReceiptViewSet(RecordViewMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = ReceiptSerializer
    permission_classes = [CharityPermission]
    pagination_class = KeysetPagination

    def get_queryset(self):
        return selectors.receipt_list_for_user(self.request.user)


class DisbursementSerializer(serializers.ModelSerializer):
    class Meta:
        model = Disbursement
        fields = ["id", "organisation", "fund", "project", "beneficiary_kind", "region", "amount", "purpose",
                  "paid_on", "status"]  # fmt: skip


class DisbursementViewSet(RecordViewMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = DisbursementSerializer
    permission_classes = [CharityPermission]
    pagination_class = KeysetPagination

    def get_queryset(self):
        return selectors.disbursement_list_for_user(self.request.user)


class CharityRoot(APIRootView):
    permission_classes = [CharityPermission]


class CharityRouter(DefaultRouter):
    APIRootView = CharityRoot


router = CharityRouter()
router.register("organisations", OrganisationViewSet, basename="organisation")
router.register("donations", DonationViewSet, basename="donation")
router.register("receipts", ReceiptViewSet, basename="receipt")
router.register("disbursements", DisbursementViewSet, basename="disbursement")

__all__ = ["router"]
