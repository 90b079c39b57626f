"""People sorted by name in pinyin order, index-backed: (name COLLATE "zh-x-icu", id),
the expression civil_affairs/pagination.py orders and pages by.  Only where the
server has ICU's Chinese collation; without it (the embedded PostgreSQL of
`make run` is built --without-icu) names keep their code-point order on the
C-collated (name, id) index person_name_id, and the list orders the same way."""
from django.db import migrations

INDEX = "person_name_pinyin_id"


def has_pinyin_collation(schema_editor) -> bool:
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_collation WHERE collname = 'zh-x-icu'")
        return cursor.fetchone() is not None


def create(apps, schema_editor):
    if has_pinyin_collation(schema_editor):
        schema_editor.execute(f'CREATE INDEX IF NOT EXISTS {INDEX} ON civil_affairs_person '
                              f'((name COLLATE "zh-x-icu"), id)')


def drop(apps, schema_editor):
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):

    dependencies = [
        ("civil_affairs", "0011_person_disabled_index"),
    ]

    operations = [migrations.RunPython(create, drop, elidable=False)]
