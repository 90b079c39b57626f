from django.contrib import admin
from django.contrib.auth.views import LogoutView
from django.urls import include, path, re_path
from django.views.i18n import JavaScriptCatalog
from drf_spectacular.views import SpectacularAPIView

from . import api, api_auth, api_docs, areas, feed_views, views

portal_patterns = (
    [
        path("", views.portal_index, name="index"),
        path("register/", views.register, name="register"),
        path("register/code/", views.register_code, name="register_code"),
        path("my/pending/", views.my_pending, name="pending"),
        path("my/household/", views.my_household, name="household"),
        path("my/applications/", views.my_applications, name="applications"),
    ],
    "portal",
)

workbench_patterns = (
    [
        path("", views.workbench_index, name="index"),
        path("people/", views.person_list, name="people"),
        path("people/<int:pk>/", views.person_detail, name="person_detail"),
        path("people/<int:pk>/verify-resident/", views.resident_verify, name="resident_verify"),
        path("people/<int:pk>/death/", views.person_death_record, name="person_death"),
        path("households/", views.household_list, name="households"),
        path("households/<int:pk>/", views.household_detail, name="household_detail"),
        # the region filter's picker (htmx): <option>s of the jurisdiction's regions matching what was typed
        path("regions/suggest/", views.region_suggest, name="region_suggest"),
        path("documents/<int:pk>/", views.document_download, name="document_download"),
        path("import/", views.registry_import, name="import"),
        # data-exchange feeds (civil_affairs/feeds.py): upload, layouts and samples of every registered kind
        path("feeds/", feed_views.feed_list, name="feeds"),
        path("feeds/sample/<str:kind>.csv", feed_views.feed_sample, name="feed_sample"),
        path("batches/", views.batch_list, name="batches"),
        path("batches/<int:pk>/", views.batch_detail, name="batch_detail"),
        path("batches/<int:pk>/retry/", views.batch_retry, name="batch_retry"),
        path("batches/<int:pk>/errors.csv", views.batch_errors, name="batch_errors"),
        path("audit/", views.audit_list, name="audit"),
        path("overview/", views.overview, name="overview"),
        path("overview/export.xlsx", views.overview_export, name="overview_export"),
    ],
    "workbench",
)


def _portal_include(area: areas.Area):
    """An area's residents' pages: "module" (with app_name) or "module:attribute"
    holding (patterns, namespace) or a plain list (namespace "<key>_portal")."""
    module, _sep, attribute = area.portal_urls.partition(":")
    if not attribute:
        return include(module)
    patterns = areas.resolve(f"{module}.{attribute}")
    return include(patterns if isinstance(patterns, tuple) else (patterns, f"{area.key}_portal"))


def area_urlpatterns() -> list:
    """Every registered area's pages, mounted from the registry (the core names no area):
    /work/<key>/, /my/<key>/, /api/<key>/ (namespace "api-<key>") and /<key>/ for public pages."""
    patterns = []
    for area in areas.registered():
        if area.workbench_urls:
            patterns.append(path(f"work/{area.key}/", include(area.workbench_urls)))
        if area.portal_urls:
            patterns.append(path(f"my/{area.key}/", _portal_include(area)))
        if area.api_router:
            patterns.append(path(f"api/{area.key}/", include((areas.resolve(area.api_router).urls, f"api-{area.key}"))))
        if area.public_urls:
            patterns.append(path(f"{area.key}/", include(area.public_urls)))
    return patterns


urlpatterns = [
    path("", include(portal_patterns)),
    path("work/", include(workbench_patterns)),
    path("accounts/login/", views.MinzhengLoginView.as_view(), name="login"),
    path("accounts/logout/", LogoutView.as_view(), name="logout"),
    path("home/", views.home, name="home"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("admin/", admin.site.urls),
    path("api/core/", include((api.router.urls, "api-core"))),
    path("api/auth/login/", api_auth.LoginView.as_view(), name="api-login"),
    path("api/auth/token/", api_auth.LoginView.as_view(), name="api-token"),  # the name clients used before knox
    path("api/auth/logout/", api_auth.LogoutView.as_view(), name="api-logout"),
    path("api/auth/logoutall/", api_auth.LogoutAllView.as_view(), name="api-logoutall"),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", api_docs.ApiDocsView.as_view(url_name="api-schema"), name="api-docs"),
    path("healthz", views.healthz, name="healthz"),
    path("", include("civil_affairs.service.urls")),  # guides, messages, print, ratings, forgotten password
]
urlpatterns += area_urlpatterns()
# After every other route: any other /api/…/ address answers a JSON 404 (one
# without the final slash is still redirected to it first, by APPEND_SLASH).
urlpatterns.append(re_path(r"^api/(?P<path>.*/)$", api_docs.api_not_found))
