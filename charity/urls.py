from django.urls import path

from . import views

app_name = "charity"
urlpatterns = [
    path("", views.index, name="index"),
    path("organisations/new/", views.org_new, name="org_new"),
    path("organisations/<int:pk>/", views.org_detail, name="org_detail"),
    path("organisations/<int:pk>/supervise/", views.supervise, name="supervise"),
    path("organisations/<int:pk>/setup/", views.setup, name="setup"),
    path("organisations/<int:pk>/donations/", views.donations, name="donations"),
    path("organisations/<int:pk>/donations/batch/", views.batch_entry, name="batch_entry"),
    path("organisations/<int:pk>/statement/", views.statement_import, name="statement_import"),
    path("organisations/<int:pk>/receipts/", views.receipts, name="receipts"),
    path("organisations/<int:pk>/disbursements/", views.disbursements, name="disbursements"),
    path("organisations/<int:pk>/ledger/", views.ledger, name="ledger"),
    path("donors/<int:pk>/", views.donor_detail, name="donor_detail"),
    path("donations/<int:pk>/<str:action>/", views.donation_action, name="donation_action"),
    path("receipts/<int:pk>/", views.receipt_print, name="receipt_print"),
    path("receipts/<int:pk>/void/", views.receipt_void, name="receipt_void"),
    path("disbursements/<int:pk>/", views.disbursement_detail, name="disbursement_detail"),
    path("disbursements/<int:pk>/decide/", views.disbursement_decide, name="disbursement_decide"),
    path("dashboard/", views.dashboard, name="dashboard"),
]

portal_urlpatterns = (
    [
        path("", views.mine, name="mine"),
        path("receipts/<int:pk>/", views.my_receipt, name="receipt"),
    ],
    "charity_portal",
)
