"""Flows: the Prefect flows and the ``karsinta`` command that wire the stages.

Importing this package applies Karsinta's Prefect settings (telemetry off,
results not persisted) before any flow module imports Prefect.
"""

from flows import runtime

runtime.configure()
