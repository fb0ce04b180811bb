"""Invoice.layout_version: invoices issued from now on get classic version 4 (version 3 with its lines broken
by the kinsoku rules, codes after their separators and long words with a hyphen). An invoice issued before
keeps the version it was issued with: only the default changes."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("invoices", "0012_invoice_layout_version_3")]

    operations = [
        migrations.AlterField(
            model_name="invoice",
            name="layout_version",
            field=models.PositiveSmallIntegerField(default=4),
        ),
    ]
