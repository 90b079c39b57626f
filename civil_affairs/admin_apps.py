"""The third-party apps the admin shows, under Chinese names (INSTALLED_APPS
names these classes instead of the apps).  django-celery-beat and
django-import-export ship Chinese catalogues for their models; axes and knox
ship none, so their model names are given here.  Only `_meta` is relabelled,
not `original_attrs`: the migration autodetector still sees the packages'
own options and asks for no migration in them."""

from axes.apps import AppConfig as AxesAppConfig
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django_celery_beat.apps import BeatConfig


def _name_models(app_config: AppConfig, names: dict[str, tuple]) -> None:
    for model_name, (singular, plural) in names.items():
        meta = app_config.get_model(model_name)._meta
        meta.verbose_name, meta.verbose_name_plural = singular, plural


class AxesConfig(AxesAppConfig):
    verbose_name = _("登录安全（失败锁定）")

    def ready(self):
        super().ready()
        _name_models(
            self,
            {
                "AccessAttempt": (_("失败计数与锁定"), _("失败计数与锁定")),
                "AccessFailureLog": (_("登录失败日志"), _("登录失败日志")),
                "AccessAttemptExpiration": (_("锁定到期时间"), _("锁定到期时间")),
                "AccessLog": (_("登录日志"), _("登录日志")),
            },
        )


class KnoxConfig(AppConfig):
    name = "knox"
    verbose_name = _("接口令牌")

    def ready(self):
        _name_models(self, {"AuthToken": (_("接口令牌"), _("接口令牌"))})


class CeleryBeatConfig(BeatConfig):
    verbose_name = _("定时任务")


class ImportExportConfig(AppConfig):
    name = "import_export"
    verbose_name = _("导入导出")
