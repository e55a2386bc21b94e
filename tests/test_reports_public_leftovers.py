"""The public (--final) report, issue 13's leftovers: private lines in participants' role
and agency, chronology entries an older import merged into one line, and contact details
(phone numbers, e-mail and postal addresses). Every final export is read back by its
real reader (a CommonMark renderer, python-docx's package and every XML part, the
REFI-QDA package as a zip, validated against the schema)."""

from __future__ import annotations

import tempfile
from pathlib import Path

import docx
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from facilitator.analysis.patterns import add_pattern, add_recommendation
from facilitator.method import Method
from facilitator.reports import contacts
from facilitator.reports.export import export
from facilitator.reports.redaction import Register
from facilitator.service import Service
from facilitator.store import Store
from tests.test_reports_leak_property import SECTIONS, as_read, as_seen, build, read_back
from tests.test_reports_leaks_hostile import _assert_absent, _exports, _review, _talk

# --- 1. private lines in a participant's role and agency ----------------------------------


def test_private_lines_in_role_and_agency_never_reach_a_final_export(
    store: Store, method: Method, service: Service
) -> None:
    review = store.create_review("Role review (fictional)", ["What happened?"])
    sam = store.add_participant(
        review, role="Social worker >> PRIVROLE seemed defensive",
        agency="Children's services\n? PRIVAGENCY check which team", name="Sam Okafor",
    )  # fmt: skip
    store.add_participant(
        review, role="Nurse>>PRIVTIGHT", agency="Health>>PRIVAGTIGHT", name="Pat Lee"
    )
    talk = _talk(store, review, sam)
    service.record_note(talk, "#new Home visit (3 March 2024)")
    service.record_note(talk, "Sam Okafor saw Pat Lee at home #1")
    texts = _exports(store, method, review)
    _assert_absent(texts, "priv", ">>", "okafor", "pat lee")
    for fmt, text in texts.items():
        assert "social worker" in text, fmt
        assert "children's services" in text, fmt


def test_a_role_with_nothing_public_stops_the_final_report(
    store: Store, method: Method, service: Service
) -> None:
    """Names are replaced by the role: a role that is all private would replace them by
    nothing, so the team is asked to give one first."""
    from facilitator.reports.redaction import IdentifyingDetails

    review = store.create_review("Role review (fictional)", ["What happened?"])
    sam = store.add_participant(
        review, role="? PRIVROLE ask which team", agency="Council", name="Sam Okafor"
    )
    talk = _talk(store, review, sam)
    service.record_note(talk, "#new Home visit (3 March 2024)")
    with pytest.raises(IdentifyingDetails, match="role"):
        export(store, method, review, "md", final=True)


def test_the_frozen_draft_holds_no_private_role_line(
    store: Store, method: Method, service: Service
) -> None:
    """A draft goes to every participant, read as the public report reads the analysis."""
    from facilitator.dialogue.records import freeze_draft
    from facilitator.reports.json_export import dumps

    review = store.create_review("Role review (fictional)", ["What happened?"])
    sam = store.add_participant(
        review, role="Social worker >> PRIVROLE", agency="Council\n? PRIVAGENCY", name="Sam Ok"
    )
    talk = _talk(store, review, sam)
    service.record_note(talk, "#new Home visit (3 March 2024)")
    service.record_note(talk, "Seen at home #1")
    freeze_draft(store, method, review, "preliminary")
    import json

    frozen = json.loads(dumps(store, review))["dialogue"]["drafts"][0]["content"]
    assert "PRIV" not in json.dumps(frozen)
    assert "Social worker" in json.dumps(frozen)


def test_the_json_dump_is_never_a_final_export(
    store: Store, method: Method, service: Service, tmp_path: Path
) -> None:
    """The JSON dump is the team's whole record (names, reflections): there is no public
    JSON, and asking for one is refused before anything is written."""
    from facilitator.cli.main import cli

    review = store.create_review("Role review (fictional)", ["What happened?"])
    store.add_participant(review, role="Social worker >> PRIVROLE", agency="A", name="Sam Ok")
    path = store.path
    store.close()
    out = tmp_path / "public.json"
    result = CliRunner().invoke(
        cli, ["--store", str(path), "export", review, "--format", "json", "--final", "-o", str(out)]
    )
    assert result.exit_code != 0
    assert "--final" in result.output
    assert not out.exists()


# --- 2. chronology entries an older import merged into one line ---------------------------


def test_an_old_merged_private_line_in_a_chronology_entry_stays_out(
    store: Store, method: Method, service: Service
) -> None:
    """Before the fifth session the importer joined an entry's lines with spaces, so a
    '?' line became '... ? ask ...' mid-line. Nothing after a private marker that stood
    where a line began reaches the public report."""
    review, (sam,) = _review(store, "Sam Okafor")
    talk = _talk(store, review, sam)
    service.record_note(talk, "#new Home visit (3 March 2024)")
    service.record_note(talk, "Seen at home #1")
    document = store.add_document(review, "School record", "record text", agency="School")
    episode = store.episodes(review)[0].id
    old_style = [
        "Home visit made by the school nurse ? PRIVOLD1 was she drunk",
        "Letter sent to the family #1 ? PRIVOLD2 was it ever sent",
        "Case closed \uff1f PRIVOLD3 by whom",
        "Referral received >> PRIVOLD4 late again",
        "Did the mother attend? She did, with the child",
    ]
    for number, text in enumerate(old_style):
        store.emit(
            review, "chronology", f"old{number:029d}", "set",
            {"document": document, "date": f"2024-03-1{number}", "text": text,
             "status": "accepted", "episode": episode},
        )  # fmt: skip
    texts = _exports(store, method, review)
    _assert_absent(texts, "privold", ">>")
    for fmt in ("md", "docx"):
        assert "home visit made by the school nurse" in texts[fmt], fmt
        assert "letter sent to the family" in texts[fmt], fmt
        # A question mark written against a word is the record's own question.
        assert "did the mother attend? she did, with the child" in texts[fmt], fmt


# --- 3. phone numbers, e-mail and postal addresses ----------------------------------------

FOUND = [
    ("Rang her on 07700 900123 twice", "07700 900123", "phone"),
    ("Mobile +44 7700 900123.", "+44 7700 900123", "phone"),
    ("Office 020 7946 0018, ask for duty", "020 7946 0018", "phone"),
    ("Call (01632) 960 001 after 4", "(01632) 960 001", "phone"),
    ("Call +44 (0)20 7946 0018 now", "+44 (0)20 7946 0018", "phone"),
    ("Texted 07700900123", "07700900123", "phone"),
    ("Her mobile (07700 900123) was off", "07700 900123", "phone"),
    ("Ring 0161 496 0000.", "0161 496 0000", "phone"),
    ("Duty line 020 0000 0000: no answer", "020 0000 0000", "phone"),
    ("Word's space: 07700\u00a0900123 rang", "07700\u00a0900123", "phone"),
    ("Full width \uff10\uff17\uff17\uff10\uff10 \uff19\uff10\uff10\uff11\uff12\uff13.",
     "\uff10\uff17\uff17\uff10\uff10 \uff19\uff10\uff10\uff11\uff12\uff13", "phone"),
    ("Hidden 07700\u200b900\u200b123 too", "07700\u200b900\u200b123", "phone"),
    ("Wrote to j.kirby\uff20example.com", "j.kirby\uff20example.com", "email"),
    ("At 12\u2009Acacia\u00a0Avenue now", "12\u2009Acacia\u00a0Avenue", "address"),
    ("Now M1\u00a01AE", "M1\u00a01AE", "postcode"),
    ("Mother's e-mail: j.kirby@example.com.", "j.kirby@example.com", "email"),
    ("Wrote to duty-team+kids@council.example.gov.uk", "duty-team+kids@council.example.gov.uk",
     "email"),
    ("Lives at SW1A 1AA now", "SW1A 1AA", "postcode"),
    ("Moved to M1 1AE", "M1 1AE", "postcode"),
    ("Moved to 12 Acacia Avenue last week", "12 Acacia Avenue", "address"),
    ("The flat at 3a Old Mill Lane, Leeds", "3a Old Mill Lane", "address"),
    ("Stayed at 12 Fake St with her aunt", "12 Fake St", "address"),
]  # fmt: skip

KEPT = [
    "3 visits in 2024 at 10:30 and 14.45",
    "Seen on 07/05/2024 and 07.05.2024 and 2024-05-07",
    "Case number CP-2024-00123, ref 2024/0153, case 123456",
    "Seen 3 times; 12 Key practice episodes; Year 7 class",
    "Strategy meeting on 12 March 2024 at 09:30, 2 Social workers came",
    "Child protection plan from 3 May to 7 June",
    "E2 and E3 were linked; Pattern 1 is ranked 2",
    "NHS 111 was rung; 999 called at 23:10",
    "3 St Mary's nurses came",
    "Scored 4 out of 5 on 12 occasions",
]


@pytest.mark.parametrize(("text", "found", "kind"), FOUND)
def test_contact_details_are_found(text: str, found: str, kind: str) -> None:
    spans = contacts.find(text)
    assert [(text[a:b], k) for a, b, k in spans] == [(found, kind)]


@pytest.mark.parametrize("text", KEPT)
def test_dates_times_counts_and_case_numbers_are_not_contact_details(text: str) -> None:
    assert contacts.find(text) == []


def test_the_register_redacts_contact_details_with_a_clear_placeholder() -> None:
    register = Register([])
    assert register.apply("Rang 07700 900123 or j.kirby@example.com") == (
        "Rang [phone number] or [e-mail address]"
    )
    assert register.apply("Lives at 12 Acacia Avenue, Leeds LS1 4AP") == (
        "Lives at [address], Leeds [postcode]"
    )


def test_contact_details_never_reach_a_final_export(
    store: Store, method: Method, service: Service, tmp_path: Path
) -> None:
    from facilitator.importers import import_file

    review, (sam,) = _review(store, "Sam Okafor")
    talk = _talk(store, review, sam)
    service.record_note(talk, "#new Home visit (3 March 2024)")
    service.record_note(talk, "Mother rang from 07700 900123 about the visit #1")
    service.record_note(talk, "She wrote from j.kirby@example.com #1")
    record = tmp_path / "record.txt"
    record.write_text(
        "12/03/2024 Home visit at 12 Acacia Avenue, SW1A 1AA, phone 020 7946 0018\n",
        encoding="utf-8",
    )
    result = import_file(store, review, record, agency="School")
    episode = store.episodes(review)[0].id
    for entry in result.entries:
        store.update(review, "chronology", entry, status="accepted", episode=episode)
    store.update(
        review, "episode", episode,
        description="Family moved to 3a Old Mill Lane, M1 1AE",
        team_good="The duty line (01632) 960 001 answered",
    )  # fmt: skip
    pattern = add_pattern(
        store, review, method, type="human-tool", title="Calls to +44 7700 900123",
        description="Numbers like 07700 900123 were shared", episodes=[episode],
    )  # fmt: skip
    add_recommendation(
        store, review, method, kind="clear-cut", pattern=pattern,
        text="Stop e-mailing duty@council.example.gov.uk", owner="The board",
    )  # fmt: skip
    texts = _exports(store, method, review)
    _assert_absent(
        texts,
        "07700",
        "900123",
        "7946",
        "960 001",
        "@example",
        "acacia",
        "old mill",
        "sw1a",
        "m1 1ae",
    )
    md = texts["md"]
    for placeholder in ("[phone number]", "[e-mail address]", "[address]", "[postcode]"):
        assert placeholder in md, placeholder
    assert "mother rang from [phone number] about the visit" in md


def test_the_finished_file_is_scanned_for_contact_details() -> None:
    """What the redaction could not reach is found in the finished file's text, with where
    it is; names and contact details are scanned apart."""
    leaks = contacts.scan([("line 3", "Ring 07700 900123"), ("line 4", "3 visits at 10:30")])
    assert [(leak.where, leak.identifier) for leak in leaks] == [("line 3", "phone number")]
    assert "07700 900123" in leaks[0].context
    assert contacts.scan([("x", "Ring [phone number]")], ["Ring"]) == []


def test_a_participants_pack_flags_contact_details(
    store: Store, method: Method, service: Service, tmp_path: Path
) -> None:
    """A pack goes to a participant: contact details in the draft are redacted when it
    is frozen, and any a pack still holds (a draft frozen before this) are listed when it
    is exported, with where each is, so the team can check before sending it."""
    from facilitator.cli.main import cli

    review, draft, earlier = _old_style_draft(store, method, service)
    path = store.path
    label = store.participants(review)[0].label
    store.close()
    runner = CliRunner()
    new = runner.invoke(
        cli, ["--store", str(path), "draft", review, "export", draft[:12], "--for", label,
              "--format", "md", "-o", str(tmp_path / "new.md")],
    )  # fmt: skip
    assert new.exit_code == 0, new.output
    assert "07700" not in (tmp_path / "new.md").read_text(encoding="utf-8")
    assert "phone number" not in new.stderr
    flagged = runner.invoke(
        cli, ["--store", str(path), "draft", review, "export", earlier[:12], "--for", label,
              "--format", "docx", "-o", str(tmp_path / "old.docx")],
    )  # fmt: skip
    assert flagged.exit_code == 0, flagged.output
    assert "phone number" in flagged.stderr
    assert "C1 record" in flagged.stderr
    assert "07700 900123" not in flagged.stderr  # said where, not repeated
    text = "\n".join(p.text for p in docx.Document(str(tmp_path / "old.docx")).paragraphs)
    assert "07700 900123" in text  # flagged, not changed: the draft is what was frozen


def test_finding_contact_details_is_linear() -> None:
    """The same text ten times over finds ten times the details (no quadratic step: a
    long run of digits, separators or word characters is read once)."""
    line = "Rang 07700 900123, wrote to j.k@example.com, at 12 Acacia Avenue SW1A 1AA; 3 visits. "
    assert len(contacts.find(line * 10)) == 10 * len(contacts.find(line)) == 40
    hostile = "0" + "1 " * 50_000 + "a" * 100_000 + "@" + "12 " * 30_000 + "Aa " * 30_000
    contacts.find(hostile)  # returns (a quadratic search would not, in any useful time)


def _old_style_draft(store: Store, method: Method, service: Service) -> tuple[str, str, str]:
    """A review whose first draft was frozen by this version (the phone number redacted)
    and whose second holds it as an earlier version froze it: (review, new, old) ids."""
    from facilitator.dialogue.records import freeze_draft

    review, (sam,) = _review(store, "Sam Okafor")
    talk = _talk(store, review, sam)
    service.record_note(talk, "#new Home visit (3 March 2024)")
    service.record_note(talk, "Rang her on 07700 900123 about the visit #1")
    draft = freeze_draft(store, method, review, "preliminary")
    old = store.ops("WHERE entity = 'draft' AND entity_id = ?", (draft,))[0]
    content = dict(old.fields["content"])
    content["number"] = 2
    content["records"] = [
        {**r, "notes": [{**n, "text": n["text"].replace("[phone number]", "07700 900123")}
                        for n in r["notes"]]}
        for r in content["records"]
    ]  # fmt: skip
    earlier = "e" * 32
    store.emit(review, "draft", earlier, "add", {**old.fields, "content": content})
    return review, draft, earlier


async def test_the_app_flags_contact_details_in_a_pack_it_writes(
    store: Store, method: Method, service: Service, tmp_path: Path
) -> None:
    from facilitator.tui.app import FacilitatorApp
    from facilitator.tui.screens.dialogue import DialogueScreen
    from tests.tui_support import FakeClock

    review, _, _ = _old_style_draft(store, method, service)
    app = FacilitatorApp(service, review=review, clock=FakeClock())
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await pilot.pause()
        app.push_screen(DialogueScreen(review))
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        for row, name in ((0, "new.docx"), (1, "old.docx")):
            app.screen.query_one("#drafts").move_cursor(row=row)
            await pilot.press("e")
            await pilot.pause()
            app.screen.query_one("#field-path").value = str(tmp_path / name)
            await pilot.press(*"P1", "enter", "enter")
            await pilot.pause()
            await app.workers.wait_for_complete()
            await pilot.pause()
            said = [str(n.message) for n in app._notifications]
            assert any(name in m for m in said), said
            flagged = [m for m in said if "contact details" in m]
            assert bool(flagged) == (name == "old.docx"), said
    assert "a phone number in C1 record" in flagged[0]
    assert "07700" not in flagged[0]


# --- 4. generated contact details, in every section a final report draws on ---------------

_DIGIT = st.sampled_from("0123456789")
_LETTERS = st.text("abcdefghjkmnprstuwxyz", min_size=1, max_size=8)


def _grouped(digits: str, sizes: tuple[int, ...], sep: str) -> str:
    out, at = [], 0
    for size in sizes:
        out.append(digits[at : at + size])
        at += size
    return sep.join(out)


@st.composite
def contact_detail(draw: st.DrawFn) -> str:
    kind = draw(st.sampled_from(("mobile", "london", "bracketed", "email", "postcode", "street")))
    sep = draw(st.sampled_from((" ", "-", ".", "")))
    if kind == "mobile":
        rest = "7" + "".join(draw(st.lists(_DIGIT, min_size=9, max_size=9)))
        grouped = _grouped(rest, draw(st.sampled_from(((4, 6), (4, 3, 3), (10,)))), sep)
        return draw(st.sampled_from(("0", "+44 ", "+44", "+44 (0)"))) + grouped
    if kind == "london":
        rest = "".join(draw(st.lists(_DIGIT, min_size=8, max_size=8)))
        return f"020{sep or ' '}{_grouped(rest, (4, 4), sep or ' ')}"
    if kind == "bracketed":
        rest = "".join(draw(st.lists(_DIGIT, min_size=6, max_size=6)))
        area = "1" + "".join(draw(st.lists(_DIGIT, min_size=3, max_size=3)))
        return f"(0{area}) {_grouped(rest, (3, 3), ' ')}"
    if kind == "email":
        local = draw(_LETTERS) + draw(st.sampled_from(("", ".", "_", "+"))) + draw(_LETTERS)
        return f"{local}@{draw(_LETTERS)}.{draw(st.sampled_from(('com', 'org.uk', 'gov.uk')))}"
    if kind == "postcode":
        area = draw(st.sampled_from(("M", "SW", "LS", "B", "EC")))
        district = draw(st.sampled_from(("1", "1A", "12", "3")))
        inward = draw(st.text("ABDEFGHJLNPQRSTUWXYZ", min_size=2, max_size=2))
        return f"{area}{district} {draw(_DIGIT)}{inward}"
    number = draw(st.integers(min_value=1, max_value=999))
    words = draw(st.lists(_LETTERS.map(str.capitalize), min_size=1, max_size=3))
    street = draw(st.sampled_from(("Street", "Road", "Avenue", "Lane", "Close", "St", "Rd")))
    return f"{number}{draw(st.sampled_from(('', 'a')))} {' '.join(words)} {street}"


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(detail=contact_detail(), section=st.sampled_from(SECTIONS))
def test_no_contact_detail_gets_through_any_final_report(detail: str, section: str) -> None:
    from facilitator.method import load_method

    method = load_method()
    with tempfile.TemporaryDirectory() as folder:
        store = Store(Path(folder) / "p.db", author="Kit Moss")
        try:
            review = build(store, method, "Sam Okafor", detail, section)
            for fmt in ("md", "docx", "qdpx"):
                data = export(store, method, review, fmt, final=True)
                text = as_seen(read_back(fmt, data))
                assert as_read(detail) not in text, (fmt, section, detail)
        finally:
            store.close()
