"""The catalog: every collection declared once, as data (:mod:`auditor.catalog.registry`).

:mod:`~auditor.catalog.spec` holds the declaration types, :mod:`~auditor.catalog.sources`
where fields come from in the API, :mod:`~auditor.catalog.policies` how they are
compared; one module per service family declares its collections
(:mod:`~auditor.catalog.identity`, :mod:`~auditor.catalog.compute`...). The
catalog imports nothing of the collector, the matcher or the diff: they are
derived from it.
"""
