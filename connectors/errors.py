"""Every exception Karsinta raises, in one place.

The tree::

    KarsintaError                 base of everything below
    ├── ConfigError               a workspace or policy file is wrong (file, line, field)
    ├── ApplyRefused              a proposal cannot be applied at all: not a proposal,
    │                             another workspace's, an earlier month's, apply running
    └── SourceError               one source could not be read (or changed) as a whole
        ├── UnreadableSource      fatal for that source: missing, empty, wrong format,
        │                         undecodable; the run goes on with the other sources
        └── RetriableSourceError  a passing failure (network, rate limit): try again

Row-level trouble is not an exception that escapes a connector: a connector
raises :class:`RowError` inside its row loop, and :mod:`connectors.base` turns
it into a :class:`connectors.base.Problem` (file, row, field, what was wrong)
while the other rows go on.

Messages never contain the offending value: they end up in Prefect's database
and in logs, and the value may be a customer's name or henkilötunnus.
Third-party errors (csv, openpyxl, icalendar, vobject ...) are wrapped at the
edge into these classes, with the original chained as ``__cause__``.
"""

from __future__ import annotations

from typing import Any, Self


class KarsintaError(Exception):
    """Base of every error Karsinta raises on purpose.

    ``str()`` is English (logs, Prefect); :meth:`keyed` names the same message
    in :data:`connectors.messages.MESSAGES`, so that :meth:`said` gives it in
    the owner's language.
    """

    message_key: str | None = None
    message_values: dict[str, Any] = {}  # noqa: RUF012 - replaced, never changed in place

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickle and copy whatever a subclass's ``__init__`` takes: the error's
        ``args`` and attributes as they are (a source read in a worker process
        hands its error back to the run)."""
        return (_rebuilt, (type(self), self.args), self.__dict__)

    def keyed(self, key: str, **values: Any) -> Self:
        """This error, said in the catalogue's words ``key`` filled with ``values``."""
        self.message_key, self.message_values = key, values
        return self

    def said(self, lang: str) -> str:
        """The message in ``lang`` when it has a catalogue key, else the English one."""
        if self.message_key is None:
            return str(self)
        from connectors.messages import say

        return say(lang, self.message_key, **self.message_values)


def _rebuilt(cls: type[KarsintaError], args: tuple[Any, ...]) -> KarsintaError:
    error = cls.__new__(cls)
    Exception.__init__(error, *args)
    return error


class ConfigError(KarsintaError):
    """A configuration file (workspace or register policy) is invalid.

    ``problems`` lists every problem found, each naming file, line and field,
    so a user can fix them all in one go.
    """

    def __init__(self, file: str, problems: list[str]) -> None:
        self.file = file
        self.problems = problems
        super().__init__(f"{file}: " + "; ".join(problems))


class ApplyRefused(KarsintaError):
    """The proposal cannot be applied at all; nothing was changed."""


class SourceError(KarsintaError):
    """One source could not be read; the run goes on with the other sources.

    ``message`` is English; ``code`` and ``params`` (never a value from the
    file) name it in :data:`connectors.messages.PROBLEMS` for :meth:`text`.
    """

    def __init__(self, file: str, message: str, code: str | None = None, **params: Any) -> None:
        self.file = file
        self.message = message
        self.code = code
        self.params = params
        super().__init__(f"{file}: {message}")

    def describe(self, lang: str) -> str:
        """What is wrong, in ``lang`` when the error has a code (English otherwise)."""
        from connectors.messages import problem_text

        return self.message if self.code is None else problem_text(lang, self.code, **self.params)

    def text(self, lang: str = "en") -> str:
        """``file: what is wrong`` in ``lang``."""
        return f"{self.file}: {self.describe(lang)}"

    def said(self, lang: str) -> str:
        return self.text(lang)


class UnreadableSource(SourceError):
    """The source is missing, empty, of the wrong format, or cannot be decoded."""


class RetriableSourceError(SourceError):
    """A passing failure (network, rate limit); the same read may work later."""


class RowError(KarsintaError):
    """One field of one row is wrong; raised inside a connector's row loop.

    Carries the field name and what was wrong, never the value.
    """

    def __init__(self, field: str, message: str, code: str | None = None, **params: Any) -> None:
        self.field = field
        self.message = message
        self.code = code
        self.params = params
        super().__init__(f"{field}: {message}")
