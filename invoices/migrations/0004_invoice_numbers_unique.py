"""The invoice's file columns, now on its rendition (0003), are dropped; numbers become unique per owner and
seller name, except on the older duplicates 0003 marked (``duplicate_number``)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("invoices", "0003_renditions"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="invoice",
            name="invoice_file_name",
        ),
        migrations.RemoveField(model_name="invoice", name="attempts"),
        migrations.RemoveField(model_name="invoice", name="content_type"),
        migrations.RemoveField(model_name="invoice", name="download_name"),
        migrations.RemoveField(model_name="invoice", name="file_name"),
        migrations.RemoveField(model_name="invoice", name="sha256"),
        migrations.RemoveField(model_name="invoice", name="size"),
        migrations.AddConstraint(
            model_name="invoice",
            constraint=models.UniqueConstraint(
                condition=models.Q(("duplicate_number", False)),
                fields=("owner", "seller_name", "number"),
                name="invoice_number_per_owner_and_seller",
            ),
        ),
    ]
