"""Invoice.layout_version: the version of the service's own classic layout an invoice without a brand is
rendered with. Every invoice issued before this migration was drawn in classic version 1 and keeps it (the
column is added with 1); invoices issued after it get the model's default, the version of the day."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("invoices", "0009_ledger_backfill")]

    operations = [
        migrations.AddField(
            model_name="invoice",
            name="layout_version",
            field=models.PositiveSmallIntegerField(default=1),
        ),
        migrations.AlterField(
            model_name="invoice",
            name="layout_version",
            field=models.PositiveSmallIntegerField(default=2),
        ),
    ]
