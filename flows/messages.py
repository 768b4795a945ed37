"""What the command line says, in Finnish and English: one catalogue, the workspace's language.

``say(lang, key, **values)`` formats one message; ``plural(lang, n, key)``
gives the count with the right form of the word (Finnish: ``1 ongelma``,
``2 ongelmaa``). Values put into a message are never customer data: file
names, source ids, counts, column names.
"""

from __future__ import annotations

from typing import Any

#: key -> (Finnish, English); {placeholders} are filled by say()
MESSAGES: dict[str, tuple[str, str]] = {
    "check_unreadable": ("Lähde '{source}': {error}", "Source '{source}': {error}"),
    "check_holds": (
        "  lähde voi sisältää lakisääteisen pidon: rekisterissä '{register}' ei ehdoteta "
        "poistoja ennen kuin se luetaan",
        "  it can carry a legal hold: no deletion is proposed in register '{register}' "
        "until it reads",
    ),
    "check_columns": ("  sarakkeet tiedostossa: {columns}", "  columns found: {columns}"),
    "check_none": ("(ei yhtään)", "(none)"),
    "check_problem": ("Lähde '{source}': {problem}", "Source '{source}': {problem}"),
    "check_more": (
        "Lähde '{source}': ... ja {more} muuta ongelmaa",
        "Source '{source}': ... and {more} more problems",
    ),
    "check_ok": ("kunnossa", "OK"),
    "check_bad": ("{unreadable} ei luettavissa, {problems}", "{unreadable} unreadable, {problems}"),
    "check_summary": (
        "{business}: {sources}, {registers} – {status}",
        "{business}: {sources}, {registers} - {status}",
    ),
}

#: key -> ((Finnish one, Finnish many), (English one, English many))
WORDS: dict[str, tuple[tuple[str, str], tuple[str, str]]] = {
    "source": (("lähde", "lähdettä"), ("source", "sources")),
    "register": (("rekisteri", "rekisteriä"), ("register", "registers")),
    "row_problem": (("riviongelma", "riviongelmaa"), ("row problem", "row problems")),
    "problem": (("ongelma", "ongelmaa"), ("problem", "problems")),
    "trace": (("merkintä", "merkintää"), ("trace", "traces")),
    "person": (("henkilö", "henkilöä"), ("person", "people")),
}


def _index(lang: str) -> int:
    return 1 if lang == "en" else 0


def say(lang: str, key: str, **values: Any) -> str:
    """One message in ``lang`` (fi unless en)."""
    return MESSAGES[key][_index(lang)].format(**values)


def plural(lang: str, count: int, key: str) -> str:
    """``count`` and the word ``key`` in the right number: ``1 lähde``, ``3 lähdettä``."""
    one, many = WORDS[key][_index(lang)]
    return f"{count} {one if count == 1 else many}"
