from django.db import migrations, models


def move_enqueue_times(apps, schema_editor):
    # `heartbeat` used to double as "last enqueued" on PENDING records; it now means only
    # "a worker is alive on this record".
    Record = apps.get_model("gallery", "Record")
    pending = Record.objects.filter(status="PENDING")
    pending.exclude(heartbeat=None).update(enqueued=models.F("heartbeat"), heartbeat=None)


class Migration(migrations.Migration):
    dependencies = [
        ("gallery", "0003_recordimage_drift_report"),
    ]

    operations = [
        migrations.AddField(
            model_name="record",
            name="enqueued",
            field=models.DateTimeField(
                blank=True,
                help_text="When its job was last put on the queue; the reaper enqueues a PENDING "
                "record again once this is older than JOB_STALE_SECONDS.",
                null=True,
            ),
        ),
        migrations.RunPython(move_enqueue_times, migrations.RunPython.noop),
    ]
