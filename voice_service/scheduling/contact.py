"""Moved to voice_service/messaging/phone.py. Kept for voice_service/messaging/inbound.py (being
rewritten for issue 15), which imports normalise_phone from here; delete once it imports
voice_service.messaging.phone."""
from voice_service.messaging.phone import PhoneCheck, normalise_phone

__all__ = ["PhoneCheck", "normalise_phone"]
