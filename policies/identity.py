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
- **Names never join.** A trace with no strong key stays a subject of its
  own. When its folded name (``name_key``) equals the name of a customer's
  trace in the register, it is marked ``review`` ("vain nimi täsmää"): it may
  be the same person and deleting it (or keeping the other) on a guess is
  unsafe. So is a trace whose own keys make it no customer (a phone contact
  with another e-mail address) but whose name is a customer's.
- **Key conflicts.** A subject whose traces carry two different valid
  henkilötunnus values (one e-mail shared by two people, say a family
  address) is marked ``review`` as a whole.
- **Customers only.** A subject is in scope when one of its traces has a kind
  in the register's customer kinds, or comes from a source in
  ``customer_sources`` (a customer-register export). Others are the owner's
  friends and suppliers: the engine keeps them and never proposes them.
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

#: The review reasons identity can give, Finnish and English.
NAME_ONLY = (
    "vain nimi täsmää toiseen merkintään; nimi ei yksin yhdistä henkilöä",
    "only the name matches another trace; a name alone never identifies a person",
)
HETU_CONFLICT = (
    "samoilla tunnisteilla on kaksi eri henkilötunnusta (ristiriitaiset tunnisteet)",
    "the shared identifiers carry two different henkilötunnus (conflicting keys)",
)

SUBJECT_COLUMNS = [
    "trace_id",
    "subject_id",
    "register",
    "is_customer",
    "in_scope",
    "review_reason",
    "review_reason_en",
]


def _keys(traces: pd.DataFrame) -> pd.DataFrame:
    """One row per (trace position, key): the edges of the identity graph."""
    register = traces["register"].astype("string").fillna("")
    parts = []
    for column, tag in (("email", "e"), ("phone", "p")):
        values = traces[column].astype("string")
        have = values.notna()
        if have.any():
            split = values[have].str.split(";").explode().str.strip()
            split = split[split.notna() & (split != "")]
            parts.append(
                pd.DataFrame(
                    {
                        "pos": split.index.to_numpy(),
                        "key": register[split.index] + f"\x1f{tag}\x1f" + split,
                    }
                )
            )
    hetu = traces["hetu"].astype("string")
    have = hetu.notna()
    parts.append(
        pd.DataFrame(
            {"pos": hetu.index[have].to_numpy(), "key": register[have] + "\x1fh\x1f" + hetu[have]}
        )
    )
    number = traces["customer_no"].astype("string").str.strip()
    have = number.notna() & (number != "")
    parts.append(
        pd.DataFrame(
            {
                "pos": number.index[have].to_numpy(),
                "key": register[have]
                + "\x1fc\x1f"
                + traces["source"].astype("string")[have]
                + "\x1f"
                + number[have],
            }
        )
    )
    edges = pd.concat(parts, ignore_index=True)
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
    :data:`SUBJECT_COLUMNS`: ``review_reason`` is set (Finnish, and English
    in ``review_reason_en``) where identity is not safe to act on.
    """
    frame = traces.reset_index(drop=True)
    n = len(frame)
    if n == 0:
        return pd.DataFrame({c: pd.Series(dtype="string") for c in SUBJECT_COLUMNS}).astype(
            {"is_customer": "bool", "in_scope": "bool"}
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
    smallest = pd.Series(sorted_ids[smallest_code.to_numpy()], index=frame.index, dtype="string")
    joined = register + "\x1f" + smallest
    ids = {key: subject_hash(*key.split("\x1f", 1)) for key in joined.unique()}
    subject_id = joined.map(ids).astype("string")

    reason = pd.Series(pd.NA, index=frame.index, dtype="string")
    reason_en = pd.Series(pd.NA, index=frame.index, dtype="string")

    # Customers: a customer kind of the register, or a customers-only source.
    kind = frame["kind"].astype("string")
    is_customer_trace = pd.Series(False, index=frame.index)
    for reg, kinds in customer_kinds.items():
        is_customer_trace |= (register == reg) & kind.isin(list(kinds))
    if customer_sources:
        is_customer_trace |= frame["source"].astype("string").isin(list(customer_sources))
    in_scope = is_customer_trace.groupby(label).transform("any").astype(bool)

    # Conflicting henkilötunnus within one subject (a customer: others are never proposed).
    hetu_count = frame["hetu"].astype("string").groupby(label).transform("nunique")
    conflict = (hetu_count > 1) & in_scope
    reason = reason.mask(conflict, HETU_CONFLICT[0])
    reason_en = reason_en.mask(conflict, HETU_CONFLICT[1])

    # A trace with no strong key whose folded name equals that of another trace of a
    # customer in the same register: it may be that customer; only a person can tell.
    keyed = pd.Series(False, index=frame.index)
    keyed.iloc[edges["pos"].unique()] = True
    name_key = frame["name_key"].astype("string")
    has_name = name_key.notna() & (name_key != "")
    name_group = (register + "\x1f" + name_key.fillna("")).where(has_name)
    customer_names = name_group[has_name & in_scope].value_counts()
    matches = name_group.map(customer_names).fillna(0).astype(int) - (in_scope & has_name).astype(
        int
    )
    # A trace with keys of its own that make it no customer (a phone contact with
    # another e-mail) but the name of a customer: it may be that customer's other
    # card. Review, so the owner sees it beside the customer's deletion.
    name_only = has_name & (matches > 0) & (~keyed | ~in_scope)
    reason = reason.mask(name_only & reason.isna(), NAME_ONLY[0])
    reason_en = reason_en.mask(name_only & reason_en.isna(), NAME_ONLY[1])

    return pd.DataFrame(
        {
            "trace_id": trace_id,
            "subject_id": subject_id,
            "register": register.astype("string"),
            "is_customer": is_customer_trace.astype(bool),
            "in_scope": in_scope,
            "review_reason": reason,
            "review_reason_en": reason_en,
        }
    )
