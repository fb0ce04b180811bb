# "invoice batches" in the admin, not "invoice batchs"; options only, no change to the table.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("invoices", "0010_invoice_layout_version"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="invoicebatch",
            options={"ordering": ["-created_at"], "verbose_name_plural": "invoice batches"},
        ),
    ]
