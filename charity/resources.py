"""Import-export for charity: the organisation register (CSV/Excel, through the
workbench's chunked import: good rows kept, bad rows reported by row number)
and exports of donations and receipts (admin, masked and formula-safe)."""

from __future__ import annotations

from import_export import fields

from civil_affairs.resources import StrictResource

from .models import Donation, Organisation, Receipt


class OrganisationResource(StrictResource):
    region = fields.Field(attribute="region_id", column_name="region")

    class Meta(StrictResource.Meta):
        model = Organisation
        fields = ("id", "name", "region", "org_type", "registered_on", "rating", "recognition", "recognised_on",
                  "public_fundraising", "net_assets_last_year")  # fmt: skip
        import_id_fields = ("name",)


class DonationResource(StrictResource):
    class Meta(StrictResource.Meta):
        model = Donation
        fields = ("id", "organisation", "donor__name", "anonymous", "kind", "item", "amount", "received_on",
                  "campaign__name", "transaction_id", "receipt_declined")  # fmt: skip


class ReceiptResource(StrictResource):
    class Meta(StrictResource.Meta):
        model = Receipt
        fields = ("id", "organisation", "year", "number", "kind", "donor__name", "amount", "issued_on",
                  "e_receipt_code", "void", "void_reason")  # fmt: skip
