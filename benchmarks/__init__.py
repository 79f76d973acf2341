"""matchkit benchmarks, run as ``python -m benchmarks <suite>``.

Suites:

``engine``
    The flow engine against a bare OR-Tools ``SimpleMinCostFlow`` on random sparse instances,
    plus CP-SAT on the smallest size. Writes ``benchmarks/results/engine.{json,md}``.
    ``--quick`` runs tiny sizes in a few seconds (the smoke test uses it).

``domain``
    ``solve(cohort)`` on synthetic Seoul, metro and national cohorts: compile, solve, join and
    peak memory against the issue's targets. Writes ``benchmarks/results/domain.{json,md}``.

``compare``
    matchkit against the alternatives (bare OR-Tools, networkx, scipy's
    ``linear_sum_assignment`` and HiGHS ``milp``, plain CP-SAT, greedy and random) on the same
    cohorts and arrays, plus a scaling sweep. Writes ``benchmarks/results/compare.{json,md}``
    and ``compare-*.png``.

``recruit``
    ``select_mentors`` (which candidates to hire) at Seoul size and on dense 1,000 x 1,000
    p-median instances, against a plain CP-SAT model, HiGHS ``milp``, lazy greedy by marginal
    value and ranking by review points. Writes ``benchmarks/results/recruit.{json,md}``.

``make bench`` runs every suite.
"""
