"""Eldercare pages: the workbench under /work/eldercare/ and the residents'
pages under /my/eldercare/."""

from django.urls import path

from .views import allowance, portal, workbench

app_name = "eldercare"

urlpatterns = [
    path("", workbench.index, name="index"),
    # senior allowance (尊老金)
    path("allowance/", allowance.allowance_index, name="allowance"),
    path("allowance/rolls/<int:pk>/", allowance.roll_detail, name="allowance_roll"),
    path("allowance/rolls/<int:pk>/approve/", allowance.roll_approve, name="allowance_roll_approve"),
    path("allowance/rolls/<int:pk>/bank.<str:fmt>", allowance.roll_bank_file, name="allowance_roll_bank_file"),
]

portal_urlpatterns = (
    [
        path("", portal.home, name="home"),
    ],
    "eldercare_portal",
)
