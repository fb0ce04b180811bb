# "webhook deliveries" in the admin, not "webhook deliverys"; options only, no change to the table.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("webhooks", "0001_initial"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="webhookdelivery",
            options={"ordering": ["-created_at"], "verbose_name_plural": "webhook deliveries"},
        ),
    ]
