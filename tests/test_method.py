"""The method guides load, and a broken guide names the file, the line and the fault."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from facilitator.method import FACTOR_KEYS, GuideError, default_guides_dir, load_method


def test_built_in_guides_hold_the_whole_method() -> None:
    method = load_method()
    assert [s.number for s in method.stages] == list(range(1, 10))
    assert [s.per_episode for s in method.stages] == [n in (3, 4, 5) for n in range(1, 10)]
    for stage in method.stages:
        assert stage.purpose and stage.how_to_ask and stage.prompts and stage.to_cover
        assert stage.minutes > 0
    assert [a.key for a in method.factor_areas] == list(FACTOR_KEYS)
    assert [lv.key for lv in method.levels] == ["frontline", "local", "national"]
    assert all(area.prompts for area in method.factor_areas)
    assert len(method.local_rationality) == 7
    assert len(method.patterns) == 6
    assert [r.key for r in method.recommendation_kinds] == ["clear-cut", "judgement", "research"]
    assert {k.key: k.prefix for k in method.note_kinds}["reflection"] == ">>"


@pytest.fixture
def guides_copy(tmp_path: Path) -> Path:
    target = tmp_path / "guides"
    shutil.copytree(default_guides_dir(), target)
    return target


def _break(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture assumption: {old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_edited_copy_is_used_via_argument_and_environment(
    guides_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stage = guides_copy / "stages" / "2-story.md"
    _break(stage, "## Prompts\n", "## Prompts\n- Our team's own opening question?\n")
    assert load_method(guides_copy).stage(2).prompts[0] == "Our team's own opening question?"
    monkeypatch.setenv("FACILITATOR_GUIDES", str(guides_copy))
    assert load_method().stage(2).prompts[0] == "Our team's own opening question?"


def test_unknown_stage_section_names_file_and_line(guides_copy: Path) -> None:
    path = guides_copy / "stages" / "3-episodes.md"
    _break(path, "## To cover", "## Things to cover")
    with pytest.raises(GuideError) as caught:
        load_method(guides_copy)
    error = caught.value
    assert error.path == path
    line = path.read_text().splitlines().index("## Things to cover") + 1
    assert error.line == line
    assert f"3-episodes.md:{line}" in str(error)
    assert "unknown section 'Things to cover'" in str(error)


def test_bad_front_matter_reports_the_line(guides_copy: Path) -> None:
    path = guides_copy / "stages" / "1-introduction.md"
    _break(path, "minutes = ", "minutes = = ")
    with pytest.raises(GuideError) as caught:
        load_method(guides_copy)
    assert caught.value.path == path
    assert caught.value.line is not None and caught.value.line > 1
    assert "front matter" in str(caught.value)


def test_missing_factor_area_is_reported(guides_copy: Path) -> None:
    path = guides_copy / "factors.md"
    _break(path, "## resources:", "## money:")
    with pytest.raises(GuideError, match="missing required section.*resources"):
        load_method(guides_copy)


def test_malformed_keyed_heading(guides_copy: Path) -> None:
    path = guides_copy / "patterns.md"
    _break(path, "## human-tool:", "## Human Tool:")
    with pytest.raises(GuideError, match="key 'Human Tool' must be lower-case") as caught:
        load_method(guides_copy)
    assert caught.value.line is not None


def test_missing_stage_file(guides_copy: Path) -> None:
    (guides_copy / "stages" / "7-ideas.md").unlink()
    with pytest.raises(GuideError, match=r"missing stage file\(s\) for stage \[7\]"):
        load_method(guides_copy)


def test_duplicate_note_prefix(guides_copy: Path) -> None:
    path = guides_copy / "note-kinds.md"
    _break(path, 'prefix = "~"', 'prefix = "+"')
    with pytest.raises(GuideError, match="share a prefix"):
        load_method(guides_copy)


def test_not_utf8(guides_copy: Path) -> None:
    path = guides_copy / "recommendations.md"
    path.write_bytes(b"\xff\xfe broken")
    with pytest.raises(GuideError, match="not UTF-8"):
        load_method(guides_copy)


def test_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(GuideError, match="guides folder not found"):
        load_method(tmp_path / "nowhere")


def test_cli_reports_a_broken_guide_in_one_line(guides_copy: Path, tmp_path: Path) -> None:
    import subprocess
    import sys

    _break(guides_copy / "stages" / "3-episodes.md", "## To cover", "## Things to cover")
    base = [sys.executable, "-m", "facilitator", "--store", str(tmp_path / "s.db")]
    for args in (
        ["review", "new", "R"],
        ["participant", "add", "R1", "--role", "GP", "--agency", "Health"],
        ["conversation", "new", "R1", "P1"],
    ):
        subprocess.run(base + args, check=True, capture_output=True)
    result = subprocess.run(
        base + ["--guides", str(guides_copy), "note", "add", "C1", "hello"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "3-episodes.md:" in result.stderr and "Things to cover" in result.stderr


def test_a_family_member_gets_prompts_worded_for_them(method) -> None:  # noqa: ANN001
    """Guide 2.3, 3.2.3: a parent is not asked about 'your workload' or 'supervision'."""
    from facilitator.tui.widgets.lead_stage import guide_markdown

    factors = method.stage(5)
    for_family = factors.prompts_for("family")
    assert for_family and for_family != factors.prompts
    said = " ".join(for_family).lower()
    for professional in ("workload", "supervision", "agencies", "organisation", "it systems"):
        assert professional not in said, professional
    assert factors.prompts_for("worker") == factors.prompts
    assert factors.prompts_for("manager") == factors.prompts
    shown = guide_markdown(method, factors, kind="family")
    assert "workload" not in shown.lower() and "supervision" not in shown.lower()
    assert "your workload" in guide_markdown(method, factors).lower()
    for number in (1, 2, 3, 6, 7):
        stage = method.stage(number)
        assert stage.prompts_for("family") != stage.prompts, number


def test_family_prompts_are_editable_and_optional(guides_copy: Path) -> None:
    stage = guides_copy / "stages" / "5-factors.md"
    _break(
        stage,
        "## Prompts for family members\n",
        "## Prompts for family members\n- Our own question for a parent?\n",
    )
    assert load_method(guides_copy).stage(5).prompts_for("family")[0] == (
        "Our own question for a parent?"
    )
    other = guides_copy.parent / "without-family-prompts"  # the method is cached per folder
    shutil.copytree(guides_copy, other)
    stage = other / "stages" / "5-factors.md"
    text = stage.read_text(encoding="utf-8")
    start = text.index("## Prompts for family members")
    end = text.index("## To cover")
    stage.write_text(text[:start] + text[end:], encoding="utf-8")
    loaded = load_method(other).stage(5)
    assert loaded.prompts_for("family") == loaded.prompts  # none written: the usual ones
