"""The API's own pages outside the routers: Swagger UI (drf-spectacular-sidecar)
under the site's Content-Security-Policy, and a JSON 404 for unknown /api/ paths."""

from csp.decorators import csp_update
from django.http import JsonResponse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.views import SpectacularSwaggerSplitView


@method_decorator(csp_update({"style-src": ["'unsafe-inline'"]}), name="dispatch")
class ApiDocsView(SpectacularSwaggerSplitView):
    """Swagger UI with its start-up script served as a file (script-src 'self');
    only its own <style> block needs inline styles, on this page alone."""


@csrf_exempt  # a POST with a token and no CSRF cookie must get this 404 too, not the CSRF page
def api_not_found(request, path=""):
    """An /api/…/ address no route matches (e.g. /api/core/persons/1.5/): the
    documented {"detail": …} 404 in JSON, not the HTML page meant for people."""
    return JsonResponse({"detail": _("未找到。")}, status=404)
