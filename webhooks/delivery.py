"""Delivering one webhook: sign, send through the guarded client, record the attempt, schedule the next.

CONTRACT (to be implemented by the webhooks work): the names below are what consumers.py calls.
"""

import uuid


def delivery_attempt(*, delivery_id: uuid.UUID) -> None:
    raise NotImplementedError


def delivery_give_up(*, delivery_id: uuid.UUID, reason: str) -> None:
    raise NotImplementedError


def deliveries_requeue_due() -> int:
    return 0


def disabled_emails_send() -> int:
    return 0
