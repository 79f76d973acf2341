"""The domain-level methods, registered as data beside the engine's backends.

:data:`~matchkit.methods.registry.METHODS` holds every way a compiled cohort is solved: the
linear problem by the engine, the balance penalty and disjoint floors by exact min-cost flow
(``balanced``, ``floors``), the rich rules by the CP-SAT pipeline (:mod:`matchkit.rich`), the
stable matching (``stable``). Each declares the policy rules it keeps;
:func:`~matchkit.methods.registry.choose` picks one by a single rule.

A strategy package: it imports :mod:`matchkit.rich` (lazily: CP-SAT), the compiler, the
engine, the arrays and the records.
"""
