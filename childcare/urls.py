from django.urls import path

from . import portal, views

app_name = "childcare"
urlpatterns = [
    path("", views.index, name="index"),
    path("cases/", views.case_list, name="cases"),
    path("cases/new/", views.case_new, name="case_new"),
    path("cases/<int:pk>/", views.case_detail, name="case_detail"),
    path("cases/<int:pk>/check/", views.case_check, name="case_check"),
    path("cases/<int:pk>/decide/", views.case_decide, name="case_decide"),
    path("allowances/", views.allowance_list, name="allowances"),
    path("allowances/<int:pk>/", views.allowance_detail, name="allowance_detail"),
    path("allowances/<int:pk>/<str:action>/", views.allowance_action, name="allowance_action"),
    path("children/", views.child_list, name="children"),
    path("children/new/", views.child_new, name="child_new"),
    path("children/<int:pk>/", views.child_detail, name="child_detail"),
    path("children/<int:pk>/<str:action>/", views.child_action, name="child_action"),
    path("referrals/<int:pk>/close/", views.referral_close, name="referral_close"),
    path("discovery/<int:pk>/resolve/", views.discovery_resolve, name="discovery_resolve"),
    path("payroll/", views.payroll_month, name="payroll"),
    path("payroll/<int:pk>/", views.roll_detail, name="roll_detail"),
    path("payroll/<int:pk>/approve/", views.roll_approve, name="roll_approve"),
    path("payroll/<int:pk>/bank.<str:fmt>", views.roll_bank_file, name="roll_bank_file"),
    path("coverage/", views.coverage, name="coverage"),
    path("dashboard/", views.dashboard, name="dashboard"),
]

portal_urlpatterns = (
    [
        path("", portal.index, name="index"),
        path("apply/", portal.apply, name="apply"),
        path("cases/<int:pk>/", portal.case, name="case"),
        path("cases/<int:pk>/withdraw/", portal.withdraw, name="withdraw"),
    ],
    "childcare_portal",
)
