"""One base error for everything earful raises on purpose.

ConfigError is our side (a key is wrong: it names the key and the fix); SourceError is their side
(a platform or Slack misbehaves) and says whether and when to retry.
"""

from __future__ import annotations


class EarfulError(Exception):
    """Base of every error earful raises deliberately."""


class ConfigError(EarfulError):
    """The configuration is wrong. `key` is a dotted path such as ``brands[0].sla.first_response``."""

    def __init__(self, key: str, problem: str, fix: str = ""):
        self.key, self.problem, self.fix = key, problem, fix
        msg = f"{key}: {problem}"
        if fix:
            msg += f" (fix: {fix})"
        super().__init__(msg)


class InputError(EarfulError):
    """A user-supplied file or line cannot be read."""


class SourceError(EarfulError):
    """A platform (or Slack) failed. Retryable unless it is an AuthFailed."""

    retryable = True


class RateLimited(SourceError):
    def __init__(self, message: str, retry_after: float):
        super().__init__(message)
        self.retry_after = max(0.0, float(retry_after))


class AuthFailed(SourceError):
    """Credentials rejected. `setting` names the config key the user must fix."""

    retryable = False

    def __init__(self, message: str, setting: str = ""):
        self.setting = setting
        super().__init__(f"{message}" + (f" (check the setting {setting})" if setting else ""))


class Unavailable(SourceError):
    """5xx, timeouts, connection errors."""


class MalformedPayload(SourceError):
    """The platform answered with something we cannot parse."""
