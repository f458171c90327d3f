"""On PostgreSQL, NOTIFY promptbrush_tasks whenever a task becomes ready, so idle workers that
LISTEN (worker/postgres.py) wake at once instead of polling. Other databases need nothing."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION promptbrush_notify_task() RETURNS trigger AS $$
BEGIN
    IF NEW.status = 'READY' THEN
        PERFORM pg_notify('promptbrush_tasks', '');
    END IF;
    RETURN NEW;
END
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS promptbrush_notify_task ON django_tasks_database_dbtaskresult;
CREATE TRIGGER promptbrush_notify_task
    AFTER INSERT OR UPDATE OF status ON django_tasks_database_dbtaskresult
    FOR EACH ROW EXECUTE FUNCTION promptbrush_notify_task();
"""

DROP = """
DROP TRIGGER IF EXISTS promptbrush_notify_task ON django_tasks_database_dbtaskresult;
DROP FUNCTION IF EXISTS promptbrush_notify_task();
"""


def on_postgres(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("django_tasks_database", "0021_conditional_partial_index_ordering")]

    operations = [migrations.RunPython(on_postgres(CREATE), on_postgres(DROP))]
