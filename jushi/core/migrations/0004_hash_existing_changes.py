from django.db import migrations

BATCH = 2000


def hash_existing(apps, schema_editor):
    """Chain the change log written before the chain existed, in id order, and set the chain head."""
    from jushi.core.audit import content_of, digest

    ChangeLog = apps.get_model("core", "ChangeLog")
    AuditChain = apps.get_model("core", "AuditChain")
    seq, prev, pending = 0, "", []
    for row in ChangeLog.objects.order_by("id").iterator(chunk_size=BATCH):
        seq += 1
        row.seq, row.prev_hash = seq, prev
        row.hash = prev = digest(content_of(row), row.prev_hash)
        pending.append(row)
        if len(pending) >= BATCH:
            ChangeLog.objects.bulk_update(pending, ["seq", "prev_hash", "hash"])
            pending = []
    if pending:
        ChangeLog.objects.bulk_update(pending, ["seq", "prev_hash", "hash"])
    AuditChain.objects.update_or_create(pk=1, defaults={"seq": seq, "hash": prev})


class Migration(migrations.Migration):
    dependencies = [("core", "0003_audit_chain")]

    operations = [migrations.RunPython(hash_existing, migrations.RunPython.noop)]
