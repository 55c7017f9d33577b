"""The exceptions tinytroupe raises: one root, a short tree, messages that say the fix.

TinyTroupeError
├── ConfigError            a setting has a bad value or a config file cannot be read
├── SpecificationError     a persona, fragment, population or scenario file/dict is invalid
├── LLMError               anything from the LLM layer
│   ├── ProviderError      the provider answered with an error (status, message)
│   │   ├── AuthenticationError    wrong or missing key: never retried
│   │   ├── BadRequestError        the request was rejected: never retried
│   │   └── TransientError         429, 5xx, timeouts, dropped connections: retried
│   ├── StructuredOutputError      no valid object after every attempt
│   ├── NoModelConfiguredError     neither a key/base URL nor the local model
│   └── CacheError                 the call cache file is unusable
├── StateError             a checkpoint or saved state is corrupt or incompatible
├── SimulationError        misuse of agents, worlds or control (duplicate name, ...)
│   └── PoorQualityActionException  no action passed the quality checks (CONTINUE_ON_FAILURE off)
└── MissingExtraError      an optional dependency (an extra) is not installed

Where the original raises a built-in for the same mistake, the leaf also subclasses it:
ConfigError, SpecificationError and SimulationError are ``ValueError``s, MissingExtraError an
``ImportError``, so code written for the original's exceptions keeps catching them.
"""

from __future__ import annotations

__all__ = [
    "TinyTroupeError",
    "ConfigError",
    "SpecificationError",
    "LLMError",
    "ProviderError",
    "AuthenticationError",
    "BadRequestError",
    "TransientError",
    "StructuredOutputError",
    "NoModelConfiguredError",
    "CacheError",
    "StateError",
    "SimulationError",
    "PoorQualityActionException",
    "MissingExtraError",
]


class TinyTroupeError(Exception):
    """Root of every error tinytroupe raises on purpose.

    The message passes through :func:`tinytroupe.redaction.redact_text`: a URL in it (a base
    URL, a server's echo of one) never shows its user name, password or query secrets.
    """

    def __init__(self, *args: object):
        from tinytroupe.redaction import redact_text

        super().__init__(*(redact_text(a) if isinstance(a, str) else a for a in args))


class ConfigError(TinyTroupeError, ValueError):
    """A setting has a bad value, or a config file cannot be read."""


class SpecificationError(TinyTroupeError, ValueError):
    """A persona, fragment, population or scenario specification is invalid."""


class LLMError(TinyTroupeError):
    """Something in the LLM layer failed."""


class ProviderError(LLMError):
    """The provider answered with an error.

    ``status`` is the HTTP status where there was one; ``retry_after`` is the delay the
    server asked for, in seconds, where it said.
    """

    def __init__(self, message: str, *, status: int | None = None, retry_after: float | None = None):
        super().__init__(message)
        self.status = status
        self.retry_after = retry_after


class AuthenticationError(ProviderError):
    """The key or token was refused. Never retried."""


class BadRequestError(ProviderError):
    """The request was rejected as malformed or unsupported. Never retried."""


class TransientError(ProviderError):
    """Rate limits, server errors, timeouts and dropped connections: worth retrying."""


class StructuredOutputError(LLMError):
    """The model gave no valid object after every attempt.

    ``last_text`` is the last raw reply; ``errors`` lists what was wrong with each attempt.
    """

    def __init__(self, message: str, *, last_text: str | None = None, errors: list[str] | None = None):
        super().__init__(message)
        self.last_text = last_text
        self.errors = list(errors or [])

    @property
    def short_reason(self) -> str | None:
        """What was wrong with the last reply, in the validator's words (never the reply itself)."""
        return f"the model's reply was not usable: {self.errors[-1]}" if self.errors else None


class NoModelConfiguredError(LLMError):
    """No provider can be used: no key or base URL is set and the local model is not installed."""


class CacheError(LLMError):
    """The LLM call cache file cannot be used."""


class StateError(TinyTroupeError):
    """A checkpoint or saved state is corrupt, truncated or from an incompatible version."""


class SimulationError(TinyTroupeError, ValueError):
    """Agents, worlds or the control scope were used in a way that cannot work.

    Also a ``ValueError``, the built-in the original raises for these (a duplicate agent name, a
    tool used by an agent that does not own it), so ``except ValueError`` keeps working.
    """


class PoorQualityActionException(SimulationError):
    """No proposed action passed the quality checks and ``CONTINUE_ON_FAILURE`` is off.

    ``scores`` holds the last attempt's score per criterion; ``proposal`` the best proposal seen.
    """

    def __init__(self, message: str, *, scores: dict[str, int] | None = None, proposal: object = None):
        super().__init__(message)
        self.scores = dict(scores or {})
        self.proposal = proposal


class MissingExtraError(TinyTroupeError, ImportError):
    """A feature needs an optional dependency that is not installed; the message names the install."""
