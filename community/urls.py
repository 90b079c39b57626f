from django.urls import path

from . import views

app_name = "community"
urlpatterns = [
    path("", views.elections, name="elections"),
    path("elections/new/", views.election_new, name="election_new"),
    path("elections/<int:pk>/", views.election_detail, name="election_detail"),
    path("elections/<int:pk>/results/", views.election_results, name="election_results"),
    path("elections/<int:pk>/<slug:step>/", views.election_step, name="election_step"),
    path("topics/", views.topics, name="topics"),
    path("topics/new/", views.topic_new, name="topic_new"),
    path("topics/<int:pk>/", views.topic_detail, name="topic_detail"),
    path("topics/<int:pk>/<slug:step>/", views.topic_step, name="topic_step"),
    path("evidence/<int:pk>/", views.evidence, name="evidence"),
    path("orgs/", views.orgs, name="orgs"),
    path("orgs/new/", views.org_new, name="org_new"),
    path("orgs/<int:pk>/", views.org_detail, name="org_detail"),
    path("orgs/<int:pk>/<slug:step>/", views.org_step, name="org_step"),
    path("dashboard/", views.dashboard, name="dashboard"),
]

portal_urlpatterns = (
    [
        path("", views.portal_index, name="index"),
        path("topics/<int:pk>/", views.portal_topic, name="topic"),
        path("topics/<int:pk>/follow/", views.portal_follow, name="follow"),
    ],
    "community_portal",
)
