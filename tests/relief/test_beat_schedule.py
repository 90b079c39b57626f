"""The nightly recheck and the monthly price-linkage batch are django-celery-beat
rows (editable in the admin) naming tasks the worker knows."""

from django_celery_beat.models import PeriodicTask

from civil_affairs.celery import app


def test_beat_rows_run_the_recheck_at_two_and_the_price_linkage_on_the_twentieth(db):
    app.loader.import_default_modules()  # what a worker does at start: autodiscover the apps' tasks
    rows = {t.task: t for t in PeriodicTask.objects.select_related("crontab")}
    recheck, linkage = rows["relief.recheck_nightly"], rows["relief.price_linkage_monthly"]
    assert (recheck.enabled, recheck.crontab.hour, recheck.crontab.minute, recheck.crontab.day_of_month) == (
        True,
        "2",
        "0",
        "*",
    )
    assert (linkage.enabled, linkage.crontab.hour, linkage.crontab.day_of_month) == (True, "3", "20")
    assert str(recheck.crontab.timezone) == "Asia/Shanghai"
    assert {"relief.recheck_nightly", "relief.price_linkage_monthly"} <= set(app.tasks)


def test_beat_rows_are_in_the_admin(db, users, login):
    from civil_affairs.models import Role

    page = login(users[Role.BUREAU_ADMIN]).get("/admin/django_celery_beat/periodictask/")
    assert page.status_code == 200 and "核对：每晚资格复核" in page.content.decode()
