"""The plan, episode, matrix, coverage, pattern and recommend commands, run as a user would
(a real process against a real store file holding the fictional fixture review)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from facilitator.method import load_method
from facilitator.service import Service
from facilitator.store import Store
from tests.review_fixture import ReviewFixture, build_review_fixture


def run(store: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "facilitator", "--store", str(store), *args],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
    )
    if check:
        assert result.returncode == 0, result.stderr[-2000:]
    return result


def errors(result: subprocess.CompletedProcess[str]) -> list[str]:
    return [line for line in result.stderr.splitlines() if not line.startswith("import time:")]


@pytest.fixture
def built(tmp_path: Path) -> tuple[Path, ReviewFixture]:
    path = tmp_path / "review.db"
    with Store(path, author="Jordan") as store:
        fixture = build_review_fixture(Service(store, load_method()))
    return path, fixture


def test_plan_prints_the_agenda_in_priority_order_without_textual(
    built: tuple[Path, ReviewFixture],
) -> None:
    path, fx = built
    result = run(path, "plan", "P2")  # the health visitor
    out = result.stdout
    assert out.startswith("Plan for the next conversation with P2 Chloe Dunn")
    assert out.index("Ask the health visitor") < out.index("What others said about E2")
    loaded = {
        line.rsplit("|", 1)[1].strip().split(".")[0]
        for line in result.stderr.splitlines()
        if line.startswith("import time:") and "|" in line
    }
    assert "textual" not in loaded and "docx" not in loaded
    data = json.loads(run(path, "plan", fx.participants["gp"][:8], "--json").stdout)
    assert data["items"][0]["priority"] <= data["items"][-1]["priority"]
    assert any(i["kind"] == "missing_perspective" for i in data["items"])


def test_plan_save_prints_the_new_conversation_id_alone(
    built: tuple[Path, ReviewFixture],
) -> None:
    path, fx = built
    result = run(path, "plan", "P5", "--save", "--at", "1 June 2025 10:00", "--lead", "Alex")
    conversation_id = result.stdout.strip()
    assert len(conversation_id) == 32 and "\n" not in conversation_id
    assert "agenda item(s) on C5" in "\n".join(errors(result))
    with Store(path) as store:
        rows = [
            r for r in store.rows("agenda_items", fx.review) if r["conversation"] == conversation_id
        ]
        conversation = store.conversation(conversation_id)
    assert conversation.participant == fx.participants["gp"]
    assert conversation.planned_at.startswith("2025-06-01T10:00") and conversation.lead == "Alex"
    assert {r["kind"] for r in rows} >= {"missing_perspective", "discrepancy"}


def test_plan_errors_are_one_line(built: tuple[Path, ReviewFixture]) -> None:
    path, _fx = built
    for args in (
        ["plan", "P9"],
        ["plan", "P1", "--at", "tomorrow"],
        ["plan", "P1", "--save", "--at", "31 February"],
    ):
        result = run(path, *args, check=False)
        assert result.returncode == 1
        (line,) = errors(result)
        assert line.startswith("facilitator: ") and "Traceback" not in result.stderr


def test_saving_an_empty_plan_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "empty.db"
    run(path, "review", "new", "Empty review")
    run(path, "participant", "add", "R1", "--role", "GP", "--agency", "General practice")
    assert "Nothing outstanding" in run(path, "plan", "P1").stdout
    result = run(path, "plan", "P1", "--save", check=False)
    assert result.returncode == 1 and "no agenda to save" in errors(result)[0]
    assert "No conversations yet" in run(path, "conversation", "list").stdout


def test_episode_commands_merge_rename_judge_and_show(built: tuple[Path, ReviewFixture]) -> None:
    path, fx = built
    board = run(path, "episode", "list").stdout
    assert board.index("E5") < board.index("E1") < board.index("E6")
    assert "not yet heard: GP" in board
    run(path, "episode", "merge", "E1", "E5")
    run(path, "episode", "rename", "E1", "Joint home visit")
    run(path, "episode", "date", "E6", "May 2024")
    run(path, "episode", "judge", "E1", "--good", "Prompt visit", "--problematic", "No GP input")
    run(path, "episode", "involve", "E3", "P1")
    assert "not yet heard: Team manager" in run(path, "episode", "list").stdout
    run(path, "episode", "involve", "E3", "P4", "--not")
    assert "not yet heard: Team manager" not in run(path, "episode", "list").stdout
    shown = run(path, "episode", "show", "E1").stdout
    assert shown.startswith("E1 Joint home visit  (12 January 2024)")
    assert "Also named: E5 Joint visit with social worker" in shown
    assert "C2, Health visitor (Community health):" in shown
    assert "Problematic practice: No GP input" in shown
    assert "E5" not in run(path, "episode", "list").stdout.split("(with E5)")[1]
    bad = run(path, "episode", "date", "E6", "31 February 2024", check=False)
    assert bad.returncode == 1 and len(errors(bad)) == 1
    new = run(path, "episode", "split", "E2", "Conference minutes", fx.notes["sw_reflection"][:10])
    assert len(new.stdout.strip()) == 32


def test_matrix_coverage_contradict_patterns_and_recommendations(
    built: tuple[Path, ReviewFixture],
) -> None:
    path, fx = built
    overview = run(path, "overview").stdout
    assert "E2 Case conference: P5 GP, General practice (recorded by the team)" in overview
    assert "Discrepancies (2):" in overview and "Open follow-ups (2):" in overview
    matrix = run(path, "matrix").stdout
    assert (
        "interagency" in matrix
        and "Recurring in accounts: The family and their circumstances (2 episodes), "
        "Inter-agency and inter-professional working (2 episodes)"
        in matrix
    )
    # The guide's words in every sentence: a tag key appears only as a column heading.
    for line in matrix.splitlines():
        if line.startswith(("Recurring", "Which way")):
            assert not re.search(r"\b(interagency|personal|family \d)", line), line
    coverage = run(path, "coverage", "C1").stdout
    assert "stage 4 Local rationality" in coverage and "11 min" in coverage
    assert (
        "still open: What lay behind their thinking and feelings, What else was taking their "
        "attention, What they were weighing up, What they were trying to achieve, What options "
        "they thought they had"
    ) in coverage
    assert "/7" not in coverage  # no score (issue 14 item 8)
    run(path, "contradict", fx.notes["hv_flag"][:8], fx.notes["sw_agreed"][:8])
    pattern = run(
        path, "pattern", "add", "R1", "Decisions at conferences are not recorded",
        "--type", "assessment-longer-term", "--widespread", "4", "--relevance", "5",
        "--episode", "E2", "--factor", "interagency",
    ).stdout.strip()  # fmt: skip
    assert len(pattern) == 32
    listed = run(path, "pattern", "list").stdout
    assert "widespread 4, relevance 5" in listed and "episodes: E2; factors: Inter-agency" in listed
    rec = run(
        path, "recommend", "add", "R1", "Circulate minutes within two days",
        "--kind", "clear-cut", "--pattern", pattern[:8], "--episode", "E2",
    ).stdout.strip()  # fmt: skip
    assert len(rec) == 32
    recommended = run(path, "recommend", "list").stdout
    assert (
        "[Clear-cut and locally actionable] Circulate minutes" in recommended
        and "episodes: E2;" in recommended
    )
    bad = run(path, "pattern", "add", "R1", "X", "--type", "nonsense", check=False)
    assert bad.returncode == 1 and errors(bad)[0].startswith("facilitator: pattern type must be")


def test_matrix_json_gives_accounts_and_team_counts(built: tuple[Path, ReviewFixture]) -> None:
    import json

    path, fx = built
    run(path, "note", "add", "C1", ">> Covert pressure to close cases @culture #2")
    data = json.loads(run(path, "matrix", "--json").stdout)
    e2 = next(row for row in data["episodes"] if row["label"] == "E2")
    assert e2["factors"]["culture"] == {
        "accounts": 0,
        "team": 1,
        "helped": {"accounts": 0, "team": 0},
        "hindered": {"accounts": 0, "team": 0},
    }
    assert e2["factors"]["interagency"]["accounts"] == 1
    assert e2["factors"]["interagency"]["team"] == 0
    assert "family" not in e2["factors"]  # only cells with notes
    table = run(path, "matrix").stdout
    assert "accounts/the team" in table


def test_directions_patterns_of_several_types_reasons_and_who_acts(
    built: tuple[Path, ReviewFixture],
) -> None:
    """Guide 2.1, 2.6, 3.4.5, 3.4.6: a factor helped or hindered; a pattern may be of more
    than one type, supports good practice or makes problematic practice more likely, and
    keeps the reasons for its priority; a recommendation says who should act."""
    import json

    path, fx = built
    run(path, "note", "add", "C1", "#2 Two vacancies that spring @resources-")
    run(path, "note", "add", "C2", "#2 Weekly supervision kept her going @team+")
    cell = json.loads(run(path, "matrix", "--json").stdout)["episodes"]
    e2 = next(row for row in cell if row["label"] == "E2")
    assert e2["factors"]["resources"] == {
        "accounts": 1,
        "team": 0,
        "helped": {"accounts": 0, "team": 0},
        "hindered": {"accounts": 1, "team": 0},
    }
    assert e2["factors"]["team"]["helped"] == {"accounts": 1, "team": 0}
    assert "Resource allocation: 1 hindered" in run(path, "matrix").stdout
    pattern_id = run(
        path, "pattern", "add", "R1", "Disagreement at conferences is not recorded",
        "--type", "crisis-response", "--type", "judgement-reasoning", "--effect", "hinders",
        "--reasons", "Seen in every agency's account", "--factor", "resources",
    ).stdout.strip()  # fmt: skip
    run(
        path, "recommend", "add", "R1", "Minute every disagreement at a conference",
        "--kind", "clear-cut", "--pattern", pattern_id[:8], "--who", "Safeguarding partnership",
    )  # fmt: skip
    listed = run(path, "pattern", "list").stdout
    assert (
        "[Multi-agency working in response to incidents and crises, Human judgement and reasoning]"
    ) in listed
    assert "makes problematic practice more likely" in listed
    assert "reasons for its priority: Seen in every agency's account" in listed
    assert "factors: Resource allocation (2 accounts, 1 hindered)" in listed
    assert "who should act: Safeguarding partnership" in run(path, "recommend", "list").stdout
    report = run(path, "export", "R1", "--format", "md", "--what", "findings").stdout
    assert "**Types:** Multi-agency working in response to incidents and crises; " in report
    assert "**Effect:** It makes problematic practice more likely." in report
    assert "Seen in every agency's account." in report
    assert "who should act: Safeguarding partnership" in report
    table = run(path, "export", "R1", "--format", "md", "--what", "episodes").stdout
    assert "Resource allocation (1 account, 1 hindered)" in table
    bad = run(path, "pattern", "add", "R1", "X", "--type", "nonsense", check=False)
    assert bad.returncode != 0 and "pattern type must be one of" in bad.stderr
