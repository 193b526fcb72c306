"""Blueprints: public (forms, chat), sms (webhooks), staff, insights, api, dev, health."""
