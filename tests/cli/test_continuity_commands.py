"""``matchkit rematch`` and ``matchkit repair`` end to end on a small synthetic cohort."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from matchkit import Cohort, rematch, repair, solve, verify
from matchkit.cli import app
from matchkit.io import read_result, write_cohort, write_result
from matchkit.synth import generate_cohort


@pytest.fixture(scope="module")
def term(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Cohort]:
    root = tmp_path_factory.mktemp("term")
    cohort = generate_cohort(12, 40, seed=4)
    write_cohort(cohort, root / "cohort")
    write_result(solve(cohort), root / "last")
    return root / "cohort", root / "last", cohort


def test_rematch_writes_the_result_and_transition(
    term: tuple[Path, Path, Cohort], tmp_path: Path
) -> None:
    cohort_dir, last, cohort = term
    out = tmp_path / "now"
    done = CliRunner().invoke(
        app,
        [
            "rematch",
            str(cohort_dir),
            "--previous",
            str(last),
            "--out",
            str(out),
            "--keep",
            "require",
        ],
    )
    assert done.exit_code == 0, done.output
    assert "Matching result" in done.output
    assert "Transition:" in done.output
    result = read_result(out)
    expected = rematch(read_result(last), cohort, keep="require")
    assert result.transition == expected.transition
    assert result.matches == expected.matches
    lines = (out / "transition.csv").read_text("utf-8-sig").splitlines()
    assert lines[0] == "mentee_id,mentor_id,outcome,reason,detail"
    t = result.transition
    assert t is not None
    assert len(lines) - 1 == len(t.kept) + len(t.broken) + len(t.new)
    history = cohort.with_previous({m.mentee_id: m.mentor_id for m in read_result(last).matches})
    assert verify(history, result.policy, result) == []


def test_rematch_bad_keep_is_one_line(term: tuple[Path, Path, Cohort], tmp_path: Path) -> None:
    cohort_dir, last, _ = term
    done = CliRunner().invoke(
        app,
        [
            "rematch",
            str(cohort_dir),
            "--previous",
            str(last),
            "--out",
            str(tmp_path / "o"),
            "--keep",
            "always",
        ],
    )
    assert done.exit_code == 2
    assert done.stderr.strip() == "error: keep must be 'prefer' or 'require', got 'always'"


def test_repair_removes_a_mentor_and_adds_people(
    term: tuple[Path, Path, Cohort], tmp_path: Path
) -> None:
    cohort_dir, last, cohort = term
    before = read_result(last)
    gone = before.matches[0].mentor_id
    extra = generate_cohort(2, 3, seed=9)
    joined = Cohort(
        mentors=[m.model_copy(update={"id": f"m-new-{k}"}) for k, m in enumerate(extra.mentors)],
        mentees=[s.model_copy(update={"id": f"s-new-{k}"}) for k, s in enumerate(extra.mentees)],
    )
    write_cohort(joined, tmp_path / "joined.json")
    out = tmp_path / "fixed"
    args = ["repair", str(cohort_dir), str(last), "--remove-mentor", gone]
    done = CliRunner().invoke(
        app, [*args, "--add", str(tmp_path / "joined.json"), "--out", str(out)]
    )
    assert done.exit_code == 0, done.output
    result = read_result(out)
    expected = repair(
        before,
        cohort,
        removed_mentors=[gone],
        added_mentors=joined.mentors,
        added_mentees=joined.mentees,
    )
    assert result.matches == expected.matches
    assert result.transition == expected.transition
    assert (out / "transition.csv").is_file()
    kept = {(m.mentee_id, m.mentor_id) for m in before.matches if m.mentor_id != gone}
    assert kept <= {(m.mentee_id, m.mentor_id) for m in result.matches}
    assert all(m.mentor_id != gone for m in result.matches)


def test_repair_needs_a_change_and_known_ids(
    term: tuple[Path, Path, Cohort], tmp_path: Path
) -> None:
    cohort_dir, last, _ = term
    out = str(tmp_path / "o")
    done = CliRunner().invoke(app, ["repair", str(cohort_dir), str(last), "--out", out])
    assert done.exit_code == 2
    assert "nothing to repair" in done.stderr
    done = CliRunner().invoke(
        app, ["repair", str(cohort_dir), str(last), "--remove-mentor", "m-nobody", "--out", out]
    )
    assert done.exit_code == 2, done.output
    assert "m-nobody" in done.stderr
    assert "Traceback" not in done.output
