"""The admin's views of endpoints and deliveries (implemented by the webhooks work)."""
