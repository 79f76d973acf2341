"""One term of a synthetic programme: generate, match, check, read the figures, explain.

Run with ``python examples/synthetic_term.py``; the same seed gives the same output.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from matchkit import Policy, Status, solve, verify
from matchkit.io import read_result, write_result
from matchkit.synth import generate


def main() -> None:
    program = generate(n_mentors=200, n_mentees=800, seed=11)
    cohort = program.cohort
    print(
        f"{len(cohort.mentors)} mentors, {len(cohort.mentees)} mentees, "
        f"{len(program.departed_mentors)} of last term's mentors have left"
    )

    policy = Policy()  # the defaults: see docs/explanation/domain.md
    result = solve(cohort, policy)
    assert result.status is Status.OPTIMAL
    assert verify(cohort, policy, result) == []

    m = result.metrics()
    print(f"matched {m.n_matched} of {m.n_mentees} ({m.match_rate:.1%})")
    for level, rate in m.match_rate_by_priority.items():
        print(f"  priority {level}: {rate:.1%}")
    print(f"continuity kept: {m.continuity_kept:.1%}; utilisation {m.utilisation:.1%}")
    print(result.explain(result.matches[0].mentee_id))
    if result.unmatched:
        print(result.explain(result.unmatched[0].mentee_id))

    # The top priority group is never worse off than the lowest one.
    rates = m.match_rate_by_priority
    assert rates[max(rates)] >= rates[min(rates)]

    with tempfile.TemporaryDirectory() as tmp:
        write_result(result, Path(tmp) / "result.json")
        assert read_result(Path(tmp) / "result.json") == result


if __name__ == "__main__":
    main()
