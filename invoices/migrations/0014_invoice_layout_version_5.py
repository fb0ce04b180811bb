"""Invoice.layout_version: invoices issued from now on get classic version 5 (version 4 with the invoice's
closing, its last lines, totals, notes and payment details, kept on one page). An invoice issued before keeps
the version it was issued with: only the default changes."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("invoices", "0013_invoice_layout_version_4")]

    operations = [
        migrations.AlterField(
            model_name="invoice",
            name="layout_version",
            field=models.PositiveSmallIntegerField(default=5),
        ),
    ]
