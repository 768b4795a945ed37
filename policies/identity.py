"""Identity resolution: traces to subjects (persons), on strong keys only.

Strong keys: a normalised e-mail address, an E.164 phone number, a valid
henkilötunnus, and a customer number *within its source system* (customer 17
in the accounting export and customer 17 in the webshop are different keys).
Multi-valued cells (``a@x.fi;b@y.fi``) give one key per value. Two traces
that share any key belong to the same subject, transitively (connected
components, computed with vectorised label propagation and pointer jumping:
linear work per round, a handful of rounds — a million traces is fine).

Decisions documented here, relied upon by the engine:

- **Scope per register.** Keys are prefixed with the register, so a person
  in two registers is two subjects. Every rule ("an open invoice holds all
  of the subject's traces in the register", while_customer, erasure
  requests) is per register, and two registers are two controllers' promises.
- **Names never join, and a keyless trace never decides alone.** A trace
  with no strong key (a calendar entry "Matti K. – sparraus" without an
  attendee, an order row without e-mail or phone, a contact card with only
  a name) stays a subject of its own, is never a customer (it puts nobody
  in scope) and is always marked ``review`` (code ``no_key``, "merkintä
  ilman tunnistetta"), whatever its dates say; when its folded name
  (``name_key``) equals the name of a customer's trace in the register the
  reason says so ("nimi täsmää asiakkaaseen"). A trace whose own keys make
  it no customer (a phone contact with another e-mail address) but whose
  name is a customer's is marked ``review`` too (code ``name_match``): it
  may be the customer's other card.
- **Key conflicts.** A subject whose traces carry two different valid
  henkilötunnus values (one e-mail shared by two people, say a family
  address) is marked ``review`` as a whole (code ``identity_conflict``).
- **Customers only.** A subject is in scope when one of its traces with a
  strong key has a kind in the register's customer kinds, or comes from a
  source in ``customer_sources`` (a customer-register export). Others are
  the owner's friends and suppliers: the engine keeps them and never
  proposes them.
- **Subject ids** are ``"s-" + sha256(register, the smallest trace_id of the
  subject)[:16]``: stable between runs while that trace exists, and they
  reveal no identifier (not even a hash of an e-mail address, which could be
  checked against a guess).
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

#: The review reasons identity can give, Finnish and English, and their review codes.
NO_KEY = (
    "merkintä ilman tunnistetta: nimi ei yksin riitä poistoon",
    "a trace without an identifier: a name alone is not enough to delete",
)
NO_KEY_NAME_MATCH = (
    "merkintä ilman tunnistetta: nimi ei yksin riitä poistoon; nimi täsmää asiakkaaseen",
    "a trace without an identifier: a name alone is not enough to delete; "
    "the name matches a customer",
)
NAME_ONLY = (
    "vain nimi täsmää asiakkaan merkintään; nimi ei yksin yhdistä henkilöä",
    "only the name matches a customer's trace; a name alone never identifies a person",
)
HETU_CONFLICT = (
    "samoilla tunnisteilla on kaksi eri henkilötunnusta (ristiriitaiset tunnisteet)",
    "the shared identifiers carry two different henkilötunnus (conflicting keys)",
)
CODE_NO_KEY = "no_key"
CODE_NAME_MATCH = "name_match"
CODE_IDENTITY_CONFLICT = "identity_conflict"

SUBJECT_COLUMNS = [
    "trace_id",
    "subject_id",
    "register",
    "has_key",
    "is_customer",
    "in_scope",
    "name_match",
    "review_code",
    "review_reason",
    "review_reason_en",
]


def _strings(column: pd.Series) -> np.ndarray:
    """A string column as an object array (missing values as pd.NA; no copy for "string")."""
    return column.to_numpy(dtype=object)


def factorize_present(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``pd.factorize(values)`` (code -1: missing), faster for sparse columns.

    pandas hashes an object array with missing values through its generic
    object table, checking each value for NA; the present values alone are
    all strings and take its faster string table.
    """
    missing = pd.isna(values)
    if not missing.any():
        codes, distinct = pd.factorize(values)
        return codes.astype(np.int64), np.asarray(distinct, dtype=object)
    codes = np.full(len(values), -1, dtype=np.int64)
    if missing.all():
        return codes, np.array([], dtype=object)
    present, distinct = pd.factorize(values[~missing])
    codes[~missing] = present
    return codes, np.asarray(distinct, dtype=object)


def _split_keys(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(row position, key code) per ';'-separated, stripped, non-empty key in ``values``.

    Each distinct cell is split once; rows follow by their factorized code. When
    no distinct cell needs splitting or stripping (the usual case: connectors
    write normalised keys), the cell's code is the key's code.
    """
    codes, distinct = factorize_present(values)
    cells = distinct.tolist()
    if not any(";" in v or not v or v != v.strip() for v in cells):
        rows = np.flatnonzero(codes >= 0)
        return rows, codes[rows].astype(np.int64)
    pieces = [[p.strip() for p in str(v).split(";") if p.strip()] for v in cells]
    lengths = np.array([len(p) for p in pieces], dtype=np.int64)
    flat = np.array([p for ps in pieces for p in ps], dtype=object)
    piece_codes, _ = pd.factorize(flat)
    starts = np.cumsum(lengths) - lengths
    rows = np.flatnonzero(codes >= 0)
    per_row = lengths[codes[rows]]
    first = np.repeat(starts[codes[rows]], per_row)
    within = np.arange(per_row.sum()) - np.repeat(np.cumsum(per_row) - per_row, per_row)
    return np.repeat(rows, per_row), piece_codes[first + within].astype(np.int64)


def _edges(
    traces: pd.DataFrame, registers: np.ndarray, n_registers: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(trace position, compact key code) per key: the edges of the identity graph;
    and the henkilötunnus code per trace (-1: none).

    A key is (register, key type, value) as one integer: e-mails and phones
    (';'-separated, stripped), the henkilötunnus as found, and the customer
    number within its source. Strings are factorized once, never concatenated.
    Duplicate edges are harmless (components are idempotent).
    """
    parts = [_split_keys(_strings(traces[column])) for column in ("email", "phone")]
    hetu, _ = factorize_present(_strings(traces["hetu"]))
    have = np.flatnonzero(hetu >= 0)
    parts.append((have, hetu[have].astype(np.int64)))
    # The customer number, stripped, within its source.
    cells, distinct = factorize_present(_strings(traces["customer_no"]))
    if len(distinct):
        stripped, numbers = pd.factorize(np.array([str(v).strip() for v in distinct], dtype=object))
        usable = np.array([bool(v) for v in numbers.tolist()], dtype=bool)
        number = np.where(cells >= 0, stripped[cells], -1)
        have = np.flatnonzero((number >= 0) & usable[np.maximum(number, 0)])
        sources, _ = pd.factorize(_strings(traces["source"])[have])
        pair, _ = pd.factorize(sources.astype(np.int64) * (len(numbers) + 1) + number[have])
        parts.append((have, pair.astype(np.int64)))
    pos = np.concatenate([p for p, _ in parts])
    offsets = np.cumsum([0] + [int(v.max(initial=-1)) + 1 for _, v in parts])
    key = np.concatenate([v + offsets[tag] for tag, (_, v) in enumerate(parts)])
    if n_registers > 1 and len(pos):
        key, _ = pd.factorize(registers[pos].astype(np.int64) * int(offsets[-1]) + key)
    return pos, key.astype(np.int64), hetu


def components(n: int, pos: np.ndarray, key_codes: np.ndarray) -> np.ndarray:
    """Connected components of traces joined by shared keys; label = smallest member position.

    ``pos[i]`` is a trace position (0..n-1) holding key ``key_codes[i]``.
    Label propagation with hooking and pointer jumping: each round is a few
    vectorised passes over the edges; the number of rounds grows with the
    logarithm of the longest chain, not with the data size.
    """
    parent = np.arange(n, dtype=np.int64)
    if len(pos) == 0:
        return parent
    n_keys = int(key_codes.max()) + 1
    while True:
        labels = parent[pos]
        key_min = np.full(n_keys, n, dtype=np.int64)
        np.minimum.at(key_min, key_codes, labels)
        smallest = key_min[key_codes]
        new = parent.copy()
        np.minimum.at(new, labels, smallest)  # hook the current roots
        np.minimum.at(new, pos, smallest)
        while True:  # pointer jumping: every node points at its root
            jumped = new[new]
            if np.array_equal(jumped, new):
                break
            new = jumped
        if np.array_equal(new, parent):
            return parent
        parent = new


def subject_hash(register: str, smallest_trace_id: str) -> str:
    digest = hashlib.sha256(f"{register}\x1f{smallest_trace_id}".encode()).hexdigest()
    return "s-" + digest[:16]


def _subject_hashes(
    registers: list[str], ids: list[str], register_of: np.ndarray, id_of: np.ndarray
) -> np.ndarray:
    """:func:`subject_hash` of each (register code, id code) pair, as an object array."""
    out = np.empty(len(id_of), dtype=object)
    sha = hashlib.sha256
    for code, register in enumerate(registers):
        at = np.flatnonzero(register_of == code)
        prefix = f"{register}\x1f"
        out[at] = [
            "s-" + sha((prefix + ids[i]).encode()).hexdigest()[:16] for i in id_of[at].tolist()
        ]
    return out


def _factorize_filled(values: np.ndarray) -> tuple[np.ndarray, list[str]]:
    """Codes and names of a string column whose missing values count as ""."""
    codes, distinct = pd.factorize(values)
    names: list[str] = distinct.tolist()
    codes = codes.astype(np.int64)
    missing = codes < 0
    if missing.any():
        if "" not in names:
            names.append("")
        codes[missing] = names.index("")
    return codes, names


def _id_order(trace_ids: np.ndarray) -> tuple[np.ndarray, np.ndarray, bool]:
    """(per row the rank code of its trace id in sorted order, the sorted distinct ids,
    whether the ids came in order).

    The same as ``pd.factorize(ids, sort=True)``; ids that already come in
    order (most sources number their records) need no sort, only a comparison
    of neighbours.
    """
    n = len(trace_ids)
    if n > 1:
        later, earlier = trace_ids[1:], trace_ids[:-1]
        try:
            ordered = bool(np.greater_equal(later, earlier).all())
        except TypeError:  # not all strings: let factorize tell
            ordered = False
        if ordered:
            new = np.empty(n, dtype=bool)
            new[0] = True
            np.not_equal(later, earlier, out=new[1:])
            return np.cumsum(new) - 1, trace_ids[new], True
    codes, distinct = pd.factorize(trace_ids, sort=True)
    return codes.astype(np.int64), np.asarray(distinct, dtype=object), False


@dataclass(frozen=True)
class Identity:
    """Identity as arrays, one entry per trace in the input's order (for the engine).

    ``subject`` is a compact subject code (0..n_subjects-1) per trace and
    ``subject_ids`` the id of each code; ``review`` an index into
    :data:`REVIEWS` (0: nothing to review).
    """

    subject: np.ndarray
    subject_ids: np.ndarray
    has_key: np.ndarray
    is_customer: np.ndarray
    in_scope: np.ndarray
    name_match: np.ndarray
    review: np.ndarray
    registers: np.ndarray  # register code per trace (missing register: "")
    register_names: list[str]
    kinds: np.ndarray  # kind code per trace (-1: missing)
    kind_names: list[str]
    has_hetu: np.ndarray

    @property
    def n_subjects(self) -> int:
        return len(self.subject_ids)


#: Identity's reviews by index: (review code, reason fi, reason en); 0 is "none".
REVIEWS: list[tuple[str | None, str | None, str | None]] = [
    (None, None, None),
    (CODE_IDENTITY_CONFLICT, *HETU_CONFLICT),
    (CODE_NO_KEY, *NO_KEY_NAME_MATCH),
    (CODE_NO_KEY, *NO_KEY),
    (CODE_NAME_MATCH, *NAME_ONLY),
]


def _any_per(groups: np.ndarray, flag: np.ndarray, size: int) -> np.ndarray:
    """Per group: does any member have ``flag``."""
    out = np.zeros(size, dtype=bool)
    out[groups[flag]] = True
    return out


def identify(
    traces: pd.DataFrame,
    customer_kinds: Mapping[str, Collection[str]],
    customer_sources: Collection[str] = frozenset(),
) -> Identity:
    """:func:`resolve` as arrays (see :class:`Identity`)."""
    frame = traces.reset_index(drop=True)
    n = len(frame)
    registers, register_names = _factorize_filled(_strings(frame["register"]))
    pos, key_codes, hetu = _edges(frame, registers, len(register_names))
    labels = components(n, pos, key_codes)
    keyed = np.zeros(n, dtype=bool)
    keyed[pos] = True

    # The smallest trace id of each component names the subject (its label is
    # the smallest member position, so ordered ids need no per-group minimum).
    order, sorted_ids, ordered = _id_order(_strings(frame["trace_id"]))
    if ordered:
        smallest = order[labels]
    else:
        per_label = np.full(n, np.iinfo(np.int64).max, dtype=np.int64)
        np.minimum.at(per_label, labels, order)
        smallest = per_label[labels]
    pair = registers * max(len(sorted_ids), 1) + smallest
    subject, pairs = pd.factorize(pair)
    id_names = sorted_ids.tolist()
    names = register_names
    width = max(len(id_names), 1)
    subject_ids = _subject_hashes(names, id_names, pairs // width, pairs % width)

    # Customers: a customer kind of the register, or a customers-only source. A
    # keyless trace puts nobody in scope: it cannot be tied to a person.
    kinds, kind_names = pd.factorize(_strings(frame["kind"]))
    kind_list = kind_names.tolist()
    is_customer = np.zeros(n, dtype=bool)
    for reg, reg_kinds in customer_kinds.items():
        if reg not in names:
            continue
        wanted = [kind_list.index(k) for k in set(reg_kinds) if k in kind_list]
        is_customer |= (registers == names.index(reg)) & np.isin(kinds, wanted)
    if customer_sources:
        source = frame["source"].astype("string")
        is_customer |= source.isin(list(customer_sources)).to_numpy(dtype=bool)
    is_customer &= keyed
    in_scope = _any_per(labels, is_customer, n)[labels]

    review = np.zeros(n, dtype=np.int8)
    # Conflicting henkilötunnus within one subject (a customer: others are never proposed).
    with_hetu = hetu >= 0
    if with_hetu.any():
        low = np.full(n, np.iinfo(np.int64).max, dtype=np.int64)
        high = np.full(n, -1, dtype=np.int64)
        np.minimum.at(low, labels[with_hetu], hetu[with_hetu])
        np.maximum.at(high, labels[with_hetu], hetu[with_hetu])
        conflict = (high > low)[labels] & in_scope
        review[conflict] = 1

    # Folded names of customers' traces in each register (names point, never join).
    name_match = np.zeros(n, dtype=bool)
    if not in_scope.all():
        names_code, distinct_names = pd.factorize(_strings(frame["name_key"]))
        named = np.array([bool(v) for v in distinct_names.tolist()] + [False], dtype=bool)
        has_name = named[names_code]  # code -1 (missing) -> the last entry: False
        candidates = has_name & ~in_scope
        if candidates.any() and (has_name & in_scope).any():
            group = registers * (len(distinct_names) + 1) + names_code
            customers = _any_per(group, has_name & in_scope, int(group.max()) + 1)
            name_match = candidates & customers[group]

    def mark(where: np.ndarray, index: int) -> None:
        review[where & (review == 0)] = index

    # No strong key: never decides alone, whatever its dates say.
    mark(~keyed & name_match, 2)
    mark(~keyed, 3)
    # Keys of its own that make it no customer (a phone contact with another
    # e-mail) but the name of a customer: it may be that customer's other card.
    # Review, so the owner sees it beside the customer's deletion.
    mark(keyed & name_match, 4)
    return Identity(
        subject.astype(np.int64),
        subject_ids,
        keyed,
        is_customer,
        in_scope,
        name_match,
        review,
        registers,
        names,
        kinds.astype(np.int64),
        kind_list,
        with_hetu,
    )


_STRING = pd.StringDtype()


def string_array(values: np.ndarray) -> pd.api.extensions.ExtensionArray:
    """An object array whose items are all ``str`` or ``pd.NA`` as a "string" array.

    Only for arrays the engine built itself from its text tables (every item
    a str or pd.NA by construction): the public constructor checks every item
    again, which costs as much as the engine's own work at a million rows, so
    the array is wrapped as it is where pandas allows it (the python-backed
    "string" dtype); otherwise the public constructor checks it.
    """
    simple_new = getattr(pd.arrays.StringArray, "_simple_new", None)
    if simple_new is not None and _STRING.storage == "python" and values.dtype == object:
        array: pd.api.extensions.ExtensionArray = simple_new(values, _STRING)
        return array
    return pd.array(values, dtype=_STRING)


def _table_column(table: list[Any], codes: np.ndarray) -> pd.api.extensions.ExtensionArray:
    """``table[code]`` per row as a "string" array; None in the table is missing."""
    values = np.array([pd.NA if v is None else v for v in table], dtype=object)
    return string_array(values[codes])


def subject_column(found: Identity) -> pd.api.extensions.ExtensionArray:
    """Each trace's subject id as a "string" array."""
    return string_array(found.subject_ids[found.subject])


def resolve(
    traces: pd.DataFrame,
    customer_kinds: Mapping[str, Collection[str]],
    customer_sources: Collection[str] = frozenset(),
) -> pd.DataFrame:
    """Subjects of a contract-valid trace frame.

    ``customer_kinds`` maps a register to the kinds that make a person a
    customer there. Returns one row per trace, in the input's order, with
    :data:`SUBJECT_COLUMNS`: ``review_code`` and ``review_reason`` (Finnish,
    and English in ``review_reason_en``) are set where identity is not safe
    to act on; ``has_key`` tells whether the trace has a strong key;
    ``name_match`` whether its folded name is a customer's in the register.
    """
    frame = traces.reset_index(drop=True)
    if len(frame) == 0:
        return pd.DataFrame({c: pd.Series(dtype="string") for c in SUBJECT_COLUMNS}).astype(
            {c: "bool" for c in ("has_key", "is_customer", "in_scope", "name_match")}
        )
    found = identify(frame, customer_kinds, customer_sources)
    return subjects_frame(frame, found)


def subjects_frame(frame: pd.DataFrame, found: Identity) -> pd.DataFrame:
    """:func:`resolve`'s frame from an :class:`Identity` of ``frame`` (reset index)."""
    return pd.DataFrame(
        {
            "trace_id": frame["trace_id"].astype("string"),
            "subject_id": subject_column(found),
            "register": frame["register"].astype("string").fillna(""),
            "has_key": found.has_key,
            "is_customer": found.is_customer,
            "in_scope": found.in_scope,
            "name_match": found.name_match,
            "review_code": _table_column([r[0] for r in REVIEWS], found.review),
            "review_reason": _table_column([r[1] for r in REVIEWS], found.review),
            "review_reason_en": _table_column([r[2] for r in REVIEWS], found.review),
        }
    )
