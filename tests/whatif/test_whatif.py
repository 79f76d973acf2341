"""What-if scenarios and sweeps: pure application, identical results on every executor."""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from matchkit import Cohort, InputError, Mentor, Policy, verify
from matchkit.synth import generate_cohort
from matchkit.whatif import Scenario, ScenarioReport, Selection, Where, run_scenarios, sweep

BASE = generate_cohort(40, 160, seed=3)
SCENARIOS = [
    Scenario(name="as is"),
    Scenario(name="hire 10", hire_mentors=10, seed=1),
    Scenario(name="40% graduate", remove_mentors=Selection(share=0.4), seed=2),
    Scenario(
        name="short-term leave",
        remove_mentors=Selection(where=(Where(field="terms_committed", op="<=", value=1),)),
    ),
    Scenario(name="more demand", demand_factor=1.25, weights={"continuity": 30}),
    Scenario(name="fewer places", capacity_factor=0.5, policy={"max_travel_km": 5.0}),
]


def _same(a: ScenarioReport, b: ScenarioReport) -> None:
    """Every figure but wall times, and every answer's matches and objective, equal."""
    strip = [{k: v for k, v in r.items() if k != "time_s"} for r in a.rows]
    assert strip == [{k: v for k, v in r.items() if k != "time_s"} for r in b.rows]
    for (name, ra), (_, rb) in zip(a.results(), b.results(), strict=True):
        assert ra.matches == rb.matches, name
        assert ra.unmatched == rb.unmatched, name
        assert ra.objective == rb.objective, name


# --- applying a scenario -------------------------------------------------------------------


@given(
    st.integers(0, 3),
    st.floats(0, 1),
    st.sampled_from([0.5, 1.0, 1.5]),
    st.sampled_from([0.5, 1.0, 2.0]),
    st.integers(0, 100),
)
def test_applying_a_scenario_is_pure_and_repeatable(
    hires: int, share: float, capacity: float, demand: float, seed: int
) -> None:
    before = BASE.model_dump()
    policy = Policy()
    s = Scenario(
        name="s",
        hire_mentors=hires,
        remove_mentees=Selection(share=share),
        capacity_factor=capacity,
        demand_factor=demand,
        seed=seed,
        weights={"priority": 40},
    )
    one, p1 = s.apply(BASE, policy)
    two, p2 = s.apply(BASE, policy)
    assert one == two
    assert p1 == p2
    assert BASE.model_dump() == before
    assert policy == Policy()
    assert p1.weights.priority == 40
    assert len(one.mentors) == len(BASE.mentors) + hires
    kept = len(BASE.mentees) - round(share * len(BASE.mentees))
    assert (
        len(one.mentees) == round(demand * kept)
        if demand < 1
        else kept + round((demand - 1) * kept)
    )


def test_each_change_does_what_it_says() -> None:
    first = BASE.mentors[0]
    s = Scenario(
        name="all",
        remove_mentors=Selection(ids=(first.id,)),
        remove_mentees=Selection(where=(Where(field="priority", op=">=", value=3),)),
        capacities={BASE.mentors[1].id: 9},
        add_mentors=(first.model_copy(update={"id": "m-new"}),),
        policy={"min_proficiency": 4},
    )
    cohort, policy = s.apply(BASE)
    ids = {m.id for m in cohort.mentors}
    assert first.id not in ids
    assert "m-new" in ids
    assert all(x.priority < 3 for x in cohort.mentees)
    assert next(m for m in cohort.mentors if m.id == BASE.mentors[1].id).capacity == 9
    assert policy.min_proficiency == 4
    halved, _ = Scenario(name="h", capacity_factor=0.5).apply(BASE)
    assert [m.capacity for m in halved.mentors] == [
        int(m.capacity * 0.5 + 0.5) for m in BASE.mentors
    ]
    by_attr = Cohort(
        mentors=[
            m.model_copy(update={"attributes": {"graduating": k % 2 == 0}})
            for k, m in enumerate(BASE.mentors)
        ],
        mentees=BASE.mentees,
    )
    left, _ = Scenario(
        name="g", remove_mentors=Selection(where=(Where(field="graduating", value=True),))
    ).apply(by_attr)
    assert len(left.mentors) == len(BASE.mentors) // 2


def test_bad_scenarios_are_explained_by_name() -> None:
    with pytest.raises(InputError, match=r"(?s)scenario 'typo'.*'m-nobody'"):
        Scenario(name="typo", remove_mentors=Selection(ids=("m-nobody",))).apply(BASE)
    with pytest.raises(InputError, match=r"'height' is not a field"):
        Scenario(name="f", remove_mentees=Selection(where=(Where(field="height", value=1),))).apply(
            BASE
        )
    with pytest.raises(InputError, match=r"scenario 'w'"):
        Scenario(name="w", weights={"subject_fit": -1}).apply(BASE)
    with pytest.raises(ValueError, match="unique"):
        run_scenarios(BASE, [Scenario(name="a"), Scenario(name="a")])
    with pytest.raises(ValueError, match="grid key 'hire'"):
        sweep(BASE, grid={"hire": [1]})
    assert Scenario.model_validate_json(SCENARIOS[3].model_dump_json()) == SCENARIOS[3]


# --- running them --------------------------------------------------------------------------


def test_reports_rows_results_compare_and_plot() -> None:
    report = run_scenarios(BASE, SCENARIOS, progress=False)
    assert report.names() == [s.name for s in SCENARIOS]
    frame = report.to_frame()
    assert list(frame.index) == report.names()
    assert {
        "match_rate",
        "top_priority_match_rate",
        "worst_district_match_rate",
        "continuity_kept",
        "utilisation",
        "objective",
        "status",
        "time_s",
    } <= set(frame.columns)
    for s in SCENARIOS:
        cohort, policy = s.apply(BASE)
        assert verify(cohort, policy, report.result(s.name)) == []
    changes = report.compare("as is", "hire 10")
    assert changes
    before, after = report.result("as is"), report.result("hire 10")
    for c in changes:
        assert c.before == before.mentor_of(c.mentee_id)
        assert c.after == after.mentor_of(c.mentee_id)
    fig = report.plot("match_rate")
    assert len(fig.axes[0].patches) == len(SCENARIOS)
    with pytest.raises(KeyError):
        report.result("nope")
    with pytest.raises(ValueError, match="metric"):
        report.plot("happiness")


def test_identical_results_on_every_executor_and_the_cohort_travels_once() -> None:
    serial = run_scenarios(BASE, SCENARIOS, progress=False)
    with ThreadPoolExecutor(2) as pool:
        _same(serial, run_scenarios(BASE, SCENARIOS, executor=pool, progress=False))
    with ProcessPoolExecutor(2) as pool:
        parallel = run_scenarios(BASE, SCENARIOS, executor=pool, progress=False)
    _same(serial, parallel)
    _one_copy_per_worker(parallel, workers=2)


def test_identical_results_on_a_dask_local_cluster() -> None:
    distributed = pytest.importorskip("distributed")
    serial = run_scenarios(BASE, SCENARIOS, progress=False)
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        on_dask = run_scenarios(BASE, SCENARIOS, executor=client.get_executor(), progress=False)
    _same(serial, on_dask)
    _one_copy_per_worker(on_dask, workers=2)


def _one_copy_per_worker(report: ScenarioReport, workers: int) -> None:
    copies: dict[int, set[int]] = {}
    for facts in report.workers:
        copies.setdefault(facts["pid"], set()).add(facts["base_id"])
    assert len(copies) <= workers
    assert all(len(ids) == 1 for ids in copies.values()), copies


def test_a_sweep_follows_theory_more_mentors_never_lower_the_optimum() -> None:
    report = sweep(
        BASE, grid={"hire_mentors": [0, 5, 10, 20], "weights.continuity": [0, 15]}, progress=False
    )
    assert report.params == ("hire_mentors", "weights.continuity")
    for weight in (0, 15):
        rows = [r for r in report.rows if r["weights.continuity"] == weight]
        objectives = [r["objective"] for r in sorted(rows, key=lambda r: r["hire_mentors"])]
        assert objectives == sorted(objectives), objectives
    fig = report.plot("objective", x="hire_mentors", hue="weights.continuity")
    assert len(fig.axes[0].lines) == 2
    with pytest.raises(ValueError, match="not a parameter"):
        report.plot("objective", x="seed")


def test_hired_mentors_are_the_synthetic_draws_of_the_seed() -> None:
    a, _ = Scenario(name="a", hire_mentors=3, seed=5).apply(BASE)
    b, _ = Scenario(name="b", hire_mentors=3, seed=6).apply(BASE)
    new_a: list[Any] = [m for m in a.mentors if m.id.startswith("m-hire-")]
    new_b: list[Mentor] = [m for m in b.mentors if m.id.startswith("m-hire-")]
    assert [m.id for m in new_a] == ["m-hire-00001", "m-hire-00002", "m-hire-00003"]
    assert [m.subjects for m in new_a] != [m.subjects for m in new_b]


def test_hiring_more_only_adds_mentors() -> None:
    few, _ = Scenario(name="few", hire_mentors=3).apply(BASE)
    many, _ = Scenario(name="many", hire_mentors=150).apply(BASE)
    hired = {m.id: m for m in many.mentors if m.id.startswith("m-hire-")}
    assert len(hired) == 150
    assert all(hired[m.id] == m for m in few.mentors if m.id.startswith("m-hire-"))


def test_the_progress_bar_stays_quiet_off_a_terminal(capsys: pytest.CaptureFixture[str]) -> None:
    run_scenarios(BASE, SCENARIOS[:2])  # progress=True by default; stderr is not a terminal
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == ""


def test_the_progress_bar_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    from matchkit.whatif import run as run_module

    monkeypatch.setattr(sys.stderr, "isatty", lambda: True, raising=False)
    bar = run_module._progress(3, True)
    assert bar is not None
    run_module._advance(bar)
    assert bar[0].tasks[0].completed == 1
    bar[0].stop()
    assert run_module._progress(3, False) is None


def test_a_bad_scenario_on_a_process_pool_is_named_in_the_error() -> None:
    bad = Scenario(name="typo", remove_mentees=Selection(ids=("s-nobody",)))
    with ProcessPoolExecutor(2) as pool, pytest.raises(InputError, match=r"scenario 'typo'"):
        run_scenarios(BASE, [SCENARIOS[0], bad], executor=pool, progress=False)
