"""Texts in and out: senders (Twilio, dev outbox), segment counting, carrier keywords, the
inbound webhook's work and delivery statuses. See docs/sms.md."""
from voice_service.messaging.senders import (
    ProviderRejected,
    ProviderUnavailable,
    SendError,
    SendRefused,
    get_sender,
    send_message,
)
from voice_service.messaging.texts import compose, compose_scheduled

__all__ = ["compose", "compose_scheduled", "ProviderRejected", "ProviderUnavailable", "SendError", "SendRefused", "get_sender", "send_message"]
