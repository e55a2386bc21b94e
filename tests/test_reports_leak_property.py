"""Property: whatever way a registered name is written, in whatever part of the review,
no final report in any format lets a reader see it.

Names are generated (parts of two letters and more, accented letters included), written
into every section a final report draws on in one of the ways people and Word write
names (case, decomposed accents, soft hyphens, zero-width characters, full-width
letters, Cyrillic look-alikes, curly apostrophes, next to a digit or ``_``), and each
export is read back by a real reader (a CommonMark renderer, python-docx, lxml). What a
reader sees is worked out here, independently of the product's own folding.
"""

from __future__ import annotations

import html
import io
import re
import tempfile
import unicodedata
import zipfile
from functools import cache
from pathlib import Path

import docx
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st
from lxml import etree
from markdown_it import MarkdownIt

from facilitator.analysis.patterns import add_pattern, add_recommendation
from facilitator.method import Method, load_method
from facilitator.reports.export import export
from facilitator.reports.redaction import TITLES
from facilitator.service import Service
from facilitator.store import Store

FORMATS = ("md", "docx", "qdpx")
LETTERS = "abcdefghijklmnopqrstuvwxyzéëöüñçøå"
SECTIONS = (
    "account",
    "quote",
    "went_well",
    "discrepancy",
    "episode_title",
    "episode_description",
    "team_judgement",
    "pattern",
    "recommendation",
    "question",
    "document",
    "review_title",
)


def as_read(text: str) -> str:
    """What a reader sees: compatibility forms, no invisible characters or accents, any
    case, one apostrophe and one dash."""
    text = unicodedata.normalize("NFKC", text)
    text = "".join(c for c in text if unicodedata.category(c) != "Cf")
    # Every mark goes: an enclosing circle ("O\u20dd") is seen around the letter.
    text = "".join(
        c for c in unicodedata.normalize("NFKD", text) if unicodedata.category(c)[0] != "M"
    )
    text = unicodedata.normalize("NFKC", text).casefold()
    text = text.translate(str.maketrans("аеорсхуѕһı", "aeopcxyshi"))  # as they look
    return re.sub("[\u2018\u2019\u02bc]", "'", re.sub("[\u2010-\u2015\u2212]", "-", text))


def as_seen(text: str) -> str:
    """What a reader's eye makes of a text: HTML references decoded (a browser or a careless
    converter would), emphasis marks and a hyphen at a line end joined."""
    text = html.unescape(html.unescape(text))
    text = re.sub(r"(?<=[a-z\u00df-\u00ff])(?=[A-Z])", " ", text)  # "OkaforNotes": two words
    text = as_read(text)
    text = re.sub(r"-[ \t]*\n[ \t]*", "", text)
    return re.sub(r"[*_`~\\]", "", text)


# Scripts written without spaces: a name next to them is a word of its own.
_NO_SPACES = "\u3040-\u30ff\u4e00-\u9fff"


def seen(part: str, text: str) -> bool:
    """Whether the part is a word of ``text``, or the start of one ("Okafors"); a name
    typed with no space, written as one word ("SamOkafor"), counts as seen too."""
    word = re.escape(as_read(part))
    letter = rf"[^\W\d_{_NO_SPACES}]"
    return re.search(rf"(?<!{letter}){word}(?:e?s)?(?!{letter})", text) is not None


def variant(name: str, how: str, at: int) -> str:
    at = 1 + at % max(len(name) - 1, 1)
    if how == "upper":
        return name.upper()
    if how == "decomposed":
        return unicodedata.normalize("NFD", name)
    if how == "soft_hyphen":
        return name[:at] + "\u00ad" + name[at:]
    if how == "zero_width":
        return name[:at] + "\u200b" + name[at:]
    if how == "word_joiner":
        return name[:at] + "\u2060" + name[at:]
    if how == "full_width":
        return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in name)
    if how == "possessive":
        return name + "\u2019s"
    if how == "digit":
        return f"{name}2"
    if how == "underscore":
        return f"_{name}_"
    if how == "no_break":
        return name.replace(" ", "\u00a0")
    if how == "look_alike":
        return name.translate(LOOK_ALIKE)
    if how == "entity":  # a CommonMark reader shows "&#102;" as "f"
        return name[:at] + f"&#{ord(name[at])};" + name[at + 1 :] if at < len(name) else name
    if how == "hex_entity":
        return name[:at] + f"&#x{ord(name[at]):x};" + name[at + 1 :] if at < len(name) else name
    if how == "shy_entity":
        return name[:at] + "&shy;" + name[at:]
    if how == "plural":
        return name + "s"
    if how == "run_together":
        return name.replace(" ", "") + "_notes"
    if how == "dotless_i":
        return name.replace("i", "\u0131")
    if how == "camel":  # a capital straight after it: "OkaforNotes"
        return name + "Notes"
    if how == "cjk":
        return name + "様"
    if how == "emphasis":  # Word's bold run, as the import keeps it
        return "**" + name[:at] + "**" + name[at:]
    if how == "line_break":  # hyphen-broken at a line end
        return name[:at] + "-\n" + name[at:]
    if how == "apostrophe":  # an apostrophe typed inside, as in O'Brien written O`Brien
        return name[:at] + "`" + name[at:]
    if how == "enclosing_mark":  # a mark of class 0 around a letter
        return name[:at] + "\u20dd" + name[at:]
    if how in ("ascii_look_alike", "broken"):  # in words of four letters or more
        words = name.split(" ")
        for i, word in enumerate(words):
            if len(word) >= 4:
                middle = len(word) // 2
                words[i] = (
                    word.translate(ASCII_LOOK_ALIKE)
                    if how == "ascii_look_alike"
                    else word[:middle] + "- " + word[middle:]
                )
        return " ".join(words)
    return name


# Digits and a bar a reader takes for letters ("0kafor", "Whitf1eld").
ASCII_LOOK_ALIKE = str.maketrans("oOl", "001")
_DIGIT_AS_LETTER = re.compile(r"(?<=[^\W\d_])[01|]|[01|](?=[^\W\d_])")
_BREAK = re.compile(r"(?<=[^\W\d_])-[ \t]+(?=[^\W\d_])")


def as_looked_at(how: str, text: str) -> str:
    """For the variants that write a name with look-alikes or a break, the text as a
    reader's eye reads those: a 0 or 1 touching a letter as o or l, "Oka- for" joined."""
    if how == "ascii_look_alike":
        return _DIGIT_AS_LETTER.sub(lambda m: {"0": "o"}.get(m.group(0), "l"), text)
    if how == "broken":
        return _BREAK.sub("", text)
    return text


HOW = ("plain", "upper", "decomposed", "soft_hyphen", "zero_width", "word_joiner",
       "full_width", "possessive", "digit", "underscore", "no_break", "look_alike",
       "entity", "hex_entity", "shy_entity", "plural", "run_together", "dotless_i", "cjk",
       "emphasis", "line_break", "camel", "enclosing_mark", "ascii_look_alike",
       "broken")  # fmt: skip
# Cyrillic letters a reader takes for Latin ones.
LOOK_ALIKE = str.maketrans("aeopcxyASEOPCXH", "аеорсхуАЅЕОРСХН")

part = st.text(alphabet=LETTERS, min_size=2, max_size=8).map(str.capitalize)


@cache
def vocabulary() -> frozenset[str]:
    """Every word the reports write whatever the names: a generated name that is one of
    these ("Gap", "Team") would be replaced everywhere, which proves nothing."""
    with tempfile.TemporaryDirectory() as folder:
        store = Store(Path(folder) / "v.db", author="Vv Ww")
        review = build(store, load_method(), "Qq Zz", "Qq Zz", "account")
        words = set()
        for fmt in FORMATS:
            # As the check reads them (camel case split): the docx template's "lastRow"
            # is the words "last" and "row" there.
            words |= set(re.findall(r"[^\W\d_]+", as_seen(read_back(fmt, export(
                store, load_method(), review, fmt, final=True)))))  # fmt: skip
        store.close()
    return frozenset(words)


def build(store: Store, method: Method, name: str, written: str, section: str) -> str:
    service = Service(store, method)
    review = store.create_review(
        f"Review of {written}" if section == "review_title" else "Property review (fictional)",
        [f"Why was {written} not told?" if section == "question" else "What happened?"],
    )
    person = store.add_participant(
        review, role="Social worker", agency="Children's social care", name=name
    )
    store.add_participant(review, role="GP", agency="General practice", name="Hal Bex")
    talk = store.conversation(store.new_conversation(review, person, lead="Lee Ruiz"))
    title = f"Visit to {written}" if section == "episode_title" else "Home visit"
    service.record_note(talk, f"#new {title} (3 May 2024)")
    lines = {
        "account": f"{written} rang the school #1",
        "quote": f'"I told {written} at once #1',
        "went_well": f"+ {written} acted fast #1",
        "discrepancy": f"! {written} remembers it differently #1",
    }
    service.record_note(talk, lines.get(section, "The visit was short #1"))
    episode = store.episodes(review)[0].id
    if section == "episode_description":
        store.update(review, "episode", episode, description=f"{written} called first")
    if section == "team_judgement":
        store.update(review, "episode", episode, team_good=f"{written} was thorough")
    if section == "document":
        store.add_document(review, f"Letter from {written}", f"{written} wrote", agency="GP")
        note = store.notes(review=review)[-1]
        store.update(review, "note", note.id, document=store.documents(review)[0].id)
    pattern = add_pattern(
        store, review, method, type="human-tool",
        title=f"Calls to {written} go unanswered" if section == "pattern" else "Late calls",
        episodes=[episode],
    )  # fmt: skip
    add_recommendation(
        store, review, method, kind="clear-cut", pattern=pattern,
        text=f"Ask {written} first" if section == "recommendation" else "Ask first",
    )  # fmt: skip
    return review


def read_back(fmt: str, data: bytes) -> str:
    """The export as its real reader takes it in: text and attributes of every part."""
    if fmt == "md":  # as written, and as a CommonMark renderer shows it
        text = data.decode("utf-8")
        rendered = MarkdownIt("commonmark").render(text)
        return text + "\n" + html.unescape(re.sub(r"<[^>]+>", " ", rendered))
    out = []
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        for name in package.namelist():
            content = package.read(name)
            if name.endswith(".txt"):
                out.append(content.decode("utf-8"))
            elif name.endswith((".xml", ".qde")):
                root = etree.fromstring(content)
                out.append("\n".join(root.itertext()))
                out += [  # GUIDs are random hex made by us: "ae" in one is no name
                    str(v)
                    for e in root.iter()
                    for k, v in e.attrib.items()
                    if not str(k).lower().endswith("guid")
                ]
    if fmt == "docx":
        document = docx.Document(io.BytesIO(data))
        out += [p.text for p in document.paragraphs]
        out += [c.text for t in document.tables for r in t.rows for c in r.cells]
    return "\n".join(out)


def every_section(test):  # noqa: ANN001, ANN201 - a decorator
    """Each section at least once per run, each written a different way, besides the
    generated examples."""
    for i, section in enumerate(SECTIONS):
        test = example(
            parts=["Zoë", "Okafor", "Wu"], how=HOW[i % len(HOW)], which=i % 4 - 1, at=i,
            section=section,
        )(test)  # fmt: skip
    return test


def every_variant(test):  # noqa: ANN001, ANN201 - a decorator
    """Each way of writing a name at least once per run, in a section that varies."""
    for i, how in enumerate(HOW):
        test = example(
            parts=["Niamh", "Okafor", "Pirie"], how=how, which=i % 4 - 1, at=i + 2,
            section=SECTIONS[(i * 5) % len(SECTIONS)],
        )(test)  # fmt: skip
    return test


@every_section
@every_variant
@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    parts=st.lists(part, min_size=2, max_size=3, unique_by=as_read),
    how=st.sampled_from(HOW),
    which=st.integers(min_value=-1, max_value=2),
    at=st.integers(min_value=0, max_value=20),
    section=st.sampled_from(SECTIONS),
)
def test_no_registered_name_gets_through_any_final_report(
    parts: list[str], how: str, which: int, at: int, section: str
) -> None:
    words = vocabulary()
    # Titles ("Mr", "Dr") are not registered alone: a name part that is one proves nothing.
    # A plural counts as the name ("the Okafors"), so a part whose plural is one of our
    # words ("Note", "Gap") proves nothing either.
    ours = (
        words
        | {w[:-1] for w in words if w.endswith("s")}
        | {w[:-2] for w in words if w.endswith("es")}
    )
    assume(not any(as_read(p) in ours or as_read(p) in TITLES for p in parts))
    name = " ".join(parts)
    written = variant(name if which < 0 else parts[which % len(parts)], how, at)
    method = load_method()
    with tempfile.TemporaryDirectory() as folder:
        store = Store(Path(folder) / "p.db", author="Kit Moss")
        try:
            review = build(store, method, name, written, section)
            for fmt in FORMATS:
                # Applying the register must leave nothing for the scan to refuse.
                text = as_seen(read_back(fmt, export(store, method, review, fmt, final=True)))
                text = as_looked_at(how, text)
                joined = "".join(parts)  # "SamOkafor", as written run together
                for piece in [*parts, joined, "Hal", "Bex", "Lee", "Ruiz", "Kit", "Moss"]:
                    assert not seen(piece, text), (fmt, section, written, piece)
        finally:
            store.close()
