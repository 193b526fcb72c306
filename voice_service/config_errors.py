"""The one error a bad setting raises, in a module of its own so that every reader of settings
(config.py, scheduling/settings.py) can raise it without importing the other."""


class ConfigError(RuntimeError):
    """A setting is missing or unsafe; the message names the variable and what to do."""
