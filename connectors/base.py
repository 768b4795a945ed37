"""What every connector is: one source in, traces and problems out.

A connector subclasses :class:`Connector` and implements :meth:`Connector.extract`,
which parses its file format into *raw records* (dicts with the keys of
:data:`RAW_FIELDS`, or a DataFrame with those columns) and reports row
trouble to a :class:`ProblemLog`. :func:`read_source` does the rest the same
way for every connector: options validation, normalising identifiers, finding
personal-data categories, stable trace ids, fingerprints, contract validation,
and turning any failure into a :class:`ReadResult` that says what went wrong
instead of raising.

Raw record keys:

``record_id`` (required)
    the record's own id in the source, stable across reads (UID, invoice
    number, customer number, or a hash of the row's content). The trace id is
    ``source id + ":" + a keyed hash of record_id`` (HMAC with the workspace
    key, :mod:`connectors.keyed`): it never carries personal data and cannot
    be checked against a guessed id, so it may go into the ledger and Prefect.
``row``       human row / line number for problem reports (header row is 1).
``name``, ``emails``, ``phones``, ``hetu``, ``customer_no``
    identifiers as found; ``emails``/``phones`` a list or a ';'-joined text.
``event_date``, ``end_date``  ``datetime.date`` or None (local dates).
``status``, ``label``, ``kind`` (overrides the source's kind), ``locator`` (dict; a
              frame whose ``attrs[LOCATOR_JSON]`` is set gives the final JSON
              text instead, made with :func:`locator_texts`)
``texts``     every text value of the record (scanned for henkilötunnus and
              health words, and hashed for the fingerprint).
``categories`` category codes the connector saw (address, birth_date, note ...).
"""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
import importlib
import json
import os
import warnings
from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from connectors import messages
from connectors import trace as tr
from connectors.errors import RowError, SourceError, UnreadableSource
from connectors.keyed import Hasher, run_hasher

RAW_FIELDS = (
    "record_id",
    "row",
    "name",
    "emails",
    "phones",
    "hetu",
    "customer_no",
    "event_date",
    "end_date",
    "status",
    "label",
    "kind",
    "locator",
    "texts",
    "categories",
)


class Capability(StrEnum):
    """What a connector can do to its source besides reading it."""

    DELETE = "delete"
    REDACT = "redact"


# "register" is the domain's word; it shadows ABCMeta.register, harmless on a model.
warnings.filterwarnings("ignore", message='Field name "register"', category=UserWarning)


class SourceSpec(BaseModel):
    """One configured source: which connector reads what, for which register."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=r"^[A-Za-z0-9_.-]+$", description="short id, unique in the workspace")
    connector: str
    path: Path
    register: str = Field(default="", description="the register the source belongs to")
    kind: str | None = Field(default=None, description="what the records are; connector default")
    system_of_record: bool = Field(
        default=False, description="the owner's own file: apply may rewrite it"
    )
    customers_only: bool = Field(
        default=False, description="every record is a customer (a customer register export)"
    )
    options: dict[str, Any] = Field(default_factory=dict)


class NoOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")


#: What a problem's field is to the record (the raw field it fills). The safety
#: rule (policies.safety) reads it: a problem in a key, a date, a status or a
#: kind can change whom a decision touches; one in ``other`` (a note, an
#: amount) cannot. None: not known, treated like a key (fail closed).
PROBLEM_ROLES = (
    "emails",
    "phones",
    "hetu",
    "customer_no",
    "event_date",
    "end_date",
    "status",
    "kind",
    "name",
    "other",
)
#: ``error`` may block deletions (policies.safety); ``warning`` never does.
SEVERITIES = ("error", "warning")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one source: file, row, field and what was wrong.

    ``field`` is the file's own name for the column or property; ``role`` the
    raw field it fills (:data:`PROBLEM_ROLES`, None when not known) and
    ``severity`` whether it may block a deletion. Never holds the offending
    value (it may be personal data).

    ``message`` is English (logs, Prefect); ``code`` and ``params`` name the
    same problem in :data:`connectors.messages.PROBLEMS`, so that
    :meth:`text` says it in the owner's language. ``params`` are (name,
    value) pairs of column names, row numbers, counts and formats, never a
    value from the file; a value ``(word, count)`` is a count with its noun
    (:func:`connectors.messages.plural`). A problem with no code is shown in
    English in every language.
    """

    file: str
    row: int | None
    field: str | None
    message: str
    fatal: bool = False
    role: str | None = None
    severity: str = "error"
    code: str | None = None
    params: tuple[tuple[str, Any], ...] = ()

    def describe(self, lang: str) -> str:
        """What was wrong, without where: in ``lang`` when the problem has a code."""
        if self.code is None:
            return self.message
        return messages.problem_text(lang, self.code, **dict(self.params))

    def text(self, lang: str = "en") -> str:
        """The whole line in ``lang``: file, row, field and what was wrong."""
        where = [self.file]
        if self.row is not None:
            where.append(messages.where(lang, "row", row=self.row))
        if self.field:
            where.append(messages.where(lang, "field", field=self.field))
        warning = messages.where(lang, "warning") if self.severity == "warning" else ""
        return ", ".join(where) + f": {self.describe(lang)}{warning}"

    def __str__(self) -> str:
        return self.text("en")

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "row": self.row,
            "field": self.field,
            "message": self.message,
            "fatal": self.fatal,
            "role": self.role,
            "severity": self.severity,
            "code": self.code,
        }


#: The columns of a read's row index: which trace came from which row.
TRACE_ROW_COLUMNS = ("row", "trace_id")


def empty_trace_rows() -> pd.DataFrame:
    return pd.DataFrame({"row": pd.Series(dtype="Int64"), "trace_id": pd.Series(dtype="string")})


class ProblemLog:
    """Where a connector reports row trouble while it reads one file.

    :func:`finalize` also leaves here which trace came from which row
    (``trace_rows``), so that a problem can be tied to whom it concerns.
    """

    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[Problem] = []
        self.trace_rows: pd.DataFrame = empty_trace_rows()

    def add(
        self,
        row: int | None,
        field: str | None,
        message: str,
        *,
        role: str | None = None,
        severity: str = "error",
        code: str | None = None,
        **params: Any,
    ) -> None:
        """One problem; ``code`` and ``params`` say it in the catalogue's words.

        With a code, ``message`` may be left empty: the English text is made
        from the catalogue.
        """
        if role is not None and role not in PROBLEM_ROLES:
            raise ValueError(f"unknown problem role {role!r}")
        if severity not in SEVERITIES:
            raise ValueError(f"unknown severity {severity!r}")
        if code is not None:
            message = message or messages.problem_text("en", code, **params)
        pairs = tuple(params.items())
        self.problems.append(
            Problem(self.file, row, field, message, False, role, severity, code, pairs)
        )

    def row_error(self, row: int | None, error: RowError) -> None:
        self.add(row, error.field, error.message, code=error.code, **error.params)

    def assign_roles(self, field_names: Mapping[str, str]) -> None:
        """Give problems reported by a file's column name the raw field that column fills."""
        roles: dict[str, str] = {}
        for raw, header in field_names.items():
            if raw in PROBLEM_ROLES and header not in roles:
                roles[header] = raw
        self.problems = [
            dataclasses.replace(p, role=roles[p.field])
            if p.role is None and p.field is not None and p.field in roles
            else p
            for p in self.problems
        ]


@dataclass
class ReadResult:
    """What reading one source gave: traces, row problems, and a fatal error if any.

    ``trace_rows`` says which trace came from which row of the file (row
    numbers as problems give them); ``default_kind`` is the connector's kind
    for records when the source config gives none.
    """

    source: SourceSpec
    traces: pd.DataFrame
    problems: list[Problem] = field(default_factory=list)
    error: SourceError | None = None
    trace_rows: pd.DataFrame = field(default_factory=empty_trace_rows)
    default_kind: str | None = None

    @property
    def unreadable(self) -> bool:
        return self.error is not None

    @property
    def clean(self) -> bool:
        """Read without any problem: the only state in which apply may delete."""
        return self.error is None and not self.problems

    @property
    def errors(self) -> list[Problem]:
        """The problems that may block a deletion (warnings left out)."""
        return [p for p in self.problems if p.severity == "error"]

    @property
    def kinds(self) -> frozenset[str]:
        """The kinds this source can carry: its configured or default kind, and any read."""
        kinds = {k for k in (self.source.kind or self.default_kind,) if k}
        if len(self.traces):
            kinds |= set(self.traces["kind"].dropna().unique())
        return frozenset(kinds)

    @property
    def exit_code(self) -> int:
        """0 read cleanly, 1 read with row problems, 2 unreadable."""
        return 2 if self.unreadable else (1 if self.problems else 0)


@dataclass(frozen=True)
class WriteRequest:
    """One approved change to one record: delete it, or blank its personal fields."""

    trace_id: str
    locator: Mapping[str, Any]
    action: str  # "delete" or "anonymise"
    fingerprint: str


@dataclass(frozen=True)
class WriteResult:
    """What became of one request. ``message`` never quotes a value."""

    trace_id: str
    done: bool
    message: str = ""


class Connector(ABC):
    """A reader of one family of sources. Subclasses set the class attributes.

    A connector that can change its source declares ``capabilities`` and
    implements :meth:`write`; apply calls it only for sources the owner marked
    ``system_of_record`` (their own file) and only with approved requests
    whose records were re-read and still match.
    """

    #: id used in the workspace config (``connector: ics``)
    name: ClassVar[str]
    #: a person's name for it
    title: ClassVar[str]
    #: kind of the records when the source config gives none
    default_kind: ClassVar[str]
    options_model: ClassVar[type[BaseModel]] = NoOptions
    capabilities: ClassVar[frozenset[Capability]] = frozenset()
    #: file name endings this connector reads (for detection)
    suffixes: ClassVar[tuple[str, ...]] = ()
    #: the path is a state folder the connector creates (a live account), not an export
    keeps_state: ClassVar[bool] = False

    @classmethod
    def sniff(cls, path: Path, head: bytes) -> int:
        """How sure (0-100) this connector is that it reads ``path``.

        ``head`` is the first 64 KiB of the file (empty for a folder).
        """
        return 10 if path.suffix.lower() in cls.suffixes else 0

    @abstractmethod
    def extract(
        self, source: SourceSpec, options: Any, log: ProblemLog
    ) -> Iterable[Mapping[str, Any]] | pd.DataFrame:
        """Parse the source into raw records; raise UnreadableSource when it cannot."""

    def field_names(self, options: Any) -> Mapping[str, str]:
        """The file's own names for the raw fields, for problem reports."""
        return {}

    def write(
        self, source: SourceSpec, options: Any, requests: list[WriteRequest], ids: Hasher
    ) -> list[WriteResult]:
        """Carry out the requests in the source, all of them in one atomic change.

        ``ids`` is the workspace's keyed-id helper: the writer recomputes each
        record's trace id with it to make sure it changes the approved record.

        Raise a SourceError when the source cannot be changed (then nothing
        was changed). Only called when ``capabilities`` allows the actions.
        """
        raise NotImplementedError(f"{self.name} cannot change its source")


# ------------------------------------------------------------------ registry

#: connector name -> module that defines it (imported only when needed)
BUILTIN: dict[str, str] = {
    "spreadsheet": "connectors.spreadsheet",
    "google_csv": "connectors.google_csv",
    "outlook_csv": "connectors.outlook_csv",
    "vcard": "connectors.vcard",
    "ics": "connectors.ics",
    "accounting": "connectors.accounting",
    "folder": "connectors.folder",
    # live accounts (connectors.google, connectors.microsoft)
    "google_contacts": "connectors.google.contacts",
    "google_other_contacts": "connectors.google.contacts",
    "google_calendar": "connectors.google.calendar",
    "gmail": "connectors.google.gmail",
    "graph_contacts": "connectors.microsoft.contacts",
    "graph_calendar": "connectors.microsoft.calendar",
    "graph_mail": "connectors.microsoft.mail",
}

_REGISTRY: dict[str, type[Connector]] = {}


def register(cls: type[Connector]) -> type[Connector]:
    """Class decorator: make a connector known by its ``name``."""
    _REGISTRY[cls.name] = cls
    return cls


def connector_names() -> list[str]:
    return sorted(set(BUILTIN) | set(_REGISTRY))


def get_connector(name: str) -> type[Connector]:
    """The connector class called ``name``; KeyError naming the known ones."""
    if name not in _REGISTRY and name in BUILTIN:
        importlib.import_module(BUILTIN[name])
    if name not in _REGISTRY:
        raise KeyError(f"unknown connector '{name}'; known: {', '.join(connector_names())}")
    return _REGISTRY[name]


def all_connectors() -> dict[str, type[Connector]]:
    """Every known connector by name (imports the built-in ones)."""
    return {name: get_connector(name) for name in connector_names()}


# --------------------------------------------------------------- read source


def display_path(path: Path) -> str:
    """The file name as problems show it: relative to the current folder when below it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def read_source(source: SourceSpec, ids: Hasher | None = None) -> ReadResult:
    """Read one source into validated traces. Never raises for bad input.

    ``ids`` makes the trace ids (:mod:`connectors.keyed`): the workspace's
    hasher for everything that is stored or compared across runs (review,
    apply); without one, a random key for this process (``inspect``).
    """
    file = display_path(source.path)
    log = ProblemLog(file)
    default_kind: str | None = None
    try:
        connector = get_connector(source.connector)()
        default_kind = connector.default_kind
        try:
            options = connector.options_model.model_validate(source.options)
        except ValidationError as exc:
            details = "; ".join(
                f"option '{'.'.join(str(p) for p in err['loc'])}': {err['msg']}"
                for err in exc.errors()
            )
            raise UnreadableSource(
                file, f"invalid connector options: {details}", "bad_options", details=details
            ) from None
        if not source.path.exists() and not connector.keeps_state:
            raise UnreadableSource(file, "file not found", "file_not_found")
        raw = connector.extract(source, options, log)
        names = connector.field_names(options)
        traces = finalize(raw, source, log, connector.default_kind, names, ids)
        log.assign_roles(names)
    except SourceError as exc:
        return _failed(source, log, exc, default_kind)
    except KeyError as exc:
        return _failed(source, log, UnreadableSource(file, str(exc)), default_kind)
    except Exception as exc:  # noqa: BLE001 - an unforeseen failure must not stop the run
        # The message of a third-party error may quote file content; name only its type.
        name = type(exc).__name__
        error = UnreadableSource(file, f"could not be read ({name})", "could_not_read", error=name)
        return _failed(source, log, error, default_kind)
    return ReadResult(source, traces, log.problems, None, log.trace_rows, default_kind)


def _failed(
    source: SourceSpec, log: ProblemLog, error: SourceError, default_kind: str | None
) -> ReadResult:
    return ReadResult(source, tr.empty_traces(), log.problems, error, default_kind=default_kind)


def _to_frame(raw: Iterable[Mapping[str, Any]] | pd.DataFrame) -> pd.DataFrame:
    if isinstance(raw, pd.DataFrame):
        frame = raw.copy(deep=False)  # columns are only read: no copy of the cells
    else:
        frame = pd.DataFrame.from_records(list(raw), columns=list(RAW_FIELDS))
    unknown = set(frame.columns) - set(RAW_FIELDS)
    if unknown:
        raise TypeError(f"unknown raw record fields: {sorted(unknown)}")
    for name in RAW_FIELDS:
        if name not in frame.columns:
            frame[name] = None
    return frame[list(RAW_FIELDS)]


def _per_distinct(series: pd.Series, func: Any, default: Any) -> np.ndarray:
    """``func`` of each value, computed once per distinct value (``default`` for NA).

    Falls back to one call per row when values are unhashable (lists).
    """
    values = series.to_numpy(dtype=object)
    try:
        codes, uniques = pd.factorize(values, use_na_sentinel=True)
    except TypeError:
        out = np.empty(len(values), dtype=object)
        out[:] = [default if _is_na(v) else func(v) for v in values]
        return out
    results = np.empty(len(uniques) + 1, dtype=object)
    results[:-1] = [func(u) for u in uniques]
    results[-1] = default
    return results[codes]


def _is_na(value: Any) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and value != value)


def _joined_one(value: Any) -> str | None:
    """A raw e-mail or phone value as ';'-joined text (lists joined, blanks dropped)."""
    if _is_na(value):
        return None
    if isinstance(value, list | tuple | set | frozenset):
        return tr.join_multi(str(v) for v in value)
    return tr.join_multi(str(value).split(";"))


def _multi_key(series: pd.Series, normalise: Any) -> tuple[pd.Series, pd.Series, np.ndarray]:
    """E-mails or phones: the ';'-joined raw text, its normalised form, and bad rows.

    A row is bad when some raw part did not normalise. The work is done once
    per distinct value; a plain value (one part, no ';') skips the splitting
    and joining, which give it back unchanged.
    """
    values = series.to_numpy(dtype=object)
    try:
        codes, uniques = pd.factorize(values, use_na_sentinel=True)
    except TypeError:  # lists: one row at a time
        codes, uniques = np.arange(len(values)), values
    size = len(uniques)
    raw = np.empty(size + 1, dtype=object)
    norm = np.empty(size + 1, dtype=object)
    bad = np.zeros(size + 1, dtype=bool)
    # Plain values (one part) in bulk: strip, normalise, and None for blank.
    values_list = list(uniques)
    plain = np.fromiter(
        (type(v) is str and ";" not in v for v in values_list), dtype=bool, count=size
    )
    where = np.flatnonzero(plain)
    if len(where):
        texts = [values_list[i].strip() or None for i in where]
        found = [None if text is None else normalise(text) for text in texts]
        raw[where] = tr.objects(texts)
        norm[where] = tr.objects(found)
        bad[where] = [
            text is not None and value is None for text, value in zip(texts, found, strict=True)
        ]
    for i in np.flatnonzero(~plain):
        value = values_list[i]
        joined = _joined_one(value)
        parts = tr.split_multi(joined)
        good = tr.join_multi(normalise(part) for part in parts)
        raw[i], norm[i] = joined, good
        bad[i] = len(parts) > len(tr.split_multi(good))
    index = series.index
    return (
        pd.Series(raw[codes], index=index, dtype="string"),
        pd.Series(norm[codes], index=index, dtype="string"),
        bad[codes],
    )


def _texts(series: pd.Series) -> pd.Series:
    values = series.to_numpy(dtype=object).tolist()
    if set(map(type, values)) <= {str, type(None)}:  # the usual column: no work per value
        plain = [v if v is not None else "" for v in values]
        return pd.Series(plain, index=series.index, dtype="string")

    def one(value: Any) -> str:
        if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)):
            return ""
        if isinstance(value, list | tuple):
            return "\n".join(str(v) for v in value if v is not None)
        return str(value)

    return pd.Series(_per_distinct(series, one, ""), index=series.index, dtype="string")


def _categories(series: pd.Series) -> pd.Series:
    def one(value: Any) -> frozenset[str]:
        if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)):
            return frozenset()
        if isinstance(value, str):
            return frozenset(v.strip() for v in value.split(",") if v.strip())
        return frozenset(str(v) for v in value)

    return pd.Series(_per_distinct(series, one, frozenset()), index=series.index, dtype=object)


def _dates(
    series: pd.Series, log: ProblemLog, rows: pd.Series, field_name: str, role: str
) -> np.ndarray:
    """Local dates as datetime64[us]: years 1 to 9999, beyond pandas' nanosecond range."""
    if isinstance(series.dtype, pd.DatetimeTZDtype):
        raise TypeError("connectors must give local dates, not time-zone aware times")
    if pd.api.types.is_datetime64_dtype(series.dtype):
        days = series.to_numpy().astype("datetime64[D]")
        return days.astype(tr.DATE_DTYPE)
    values = series.to_numpy(dtype=object)
    try:
        codes, uniques = pd.factorize(values, use_na_sentinel=True)
    except TypeError:
        codes, uniques = np.arange(len(values)), values
    distinct = np.empty(len(uniques) + 1, dtype=tr.DATE_DTYPE)
    bad = np.zeros(len(uniques) + 1, dtype=bool)
    for i, value in enumerate(uniques):
        day = None if _is_na(value) else _one_date(value)
        bad[i] = day is _NOT_A_DATE
        distinct[i] = np.datetime64("NaT") if day is None or day is _NOT_A_DATE else day
    distinct[-1] = np.datetime64("NaT")
    for row in rows[bad[codes]]:
        log.add(_row_or_none(row), field_name, "", role=role, code="not_a_date")
    return distinct[codes]


_NOT_A_DATE = object()


def _one_date(value: Any) -> Any:
    """One value as a day (numpy datetime64[D]); None for blank; _NOT_A_DATE when it is none."""
    if isinstance(value, pd.Timestamp):
        if value.tzinfo is not None:
            raise TypeError("connectors must give local dates, not time-zone aware times")
        return np.datetime64(value.date(), "D")
    if isinstance(value, np.datetime64):
        return None if np.isnat(value) else value.astype("datetime64[D]")
    if isinstance(value, datetime.datetime):
        if value.tzinfo is not None:
            raise TypeError("connectors must give local dates, not time-zone aware times")
        return np.datetime64(value.date(), "D")
    if isinstance(value, datetime.date):
        return np.datetime64(value, "D")
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        try:
            return np.datetime64(datetime.date.fromisoformat(text[:10]), "D")
        except ValueError:
            pass
    try:
        parsed = pd.Timestamp(value)
    except (ValueError, TypeError, OverflowError):
        return _NOT_A_DATE
    if parsed is pd.NaT:
        return None
    return np.datetime64(parsed.date(), "D")


def _row_or_none(value: Any) -> int | None:
    if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)):
        return None
    return int(value)


def _trace_rows(frame: pd.DataFrame, trace_id: np.ndarray) -> pd.DataFrame:
    """(row, trace_id) for each row a record came from: its row and its locator's rows."""
    own_rows = frame["row"].to_numpy(dtype=object)
    locators = frame["locator"].to_numpy(dtype=object)
    spans = [
        type(loc) is not str and isinstance(loc, Mapping) and bool(loc.get("rows"))
        for loc in locators
    ]  # a str (JSON text) first: the Mapping check goes through the ABC machinery
    if not any(spans):
        # One row per record (no locator spans more): the record's own rows, in order.
        known = ~pd.isna(own_rows)
        if not known.any():
            return empty_trace_rows()
        return pd.DataFrame(
            {
                "row": pd.Series([int(r) for r in own_rows[known]], dtype="Int64"),
                "trace_id": pd.Series(trace_id[known], dtype="string"),
            }
        )
    pairs: list[tuple[int, str]] = []
    for row, locator, tid, span in zip(own_rows, locators, trace_id, spans, strict=True):
        own = _row_or_none(row)
        if own is not None:
            pairs.append((own, str(tid)))
        if span:
            for other in locator.get("rows") or ():
                if isinstance(other, int) and other != own:
                    pairs.append((other, str(tid)))
    if not pairs:
        return empty_trace_rows()
    rows, ids = zip(*pairs, strict=True)
    return pd.DataFrame(
        {
            "row": pd.Series(rows, dtype="Int64"),
            "trace_id": pd.Series(ids, dtype="string"),
        }
    )


_json_text = json.encoder.encode_basestring


def _json_fast(value: Any) -> str | None:
    """A locator value as ``json.dumps`` writes it, for str, int, None and lists of int.

    None when the value is of another type (the caller then uses json.dumps).
    """
    kind = type(value)
    if kind is str:
        return str(_json_text(value))
    if kind is int:
        return int.__repr__(value)
    if value is None:
        return "null"
    if kind is list and all(type(v) is int for v in value):
        return "[" + ", ".join(int.__repr__(v) for v in value) + "]"
    return None


def _locators(values: np.ndarray, file: str) -> np.ndarray:
    """Each record's locator as JSON with its file: json.dumps(sort_keys), fast for plain ones.

    Plain locators (dicts of str, int, None and lists of int) are written
    column by column: the rows with the same keys share one template, and
    each key's values are encoded in one pass (a sheet name once).
    """

    def slow(value: Any) -> str:
        base: dict[str, Any] = {"file": file}
        if isinstance(value, str):
            value = json.loads(value)
        if isinstance(value, Mapping):
            base.update(value)
        return json.dumps(base, ensure_ascii=False, sort_keys=True, default=str)

    out = np.empty(len(values), dtype=object)
    groups: dict[tuple[Any, ...], list[int]] = {}
    for i, value in enumerate(values):
        if type(value) is dict:
            groups.setdefault(tuple(value), []).append(i)
        else:
            out[i] = slow(value)
    file_json = _json_fast(file)
    for keys, where in groups.items():
        rows = [values[i] for i in where]
        if not all(type(k) is str for k in keys):
            out[where] = tr.objects(slow(v) for v in rows)
            continue
        order = sorted({"file", *keys})
        columns = [
            [file_json] * len(rows) if k == "file" and k not in keys else _json_column(rows, k)
            for k in order
        ]
        fields = (_json_text(k).replace("{", "{{").replace("}", "}}") for k in order)
        template = "{{" + ", ".join(f + ": {}" for f in fields) + "}}"
        texts = [
            template.format(*parts) if None not in parts else slow(value)
            for parts, value in zip(zip(*columns, strict=True), rows, strict=True)
        ]
        out[where] = tr.objects(texts)
    return out


def _json_column(rows: list[dict[str, Any]], key: str) -> list[str | None]:
    """One key's values of many locators as JSON (None where :func:`_json_fast` has none)."""
    return _json_values([row[key] for row in rows])


#: A raw frame whose ``attrs`` set this key gives its locators as the final JSON text
#: (:func:`locator_texts`: file included, keys sorted); only for locators without "rows".
LOCATOR_JSON = "karsinta_locator_json"


def locator_texts(file: str, columns: Mapping[str, Any]) -> np.ndarray:
    """Locators as :func:`finalize` writes them, from one sequence of values per key.

    A None value leaves its key out of that row's locator. The same text as
    finalize makes of the dicts, without a dict per row.
    """
    keys = list(columns)
    values = {k: tr.objects(columns[k]) for k in keys}
    size = len(next(iter(values.values()))) if values else 0
    pattern = np.zeros(size, dtype=np.int64)
    for bit, k in enumerate(keys):
        pattern |= (
            np.fromiter((v is not None for v in values[k]), bool, size).astype(np.int64) << bit
        )
    out = np.empty(size, dtype=object)
    for shape in np.unique(pattern):
        where = np.flatnonzero(pattern == shape)
        present = [k for bit, k in enumerate(keys) if shape >> bit & 1]
        rows = [{k: values[k][i] for k in present} for i in where] if "file" in present else None
        if rows is not None:  # a locator that names its own file: finalize's general path
            out[where] = _locators(tr.objects(rows), file)
            continue
        order = sorted({"file", *present})
        encoded = [
            [_json_fast(file)] * len(where) if k == "file" else _json_values(list(values[k][where]))
            for k in order
        ]
        fields = (_json_text(k).replace("{", "{{").replace("}", "}}") for k in order)
        template = "{{" + ", ".join(f + ": {}" for f in fields) + "}}"
        texts = [
            template.format(*parts)
            if None not in parts
            else _locators(tr.objects([{k: values[k][i] for k in present}]), file)[0]
            for parts, i in zip(zip(*encoded, strict=True), where, strict=True)
        ]
        out[where] = tr.objects(texts)
    return out


def _json_values(values: list[Any]) -> list[str | None]:
    """Values as JSON (None where :func:`_json_fast` has none): a text once per distinct."""
    kinds = set(map(type, values))
    if kinds == {str}:
        encoded = {v: str(_json_text(v)) for v in set(values)}
        return [encoded[v] for v in values]
    if kinds == {int}:
        return list(map(int.__repr__, values))
    return [_json_fast(v) for v in values]


def _found_categories(
    categories: pd.Series, has_hetu: np.ndarray, business: np.ndarray, health: np.ndarray
) -> np.ndarray:
    """Each record's category codes: those given, and hetu / business id / health found."""
    cat_codes, cat_uniques = pd.factorize(categories.to_numpy(dtype=object))
    combo = cat_codes.astype(np.int64) * 8 + has_hetu * 4 + business * 2 + health.astype(np.int64)
    combo_codes, combo_uniques = pd.factorize(combo)
    texts = np.empty(len(combo_uniques), dtype=object)
    for i, value in enumerate(combo_uniques):
        given = cat_uniques[int(value) // 8]
        codes = set(given)
        codes |= {"hetu"} if value & 4 else set()
        codes |= {"business_id"} if value & 2 else set()
        codes |= {"health_note"} if value & 1 else set()
        unknown = codes - set(tr.CATEGORIES)
        if unknown:
            raise TypeError(f"unknown category codes {sorted(unknown)}")
        texts[i] = ",".join(sorted(codes))
    return texts[combo_codes]


def record_hash(record_id: str, ids: Hasher) -> str:
    """The opaque, stable part of a trace id: a keyed hash of the record's own id."""
    return ids.record_hash(record_id)


def _string(values: Any) -> Any:
    """Values as pandas' string array (what the trace columns are)."""
    return pd.array(values, dtype="string")


def finalize(
    raw: Iterable[Mapping[str, Any]] | pd.DataFrame,
    source: SourceSpec,
    log: ProblemLog,
    default_kind: str,
    field_names: Mapping[str, str] | None = None,
    ids: Hasher | None = None,
) -> pd.DataFrame:
    """Turn raw records into contract-valid traces; report what did not normalise.

    Trace ids are keyed with ``ids`` (a random per-process key when None).

    Column by column: every normaliser runs once per distinct value, and
    what must be done per row (keyed ids, fingerprints, locators) is one
    tight loop with no intermediate copies of the row texts.
    """
    names = {**{f: f for f in RAW_FIELDS}, **(field_names or {})}
    frame = _to_frame(raw)
    if frame.empty:
        return tr.empty_traces()
    rows = frame["row"]
    size = len(frame)

    record_id = frame["record_id"].astype("string")
    if record_id.isna().any():
        raise TypeError("a connector gave a record without record_id")
    # Repeated ids (two identical rows) get a stable suffix by order of appearance.
    if record_id.duplicated().any():
        repeat = record_id.groupby(record_id).cumcount()
        record_id = record_id.where(repeat == 0, record_id + "~" + (repeat + 1).astype("string"))
    record_ids = record_id.to_numpy(dtype=object)

    out: dict[str, Any] = {}
    # The record's own id may hold personal data (an attendee's e-mail, a file
    # named after a person): the trace id carries a keyed hash of it, never the id,
    # and never a plain hash that a guessed id or file name could be checked against.
    hasher = ids or run_hasher()
    prefix = source.id + ":"
    trace_id = tr.objects([prefix + h for h in hasher.record_hashes(record_ids)])
    out["trace_id"] = _string(trace_id)
    out["source"] = _string(np.full(size, source.id, dtype=object))
    out["register"] = _string(np.full(size, source.register or "", dtype=object))
    kind = frame["kind"].astype("string").fillna(source.kind or default_kind)
    out["kind"] = kind.array
    out["label"] = frame["label"].astype("string").array
    names_clean = tr.map_unique(frame["name"].astype("string"), tr.clean_name)
    out["name"] = names_clean.array
    out["name_key"] = tr.map_unique(names_clean, tr.fold_name).array

    email_raw, email, bad_email = _multi_key(frame["emails"], tr.normalise_email_fast)
    for row in rows[bad_email]:
        log.add(_row_or_none(row), names["emails"], "", role="emails", code="bad_email")
    out["email"] = email.array
    out["email_raw"] = email_raw.array

    phone_raw, phone, bad_phone = _multi_key(frame["phones"], tr.normalise_phone_fast)
    out["phone"] = phone.array
    out["phone_raw"] = phone_raw.array

    texts = _texts(frame["texts"])
    categories = _categories(frame["categories"])

    hetu_raw = frame["hetu"].astype("string").str.strip().replace("", pd.NA)
    hetu = tr.map_unique(hetu_raw, tr.normalise_hetu)
    business = tr.map_unique(hetu_raw, lambda v: "y" if tr.is_business_id(v) else None).notna()
    bad_hetu = hetu_raw.notna() & hetu.isna() & ~business
    for row in rows[bad_hetu]:
        log.add(_row_or_none(row), names["hetu"], "", role="hetu", code="bad_hetu")
    # A valid henkilötunnus anywhere in the record counts as found data, even in a
    # notes field. It is not taken as the person's identifier: a note may quote
    # someone else's number, and an event's texts are shared by its attendees.
    text_list = texts.to_numpy(dtype=object)
    found = tr.has_hetus_each(text_list) | tr.map_unique(
        hetu_raw, lambda v: "y" if tr.find_hetus(v) else None
    ).notna().to_numpy(dtype=bool)
    out["hetu"] = hetu.array
    health = tr.has_health_words_each(text_list)

    # One text per distinct combination of what was found (fast on big files).
    has_hetu = found | hetu.notna().to_numpy(dtype=bool)
    out["found_categories"] = _string(
        _found_categories(categories, has_hetu, business.to_numpy(dtype=bool), health)
    )

    customer_no = frame["customer_no"].astype("string").str.strip().replace("", pd.NA)
    out["customer_no"] = customer_no.array
    # An impossible phone number is a warning (it blocks nothing) when the row has
    # another strong key that ties it to its person; otherwise an error.
    other_key = (email.notna() | phone.notna() | hetu.notna() | customer_no.notna()).to_numpy(
        dtype=bool
    )
    for row, keyed in zip(rows[bad_phone], other_key[bad_phone], strict=True):
        log.add(
            _row_or_none(row),
            names["phones"],
            "",
            role="phones",
            code="bad_phone",
            severity="warning" if keyed else "error",
        )
    out["event_date"] = _dates(frame["event_date"], log, rows, names["event_date"], "event_date")
    out["end_date"] = _dates(frame["end_date"], log, rows, names["end_date"], "end_date")
    status = frame["status"].astype("string")
    bad_status = status.notna() & ~status.isin(sorted(tr.STATUSES))
    for row in rows[bad_status]:
        log.add(_row_or_none(row), names["status"], "", role="status", code="unknown_status")
    out["status"] = status.where(~bad_status).astype("string").array

    locators = frame["locator"].to_numpy(dtype=object)
    if not (isinstance(raw, pd.DataFrame) and raw.attrs.get(LOCATOR_JSON)):
        locators = _locators(locators, display_path(source.path))
    out["locator"] = _string(locators)
    sha = hashlib.sha256
    out["fingerprint"] = _string(
        tr.objects(
            [
                sha((text + "\x1f" + rid).encode("utf-8")).hexdigest()[:32]
                for text, rid in zip(text_list, record_ids, strict=True)
            ]
        )
    )
    log.trace_rows = _trace_rows(frame, trace_id)
    traces = pd.DataFrame({name: out[name] for name in tr.COLUMNS}, copy=False)
    return tr.validate(traces)


def head_bytes(path: Path, size: int = 65536) -> bytes:
    """The first bytes of a file (empty for a folder or an unreadable file)."""
    if not path.is_file():
        return b""
    try:
        with open(path, "rb") as handle:
            return handle.read(size)
    except OSError:
        return b""


def owner_only_umask() -> None:
    """Files created from here on are readable by the owner only."""
    os.umask(0o077)
