"""The key practice episode table built the guide's way (3.4.2, 3.4.3): the episode close to
the accounts, the accounts attributed, the review team's judgement in the body of the table
(never a participant's note), factors and evidence. Read back with python-docx and a
CommonMark renderer, as the team would read them."""

from __future__ import annotations

import io

import docx
import pytest
from docx.shared import Mm
from markdown_it import MarkdownIt

from facilitator.analysis.episodes import set_team_judgement
from facilitator.method import Method
from facilitator.reports.export import export
from facilitator.service import Service
from facilitator.store import Store
from tests.review_fixture import ReviewFixture, build_review_fixture

HEADERS = [
    "Episode",
    "What happened",
    "Accounts",
    "The team's judgement",
    "Contributory factors",
    "Evidence",
]
DISCREPANCY = "Her recollection of the conference differs from the social worker's"
PARTICIPANT_GOOD = "Weekly calls with the class teacher worked well"


@pytest.fixture
def fixture(service: Service, store: Store) -> ReviewFixture:
    built = build_review_fixture(service)
    set_team_judgement(
        store,
        built.review,
        built.episodes["E2"],
        good="Everyone invited came to the conference",
        problematic="No plan was made despite the health visitor's worry\n"
        "Nobody checked the GP had been invited",
        significance="Without a plan, later concerns were read one at a time",
        information="The school's attendance figures were not used",
    )
    return built


def _table(store: Store, method: Method, review: str, **options: object) -> docx.table.Table:
    data = export(store, method, review, "docx", what="episodes", **options)  # type: ignore[arg-type]
    document = docx.Document(io.BytesIO(data))
    assert len(document.tables) == 1
    return document.tables[0]


def _row(table: docx.table.Table, label: str) -> dict[str, str]:
    header = [c.text for c in table.rows[0].cells]
    for row in table.rows[1:]:
        cells = [c.text for c in row.cells]
        if cells[0].startswith(f"{label}:"):
            return dict(zip(header, cells, strict=True))
    raise AssertionError(f"no row for {label}")


@pytest.mark.parametrize("final", [False, True])
def test_the_teams_judgement_is_in_the_body_of_the_word_table(
    store: Store, method: Method, fixture: ReviewFixture, final: bool
):
    table = _table(store, method, fixture.review, final=final)
    assert [c.text for c in table.rows[0].cells] == HEADERS
    e2 = _row(table, "E2")
    judgement = e2["The team's judgement"].splitlines()
    # Each part judged keeps its own line, under one label each, printed with the page.
    assert judgement == [
        "Good practice: Everyone invited came to the conference",
        "Problematic practice: No plan was made despite the health visitor's worry",
        "Problematic practice: Nobody checked the GP had been invited",
        "Significance for the child: Without a plan, later concerns were read one at a time",
        "Information used or needed: The school's attendance figures were not used",
    ]
    # A difference between accounts is the team's observation, never problematic practice.
    assert DISCREPANCY not in e2["The team's judgement"]
    assert f"Review team's observation in C2: {DISCREPANCY}" in e2["Accounts"]


def test_a_participants_good_practice_note_is_their_account_not_the_teams_judgement(
    store: Store, method: Method, fixture: ReviewFixture
):
    e1 = _row(_table(store, method, fixture.review), "E1")
    assert e1["The team's judgement"] == "not yet judged"
    assert (
        f"C1, Social worker, Children's social care (Good practice): {PARTICIPANT_GOOD}"
        in e1["Accounts"].splitlines()
    )
    assert e1["Episode"] == "E1: Home visit after school referral\n12 January 2024"
    assert "C3, Class teacher, Northfield Primary School" in e1["Evidence"]


def test_the_word_table_fits_a_landscape_page_with_a_repeating_header(
    store: Store, method: Method, fixture: ReviewFixture
):
    data = export(store, method, fixture.review, "docx", what="episodes")
    document = docx.Document(io.BytesIO(data))
    table = document.tables[0]
    # The section the table ends is landscape A4; the text before it stays portrait.
    landscape = [s for s in document.sections if s.orientation == 1]
    assert len(landscape) == 1
    section = landscape[0]
    assert section.page_width > section.page_height
    room = section.page_width - section.left_margin - section.right_margin
    widths = [column.width for column in table.columns]
    assert all(widths), "every column has a width"
    assert sum(widths) <= room
    # Wide enough for the longest word of its header in bold 11 pt (about 2.4 mm a letter),
    # so no header is split mid-word as "Descriptio|n" was.
    for header, width in zip(HEADERS, widths, strict=True):
        longest = max(len(word) for word in header.split())
        assert width >= Mm(2.4 * longest + 4), header
    # The text columns get more room than the label and the evidence.
    assert widths[2] > widths[0] and widths[3] > widths[5]
    header_row = table.rows[0]._tr
    assert header_row.trPr is not None
    assert header_row.trPr.find(docx.oxml.ns.qn("w:tblHeader")) is not None


def test_markdown_keeps_each_part_of_the_judgement_on_its_own_line(
    store: Store, method: Method, fixture: ReviewFixture
):
    text = export(store, method, fixture.review, "md", what="episodes").decode()  # type: ignore[arg-type,union-attr]
    html = MarkdownIt("commonmark").enable("table").render(text)
    assert "<table>" in html
    assert (
        "Problematic practice: No plan was made despite the health visitor's worry<br>"
        "Problematic practice: Nobody checked the GP had been invited"
    ) in html.replace("&#x27;", "'")
    assert "Went well" not in text


def _cli(store: Store, *args: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    from facilitator.cli.main import main

    try:
        main(["--store", str(store.path), *args])
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out + err


def test_cli_judge_records_each_part_and_show_prints_them(
    store: Store, fixture: ReviewFixture, capsys: pytest.CaptureFixture[str]
):
    store.close()
    code, output = _cli(
        store,
        "episode",
        "judge",
        "E1",
        "--review",
        "R1",
        "--good",
        "Same-day visit",
        "--good",
        "Teacher told straight away",
        "--significance",
        "Set the tone for the months after",
        capsys=capsys,
    )
    assert code == 0, output
    code, shown = _cli(store, "episode", "show", "E1", "--review", "R1", capsys=capsys)
    assert "Good practice: Same-day visit" in shown
    assert "Good practice: Teacher told straight away" in shown
    assert "Significance for the child: Set the tone for the months after" in shown


def test_a_note_that_only_named_the_episode_is_not_an_account(
    store: Store, method: Method, fixture: ReviewFixture
):
    e3 = _row(_table(store, method, fixture.review), "E3")  # "#new Strategy discussion (...)"
    assert "Strategy discussion (2 April 2024)" not in e3["Accounts"]
    assert "Needed the team manager's sign-off before convening" in e3["Accounts"]


def test_every_word_cell_of_the_table_has_its_columns_width_and_the_heading_goes_with_it(
    store: Store, method: Method, fixture: ReviewFixture
):
    """Word lays a cell out by its own width: a header cell of another width would not line
    up with the grid. The section's heading and introduction start the landscape pages."""
    from docx.oxml.ns import qn

    for what in ("episodes", "all"):
        data = export(store, method, fixture.review, "docx", what=what)
        document = docx.Document(io.BytesIO(data))
        table = next(t for t in document.tables if t.rows[0].cells[0].text == "Episode")
        grid = [int(c.get(qn("w:w"))) for c in table._tbl.tblGrid.findall(qn("w:gridCol"))]
        for row in table._tbl.tr_lst:
            widths = [int(tc.tcPr.find(qn("w:tcW")).get(qn("w:w"))) for tc in row.tc_lst]
            assert widths == grid
        landscape = next(s for s in document.sections if s.orientation == 1)
        inside = [p.text for p in landscape.iter_inner_content() if hasattr(p, "text")]
        assert "Key practice episodes" in inside, what
