"""Build the voter rolls of every election not yet published (in a region's
subtree, or the whole city) from the registry, in one statement."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from civil_affairs.errors import DomainError
from civil_affairs.models import Region
from community import services
from community.models import Election


class Command(BaseCommand):
    help = "从户籍登记为尚未公布选民名单的选举生成选民名单（一条语句，可重复运行）。"

    def add_arguments(self, parser):
        parser.add_argument("--region", default="", help="区划代码：只处理该区划下的选举")

    def handle(self, *args, region="", **options):
        qs = Election.objects.filter(state__in=[Election.State.PREPARING, Election.State.ROLL])
        if region:
            found = Region.objects.filter(code=region).first()
            if found is None:
                raise CommandError(_("没有区划代码为 %(code)s 的区划。") % {"code": region})
            qs = qs.filter(region__code__startswith=found.prefix)
        elections = list(qs.only("pk"))
        if not elections:
            self.stdout.write(_("没有需要生成选民名单的选举。"))
            return
        try:
            counts = services.voter_roll_build(actor=None, elections=elections)
        except DomainError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            _("选举 %(n)d 场：新增选民 %(added)d 人，移出 %(dropped)d 人。")
            % {"n": len(elections), "added": counts["added"], "dropped": counts["dropped"]}
        )
