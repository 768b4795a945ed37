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


def _split_keys(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(row position, key code) per ';'-separated, stripped, non-empty key in ``values``.

    Each distinct cell is split once; rows follow by their factorized code.
    """
    codes, distinct = pd.factorize(values)
    pieces = [[p.strip() for p in str(v).split(";") if p.strip()] for v in distinct.tolist()]
    lengths = np.array([len(p) for p in pieces], dtype=np.int64)
    piece_codes, _ = pd.factorize(pd.Series([p for ps in pieces for p in ps], dtype=object))
    starts = np.cumsum(lengths) - lengths
    rows = np.flatnonzero(codes >= 0)
    per_row = lengths[codes[rows]]
    first = np.repeat(starts[codes[rows]], per_row)
    within = np.arange(per_row.sum()) - np.repeat(np.cumsum(per_row) - per_row, per_row)
    return np.repeat(rows, per_row), piece_codes[first + within].astype(np.int64)


def _keys(traces: pd.DataFrame) -> pd.DataFrame:
    """One row per (trace position, key): the edges of the identity graph.

    A key is (register, key type, value) as one integer: e-mails and phones
    (';'-separated, stripped), the henkilötunnus as found, and the customer
    number within its source. Strings are factorized once, never concatenated.
    """
    registers, _ = pd.factorize(traces["register"].astype("string").fillna(""))
    parts = [_split_keys(traces[column].astype("string")) for column in ("email", "phone")]
    hetu, _ = pd.factorize(traces["hetu"].astype("string"))
    have = np.flatnonzero(hetu >= 0)
    parts.append((have, hetu[have].astype(np.int64)))
    number = traces["customer_no"].astype("string").str.strip()
    numbered = number.notna() & (number != "")
    pairs = pd.DataFrame({"source": traces["source"].astype("string"), "number": number})
    pair_codes = pairs.groupby(["source", "number"], sort=False, dropna=False).ngroup()
    have = np.flatnonzero(numbered.to_numpy(dtype=bool))
    parts.append((have, pair_codes.to_numpy(dtype=np.int64)[have]))
    width = max(int(values.max(initial=-1)) for _, values in parts) + 1
    edges = pd.DataFrame(
        {
            "pos": np.concatenate([pos for pos, _ in parts]),
            "key": np.concatenate(
                [
                    (registers[pos].astype(np.int64) * len(parts) + tag) * width + values
                    for tag, (pos, values) in enumerate(parts)
                ]
            ),
        }
    )
    return edges.drop_duplicates()


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
    n = len(frame)
    if n == 0:
        return pd.DataFrame({c: pd.Series(dtype="string") for c in SUBJECT_COLUMNS}).astype(
            {c: "bool" for c in ("has_key", "is_customer", "in_scope", "name_match")}
        )
    edges = _keys(frame)
    codes, _ = pd.factorize(edges["key"])
    labels = components(n, edges["pos"].to_numpy(dtype=np.int64), codes.astype(np.int64))

    register = frame["register"].astype("string").fillna("")
    trace_id = frame["trace_id"].astype("string")
    label = pd.Series(labels, index=frame.index)
    # The smallest trace id of each component names the subject.
    # Per-group minimum on integer codes (sorted factorize): string minimums per group
    # fall back to slow per-group Python in pandas.
    order, sorted_ids = pd.factorize(trace_id, sort=True)
    smallest_code = pd.Series(order, index=frame.index).groupby(label).transform("min")
    # One hash per distinct (register, smallest id) pair, spread back by its code.
    register_codes, registers = pd.factorize(register)
    pair = register_codes.astype(np.int64) * len(sorted_ids) + smallest_code.to_numpy()
    pair_codes, pairs = pd.factorize(pair)
    register_names, id_names = registers.tolist(), sorted_ids.tolist()
    hashes = [
        subject_hash(register_names[p // len(id_names)], id_names[p % len(id_names)])
        for p in pairs.tolist()
    ]
    subject_id = pd.Series(np.array(hashes, dtype=object)[pair_codes], dtype="string")

    code = pd.Series(pd.NA, index=frame.index, dtype="string")
    reason = pd.Series(pd.NA, index=frame.index, dtype="string")
    reason_en = pd.Series(pd.NA, index=frame.index, dtype="string")

    def mark(where: pd.Series, review_code: str, texts: tuple[str, str]) -> None:
        nonlocal code, reason, reason_en
        take = where & code.isna()
        code = code.mask(take, review_code)
        reason = reason.mask(take, texts[0])
        reason_en = reason_en.mask(take, texts[1])

    keyed = pd.Series(False, index=frame.index)
    keyed.iloc[edges["pos"].unique()] = True

    # Customers: a customer kind of the register, or a customers-only source. A
    # keyless trace puts nobody in scope: it cannot be tied to a person.
    kind = frame["kind"].astype("string")
    is_customer_trace = pd.Series(False, index=frame.index)
    for reg, kinds in customer_kinds.items():
        is_customer_trace |= (register == reg) & kind.isin(list(kinds))
    if customer_sources:
        is_customer_trace |= frame["source"].astype("string").isin(list(customer_sources))
    is_customer_trace &= keyed
    in_scope = is_customer_trace.groupby(label).transform("any").astype(bool)

    # Conflicting henkilötunnus within one subject (a customer: others are never proposed).
    hetu_count = frame["hetu"].astype("string").groupby(label).transform("nunique")
    mark((hetu_count > 1) & in_scope, CODE_IDENTITY_CONFLICT, HETU_CONFLICT)

    # Folded names of customers' traces in each register (names point, never join).
    name_key = frame["name_key"].astype("string")
    has_name = name_key.notna() & (name_key != "")
    name_group = (register + "\x1f" + name_key.fillna("")).where(has_name)
    customer_names = name_group[has_name & in_scope].value_counts()
    matches = name_group.map(customer_names).fillna(0).astype(int) - (in_scope & has_name).astype(
        int
    )
    name_match = has_name & (matches > 0) & ~in_scope

    # No strong key: never decides alone, whatever its dates say.
    mark(~keyed & name_match, CODE_NO_KEY, NO_KEY_NAME_MATCH)
    mark(~keyed, CODE_NO_KEY, NO_KEY)
    # Keys of its own that make it no customer (a phone contact with another
    # e-mail) but the name of a customer: it may be that customer's other card.
    # Review, so the owner sees it beside the customer's deletion.
    mark(keyed & name_match, CODE_NAME_MATCH, NAME_ONLY)

    return pd.DataFrame(
        {
            "trace_id": trace_id,
            "subject_id": subject_id,
            "register": register.astype("string"),
            "has_key": keyed.astype(bool),
            "is_customer": is_customer_trace.astype(bool),
            "in_scope": in_scope,
            "name_match": name_match.astype(bool),
            "review_code": code,
            "review_reason": reason,
            "review_reason_en": reason_en,
        }
    )
