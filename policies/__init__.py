"""The domain: register policies, Finnish statutory rules, identity and the engine.

Pure functions of their inputs — no I/O beyond loading the policy and law
YAML files, no clock (``today`` is a parameter). Imports go one way: policies
may import connectors (the trace contract), never reports or flows.

Public API: :class:`policies.schema.RegisterPolicy`, :func:`policies.schema.load_policy`,
:func:`policies.examples.example_path`, :func:`policies.law.load_statutory_rules`,
:func:`policies.identity.resolve`, :func:`policies.engine.evaluate` (returns
:class:`policies.engine.Evaluation`: ``decisions``, ``findings``, ``subjects``).
"""
