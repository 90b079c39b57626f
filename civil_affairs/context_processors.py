from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from .permissions import has_capability

# The policy areas, in the order the navigation shows them.  An area appears
# once its app is installed and its workbench URL exists.
AREAS = [
    ("relief", _("社会救助"), "relief:queue"),
    ("eldercare", _("养老服务"), "eldercare:index"),
    ("childcare", _("儿童福利"), "childcare:index"),
    ("community", _("基层治理"), "community:index"),
    ("charity", _("慈善事业"), "charity:index"),
]


def _built_areas():
    areas = []
    for key, label, url_name in AREAS:
        try:
            areas.append({"key": key, "label": label, "url": reverse(url_name)})
        except NoReverseMatch:
            continue
    return areas


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or user.is_resident:
        return {}
    return {
        "nav_areas": _built_areas(),
        "can": {cap: has_capability(user, cap) for cap in
                ("workbench", "registry_view", "registry_edit", "registry_import", "audit_view", "batch_view",
                 "full_id_number", "relief_view", "relief_handle", "relief_decide", "payroll_view",
                 "payroll_run", "payroll_approve", "feed_import", "recheck_run", "price_linkage_run")},
    }
