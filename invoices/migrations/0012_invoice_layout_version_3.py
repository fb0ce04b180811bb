"""Invoice.layout_version: invoices issued from now on get classic version 3 (version 2 with its defects
corrected). An invoice issued before keeps the version it was issued with: only the default changes."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("invoices", "0011_invoice_batch_plural")]

    operations = [
        migrations.AlterField(
            model_name="invoice",
            name="layout_version",
            field=models.PositiveSmallIntegerField(default=3),
        ),
    ]
