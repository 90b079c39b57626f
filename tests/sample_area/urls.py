from django.http import HttpResponse
from django.urls import path

from civil_affairs.permissions import require, resident_required


@require("sample_view")
def index(request):
    return HttpResponse("示例台账")


@resident_required
def apply(request):
    return HttpResponse("申请示例服务")


app_name = "sample"
urlpatterns = [path("", index, name="index")]
portal_urlpatterns = ([path("apply/", apply, name="apply")], "sample_portal")
