"""Texts in and out: senders (Twilio, dev outbox), segment counting, carrier keywords, phone
numbers, the inbound webhook's work and delivery statuses. See docs/sms.md.

The names below are loaded on first use (PEP 562), so that importing a pure module of this
package (phone, keywords, segments) loads neither Flask nor the ORM.
"""
from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

_WHERE = {
    "ProviderRejected": "senders", "ProviderUnavailable": "senders", "SendError": "senders",
    "SendRefused": "senders", "get_sender": "senders", "send_message": "senders",
    "compose": "texts", "compose_scheduled": "texts",
}

if TYPE_CHECKING:
    from voice_service.messaging.senders import (
        ProviderRejected,
        ProviderUnavailable,
        SendError,
        SendRefused,
        get_sender,
        send_message,
    )
    from voice_service.messaging.texts import compose, compose_scheduled


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


__all__ = ["compose", "compose_scheduled", "ProviderRejected", "ProviderUnavailable", "SendError", "SendRefused", "get_sender", "send_message"]
