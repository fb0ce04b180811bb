"""WebhookDelivery.event_type may be webhook.test, the event an owner asks for to test an endpoint (POST
/api/webhooks/{id}/test/). Its choices only: no column or row changes."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("webhooks", "0002_webhook_delivery_plural"),
    ]

    operations = [
        migrations.AlterField(
            model_name="webhookdelivery",
            name="event_type",
            field=models.CharField(
                choices=[
                    ("invoice.ready", "invoice.ready: every file of an invoice is ready"),
                    ("invoice.failed", "invoice.failed: a file of an invoice could not be made"),
                    ("invoice.rendition.ready", "invoice.rendition.ready: one file of an invoice is ready"),
                    ("batch.completed", "batch.completed: every invoice of a batch is ready or failed"),
                    ("webhook.test", "webhook.test: a test event its owner asked for"),
                ],
                max_length=40,
            ),
        ),
    ]
