"""HTML records (case-management exports, saved web pages, Word via mammoth) as Markdown.

lxml's parser (libxml2, in C) hands each tag to :class:`_Builder` as it reads, and the
builder keeps a small tree: scripts, styles and embedded objects are dropped unread, and
tags nested deeper than :data:`MAX_DEPTH` keep only their text, so a broken export of a
million unclosed tags is flattened or refused while it is read, in bounded memory, never
built whole first. The tree is then written as Markdown in one pass.

(BeautifulSoup and markdownify took 80-112 s on a 9.5 MB export, and 137 s and 1.9 GB
on 9 MB of unclosed tags: see bench/README.md.)
"""

from __future__ import annotations

import re

from facilitator.collector import collector_paused
from facilitator.importers import Converted, ImportProblem

# Dropped with everything inside them: their contents never become text of the review.
_UNSAFE = frozenset(
    ("script", "style", "noscript", "iframe", "object", "embed", "template", "head", "svg",
     "math", "frame", "frameset", "applet")
)  # fmt: skip
_COUNTED = frozenset(("script", "iframe", "object", "embed", "applet", "frame"))
_NOTED = _UNSAFE | _COUNTED | {"a", "img"}
# Deeper than this, a tag's text is kept without its formatting. Broken exports
# (thousands of unclosed tags) nest this deep; real records never do.
MAX_DEPTH = 100
# More tags than this below that depth: the file is too broken to be worth reading on.
MAX_FLATTENED = 50_000
# Quotes and lists nested deeper than this are written without further "> " or indent:
# each level prefixed every line below it again (95 quotes made 500 KB into 38 MB).
MAX_NESTED_FORMAT = 6
# A table wider than this is written a row per line, unpadded: padding every row to the
# widest made one 4,000-cell row and 4,000 short rows into 16 million cells.
MAX_COLUMNS = 50

_HEADINGS = {f"h{n}": n for n in range(1, 7)}
_BLOCKS = frozenset(
    ("p", "div", "section", "article", "header", "footer", "main", "nav", "aside",
     "address", "figure", "figcaption", "form", "fieldset", "dl", "dt", "dd",
     "center", "body", "html", "details", "summary", "caption", "legend")
)  # fmt: skip
_BOLD = frozenset(("b", "strong"))
_ITALIC = frozenset(("i", "em", "cite", "dfn"))
_SPACE = re.compile(r"\s+")
_MARKDOWN_CHARS = str.maketrans({"*": "\\*", "_": "\\_", "\\": "\\\\"})
_BLANKS = re.compile(r"\n{3,}")
_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_.:-]+)""", re.IGNORECASE)

# A node of the kept tree: [tag, href or alt text, children (nodes and strings)].
Node = list


class _TooDeep(Exception):
    pass


class _Builder:
    """lxml parser target: builds the kept tree as the parser reads."""

    def __init__(self) -> None:
        self.root: Node = ["#root", "", []]
        self.stack: list[Node] = [self.root]
        self.skipping = 0  # depth within a dropped tag
        self.deep = 0  # depth below MAX_DEPTH
        self.flattened = 0
        self.removed = 0

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        # lxml gives HTML tag names in lower case. Most tags take the first branch.
        if not (self.skipping or self.deep or tag in _NOTED or len(self.stack) > MAX_DEPTH):
            node: Node = [tag, "", []]
            self.stack[-1][2].append(node)
            self.stack.append(node)
            return
        if tag in _COUNTED:
            self.removed += 1
        if self.skipping:
            self.skipping += 1
        elif tag in _UNSAFE:
            self.skipping = 1
        elif self.deep or len(self.stack) > MAX_DEPTH:
            self.deep += 1
            self.flattened += 1
            if self.flattened > MAX_FLATTENED:
                raise _TooDeep
            self.stack[-1][2].append(" ")  # words in two tags stay two words
        else:  # a link keeps its target, an image its description
            node = [tag, attrib.get("href" if tag == "a" else "alt", ""), []]
            self.stack[-1][2].append(node)
            self.stack.append(node)

    def end(self, tag: str) -> None:
        if self.skipping:
            self.skipping -= 1
        elif self.deep:
            self.deep -= 1
            self.stack[-1][2].append(" ")
        elif len(self.stack) > 1:
            self.stack.pop()

    def data(self, text: str) -> None:
        if not self.skipping:
            self.stack[-1][2].append(text)

    def close(self) -> Node:
        return self.root


def _decode(raw: bytes) -> str:
    """The page's text: UTF-8 (most exports), else the charset its <meta> names, else
    Windows-1252 (older exports); never a failure."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    declared = _CHARSET.search(raw[:4096])
    if declared:
        try:
            return raw.decode(declared.group(1).decode("ascii"), errors="replace")
        except (LookupError, UnicodeError):  # an unknown charset, or one like "idna"
            pass
    return raw.decode("cp1252", errors="replace")


def parse(raw: bytes) -> _Builder:
    from lxml import etree

    builder = _Builder()
    # huge_tree: one long text node (a pasted log) is kept whole; depth is bounded above.
    parser = etree.HTMLParser(target=builder, no_network=True, huge_tree=True)
    try:
        parser.feed(_decode(raw))
        parser.close()
    except _TooDeep:
        raise ImportProblem(
            f"the record has more than {MAX_FLATTENED:,} tags nested over {MAX_DEPTH} deep "
            "(unclosed tags): it is too broken to import; open it in a browser and save it "
            "again, or export it as text"
        ) from None
    except etree.LxmlError as exc:
        raise ImportProblem(f"the file cannot be read as HTML ({exc})") from None
    return builder


def html_to_markdown(raw: bytes) -> Converted:
    from facilitator.importers.text import _normalise

    if b"\x00" in raw[:8192]:
        raise ImportProblem("the file looks binary, not HTML")
    with collector_paused():
        built = parse(raw)
        text = _Writer().children(built.root)
    warnings = []
    if built.flattened:
        warnings.append(
            f"the record has tags nested more than {MAX_DEPTH} deep (unclosed tags?); "
            "below that depth its text was kept without formatting"
        )
    if built.removed:
        warnings.append(
            f"removed {built.removed} script or embedded object(s); only the text was kept"
        )
    lines = [line.rstrip() for line in _normalise(text).split("\n")]
    cleaned = _BLANKS.sub("\n\n", "\n".join(lines))
    return Converted(cleaned.strip() + "\n", warnings, by_paragraph=True)


class _Writer:
    """The kept tree as Markdown. Recursion is bounded by :data:`MAX_DEPTH`."""

    def __init__(self) -> None:
        self.pre = 0
        self.cell = 0  # within a table cell: a table inside it is written as text
        self.quotes = 0  # blockquotes and lists around the node being written
        self.lists = 0

    def children(self, node: Node) -> str:
        parts: list[str] = []
        for child in node[2]:
            if isinstance(child, str):
                if self.pre:
                    parts.append(child)
                    continue
                piece = _plain(child)
                if parts and parts[-1].endswith("\n"):
                    piece = piece.lstrip(" ")
                parts.append(piece)
            else:
                piece = self.element(child)
                if piece.startswith("\n") and parts:
                    parts[-1] = parts[-1].rstrip(" ")
                elif piece.startswith(" ") and parts and parts[-1].endswith((" ", "\n")):
                    piece = piece.lstrip(" ")  # "the <b> health</b>": one space, not two
                parts.append(piece)
        return "".join(parts)

    def element(self, node: Node) -> str:
        tag = node[0]
        if tag in _BLOCKS:
            return f"\n\n{self.children(node).strip()}\n\n"
        if tag in _HEADINGS:
            text = _one_line(self.children(node))
            return f"\n\n{'#' * _HEADINGS[tag]} {text}\n\n" if text else ""
        if tag == "br":
            return "\n"
        if tag == "blockquote":
            self.quotes += 1
            try:
                body = _BLANKS.sub("\n\n", self.children(node).strip())
            finally:
                self.quotes -= 1
            if self.quotes >= MAX_NESTED_FORMAT:
                return f"\n\n{body}\n\n"
            return "\n\n" + "\n".join(f"> {line}".rstrip() for line in body.split("\n")) + "\n\n"
        if tag in _BOLD:
            return _wrap(self.children(node), "**")
        if tag in _ITALIC:
            return _wrap(self.children(node), "*")
        if tag == "a":
            return self.link(node)
        if tag in ("ul", "ol", "menu"):
            return self.listing(node, ordered=tag == "ol")
        if tag == "li":  # an item outside any list
            return f"\n\n- {self.children(node).strip()}\n\n"
        if tag == "table":
            return self.table(node)
        if tag == "pre":
            self.pre += 1
            try:
                body = self.children(node).strip("\n")
            finally:
                self.pre -= 1
            return f"\n\n```\n{body}\n```\n\n" if body.strip() else ""
        if tag == "code" and not self.pre:
            text = _one_line(self.children(node))
            return f"`{text}`" if text else ""
        if tag == "hr":
            return "\n\n---\n\n"
        if tag == "img":
            return _SPACE.sub(" ", node[1]).strip()
        return self.children(node)

    def link(self, node: Node) -> str:
        text = self.children(node)
        href = node[1].strip()
        if not text.strip() or not href.lower().startswith(("http://", "https://", "mailto:")):
            return text
        if "\n" in text.strip():
            return text
        target = href.replace(" ", "%20").replace(")", "%29").replace("(", "%28")
        return f"[{text.strip()}]({target})"

    def listing(self, node: Node, *, ordered: bool) -> str:
        self.lists += 1
        try:
            return self._listing(node, ordered=ordered, indented=self.lists <= MAX_NESTED_FORMAT)
        finally:
            self.lists -= 1

    def _listing(self, node: Node, *, ordered: bool, indented: bool) -> str:
        lines: list[str] = []
        number = 0
        for child in node[2]:
            if isinstance(child, str):
                if child.strip():
                    lines.append(_SPACE.sub(" ", child).strip())
                continue
            if child[0] != "li":
                text = self.element(child).strip()
                if text:
                    lines.append(text)
                continue
            number += 1
            mark = f"{number}. " if ordered else "- "
            body = _BLANKS.sub("\n", self.children(child).strip()).replace("\n\n", "\n")
            if indented:
                body = body.replace("\n", "\n" + " " * len(mark))
            lines.append(mark + body)
        return "\n\n" + "\n".join(lines) + "\n\n"

    def table(self, node: Node) -> str:
        rows: list[list[str]] = []
        pending = [node]
        while pending:  # rows directly in the table, or in its head, bodies and foot
            current = pending.pop(0)
            for child in current[2]:
                if isinstance(child, str):
                    continue
                if child[0] == "tr":
                    rows.append(self.cells(child))
                elif child[0] in ("thead", "tbody", "tfoot"):
                    pending.append(child)
                elif child[0] == "caption":
                    caption = _one_line(self.children(child))
                    if caption:
                        rows.insert(0, [caption])
        rows = [row for row in rows if any(row)]
        if not rows:
            return ""
        if self.cell:
            return " " + " ".join(" ".join(filter(None, row)) for row in rows) + " "
        width = max(len(row) for row in rows)
        if width > MAX_COLUMNS:  # no reader wants it as a grid: a row per line, unpadded
            return "\n\n" + "\n".join(" | ".join(row) for row in rows) + "\n\n"
        lines = []
        for index, row in enumerate(rows):
            cells = row + [""] * (width - len(row))
            lines.append("| " + " | ".join(cells) + " |")
            if index == 0:
                lines.append("| " + " | ".join(["---"] * width) + " |")
        return "\n\n" + "\n".join(lines) + "\n\n"

    def cells(self, row: Node) -> list[str]:
        self.cell += 1
        try:
            return [
                _one_line(self.children(cell)).replace("|", "\\|")
                for cell in row[2]
                if not isinstance(cell, str) and cell[0] in ("td", "th")
            ]
        finally:
            self.cell -= 1


def _plain(text: str) -> str:
    """A text node as Markdown: white space collapsed as a browser shows it, and the
    characters that would start emphasis escaped. Most nodes need neither, and the
    checks for that are far cheaper than the substitutions."""
    if "\n" in text or "  " in text or "\t" in text or "\r" in text or "\f" in text:
        text = _SPACE.sub(" ", text)
    if "*" in text or "_" in text or "\\" in text:
        text = text.translate(_MARKDOWN_CHARS)
    return text


def _one_line(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


def _wrap(text: str, mark: str) -> str:
    """Emphasis around the words, with the spaces around them kept outside the marks
    (``** mother **`` would not be bold)."""
    inner = text.strip()
    if not inner or "\n" in inner:
        return text
    start = text[: len(text) - len(text.lstrip())]
    end = text[len(text.rstrip()) :]
    return f"{start}{mark}{inner}{mark}{end}"
