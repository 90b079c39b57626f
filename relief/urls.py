"""Relief pages: the caseworkers' workbench under /work/relief/ and the
residents' application pages under /my/relief/."""

from django.urls import path

from .views import linkage, payroll, portal, tasks, workbench

app_name = "relief"

urlpatterns = [
    path("", workbench.queue, name="queue"),
    path("applications/new/", workbench.application_new, name="application_new"),
    path("applications/<int:pk>/", workbench.application_detail, name="application_detail"),
    path("applications/<int:pk>/<str:step>/", workbench.application_step, name="application_step"),
    path("notice/", workbench.notice_print, name="notice_print"),
    path("households/<int:pk>/economy/", workbench.household_economy, name="household_economy"),
    path("benefits/", workbench.benefit_list, name="benefits"),
    path("benefits/<int:pk>/", workbench.benefit_detail, name="benefit_detail"),
    path("benefits/<int:pk>/<str:action>/", workbench.benefit_action, name="benefit_action"),
    path("payroll/", payroll.roll_list, name="payroll"),
    path("payroll/<int:pk>/", payroll.roll_detail, name="roll_detail"),
    path("payroll/<int:pk>/approve/", payroll.roll_approve, name="roll_approve"),
    path("payroll/<int:pk>/lines/<int:line>/hold/", payroll.roll_line_hold, name="roll_line_hold"),
    path("payroll/<int:pk>/bank.<str:fmt>", payroll.roll_bank_file, name="roll_bank_file"),
    # household economic verification: the review tasks the nightly recheck makes (feeds: the core's /work/feeds/)
    path("tasks/", tasks.task_list, name="tasks"),
    path("tasks/recheck/", tasks.recheck_start, name="recheck_start"),
    path("tasks/<int:pk>/", tasks.task_detail, name="task_detail"),
    # the second visitor confirms or declines a home visit naming them (listed on the tasks page)
    path("visits/<int:pk>/confirm/", tasks.visit_confirm, name="visit_confirm"),
    path("visits/<int:pk>/decline/", tasks.visit_decline, name="visit_decline"),
    # price-linkage subsidy
    path("price-linkage/", linkage.linkage_index, name="price_linkage"),
    path("price-linkage/rolls/<int:pk>/", linkage.roll_detail, name="subsidy_roll"),
    path("price-linkage/rolls/<int:pk>/approve/", linkage.roll_approve, name="subsidy_roll_approve"),
    path("price-linkage/rolls/<int:pk>/bank.<str:fmt>", linkage.roll_bank_file, name="subsidy_roll_bank_file"),
]

portal_urlpatterns = (
    [
        path("", portal.application_list, name="applications"),
        path("apply/", portal.apply_start, name="apply"),
        path("apply/<int:pk>/<str:step>/", portal.apply_step, name="apply_step"),
        # correct or delete a member, income line or asset line of a draft (action: edit, delete)
        path("apply/<int:pk>/<str:step>/<int:item>/<str:action>/", portal.apply_item, name="apply_item"),
        # the start page's district → street → community cascade (htmx: <option>s of the chosen region)
        path("regions/", portal.region_options, name="region_options"),
        path("applications/<int:pk>/", portal.application_progress, name="application"),
        path("applications/<int:pk>/documents/", portal.application_documents, name="application_documents"),
    ],
    "relief_portal",
)
