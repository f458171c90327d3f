"""On PostgreSQL, every new record and every status change notifies the channel the live
feed listens on (editor/live/postgres.py). Other databases need nothing: they are polled."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION promptbrush_record_notify() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'INSERT' OR NEW.status IS DISTINCT FROM OLD.status THEN
        PERFORM pg_notify('promptbrush_records', json_build_object(
            'm', NEW.membership_id, 'c', NEW.code, 's', NEW.status)::text);
    END IF;
    RETURN NEW;
END
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS promptbrush_record_notify ON gallery_record;
CREATE TRIGGER promptbrush_record_notify AFTER INSERT OR UPDATE OF status ON gallery_record
    FOR EACH ROW EXECUTE FUNCTION promptbrush_record_notify();
"""

DROP = """
DROP TRIGGER IF EXISTS promptbrush_record_notify ON gallery_record;
DROP FUNCTION IF EXISTS promptbrush_record_notify();
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("gallery", "0004_record_enqueued")]

    operations = [migrations.RunPython(create, drop)]
