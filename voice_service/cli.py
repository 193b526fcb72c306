"""Flask commands. Each area owns its command group; this module only registers them."""
from __future__ import annotations

import importlib

from flask import Flask

# (module, attribute) of every command or group the service offers.
COMMANDS = (
    ("voice_service.demo", "demo_command"),
    ("voice_service.surveys_cli", "surveys_cli"),
    ("voice_service.analysis.cli", "analyse_cli"),
    ("voice_service.analysis.report_cli", "report_cli"),
    ("voice_service.scheduling.cli", "scheduler_cli"),
    ("voice_service.staff_cli", "import_meetings_command"),
    ("voice_service.staff_cli", "api_keys_cli"),
    ("voice_service.staff_cli", "users_cli"),
    ("voice_service.other_voices", "voices_cli"),
    ("voice_service.data_protection", "keys_cli"),
    ("voice_service.data_protection", "person_cli"),
)


def init_app(app: Flask) -> None:
    for module_name, attribute in COMMANDS:
        app.cli.add_command(getattr(importlib.import_module(module_name), attribute))
