"""Eldercare pages: the workbench under /work/eldercare/ and the residents'
pages under /my/eldercare/."""

from django.urls import path

from .views import adaptations as adaptation_views
from .views import allowance, dashboard, homecare, institutions, meal_settlements, meals, portal, workbench
from .views import vulnerable as vulnerable_views

app_name = "eldercare"

urlpatterns = [
    path("", workbench.index, name="index"),
    path("dashboard/", dashboard.dashboard, name="dashboard"),
    # home adaptations and family care beds; residents' requests for an ability assessment
    path("adaptations/", adaptation_views.adaptation_list, name="adaptations"),
    path("adaptations/new/", adaptation_views.adaptation_new, name="adaptation_new"),
    path("adaptations/<int:pk>/", adaptation_views.adaptation_detail, name="adaptation"),
    path("adaptations/<int:pk>/<str:step>/", adaptation_views.adaptation_step, name="adaptation_step"),
    path("adaptations/photos/<int:pk>/", adaptation_views.adaptation_photo, name="adaptation_photo"),
    path("assessment-requests/", adaptation_views.assessment_requests, name="assessment_requests"),
    path(
        "assessment-requests/<int:pk>/record/",
        adaptation_views.assessment_request_record,
        name="assessment_request_record",
    ),
    # senior allowance (尊老金)
    path("allowance/", allowance.allowance_index, name="allowance"),
    path("allowance/rolls/<int:pk>/", allowance.roll_detail, name="allowance_roll"),
    path("allowance/rolls/<int:pk>/approve/", allowance.roll_approve, name="allowance_roll_approve"),
    path("allowance/rolls/<int:pk>/bank.<str:fmt>", allowance.roll_bank_file, name="allowance_roll_bank_file"),
    # purchased home care: visits and the monthly settlements
    path("visits/", homecare.visit_list, name="visits"),
    path("visits/<int:pk>/", homecare.visit_detail, name="visit"),
    path("visits/<int:pk>/<str:action>/", homecare.visit_action, name="visit_action"),
    path("settlements/", homecare.settlement_list, name="settlements"),
    path("settlements/<int:pk>/", homecare.settlement_detail, name="settlement"),
    path("settlements/<int:pk>/approve/", homecare.settlement_approve, name="settlement_approve"),
    path("settlements/<int:pk>/bank.<str:fmt>", homecare.settlement_bank_file, name="settlement_bank_file"),
    # institutions and beds
    path("institutions/", institutions.institution_list, name="institutions"),
    path("institutions/<int:pk>/", institutions.institution_detail, name="institution"),
    path("institutions/<int:pk>/admit/", institutions.admit, name="admit"),
    path("institutions/<int:pk>/stays/<int:stay>/discharge/", institutions.discharge, name="discharge"),
    # meal assistance
    path("meals/", meals.meal_index, name="meals"),
    # visits to the vulnerable elderly (探访关爱): the queue, an elder's page, a visit, a referral to relief
    path("vulnerable/", vulnerable_views.queue, name="vulnerable"),
    path("vulnerable/build/", vulnerable_views.build, name="vulnerable_build"),
    path("vulnerable/<int:pk>/", vulnerable_views.entry_detail, name="vulnerable_entry"),
    path("vulnerable/<int:pk>/visit/", vulnerable_views.visit_create, name="vulnerable_visit"),
    path("vulnerable/visits/<int:pk>/relief/", vulnerable_views.visit_refer, name="vulnerable_refer"),
    path("meals/settlements/", meal_settlements.meal_settlement_list, name="meal_settlements"),
    path("meals/settlements/<int:pk>/", meal_settlements.meal_settlement_detail, name="meal_settlement"),
    path(
        "meals/settlements/<int:pk>/approve/", meal_settlements.meal_settlement_approve, name="meal_settlement_approve"
    ),
    path(
        "meals/settlements/<int:pk>/bank.<str:fmt>",
        meal_settlements.meal_settlement_bank_file,
        name="meal_settlement_bank_file",
    ),
]

portal_urlpatterns = (
    [
        path("", portal.home, name="home"),
        path("adaptations/", portal.adaptations, name="adaptations"),
        path("adaptations/photos/<int:pk>/", portal.adaptation_photo, name="adaptation_photo"),
        path("visits/<int:pk>/report/", portal.visit_report, name="visit_report"),
    ],
    "eldercare_portal",
)
