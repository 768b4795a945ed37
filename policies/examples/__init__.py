"""The five seed notices as example register policies (policies/examples/<name>.yaml).

Each file is a faithful Finnish rendering of one real privacy notice in
../shared/seeds (000 kohonen, 001 kallio, 002 leoprana, 003 kehobalanssi,
004 prover); where the notice is vague the chosen reading is marked
``interpretation: {confirmed: false}``. A user copies one and edits it.
The demo data generator relies on the kinds each one declares.
"""

from __future__ import annotations

from pathlib import Path

EXAMPLES_DIR = Path(__file__).resolve().parent

#: Example names, in seed order.
EXAMPLE_NAMES: tuple[str, ...] = ("kohonen", "kallio", "leoprana", "kehobalanssi", "prover")


def example_names() -> list[str]:
    """The names of the example policies, in seed order."""
    return list(EXAMPLE_NAMES)


def example_path(name: str) -> Path:
    """The YAML file of one example policy; KeyError for an unknown name."""
    if name not in EXAMPLE_NAMES:
        raise KeyError(f"no example policy '{name}'; known: {', '.join(EXAMPLE_NAMES)}")
    return EXAMPLES_DIR / f"{name}.yaml"
