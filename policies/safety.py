"""The run-level safety rule: nothing is deleted from a source whose read had errors.

The engine decides per trace from what it was given. A source that was read
with row problems may be missing rows (a person's newer order on a row whose
date was garbage), so a ``delete`` decided from its traces is not safe: such
decisions become ``review``, saying why. An unreadable source gives no traces
and so no decisions at all.
"""

from __future__ import annotations

from collections.abc import Collection

import pandas as pd

REASON_FI = "lähteen luvussa oli virheitä: korjaa ne, niin poisto ehdotetaan ensi kerralla"
REASON_EN = "the source was read with errors: fix them and the deletion is proposed next time"


def block_sources_with_errors(decisions: pd.DataFrame, sources: Collection[str]) -> pd.DataFrame:
    """Turn ``delete`` into ``review`` for traces of the given sources.

    A subject whose traces span a clean and a faulty source is affected too:
    the faulty source may hold the newer record that keeps the person.
    """
    if not len(sources) or decisions.empty:
        return decisions
    faulty = decisions["source"].isin(list(sources))
    subjects = decisions.loc[faulty, "subject_id"].dropna().unique()
    affected = faulty | decisions["subject_id"].isin(list(subjects))
    blocked = affected & (decisions["decision"] == "delete")
    if not blocked.any():
        return decisions
    out = decisions.copy()
    out.loc[blocked, "decision"] = "review"
    out.loc[blocked, "review_reason"] = REASON_FI
    out.loc[blocked, "review_reason_en"] = REASON_EN
    out.loc[blocked, "days_overdue"] = pd.NA
    return out
