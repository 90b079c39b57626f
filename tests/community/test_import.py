"""Social organisations, committee members and rating results import through the
core's chunked import: good rows kept, bad rows reported with their row numbers."""

from django.core.files.uploadedfile import SimpleUploadedFile

from civil_affairs import services
from civil_affairs.models import BatchRun, Role
from community.models import SocialOrg


def _csv(header, *rows) -> bytes:
    return ("\n".join([header, *(",".join(r) for r in rows)]) + "\n").encode("utf-8-sig")


def test_social_organisations_import_keeps_good_rows(regions, users):
    content = _csv(
        "登记机关区划代码,名称,类型,统一社会信用代码,登记日期,法定代表人,评估等级,等级有效期至",
        ("320612001000", "金沙广场舞队", "社区社会组织", "51320612MJ0000001X", "2021-03-01", "张三", "", ""),
        ("320612000000", "通州区慈善协会", "社会团体", "51320612MJ0000002X", "2015-05-01", "李四", "4A", "2028-12-31"),
        ("320699999999", "查无此区", "社会团体", "51320612MJ0000003X", "2015-05-01", "", "", ""),  # row 4
        ("320612000000", "", "社会团体", "51320612MJ0000004X", "2015-05-01", "", "", ""),  # row 5: no name
    )
    run = services.registry_import_start(
        user=users[Role.BUREAU_ADMIN], kind="community_org", uploaded=SimpleUploadedFile("orgs.csv", content)
    )
    run = services.registry_import_run(run_id=run.pk)
    assert run.status == BatchRun.Status.SUCCEEDED
    assert [e["row"] for e in run.errors] == [4, 5], run.errors
    assert set(SocialOrg.objects.values_list("name", "grade")) == {("金沙广场舞队", ""), ("通州区慈善协会", "4A")}
