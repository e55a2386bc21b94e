"""The method: conversation stages, local-rationality prompts, the contributory factor
framework, note kinds, pattern types and kinds of recommendation.

All of it is loaded from the Markdown files in a guides folder, so a review team can adapt
the wording by editing text. Structure (keys, numbers, section headings) is validated
strictly: a broken file raises :class:`GuideError` naming the file, the line and the fault.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path

GUIDES_ENV = "FACILITATOR_GUIDES"

FACTOR_KEYS = (
    "family",
    "personal",
    "role",
    "conditions",
    "team",
    "interagency",
    "culture",
    "resources",
    "political",
)
LEVEL_KEYS = ("frontline", "local", "national")
NOTE_KIND_KEYS = (
    "observation",
    "quote",
    "followup",
    "discrepancy",
    "reflection",
    "went_well",
    "idea",
)
STAGE_SECTIONS = ("Purpose", "How to ask", "Prompts", "To cover")
# Optional: the prompts worded for a family member (guide 2.3), used when the participant's
# kind is "family"; without it a family member is asked the usual prompts.
FAMILY_PROMPTS = "Prompts for family members"
# Optional likewise: what to cover with a family member (no caseload, team or supervision).
FAMILY_TO_COVER = "To cover for family members"
PER_EPISODE_STAGES = (3, 4, 5)
FAMILY_WORDS_FILE = "family-words.md"

_KEY = re.compile(r"^[a-z][a-z0-9-]*$")
_KEYED_HEADING = re.compile(r"^(#{1,2})\s+([^:]+?)\s*:\s*(.+?)\s*$")


class GuideError(Exception):
    """A guide file is missing or malformed."""

    def __init__(self, path: Path | str, line: int | None, message: str) -> None:
        self.path = Path(path)
        self.line = line
        self.message = message
        where = f"{self.path}:{line}" if line else str(self.path)
        super().__init__(f"{where}: {message}")


@dataclass(frozen=True)
class Stage:
    number: int
    key: str
    title: str
    minutes: int
    per_episode: bool
    purpose: str
    how_to_ask: str
    prompts: tuple[str, ...]
    to_cover: tuple[str, ...]
    family_prompts: tuple[str, ...] = ()
    family_to_cover: tuple[str, ...] = ()

    def prompts_for(self, kind: str) -> tuple[str, ...]:
        """The prompts for a participant of this kind (see model.PARTICIPANT_KINDS)."""
        if kind == "family" and self.family_prompts:
            return self.family_prompts
        return self.prompts

    def to_cover_for(self, kind: str) -> tuple[str, ...]:
        """What to cover with a participant of this kind."""
        if kind == "family" and self.family_to_cover:
            return self.family_to_cover
        return self.to_cover

    def for_kind(self, kind: str) -> Stage:
        """This stage as it is put to a participant of this kind: its prompts and its list
        of what to cover chosen for them."""
        if kind != "family":
            return self
        return replace(self, prompts=self.prompts_for(kind), to_cover=self.to_cover_for(kind))


@dataclass(frozen=True)
class Keyed:
    """A keyed section: ``## key: Title`` followed by bullets and/or paragraphs."""

    key: str
    title: str
    prompts: tuple[str, ...] = ()
    text: str = ""


@dataclass(frozen=True)
class FactorArea(Keyed):
    level: str = ""


@dataclass(frozen=True)
class Level:
    key: str
    title: str
    areas: tuple[FactorArea, ...]


@dataclass(frozen=True)
class NoteKind:
    key: str
    prefix: str
    label: str
    help: str


@dataclass(frozen=True)
class Method:
    source: Path
    stages: tuple[Stage, ...]
    local_rationality: tuple[Keyed, ...]
    levels: tuple[Level, ...]
    note_kinds: tuple[NoteKind, ...]
    patterns: tuple[Keyed, ...]
    recommendation_kinds: tuple[Keyed, ...]
    intros: dict[str, str] = field(default_factory=dict)
    # Everyday words for a family relation ("mum" for a mother), from the optional
    # family-words.md: a follow-up that uses one is for the family member it means.
    relation_words: tuple[Keyed, ...] = ()

    @property
    def factor_areas(self) -> tuple[FactorArea, ...]:
        return tuple(area for level in self.levels for area in level.areas)

    def stage(self, number: int) -> Stage:
        return self.stages[number - 1]

    def area(self, key: str) -> FactorArea:
        for area in self.factor_areas:
            if area.key == key:
                return area
        raise KeyError(key)

    def kind_label(self, key: str) -> str:
        """A note kind's one label, in the guide's words ("Good practice", never the stored
        ``went_well``); an unknown key as it is."""
        for kind in self.note_kinds:
            if kind.key == key:
                return kind.label
        return key

    def kind(self, key: str) -> NoteKind:
        for kind in self.note_kinds:
            if kind.key == key:
                return kind
        raise KeyError(key)


# --- locating guides -------------------------------------------------------------


def default_guides_dir() -> Path:
    """The guides shipped with the package (inside the wheel), or the source checkout's."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "guides", here.parent / "guides"):
        if (candidate / "stages").is_dir():
            return candidate
    raise GuideError(here / "guides", None, "the built-in guides are missing from this install")


def guides_dir(explicit: str | os.PathLike[str] | None = None) -> Path:
    if explicit:
        return Path(explicit)
    if os.environ.get(GUIDES_ENV):
        return Path(os.environ[GUIDES_ENV])
    return default_guides_dir()


def load_method(directory: str | os.PathLike[str] | None = None) -> Method:
    """Load and validate every guide file in ``directory`` (default: see :func:`guides_dir`)."""
    return _load_cached(guides_dir(directory).resolve())


@lru_cache(maxsize=8)
def _load_cached(root: Path) -> Method:
    if not root.is_dir():
        raise GuideError(root, None, "guides folder not found")
    intros: dict[str, str] = {}
    stages = _load_stages(root / "stages")
    lr_front, lr_doc = _read_doc(root / "local-rationality.md")
    intros["local-rationality"] = lr_doc.intro
    lr = _keyed_sections(lr_doc, expect_levels=False)
    _require_keys(
        lr_doc.path,
        [k.key for k in lr],
        (
            "lr-picture",
            "lr-reasons",
            "lr-information",
            "lr-attention",
            "lr-weighing",
            "lr-aims",
            "lr-options",
        ),
        exact=False,
    )
    _front, factor_doc = _read_doc(root / "factors.md")
    intros["factors"] = factor_doc.intro
    levels = _load_levels(factor_doc)
    kinds = _load_note_kinds(root / "note-kinds.md", intros)
    _front, pat_doc = _read_doc(root / "patterns.md")
    intros["patterns"] = pat_doc.intro
    patterns = tuple(_keyed_sections(pat_doc, expect_levels=False))
    _front, rec_doc = _read_doc(root / "recommendations.md")
    intros["recommendations"] = rec_doc.intro
    recs = tuple(_keyed_sections(rec_doc, expect_levels=False))
    for doc, items in ((pat_doc, patterns), (rec_doc, recs)):
        if not items:
            raise GuideError(doc.path, None, "no '## key: Title' sections found")
    relation_words: tuple[Keyed, ...] = ()
    # Optional, so a guides folder made before it existed still loads; broken, it is named.
    if (root / FAMILY_WORDS_FILE).exists():
        _front, words_doc = _read_doc(root / FAMILY_WORDS_FILE)
        relation_words = tuple(_keyed_sections(words_doc, expect_levels=False))
    return Method(
        relation_words=relation_words,
        source=root,
        stages=stages,
        local_rationality=tuple(lr),
        levels=levels,
        note_kinds=kinds,
        patterns=patterns,
        recommendation_kinds=recs,
        intros=intros,
    )


# --- parsing -----------------------------------------------------------------------


@dataclass
class _Line:
    number: int
    text: str


@dataclass
class _Doc:
    path: Path
    body: list[_Line]
    body_start: int
    intro: str = ""


def _read_doc(path: Path) -> tuple[dict, _Doc]:
    if not path.is_file():
        raise GuideError(path, None, "file not found")
    try:
        raw = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise GuideError(path, None, f"not UTF-8 text ({exc.reason})") from exc
    except OSError as exc:
        raise GuideError(path, None, f"cannot be read ({exc.strerror})") from exc
    lines = raw.splitlines()
    front: dict = {}
    start = 0
    if lines and lines[0].strip() == "+++":
        try:
            end = next(i for i in range(1, len(lines)) if lines[i].strip() == "+++")
        except StopIteration:
            raise GuideError(path, 1, "front matter opened with '+++' is never closed") from None
        try:
            front = tomllib.loads("\n".join(lines[1:end]))
        except tomllib.TOMLDecodeError as exc:
            line = _toml_error_line(str(exc))
            msg = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(exc))
            raise GuideError(path, line + 1 if line else 1, f"front matter: {msg}") from None
        start = end + 1
    body = [_Line(i + 1, lines[i]) for i in range(start, len(lines))]
    doc = _Doc(path, body, start + 1)
    return front, doc


def _toml_error_line(message: str) -> int | None:
    match = re.search(r"at line (\d+)", message)
    return int(match.group(1)) if match else None


def _paragraph(lines: list[_Line]) -> str:
    """Join text lines into paragraphs separated by blank lines."""
    paras: list[str] = []
    current: list[str] = []
    for line in lines:
        if line.text.strip():
            current.append(line.text.strip())
        elif current:
            paras.append(" ".join(current))
            current = []
    if current:
        paras.append(" ".join(current))
    return "\n\n".join(paras)


def _bullets(lines: list[_Line], path: Path, *, allow_text: bool) -> tuple[list[str], str]:
    bullets: list[str] = []
    text: list[_Line] = []
    for line in lines:
        stripped = line.text.strip()
        if stripped.startswith(("- ", "* ")):
            item = stripped[2:].strip()
            if not item:
                raise GuideError(path, line.number, "empty bullet")
            bullets.append(item)
        elif stripped.startswith("  ") or (bullets and line.text.startswith("  ") and stripped):
            bullets[-1] += " " + stripped
        elif stripped:
            if not allow_text:
                raise GuideError(path, line.number, f"expected a '- ' bullet, found: {stripped!r}")
            text.append(line)
        else:
            text.append(line)
    return bullets, _paragraph(text)


def _split_headings(doc: _Doc, level: str) -> tuple[list[_Line], list[tuple[_Line, list[_Line]]]]:
    """Split body lines at headings of exactly ``level`` ('#' or '##')."""
    intro: list[_Line] = []
    sections: list[tuple[_Line, list[_Line]]] = []
    for line in doc.body:
        stripped = line.text.strip()
        if stripped.startswith(level + " ") or stripped == level:
            sections.append((line, []))
        elif sections:
            sections[-1][1].append(line)
        else:
            intro.append(line)
    return intro, sections


def _parse_keyed_heading(path: Path, line: _Line) -> tuple[str, str]:
    match = _KEYED_HEADING.match(line.text.strip())
    if not match:
        raise GuideError(path, line.number, "heading must read '## key: Title'")
    key, title = match.group(2).strip(), match.group(3).strip()
    if not _KEY.match(key):
        raise GuideError(
            path,
            line.number,
            f"key {key!r} must be lower-case letters, digits and hyphens, starting with a letter",
        )
    return key, title


def _keyed_sections(doc: _Doc, *, expect_levels: bool, level: str = "") -> list[Keyed]:
    intro, sections = _split_headings(doc, "##")
    if not expect_levels:
        for line in intro:
            if line.text.strip().startswith("#"):
                raise GuideError(doc.path, line.number, "unexpected heading; use '## key: Title'")
        doc.intro = _paragraph(intro)
    items: list[Keyed] = []
    seen: dict[str, int] = {}
    for heading, lines in sections:
        key, title = _parse_keyed_heading(doc.path, heading)
        if key in seen:
            raise GuideError(
                doc.path, heading.number, f"key {key!r} already used on line {seen[key]}"
            )
        seen[key] = heading.number
        for line in lines:
            if line.text.strip().startswith("#"):
                raise GuideError(doc.path, line.number, "unexpected heading inside a section")
        prompts, text = _bullets(lines, doc.path, allow_text=True)
        if not prompts and not text:
            raise GuideError(doc.path, heading.number, f"section {key!r} is empty")
        if expect_levels:
            items.append(FactorArea(key, title, tuple(prompts), text, level))
        else:
            items.append(Keyed(key, title, tuple(prompts), text))
    return items


def _require_keys(path: Path, found: list[str], required: tuple[str, ...], *, exact: bool) -> None:
    missing = [k for k in required if k not in found]
    if missing:
        raise GuideError(path, None, f"missing required section(s): {', '.join(missing)}")
    if exact:
        extra = [k for k in found if k not in required]
        if extra:
            raise GuideError(path, None, f"unknown section(s): {', '.join(extra)}")


def _load_levels(doc: _Doc) -> tuple[Level, ...]:
    intro, sections = _split_headings(doc, "#")
    for line in intro:
        if line.text.strip().startswith("##"):
            raise GuideError(doc.path, line.number, "factor area outside any '# level: Title'")
    doc.intro = _paragraph(intro)
    levels: list[Level] = []
    all_keys: list[str] = []
    for heading, lines in sections:
        key, title = _parse_keyed_heading(doc.path, heading)
        if key not in LEVEL_KEYS:
            raise GuideError(
                doc.path, heading.number, f"unknown level {key!r}; use {', '.join(LEVEL_KEYS)}"
            )
        sub = _Doc(doc.path, lines, heading.number + 1)
        areas = _keyed_sections(sub, expect_levels=True, level=key)
        areas = [FactorArea(a.key, a.title, a.prompts, a.text, key) for a in areas]
        for area, (area_heading, _l) in zip(areas, _split_headings(sub, "##")[1], strict=True):
            if area.key in all_keys:
                raise GuideError(
                    doc.path, area_heading.number, f"factor area {area.key!r} appears twice"
                )
            all_keys.append(area.key)
        levels.append(Level(key, title, tuple(areas)))  # type: ignore[arg-type]
    _require_keys(doc.path, [lv.key for lv in levels], LEVEL_KEYS, exact=True)
    _require_keys(doc.path, all_keys, FACTOR_KEYS, exact=False)
    return tuple(levels)


def _load_note_kinds(path: Path, intros: dict[str, str]) -> tuple[NoteKind, ...]:
    front, doc = _read_doc(path)
    intros["note-kinds"] = _paragraph(doc.body)
    raw = front.get("kind")
    if not isinstance(raw, list) or not raw:
        raise GuideError(path, 1, "front matter needs [[kind]] tables")
    kinds: list[NoteKind] = []
    for index, item in enumerate(raw, start=1):
        try:
            kind = NoteKind(
                key=str(item["key"]),
                prefix=str(item["prefix"]),
                label=str(item["label"]),
                help=str(item.get("help", "")),
            )
        except (KeyError, TypeError) as exc:
            raise GuideError(path, None, f"kind number {index} lacks {exc}") from None
        kinds.append(kind)
    keys = [k.key for k in kinds]
    _require_keys(path, keys, NOTE_KIND_KEYS, exact=True)
    prefixes = [k.prefix for k in kinds if k.prefix]
    if len(set(prefixes)) != len(prefixes):
        raise GuideError(path, None, "two note kinds share a prefix")
    if [k for k in kinds if not k.prefix] != [k for k in kinds if k.key == "observation"]:
        raise GuideError(path, None, "only 'observation' may have an empty prefix")
    return tuple(kinds)


def _load_stages(folder: Path) -> tuple[Stage, ...]:
    if not folder.is_dir():
        raise GuideError(folder, None, "stages folder not found")
    stages: dict[int, Stage] = {}
    for path in sorted(folder.glob("*.md")):
        stage = _load_stage(path)
        if stage.number in stages:
            raise GuideError(path, 2, f"stage {stage.number} is defined twice")
        stages[stage.number] = stage
    missing = [n for n in range(1, 10) if n not in stages]
    if missing:
        raise GuideError(folder, None, f"missing stage file(s) for stage {missing}")
    extra = [n for n in stages if n not in range(1, 10)]
    if extra:
        raise GuideError(folder, None, f"stages are numbered 1 to 9; found {extra}")
    return tuple(stages[n] for n in range(1, 10))


def _load_stage(path: Path) -> Stage:
    front, doc = _read_doc(path)
    for name, kind in (("number", int), ("key", str), ("title", str), ("minutes", int)):
        if name not in front:
            raise GuideError(path, 1, f"front matter lacks '{name}'")
        if not isinstance(front[name], kind) or isinstance(front[name], bool):
            raise GuideError(path, 1, f"front matter '{name}' must be a {kind.__name__}")
    if not 0 < front["minutes"] <= 240:
        raise GuideError(path, 1, "'minutes' must be between 1 and 240")
    intro, sections = _split_headings(doc, "##")
    for line in intro:
        if line.text.strip():
            raise GuideError(path, line.number, "text before the first '## Purpose' heading")
    found = {}
    for heading, lines in sections:
        name = heading.text.strip()[2:].strip()
        if name not in (*STAGE_SECTIONS, FAMILY_PROMPTS, FAMILY_TO_COVER):
            raise GuideError(
                path,
                heading.number,
                f"unknown section {name!r}; stage files have {', '.join(STAGE_SECTIONS)} "
                f"(and may have {FAMILY_PROMPTS!r} and {FAMILY_TO_COVER!r})",
            )
        if name in found:
            raise GuideError(path, heading.number, f"section {name!r} appears twice")
        found[name] = (heading, lines)
    for name in STAGE_SECTIONS:
        if name not in found:
            raise GuideError(path, None, f"missing section '## {name}'")
    texts: dict[str, str] = {}
    lists: dict[str, tuple[str, ...]] = {}
    for name, (heading, lines) in found.items():
        if name in ("Prompts", "To cover", FAMILY_PROMPTS, FAMILY_TO_COVER):
            items, _ = _bullets(lines, path, allow_text=False)
            if not items:
                raise GuideError(path, heading.number, f"section '{name}' has no '- ' bullets")
            lists[name] = tuple(items)
        else:
            text = _paragraph(lines)
            if not text:
                raise GuideError(path, heading.number, f"section '{name}' is empty")
            texts[name] = text
    return Stage(
        number=front["number"],
        key=front["key"],
        title=front["title"],
        minutes=front["minutes"],
        per_episode=bool(front.get("per_episode", front["number"] in PER_EPISODE_STAGES)),
        purpose=texts["Purpose"],
        how_to_ask=texts["How to ask"],
        prompts=lists["Prompts"],
        to_cover=lists["To cover"],
        family_prompts=lists.get(FAMILY_PROMPTS, ()),
        family_to_cover=lists.get(FAMILY_TO_COVER, ()),
    )
