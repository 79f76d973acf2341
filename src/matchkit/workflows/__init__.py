"""The verbs: :func:`~matchkit.solve`, :func:`~matchkit.rematch`, :func:`~matchkit.repair`.

Each drives the one pipeline, Cohort + Policy → compiler → a method
(:mod:`matchkit.methods`) → the compiler's join → :class:`~matchkit.MatchResult`: ``solve``
once, ``rematch`` across terms (last term's pairs kept where they still fit), ``repair``
after a mid-term change (only the mentees it affects move).

This package may import everything below it (methods, rich, compiler, solvers, domain,
core); the edges (cli, whatif, synth) import it through the public API.
"""
