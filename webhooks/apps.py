from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "webhooks"
    verbose_name = "Webhooks"

    def ready(self) -> None:
        # Registers the deployment checks of the outbound guard's development allowances.
        from webhooks import checks  # noqa: F401
