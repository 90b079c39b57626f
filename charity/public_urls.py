"""Public disclosure pages (no login), mounted at /charity/."""

from django.urls import path

from . import views

app_name = "charity_public"
urlpatterns = [
    path("", views.public_index, name="index"),
    path("<int:pk>/", views.public_org, name="org"),
]
