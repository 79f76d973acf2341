"""Three terms of a synthetic programme: continuity under prefer, require and none, a
mid-term repair, and the price of stability.

Notebook-style: each ``# %%`` cell runs on its own in Jupyter or VS Code; run the whole file
with ``python examples/continuity_terms.py``. The same seed gives the same output.
"""

# %%
from __future__ import annotations

from matchkit import Policy, blocking_pairs, rematch, repair, solve, verify
from matchkit.synth import generate, simulate_terms

SIZE = {"n_mentors": 300, "n_mentees": 1200}
SEED = 3


def main() -> None:
    # %% Three terms under each continuity mode: mentors graduate, new ones are hired,
    # mentees leave and join, some timetables change; each term is re-matched.
    runs = {
        keep: simulate_terms(3, keep=keep, seed=SEED, **SIZE)
        for keep in ("prefer", "require", "none")
    }
    print("term  keep     continuing  kept   kept%  changed  matched%  lost-mentor matched%")
    for keep, sim in runs.items():
        for t in sim.terms:
            print(
                f"{t.term:>4}  {keep:<7}  {t.continuing_pairs:>10}  {t.kept:>5}  "
                f"{t.kept_rate:>5.1%}  {t.changed:>7}  {t.match_rate:>8.1%}  "
                f"{t.lost_mentor_matched:>20.1%}"
            )
    # require breaks no pair that still fits; without continuity far fewer pairs are kept.
    assert all(t.changed == 0 for t in runs["require"].terms)
    for b, c in zip(runs["prefer"].terms, runs["none"].terms, strict=True):
        assert b.kept_rate > c.kept_rate

    # %% One term in detail: what happened to last term's pairs.
    program = generate(seed=SEED, **SIZE)
    policy = Policy()
    result = rematch(program.previous_pairs, program.cohort, policy, keep="prefer")
    history = program.cohort.with_previous(dict(program.previous_pairs))
    assert verify(history, policy, result) == []
    t = result.transition
    assert t is not None
    reasons: dict[str, int] = {}
    for b in t.broken:
        reasons[b.reason.value] = reasons.get(b.reason.value, 0) + 1
    print(f"kept {len(t.kept)}, new {len(t.new)}, broken by reason {dict(sorted(reasons.items()))}")

    # %% At most 5 working pairs may be broken, even with no points for continuity.
    loose = Policy(weights={"continuity": 0})
    bounded = rematch(program.previous_pairs, program.cohort, loose, max_changes=5)
    assert bounded.transition is not None
    assert bounded.transition.changes <= 5
    print(f"max_changes=5: {bounded.transition.changes} changed, status {bounded.status.value}")

    # %% Mid-term: two mentors quit and three are hired. Only the quitting mentors' mentees
    # (and those waiting for a mentor) move; every other pair stays as it is.
    quitting = sorted({m.mentor_id for m in result.matches})[:2]
    hired = [
        m.model_copy(update={"id": f"m-hired-{k}"})
        for k, m in enumerate(generate(3, 1, seed=99).cohort.mentors)
    ]
    fixed = repair(result, history, policy, removed_mentors=quitting, added_mentors=hired)
    assert (
        verify(history.changed(removed_mentors=quitting, added_mentors=hired), policy, fixed) == []
    )
    moved = fixed.transition
    assert moved is not None
    print(
        f"repair: {len(moved.kept)} pairs untouched, {len(moved.broken)} broken "
        f"(mentor quit), {len(moved.new)} new pairs"
    )

    # %% The price of stability: the mentee-optimal stable matching against the optimum.
    stable = solve(program.cohort, policy, method="stable")
    assert blocking_pairs(program.cohort, policy, stable) == []
    print(
        f"stable: {len(stable.matches)} matched, objective {stable.objective:,.1f}; "
        f"optimum: {stable.stats['optimal_matched']:.0f} matched, {stable.bound:,.1f}"
    )


if __name__ == "__main__":
    main()
