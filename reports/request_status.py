"""The request status list: every open request, its deadline and its state.

``pyynnot-YYYY-MM-DD.html``: one row per request-log row (the log's file
and row, never the person's name or address), with the received date, the
deadline, the state (proposal ready, approved, done, blocked by a hold with
its reason and end date, in review, overdue by N days) and the file
prepared for it. A blocked request is listed with its hold (GDPR art.
12(4)); a request with no readable date is listed as such, never dropped.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from policies.periods import en_date, fi_date
from reports.cells import template_env, write_text_file

if TYPE_CHECKING:
    from flows.requests import StatusRow

TEXTS = {
    "title": ("Rekisteröityjen pyynnöt", "Data subject requests"),
    "kind_erasure": ("poistopyyntö", "erasure"),
    "kind_access": ("tietopyyntö", "access"),
    "log": ("Pyyntöloki", "Request log"),
    "received": ("Saapunut", "Received"),
    "deadline": ("Määräaika", "Deadline"),
    "state": ("Tila", "State"),
    "file": ("Tiedosto", "File"),
    "kind": ("Pyyntö", "Request"),
    "none": ("Ei pyyntöjä.", "No requests."),
    "row": ("rivi", "row"),
    "open": ("avoin", "open"),
    "proposal_ready": (
        "ehdotus valmis: merkitse ja aja apply",
        "proposal ready: mark it, run apply",
    ),
    "approved": ("hyväksytty, odottaa toteutusta", "approved, waiting to be carried out"),
    "review": ("tarkistettava käsin", "to be checked by hand"),
    "blocked": ("säilytysvelvoite estää", "blocked by a legal hold"),
    "done": ("valmis", "done"),
    "undated": (
        "päivämäärä puuttuu tai on virheellinen: korjaa loki",
        "the date is missing or wrong: fix the log",
    ),
    "overdue": ("myöhässä {n} pv", "overdue by {n} days"),
    "near": ("määräaika lähellä", "deadline near"),
    "until": ("{date} asti", "until {date}"),
    "indefinite": ("toistaiseksi", "until further notice"),
}


def request_texts(lang: str) -> Any:
    """The status list's texts, for any report that shows requests."""
    return _t(lang)


def _t(lang: str) -> Any:
    index = 1 if lang == "en" else 0
    return lambda key: TEXTS[key][index]


def _day(value: date | None, lang: str) -> str:
    if value is None:
        return ""
    return en_date(value) if lang == "en" else fi_date(value)


def file_name(today: date) -> str:
    return f"pyynnot-{today.isoformat()}.html"


def status_rows(rows: Sequence[StatusRow], lang: str) -> list[dict[str, Any]]:
    """Plain dicts for any report (also the monthly proposal): open first, then by deadline."""
    text = _t(lang)
    out = []
    for row in rows:
        state = row.state
        words: list[str] = []
        holds: list[str] = []
        if state is None:
            words.append(text("undated"))
        else:
            words.append(text(state.state))
            if state.overdue:
                words.append(text("overdue").format(n=state.overdue))
            elif state.near:
                words.append(text("near"))
            for hold in state.holds:
                until = (
                    text("until").format(date=_day(hold.until, lang))
                    if hold.until
                    else text("indefinite")
                )
                holds.append(f"{hold.text_en if lang == 'en' else hold.text_fi} ({until})")
        out.append(
            {
                "kind": text(f"kind_{row.kind}"),
                "log": f"{row.source}, {text('row')} {row.row}" if row.row else row.source,
                "received": _day(row.received, lang),
                "deadline": _day(state.deadline, lang) if state else "",
                "state": "; ".join(words),
                "holds": holds,
                "file": row.file or "",
                "open": state is None or state.state != "done",
                "overdue": state.overdue if state else 0,
                "sort": (
                    state is not None and state.state == "done",
                    state.deadline if state else date.min,
                ),
            }
        )
    return sorted(out, key=lambda r: r["sort"])


def write_status(
    out_dir: Path, business: str, rows: Sequence[StatusRow], today: date, lang: str
) -> Path:
    """Write the status list (owner-only); its path."""
    env = template_env()
    html = env.get_template("request_status.html.j2").render(
        t=_t(lang), rt=_t(lang), lang=lang, business=business, day=_day(today, lang),
        rows=status_rows(rows, lang),
    )  # fmt: skip
    path = out_dir / file_name(today)
    write_text_file(path, html)
    return path
