"""Public pages (no login): a community's deliberation, names masked."""

from django.urls import path

from . import views

app_name = "community_public"
urlpatterns = [
    path("<str:code>/", views.public_community, name="community"),
    path("<str:code>/topics/<int:pk>/", views.public_topic, name="topic"),
]
