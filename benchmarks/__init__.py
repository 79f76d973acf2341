"""matchkit benchmarks, run as ``python -m benchmarks <suite>``.

Suites:

``engine``
    The flow engine against a bare OR-Tools ``SimpleMinCostFlow`` on random sparse instances,
    plus CP-SAT on the smallest size. Writes ``benchmarks/results/engine.{json,md}``.
    ``--quick`` runs tiny sizes in a few seconds (the smoke test uses it).
"""
