"""The compiler: records in, arrays out, and the answer joined back to ids and reasons.

A :class:`~matchkit.Cohort` and a :class:`~matchkit.Policy` become an
:class:`~matchkit.core.AssignmentProblem` (with the index↔id maps kept beside it), and the
:class:`~matchkit.core.Assignment` a backend returns becomes a :class:`~matchkit.MatchResult`.
The steps, one module each: ``arrays`` (records to columns: bit-set weeks, subject codes),
``prepare`` (policy checks against the cohort, pins), ``reach`` (who can reach whom
offline), ``rules`` (:class:`~matchkit.compiler.rules.PairRules`: eligibility and the score
of every pair, in blocks), ``groups`` (floors, caps and limits as mentee groups),
``problem`` (the eligible pairs as an ``AssignmentProblem``), ``reasons`` (why each unmatched
mentee is unmatched), ``join`` (the answer back to ids).

The compiler imports the records (:mod:`matchkit.domain`) and the arrays
(:mod:`matchkit.core`); it never solves.
"""
