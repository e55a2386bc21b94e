"""The note line grammar: one parser for the note box and `facilitator note add`."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from facilitator import capture
from facilitator.method import Method
from facilitator.service import Service


@pytest.mark.parametrize(
    ("line", "kind", "text"),
    [
        ("Visited the family", "observation", "Visited the family"),
        ('"It felt calm that day"', "quote", "It felt calm that day"),
        ('"Open quote only', "quote", "Open quote only"),
        ("? ask the GP", "followup", "ask the GP"),
        ("! differs from the school's record", "discrepancy", "differs from the school's record"),
        (">> we think workload mattered", "reflection", "we think workload mattered"),
        ("+ weekly calls helped", "went_well", "weekly calls helped"),
        ("~ a shared chronology", "idea", "a shared chronology"),
    ],
)
def test_kind_by_prefix(method: Method, line: str, kind: str, text: str) -> None:
    parsed = capture.parse(line, method)
    assert (parsed.kind, parsed.text) == (kind, text)


def test_factor_tags_by_unique_prefix(method: Method) -> None:
    parsed = capture.parse("Supervision cancelled @cond @team @res @lr-opt", method)
    assert parsed.factors == ["conditions", "team", "resources"]
    assert parsed.prompts == ["lr-options"]
    assert parsed.problems == []


def test_ambiguous_and_unknown_tags_are_problems_not_losses(method: Method) -> None:
    parsed = capture.parse("@p said @banana", method)
    assert parsed.factors == []
    assert parsed.text == "@p said @banana"
    assert any("@p could be @personal, @political" in p for p in parsed.problems)
    assert any("@banana is not a factor area" in p for p in parsed.problems)


def test_email_addresses_are_not_tags(method: Method) -> None:
    parsed = capture.parse("wrote to duty@example.org", method)
    assert parsed.factors == [] and parsed.problems == []


def test_completion(method: Method) -> None:
    assert capture.complete_tag("p", method) == ["personal", "political"]
    assert capture.complete_tag("lr-a", method) == ["lr-attention", "lr-aims"]


def test_episode_references_and_new_episode(method: Method) -> None:
    parsed = capture.parse("#3 and #E12 #new Home visit (12 March 2024) @family", method)
    assert parsed.episode_numbers == [3, 12]
    assert parsed.factors == ["family"]
    [episode] = parsed.new_episodes
    assert episode.title == "Home visit"
    assert episode.date is not None and episode.date.start == dt.date(2024, 3, 12)
    assert parsed.problems == []


@pytest.mark.parametrize(
    ("line", "title", "date_text"),
    [
        ("#new Home visit (12 March 2024)", "Home visit", "12 March 2024"),
        ("#new Strategy meeting (early May 2026) @family", "Strategy meeting", "early May 2026"),
        ("#NEW Core group (w/c 3 March 2024)", "Core group", "w/c 3 March 2024"),
        ("? #new GP letter (2023) ask who saw it", "GP letter", "2023"),
        ("#new Case conference", "Case conference", None),
        ("#new Visit by Mrs. J. Smith. She was late", "Visit by Mrs. J. Smith", None),
        ("#new Review meeting ()", "Review meeting", None),
    ],
)
def test_a_well_formed_new_line_has_no_problems(
    method: Method, line: str, title: str, date_text: str | None
) -> None:
    """A correct #new line is saved without a warning: a spurious one on every episode
    would teach the note-taker to ignore the warnings that matter."""
    parsed = capture.parse(line, method)
    assert parsed.problems == []
    [episode] = parsed.new_episodes
    assert (episode.title, episode.date_text) == (title, date_text)
    assert (episode.date is None) == (date_text is None)
    shown = capture.preview(line, method)
    assert shown.problems == ()
    assert "⚠" not in shown.text()


def test_impossible_date_on_new_episode_is_kept_and_reported(method: Method) -> None:
    parsed = capture.parse("#new Strategy meeting (31 February 2024)", method)
    [episode] = parsed.new_episodes
    assert episode.title == "Strategy meeting" and episode.date is None
    assert episode.date_text == "31 February 2024"
    assert any("not a real date" in p for p in parsed.problems)


def test_a_year_typed_wrong_leaves_the_episode_undated_and_says_so(method: Method) -> None:
    # "2042" for 2024, "1024" for 2024: such a date would stretch the review's scope
    # from 1024 to 2042 in the findings report.
    for typed, why in (("3 May 2042", "after today"), ("1024", "before 1900")):
        parsed = capture.parse(f"#new Home visit ({typed})", method)
        [episode] = parsed.new_episodes
        assert episode.date is None and episode.date_text == typed
        assert parsed.problems == [
            f"episode 'Home visit': ({typed}) is {why}: check the year; saved without a date"
        ]
    for fine in ("1999", "May 2024", "early 2023"):
        parsed = capture.parse(f"#new Home visit ({fine})", method)
        assert parsed.new_episodes[0].date is not None and not parsed.problems, fine


def test_unknown_hash_reference_is_reported(method: Method) -> None:
    parsed = capture.parse("see #minutes", method)
    assert parsed.episode_numbers == []
    assert any("#minutes" in p for p in parsed.problems)


def test_service_saves_note_with_problems_and_links(service: Service) -> None:
    store = service.store
    review = store.create_review("R")
    person = store.add_participant(review, role="GP", agency="Health")
    conversation = store.conversation(store.new_conversation(review, person))
    first = service.record_note(conversation, "#new Visit (March 2024) @family", stage=3)
    [episode] = store.episodes(review)
    assert episode.label == "E1" and episode.date_start == "2024-03-01"
    second = service.record_note(conversation, "! the GP disagrees #1 #9 @zz", stage=4)
    note = store.note(second.note_id)
    assert note.kind == "discrepancy" and note.stage == 4
    assert note.episodes == (episode.id,)
    assert set(note.problems) == set(second.problems)
    assert any("E9" in p for p in note.problems) and any("@zz" in p for p in note.problems)
    assert store.note(first.note_id).factors == ("family",)


def test_markup_and_escape_codes_are_stored_exactly(service: Service) -> None:
    store = service.store
    review = store.create_review("R")
    person = store.add_participant(review, role="GP", agency="Health")
    conversation = store.conversation(store.new_conversation(review, person))
    line = "[bold]x[/] [type=x, v={'a[0]'}] \x1b[31mred\x1b[0m שלום 👍"
    recorded = service.record_note(conversation, line)
    assert store.note(recorded.note_id).text == line


def test_edit_relinks_and_does_not_duplicate_new_episodes(service: Service) -> None:
    store = service.store
    review = store.create_review("R")
    person = store.add_participant(review, role="GP", agency="Health")
    conversation = store.conversation(store.new_conversation(review, person))
    recorded = service.record_note(conversation, "#new Visit (2024) @family")
    note = store.note(recorded.note_id)
    service.edit_note(note, "#new Visit (2024) @team corrected")
    edited = store.note(recorded.note_id)
    assert len(store.episodes(review)) == 1
    assert edited.factors == ("team",) and edited.text == "#new Visit (2024) @team corrected"
    assert len(store.revisions(note.id)) == 2


@pytest.mark.parametrize(
    ("line", "factors", "directions"),
    [
        ("Two vacancies @resources-", ["resources"], {"resources": "-"}),
        ("Weekly supervision @team+ kept her going", ["team"], {"team": "+"}),
        (
            "Prefixes work too @res+ @cond-",
            ["resources", "conditions"],
            {"resources": "+", "conditions": "-"},
        ),  # fmt: skip
        ("No direction @family", ["family"], {}),
    ],
)
def test_a_factor_can_be_marked_as_helping_or_hindering(
    method: Method, line: str, factors: list[str], directions: dict[str, str]
) -> None:
    parsed = capture.parse(line, method)
    assert parsed.problems == []
    assert parsed.factors == factors
    assert parsed.directions == directions


def test_a_prompt_has_no_direction(method: Method) -> None:
    parsed = capture.parse("Thought it was calm @lr-picture+", method)
    assert parsed.prompts == ["lr-picture"]
    assert any("direction" in p for p in parsed.problems)


def test_direction_is_read_aloud_and_kept_through_save_and_edit(
    method: Method, service: Service
) -> None:
    assert capture.labelled("Vacancies @res- hurt", method) == (
        "Vacancies Resource allocation (hindered) hurt"
    )
    assert "factors: resources (hindered)" in capture.preview("x @res-", method).reading
    store = service.store
    review = store.create_review("R")
    person = store.add_participant(review, role="GP", agency="General practice")
    conversation = store.conversation(store.new_conversation(review, person))
    saved = store.note(service.record_note(conversation, "Vacancies @res- @team+").note_id)
    assert saved.factors == ("resources", "team")
    assert saved.directions == ("resources-", "team+")
    service.edit_note(saved, "Vacancies @res+ @team")
    edited = store.note(saved.id)
    assert set(edited.factors) == {"resources", "team"}
    assert edited.directions == ("resources+",)


# --- #new: a dated parenthesis later in the line wins; abbreviations do not end a title ---


@pytest.mark.parametrize(
    ("line", "title", "start", "end"),
    [
        ("#new Dr. Khan's visit (May 2024)", "Dr. Khan's visit", "2024-05-01", "2024-05-31"),
        (
            "#new Strategy meeting: health absent (3 March 2024) more text",
            "Strategy meeting: health absent",
            "2024-03-03",
            "2024-03-03",
        ),
        (
            "#new Home visit - the second one (May 2024)",
            "Home visit - the second one",
            "2024-05-01",
            "2024-05-31",
        ),
        ("#new Home visit @family (May 2024)", "Home visit", "2024-05-01", "2024-05-31"),
        (
            "#new Case conference. Minutes (12 June 2024)",
            "Case conference. Minutes",
            "2024-06-12",
            "2024-06-12",
        ),
        (
            "#new Visit (the second one) (May 2024)",
            "Visit (the second one)",
            "2024-05-01",
            "2024-05-31",
        ),
    ],
)
def test_new_takes_the_dated_parenthesis_later_in_the_line(
    method: Method, line: str, title: str, start: str, end: str
) -> None:
    parsed = capture.parse(line, method)
    (episode,) = parsed.new_episodes
    assert episode.title == title
    assert episode.date is not None
    assert (str(episode.date.start), str(episode.date.end)) == (start, end)
    assert parsed.problems == []
    shown = capture.preview(line, method).text()
    assert f"“{title}”" in shown and "2024" in shown


@pytest.mark.parametrize(
    ("line", "title"),
    [
        ("#new Dr. Khan's visit", "Dr. Khan's visit"),
        ("#new Visit by Mrs. J. Smith. She was late", "Visit by Mrs. J. Smith"),
        ("#new Case conference. Nobody came", "Case conference"),
        ("#new Strategy meeting: nobody from health came", "Strategy meeting"),
    ],
)
def test_new_without_a_date_ends_at_a_full_stop_but_not_an_abbreviation(
    method: Method, line: str, title: str
) -> None:
    (episode,) = capture.parse(line, method).new_episodes
    assert (episode.title, episode.date) == (title, None)


def test_a_date_that_cannot_be_read_later_in_the_line_is_a_problem_never_silent(
    method: Method,
) -> None:
    parsed = capture.parse("#new Visit. Then the review (Mya 2024)", method)
    (episode,) = parsed.new_episodes
    assert episode.title == "Visit" and episode.date is None
    assert any("Mya 2024" in problem for problem in parsed.problems)
    assert "⚠" in capture.preview("#new Visit. Then the review (Mya 2024)", method).text()


def test_the_saved_episode_has_the_date_after_an_abbreviation(service: Service) -> None:
    store = service.store
    review = store.create_review("Fictional")
    person = store.add_participant(review, role="GP", agency="Health")
    conversation = store.conversation(store.new_conversation(review, person))
    recorded = service.record_note(conversation, "#new Dr. Khan's visit (May 2024) went well")
    assert not recorded.problems
    (episode,) = store.episodes(review)
    assert episode.title == "Dr. Khan's visit"
    assert (episode.date_start, episode.date_end, episode.date_text) == (
        "2024-05-01",
        "2024-05-31",
        "May 2024",
    )


def test_a_parenthesis_that_is_not_meant_as_a_date_is_no_problem(method: Method) -> None:
    parsed = capture.parse("#new Visit: both children (2 of them) were there", method)
    (episode,) = parsed.new_episodes
    assert (episode.title, episode.date, parsed.problems) == ("Visit", None, [])


def test_a_quotes_closing_mark_goes_even_before_its_tags(method: Method) -> None:
    for line in ('"I thought they had given up on us" #1 @lr-picture',
                 '"I thought they had given up on us”  #1 @lr-picture'):  # fmt: skip
        assert capture.kind_of(line, method) == (
            "quote",
            "I thought they had given up on us #1 @lr-picture",
        )


# --- How a line is read back: the preview, quoting and reading aloud -------------------
# Written while killing mutants of facilitator/capture.py (TESTING.md).


@pytest.mark.parametrize(
    ("line", "shown"),
    [
        ("#new Visit (3 May 2024)", "Observation · new episode “Visit” (3 May 2024)"),
        (
            "#new Visit (3-5 May 2024)",
            "Observation · new episode “Visit” (3-5 May 2024: 3–5 May 2024)",
        ),
        (
            "#new Visit (March to May 2024)",
            "Observation · new episode “Visit” (March to May 2024: 1 Mar–31 May 2024)",
        ),
        (
            "#new Visit (November 2023 to February 2024)",
            "Observation · new episode “Visit” "
            "(November 2023 to February 2024: 1 Nov 2023–29 Feb 2024)",
        ),
        ("#new Visit", "Observation · new episode “Visit” (no date)"),
        (
            "? ask #3 #4 @res- @team @lr-opt",
            "⚠ #4: there is no episode E4 yet · Follow-up · E3 Home visit · "
            "factors: resources (hindered), team · prompts: lr-options",
        ),
        ("@zz @p #minutes", "⚠ @zz is not a factor area or prompt (+2 more) · Observation"),
        ("@zz #minutes", "⚠ @zz is not a factor area or prompt (+1 more) · Observation"),
        ("@zz", "⚠ @zz is not a factor area or prompt · Observation"),
        ("+ @lr-opt @lr-aims", "Good practice · prompts: lr-options, lr-aims"),
        ("x #new (May 2024)", "⚠ #new needs a title before the date · Observation"),
    ],
)
def test_the_preview_says_how_the_line_will_be_read(method: Method, line: str, shown: str) -> None:
    assert capture.preview(line, method, {3: "Home visit"}).text() == shown


def test_the_preview_without_known_episodes_shows_the_bare_link(method: Method) -> None:
    reading = capture.preview("#3 @family+", method)
    assert reading.text() == "Observation · E3 · factors: family (helped)"
    assert reading.problems == ()


def test_a_quoted_note_keeps_its_words_without_the_tags(method: Method) -> None:
    """For quoting a note elsewhere (the analysis plan): known tags, links and #new go,
    an unknown @word stays (nothing typed vanishes), spacing is tidied."""
    text = "Saw mum #3 @family+ @zz  #new Visit (May 2024) @lr-opt"
    assert capture.untagged(text, method) == "Saw mum @zz Visit (May 2024)"
    assert capture.untagged("plain   text\n here", method) == "plain text here"
    assert capture.untagged("Vacancies @res-  hurt", method) == "Vacancies hurt"
    assert capture.untagged("#E12 and #NEW Case conference", method) == "and Case conference"


def test_a_note_read_aloud_names_what_its_tags_mean(method: Method) -> None:
    line = "#new Visit at #3 with @family @team+ @lr-opt+ @zz @p"
    assert capture.labelled(line, method) == (
        "Visit at E3 with The family and their circumstances Own team (helped) "
        "What options they thought they had @zz @p"
    )
    assert capture.labelled("no tags at all", method) == "no tags at all"
    assert capture.labelled("see #E4", method) == "see E4"
    assert capture.labelled("#NEW Core group @team", method) == "Core group Own team"


def test_unknown_episode_numbers_are_read_back_from_the_problems() -> None:
    problems = [capture.unknown_episode(7), "@zz is not a factor area", capture.unknown_episode(8)]
    assert capture.unresolved_numbers(problems) == {7, 8}
    assert capture.unresolved_numbers(["#7 is not an episode reference"]) == set()
    assert capture.unresolved_numbers([]) == set()


@pytest.mark.parametrize(
    ("line", "directions"),
    [
        ("Vacancies @pol- @per+", {"political": "-", "personal": "+"}),
        ("Short prefix @t+ too", {"team": "+"}),
    ],
)
def test_a_direction_after_a_short_prefix_is_read(
    method: Method, line: str, directions: dict[str, str]
) -> None:
    parsed = capture.parse(line, method)
    assert parsed.problems == []
    assert parsed.directions == directions


@pytest.mark.parametrize(
    ("line", "title"),
    [
        ("#new Visit e.g. the second one: more", "Visit e.g. the second one"),
        ("#new Core group w/c. Monday: notes", "Core group w/c. Monday"),
        # "may" as a verb, in brackets or out, is not a date to complain about.
        ("#new Visit: she may ring back (may be Tuesday)", "Visit"),
    ],
)
def test_abbreviations_and_may_do_not_end_or_date_a_title(
    method: Method, line: str, title: str
) -> None:
    parsed = capture.parse(line, method)
    [episode] = parsed.new_episodes
    assert (episode.title, episode.date) == (title, None)
    assert parsed.problems == []


@pytest.mark.parametrize("later", ["(March)", "(in March)", "(31 June 2023)"])
def test_a_date_later_in_the_line_that_cannot_be_read_is_reported(
    method: Method, later: str
) -> None:
    parsed = capture.parse(f"#new Visit: she rang {later}", method)
    [episode] = parsed.new_episodes
    assert (episode.title, episode.date) == ("Visit", None)
    [problem] = parsed.problems
    assert problem.startswith(f"episode 'Visit': {later} is not a date")


@pytest.mark.parametrize(
    ("text", "public"),
    [
        # An indented follow-up line is still private, however deep the indent.
        ("Visited\n      ? ask the GP about it", "Visited"),
        ("Visited\n\t   \u200b  >> we wonder", "Visited"),
        # ... or hidden behind invisible characters pasted from a web page.
        ("Visited\n \u200b \u200b \u200b? ask the GP", "Visited"),
        ("Visited\n\u200b\u200b\u200b\u200b\u200b\u2060? ask the GP", "Visited"),
        # A line of tags only, or of an invisible character only, is public text.
        ("Saw mum\n#3 @family", "Saw mum\n#3 @family"),
        ("Saw mum\n\u200b\nmore", "Saw mum\n\u200b\nmore"),
        # A question mark later in a line that starts with a short tag is just punctuation.
        ("Visited\n@gp said ? maybe", "Visited\n@gp said ? maybe"),
    ],
)
def test_private_lines_are_found_whatever_the_indent(
    method: Method, text: str, public: str
) -> None:
    assert capture.split_private(text, "observation", method)[0] == public


@pytest.mark.parametrize(
    ("text", "public", "private"),
    [
        ("Visited the home", "Visited the home", ""),
        ("Visited\nthen >> we wonder", "Visited\nthen", ">> we wonder"),
        ("Visited\nthen \uff1e\uff1e we wonder", "Visited\nthen", "\uff1e\uff1e we wonder"),
        ("Visited\n>\u200b> we wonder", "Visited", ">\u200b> we wonder"),
    ],
)
def test_a_note_splits_into_its_public_and_private_parts(
    method: Method, text: str, public: str, private: str
) -> None:
    assert capture.split_private(text, "observation", method) == (public, private)


def test_the_private_marks_are_the_method_in_uses(method: Method) -> None:
    """A guide may give the private kinds other marks: each method's own are used, even
    when notes of several methods are read in one process."""
    kinds = tuple(
        dataclasses.replace(k, prefix="%%") if k.key == "reflection" else k
        for k in method.note_kinds
    )
    edited = dataclasses.replace(method, note_kinds=kinds)
    text = "Visited\n! the school disagrees\n%% we wonder"
    assert capture.split_private(text, "observation", edited) == (
        "Visited\n! the school disagrees",
        "%% we wonder",
    )
    assert capture.split_private("Visited\n? ask the GP", "observation", edited) == (
        "Visited",
        "? ask the GP",
    )
    assert capture.split_private(text, "observation", method)[1] == ""
    assert capture.split_private("Visited\n>> hm", "observation", method)[1] == ">> hm"


def test_episodes_created_in_private_are_all_named(method: Method) -> None:
    # A reflection (">>" note) is private whole: its text is stored without the ">>".
    assert capture.private_episode_titles("#new Visit (2024)", "reflection", method) == ["Visit"]
    text = "we wonder\n>> #new A (2024)\n#new B (2024)"
    assert capture.private_episode_titles(text, "observation", method) == ["A", "B"]
    assert capture.private_episode_titles("#new Public (2024)", "observation", method) == []
    # A keyboard that turns ">>" into "»" as it is typed.
    typed = "Visited\n»#new Core group (2024)"
    assert capture.private_episode_titles(typed, "observation", method) == ["Core group"]


@pytest.mark.parametrize(
    ("line", "title"),
    [
        ("#new Home visit: (12 May 2024)", "Home visit"),
        ("#new Strategy meeting - (May 2024)", "Strategy meeting"),
        ("#new Visit by Mr X (May 2024)", "Visit by Mr X"),
    ],
)
def test_a_dated_title_loses_only_the_punctuation_before_its_date(
    method: Method, line: str, title: str
) -> None:
    [episode] = capture.parse(line, method).new_episodes
    assert episode.title == title and episode.date is not None


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ("#new", "#new needs a title, e.g. '#new Home visit (12 March 2024)'"),
        ("#new : nobody came", "#new needs a title, e.g. '#new Home visit (12 March 2024)'"),
        ("#new (12 May 2024", "#new needs a title before the date"),
        ("#new (May 2024) visit", "#new needs a title before the date"),
    ],
)
def test_a_new_line_without_a_title_says_so_and_makes_no_episode(
    method: Method, line: str, problem: str
) -> None:
    parsed = capture.parse(line, method)
    assert parsed.new_episodes == []
    assert parsed.problems == [problem]


def test_the_first_bracket_after_a_title_is_its_date(method: Method) -> None:
    parsed = capture.parse("#new Visit (tbc) later (maybe)", method)
    [episode] = parsed.new_episodes
    assert (episode.title, episode.date, episode.date_text) == ("Visit", None, "tbc")
    assert parsed.problems == [
        "episode 'Visit': 'tbc' is not a date I can read (try '12 March 2024' or "
        "'March 2024'); saved without a date"
    ]


def test_a_bracket_closed_only_before_the_date_is_not_taken_for_its_end(
    method: Method,
) -> None:
    parsed = capture.parse("#new Visit to child a) and b (12 May 2024", method)
    [episode] = parsed.new_episodes
    assert episode.date is None
    assert any("the date needs a closing ')'" in p for p in parsed.problems)


def test_an_empty_bracket_does_not_hide_the_date_after_it(method: Method) -> None:
    [episode] = capture.parse("#new Visit () (May 2024)", method).new_episodes
    assert episode.date is not None and episode.date.start == dt.date(2024, 5, 1)


def test_several_new_episodes_in_one_line_each_get_their_own_title(method: Method) -> None:
    parsed = capture.parse("#new Visit #new Call (3 May 2024) #new Letter", method)
    assert [(e.title, e.date_text) for e in parsed.new_episodes] == [
        ("Visit", None),
        ("Call", "3 May 2024"),
        ("Letter", None),
    ]
    assert parsed.problems == []
    two = capture.parse("#new Visit #new Call (3 May 2024)", method)
    assert [(e.title, e.date_text) for e in two.new_episodes] == [
        ("Visit", None),
        ("Call", "3 May 2024"),
    ]


def test_a_link_straight_after_new_is_still_a_link(method: Method) -> None:
    parsed = capture.parse("#new #3 follow-up", method)
    assert parsed.episode_numbers == [3]


def test_lower_case_episode_links_are_links(method: Method) -> None:
    parsed = capture.parse("see #e12 and #E3", method)
    assert parsed.episode_numbers == [12, 3]
    assert parsed.problems == []


def test_an_indented_line_keeps_its_kind(method: Method) -> None:
    assert capture.kind_of("   ? ask the GP ", method) == ("followup", "ask the GP")


def test_the_longest_mark_wins_in_a_method_with_nested_marks(method: Method) -> None:
    marks = {"discrepancy": "!!", "went_well": "!"}
    kinds = tuple(
        dataclasses.replace(k, prefix=marks.get(k.key, k.prefix)) for k in method.note_kinds
    )
    edited = dataclasses.replace(method, note_kinds=kinds)
    assert capture.kind_of("!! records differ", edited) == ("discrepancy", "records differ")
    assert capture.kind_of("! calls helped", edited) == ("went_well", "calls helped")


def test_a_prompt_given_a_direction_is_told_why(method: Method) -> None:
    assert capture.parse("Calm @lr-picture+", method).problems == [
        "@lr-picture+: only a factor area has a direction (+ helped, - hindered), not a prompt"
    ]


def test_current_refs_names_the_linked_episode_not_the_number_typed(method: Method) -> None:
    """A sync renumbered the note's episode: #N is shown and edited as its label now."""
    linked = [("E30", "Psi visit")]
    assert capture.current_refs("#29 went well", linked, method) == "#30 went well"
    assert capture.current_refs("#E29 went well", linked, method) == "#E30 went well"
    # A number that still names a linked episode stays; an unknown one with no
    # linked episode left over stays as typed (its problem is shown, never hidden).
    both = [("E3", "Strategy meeting"), ("E30", "Psi visit")]
    assert capture.current_refs("#3 and #29", both, method) == "#3 and #30"
    assert capture.current_refs("#3 and #7", [("E3", "x")], method) == "#3 and #7"
    # The episode this note named with #new is not what a stale #N stood for.
    text = "#new Psi visit (3 May 2024) like #29"
    assert capture.current_refs(text, [("E30", "Psi visit")], method) == text


def test_editing_the_line_that_named_an_episode_renames_and_redates_it(
    service: Service,
) -> None:
    """A typo fixed in "#new Delta ep" renames the episode it made (no second episode
    left with nobody's notes); a changed bracketed date redates it."""
    store = service.store
    review = store.create_review("R")
    person = store.add_participant(review, role="GP", agency="Health")
    conversation = store.conversation(store.new_conversation(review, person))
    recorded = service.record_note(conversation, "#new Delta ep (3 May 2024) she was late")
    (made,) = recorded.new_episodes
    edited = service.edit_note(
        store.note(recorded.note_id), "#new Deltaa ep (4 May 2024) she was late"
    )
    (episode,) = store.episodes(review)
    assert episode.id == made and episode.title == "Deltaa ep"
    assert episode.date_text == "4 May 2024" and episode.date_start.startswith("2024-05-04")
    assert store.note(recorded.note_id).episodes == (made,)
    assert edited.renamed == (episode.label,) and not edited.new_episodes


def test_an_edit_leaves_an_episode_renamed_elsewhere_as_it_is(service: Service) -> None:
    """Someone renamed the episode since it was named: the note's edit does not undo
    that, nor make a second episode; it says so."""
    from facilitator.analysis.episodes import rename_episode

    store = service.store
    review = store.create_review("R")
    person = store.add_participant(review, role="GP", agency="Health")
    conversation = store.conversation(store.new_conversation(review, person))
    recorded = service.record_note(conversation, "#new Delta ep she was late")
    (made,) = recorded.new_episodes
    rename_episode(store, review, made, "Home visit to Delta")
    edited = service.edit_note(store.note(recorded.note_id), "#new Deltaa ep she was late")
    (episode,) = store.episodes(review)
    assert episode.title == "Home visit to Delta"
    assert store.note(recorded.note_id).episodes == (made,)
    assert edited.kept == (episode.label,) and not edited.new_episodes
