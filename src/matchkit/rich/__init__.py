"""The rules min-cost flow cannot express: weekly sessions, floors, max-min fairness, group
caps, category limits, the balance penalty with minimum loads.

Solved around a flow relaxation (:mod:`matchkit.rich.pipeline` says how, step by step):
``data`` (the rules over compiled arrays, dropping pairs until an answer fits, the array-level
rule check), ``sessions`` (each mentor's week scheduled exactly), ``insert`` (left-out mentees
placed greedily), ``slots`` (flow over fixed time slots), ``bound`` (the Lagrangian bound
over per-mentor schedules), ``model`` (the time-indexed CP-SAT model), ``polish`` (guided
large-neighbourhood search), ``pipeline`` (the steps in order, under one time limit).

A strategy package: it imports the compiler, the engine (:mod:`matchkit.solvers`), the arrays
and the records, and OR-Tools CP-SAT (so it is imported only when a rich solve runs).
"""
