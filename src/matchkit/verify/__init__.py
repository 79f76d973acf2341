"""Independent checks of answers, written without any solver code.

:func:`verify_assignment` recomputes every rule of an :class:`AssignmentProblem` from the
problem's own arrays with plain counting, so a bug in a backend or in the network it builds
cannot hide behind the same bug here. :func:`verify` does the same for a
:class:`~matchkit.MatchResult`, from the cohort's records in plain Python, never from the
compiled arrays.

The verifier imports the records (:mod:`matchkit.domain`) and the array types
(:mod:`matchkit.core`), never a solver, the compiler or OR-Tools: it shares no code with what
it checks. ``checks`` holds both verifiers, ``rich`` the checks of the rules beyond flow
(sessions, floors, caps, balance), ``sheet`` the check of an edited matches sheet
(:func:`verify_pairs`: pairs of ids, as an officer edited them).
"""

from matchkit.verify.checks import Violation, verify, verify_assignment
from matchkit.verify.sheet import EDITED, unchecked_rules, verify_pairs

__all__ = ["EDITED", "Violation", "unchecked_rules", "verify", "verify_assignment", "verify_pairs"]
