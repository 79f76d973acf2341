"""Array-level matching: bring your own affinity scores, get an exact assignment.

Run with ``python examples/array_level.py``.
"""

from __future__ import annotations

import numpy as np

from matchkit import AssignmentProblem, Status, solve_assignment, verify_assignment


def main() -> None:
    rng = np.random.default_rng(7)
    n_mentees, n_mentors, per_mentee = 400, 100, 12
    mentee = np.repeat(np.arange(n_mentees), per_mentee)
    # distinct candidate mentors per mentee: a random offset walk modulo n_mentors
    start = rng.integers(0, n_mentors, n_mentees)
    mentor = (start[:, None] + np.arange(per_mentee) * 7) % n_mentors
    score = rng.uniform(0.0, 1.0, mentee.size).round(3)

    problem = AssignmentProblem(
        n_mentees,
        n_mentors,
        mentee,
        mentor.ravel(),
        score,
        capacity=rng.integers(2, 6, n_mentors),  # each mentor takes 2-5 mentees
        unmatched_penalty=0.5,  # matching anyone at all is worth 0.5
    )
    answer = solve_assignment(problem)  # "auto" -> exact min-cost flow here
    mentor_of = answer.mentor_of()

    print(answer)
    print(f"matched {np.count_nonzero(mentor_of >= 0)} of {n_mentees} mentees")

    # sanity checks: optimal, independently verified, capacities respected
    assert answer.status is Status.OPTIMAL
    assert verify_assignment(problem, answer) == []
    assert (answer.loads() <= problem.capacity).all()
    assert answer.method == "flow"


if __name__ == "__main__":
    main()
