"""Routes of the service experience (mounted at the site root by civil_affairs/urls.py)."""

from django.urls import path

from . import views

app_name = "service"

urlpatterns = [
    # 办事指南: public, so people read them before registering
    path("guide/<slug:area>/", views.guides, name="guides"),
    path("guide/<slug:area>/<slug:key>/", views.guide, name="guide"),
    path("guide/<slug:area>/<slug:key>/materials/<int:index>/", views.material, name="material"),
    # the message centre of residents and staff
    path("messages/", views.message_list, name="messages"),
    # residents' forgotten password: phone → code and new password
    path("password/forgot/", views.password_forgot, name="password_forgot"),
    path("password/forgot/code/", views.password_reset, name="password_reset"),
    # printable documents of a case (the area checks who may see the case)
    path("work/service/<slug:area>/<int:pk>/print/<slug:doc>/", views.staff_print, name="print"),
    path("my/service/<slug:area>/<int:pk>/print/<slug:doc>/", views.resident_print, name="resident_print"),
    # 好差评: a resident rates an ended case; the bureau sees ratings by street
    path("my/service/<slug:area>/<int:pk>/rate/", views.rate, name="rate"),
    path("work/service/ratings/", views.rating_overview, name="ratings"),
]
